package jenkins.model

import hudson.model.Executor
import hudson.model.Run
import hudson.model.queue.CauseOfBlockage

/** Mirrors core/src/main/java/jenkins/model/BlockedBecauseOfBuildInProgress.java. */
class BlockedBecauseOfBuildInProgress extends CauseOfBlockage {
    private final Run build

    BlockedBecauseOfBuildInProgress(Run build) {
        this.build = build
    }

    String getShortDescription() {
        Executor e = build.getExecutor()
        String eta = e != null ? " (ETA: " + e.getEstimatedRemainingTime() + ")" : ""
        return "Build #" + build.getNumber() + " is already in progress" + eta
    }
}
