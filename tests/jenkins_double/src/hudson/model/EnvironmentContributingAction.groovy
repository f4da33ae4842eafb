package hudson.model

import hudson.EnvVars

/**
 * Mirrors core/src/main/java/hudson/model/EnvironmentContributingAction.java. Jenkins
 * gives buildEnvironment a default body; Groovy 2.4 interfaces cannot, so here an
 * implementation must define it (documented difference).
 */
interface EnvironmentContributingAction extends Action {
    void buildEnvironment(Run run, EnvVars env)
}
