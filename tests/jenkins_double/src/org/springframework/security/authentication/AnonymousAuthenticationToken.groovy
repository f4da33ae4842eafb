package org.springframework.security.authentication

import org.springframework.security.core.GrantedAuthority

/** Mirrors spring-security's core/src/main/java/org/springframework/security/authentication/AnonymousAuthenticationToken.java (Jenkins.ANONYMOUS2). */
class AnonymousAuthenticationToken extends AbstractAuthenticationToken {
    private final Object principal
    private final int keyHash

    AnonymousAuthenticationToken(String key, Object principal, Collection<? extends GrantedAuthority> authorities) {
        super(authorities)
        if (key == null || key.isEmpty() || principal == null || "".equals(principal) || authorities == null || authorities.isEmpty()) {
            throw new IllegalArgumentException("key, principal and authorities are required")
        }
        this.keyHash = key.hashCode()
        this.principal = principal
        setAuthenticated(true)
    }

    int getKeyHash() {
        return keyHash
    }

    @Override
    Object getCredentials() {
        return ""
    }

    @Override
    Object getPrincipal() {
        return principal
    }

    @Override
    boolean equals(Object obj) {
        return super.equals(obj) && obj instanceof AnonymousAuthenticationToken && keyHash == ((AnonymousAuthenticationToken) obj).keyHash
    }

    @Override
    int hashCode() {
        return 31 * super.hashCode() + keyHash
    }
}
