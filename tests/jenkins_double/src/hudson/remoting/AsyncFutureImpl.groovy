package hudson.remoting

import java.util.concurrent.CancellationException
import java.util.concurrent.ExecutionException
import java.util.concurrent.Future
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException

/** Mirrors remoting's hudson.remoting.AsyncFutureImpl: a Future completed by set(...) from another thread. */
class AsyncFutureImpl<V> implements Future<V> {
    private boolean completed
    private V value
    private Throwable problem
    private boolean cancelled

    boolean cancel(boolean mayInterruptIfRunning) {
        return false
    }

    synchronized boolean isCancelled() {
        return cancelled
    }

    synchronized boolean isDone() {
        return completed
    }

    synchronized V get() throws InterruptedException, ExecutionException {
        while (!completed) {
            wait()
        }
        return result()
    }

    synchronized V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout)
        while (!completed) {
            long left = deadline - System.nanoTime()
            if (left <= 0) {
                throw new TimeoutException()
            }
            TimeUnit.NANOSECONDS.timedWait(this, left)
        }
        return result()
    }

    private V result() throws ExecutionException {
        if (problem != null) {
            throw new ExecutionException(problem)
        }
        if (cancelled) {
            throw new CancellationException()
        }
        return value
    }

    synchronized void set(V value) {
        completed = true
        this.value = value
        notifyAll()
    }

    synchronized void set(Throwable problem) {
        completed = true
        this.problem = problem
        notifyAll()
    }

    synchronized void setAsCancelled() {
        completed = true
        cancelled = true
        notifyAll()
    }
}
