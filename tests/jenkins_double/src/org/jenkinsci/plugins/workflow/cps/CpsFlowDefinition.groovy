package org.jenkinsci.plugins.workflow.cps

import hudson.model.Action
import hudson.model.TaskListener
import org.jenkinsci.plugins.workflow.flow.FlowDefinition
import org.jenkinsci.plugins.workflow.flow.FlowExecution
import org.jenkinsci.plugins.workflow.flow.FlowExecutionOwner

/**
 * Mirrors workflow-cps-plugin's
 * plugin/src/main/java/org/jenkinsci/plugins/workflow/cps/CpsFlowDefinition.java: a Pipeline
 * script given inline. The sandbox flag is kept but not enforced: the double runs every
 * script with full access (documented difference).
 */
class CpsFlowDefinition extends FlowDefinition {
    private final String script
    private final boolean sandbox

    CpsFlowDefinition(String script, boolean sandbox) {
        this.script = script
        this.sandbox = sandbox
    }

    @Deprecated
    CpsFlowDefinition(String script) {
        this(script, false)
    }

    String getScript() {
        return script
    }

    boolean isSandbox() {
        return sandbox
    }

    @Override
    CpsFlowExecution create(FlowExecutionOwner owner, TaskListener listener, List<? extends Action> actions) throws IOException {
        return new CpsFlowExecution(script, sandbox, owner)
    }
}
