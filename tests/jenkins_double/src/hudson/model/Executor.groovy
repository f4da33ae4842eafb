package hudson.model

import hudson.model.queue.SubTask
import hudson.model.queue.WorkUnit
import java.util.concurrent.locks.ReadWriteLock
import java.util.concurrent.locks.ReentrantReadWriteLock
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.CauseOfInterruption
import jenkins.model.Jenkins
import jenkins.model.queue.AsynchronousExecution
import org.kohsuke.stapler.HttpResponse
import org.kohsuke.stapler.HttpResponses

/**
 * Mirrors core/src/main/java/hudson/model/Executor.java: a Thread that runs one build.
 * It is created unstarted (parked, idle); the queue starts it with a work unit; when
 * the build is over it removes itself and its computer makes a fresh one. So no thread
 * exists for an idle executor, and 5000 executors cost 5000 unstarted Thread objects.
 * An executable whose run() throws AsynchronousExecution (a Pipeline run, a node block's
 * placeholder) keeps the executor busy after its thread ended, until the execution calls
 * completed(); interrupting such an executor calls AsynchronousExecution.interrupt.
 */
class Executor extends Thread implements ModelObject {
    private static final Logger LOGGER = Logger.getLogger(Executor.class.getName())
    private static final int DEFAULT_ESTIMATED_DURATION = -1

    protected final Computer owner
    private final Queue queue
    private final ReadWriteLock lock = new ReentrantReadWriteLock()
    private final long creationTime = System.currentTimeMillis()
    private final int number
    private long startTime
    private Queue.Executable executable
    private long executableEstimatedDuration = DEFAULT_ESTIMATED_DURATION
    private WorkUnit workUnit
    private boolean started
    private Result interruptStatus
    private final List<CauseOfInterruption> causes = new Vector<CauseOfInterruption>()
    private AsynchronousExecution asynchronousExecution

    Executor(Computer owner, int n) {
        super("Executor #" + n + " for " + owner.getDisplayName())
        this.owner = owner
        this.queue = Jenkins.get().getQueue()
        this.number = n
        setDaemon(true)
    }

    /** From another thread: aborts the build (ABORTED); on itself: a plain thread interrupt. */
    @Override
    void interrupt() {
        if (Thread.currentThread().is(this)) {
            super.interrupt()
        } else {
            interrupt(Result.ABORTED)
        }
    }

    /** Aborts the build with the given result; a parked executor is simply dropped. */
    void interrupt(Result result) {
        interrupt(result, new CauseOfInterruption[0])
    }

    /** Also records why (getCausesOfInterruption); an asynchronous execution is told instead of the thread. */
    void interrupt(Result result, CauseOfInterruption... causes) {
        lock.writeLock().lock()
        try {
            if (!started) {
                owner.removeExecutor(this)
                return
            }
            interruptStatus = result
            for (CauseOfInterruption c : causes) {
                if (!this.causes.contains(c)) {
                    this.causes.add(c)
                }
            }
            if (asynchronousExecution != null) {
                asynchronousExecution.interrupt(false)
            } else {
                super.interrupt()
            }
        } finally {
            lock.writeLock().unlock()
        }
    }

    /** The causes given to interrupt(Result, CauseOfInterruption...) so far. */
    List<CauseOfInterruption> getCausesOfInterruption() {
        return Collections.unmodifiableList(new ArrayList<CauseOfInterruption>(causes))
    }

    /** The result an interrupted build ends with (ABORTED unless interrupt(Result) said otherwise). */
    Result abortResult() {
        Thread.interrupted()
        lock.writeLock().lock()
        try {
            return interruptStatus != null ? interruptStatus : Result.ABORTED
        } finally {
            lock.writeLock().unlock()
        }
    }

    /** The executor thread acts as SYSTEM (Executor.run; the build's Queue.Item.authenticate2() is SYSTEM unless a QueueItemAuthenticator says otherwise, and the double has none). */
    @Override
    void run() {
        hudson.security.ACLContext ctx = hudson.security.ACL.as2(hudson.security.ACL.SYSTEM2)
        try {
            runAsSystem()
        } finally {
            ctx.close()
        }
    }

    private void runAsSystem() {
        if (!(owner instanceof Jenkins.MasterComputer) && (!owner.isOnline() || owner.getNode() == null)) {
            LOGGER.log(Level.WARNING, "{0} grabbed {1} but {2} went off-line or was removed before the task's worker thread started",
                    [getName(), workUnit, owner.getDisplayName()] as Object[])
            lock.writeLock().lock()
            try {
                workUnit = null
            } finally {
                lock.writeLock().unlock()
            }
            owner.removeExecutor(this)
            queue.scheduleMaintenance()
            return
        }
        startTime = System.currentTimeMillis()
        Throwable problems = null
        Queue.Executable exec = null
        boolean asynchronous = false
        final Executor self = this
        try {
            exec = Queue.callWithLock({ self.takeWorkUnit() } as java.util.concurrent.Callable<Queue.Executable>)
            workUnit.context.synchronizeStart(exec)
            if (exec != null) {
                executableEstimatedDuration = exec.getEstimatedDuration()
                if (exec instanceof Actionable) {
                    for (Action action : workUnit.context.actions) {
                        ((Actionable) exec).addAction(action)
                    }
                }
                setName(getName() + " : executing " + exec)
                queue.execute(exec, workUnit.work)
            }
        } catch (AsynchronousExecution x) {
            asynchronous = true
            lock.writeLock().lock()
            try {
                x.setExecutorWithoutCompleting(this)
                this.asynchronousExecution = x
            } finally {
                lock.writeLock().unlock()
            }
            x.maybeComplete()
            // An interrupt that came while the executable was starting hit this thread, which
            // ends now; hand it on (Jenkins can lose it in that window).
            if (Thread.interrupted() && interruptStatus != null) {
                x.interrupt(false)
            }
        } catch (Throwable e) {
            problems = e
            LOGGER.log(Level.SEVERE, "Executor threw an exception", e)
        } finally {
            // Jenkins decides this by asynchronousExecution == null, which a completion
            // delivered by maybeComplete() has already reset; a local flag avoids finishing twice.
            if (!asynchronous) {
                try {
                    finish1(exec, problems)
                } finally {
                    finish2()
                }
            }
        }
    }

    /**
     * The step of run() done under the queue lock: the item leaves the queue, the task
     * creates its executable. (A method rather than a closure body, so that a subclass such
     * as OneOffExecutor runs it: Groovy closures cannot reach a superclass's private fields.)
     */
    Queue.Executable takeWorkUnit() {
        workUnit.setExecutor(this)
        queue.onStartExecuting(this)
        SubTask task = workUnit.work
        Queue.Executable created = task.createExecutable()
        if (created == null) {
            LOGGER.log(Level.WARNING, "{0} cannot be run (for example because it is disabled)", task.getDisplayName())
        }
        lock.writeLock().lock()
        try {
            executable = created
        } finally {
            lock.writeLock().unlock()
        }
        workUnit.setExecutable(created)
        return created
    }

    private void finish1(Queue.Executable exec, Throwable problems) {
        try {
            workUnit.context.synchronizeEnd(exec, problems)
        } finally {
            workUnit.setExecutor(null)
        }
    }

    private void finish2() {
        owner.removeExecutor(this)
        if (this instanceof OneOffExecutor) {
            owner.remove((OneOffExecutor) this)
        }
        executableEstimatedDuration = DEFAULT_ESTIMATED_DURATION
        queue.scheduleMaintenance()
    }

    /** The asynchronous execution is over: the executor finishes as a synchronous run would (Jenkins: restricted). */
    void completedAsynchronous(Throwable error) {
        try {
            finish1(getCurrentExecutable(), error)
        } finally {
            finish2()
        }
        lock.writeLock().lock()
        try {
            asynchronousExecution = null
        } finally {
            lock.writeLock().unlock()
        }
    }

    AsynchronousExecution getAsynchronousExecution() {
        lock.readLock().lock()
        try {
            return asynchronousExecution
        } finally {
            lock.readLock().unlock()
        }
    }

    Queue.Executable getCurrentExecutable() {
        lock.readLock().lock()
        try {
            return executable
        } finally {
            lock.readLock().unlock()
        }
    }

    WorkUnit getCurrentWorkUnit() {
        lock.readLock().lock()
        try {
            return workUnit
        } finally {
            lock.readLock().unlock()
        }
    }

    String getDisplayName() {
        return "Executor #" + getNumber()
    }

    int getNumber() {
        return number
    }

    boolean isIdle() {
        lock.readLock().lock()
        try {
            return workUnit == null && executable == null
        } finally {
            lock.readLock().unlock()
        }
    }

    boolean isBusy() {
        return !isIdle()
    }

    /** Not yet started, or still running (on its thread or asynchronously). */
    boolean isActive() {
        lock.readLock().lock()
        try {
            return !started || asynchronousExecution != null || isAlive()
        } finally {
            lock.readLock().unlock()
        }
    }

    /** Unstarted and waiting for work. */
    boolean isParking() {
        lock.readLock().lock()
        try {
            return !started
        } finally {
            lock.readLock().unlock()
        }
    }

    int getProgress() {
        long d = executableEstimatedDuration
        if (d <= 0) {
            return DEFAULT_ESTIMATED_DURATION
        }
        int num = (int) (getElapsedTime() * 100 / d)
        return num >= 100 ? 99 : num
    }

    boolean isLikelyStuck() {
        if (getCurrentExecutable() == null) {
            return false
        }
        long elapsed = getElapsedTime()
        long d = executableEstimatedDuration
        return d >= 0 ? d * 10 < elapsed : elapsed > 24L * 3600 * 1000
    }

    long getElapsedTime() {
        return System.currentTimeMillis() - startTime
    }

    long getTimeSpentInQueue() {
        return startTime - workUnit.context.item.buildableStartMilliseconds
    }

    long getEstimatedRemainingTimeMillis() {
        long d = executableEstimatedDuration
        if (d < 0) {
            return DEFAULT_ESTIMATED_DURATION
        }
        long eta = d - getElapsedTime()
        return eta <= 0 ? DEFAULT_ESTIMATED_DURATION : eta
    }

    String getEstimatedRemainingTime() {
        long eta = getEstimatedRemainingTimeMillis()
        return eta < 0 ? "N/A" : (eta / 1000) + " sec"
    }

    long getIdleStartMilliseconds() {
        return isIdle() ? Math.max(creationTime, owner.getConnectTime()) : Math.max(startTime + Math.max(0, executableEstimatedDuration), System.currentTimeMillis() + 15000)
    }

    /** Unsupported: executors start only through the queue. */
    @Override
    void start() {
        throw new UnsupportedOperationException()
    }

    /** Starts the thread on the work the queue assigned (Jenkins: package-private). */
    void start(WorkUnit task) {
        lock.writeLock().lock()
        try {
            this.workUnit = task
            super.start()
            started = true
        } finally {
            lock.writeLock().unlock()
        }
    }

    HttpResponse doStop() {
        lock.writeLock().lock()
        try {
            if (executable != null) {
                interrupt()
            }
        } finally {
            lock.writeLock().unlock()
        }
        return HttpResponses.forwardToPreviousPage()
    }

    Computer getOwner() {
        return owner
    }

    static Executor currentExecutor() {
        Thread t = Thread.currentThread()
        return t instanceof Executor ? (Executor) t : null
    }

    /** The executor running this executable, if any. */
    static Executor of(Queue.Executable executable) {
        Jenkins jenkins = Jenkins.getInstanceOrNull()
        if (jenkins == null) {
            return null
        }
        for (Computer computer : jenkins.getComputers()) {
            for (Executor executor : computer.getAllExecutors()) {
                if (executor.getCurrentExecutable().is(executable)) {
                    return executor
                }
            }
        }
        return null
    }
}
