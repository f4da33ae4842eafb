package hudson.model.queue

import hudson.model.Executor
import hudson.model.Queue
import hudson.remoting.AsyncFutureImpl
import java.util.concurrent.Future
import jenkins.model.Jenkins

/**
 * Mirrors core/src/main/java/hudson/model/queue/FutureImpl.java: the start condition
 * completes when an executor picks the item up (before RunListener.onStarted), the
 * future itself when the build is over; cancelling the item cancels both.
 */
final class FutureImpl extends AsyncFutureImpl<Queue.Executable> implements QueueTaskFuture<Queue.Executable> {
    private final Queue.Task task
    private final Set<Executor> executors = new HashSet<Executor>()
    final AsyncFutureImpl<Queue.Executable> start = new AsyncFutureImpl<Queue.Executable>()

    FutureImpl(Queue.Task task) {
        this.task = task
    }

    Future<Queue.Executable> getStartCondition() {
        return start
    }

    Queue.Executable waitForStart() {
        return getStartCondition().get()
    }

    /** Interrupts the running build if allowed, else removes the task from the queue. */
    @Override
    boolean cancel(boolean mayInterruptIfRunning) {
        Queue q = Jenkins.get().getQueue()
        synchronized (this) {
            if (!executors.isEmpty()) {
                if (mayInterruptIfRunning) {
                    for (Executor e : executors) {
                        e.interrupt()
                    }
                }
                return mayInterruptIfRunning
            }
            return q.cancel(task)
        }
    }

    @Override
    synchronized void setAsCancelled() {
        super.setAsCancelled()
        if (!start.isDone()) {
            start.setAsCancelled()
        }
    }

    synchronized void addExecutor(Executor executor) {
        this.executors.add(executor)
    }

    synchronized void finished() {
        executors.clear()
    }
}
