package hudson.model

import hudson.XmlFile
import hudson.model.labels.LabelAtom
import hudson.model.listeners.SaveableListener
import hudson.model.queue.CauseOfBlockage
import hudson.security.ACL
import hudson.security.AccessControlled
import hudson.security.Permission
import hudson.slaves.ComputerListener
import hudson.slaves.OfflineCause
import java.util.function.Consumer
import java.util.logging.Logger
import jenkins.model.Jenkins
import jenkins.model.Nodes
import jenkins.util.Listeners
import jenkins.util.NonLocalizable
import jenkinsdouble.Versions
import org.springframework.security.core.Authentication

/**
 * Mirrors core/src/main/java/hudson/model/Node.java: a machine that can run builds
 * (Jenkins itself for the built-in node, DumbSlave for agents). The temporary offline
 * cause is kept on the node (persisted with it); what setting it does depends on the
 * version (see setTemporaryOfflineCause). save() writes the node's file and tells
 * SaveableListeners with the node itself, once the node belongs to Jenkins' Nodes.
 */
abstract class Node implements ModelObject, Saveable, AccessControlled {
    private static final Logger LOGGER = Logger.getLogger(Node.class.getName())
    private volatile OfflineCause temporaryOfflineCause
    /** Set by onLoad when Jenkins takes the node (Nodes.addNode, setNodes, load). */
    private transient volatile Nodes parent

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

    /** Jenkins hands the node to its Nodes: from now on save() persists it. */
    void onLoad(Nodes parent, String name) {
        this.parent = parent
        setNodeName(name)
    }

    /**
     * Writes nodes/NAME/config.json (Jenkins: config.xml) and fires
     * SaveableListener.onChange(this node, that file); nothing for a node Jenkins never
     * took (Node.save returns when it has no parent).
     */
    void save() throws IOException {
        Nodes p = parent
        if (p == null) {
            return
        }
        XmlFile file = p.getConfigFile(this)
        p.write(this)
        SaveableListener.fireOnChange(this, file)
    }

    /** Since 2.482 (hidden from scripts before, as it did not exist). */
    boolean isTemporarilyOffline() {
        return temporaryOfflineCause != null
    }

    /**
     * Sets or clears the temporary offline cause (public since 2.503, package-private
     * before, which Groovy scripts call anyway). As the version does:
     * before 2.482 a change only saves the node (Computer.setTemporarilyOffline fires the
     * listeners); 2.482 to 2.502 a change saves the node, then onTemporarilyOffline /
     * onTemporarilyOnline fire; since 2.503 a change goes through Jenkins.updateNode
     * (saved, NodeListener.onUpdated), then the listeners fire.
     */
    void setTemporaryOfflineCause(OfflineCause cause) {
        try {
            if (temporaryOfflineCause != cause) {
                temporaryOfflineCause = cause
                if (Versions.updateNodeFiresOnUpdated()) {
                    Jenkins.get().updateNode(this)
                } else {
                    save()
                }
            }
        } catch (IOException e) {
            LOGGER.warning("Unable to complete save, temporary offline status will not be persisted: " + e.getMessage())
            return
        }
        if (!Versions.temporaryOfflineCauseOnNode()) {
            return
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

    /** The node's ACL (AuthorizationStrategy.getACL(Node): the root ACL). */
    ACL getACL() {
        return Jenkins.get().getAuthorizationStrategy().getRootACL()
    }

    /** AccessControlled's default methods, written out (Groovy 2.4 interfaces have none): SYSTEM may do anything. */
    void checkPermission(Permission permission) {
        if (Jenkins.getAuthentication2().equals(ACL.SYSTEM2)) {
            return
        }
        getACL().checkPermission(permission)
    }

    boolean hasPermission(Permission permission) {
        if (Jenkins.getAuthentication2().equals(ACL.SYSTEM2)) {
            return true
        }
        return getACL().hasPermission(permission)
    }

    boolean hasPermission2(Authentication a, Permission permission) {
        if (a.equals(ACL.SYSTEM2)) {
            return true
        }
        return getACL().hasPermission2(a, permission)
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
