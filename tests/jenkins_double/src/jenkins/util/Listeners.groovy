package jenkins.util

import hudson.ExtensionList
import java.util.function.Consumer
import java.util.logging.Level
import java.util.logging.Logger

/**
 * Mirrors core/src/main/java/jenkins/util/Listeners.java: calls every registered
 * listener; one that throws is logged (WARNING, under the listener type's logger)
 * and the others still run, so a broken listener never breaks the caller.
 */
class Listeners {
    static <L> void notify(Class<L> listenerType, boolean asSystem, Consumer<L> notification) {
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
