package hudson.model

import hudson.model.labels.LabelAtom
import hudson.model.listeners.ItemListener
import hudson.model.queue.CauseOfBlockage
import hudson.model.queue.QueueTaskFuture
import hudson.model.queue.SubTask
import jenkins.model.BlockedBecauseOfBuildInProgress
import jenkins.model.Jenkins
import jenkins.model.ParameterizedJobMixIn
import jenkinsdouble.JobStore

/**
 * Mirrors core/src/main/java/hudson/model/AbstractProject.java (with the parts of
 * jenkins/model/ParameterizedJobMixIn.java it delegates to): a job as a queue task.
 *
 * Label rules as in Jenkins: a job created while Jenkins has no agents is tied to the
 * built-in node (getAssignedLabel() is the "built-in" self label) until
 * setAssignedLabel(null) lets it roam; setAssignedLabel(l) stores l's expression.
 */
abstract class AbstractProject<P extends AbstractProject, R extends AbstractBuild> extends Job<P, R> implements BuildableItem, TopLevelItem, ParameterizedJobMixIn.ParameterizedJob {
    protected volatile String assignedNode
    protected volatile boolean canRoam
    protected volatile boolean disabled
    protected volatile boolean concurrentBuild
    protected volatile Integer quietPeriod

    protected AbstractProject(ItemGroup parent, String name) {
        super(parent, name)
        Jenkins j = Jenkins.getInstanceOrNull()
        if (j != null && !j.getNodes().isEmpty()) {
            canRoam = true
        }
    }

    /** Writes the job's configuration (Jenkins: config.xml; the double: config.json). */
    @Override
    synchronized void save() throws IOException {
        JobStore.saveConfig(this)
        hudson.model.listeners.SaveableListener.fireOnChange(this, new hudson.XmlFile(new File(getRootDir(), "config.json")))
    }

    abstract Class<R> getBuildClass()

    boolean isConcurrentBuild() {
        return concurrentBuild
    }

    void setConcurrentBuild(boolean b) throws IOException {
        concurrentBuild = b
        save()
    }

    Label getAssignedLabel() {
        if (canRoam) {
            return null
        }
        if (assignedNode == null) {
            return Jenkins.get().getSelfLabel()
        }
        return Jenkins.get().getLabel(assignedNode)
    }

    Set<Label> getRelevantLabels() {
        Label l = getAssignedLabel()
        return l == null ? Collections.<Label>emptySet() : Collections.singleton(l)
    }

    String getAssignedLabelString() {
        if (canRoam || assignedNode == null) {
            return null
        }
        try {
            Label.parseExpression(assignedNode)
            return assignedNode
        } catch (IllegalArgumentException e) {
            return LabelAtom.escape(assignedNode)
        }
    }

    /** Saves; like Jenkins, fires no ItemListener. */
    void setAssignedLabel(Label l) throws IOException {
        if (l == null) {
            canRoam = true
            assignedNode = null
        } else {
            canRoam = false
            assignedNode = l.is(Jenkins.get().getSelfLabel()) ? null : l.getExpression()
        }
        save()
    }

    void setAssignedNode(Node l) throws IOException {
        setAssignedLabel(l.getSelfLabel())
    }

    Node getLastBuiltOn() {
        AbstractBuild b = getLastBuild()
        return b == null ? null : b.getBuiltOn()
    }

    int getQuietPeriod() {
        return quietPeriod != null ? quietPeriod : Jenkins.get().getQuietPeriod()
    }

    void setQuietPeriod(Integer seconds) throws IOException {
        this.quietPeriod = seconds
        save()
    }

    boolean getHasCustomQuietPeriod() {
        return quietPeriod != null
    }

    boolean isDisabled() {
        return disabled
    }

    void setDisabled(boolean disabled) {
        this.disabled = disabled
    }

    boolean supportsMakeDisabled() {
        return true
    }

    void disable() throws IOException {
        makeDisabled(true)
    }

    void enable() throws IOException {
        makeDisabled(false)
    }

    /** Disabling cancels the job's queue items; both directions save and fire onUpdated. */
    void makeDisabled(boolean b) throws IOException {
        if (isDisabled() == b) {
            return
        }
        setDisabled(b)
        if (b) {
            Jenkins.get().getQueue().cancel(this)
        }
        save()
        ItemListener.fireOnUpdated(this)
    }

    boolean isBuildable() {
        return !isDisabled()
    }

    boolean isParameterized() {
        return getProperty(ParametersDefinitionProperty.class) != null
    }

    // ---- scheduling (ParameterizedJobMixIn) ---------------------------------------------

    boolean scheduleBuild() {
        return scheduleBuild(getQuietPeriod(), new Cause.LegacyCodeCause())
    }

    boolean scheduleBuild(Cause c) {
        return scheduleBuild(getQuietPeriod(), c)
    }

    boolean scheduleBuild(int quietPeriod) {
        return scheduleBuild(quietPeriod, new Cause.LegacyCodeCause())
    }

    boolean scheduleBuild(int quietPeriod, Cause c) {
        return scheduleBuild2(quietPeriod, c != null ? [new CauseAction(c)] as Action[] : new Action[0]) != null
    }

    boolean scheduleBuild(int quietPeriod, Cause c, Action... actions) {
        return scheduleBuild2(quietPeriod, c, actions) != null
    }

    QueueTaskFuture<R> scheduleBuild2(int quietPeriod) {
        return scheduleBuild2(quietPeriod, new Cause.LegacyCodeCause())
    }

    QueueTaskFuture<R> scheduleBuild2(int quietPeriod, Cause c) {
        return scheduleBuild2(quietPeriod, c, new Action[0])
    }

    QueueTaskFuture<R> scheduleBuild2(int quietPeriod, Cause c, Action... actions) {
        return scheduleBuild2(quietPeriod, c, Arrays.asList(actions))
    }

    QueueTaskFuture<R> scheduleBuild2(int quietPeriod, Cause c, Collection<? extends Action> actions) {
        List<Action> queueActions = new ArrayList<Action>(actions)
        if (c != null) {
            queueActions.add(new CauseAction(c))
        }
        return scheduleBuild2(quietPeriod, queueActions.toArray(new Action[queueActions.size()]))
    }

    /**
     * Null when the job is not buildable. A parameterized job given no ParametersAction
     * gets one with its default values.
     */
    QueueTaskFuture<R> scheduleBuild2(int quietPeriod, Action... actions) {
        Queue.Item i = ParameterizedJobMixIn.scheduleBuild2(this, quietPeriod, actions)
        return i != null ? (QueueTaskFuture<R>) i.getFuture() : null
    }

    @Override
    boolean isInQueue() {
        return Jenkins.get().getQueue().contains(this)
    }

    @Override
    Queue.Item getQueueItem() {
        return Jenkins.get().getQueue().getItem(this)
    }

    // ---- Queue.Task -----------------------------------------------------------------------

    /** A non-concurrent job is blocked while its last build has not finished. */
    CauseOfBlockage getCauseOfBlockage() {
        if (!isConcurrentBuild() && isLogUpdated()) {
            R lastBuild = getLastBuild()
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

    Collection<? extends SubTask> getSubTasks() {
        return Collections.singleton(this)
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

    /** A new build with the next number, added to the job (Jenkins: LazyBuildMixIn.newBuild). */
    R createExecutable() throws IOException {
        if (isDisabled()) {
            return null
        }
        R build = getBuildClass().getConstructor(getClass()).newInstance(this)
        addRun(build)
        return build
    }

    /** Cancels queue items and aborts running builds before deleting (ItemDeletion + performDelete). */
    @Override
    protected void performDelete() throws IOException, InterruptedException {
        setDisabled(true)
        Queue queue = Jenkins.get().getQueue()
        while (queue.cancel(this)) {
            // one item per call, as in Jenkins
        }
        long deadline = System.currentTimeMillis() + 15000
        for (R build : getBuilds()) {
            Executor e = build.getExecutor()
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
