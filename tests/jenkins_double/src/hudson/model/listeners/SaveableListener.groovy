package hudson.model.listeners

import hudson.ExtensionList
import hudson.ExtensionPoint
import hudson.XmlFile
import hudson.model.Saveable
import java.util.function.Consumer
import jenkins.util.Listeners

/**
 * Mirrors core/src/main/java/hudson/model/listeners/SaveableListener.java: told
 * whenever a Saveable is written. Fired, as in Jenkins, by AbstractItem.save (jobs),
 * Jenkins.save, Nodes.persistNode (with the Nodes object) and Run.save.
 */
abstract class SaveableListener implements ExtensionPoint {
    void onChange(Saveable o, XmlFile file) {}

    void onDeleted(Saveable o, XmlFile file) {}

    static void fireOnChange(final Saveable o, final XmlFile file) {
        Listeners.notify(SaveableListener.class, false, { SaveableListener l -> l.onChange(o, file) } as Consumer<SaveableListener>)
    }

    static void fireOnDeleted(final Saveable o, final XmlFile file) {
        Listeners.notify(SaveableListener.class, false, { SaveableListener l -> l.onDeleted(o, file) } as Consumer<SaveableListener>)
    }

    static ExtensionList<SaveableListener> all() {
        return ExtensionList.lookup(SaveableListener.class)
    }
}
