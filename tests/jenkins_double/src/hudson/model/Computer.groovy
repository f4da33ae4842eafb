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
import jenkins.model.Jenkins

/**
 * Mirrors core/src/main/java/hudson/model/Computer.java: the running side of a node,
 * owning its executors. Executors are Threads that exist unstarted ("parked") until
 * the queue hands them work; each one serves exactly one build and is then replaced
 * by a fresh one with the same number, as in Jenkins. Flyweight tasks (Pipeline runs) get a
 * OneOffExecutor of their own, outside the configured count (getOneOffExecutors).
 */
abstract class Computer extends Actionable {
    protected final CopyOnWriteArrayList<Executor> executors = new CopyOnWriteArrayList<Executor>()
    protected final CopyOnWriteArrayList<OneOffExecutor> oneOffExecutors = new CopyOnWriteArrayList<OneOffExecutor>()
    protected int numExecutors
    protected volatile OfflineCause offlineCause
    protected String nodeName
    protected final Object statusChangeLock = new Object()
    private volatile long connectTime = 0

    protected Computer(Node node) {
        setNode(node)
    }

    /** The cause of the temporary offline state if any, else of the disconnection. */
    OfflineCause getOfflineCause() {
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
        Node node = getNode()
        return node != null && node.isTemporarilyOffline()
    }

    void setOfflineCause(OfflineCause cause) {
        this.offlineCause = cause
    }

    @Deprecated
    void setTemporarilyOffline(boolean temporarilyOffline) {
        setTemporaryOfflineCause(temporarilyOffline ? new OfflineCause.LegacyOfflineCause() : null)
    }

    @Deprecated
    void setTemporarilyOffline(boolean temporarilyOffline, OfflineCause cause) {
        if (cause == null) {
            setTemporarilyOffline(temporarilyOffline)
        } else {
            setTemporaryOfflineCause(temporarilyOffline ? cause : null)
        }
    }

    void setTemporaryOfflineCause(OfflineCause temporaryOfflineCause) {
        Node node = getNode()
        if (node == null) {
            throw new IllegalStateException("Can't set a temporary offline cause if the node has been removed")
        }
        node.setTemporaryOfflineCause(temporaryOfflineCause)
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
