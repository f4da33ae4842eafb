package com.cloudbees.hudson.plugins.folder

import hudson.model.AbstractItem
import hudson.model.Item
import hudson.model.ItemGroup
import hudson.model.Job
import hudson.model.Queue
import hudson.model.TopLevelItem
import hudson.model.listeners.ItemListener
import hudson.model.listeners.SaveableListener
import java.util.concurrent.ConcurrentSkipListMap
import jenkins.model.Jenkins
import jenkinsdouble.JobStore
import org.kohsuke.stapler.HttpRedirect
import org.kohsuke.stapler.HttpResponse

/**
 * Mirrors cloudbees-folder-plugin's
 * src/main/java/com/cloudbees/hudson/plugins/folder/AbstractFolder.java: an item that holds
 * items. Children live in jobs/NAME/jobs/CHILD; full names "a/b/job"; URLs "job/a/job/b/".
 * save() also fires ItemListener.onUpdated, as the plugin does.
 *
 * Disabling: the plugin's AbstractFolder is never disabled (isDisabled() false,
 * supportsMakeDisabled() false, so makeDisabled(true) does nothing); only folder types that
 * override those (computed folders such as multibranch projects) can be, and then the
 * plugin's FolderJobQueueDecisionHandler refuses to schedule jobs inside them. A plain
 * Folder therefore never makes its jobs unbuildable.
 */
abstract class AbstractFolder<I extends TopLevelItem> extends AbstractItem implements TopLevelItem, ItemGroup<I> {
    /** Child items by name, case-insensitive, as in the plugin. */
    protected final transient Map<String, I> items = new ConcurrentSkipListMap<String, I>(String.CASE_INSENSITIVE_ORDER)

    protected AbstractFolder(ItemGroup parent, String name) {
        super(parent, name)
    }

    protected File getJobsDir() {
        return new File(getRootDir(), "jobs")
    }

    File getRootDirFor(I child) {
        return new File(getJobsDir(), child.getName())
    }

    String getUrlChildPrefix() {
        return "job"
    }

    /** For URL binding (job/NAME). */
    I getJob(String name) {
        return getItem(name)
    }

    Collection<I> getItems() {
        return new ArrayList<I>(items.values())
    }

    I getItem(String name) {
        return name == null ? null : items.get(name)
    }

    /** Every job in this folder and the folders inside it. */
    Collection<? extends Job> getAllJobs() {
        Set<Job> jobs = new HashSet<Job>()
        for (Item i : getItems()) {
            if (i instanceof Job) {
                jobs.add((Job) i)
            } else if (i instanceof AbstractFolder) {
                jobs.addAll(((AbstractFolder) i).getAllJobs())
            }
        }
        return jobs
    }

    protected final I itemsPut(String name, I item) {
        return items.put(name, item)
    }

    /** Adds an item loaded from disk or moved here. */
    void addLoadedChild(I item, String name) throws IOException, IllegalArgumentException {
        if (items.containsKey(name)) {
            throw new IllegalArgumentException("already an item '" + name + "'")
        }
        itemsPut(item.getName(), item)
    }

    void onRenamed(I item, String oldName, String newName) throws IOException {
        items.remove(oldName)
        itemsPut(newName, item)
    }

    void onDeleted(I item) throws IOException {
        ItemListener.fireOnDeleted(item)
        items.remove(item.getName())
    }

    /** Never disabled here; subclasses that support disabling override this. */
    boolean isDisabled() {
        return false
    }

    protected void setDisabled(boolean disabled) {
        throw new UnsupportedOperationException("must be implemented if supportsMakeDisabled is overridden")
    }

    boolean supportsMakeDisabled() {
        return false
    }

    /** No effect unless the folder type supports disabling; enabling always goes through. */
    void makeDisabled(boolean disabled) throws IOException {
        if (isDisabled() == disabled) {
            return
        }
        if (disabled && !supportsMakeDisabled()) {
            return
        }
        setDisabled(disabled)
        if (disabled && this instanceof Queue.Task) {
            Jenkins.get().getQueue().cancel((Queue.Task) this)
        }
        save()
        ItemListener.fireOnUpdated(this)
    }

    HttpResponse doDisable() throws IOException {
        makeDisabled(true)
        return new HttpRedirect(".")
    }

    HttpResponse doEnable() throws IOException {
        makeDisabled(false)
        return new HttpRedirect(".")
    }

    /** Writes the folder's configuration and fires ItemListener.onUpdated. */
    synchronized void save() throws IOException {
        JobStore.saveConfig(this)
        SaveableListener.fireOnChange(this, new hudson.XmlFile(new File(getRootDir(), "config.json")))
        ItemListener.fireOnUpdated(this)
    }

    /** Renames the folder (its items' full names change with it). */
    @Override
    void renameTo(String newName) throws IOException {
        super.renameTo(newName)
    }
}
