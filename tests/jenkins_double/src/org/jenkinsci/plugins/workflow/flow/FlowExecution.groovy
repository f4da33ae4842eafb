package org.jenkinsci.plugins.workflow.flow

import hudson.model.Result
import jenkins.model.CauseOfInterruption

/**
 * Mirrors workflow-api-plugin's src/main/java/org/jenkinsci/plugins/workflow/flow/FlowExecution.java:
 * one running Pipeline program.
 */
abstract class FlowExecution {
    abstract void start() throws IOException

    abstract FlowExecutionOwner getOwner()

    abstract boolean isComplete()

    /** Stops the running steps; the build ends with the result unless the script catches it. */
    abstract void interrupt(Result r, CauseOfInterruption... causes) throws IOException, InterruptedException

    /** Why it failed, once complete (null if it succeeded). */
    abstract Throwable getCauseOfFailure()
}
