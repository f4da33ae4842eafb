package hudson.security

/**
 * Mirrors core/src/main/java/hudson/security/PermissionGroup.java: permissions of one
 * owner class ("Overall", "Job"). Difference: the owner of the Overall group is
 * hudson.model.Hudson in Jenkins, a class the double does not have, so {@code owner} is
 * null there and only getOwnerClassName() names it.
 */
final class PermissionGroup implements Iterable<Permission> {
    public final Class owner
    public final String title
    private final String ownerClassName
    private final List<Permission> permissions = new java.util.concurrent.CopyOnWriteArrayList<Permission>()

    PermissionGroup(Class owner, String title) {
        this(owner, owner.getName(), title)
    }

    /** The double's constructor for an owner class it does not have. */
    PermissionGroup(Class owner, String ownerClassName, String title) {
        this.owner = owner
        this.ownerClassName = ownerClassName
        this.title = title
    }

    String getId() {
        return ownerClassName
    }

    String getOwnerClassName() {
        return ownerClassName
    }

    void add(Permission p) {
        permissions.add(p)
    }

    List<Permission> getPermissions() {
        return Collections.unmodifiableList(new ArrayList<Permission>(permissions))
    }

    Permission find(String name) {
        for (Permission p : permissions) {
            if (p.name.equals(name)) {
                return p
            }
        }
        return null
    }

    @Override
    Iterator<Permission> iterator() {
        return getPermissions().iterator()
    }

    @Override
    String toString() {
        return "PermissionGroup[" + ownerClassName + "]"
    }
}
