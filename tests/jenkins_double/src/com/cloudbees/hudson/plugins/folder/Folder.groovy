package com.cloudbees.hudson.plugins.folder

import hudson.model.DirectlyModifiableTopLevelItemGroup
import hudson.model.ItemGroup
import hudson.model.Items
import hudson.model.TopLevelItem
import hudson.model.listeners.ItemListener
import jenkins.model.Jenkins

/**
 * Mirrors cloudbees-folder-plugin's src/main/java/com/cloudbees/hudson/plugins/folder/Folder.java:
 * a plain folder, which items can be created in (createProject, as ItemGroupMixIn does:
 * name checks, save, add, ItemListener.onCreated) and moved into and out of (Items.move).
 * No folder properties, views, health metrics or icons.
 */
class Folder extends AbstractFolder<TopLevelItem> implements DirectlyModifiableTopLevelItemGroup {
    Folder(ItemGroup parent, String name) {
        super(parent, name)
    }

    /** Creates, saves and adds an item of the type (constructor (ItemGroup, String)), then fires onCreated. */
    synchronized public <T extends TopLevelItem> T createProject(Class<T> type, String name) throws IOException {
        Items.verifyItemDoesNotAlreadyExist(this, name, null)
        Jenkins.checkGoodName(name)
        T item = type.getConstructor(ItemGroup.class, String.class).newInstance(this, name)
        item.save()
        itemsPut(item.getName(), item)
        ItemListener.fireOnCreated(item)
        return item
    }

    boolean canAdd(TopLevelItem item) {
        return true
    }

    public <I extends TopLevelItem> I add(I item, String name) throws IOException, IllegalArgumentException {
        if (!canAdd(item)) {
            throw new IllegalArgumentException()
        }
        addLoadedChild(item, name)
        return item
    }

    void remove(TopLevelItem item) throws IOException, IllegalArgumentException {
        this.@items.remove(item.getName())
    }
}
