package jenkins.model

import hudson.model.TaskListener

/**
 * Mirrors core/src/main/java/jenkins/model/CauseOfInterruption.java: why an executor was
 * interrupted (Executor.interrupt(Result, CauseOfInterruption...)). UserInterruption is not
 * mirrored: the double records no cause for a plain interrupt (documented).
 */
abstract class CauseOfInterruption implements Serializable {
    abstract String getShortDescription()

    void print(TaskListener listener) {
        listener.getLogger().println(getShortDescription())
    }
}
