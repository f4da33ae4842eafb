package jenkins.security

import org.springframework.security.core.Authentication
import org.springframework.security.core.context.SecurityContext

/** Mirrors core/src/main/java/jenkins/security/NonSerializableSecurityContext.java: the context ACL.as2 installs. */
class NonSerializableSecurityContext implements SecurityContext {
    private transient Authentication authentication

    NonSerializableSecurityContext() {
    }

    NonSerializableSecurityContext(Authentication authentication) {
        this.authentication = authentication
    }

    @Override
    Authentication getAuthentication() {
        return authentication
    }

    @Override
    void setAuthentication(Authentication authentication) {
        this.authentication = authentication
    }

    @Override
    boolean equals(Object obj) {
        return obj instanceof SecurityContext && Objects.equals(authentication, ((SecurityContext) obj).getAuthentication())
    }

    @Override
    int hashCode() {
        return authentication == null ? -1 : authentication.hashCode()
    }

    @Override
    String toString() {
        return getClass().getSimpleName() + "[" + authentication + "]"
    }
}
