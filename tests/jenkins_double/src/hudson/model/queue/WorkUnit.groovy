package hudson.model.queue

import hudson.model.Executor
import hudson.model.Queue
import hudson.model.Run

/** Mirrors core/src/main/java/hudson/model/queue/WorkUnit.java: one item's work handed to one executor. */
final class WorkUnit {
    final SubTask work
    final WorkUnitContext context
    private volatile Executor executor
    private Queue.Executable executable

    WorkUnit(WorkUnitContext context, SubTask work) {
        this.context = context
        this.work = work
    }

    Executor getExecutor() {
        return executor
    }

    void setExecutor(Executor e) {
        executor = e
        if (e != null) {
            context.future.addExecutor(e)
        }
    }

    Queue.Executable getExecutable() {
        return executable
    }

    /** Also tells the run which queue item it came from (Run.getQueueId). */
    void setExecutable(Queue.Executable executable) {
        this.executable = executable
        if (executable instanceof Run) {
            ((Run) executable).setQueueId(context.item.getId())
        }
    }

    boolean isMainWork() {
        return context.task.is(work)
    }
}
