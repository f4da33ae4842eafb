package org.jenkinsci.plugins.workflow.support.steps

import hudson.EnvVars
import hudson.model.Computer
import hudson.model.Executor
import hudson.model.Job
import hudson.model.Label
import hudson.model.Node
import hudson.model.Queue
import hudson.model.Result
import hudson.model.Run
import hudson.model.TaskListener
import hudson.model.TopLevelItem
import hudson.model.queue.CauseOfBlockage
import hudson.model.queue.SubTask
import hudson.slaves.WorkspaceList
import hudson.util.ProcessTree
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.CauseOfInterruption
import jenkins.model.Jenkins
import jenkins.model.queue.AsynchronousExecution
import jenkins.util.Timer
import org.jenkinsci.plugins.durabletask.executors.ContinuableExecutable
import org.jenkinsci.plugins.durabletask.executors.ContinuedTask
import org.jenkinsci.plugins.workflow.cps.CpsFlowExecution
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException

/**
 * Mirrors workflow-durable-task-step-plugin's
 * src/main/java/org/jenkinsci/plugins/workflow/support/steps/ExecutorStepExecution.java: one
 * node(label) { } block. It schedules a PlaceholderTask (label: the block's) into the
 * Jenkins queue, where it goes through the same rules as any item (label, exclusive nodes,
 * QueueTaskDispatcher, quiet-down, QueueListener events); when an executor takes it, the
 * PlaceholderExecutable allocates the node's workspace for the job, sets NODE_NAME,
 * NODE_LABELS, EXECUTOR_NUMBER, WORKSPACE, WORKSPACE_TMP and JENKINS_NODE_COOKIE, and throws
 * AsynchronousExecution, keeping the executor busy while the body runs on the script's
 * thread. When the body ends the workspace is released, the executor freed, and leftover
 * processes carrying the cookie killed. Interrupting that executor cancels the body
 * (FlowInterruptedException ABORTED). A queue item cancelled by someone else fails the step
 * with "Queue task was cancelled", as the plugin's CancelledItemListener does; the double
 * notices it by watching the item's future, so no QueueListener is registered for it.
 */
class ExecutorStepExecution {
    private static final Logger LOGGER = Logger.getLogger(ExecutorStepExecution.class.getName())
    private static final String COOKIE_VAR = "JENKINS_NODE_COOKIE"
    private static final long STILL_WAITING_MS = 15000L

    private final CpsFlowExecution execution
    private final String label
    /** Stages enclosing the node step, outermost first. */
    private final List<String> enclosingStages
    private volatile PlaceholderTask task

    ExecutorStepExecution(CpsFlowExecution execution, String label, List<String> enclosingStages) {
        this.execution = execution
        this.label = label
        this.enclosingStages = enclosingStages
    }

    CpsFlowExecution getExecution() {
        return execution
    }

    Run getRun() {
        return execution.getRun()
    }

    TaskListener getListener() {
        return execution.getListener()
    }

    /** The running block's variables (NODE_NAME...), or an empty set before it runs. */
    EnvVars getEnvironment() {
        RunningTask rt = task?.running
        return rt != null ? rt.env : new EnvVars()
    }

    /** The running block's workspace. */
    File getWorkspace() {
        RunningTask rt = task?.running
        return rt != null ? rt.lease.path : null
    }

    /** Runs the block on the script's thread: queue, wait for the executor, body, release. */
    Object run(Closure body) throws Exception {
        PlaceholderTask t = new PlaceholderTask(this, label)
        task = t
        Queue.WaitingItem waitingItem = Queue.getInstance().schedule2(t, 0).getCreateItem()
        if (waitingItem == null) {
            throw new IllegalStateException("failed to schedule task")
        }
        RunningTask rt = awaitStart(t, waitingItem)
        execution.enterNode(this)
        try {
            getListener().getLogger().println("[Pipeline] {")
            FlowInterruptedException cancelled
            synchronized (rt) {
                rt.entered = true
                cancelled = rt.cancelled
            }
            if (cancelled != null) {
                throw cancelled
            }
            return body.call()
        } finally {
            execution.exitNode(this)
            getListener().getLogger().println("[Pipeline] }")
            finish(t, rt)
            getListener().getLogger().println("[Pipeline] // node")
        }
    }

    private RunningTask awaitStart(PlaceholderTask t, Queue.WaitingItem item) throws Exception {
        long stillWaitingAt = System.currentTimeMillis() + STILL_WAITING_MS
        while (true) {
            try {
                return t.started.get(100, TimeUnit.MILLISECONDS)
            } catch (TimeoutException x) {
                if (item.getFuture().isCancelled() && !t.stopping) {
                    throw new FlowInterruptedException(Result.ABORTED, true, new QueueTaskCancelled())
                }
                if (stillWaitingAt > 0 && System.currentTimeMillis() > stillWaitingAt) {
                    stillWaitingAt = 0
                    Queue.Item queued = Queue.getInstance().getItem(t)
                    if (queued != null) {
                        getListener().getLogger().println("Still waiting to schedule task")
                        CauseOfBlockage cob = queued.getCauseOfBlockage()
                        if (cob != null) {
                            cob.print(getListener())
                        }
                    }
                }
            } catch (ExecutionException x) {
                throw x.getCause() instanceof Exception ? (Exception) x.getCause() : x
            } catch (InterruptedException x) {
                FlowInterruptedException fie = execution.takeInterruption(x, true)
                stop(t)
                throw fie
            }
        }
    }

    /** The step is stopped while queued: retract the item; if it started meanwhile, release it. */
    private void stop(PlaceholderTask t) {
        RunningTask running
        synchronized (t) {
            t.stopping = true
            running = t.running
        }
        if (!Queue.getInstance().cancel(t)) {
            LOGGER.log(Level.FINE, "no queue item to cancel for {0}", t)
        }
        if (running != null) {
            finish(t, running)
        }
    }

    /** The body is over: workspace released, executor freed, the block's leftover processes killed. */
    private void finish(PlaceholderTask t, RunningTask rt) {
        synchronized (rt) {
            if (rt.finished) {
                return
            }
            rt.finished = true
        }
        rt.lease.release()
        rt.execution.completed(null)
        final String cookie = t.cookie
        if (cookie != null) {
            Timer.get().submit({
                try {
                    ProcessTree.killAll(null, Collections.singletonMap(COOKIE_VAR, cookie))
                } catch (Exception x) {
                    LOGGER.log(Level.WARNING, "failed to shut down " + cookie, x)
                }
            } as Runnable)
        }
        boolean wasStopping = t.stopping
        t.stopping = true
        try {
            Queue.getInstance().cancel(t)
        } finally {
            t.stopping = wasStopping
        }
    }

    /**
     * The placeholder's executor was interrupted: cancel the body (FlowInterruptedException
     * ABORTED), at once if it runs, else as soon as it would start. (A finished block has
     * freed its executor already.)
     */
    private void cancelBody(PlaceholderTask t, CauseOfInterruption[] causes) {
        RunningTask rt = t.running
        if (rt == null) {
            return
        }
        boolean running
        synchronized (rt) {
            if (rt.finished) {
                running = false
            } else {
                rt.cancelled = new FlowInterruptedException(Result.ABORTED, true, causes)
                running = rt.entered
            }
        }
        if (running) {
            execution.interrupt(this, Result.ABORTED, causes)
        }
    }

    @Override
    String toString() {
        return "ExecutorStepExecution[" + execution.getOwner() + ", node(" + (label == null ? "" : label) + ")]"
    }

    /** Transient handle of a running block (the plugin's RunningTask and ExecutorStepDynamicContext). */
    private static final class RunningTask {
        AsynchronousExecution execution
        WorkspaceList.Lease lease
        EnvVars env
        boolean entered
        boolean finished
        FlowInterruptedException cancelled
    }

    /** Mirrors ExecutorStepExecution.QueueTaskCancelled. */
    static final class QueueTaskCancelled extends CauseOfInterruption {
        String getShortDescription() {
            return "Queue task was cancelled"
        }
    }

    /**
     * Mirrors ExecutorStepExecution.PlaceholderTask: the queue task of a node block. Equal
     * only to itself (the plugin: by step context), so node blocks never fold together.
     * Its label becomes the chosen node's name once it runs, as in the plugin.
     */
    static final class PlaceholderTask implements ContinuedTask, Serializable, hudson.security.AccessControlled {
        private final transient ExecutorStepExecution context
        private String label
        private boolean labelIsSelfLabel
        private final String runId
        private String cookie
        transient volatile boolean stopping
        transient volatile RunningTask running
        final transient CompletableFuture<RunningTask> started = new CompletableFuture<RunningTask>()

        PlaceholderTask(ExecutorStepExecution context, String label) {
            this.context = context
            this.label = label
            this.runId = context.getRun().getExternalizableId()
        }

        Queue.Executable createExecutable() throws IOException {
            return new PlaceholderExecutable(this)
        }

        /** The body has begun: a node is in use. */
        boolean hasStarted() {
            return cookie != null
        }

        /** null: any node; "": the built-in node; else the label expression. */
        Label getAssignedLabel() {
            if (label == null) {
                return null
            } else if (label.isEmpty()) {
                Jenkins j = Jenkins.getInstanceOrNull()
                return j == null ? null : j.getSelfLabel()
            }
            return Label.get(label)
        }

        Node getLastBuiltOn() {
            if (label == null) {
                return null
            }
            Jenkins j = Jenkins.getInstanceOrNull()
            return j == null ? null : j.getNode(label)
        }

        @Deprecated
        boolean isBuildBlocked() {
            return false
        }

        @Deprecated
        String getWhyBlocked() {
            return null
        }

        /** "Stopping ..." while the step is being stopped; an item of a finished run is cancelled. */
        CauseOfBlockage getCauseOfBlockage() {
            final boolean wasStopping = stopping
            Run run = runForDisplay()
            if (run != null && !run.isLogUpdated()) {
                stopping = true
                final PlaceholderTask self = this
                Timer.get().execute({
                    if (!Queue.getInstance().cancel(self)) {
                        LOGGER.log(Level.WARNING, "Refusing to build {0} because associated build is complete, but failed to cancel it", self)
                    }
                } as Runnable)
            }
            if (wasStopping) {
                final String name = getDisplayName()
                return new CauseOfBlockage() {
                    String getShortDescription() {
                        return "Stopping " + name
                    }
                }
            }
            return null
        }

        boolean isConcurrentBuild() {
            return false
        }

        Collection<? extends SubTask> getSubTasks() {
            return Collections.singleton(this)
        }

        /** The Pipeline job. */
        Queue.Task getOwnerTask() {
            Jenkins j = Jenkins.getInstanceOrNull()
            if (j != null && runId != null) {
                Job job = j.getItemByFullName(runId.substring(0, runId.lastIndexOf('#')), Job.class)
                if (job instanceof Queue.Task) {
                    return (Queue.Task) job
                }
            }
            Run r = runForDisplay()
            return r != null && r.getParent() instanceof Queue.Task ? (Queue.Task) r.getParent() : this
        }

        void checkAbortPermission() {
        }

        boolean hasAbortPermission() {
            return true
        }

        /** The run this block belongs to (deprecated in the plugin for getOwnerExecutable). */
        @Deprecated
        Run run() {
            return context != null ? context.getRun() : null
        }

        @Deprecated
        Run runForDisplay() {
            Run r = run()
            return r == null && runId != null ? Run.fromExternalizableId(runId) : r
        }

        /** As the plugin: the run's job's ACL (so Queue.getItems shows the item to whoever may read the job). */
        hudson.security.ACL getACL() {
            Run r = runForDisplay()
            return r != null ? r.getParent().getACL() : Jenkins.get().getACL()
        }

        void checkPermission(hudson.security.Permission permission) {
            if (!hasPermission(permission)) {
                getACL().checkPermission(permission)
            }
        }

        boolean hasPermission(hudson.security.Permission permission) {
            return Jenkins.getAuthentication2().equals(hudson.security.ACL.SYSTEM2) || getACL().hasPermission(permission)
        }

        boolean hasPermission2(org.springframework.security.core.Authentication a, hudson.security.Permission permission) {
            return a.equals(hudson.security.ACL.SYSTEM2) || getACL().hasPermission2(a, permission)
        }

        Queue.Executable getOwnerExecutable() {
            Run r = runForDisplay()
            return r instanceof Queue.Executable ? (Queue.Executable) r : null
        }

        String getUrl() {
            Run r = runForDisplay()
            return r != null ? r.getUrl() : ""
        }

        /** "part of job #N", or "job #N (stage)" while the body runs inside a stage. */
        String getDisplayName() {
            Run r = runForDisplay()
            if (r != null) {
                String enclosingLabel = getEnclosingLabel()
                return enclosingLabel != null ? r.getFullDisplayName() + " (" + enclosingLabel + ")" : "part of " + r.getFullDisplayName()
            }
            return "part of " + runId
        }

        String getName() {
            return getDisplayName()
        }

        String getFullDisplayName() {
            return getDisplayName()
        }

        /** The owner job's name and the stages around the node step, innermost first ("job#inner#outer"). */
        String getAffinityKey() {
            StringBuilder key = new StringBuilder(getOwnerTask().getName())
            if (context != null) {
                List<String> outer = new ArrayList<String>(context.enclosingStages)
                Collections.reverse(outer)
                for (String s : outer) {
                    key.append('#').append(s)
                }
            }
            return key.toString()
        }

        /** The innermost stage around the step running in the body, once it runs. */
        String getEnclosingLabel() {
            if (context == null || cookie == null || running == null || running.finished) {
                return null
            }
            List<String> stages = context.execution.getStages()
            return stages.isEmpty() ? null : stages.get(stages.size() - 1)
        }

        long getEstimatedDuration() {
            Run r = runForDisplay()
            return r != null ? r.getEstimatedDuration() : -1
        }

        boolean isContinued() {
            return cookie != null
        }

        @Override
        String toString() {
            return "ExecutorStepExecution.PlaceholderTask{label=" + label + ",context=" + context + '}'
        }

        @Override
        int hashCode() {
            return System.identityHashCode(context)
        }

        @Override
        boolean equals(Object obj) {
            return this.is(obj) || (obj instanceof PlaceholderTask && context != null && context.is(((PlaceholderTask) obj).context))
        }

        /**
         * Mirrors PlaceholderTask.PlaceholderExecutable (an inner class in the plugin, a static one here): occupies
         * the executor while the Pipeline uses the node.
         */
        static final class PlaceholderExecutable implements ContinuableExecutable {
            private final PlaceholderTask task

            PlaceholderExecutable(PlaceholderTask task) {
                this.task = task
            }

            void run() {
                RunningTask rt
                try {
                    Executor exec = Executor.currentExecutor()
                    if (exec == null) {
                        throw new IllegalStateException("running task without associated executor thread")
                    }
                    Computer computer = exec.getOwner()
                    Node node = computer.getNode()
                    if (node == null) {
                        throw new IllegalStateException("running computer lacks a node")
                    }
                    ExecutorStepExecution step = task.context
                    TaskListener listener = step.getListener()
                    Run r = step.getRun()
                    synchronized (task) {
                        if (task.stopping || task.cookie != null) {
                            LOGGER.log(Level.FINE, "{0} was stopped before it ran", task)
                            return
                        }
                        task.cookie = UUID.randomUUID().toString()
                        // A self-label, as the plugin switches to, so a rerun would go to the same node.
                        task.label = computer.getName()
                        task.labelIsSelfLabel = true
                        EnvVars env = new EnvVars(EnvVars.masterEnvVars)
                        String rootUrl = Jenkins.get().getRootUrl()
                        if (rootUrl != null) {
                            env.put("HUDSON_URL", rootUrl)
                            env.put("JENKINS_URL", rootUrl)
                        }
                        env.put(COOKIE_VAR, task.cookie)
                        if (computer instanceof Jenkins.MasterComputer) {
                            env.put("NODE_NAME", node.getSelfLabel().getName())
                        } else {
                            env.put("NODE_NAME", task.label)
                        }
                        env.put("EXECUTOR_NUMBER", String.valueOf(exec.getNumber()))
                        List<String> labels = new ArrayList<String>()
                        for (hudson.model.labels.LabelAtom a : node.getAssignedLabels()) {
                            labels.add(a.toString())
                        }
                        env.put("NODE_LABELS", String.join(" ", labels))
                        Job j = r.getParent()
                        if (!(j instanceof TopLevelItem)) {
                            throw new Exception(j.toString() + " must be a top-level job")
                        }
                        WorkspaceList.Lease lease = WorkspaceList.get().allocate(node.getWorkspaceFor((TopLevelItem) j))
                        env.put("WORKSPACE", lease.path.getPath())
                        env.put("WORKSPACE_TMP", WorkspaceList.tempDir(lease.path).getPath())
                        listener.getLogger().println("Running on " + node.getDisplayName() + " in " + lease.path.getPath())
                        rt = new RunningTask()
                        rt.lease = lease
                        rt.env = env
                        rt.execution = new PlaceholderExecution(task)
                        task.running = rt
                    }
                } catch (Exception x) {
                    task.started.completeExceptionally(x)
                    return
                }
                task.started.complete(rt)
                throw rt.execution
            }

            PlaceholderTask getParent() {
                return task
            }

            /** The Pipeline run. */
            Queue.Executable getParentExecutable() {
                return task.getOwnerExecutable()
            }

            Integer getNumber() {
                Run r = task.runForDisplay()
                return r != null ? r.getNumber() : null
            }

            String getFullDisplayName() {
                return task.getFullDisplayName()
            }

            String getDisplayName() {
                return task.getDisplayName()
            }

            long getEstimatedDuration() {
                return task.getEstimatedDuration()
            }

            Long getTimestamp() {
                Run r = task.runForDisplay()
                return r != null ? r.getStartTimeInMillis() : null
            }

            boolean willContinue() {
                RunningTask rt = task.running
                return rt != null && !rt.finished
            }

            Executor getExecutor() {
                return Executor.of(this)
            }

            String getUrl() {
                return task.getUrl()
            }

            String getAbsoluteUrl() {
                Run r = task.runForDisplay()
                if (r == null) {
                    return ""
                }
                Jenkins j = Jenkins.getInstanceOrNull()
                String root = j != null ? j.getRootUrl() : null
                return (root != null ? (root.endsWith("/") ? root : root + "/") : "") + r.getUrl()
            }

            @Override
            String toString() {
                return "PlaceholderExecutable:" + task
            }
        }
    }

    /** What PlaceholderExecutable.run throws; interrupting the executor cancels the body (on the Timer, as in the plugin). */
    private static final class PlaceholderExecution extends AsynchronousExecution {
        private final PlaceholderTask task

        PlaceholderExecution(PlaceholderTask task) {
            this.task = task
        }

        void interrupt(boolean forShutdown) {
            if (forShutdown) {
                return
            }
            final PlaceholderTask t = task
            final AsynchronousExecution self = this
            Timer.get().submit({
                Executor thisExecutor = self.getExecutor()
                List<CauseOfInterruption> causes = thisExecutor != null ? thisExecutor.getCausesOfInterruption() : Collections.<CauseOfInterruption>emptyList()
                t.context.cancelBody(t, causes.toArray(new CauseOfInterruption[causes.size()]))
            } as Runnable)
        }

        boolean blocksRestart() {
            return false
        }

        boolean displayCell() {
            return true
        }
    }
}
