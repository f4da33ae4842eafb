package hudson.model.queue

import hudson.model.Action
import hudson.model.Queue

/** Mirrors core/src/main/java/hudson/model/queue/FoldableAction.java: merges into a duplicate queue item. */
interface FoldableAction extends Action {
    void foldIntoExisting(Queue.Item item, Queue.Task owner, List<Action> otherActions)
}
