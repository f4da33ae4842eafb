package jenkins.model

import hudson.model.Action
import hudson.model.Job
import hudson.model.ParameterDefinition
import hudson.model.ParameterValue
import hudson.model.ParametersAction
import hudson.model.ParametersDefinitionProperty
import hudson.model.Queue
import hudson.model.queue.QueueTaskFuture

/**
 * Mirrors core/src/main/java/jenkins/model/ParameterizedJobMixIn.java: its static
 * scheduleBuild2 and the ParameterizedJob marker that AbstractProject and WorkflowJob
 * implement.
 */
abstract class ParameterizedJobMixIn {
    /**
     * Schedules a build of the job (quietPeriod -1: the job's own); null if the job is
     * not a ParameterizedJob or not buildable. A parameterized job given no
     * ParametersAction gets its defaults.
     */
    static Queue.Item scheduleBuild2(Job job, int quietPeriod, Action... actions) {
        if (!(job instanceof ParameterizedJob)) {
            return null
        }
        ParameterizedJob project = (ParameterizedJob) job
        if (!project.isBuildable()) {
            return null
        }
        List<Action> queueActions = new ArrayList<Action>(Arrays.asList(actions))
        boolean hasParameters = false
        for (Action a : queueActions) {
            hasParameters |= a instanceof ParametersAction
        }
        ParametersDefinitionProperty paramDefProp = job.getProperty(ParametersDefinitionProperty.class)
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
        return Jenkins.get().getQueue().schedule2((Queue.Task) job, period, queueActions).getItem()
    }

    /**
     * Mirrors ParameterizedJobMixIn.ParameterizedJob. Jenkins gives these default bodies;
     * Groovy 2.4 interfaces cannot, so each job type defines them (documented difference).
     */
    static interface ParameterizedJob extends Queue.Task {
        int getQuietPeriod()

        boolean isParameterized()

        boolean isDisabled()

        boolean supportsMakeDisabled()

        void makeDisabled(boolean b) throws IOException

        boolean isBuildable()

        QueueTaskFuture scheduleBuild2(int quietPeriod, Action... actions)
    }
}
