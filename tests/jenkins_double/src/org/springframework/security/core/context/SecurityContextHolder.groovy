package org.springframework.security.core.context

/**
 * Mirrors spring-security's core/src/main/java/org/springframework/security/core/context/SecurityContextHolder.java
 * in its default mode (MODE_THREADLOCAL, which Jenkins keeps): each thread has its own
 * context and a new thread starts with an empty one, so code on a thread a script
 * starts runs as nobody, i.e. Jenkins.getAuthentication2() is ANONYMOUS.
 */
class SecurityContextHolder {
    private static final ThreadLocal<SecurityContext> CONTEXT = new ThreadLocal<SecurityContext>()

    static SecurityContext getContext() {
        SecurityContext ctx = CONTEXT.get()
        if (ctx == null) {
            ctx = createEmptyContext()
            CONTEXT.set(ctx)
        }
        return ctx
    }

    static void setContext(SecurityContext context) {
        if (context == null) {
            throw new IllegalArgumentException("Only non-null SecurityContext instances are permitted")
        }
        CONTEXT.set(context)
    }

    static void clearContext() {
        CONTEXT.remove()
    }

    static SecurityContext createEmptyContext() {
        return new SecurityContextImpl()
    }

    private SecurityContextHolder() {}
}
