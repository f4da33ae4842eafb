package jenkins.util

import hudson.ExtensionList
import hudson.security.ACL
import hudson.security.ACLContext
import java.util.function.Consumer
import java.util.logging.Level
import java.util.logging.Logger

/**
 * Mirrors core/src/main/java/jenkins/util/Listeners.java: calls every registered
 * listener; one that throws is logged (WARNING, under the listener type's logger)
 * and the others still run, so a broken listener never breaks the caller. With
 * asSystem the listeners run as ACL.SYSTEM2 (QueueListener, onOffline, ...), else as
 * whoever the calling thread acts as.
 */
class Listeners {
    static <L> void notify(Class<L> listenerType, boolean asSystem, Consumer<L> notification) {
        if (!asSystem) {
            notifyEach(listenerType, notification)
            return
        }
        ACLContext ctx = ACL.as2(ACL.SYSTEM2)
        try {
            notifyEach(listenerType, notification)
        } finally {
            ctx.close()
        }
    }

    private static <L> void notifyEach(Class<L> listenerType, Consumer<L> notification) {
        for (L listener : ExtensionList.lookup(listenerType)) {
            try {
                notification.accept(listener)
            } catch (Throwable x) {
                Logger.getLogger(listenerType.getName()).log(Level.WARNING, "listener " + listener.getClass().getName() + " failed", x)
            }
        }
    }

    private Listeners() {}
}
