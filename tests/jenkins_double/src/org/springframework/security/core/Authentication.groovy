package org.springframework.security.core

import java.security.Principal

/**
 * Mirrors spring-security's core/src/main/java/org/springframework/security/core/Authentication.java
 * (the library Jenkins core authenticates with): who the current thread acts as.
 * Jenkins.getAuthentication2() returns one; ACL.SYSTEM2 and Jenkins.ANONYMOUS2 are two.
 */
interface Authentication extends Principal, Serializable {
    Collection<? extends GrantedAuthority> getAuthorities()

    Object getCredentials()

    Object getDetails()

    Object getPrincipal()

    boolean isAuthenticated()

    void setAuthenticated(boolean isAuthenticated) throws IllegalArgumentException
}
