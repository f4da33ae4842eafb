package hudson.slaves

import hudson.model.Computer
import hudson.model.Executor
import hudson.model.Queue
import hudson.model.Slave
import hudson.model.TaskListener
import hudson.security.ACL
import hudson.security.ACLContext
import hudson.util.StreamTaskListener
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.Future
import java.util.function.Consumer
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins
import jenkins.util.Listeners

/**
 * Mirrors core/src/main/java/hudson/slaves/SlaveComputer.java. There is no remoting
 * channel: "connected" is a flag. connect() sets it at once, whatever the launcher
 * (in Jenkins an agent process must connect; documented difference). disconnect()
 * clears it on a background thread like Jenkins, fires onOffline, and builds running
 * on the agent lose their channel: their step fails and they end FAILURE.
 *
 * Launches run as SYSTEM, as on Jenkins' remoting threads. While Jenkins boots, no agent
 * connects (inbound agents cannot reach a Jenkins that is still starting; other
 * launches take longer than the boot): connect() is held and the held launches
 * complete once the boot is over (Main releases them after the built-in node's
 * onOnline), so ComputerListener.onOnline of agents comes after the built-in node's.
 */
class SlaveComputer extends Computer {
    private static final Logger LOGGER = Logger.getLogger(SlaveComputer.class.getName())
    /** Jenkins: Computer.threadPoolForRemoting. */
    private static final ExecutorService THREAD_POOL = Executors.newCachedThreadPool({ Runnable r ->
        Thread t = new Thread(r, "Computer.threadPoolForRemoting")
        t.setDaemon(true)
        return t
    } as java.util.concurrent.ThreadFactory)

    private volatile boolean connected
    /** Launches held while Jenkins boots (null: not holding). */
    private static List<Object[]> heldLaunches = null

    SlaveComputer(Slave slave) {
        super(slave)
    }

    @Override
    boolean isConnected() {
        return connected
    }

    @Override
    Slave getNode() {
        return (Slave) super.getNode()
    }

    @Override
    RetentionStrategy getRetentionStrategy() {
        Slave n = getNode()
        return n == null ? RetentionStrategy.NOOP : n.getRetentionStrategy()
    }

    ComputerLauncher getLauncher() {
        Slave n = getNode()
        return n == null ? null : n.getLauncher()
    }

    /** Not in Jenkins: from now on, launches wait for releaseLaunches() (the double's boot). */
    static synchronized void holdLaunches() {
        heldLaunches = new ArrayList<Object[]>()
    }

    /** Not in Jenkins: completes the launches held since holdLaunches(), in the order they were asked for. */
    static void releaseLaunches() {
        List<Object[]> held
        synchronized (SlaveComputer.class) {
            held = heldLaunches
            heldLaunches = null
        }
        for (Object[] launch : held ?: []) {
            SlaveComputer c = (SlaveComputer) launch[0]
            CompletableFuture<Object> f = (CompletableFuture<Object>) launch[1]
            try {
                if (c.getNode() != null) {
                    c.launchNow()
                }
                f.complete(null)
            } catch (Throwable t) {
                f.completeExceptionally(t)
            }
        }
    }

    /** Brings the agent online now (or, while Jenkins boots, once the boot is over): onOnline fires and the queue is told. */
    @Override
    protected Future<?> _connect(boolean forceReconnect) {
        if (connected) {
            return CompletableFuture.completedFuture(null)
        }
        synchronized (SlaveComputer.class) {
            if (heldLaunches != null) {
                CompletableFuture<Object> f = new CompletableFuture<Object>()
                heldLaunches.add([this, f] as Object[])
                return f
            }
        }
        launchNow()
        return CompletableFuture.completedFuture(null)
    }

    private void launchNow() {
        if (connected) {
            return
        }
        synchronized (statusChangeLock) {
            connected = true
            offlineCause = null
            statusChangeLock.notifyAll()
        }
        final Computer self = this
        final TaskListener listener = new StreamTaskListener(new jenkinsdouble.LogOutputStream(LOGGER, "agent " + getName()))
        ACLContext ctx = ACL.as2(ACL.SYSTEM2)
        try {
            restoreTemporaryOfflineCause()
            Listeners.notify(ComputerListener.class, false, { ComputerListener l -> l.onOnline(self, listener) } as Consumer<ComputerListener>)
        } finally {
            ctx.close()
        }
        Jenkins.get().getQueue().scheduleMaintenance()
    }

    /** Drops the (simulated) channel on a background thread, as Jenkins does. */
    @Override
    Future<?> disconnect(final OfflineCause cause) {
        super.disconnect(cause)
        return THREAD_POOL.submit({
            ACLContext ctx = ACL.as2(ACL.SYSTEM2)
            try {
                closeChannel()
            } finally {
                ctx.close()
            }
        } as Runnable)
    }

    private void closeChannel() {
        boolean wasConnected
        synchronized (statusChangeLock) {
            wasConnected = connected
            connected = false
            statusChangeLock.notifyAll()
        }
        if (!wasConnected) {
            return
        }
        for (Executor e : getExecutors()) {
            Queue.Executable exec = e.getCurrentExecutable()
            if (exec instanceof hudson.model.AbstractBuild) {
                ((hudson.model.AbstractBuild) exec).channelLost(this)
            }
        }
        final Computer self = this
        final OfflineCause cause = offlineCause
        LOGGER.log(Level.INFO, "agent {0} disconnected: {1}", [getName(), cause] as Object[])
        Listeners.notify(ComputerListener.class, true, { ComputerListener l -> l.onOffline(self, cause) } as Consumer<ComputerListener>)
    }
}
