package org.springframework.security.core

/** Mirrors spring-security's core/src/main/java/org/springframework/security/core/GrantedAuthority.java. */
interface GrantedAuthority extends Serializable {
    String getAuthority()
}
