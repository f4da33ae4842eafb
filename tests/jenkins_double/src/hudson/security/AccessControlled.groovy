package hudson.security

import org.springframework.security.core.Authentication

/**
 * Mirrors core/src/main/java/hudson/security/AccessControlled.java. Jenkins gives
 * checkPermission/hasPermission/hasPermission2 default bodies (SYSTEM may do anything,
 * else ask getACL()); Groovy 2.4 interfaces cannot, so the double's implementations
 * (Jenkins, AbstractItem) write those bodies out (documented difference).
 */
interface AccessControlled {
    ACL getACL()

    void checkPermission(Permission permission)

    boolean hasPermission(Permission permission)

    boolean hasPermission2(Authentication a, Permission permission)
}
