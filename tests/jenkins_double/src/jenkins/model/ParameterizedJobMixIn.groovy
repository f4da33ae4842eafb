package jenkins.model

import hudson.model.AbstractProject
import hudson.model.Action
import hudson.model.Job
import hudson.model.ParameterDefinition
import hudson.model.ParameterValue
import hudson.model.ParametersAction
import hudson.model.ParametersDefinitionProperty
import hudson.model.Queue

/** Mirrors core/src/main/java/jenkins/model/ParameterizedJobMixIn.java, only its static scheduleBuild2. */
abstract class ParameterizedJobMixIn {
    /**
     * Schedules a build of the job (quietPeriod -1: the job's own); null if the job is
     * not buildable. A parameterized job given no ParametersAction gets its defaults.
     */
    static Queue.Item scheduleBuild2(Job job, int quietPeriod, Action... actions) {
        if (!(job instanceof AbstractProject)) {
            return null
        }
        AbstractProject project = (AbstractProject) job
        if (!project.isBuildable()) {
            return null
        }
        List<Action> queueActions = new ArrayList<Action>(Arrays.asList(actions))
        boolean hasParameters = false
        for (Action a : queueActions) {
            hasParameters |= a instanceof ParametersAction
        }
        ParametersDefinitionProperty paramDefProp = project.getProperty(ParametersDefinitionProperty.class)
        if (paramDefProp != null && !hasParameters) {
            List<ParameterValue> defValues = new ArrayList<ParameterValue>()
            for (ParameterDefinition d : paramDefProp.getParameterDefinitions()) {
                ParameterValue v = d.getDefaultParameterValue()
                if (v != null) {
                    defValues.add(v)
                }
            }
            queueActions.add(new ParametersAction(defValues))
        }
        int period = quietPeriod == -1 ? project.getQuietPeriod() : quietPeriod
        return Jenkins.get().getQueue().schedule2(project, period, queueActions).getItem()
    }
}
