package org.springframework.security.core.authority

import org.springframework.security.core.GrantedAuthority

/** Mirrors spring-security's core/src/main/java/org/springframework/security/core/authority/SimpleGrantedAuthority.java: equal by role. */
final class SimpleGrantedAuthority implements GrantedAuthority {
    private final String role

    SimpleGrantedAuthority(String role) {
        if (role == null || role.isEmpty()) {
            throw new IllegalArgumentException("A granted authority textual representation is required")
        }
        this.role = role
    }

    @Override
    String getAuthority() {
        return role
    }

    @Override
    boolean equals(Object obj) {
        return this.is(obj) || (obj instanceof SimpleGrantedAuthority && role.equals(((SimpleGrantedAuthority) obj).role))
    }

    @Override
    int hashCode() {
        return role.hashCode()
    }

    @Override
    String toString() {
        return role
    }
}
