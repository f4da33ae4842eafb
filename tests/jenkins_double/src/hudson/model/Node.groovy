package hudson.model

import hudson.model.labels.LabelAtom
import hudson.model.queue.CauseOfBlockage
import hudson.slaves.ComputerListener
import hudson.slaves.OfflineCause
import java.util.function.Consumer
import jenkins.model.Jenkins
import jenkins.util.Listeners
import jenkins.util.NonLocalizable

/**
 * Mirrors core/src/main/java/hudson/model/Node.java: a machine that can run builds
 * (Jenkins itself for the built-in node, DumbSlave for agents). As in Jenkins 2.479+,
 * the temporary offline cause lives on the node.
 */
abstract class Node implements ModelObject, Saveable {
    private volatile OfflineCause temporaryOfflineCause

    String getDisplayName() {
        return getNodeName()
    }

    abstract String getNodeName()

    abstract void setNodeName(String name)

    abstract String getNodeDescription()

    abstract int getNumExecutors()

    abstract Mode getMode()

    abstract String getLabelString()

    void setLabelString(String labelString) throws IOException {
        throw new UnsupportedOperationException()
    }

    /** The computer of this node, or null when it has none (removed, or no executors). */
    final Computer toComputer() {
        return Jenkins.get().getComputer(this)
    }

    /** Creates the Computer that runs this node's executors (Jenkins: protected). */
    protected abstract Computer createComputer()

    boolean isAcceptingTasks() {
        return true
    }

    boolean isTemporarilyOffline() {
        return temporaryOfflineCause != null
    }

    /**
     * Sets or clears the temporary offline cause; a change goes through
     * Jenkins.updateNode (so NodeListener.onUpdated fires for agents), then the
     * computer listeners hear onTemporarilyOffline / onTemporarilyOnline.
     */
    void setTemporaryOfflineCause(OfflineCause cause) {
        if (temporaryOfflineCause != cause) {
            temporaryOfflineCause = cause
            Jenkins.get().updateNode(this)
        }
        final Computer c = toComputer()
        final OfflineCause current = temporaryOfflineCause
        if (current != null) {
            Listeners.notify(ComputerListener.class, false, { ComputerListener l -> l.onTemporarilyOffline(c, current) } as Consumer<ComputerListener>)
        } else {
            Listeners.notify(ComputerListener.class, false, { ComputerListener l -> l.onTemporarilyOnline(c) } as Consumer<ComputerListener>)
        }
    }

    OfflineCause getTemporaryOfflineCause() {
        return temporaryOfflineCause
    }

    protected Set<LabelAtom> getLabelAtomSet() {
        return Collections.unmodifiableSet(Label.parse(getLabelString()))
    }

    /** The node's labels plus its self label (its name; "built-in" for Jenkins). */
    Set<LabelAtom> getAssignedLabels() {
        Set<LabelAtom> r = new HashSet<LabelAtom>(getLabelAtomSet())
        r.add(getSelfLabel())
        return Collections.unmodifiableSet(r)
    }

    /** The labels whose cached node sets must be reset when this node changes. */
    Set<LabelAtom> drainLabelsToTrim() {
        return new HashSet<LabelAtom>(getAssignedLabels())
    }

    LabelAtom getSelfLabel() {
        return LabelAtom.get(getNodeName())
    }

    /**
     * Whether this node may run the item: its label must contain this node (through
     * the label's cached node set), and an EXCLUSIVE node takes no unlabelled item,
     * except a flyweight task when this is the built-in node or the built-in node has
     * no executors or is exclusive itself ("flyweight tasks need to get executed somewhere").
     */
    CauseOfBlockage canTake(Queue.BuildableItem item) {
        Label l = item.getAssignedLabel()
        if (l != null && !l.contains(this)) {
            return CauseOfBlockage.fromMessage(new NonLocalizable("‘" + getDisplayName() + "’ doesn’t have label ‘" + l + "’"))
        }
        if (l == null && getMode() == Mode.EXCLUSIVE) {
            Jenkins j = Jenkins.get()
            if (!(item.task instanceof Queue.FlyweightTask && (this instanceof Jenkins || j.getNumExecutors() < 1 || j.getMode() == Mode.EXCLUSIVE))) {
                return CauseOfBlockage.fromMessage(new NonLocalizable("‘" + getDisplayName() + "’ is reserved for jobs with matching label expression"))
            }
        }
        if (!isAcceptingTasks()) {
            return new CauseOfBlockage.BecauseNodeIsNotAcceptingTasks(this)
        }
        return null
    }

    /** Where this node keeps workspaces and build processes run. */
    abstract File getRootPath()

    File getWorkspaceFor(TopLevelItem item) {
        return new File(new File(getRootPath(), "workspace"), item.getFullName())
    }

    enum Mode {
        NORMAL("Use this node as much as possible"),
        EXCLUSIVE("Only build jobs with label expressions matching this node")

        private final String description

        Mode(String description) {
            this.description = description
        }

        String getDescription() { return description }

        String getName() { return name() }
    }
}
