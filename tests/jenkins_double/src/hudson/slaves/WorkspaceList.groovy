package hudson.slaves

/**
 * Mirrors core/src/main/java/hudson/slaves/WorkspaceList.java: workspaces in use, so two
 * builds never share one (the second gets "ws@2", then "@3"...). Jenkins keeps one list
 * per computer; the double one list of paths (each node's workspaces live under its own
 * root, so this is the same), shared by freestyle builds and Pipeline node blocks.
 */
final class WorkspaceList {
    static final String COMBINATOR = "@"
    private static final WorkspaceList INSTANCE = new WorkspaceList()
    private final Set<String> inUse = new HashSet<String>()

    static WorkspaceList get() {
        return INSTANCE
    }

    /** The base path, or the first free "base@N". */
    synchronized Lease allocate(File base) {
        String candidate = base.getPath()
        int i = 2
        while (inUse.contains(candidate)) {
            candidate = base.getPath() + COMBINATOR + (i++)
        }
        inUse.add(candidate)
        return new Lease(this, new File(candidate))
    }

    private synchronized void release(File path) {
        inUse.remove(path.getPath())
    }

    /** Jenkins' WorkspaceList.tempDir: "ws@tmp". */
    static File tempDir(File ws) {
        return new File(ws.getPath() + COMBINATOR + "tmp")
    }

    static final class Lease {
        final File path
        private final WorkspaceList list
        private boolean released

        private Lease(WorkspaceList list, File path) {
            this.list = list
            this.path = path
        }

        synchronized void release() {
            if (!released) {
                released = true
                list.release(path)
            }
        }
    }
}
