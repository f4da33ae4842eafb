package org.jenkinsci.plugins.workflow.cps

import groovy.transform.CompileStatic
import hudson.EnvVars
import hudson.model.Run
import hudson.util.StreamTaskListener
import jenkins.model.RunAction2

/**
 * Mirrors workflow-cps-plugin's plugin/src/main/java/org/jenkinsci/plugins/workflow/cps/EnvActionImpl.java:
 * the Pipeline's "env" global. Reading env.NAME gives the effective environment at that point
 * of the script (the build's environment, the enclosing node block's variables, values set
 * with env.NAME = ...); setting stores an override, saved with the build, that later steps
 * (sh) see. Created on first use and attached to the build, as in the plugin.
 */
class EnvActionImpl extends GroovyObjectSupport implements RunAction2 {
    private final Map<String, String> env
    private transient Run owner

    private EnvActionImpl() {
        this.env = new TreeMap<String, String>()
    }

    /** The build's environment plus the overrides (EnvironmentAction.getEnvironment). */
    EnvVars getEnvironment() throws IOException, InterruptedException {
        EnvVars e = owner.getEnvironment(new StreamTaskListener(new ByteArrayOutputStream()))
        e.putAll(env)
        return e
    }

    Map<String, String> getOverriddenEnvironment() {
        return Collections.unmodifiableMap(env)
    }

    @Override
    Object getProperty(String propertyName) {
        CpsFlowExecution execution = CpsFlowExecution.current()
        EnvVars effective = execution != null ? execution.getEffectiveEnvironment() : getEnvironment()
        return effective.get(propertyName)
    }

    @Override
    void setProperty(String propertyName, Object newValue) {
        env.put(propertyName, String.valueOf(newValue))
        owner.save()
    }

    String getIconFileName() { return null }

    String getDisplayName() { return null }

    String getUrlName() { return null }

    void onAttached(Run r) {
        owner = r
    }

    void onLoad(Run r) {
        owner = r
    }

    /** Restores the Groovy meta class, which is not persisted (called by the double's ObjectCodec, as XStream calls it). */
    @CompileStatic
    private Object readResolve() {
        setMetaClass(null)
        return this
    }

    /** The build's instance, created (and the build saved) on first use. */
    static EnvActionImpl forRun(Run run) throws IOException {
        synchronized (run) {
            EnvActionImpl action = run.getAction(EnvActionImpl.class)
            if (action == null) {
                action = new EnvActionImpl()
                run.addAction(action)
                run.save()
            }
            return action
        }
    }
}
