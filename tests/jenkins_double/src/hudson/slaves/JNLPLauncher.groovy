package hudson.slaves

/** Mirrors core/src/main/java/hudson/slaves/JNLPLauncher.java: an inbound agent (the agent connects to Jenkins). */
class JNLPLauncher extends ComputerLauncher {
    private final String tunnel

    JNLPLauncher() {
        this.tunnel = null
    }

    JNLPLauncher(boolean enableWorkDir) {
        this()
    }

    JNLPLauncher(String tunnel) {
        this.tunnel = hudson.Util.fixEmptyAndTrim(tunnel)
    }

    JNLPLauncher(String tunnel, String vmargs) {
        this(tunnel)
    }

    String getTunnel() {
        return tunnel
    }

    /** Jenkins cannot launch an inbound agent itself; the agent process must connect. */
    @Override
    boolean isLaunchSupported() {
        return false
    }
}
