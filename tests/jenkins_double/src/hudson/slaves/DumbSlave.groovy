package hudson.slaves

import hudson.model.Node
import hudson.model.Slave

/** Mirrors core/src/main/java/hudson/slaves/DumbSlave.java: the plain "permanent agent". */
class DumbSlave extends Slave {
    /** The 2.2+ constructor; everything else through setters. */
    DumbSlave(String name, String remoteFS, ComputerLauncher launcher) {
        super(name, remoteFS, launcher)
    }

    @Deprecated
    DumbSlave(String name, String nodeDescription, String remoteFS, String numExecutors, Node.Mode mode, String labelString,
              ComputerLauncher launcher, RetentionStrategy retentionStrategy) {
        this(name, nodeDescription, remoteFS, numExecutors, mode, labelString, launcher, retentionStrategy, new ArrayList())
    }

    @Deprecated
    DumbSlave(String name, String nodeDescription, String remoteFS, String numExecutors, Node.Mode mode, String labelString,
              ComputerLauncher launcher, RetentionStrategy retentionStrategy, List<? extends NodeProperty<?>> nodeProperties) {
        super(name, nodeDescription, remoteFS, parseExecutors(numExecutors), mode, labelString, launcher, retentionStrategy, nodeProperties)
    }

    /** Util.tryParseNumber(numExecutors, 1) in Jenkins. */
    private static int parseExecutors(String numExecutors) {
        try {
            return Integer.parseInt(numExecutors.trim())
        } catch (NumberFormatException | NullPointerException ignored) {
            return 1
        }
    }
}
