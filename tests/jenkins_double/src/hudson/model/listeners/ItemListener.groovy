package hudson.model.listeners

import hudson.ExtensionList
import hudson.ExtensionPoint
import hudson.model.Item
import java.util.function.Consumer
import jenkins.util.Listeners

/**
 * Mirrors core/src/main/java/hudson/model/listeners/ItemListener.java. As in Jenkins,
 * onUpdated is fired by disable/enable (makeDisabled) and setDescription, not by save().
 */
class ItemListener implements ExtensionPoint {
    void onCreated(Item item) {}

    void onCopied(Item src, Item item) {
        onCreated(item)
    }

    void onLoaded() {}

    void onDeleted(Item item) {}

    void onRenamed(Item item, String oldName, String newName) {}

    void onLocationChanged(Item item, String oldFullName, String newFullName) {}

    void onUpdated(Item item) {}

    void onBeforeShutdown() {}

    void register() {
        all().add(this)
    }

    static ExtensionList<ItemListener> all() {
        return ExtensionList.lookup(ItemListener.class)
    }

    static void fireOnCreated(final Item item) {
        Listeners.notify(ItemListener.class, false, { ItemListener l -> l.onCreated(item) } as Consumer<ItemListener>)
    }

    static void fireOnUpdated(final Item item) {
        Listeners.notify(ItemListener.class, false, { ItemListener l -> l.onUpdated(item) } as Consumer<ItemListener>)
    }

    static void fireOnDeleted(final Item item) {
        Listeners.notify(ItemListener.class, false, { ItemListener l -> l.onDeleted(item) } as Consumer<ItemListener>)
    }

    /** A top-level item renamed: onRenamed, then onLocationChanged. */
    static void fireLocationChange(final Item rootItem, final String oldFullName) {
        final String newFullName = rootItem.getFullName()
        final String newName = rootItem.getName()
        if (oldFullName.indexOf('/') == -1) {
            Listeners.notify(ItemListener.class, false, { ItemListener l -> l.onRenamed(rootItem, oldFullName, newName) } as Consumer<ItemListener>)
        }
        Listeners.notify(ItemListener.class, false, { ItemListener l -> l.onLocationChanged(rootItem, oldFullName, newFullName) } as Consumer<ItemListener>)
    }
}
