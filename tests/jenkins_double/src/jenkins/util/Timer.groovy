package jenkins.util

import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.ScheduledThreadPoolExecutor
import java.util.concurrent.ThreadFactory
import java.util.concurrent.atomic.AtomicInteger

/**
 * Mirrors core/src/main/java/jenkins/util/Timer.java: the shared pool for short background
 * work (the plugins' interrupt handling and cleanups run on it, as in Jenkins).
 */
class Timer {
    private static ScheduledExecutorService executorService

    static synchronized ScheduledExecutorService get() {
        if (executorService == null) {
            final AtomicInteger n = new AtomicInteger()
            executorService = new ScheduledThreadPoolExecutor(4, { Runnable r ->
                Thread t = new Thread(r, "jenkins.util.Timer [#" + n.incrementAndGet() + "]")
                t.setDaemon(true)
                return t
            } as ThreadFactory)
        }
        return executorService
    }
}
