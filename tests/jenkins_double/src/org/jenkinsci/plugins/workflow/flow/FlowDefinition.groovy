package org.jenkinsci.plugins.workflow.flow

import hudson.model.Action
import hudson.model.TaskListener

/**
 * Mirrors workflow-api-plugin's src/main/java/org/jenkinsci/plugins/workflow/flow/FlowDefinition.java:
 * what a Pipeline job runs (a WorkflowJob's definition).
 */
abstract class FlowDefinition implements Serializable {
    abstract FlowExecution create(FlowExecutionOwner handle, TaskListener listener, List<? extends Action> actions) throws Exception
}
