package org.jenkinsci.plugins.durabletask.executors

import hudson.model.Queue

/**
 * Mirrors durable-task-plugin's
 * src/main/java/org/jenkinsci/plugins/durabletask/executors/ContinuableExecutable.java.
 */
interface ContinuableExecutable extends Queue.Executable {
    boolean willContinue()
}
