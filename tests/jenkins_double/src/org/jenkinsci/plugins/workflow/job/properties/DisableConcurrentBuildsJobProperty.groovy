package org.jenkinsci.plugins.workflow.job.properties

import hudson.model.Run
import hudson.model.TaskListener
import jenkins.model.CauseOfInterruption
import jenkins.model.OptionalJobProperty
import org.jenkinsci.plugins.workflow.job.WorkflowJob

/**
 * Mirrors workflow-job-plugin's
 * src/main/java/org/jenkinsci/plugins/workflow/job/properties/DisableConcurrentBuildsJobProperty.java:
 * while present, a Pipeline's runs do not overlap (WorkflowJob.isConcurrentBuild() is
 * false and a queued run waits blocked); with abortPrevious, a new run starts at once and
 * aborts the previous one (result NOT_BUILT, cause "Superseded by #N").
 */
class DisableConcurrentBuildsJobProperty extends OptionalJobProperty<WorkflowJob> {
    private boolean abortPrevious

    DisableConcurrentBuildsJobProperty() {
    }

    boolean isAbortPrevious() {
        return abortPrevious
    }

    void setAbortPrevious(boolean abortPrevious) {
        this.abortPrevious = abortPrevious
    }

    /** Records that a build was cancelled because of abortPrevious. */
    static final class CancelledCause extends CauseOfInterruption {
        private final String newerBuild
        private final String displayName

        CancelledCause(Run newerBuild) {
            this.newerBuild = newerBuild.getExternalizableId()
            this.displayName = newerBuild.getDisplayName()
        }

        Run getNewerBuild() {
            return newerBuild != null ? Run.fromExternalizableId(newerBuild) : null
        }

        @Override
        String getShortDescription() {
            return "Superseded by " + displayName
        }

        @Override
        void print(TaskListener listener) {
            Run b = getNewerBuild()
            listener.getLogger().println("Superseded by " + (b != null ? b.getFullDisplayName() : displayName))
        }
    }
}
