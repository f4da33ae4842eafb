package org.jenkinsci.plugins.workflow.steps

import hudson.AbortException
import hudson.model.Result
import hudson.model.Run
import hudson.model.TaskListener
import jenkins.model.CauseOfInterruption

/**
 * Mirrors workflow-step-api-plugin's
 * src/main/java/org/jenkinsci/plugins/workflow/steps/FlowInterruptedException.java: a
 * Pipeline step was interrupted (the build aborted, a queue item cancelled); the build
 * ends with getResult(). handle() prints the causes, as a run does at its end. Jenkins
 * records the causes printed in an InterruptedBuildAction; the double does not.
 */
final class FlowInterruptedException extends InterruptedException {
    private final Result result
    private final List<CauseOfInterruption> causes
    private boolean actualInterruption = true

    @Deprecated
    FlowInterruptedException(Result result, CauseOfInterruption... causes) {
        this(result, true, causes)
    }

    FlowInterruptedException(Result result, boolean actualInterruption, CauseOfInterruption... causes) {
        this.result = result
        this.causes = Arrays.asList(causes)
        this.actualInterruption = actualInterruption
    }

    Result getResult() {
        return result
    }

    List<CauseOfInterruption> getCauses() {
        return causes
    }

    boolean isActualInterruption() {
        return actualInterruption
    }

    void setActualInterruption(boolean actualInterruption) {
        this.actualInterruption = actualInterruption
    }

    @Override
    String getMessage() {
        List<String> texts = new ArrayList<String>()
        for (CauseOfInterruption c : causes) {
            texts.add(c.getShortDescription())
        }
        return String.join(", ", texts)
    }

    /** Prints the causes (and a nested cause), as a build that catches this reports it. */
    void handle(Run run, TaskListener listener) {
        for (CauseOfInterruption cause : new LinkedHashSet<CauseOfInterruption>(causes)) {
            cause.print(listener)
        }
        Throwable t = getCause()
        if (t instanceof AbortException) {
            listener.getLogger().println(t.getMessage())
        } else if (t instanceof FlowInterruptedException) {
            ((FlowInterruptedException) t).handle(run, listener)
        } else if (t != null) {
            t.printStackTrace(listener.getLogger())
        }
    }
}
