package hudson.model.queue

import hudson.ExtensionList
import hudson.ExtensionPoint
import hudson.model.Queue

/** Mirrors core/src/main/java/hudson/model/queue/QueueListener.java: told of every queue state change, under the queue lock. */
abstract class QueueListener implements ExtensionPoint {
    void onEnterWaiting(Queue.WaitingItem wi) {}
    void onLeaveWaiting(Queue.WaitingItem wi) {}
    void onEnterBlocked(Queue.BlockedItem bi) {}
    void onLeaveBlocked(Queue.BlockedItem bi) {}
    void onEnterBuildable(Queue.BuildableItem bi) {}
    void onLeaveBuildable(Queue.BuildableItem bi) {}
    void onLeft(Queue.LeftItem li) {}

    static ExtensionList<QueueListener> all() {
        return ExtensionList.lookup(QueueListener.class)
    }
}
