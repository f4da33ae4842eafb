package hudson.security

import org.springframework.security.core.context.SecurityContext
import org.springframework.security.core.context.SecurityContextHolder

/**
 * Mirrors core/src/main/java/hudson/security/ACLContext.java: what ACL.as2 returns;
 * close() puts the thread's previous security context back (in a script: try/finally;
 * Groovy 2.4, which Jenkins runs, has no withCloseable for an AutoCloseable).
 */
class ACLContext implements AutoCloseable {
    private final SecurityContext previousContext

    ACLContext(SecurityContext previousContext) {
        this.previousContext = previousContext
    }

    SecurityContext getPreviousContext2() {
        return previousContext
    }

    @Override
    void close() {
        SecurityContextHolder.setContext(previousContext)
    }
}
