package hudson.model.listeners

import hudson.ExtensionList
import hudson.ExtensionPoint
import hudson.model.Item
import hudson.model.ItemGroup
import hudson.model.Items
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

    /**
     * An item was renamed or moved: onRenamed when it stayed in the same parent, then
     * onLocationChanged for it and, for a folder, for every item inside it (old and new
     * full names), as Jenkins does.
     */
    static void fireLocationChange(final Item rootItem, final String oldFullName) {
        String prefix = rootItem.getParent().getFullName()
        if (!prefix.isEmpty()) {
            prefix += '/'
        }
        final String newFullName = rootItem.getFullName()
        int prefixS = prefix.length()
        if (oldFullName.startsWith(prefix) && oldFullName.indexOf('/', prefixS) == -1) {
            final String oldName = oldFullName.substring(prefixS)
            final String newName = rootItem.getName()
            Listeners.notify(ItemListener.class, false, { ItemListener l -> l.onRenamed(rootItem, oldName, newName) } as Consumer<ItemListener>)
        }
        Listeners.notify(ItemListener.class, false, { ItemListener l -> l.onLocationChanged(rootItem, oldFullName, newFullName) } as Consumer<ItemListener>)
        if (rootItem instanceof ItemGroup) {
            for (final Item child : Items.allItems((ItemGroup) rootItem, Item.class)) {
                final String childNew = child.getFullName()
                final String childOld = oldFullName + childNew.substring(newFullName.length())
                Listeners.notify(ItemListener.class, false, { ItemListener l -> l.onLocationChanged(child, childOld, childNew) } as Consumer<ItemListener>)
            }
        }
    }
}
