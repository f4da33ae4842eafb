package hudson.model.queue

import hudson.model.Queue
import java.util.concurrent.Future

/** Mirrors core/src/main/java/hudson/model/queue/QueueTaskFuture.java: start and completion of a queued build. */
interface QueueTaskFuture<R extends Queue.Executable> extends Future<R> {
    Future<R> getStartCondition()

    R waitForStart()
}
