package jenkins.util

import hudson.security.ACL
import hudson.security.ACLContext
import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.ScheduledThreadPoolExecutor
import java.util.concurrent.ThreadFactory
import java.util.concurrent.atomic.AtomicInteger
import java.util.logging.Level
import java.util.logging.Logger

/**
 * Mirrors core/src/main/java/jenkins/util/Timer.java: Jenkins' shared scheduler, daemon
 * threads "jenkins.util.Timer [#N]", every task run as ACL.SYSTEM2
 * (ImpersonatingScheduledExecutorService in Jenkins) and its previous context restored
 * after it; an exception a task throws is logged.
 */
class Timer {
    private static ScheduledExecutorService executorService

    static synchronized ScheduledExecutorService get() {
        if (executorService == null) {
            executorService = new SystemScheduler()
        }
        return executorService
    }

    static synchronized void shutdown() {
        if (executorService != null) {
            executorService.shutdownNow()
            executorService = null
        }
    }

    private static class SystemScheduler extends ScheduledThreadPoolExecutor {
        private static final Logger LOGGER = Logger.getLogger(Timer.class.getName())
        private final ThreadLocal<ACLContext> contexts = new ThreadLocal<ACLContext>()

        SystemScheduler() {
            super(10, new DaemonThreads())
        }

        @Override
        protected void beforeExecute(Thread t, Runnable r) {
            contexts.set(ACL.as2(ACL.SYSTEM2))
        }

        @Override
        protected void afterExecute(Runnable r, Throwable t) {
            ACLContext ctx = contexts.get()
            contexts.remove()
            if (ctx != null) {
                ctx.close()
            }
            if (t == null && r instanceof java.util.concurrent.Future && ((java.util.concurrent.Future) r).isDone()) {
                try {
                    ((java.util.concurrent.Future) r).get()
                } catch (java.util.concurrent.CancellationException ignored) {
                    // cancelled, nothing to report
                } catch (java.util.concurrent.ExecutionException e) {
                    t = e.getCause()
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt()
                }
            }
            if (t != null) {
                LOGGER.log(Level.WARNING, "Timer task failed", t)
            }
        }
    }

    private static class DaemonThreads implements ThreadFactory {
        private final AtomicInteger n = new AtomicInteger()

        @Override
        Thread newThread(Runnable r) {
            Thread t = new Thread(r, "jenkins.util.Timer [#" + n.incrementAndGet() + "]")
            t.setDaemon(true)
            return t
        }
    }

    private Timer() {}
}
