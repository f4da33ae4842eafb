package hudson.security

/**
 * Mirrors core/src/main/java/hudson/security/ACL.java only as far as switching a
 * thread to SYSTEM goes (as2 returns an ACLContext that switches back on close).
 * The double checks no permissions on items yet, so the switch changes nothing.
 */
abstract class ACL {
    static final Object SYSTEM2 = new Object()

    static ACLContext as2(Object authentication) {
        return new ACLContext()
    }
}
