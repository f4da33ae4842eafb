package hudson.slaves

/**
 * Mirrors core/src/main/java/hudson/slaves/ComputerLauncher.java. The double launches
 * nothing: an agent counts as connected as soon as its computer connects, whatever the
 * launcher (documented difference).
 */
abstract class ComputerLauncher {
    boolean isLaunchSupported() {
        return true
    }
}
