package hudson.model

import hudson.security.AccessControlled
import hudson.security.Permission
import hudson.security.PermissionGroup

/**
 * Mirrors core/src/main/java/hudson/model/Item.java: a named thing in an ItemGroup (here:
 * a job), access-controlled; with the Job permissions (READ, DISCOVER, CONFIGURE, BUILD,
 * CANCEL, ...) and their implications as in Jenkins.
 */
interface Item extends ModelObject, Saveable, AccessControlled {
    PermissionGroup PERMISSIONS = new PermissionGroup(Item.class, "Job")
    Permission CREATE = new Permission(PERMISSIONS, "Create", Permission.CREATE)
    Permission DELETE = new Permission(PERMISSIONS, "Delete", Permission.DELETE)
    Permission CONFIGURE = new Permission(PERMISSIONS, "Configure", Permission.CONFIGURE)
    Permission READ = new Permission(PERMISSIONS, "Read", Permission.READ)
    Permission DISCOVER = new Permission(PERMISSIONS, "Discover", READ)
    Permission BUILD = new Permission(PERMISSIONS, "Build", Permission.UPDATE)
    Permission WORKSPACE = new Permission(PERMISSIONS, "Workspace", Permission.READ)
    Permission CANCEL = new Permission(PERMISSIONS, "Cancel", Permission.UPDATE)

    ItemGroup<? extends Item> getParent()
    String getName()
    String getFullName()
    String getDisplayName()
    String getFullDisplayName()
    String getUrl()
    void delete() throws IOException, InterruptedException
}
