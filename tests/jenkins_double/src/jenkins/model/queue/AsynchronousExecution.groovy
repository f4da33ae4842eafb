package jenkins.model.queue

import hudson.model.Executor

/**
 * Mirrors core/src/main/java/jenkins/model/queue/AsynchronousExecution.java: thrown by an
 * Executable's run() to say the work goes on elsewhere. The executor's thread ends but the
 * executor stays busy (its slot occupied, getCurrentExecutable() set) until completed() is
 * called; Executor.interrupt() calls interrupt(boolean) instead of interrupting a thread.
 * completed() before the executor took the exception is remembered and delivered by
 * maybeComplete(), as in Jenkins.
 */
abstract class AsynchronousExecution extends RuntimeException {
    private static final Throwable NULL = new Throwable("NULL")

    private Executor executor
    private Throwable result

    protected AsynchronousExecution() {
    }

    abstract void interrupt(boolean forShutdown)

    abstract boolean blocksRestart()

    abstract boolean displayCell()

    final synchronized Executor getExecutor() {
        return executor
    }

    /** Jenkins: restricted to core. */
    final synchronized void setExecutorWithoutCompleting(Executor executor) {
        assert this.executor == null
        this.executor = executor
    }

    /** Jenkins: restricted to core. */
    final synchronized void maybeComplete() {
        assert this.executor != null
        if (result != null) {
            executor.completedAsynchronous(result.is(NULL) ? null : result)
            result = null
        }
    }

    final synchronized void completed(Throwable error) {
        if (executor != null) {
            executor.completedAsynchronous(error)
        } else {
            result = error == null ? NULL : error
        }
    }
}
