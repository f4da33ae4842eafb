package org.jenkinsci.plugins.workflow.flow

import hudson.model.Queue
import hudson.model.TaskListener

/**
 * Mirrors workflow-api-plugin's src/main/java/org/jenkinsci/plugins/workflow/flow/FlowExecutionOwner.java:
 * the build a FlowExecution belongs to (WorkflowRun.Owner).
 */
abstract class FlowExecutionOwner implements Serializable {
    abstract FlowExecution get() throws IOException

    abstract File getRootDir() throws IOException

    abstract Queue.Executable getExecutable() throws IOException

    abstract String getUrl() throws IOException

    abstract TaskListener getListener() throws IOException

    /** Mirrors FlowExecutionOwner.Executable: an executable that has a flow (WorkflowRun). */
    static interface Executable extends Queue.Executable {
        FlowExecutionOwner asFlowExecutionOwner()
    }
}
