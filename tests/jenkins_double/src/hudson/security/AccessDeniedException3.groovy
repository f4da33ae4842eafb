package hudson.security

import org.springframework.security.access.AccessDeniedException
import org.springframework.security.core.Authentication

/** Mirrors core/src/main/java/hudson/security/AccessDeniedException3.java: "NAME is missing the GROUP/NAME permission". */
class AccessDeniedException3 extends AccessDeniedException {
    public final Authentication authentication
    public final Permission permission

    AccessDeniedException3(Authentication authentication, Permission permission) {
        super(authentication.getName() + " is missing the " + permission.group.title + "/" + permission.name + " permission")
        this.authentication = authentication
        this.permission = permission
    }
}
