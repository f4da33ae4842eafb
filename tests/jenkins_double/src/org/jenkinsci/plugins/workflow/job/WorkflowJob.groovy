package org.jenkinsci.plugins.workflow.job

import hudson.model.Action
import hudson.model.Cause
import hudson.model.CauseAction
import hudson.model.Executor
import hudson.model.ItemGroup
import hudson.model.Label
import hudson.model.Node
import hudson.model.ParametersDefinitionProperty
import hudson.model.Queue
import hudson.model.Result
import hudson.model.TopLevelItem
import hudson.model.listeners.ItemListener
import hudson.model.listeners.SaveableListener
import hudson.model.queue.CauseOfBlockage
import hudson.model.queue.QueueTaskFuture
import hudson.model.queue.SubTask
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.BlockedBecauseOfBuildInProgress
import jenkins.model.Jenkins
import jenkins.model.ParameterizedJobMixIn
import jenkinsdouble.JobStore
import org.jenkinsci.plugins.workflow.flow.FlowDefinition
import org.jenkinsci.plugins.workflow.job.properties.DisableConcurrentBuildsJobProperty
import org.kohsuke.stapler.HttpRedirect
import org.kohsuke.stapler.HttpResponse

/**
 * Mirrors workflow-job-plugin's src/main/java/org/jenkinsci/plugins/workflow/job/WorkflowJob.java
 * (with ParameterizedJobMixIn.ParameterizedJob's defaults): a Pipeline job. It is a
 * Queue.FlyweightTask whose label is the built-in node's self label, so its runs take a
 * one-off executor on the built-in node (whatever its executor count) and only the
 * script's node blocks use agents' executors. Runs overlap unless a
 * DisableConcurrentBuildsJobProperty is present (setConcurrentBuild adds or removes it).
 * Like the plugin, it has no disable()/enable() methods: makeDisabled(boolean), or the web
 * actions doDisable()/doEnable().
 */
final class WorkflowJob extends hudson.model.Job<WorkflowJob, WorkflowRun> implements TopLevelItem, Queue.FlyweightTask, ParameterizedJobMixIn.ParameterizedJob {
    private static final Logger LOGGER = Logger.getLogger(WorkflowJob.class.getName())

    private FlowDefinition definition
    private volatile Integer quietPeriod
    private volatile boolean disabled

    WorkflowJob(ItemGroup parent, String name) {
        super(parent, name)
    }

    FlowDefinition getDefinition() {
        return definition
    }

    /** Sets and saves (a failure to save is only logged, as in the plugin). */
    void setDefinition(FlowDefinition definition) {
        this.definition = definition
        try {
            save()
        } catch (IOException x) {
            LOGGER.log(Level.WARNING, "could not save " + this, x)
        }
    }

    @Override
    synchronized void save() throws IOException {
        JobStore.saveConfig(this)
        SaveableListener.fireOnChange(this, new hudson.XmlFile(new File(getRootDir(), "config.json")))
    }

    // ---- disabling (ParameterizedJob) ------------------------------------------------------

    boolean isDisabled() {
        return disabled
    }

    void setDisabled(boolean disabled) {
        this.disabled = disabled
    }

    boolean supportsMakeDisabled() {
        return true
    }

    /** Disabling cancels the job's queue item; both directions save and fire onUpdated. */
    void makeDisabled(boolean b) throws IOException {
        if (isDisabled() == b) {
            return
        }
        if (b && !supportsMakeDisabled()) {
            return
        }
        setDisabled(b)
        if (b) {
            Jenkins.get().getQueue().cancel(this)
        }
        save()
        ItemListener.fireOnUpdated(this)
    }

    HttpResponse doDisable() throws IOException {
        makeDisabled(true)
        return new HttpRedirect(".")
    }

    HttpResponse doEnable() throws IOException {
        makeDisabled(false)
        return new HttpRedirect(".")
    }

    /** Jenkins 2.479's ParameterizedJob.isBuildable: not disabled. */
    boolean isBuildable() {
        return !isDisabled()
    }

    boolean isParameterized() {
        return getProperty(ParametersDefinitionProperty.class) != null
    }

    // ---- scheduling ------------------------------------------------------------------------

    int getQuietPeriod() {
        return quietPeriod != null ? quietPeriod : Jenkins.get().getQuietPeriod()
    }

    boolean getHasCustomQuietPeriod() {
        return quietPeriod != null
    }

    void setQuietPeriod(Integer seconds) throws IOException {
        this.quietPeriod = seconds
        save()
    }

    /** Null when the job is not buildable; a parameterized job given no ParametersAction gets its defaults. */
    QueueTaskFuture<WorkflowRun> scheduleBuild2(int quietPeriod, Action... actions) {
        Queue.Item i = ParameterizedJobMixIn.scheduleBuild2(this, quietPeriod, actions)
        return i != null ? (QueueTaskFuture<WorkflowRun>) i.getFuture() : null
    }

    boolean scheduleBuild(Cause c) {
        return scheduleBuild(getQuietPeriod(), c)
    }

    boolean scheduleBuild(int quietPeriod, Cause c) {
        return scheduleBuild2(quietPeriod, c != null ? [new CauseAction(c)] as Action[] : new Action[0]) != null
    }

    @Override
    boolean isInQueue() {
        return Jenkins.get().getQueue().contains(this)
    }

    @Override
    Queue.Item getQueueItem() {
        return Jenkins.get().getQueue().getItem(this)
    }

    // ---- Queue.Task ------------------------------------------------------------------------

    /** A non-concurrent job waits while its last run is not over. */
    CauseOfBlockage getCauseOfBlockage() {
        if (!isConcurrentBuild() && isLogUpdated()) {
            WorkflowRun lastBuild = getLastBuild()
            if (lastBuild != null) {
                return new BlockedBecauseOfBuildInProgress(lastBuild)
            }
        }
        return null
    }

    boolean isBuildBlocked() {
        return getCauseOfBlockage() != null
    }

    String getWhyBlocked() {
        CauseOfBlockage cb = getCauseOfBlockage()
        return cb != null ? cb.getShortDescription() : null
    }

    /** True unless a DisableConcurrentBuildsJobProperty says otherwise (abortPrevious: true, the old run is aborted instead). */
    boolean isConcurrentBuild() {
        DisableConcurrentBuildsJobProperty p = getProperty(DisableConcurrentBuildsJobProperty.class)
        return p == null || p.isAbortPrevious()
    }

    /** Adds or removes a DisableConcurrentBuildsJobProperty. */
    void setConcurrentBuild(boolean b) throws IOException {
        boolean propertyExists = getProperty(DisableConcurrentBuildsJobProperty.class) != null
        if (propertyExists == b) {
            removeProperty(DisableConcurrentBuildsJobProperty.class)
            if (!b) {
                addProperty(new DisableConcurrentBuildsJobProperty())
            }
        }
    }

    Collection<? extends SubTask> getSubTasks() {
        return Collections.singleton(this)
    }

    /** The built-in node's self label: the run itself always happens on the controller. */
    Label getAssignedLabel() {
        Jenkins j = Jenkins.getInstanceOrNull()
        return j == null ? null : j.getSelfLabel()
    }

    Node getLastBuiltOn() {
        return Jenkins.getInstanceOrNull()
    }

    String getAffinityKey() {
        return getFullName()
    }

    Queue.Task getOwnerTask() {
        return this
    }

    void checkAbortPermission() {
    }

    boolean hasAbortPermission() {
        return true
    }

    /** A new run with the next number, added to the job; null while disabled. */
    WorkflowRun createExecutable() throws IOException {
        if (isDisabled()) {
            return null
        }
        WorkflowRun run = new WorkflowRun(this)
        addRun(run)
        return run
    }

    /** Disables, cancels the queue item, aborts running runs (ItemDeletion), then deletes the files. */
    @Override
    protected void performDelete() throws IOException, InterruptedException {
        setDisabled(true)
        Jenkins.get().getQueue().cancel(this)
        long deadline = System.currentTimeMillis() + 15000
        for (WorkflowRun run : getBuilds()) {
            Executor e = run.getExecutor()
            if (e != null) {
                e.interrupt(Result.ABORTED)
            }
        }
        while (isBuilding() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50)
        }
        super.performDelete()
    }
}
