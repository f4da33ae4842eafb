package hudson.model

import hudson.model.labels.LabelAtom
import hudson.model.queue.WorkUnit
import hudson.remoting.LocalChannel
import hudson.remoting.VirtualChannel
import hudson.slaves.OfflineCause
import hudson.slaves.RetentionStrategy
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Future
import java.util.function.Consumer
import jenkins.model.Jenkins
import jenkins.util.Listeners
import jenkinsdouble.Versions

/**
 * Mirrors core/src/main/java/hudson/model/Computer.java: the running side of a node,
 * owning its executors. Executors are Threads that exist unstarted ("parked") until
 * the queue hands them work; each one serves exactly one build and is then replaced
 * by a fresh one with the same number, as in Jenkins. Flyweight tasks (Pipeline runs) get a
 * OneOffExecutor of their own, outside the configured count (getOneOffExecutors).
 *
 * Temporarily offline, as the version does. Since 2.482 the state is the node's
 * temporary offline cause: setTemporaryOfflineCause(cause) sets it (Node fires the
 * listeners) and setTemporarilyOffline(b[, cause]) maps onto it. Before 2.482 there is
 * no setTemporaryOfflineCause (hidden from scripts, see jenkinsdouble.HiddenMembers):
 * the computer keeps its own flag and cause, setTemporarilyOffline(b, cause) sets them,
 * pushes the cause to the node (which saves itself) and fires onTemporarilyOffline /
 * onTemporarilyOnline; a computer given a new node object pushes its state to it; and
 * when an agent comes online its node's saved cause is applied again
 * (Node.InternalComputerListener).
 */
abstract class Computer extends Actionable {
    protected final CopyOnWriteArrayList<Executor> executors = new CopyOnWriteArrayList<Executor>()
    protected final CopyOnWriteArrayList<OneOffExecutor> oneOffExecutors = new CopyOnWriteArrayList<OneOffExecutor>()
    protected int numExecutors
    protected volatile OfflineCause offlineCause
    protected String nodeName
    /** Before 2.482 only: the computer's own temporarily-offline flag. */
    private volatile boolean temporarilyOffline
    protected final Object statusChangeLock = new Object()
    private volatile long connectTime = 0

    protected Computer(Node node) {
        setNode(node)
    }

    /** Since 2.482: the node's temporary offline cause if any, else the disconnection's; before: the computer's own cause. */
    OfflineCause getOfflineCause() {
        if (!Versions.temporaryOfflineCauseOnNode()) {
            return offlineCause
        }
        Node node = getNode()
        if (node != null && node.getTemporaryOfflineCause() != null) {
            return node.getTemporaryOfflineCause()
        }
        return offlineCause
    }

    String getOfflineCauseReason() {
        OfflineCause c = getOfflineCause()
        return c == null ? "" : c.toString()
    }

    /** Whether the (simulated) channel to the node is up. */
    abstract boolean isConnected()

    /** As Computer.getChannel(): null unless connected (the double's channel is local, see LocalChannel). */
    VirtualChannel getChannel() {
        return isConnected() ? LocalChannel.INSTANCE : null
    }

    abstract RetentionStrategy getRetentionStrategy()

    final Future<?> connect(boolean forceReconnect) {
        connectTime = System.currentTimeMillis()
        return _connect(forceReconnect)
    }

    final long getConnectTime() {
        return connectTime
    }

    protected abstract Future<?> _connect(boolean forceReconnect)

    Future<?> disconnect(OfflineCause cause) {
        offlineCause = cause
        connectTime = 0
        return CompletableFuture.completedFuture(null)
    }

    int getNumExecutors() {
        return numExecutors
    }

    String getName() {
        return nodeName != null ? nodeName : ""
    }

    Node getNode() {
        Jenkins j = Jenkins.getInstanceOrNull()
        if (j == null) {
            return null
        }
        return nodeName == null ? j : j.getNode(nodeName)
    }

    boolean isOffline() {
        return isTemporarilyOffline() || !isConnected()
    }

    final boolean isOnline() {
        return !isOffline()
    }

    boolean isConnecting() {
        return false
    }

    boolean isTemporarilyOffline() {
        if (!Versions.temporaryOfflineCauseOnNode()) {
            return temporarilyOffline
        }
        Node node = getNode()
        return node != null && node.getTemporaryOfflineCause() != null
    }

    void setOfflineCause(OfflineCause cause) {
        this.offlineCause = cause
    }

    /** Since 2.482 a LegacyOfflineCause when true; before, the same as setTemporarilyOffline(b, null). */
    @Deprecated
    void setTemporarilyOffline(boolean temporarilyOffline) {
        if (!Versions.temporaryOfflineCauseOnNode()) {
            legacySetTemporarilyOffline(temporarilyOffline, null)
            return
        }
        applyTemporaryOfflineCause(temporarilyOffline ? new OfflineCause.LegacyOfflineCause() : null)
    }

    @Deprecated
    void setTemporarilyOffline(boolean temporarilyOffline, OfflineCause cause) {
        if (!Versions.temporaryOfflineCauseOnNode()) {
            legacySetTemporarilyOffline(temporarilyOffline, cause)
        } else if (cause == null) {
            setTemporarilyOffline(temporarilyOffline)
        } else {
            applyTemporaryOfflineCause(temporarilyOffline ? cause : null)
        }
    }

    /** Since 2.482; scripts of an older version do not see it (MissingMethodException). */
    void setTemporaryOfflineCause(OfflineCause temporaryOfflineCause) {
        applyTemporaryOfflineCause(temporaryOfflineCause)
    }

    /** The body of setTemporaryOfflineCause, which the double's own code calls (never the method scripts may not see). */
    private void applyTemporaryOfflineCause(OfflineCause temporaryOfflineCause) {
        Node node = getNode()
        if (node == null) {
            throw new IllegalStateException("Can't set a temporary offline cause if the node has been removed")
        }
        node.setTemporaryOfflineCause(temporaryOfflineCause)
    }

    /** Computer.setTemporarilyOffline(boolean, OfflineCause) before 2.482. */
    private void legacySetTemporarilyOffline(boolean temporarilyOffline, final OfflineCause cause) {
        offlineCause = temporarilyOffline ? cause : null
        this.temporarilyOffline = temporarilyOffline
        Node node = getNode()
        if (node != null) {
            node.setTemporaryOfflineCause(offlineCause)
        }
        synchronized (statusChangeLock) {
            statusChangeLock.notifyAll()
        }
        final Computer self = this
        if (temporarilyOffline) {
            Listeners.notify(hudson.slaves.ComputerListener.class, false, { hudson.slaves.ComputerListener l -> l.onTemporarilyOffline(self, cause) } as Consumer<hudson.slaves.ComputerListener>)
        } else {
            Listeners.notify(hudson.slaves.ComputerListener.class, false, { hudson.slaves.ComputerListener l -> l.onTemporarilyOnline(self) } as Consumer<hudson.slaves.ComputerListener>)
        }
    }

    /**
     * Before 2.482, Node.InternalComputerListener.onOnline: an agent that comes online
     * takes its node's saved temporary offline cause again. The double calls it first
     * when a computer comes online (before listeners scripts registered).
     */
    protected void restoreTemporaryOfflineCause() {
        if (Versions.temporaryOfflineCauseOnNode()) {
            return
        }
        Node node = getNode()
        if (node != null && node.getTemporaryOfflineCause() != null && !node.getTemporaryOfflineCause().is(getOfflineCause())) {
            legacySetTemporarilyOffline(true, node.getTemporaryOfflineCause())
        }
    }

    String getDisplayName() {
        return nodeName
    }

    String getUrl() {
        return "computer/" + URLEncoder.encode(getName(), "UTF-8").replace("+", "%20") + "/"
    }

    Set<LabelAtom> getAssignedLabels() {
        Node node = getNode()
        return node != null ? node.getAssignedLabels() : Collections.<LabelAtom>emptySet()
    }

    /** Called when (re)configured: takes the node's executor count. */
    protected void setNode(Node node) {
        assert node != null
        this.nodeName = node instanceof Slave ? node.getNodeName() : null
        setNumExecutors(node.getNumExecutors())
        if (!Versions.temporaryOfflineCauseOnNode() && this.temporarilyOffline) {
            // Before 2.482: a new node object gets the computer's temporary offline state.
            node.setTemporaryOfflineCause(this.offlineCause)
        }
    }

    protected void kill() {
        setNumExecutors(0)
    }

    /** Growing adds parked executors; shrinking removes idle ones now and busy ones when their build ends. */
    void setNumExecutors(int n) {
        this.numExecutors = n
        final int diff = executors.size() - n
        if (diff > 0) {
            final List<Executor> current = this.executors
            Queue.withLock({
                for (Executor e : current) {
                    if (e.isIdle()) {
                        e.interrupt()
                    }
                }
            } as Runnable)
        }
        if (diff < 0) {
            addNewExecutorIfNecessary()
        }
    }

    protected void addNewExecutorIfNecessary() {
        if (Jenkins.getInstanceOrNull() == null) {
            return
        }
        Set<Integer> availableNumbers = new TreeSet<Integer>()
        for (int i = 0; i < numExecutors; i++) {
            availableNumbers.add(i)
        }
        for (Executor executor : executors) {
            availableNumbers.remove(executor.getNumber())
        }
        for (Integer number : availableNumbers) {
            if (executors.size() < numExecutors) {
                executors.add(new Executor(this, number))
            }
        }
    }

    int countIdle() {
        int n = 0
        for (Executor e : executors) {
            if (e.isIdle()) {
                n++
            }
        }
        return n
    }

    final int countBusy() {
        return countExecutors() - countIdle()
    }

    final int countExecutors() {
        return executors.size()
    }

    List<Executor> getExecutors() {
        return new ArrayList<Executor>(executors)
    }

    List<OneOffExecutor> getOneOffExecutors() {
        return new ArrayList<OneOffExecutor>(oneOffExecutors)
    }

    /** The configured executors, then the one-off ones. */
    List<Executor> getAllExecutors() {
        List<Executor> result = new ArrayList<Executor>(executors.size() + oneOffExecutors.size())
        result.addAll(executors)
        result.addAll(oneOffExecutors)
        return result
    }

    /** Runs a flyweight task's work unit on a new one-off executor (Jenkins: package-private, called by the queue). */
    final void startFlyWeightTask(WorkUnit p) {
        OneOffExecutor e = new OneOffExecutor(this)
        e.start(p)
        oneOffExecutors.add(e)
    }

    /** Jenkins: package-private. */
    final void remove(OneOffExecutor e) {
        oneOffExecutors.remove(e)
    }

    /** False while a one-off executor runs, as in Jenkins. */
    final boolean isIdle() {
        if (!oneOffExecutors.isEmpty()) {
            return false
        }
        for (Executor e : executors) {
            if (!e.isIdle()) {
                return false
            }
        }
        return true
    }

    final boolean isPartiallyIdle() {
        for (Executor e : executors) {
            if (e.isIdle()) {
                return true
            }
        }
        return false
    }

    final long getIdleStartMilliseconds() {
        long firstIdle = Long.MIN_VALUE
        for (Executor e : oneOffExecutors) {
            firstIdle = Math.max(firstIdle, e.getIdleStartMilliseconds())
        }
        for (Executor e : executors) {
            firstIdle = Math.max(firstIdle, e.getIdleStartMilliseconds())
        }
        return firstIdle
    }

    String getDescription() {
        Node node = getNode()
        return node != null ? node.getNodeDescription() : ""
    }

    /** An executor is done (its build ended, or it was dropped while parked). */
    protected void removeExecutor(final Executor e) {
        final Computer self = this
        final List<Executor> current = this.executors
        final List<OneOffExecutor> oneOffs = this.oneOffExecutors
        Queue.withLock({
            synchronized (self) {
                current.remove(e)
                oneOffs.remove(e)
                self.addNewExecutorIfNecessary()
                if (!self.isAlive()) {
                    Jenkins.get().removeComputer(self)
                }
            }
        } as Runnable)
    }

    protected boolean isAlive() {
        for (Executor e : executors) {
            if (e.isActive()) {
                return true
            }
        }
        return false
    }

    boolean isAcceptingTasks() {
        Node node = getNode()
        return getRetentionStrategy().isAcceptingTasks(this) && (node == null || node.isAcceptingTasks())
    }

    /**
     * Replaces this computer's node by the one in the config.xml (Nodes.replaceNode); the
     * node type must stay the same. See jenkinsdouble.NodeXml.
     */
    void updateByXml(InputStream source) throws IOException {
        Node previous = getNode()
        if (previous == null) {
            throw org.kohsuke.stapler.HttpResponses.notFound()
        }
        Node result = jenkinsdouble.NodeXml.read(source.readAllBytes(), null)
        if (previous.getClass() != result.getClass()) {
            throw org.kohsuke.stapler.HttpResponses.errorWithoutStack(400, "Node types do not match")
        }
        Jenkins.get().getNodesObject().replaceNode(previous, result)
    }

    void waitUntilOnline() throws InterruptedException {
        synchronized (statusChangeLock) {
            while (!isOnline()) {
                statusChangeLock.wait(1000)
            }
        }
    }

    void waitUntilOffline() throws InterruptedException {
        synchronized (statusChangeLock) {
            while (!isOffline()) {
                statusChangeLock.wait(1000)
            }
        }
    }

    /** The computer whose executor runs the current thread, if any. */
    static Computer currentComputer() {
        Executor e = Executor.currentExecutor()
        return e != null ? e.getOwner() : null
    }

    @Override
    String toString() {
        return super.toString() + "[" + getName() + "]"
    }
}
