package hudson.model

import hudson.model.listeners.ItemListener
import hudson.security.ACL
import hudson.security.Permission
import jenkins.model.Jenkins
import org.springframework.security.core.Authentication

/**
 * Mirrors core/src/main/java/hudson/model/AbstractItem.java: name, description, parent,
 * rename, move and delete. save() persists only; it fires no ItemListener, as in Jenkins.
 */
abstract class AbstractItem extends Actionable implements Item {
    protected transient ItemGroup parent
    protected volatile String name
    protected volatile String description
    private volatile String displayName

    protected AbstractItem(ItemGroup parent, String name) {
        this.parent = parent
        this.name = name
    }

    String getName() {
        return name
    }

    String getDisplayName() {
        return displayName != null ? displayName : getName()
    }

    String getDisplayNameOrNull() {
        return displayName
    }

    void setDisplayName(String displayName) throws IOException {
        this.displayName = hudson.Util.fixEmptyAndTrim(displayName)
        save()
    }

    ItemGroup getParent() {
        return parent
    }

    String getDescription() {
        return description
    }

    /** Saves and fires ItemListener.onUpdated. */
    void setDescription(String description) throws IOException {
        this.description = description
        save()
        ItemListener.fireOnUpdated(this)
    }

    String getFullName() {
        String n = getParent().getFullName()
        return n.isEmpty() ? getName() : n + '/' + getName()
    }

    String getFullDisplayName() {
        String n = getParent().getFullDisplayName()
        return n.isEmpty() ? getDisplayName() : n + " » " + getDisplayName()
    }

    File getRootDir() {
        return getParent().getRootDirFor(this)
    }

    String getUrl() {
        return getParent().getUrl() + "job/" + URLEncoder.encode(getName(), "UTF-8").replace("+", "%20") + "/"
    }

    String getShortUrl() {
        return "job/" + URLEncoder.encode(getName(), "UTF-8").replace("+", "%20") + "/"
    }

    String getAbsoluteUrl() {
        String root = Jenkins.get().getRootUrl()
        if (root == null) {
            throw new IllegalStateException("Root URL isn't configured yet. Cannot compute absolute URL.")
        }
        return root + getUrl()
    }

    /**
     * Renames the item and its directory; fires onRenamed and onLocationChanged
     * (Jenkins: protected here, made public by Job).
     */
    protected void renameTo(String newName) throws IOException {
        if (newName == null) {
            throw new IllegalArgumentException("New name is not given")
        }
        if (this.name.equals(newName)) {
            return
        }
        Jenkins.checkGoodName(newName)
        String oldName = this.name
        String oldFullName = getFullName()
        synchronized (getParent()) {
            if (getParent().getItem(newName) != null) {
                throw new IllegalArgumentException("Job " + newName + " already exists")
            }
            File oldRoot = getRootDir()
            this.name = newName
            File newRoot = getRootDir()
            if (oldRoot.exists() && !oldRoot.renameTo(newRoot)) {
                this.name = oldName
                throw new IOException("Failed to rename " + oldRoot + " to " + newRoot)
            }
            getParent().onRenamed(this, oldName, newName)
        }
        ItemListener.fireLocationChange(this, oldFullName)
    }

    /**
     * Reconfigures this item in place from its config.xml (builds stay); saves (so
     * SaveableListener.onChange fires) and fires ItemListener.onUpdated. See jenkinsdouble.ItemXml.
     */
    void updateByXml(javax.xml.transform.Source source) throws IOException {
        jenkinsdouble.ItemXml.update(this, source)
    }

    /** The item's ACL, from Jenkins' authorization strategy (AbstractItem.getACL). */
    ACL getACL() {
        return Jenkins.get().getAuthorizationStrategy().getACL(this)
    }

    /** AccessControlled's default methods, written out (Groovy 2.4 interfaces have none): SYSTEM may do anything. */
    void checkPermission(Permission permission) {
        if (Jenkins.getAuthentication2().equals(ACL.SYSTEM2)) {
            return
        }
        getACL().checkPermission(permission)
    }

    boolean hasPermission(Permission permission) {
        if (Jenkins.getAuthentication2().equals(ACL.SYSTEM2)) {
            return true
        }
        return getACL().hasPermission(permission)
    }

    boolean hasPermission2(Authentication a, Permission permission) {
        if (a.equals(ACL.SYSTEM2)) {
            return true
        }
        return getACL().hasPermission2(a, permission)
    }

    /** After loading, or after Items.move: the item's parent and name (Jenkins: onLoad(ItemGroup, String)). */
    void onLoad(ItemGroup<? extends Item> parent, String name) throws IOException {
        this.parent = parent
        this.name = name
    }

    /** Called by Items.move once the directory moved and the destination holds the item. */
    void movedTo(DirectlyModifiableTopLevelItemGroup destination, AbstractItem newItem, File destDir) throws IOException {
        newItem.onLoad(destination, name)
    }

    /**
     * Deletes the item: a folder's items first, then running builds aborted, queue items
     * cancelled, files removed, onDeleted fired.
     */
    void delete() throws IOException, InterruptedException {
        if (this instanceof ItemGroup) {
            for (Item i : new ArrayList<Item>(((ItemGroup) this).getItems())) {
                if (i instanceof TopLevelItem) {
                    i.delete()
                }
            }
        }
        performDelete()
        getParent().onDeleted(this)
    }

    protected void performDelete() throws IOException, InterruptedException {
        getRootDir().deleteDir()
    }

    @Override
    String toString() {
        return super.toString() + '[' + getFullName() + ']'
    }
}
