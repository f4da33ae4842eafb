package hudson.security

/** Mirrors core/src/main/java/hudson/security/ACLContext.java: closing it restores the previous authentication. */
class ACLContext implements AutoCloseable {
    @Override
    void close() {}
}
