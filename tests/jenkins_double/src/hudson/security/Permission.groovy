package hudson.security

/**
 * Mirrors core/src/main/java/hudson/security/Permission.java: a permission, the one
 * that implies it (impliedBy), its id ("hudson.model.Item.Read"); equal by id. Only the
 * generic permissions are declared here; Item.READ etc. live in hudson.model.Item and
 * Jenkins.ADMINISTER / Jenkins.READ in jenkins.model.Jenkins, as in Jenkins.
 */
final class Permission {
    public final Class owner
    public final PermissionGroup group
    public final String name
    public final Permission impliedBy
    public boolean enabled
    private static final List<Permission> ALL = new java.util.concurrent.CopyOnWriteArrayList<Permission>()

    Permission(PermissionGroup group, String name, Permission impliedBy) {
        this(group, name, impliedBy, true)
    }

    Permission(PermissionGroup group, String name, Permission impliedBy, boolean enable) {
        this.owner = group.owner
        this.group = group
        this.name = name
        this.impliedBy = impliedBy
        this.enabled = enable
        group.add(this)
        ALL.add(this)
    }

    String getId() {
        return group.getOwnerClassName() + '.' + name
    }

    /** The permission with this id among those the double declares, else null. */
    static Permission fromId(String id) {
        for (Permission p : ALL) {
            if (p.getId().equals(id)) {
                return p
            }
        }
        return null
    }

    static List<Permission> getAll() {
        return Collections.unmodifiableList(new ArrayList<Permission>(ALL))
    }

    boolean getEnabled() {
        return enabled
    }

    void setEnabled(boolean enable) {
        enabled = enable
    }

    @Override
    boolean equals(Object o) {
        return o instanceof Permission && getId().equals(((Permission) o).getId())
    }

    @Override
    int hashCode() {
        return getId().hashCode()
    }

    @Override
    String toString() {
        return "Permission[" + (owner != null ? owner.toString() : "class " + group.getOwnerClassName()) + ',' + name + ']'
    }

    public static final PermissionGroup HUDSON_PERMISSIONS = new PermissionGroup(null, "hudson.model.Hudson", "Overall")
    public static final Permission HUDSON_ADMINISTER = new Permission(HUDSON_PERMISSIONS, "Administer", null)
    public static final PermissionGroup GROUP = new PermissionGroup(Permission.class, "Permission")
    public static final Permission FULL_CONTROL = new Permission(GROUP, "FullControl", HUDSON_ADMINISTER)
    public static final Permission READ = new Permission(GROUP, "GenericRead", HUDSON_ADMINISTER)
    public static final Permission WRITE = new Permission(GROUP, "GenericWrite", HUDSON_ADMINISTER)
    public static final Permission CREATE = new Permission(GROUP, "GenericCreate", WRITE)
    public static final Permission UPDATE = new Permission(GROUP, "GenericUpdate", WRITE)
    public static final Permission DELETE = new Permission(GROUP, "GenericDelete", WRITE)
    public static final Permission CONFIGURE = new Permission(GROUP, "GenericConfigure", UPDATE)
}
