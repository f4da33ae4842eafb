package org.jenkinsci.plugins.workflow.job

import hudson.AbortException
import hudson.EnvVars
import hudson.model.BuildListener
import hudson.model.Cause
import hudson.model.Executor
import hudson.model.Queue
import hudson.model.Result
import hudson.model.Run
import hudson.model.TaskListener
import hudson.model.listeners.RunListener
import hudson.util.StreamTaskListener
import java.util.concurrent.atomic.AtomicBoolean
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.CauseOfInterruption
import jenkins.model.queue.AsynchronousExecution
import jenkins.util.Timer
import org.jenkinsci.plugins.workflow.flow.FlowDefinition
import org.jenkinsci.plugins.workflow.flow.FlowExecution
import org.jenkinsci.plugins.workflow.flow.FlowExecutionOwner
import org.jenkinsci.plugins.workflow.job.properties.DisableConcurrentBuildsJobProperty
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException
import org.kohsuke.stapler.HttpResponse
import org.kohsuke.stapler.HttpResponses

/**
 * Mirrors workflow-job-plugin's src/main/java/org/jenkinsci/plugins/workflow/job/WorkflowRun.java:
 * one run of a Pipeline. run() is called on a one-off executor of the built-in node: it
 * prints the causes, fires RunListener.onInitialize and onStarted, saves, starts the flow
 * and throws AsynchronousExecution, so the one-off executor stays busy while the script
 * runs elsewhere. When the script ends, finish() sets the result (worse only), prints the
 * failure, fires onCompleted (isBuilding() false, getExecutor() still set), prints
 * "Finished: RESULT", saves, fires onFinalized, and frees the one-off executor.
 * Interrupting that executor (Executor.interrupt(Result), doStop()) interrupts the flow:
 * the running step (sh, a node block waiting in the queue) stops and the run ends with
 * that result. A run never resumes after a restart (documented difference).
 */
final class WorkflowRun extends Run<WorkflowJob, WorkflowRun> implements FlowExecutionOwner.Executable, Queue.Executable {
    private static final Logger LOGGER = Logger.getLogger(WorkflowRun.class.getName())

    /** Null until started, or after a failure to start or a hard kill. */
    transient volatile FlowExecution execution
    /** Whether the build has completed somehow. */
    volatile Boolean completed
    private transient volatile StreamTaskListener listener
    private transient boolean firstTime
    // The plugin looks the asynchronous execution up through the executor when the flow
    // ends; keeping it here also covers a flow that ends before the executor took it.
    private transient volatile AsynchronousExecution asynchronousExecution
    private final transient AtomicBoolean finished = new AtomicBoolean()

    WorkflowRun(WorkflowJob job) throws IOException {
        super(job)
        firstTime = true
    }

    WorkflowRun(WorkflowJob job, File dir) throws IOException {
        super(job, dir)
    }

    @Override
    WorkflowJob getParent() {
        return (WorkflowJob) super.getParent()
    }

    @Override
    protected Result doRun(BuildListener listener) throws Exception {
        throw new UnsupportedOperationException("a WorkflowRun runs its flow from run()")
    }

    /** Starts the flow on the one-off executor's thread, then leaves it running asynchronously. */
    @Override
    void run() {
        if (!firstTime) {
            throw new IllegalStateException(this.toString() + " was loaded from disk; the double does not resume Pipeline runs")
        }
        try {
            onStartBuilding()
            getRootDir().mkdirs()
            StreamTaskListener myListener = new StreamTaskListener(new FileOutputStream(getLogFile(), true))
            listener = myListener
            List<Cause> causes = getCauses()
            if (causes.isEmpty()) {
                myListener.getLogger().println("Started")
            }
            for (Cause cause : causes) {
                cause.print(myListener)
            }
            RunListener.fireStarted(this, myListener)
            FlowDefinition definition = getParent().getDefinition()
            if (definition == null) {
                throw new AbortException("No flow definition, cannot run")
            }
            Owner owner = new Owner(this)
            FlowExecution newExecution = definition.create(owner, myListener, getAllActions())
            save()
            synchronized (this) {
                completed = Boolean.FALSE
                execution = newExecution
                asynchronousExecution = new RunExecution(this)
            }
            newExecution.start()
            DisableConcurrentBuildsJobProperty dcb = getParent().getProperty(DisableConcurrentBuildsJobProperty.class)
            if (dcb != null && dcb.isAbortPrevious()) {
                WorkflowRun prev = getPreviousBuild()
                if (prev != null && prev.isBuilding()) {
                    Executor e = prev.getExecutor()
                    if (e != null) {
                        e.interrupt(Result.NOT_BUILT, new DisableConcurrentBuildsJobProperty.CancelledCause(this))
                    }
                }
            }
        } catch (Throwable x) {
            execution = null
            asynchronousExecution = null
            Executor executor = Executor.currentExecutor()
            if (Thread.interrupted() && executor != null) {
                Result result = executor.abortResult()
                finish(result, new FlowInterruptedException(result, true, executor.getCausesOfInterruption() as CauseOfInterruption[]))
            } else {
                finish(Result.FAILURE, x)
            }
            return
        }
        throw asynchronousExecution
    }

    FlowExecution getExecution() {
        return execution
    }

    FlowExecutionOwner asFlowExecutionOwner() {
        return new Owner(this)
    }

    @Override
    boolean hasntStartedYet() {
        return getResult() == null && execution == null
    }

    @Override
    boolean isBuilding() {
        return getResult() == null || isInProgress()
    }

    @Override
    boolean isInProgress() {
        if (Boolean.TRUE.equals(completed)) {
            return false
        }
        FlowExecution e = execution
        return e != null && !e.isComplete()
    }

    /** There is no post-production state for flows. */
    @Override
    boolean isLogUpdated() {
        return listener != null || isBuilding()
    }

    /** Only worse, but at any time (no state check, unlike Run.setResult). */
    @Override
    void setResult(Result r) {
        Result current = this.@result
        if (current == null || r.isWorseThan(current)) {
            this.@result = r
        }
    }

    /** The flow's program ended (the plugin's listener on the flow's end node). */
    void onProgramEnd(Result r, Throwable t) {
        finish(r, t)
    }

    private void finish(Result r, Throwable t) {
        if (!finished.compareAndSet(false, true)) {
            return
        }
        try {
            setResult(r)
            StreamTaskListener myListener = listener
            completed = true
            this.@duration = Math.max(0, System.currentTimeMillis() - getStartTimeInMillis())
            if (myListener == null) {
                LOGGER.log(Level.WARNING, this.toString() + " failed to start", t)
            } else {
                if (t instanceof AbortException) {
                    myListener.error(t.getMessage())
                } else if (t instanceof FlowInterruptedException) {
                    ((FlowInterruptedException) t).handle(this, myListener)
                } else if (t != null) {
                    t.printStackTrace(myListener.getLogger())
                }
                RunListener.fireCompleted(this, myListener)
                myListener.getLogger().println("Finished: " + getResult())
                myListener.close()
                listener = null
            }
            try {
                save()
            } catch (IOException x) {
                LOGGER.log(Level.WARNING, "failed to save " + this, x)
            }
            onEndBuilding()
        } finally {
            AsynchronousExecution a = asynchronousExecution
            if (a != null) {
                a.completed(null)
            }
        }
    }

    /** Aborts through the one-off executor; without one, kills the run at once. */
    @Override
    HttpResponse doStop() {
        Executor e = getOneOffExecutor()
        if (e != null) {
            return e.doStop()
        }
        doKill()
        return HttpResponses.forwardToPreviousPage()
    }

    /** Ends the run at once as ABORTED ("Hard kill!"); the double also interrupts the script. */
    void doKill() {
        FlowExecution e = execution
        if (!isBuilding() || e == null) {
            return
        }
        StreamTaskListener l = listener
        if (l != null) {
            l.getLogger().println("Hard kill!")
        }
        execution = null
        try {
            e.interrupt(Result.ABORTED)
        } catch (Exception x) {
            LOGGER.log(Level.FINE, null, x)
        }
        finish(Result.ABORTED, new FlowInterruptedException(Result.ABORTED, true))
    }

    /** Run.getEnvironment, references between variables resolved (EnvVars.resolve). */
    @Override
    EnvVars getEnvironment(TaskListener listener) throws IOException, InterruptedException {
        EnvVars env = super.getEnvironment(listener)
        EnvVars.resolve(env)
        return env
    }

    /** The build log's listener while the run is going on, else null. */
    TaskListener getListener() {
        return listener
    }

    /** Mirrors WorkflowRun.Owner: names the run by job full name and id. */
    static final class Owner extends FlowExecutionOwner {
        private final String job
        private final String id
        private transient WorkflowRun run

        Owner(WorkflowRun run) {
            this.job = run.getParent().getFullName()
            this.id = run.getId()
            this.run = run
        }

        private WorkflowRun run() throws IOException {
            if (run == null) {
                run = (WorkflowRun) Run.fromExternalizableId(job + "#" + id)
                if (run == null) {
                    throw new IOException("no such build " + job + "#" + id)
                }
            }
            return run
        }

        FlowExecution get() throws IOException {
            FlowExecution e = run().getExecution()
            if (e == null) {
                throw new IOException(run.toString() + " did not yet start")
            }
            return e
        }

        File getRootDir() throws IOException {
            return run().getRootDir()
        }

        Queue.Executable getExecutable() throws IOException {
            return run()
        }

        String getUrl() throws IOException {
            return run().getUrl()
        }

        TaskListener getListener() throws IOException {
            TaskListener l = run().getListener()
            return l != null ? l : new StreamTaskListener(new ByteArrayOutputStream())
        }

        @Override
        String toString() {
            return "Owner[" + job + "/" + id + ":" + run + "]"
        }

        @Override
        boolean equals(Object o) {
            return o instanceof Owner && job.equals(((Owner) o).job) && id.equals(((Owner) o).id)
        }

        @Override
        int hashCode() {
            return job.hashCode() ^ id.hashCode()
        }
    }

    /** What run() throws: interrupting the one-off executor interrupts the flow (on the Timer, as in the plugin). */
    private static final class RunExecution extends AsynchronousExecution {
        private final WorkflowRun run

        RunExecution(WorkflowRun run) {
            this.run = run
        }

        void interrupt(boolean forShutdown) {
            if (forShutdown) {
                return
            }
            final WorkflowRun r = run
            Timer.get().submit({
                FlowExecution fetched = r.getExecution()
                if (fetched == null) {
                    return
                }
                Executor executor = r.getExecutor()
                if (executor == null) {
                    LOGGER.log(Level.WARNING, "Lost executor for {0}", r)
                    return
                }
                try {
                    List<CauseOfInterruption> causes = executor.getCausesOfInterruption()
                    fetched.interrupt(executor.abortResult(), causes.toArray(new CauseOfInterruption[causes.size()]))
                } catch (Exception x) {
                    LOGGER.log(Level.WARNING, null, x)
                }
            } as Runnable)
        }

        boolean blocksRestart() {
            return true
        }

        boolean displayCell() {
            return true
        }
    }
}
