package org.springframework.security.core.context

import org.springframework.security.core.Authentication

/** Mirrors spring-security's core/src/main/java/org/springframework/security/core/context/SecurityContext.java. */
interface SecurityContext extends Serializable {
    Authentication getAuthentication()

    void setAuthentication(Authentication authentication)
}
