package org.springframework.security.access

/** Mirrors spring-security's core/src/main/java/org/springframework/security/access/AccessDeniedException.java. */
class AccessDeniedException extends RuntimeException {
    AccessDeniedException(String msg) {
        super(msg)
    }

    AccessDeniedException(String msg, Throwable cause) {
        super(msg, cause)
    }
}
