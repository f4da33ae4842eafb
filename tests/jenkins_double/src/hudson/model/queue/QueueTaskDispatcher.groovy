package hudson.model.queue

import hudson.ExtensionList
import hudson.ExtensionPoint
import hudson.model.Node
import hudson.model.Queue

/**
 * Mirrors core/src/main/java/hudson/model/queue/QueueTaskDispatcher.java: vetoes an item
 * on a node (canTake) or everywhere (canRun). A non-null cause blocks.
 */
abstract class QueueTaskDispatcher implements ExtensionPoint {
    @Deprecated
    CauseOfBlockage canTake(Node node, Queue.Task task) {
        return null
    }

    CauseOfBlockage canTake(Node node, Queue.BuildableItem item) {
        return canTake(node, item.task)
    }

    CauseOfBlockage canRun(Queue.Item item) {
        return null
    }

    static ExtensionList<QueueTaskDispatcher> all() {
        return ExtensionList.lookup(QueueTaskDispatcher.class)
    }
}
