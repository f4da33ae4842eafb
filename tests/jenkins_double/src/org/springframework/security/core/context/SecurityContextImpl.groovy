package org.springframework.security.core.context

import org.springframework.security.core.Authentication

/** Mirrors spring-security's core/src/main/java/org/springframework/security/core/context/SecurityContextImpl.java. */
class SecurityContextImpl implements SecurityContext {
    private Authentication authentication

    SecurityContextImpl() {
    }

    SecurityContextImpl(Authentication authentication) {
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
        return obj instanceof SecurityContextImpl && Objects.equals(authentication, ((SecurityContextImpl) obj).getAuthentication())
    }

    @Override
    int hashCode() {
        return authentication == null ? -1 : authentication.hashCode()
    }

    @Override
    String toString() {
        return getClass().getSimpleName() + (authentication == null ? " [Null authentication]" : " [Authentication=" + authentication + "]")
    }
}
