package org.jenkinsci.plugins.workflow.cps

import hudson.AbortException
import org.jenkinsci.plugins.workflow.support.steps.build.RunWrapper

/**
 * Mirrors workflow-cps-plugin's plugin/src/main/java/org/jenkinsci/plugins/workflow/cps/CpsScript.java:
 * the base class of a Pipeline script ("WorkflowScript"). The plugin dispatches step calls
 * through its DSL to Step implementations; the double declares the supported steps here:
 * node, stage, echo, sh, error, and println/print (which echo, as in the plugin), and the
 * globals params (ParamsVariable), env (EnvActionImpl) and currentBuild (RunWrapperBinder).
 * Any other method is a NoSuchMethodError "No such DSL method", as in the plugin (whose
 * message also lists every installed step, symbol and global).
 */
abstract class CpsScript extends Script {
    /** Set by CpsFlowExecution before the script runs. */
    transient CpsFlowExecution execution

    CpsScript() {
    }

    CpsScript(Binding binding) {
        super(binding)
    }

    /** (Script.setProperty would put "execution" in the binding instead of the field.) */
    void bindExecution(CpsFlowExecution e) {
        this.@execution = e
    }

    Object node(Closure body) {
        return execution.node(null, body)
    }

    Object node(String label, Closure body) {
        return execution.node(label, body)
    }

    Object node(Map args, Closure body) {
        return execution.node((String) args.get("label"), body)
    }

    Object stage(String name, Closure body) {
        return execution.stage(name, body)
    }

    Object stage(Map args, Closure body) {
        return execution.stage((String) args.get("name"), body)
    }

    void echo(Object message) {
        execution.echo(String.valueOf(message))
    }

    Object sh(String script) {
        return execution.sh(script, false, false)
    }

    /** sh(script: '...', returnStdout: true | returnStatus: true) */
    Object sh(Map args) {
        return execution.sh((String) args.get("script"), Boolean.TRUE.equals(args.get("returnStdout")), Boolean.TRUE.equals(args.get("returnStatus")))
    }

    /** The error step: fails the build with the message and no stack trace. */
    void error(String message) {
        execution.step("error")
        throw new AbortException(message)
    }

    @Override
    void println(Object value) {
        echo(String.valueOf(value))
    }

    @Override
    void println() {
        echo("")
    }

    @Override
    void print(Object value) {
        echo(String.valueOf(value))
    }

    /** What the plugin's DSL does with a name that is no step. */
    def methodMissing(String name, Object args) {
        throw new NoSuchMethodError("No such DSL method '" + name + "' found among steps [echo, error, node, sh, stage] or globals [currentBuild, env, params]")
    }

    /** ParamsVariable: every parameter value of the build (declared or not), then defaults of declared ones missing. */
    Map<String, Object> getParams() {
        return execution.getParams()
    }

    EnvActionImpl getEnv() {
        return EnvActionImpl.forRun(execution.getRun())
    }

    RunWrapper getCurrentBuild() {
        return new RunWrapper(execution.getRun(), true)
    }
}
