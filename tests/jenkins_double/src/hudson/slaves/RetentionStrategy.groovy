package hudson.slaves

import hudson.model.Computer

/**
 * Mirrors core/src/main/java/hudson/slaves/RetentionStrategy.java. The periodic
 * check() that reconnects launchable agents is not run by the double (documented).
 */
abstract class RetentionStrategy<T extends Computer> {
    abstract long check(T c)

    boolean isAcceptingTasks(T c) {
        return true
    }

    /** Called when the computer is created: connect it. */
    void start(T c) {
        c.connect(false)
    }

    static final RetentionStrategy<Computer> NOOP = new NoOp()

    private static final class NoOp extends RetentionStrategy<Computer> {
        long check(Computer c) {
            return 60
        }
    }

    /** Keeps the agent online (the default for DumbSlave). */
    static class Always extends RetentionStrategy<Computer> {
        static final Always INSTANCE = new Always()

        Always() {
        }

        long check(Computer c) {
            return 0
        }
    }
}
