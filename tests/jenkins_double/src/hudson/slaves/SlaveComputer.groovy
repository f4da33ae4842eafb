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
 * Launches and disconnects run as SYSTEM, as on Jenkins' remoting threads.
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

    /** Brings the agent online now: onOnline fires (as SYSTEM) and the queue is told. */
    @Override
    protected Future<?> _connect(boolean forceReconnect) {
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
