package org.springframework.security.authentication

import org.springframework.security.core.Authentication
import org.springframework.security.core.GrantedAuthority

/**
 * Mirrors spring-security's core/src/main/java/org/springframework/security/authentication/AbstractAuthenticationToken.java:
 * getName() is the principal's name (or its toString()); equal when authorities, details,
 * credentials, principal and the authenticated flag are.
 */
abstract class AbstractAuthenticationToken implements Authentication {
    private final Collection<GrantedAuthority> authorities
    private Object details
    private boolean authenticated = false

    AbstractAuthenticationToken(Collection<? extends GrantedAuthority> authorities) {
        this.authorities = authorities == null ? Collections.<GrantedAuthority>emptyList()
                : Collections.unmodifiableList(new ArrayList<GrantedAuthority>(authorities))
    }

    @Override
    Collection<GrantedAuthority> getAuthorities() {
        return authorities
    }

    @Override
    String getName() {
        Object principal = getPrincipal()
        if (principal instanceof java.security.Principal) {
            return ((java.security.Principal) principal).getName()
        }
        return principal == null ? "" : principal.toString()
    }

    @Override
    boolean isAuthenticated() {
        return authenticated
    }

    @Override
    void setAuthenticated(boolean authenticated) {
        this.authenticated = authenticated
    }

    @Override
    Object getDetails() {
        return details
    }

    void setDetails(Object details) {
        this.details = details
    }

    @Override
    boolean equals(Object obj) {
        if (!(obj instanceof AbstractAuthenticationToken)) {
            return false
        }
        AbstractAuthenticationToken test = (AbstractAuthenticationToken) obj
        return authorities.equals(test.authorities) && Objects.equals(details, test.getDetails()) &&
                Objects.equals(getCredentials(), test.getCredentials()) && Objects.equals(getPrincipal(), test.getPrincipal()) &&
                isAuthenticated() == test.isAuthenticated()
    }

    @Override
    int hashCode() {
        return Objects.hash(authorities, getPrincipal(), getCredentials(), details, isAuthenticated())
    }

    @Override
    String toString() {
        return getClass().getName() + " [Principal=" + getPrincipal() + ", Credentials=[PROTECTED], Authenticated=" + isAuthenticated() +
                ", Details=" + getDetails() + ", Granted Authorities=" + authorities + "]"
    }
}
