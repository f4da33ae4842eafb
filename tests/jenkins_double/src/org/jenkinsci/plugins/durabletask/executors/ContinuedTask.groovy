package org.jenkinsci.plugins.durabletask.executors

import hudson.model.Queue

/**
 * Mirrors durable-task-plugin's
 * src/main/java/org/jenkinsci/plugins/durabletask/executors/ContinuedTask.java: a task that
 * continues earlier work (a node block re-queued after a restart). Its Scheduler dispatcher,
 * which lets continued tasks go first, is not mirrored: the double never re-queues node
 * blocks, so isContinued() is never true while one is queued.
 */
interface ContinuedTask extends Queue.Task {
    boolean isContinued()
}
