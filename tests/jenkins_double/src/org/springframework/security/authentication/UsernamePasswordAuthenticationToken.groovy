package org.springframework.security.authentication

import org.springframework.security.core.GrantedAuthority

/**
 * Mirrors spring-security's core/src/main/java/org/springframework/security/authentication/UsernamePasswordAuthenticationToken.java.
 * Two arguments: not authenticated (ACL.SYSTEM2 is one of these, as in Jenkins);
 * with authorities: authenticated.
 */
class UsernamePasswordAuthenticationToken extends AbstractAuthenticationToken {
    private final Object principal
    private Object credentials

    UsernamePasswordAuthenticationToken(Object principal, Object credentials) {
        super(null)
        this.principal = principal
        this.credentials = credentials
        setAuthenticated(false)
    }

    UsernamePasswordAuthenticationToken(Object principal, Object credentials, Collection<? extends GrantedAuthority> authorities) {
        super(authorities)
        this.principal = principal
        this.credentials = credentials
        super.setAuthenticated(true)
    }

    @Override
    Object getCredentials() {
        return credentials
    }

    @Override
    Object getPrincipal() {
        return principal
    }

    @Override
    void setAuthenticated(boolean isAuthenticated) {
        if (isAuthenticated) {
            throw new IllegalArgumentException("Cannot set this token to trusted - use constructor which takes a GrantedAuthority list instead")
        }
        super.setAuthenticated(false)
    }
}
