package hudson.model.queue

import hudson.model.Label
import hudson.model.Node
import hudson.model.Queue

/**
 * Mirrors core/src/main/java/hudson/model/queue/SubTask.java. Jenkins gives these
 * methods default bodies; Groovy 2.4 interfaces cannot, so an implementation defines
 * them all (documented difference).
 */
interface SubTask {
    String getDisplayName()
    Label getAssignedLabel()
    Node getLastBuiltOn()
    long getEstimatedDuration()
    Queue.Executable createExecutable() throws IOException
    Queue.Task getOwnerTask()
}
