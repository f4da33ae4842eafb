package hudson.model

import hudson.EnvVars
import hudson.model.listeners.RunListener
import hudson.util.StreamTaskListener
import java.nio.charset.StandardCharsets
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins
import jenkins.model.RunAction2
import jenkinsdouble.BuildStore
import org.kohsuke.stapler.HttpResponse
import org.kohsuke.stapler.HttpResponses

/**
 * Mirrors core/src/main/java/hudson/model/Run.java: one build of a job and its life:
 * NOT_STARTED -> BUILDING -> POST_PRODUCTION -> COMPLETED. Listeners fire where Jenkins
 * fires them: onStarted on the executor thread before the steps, onCompleted once the
 * result is set (isBuilding() false, the executor still busy), onFinalized at the end.
 * A run is saved when it completes or when something like setDescription saves it; one
 * never saved does not come back after a restart, one saved while running comes back
 * ABORTED (Run.reload's default), as in Jenkins.
 */
abstract class Run<JobT extends Job, RunT extends Run> extends Actionable implements Comparable<RunT>, Saveable {
    private static final Logger LOGGER = Logger.getLogger(Run.class.getName())

    enum State { NOT_STARTED, BUILDING, POST_PRODUCTION, COMPLETED }

    protected final transient JobT project
    protected int number
    protected long queueId = -1
    protected long timestamp
    protected long startTime
    protected volatile Result result
    protected volatile String description
    protected volatile String displayName
    protected long duration
    protected transient volatile State state

    /** A new build: takes the job's next number. */
    protected Run(JobT job) throws IOException {
        this.project = job
        this.timestamp = System.currentTimeMillis()
        this.state = State.NOT_STARTED
        this.number = job.assignBuildNumber()
    }

    /** A build read back from disk (BuildStore fills the fields). */
    protected Run(JobT job, File buildDir) throws IOException {
        this.project = job
        this.number = Integer.parseInt(buildDir.getName())
        this.state = State.COMPLETED
        this.result = Result.ABORTED
    }

    @Override
    void addAction(Action a) {
        super.addAction(a)
        if (a instanceof RunAction2) {
            ((RunAction2) a).onAttached(this)
        }
    }

    /** After loading: RunAction2.onLoad for each action. */
    protected void onLoad() {
        for (Action a : getActions()) {
            if (a instanceof RunAction2) {
                try {
                    ((RunAction2) a).onLoad(this)
                } catch (RuntimeException x) {
                    LOGGER.log(Level.WARNING, "failed to load " + a + " of " + this, x)
                    removeAction(a)
                }
            }
        }
    }

    int compareTo(RunT that) {
        return Integer.compare(this.number, that.number)
    }

    Result getResult() {
        return result
    }

    /** The result can only get worse, and only while building. */
    void setResult(Result r) {
        if (state != State.BUILDING) {
            throw new IllegalStateException("cannot change build result while in " + state)
        }
        if (result == null || r.isWorseThan(result)) {
            result = r
        }
    }

    boolean isBuilding() {
        return state.compareTo(State.POST_PRODUCTION) < 0
    }

    boolean isInProgress() {
        return state == State.BUILDING || state == State.POST_PRODUCTION
    }

    boolean isLogUpdated() {
        return state.compareTo(State.COMPLETED) < 0
    }

    boolean hasntStartedYet() {
        return state == State.NOT_STARTED
    }

    Executor getExecutor() {
        return this instanceof Queue.Executable ? Executor.of((Queue.Executable) this) : null
    }

    /** The one-off executor running this build (a flyweight task's, such as a Pipeline run), if any. */
    Executor getOneOffExecutor() {
        for (Computer c : Jenkins.get().getComputers()) {
            for (Executor e : c.getOneOffExecutors()) {
                if (e.getCurrentExecutable().is(this)) {
                    return e
                }
            }
        }
        return null
    }

    List<Cause> getCauses() {
        CauseAction a = getAction(CauseAction.class)
        return a == null ? Collections.<Cause>emptyList() : Collections.unmodifiableList(a.getCauses())
    }

    public <T extends Cause> T getCause(Class<T> type) {
        for (Cause c : getCauses()) {
            if (type.isInstance(c)) {
                return type.cast(c)
            }
        }
        return null
    }

    int getNumber() {
        return number
    }

    String getId() {
        return Integer.toString(number)
    }

    long getQueueId() {
        return queueId
    }

    void setQueueId(long queueId) {
        this.queueId = queueId
    }

    JobT getParent() {
        return project
    }

    Calendar getTimestamp() {
        GregorianCalendar c = new GregorianCalendar()
        c.setTimeInMillis(timestamp)
        return c
    }

    Date getTime() {
        return new Date(timestamp)
    }

    long getTimeInMillis() {
        return timestamp
    }

    long getStartTimeInMillis() {
        return startTime == 0 ? timestamp : startTime
    }

    String getDescription() {
        return description
    }

    /** Sets and saves, even while the build runs. */
    void setDescription(String description) throws IOException {
        this.description = description
        save()
    }

    String getDisplayName() {
        return displayName != null ? displayName : "#" + number
    }

    void setDisplayName(String value) throws IOException {
        this.displayName = value
        save()
    }

    String getFullDisplayName() {
        return project.getFullDisplayName() + ' ' + getDisplayName()
    }

    /** 0 until the build is over. */
    long getDuration() {
        return duration
    }

    String getDurationString() {
        return isBuilding() ? (System.currentTimeMillis() - startTime) + " ms and counting" : duration + " ms"
    }

    long getEstimatedDuration() {
        return project.getEstimatedDuration()
    }

    String getUrl() {
        return project.getUrl() + getNumber() + '/'
    }

    String getExternalizableId() {
        return project.getFullName() + "#" + getNumber()
    }

    /** The build named by getExternalizableId() ("folder/job#N"), or null. */
    static Run fromExternalizableId(String id) {
        int hash = id.lastIndexOf('#')
        if (hash <= 0) {
            throw new IllegalArgumentException("Invalid id")
        }
        String jobName = id.substring(0, hash)
        int number
        try {
            number = Integer.parseInt(id.substring(hash + 1))
        } catch (NumberFormatException x) {
            throw new IllegalArgumentException(x)
        }
        Jenkins j = Jenkins.getInstanceOrNull()
        Job job = j == null ? null : j.getItemByFullName(jobName, Job.class)
        return job == null ? null : job.getBuildByNumber(number)
    }

    File getRootDir() {
        return new File(project.getBuildDir(), Integer.toString(number))
    }

    File getLogFile() {
        return new File(getRootDir(), "log")
    }

    @Deprecated
    String getLog() throws IOException {
        File f = getLogFile()
        return f.exists() ? f.getText(StandardCharsets.UTF_8.name()) : ""
    }

    List<String> getLog(int maxLines) throws IOException {
        List<String> lines = getLog().readLines()
        if (lines.size() > maxLines) {
            List<String> tail = new ArrayList<String>(lines.subList(lines.size() - maxLines, lines.size()))
            tail.set(0, "[...truncated...]")
            return tail
        }
        return lines
    }

    RunT getPreviousBuild() {
        Map.Entry<Integer, RunT> e = project.runs.higherEntry(number)
        return e == null ? null : e.getValue()
    }

    RunT getNextBuild() {
        Map.Entry<Integer, RunT> e = project.runs.lowerEntry(number)
        return e == null ? null : e.getValue()
    }

    HttpResponse doStop() {
        Executor e = getExecutor()
        if (e != null) {
            return e.doStop()
        }
        return HttpResponses.forwardToPreviousPage()
    }

    /** Deletes the record; not while running. */
    void delete() throws IOException {
        if (isLogUpdated()) {
            throw new IOException("Unable to delete " + this + " because it is still running")
        }
        getRootDir().deleteDir()
        project.removeRun((RunT) this)
        RunListener.fireDeleted(this)
    }

    synchronized void save() throws IOException {
        BuildStore.save(this)
        hudson.model.listeners.SaveableListener.fireOnChange(this, new hudson.XmlFile(new File(getRootDir(), "build.json")))
    }

    State getState() {
        return state
    }

    EnvVars getCharacteristicEnvVars() {
        EnvVars env = project.getCharacteristicEnvVars()
        env.put("BUILD_NUMBER", String.valueOf(number))
        env.put("BUILD_ID", getId())
        env.put("BUILD_TAG", "jenkins-" + project.getFullName().replace('/', '-') + "-" + number)
        return env
    }

    /**
     * Run.getEnvironment plus CoreEnvironmentContributor: BUILD_URL only when the root URL
     * is known. A build that is not an AbstractBuild (a Pipeline run) also takes its
     * EnvironmentContributingActions here, so its parameters are in its environment.
     */
    EnvVars getEnvironment(TaskListener listener) throws IOException, InterruptedException {
        Computer c = Computer.currentComputer()
        Node n = c == null ? null : c.getNode()
        // Job.getEnvironment starts from the current computer's environment (the double's own
        // process environment stands in for every agent's); off an executor there is none.
        EnvVars env = n != null && n.toComputer() != null ? new EnvVars(EnvVars.masterEnvVars) : new EnvVars()
        env.putAll(project.getEnvironment(n, listener))
        env.put("CLASSPATH", "")
        env.putAll(getCharacteristicEnvVars())
        env.put("BUILD_DISPLAY_NAME", getDisplayName())
        String rootUrl = Jenkins.get().getRootUrl()
        if (rootUrl != null) {
            env.put("BUILD_URL", rootUrl + getUrl())
        }
        if (!(this instanceof AbstractBuild)) {
            for (EnvironmentContributingAction a : getActions(EnvironmentContributingAction.class)) {
                a.buildEnvironment(this, env)
            }
        }
        return env
    }

    /** The build starts: BUILDING, start time, RunListener.onInitialize (for runs that drive themselves, like WorkflowRun). */
    protected void onStartBuilding() {
        state = State.BUILDING
        startTime = System.currentTimeMillis()
        RunListener.fireInitialize(this)
    }

    /** The build is over: COMPLETED (FAILURE if no result was set), RunListener.onFinalized. */
    protected void onEndBuilding() {
        state = State.COMPLETED
        if (result == null) {
            result = Result.FAILURE
            LOGGER.log(Level.WARNING, "{0}: No build result is set, so marking as failure. This should not happen.", this)
        }
        RunListener.fireFinalized(this)
    }

    /** The work of the build, run by execute() (Jenkins: Run.RunExecution). */
    protected abstract Result doRun(BuildListener listener) throws Exception

    /** Runs the build on the current (executor) thread, firing the listeners. */
    protected final void execute() {
        if (result != null) {
            return
        }
        state = State.BUILDING
        startTime = System.currentTimeMillis()
        RunListener.fireInitialize(this)
        StreamTaskListener listener = null
        try {
            try {
                getRootDir().mkdirs()
                listener = new StreamTaskListener(new FileOutputStream(getLogFile(), true))
                for (Cause cause : getCauses()) {
                    cause.print(listener)
                }
                listener.getLogger().println("Running as SYSTEM")
                RunListener.fireStarted(this, listener)
                setResult(doRun(listener))
            } catch (InterruptedException e) {
                result = Executor.currentExecutor().abortResult()
                listener.getLogger().println("Build was aborted")
                LOGGER.log(Level.INFO, this.toString() + " aborted")
            } catch (Throwable e) {
                if (listener != null) {
                    e.printStackTrace(listener.fatalError(e.toString()))
                }
                LOGGER.log(Level.WARNING, this.toString() + " failed", e)
                result = Result.FAILURE
            } finally {
                duration = Math.max(System.currentTimeMillis() - startTime, 0)
                state = State.POST_PRODUCTION
                if (result == null) {
                    result = Result.FAILURE
                }
                if (listener != null) {
                    RunListener.fireCompleted(this, listener)
                    listener.getLogger().println("Finished: " + result)
                    listener.close()
                }
                try {
                    save()
                } catch (IOException e) {
                    LOGGER.log(Level.SEVERE, "Failed to save build record", e)
                }
            }
        } finally {
            state = State.COMPLETED
            RunListener.fireFinalized(this)
        }
    }

    @Override
    String toString() {
        return project.getFullName() + " #" + number
    }
}
