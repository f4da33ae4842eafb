package jenkinsdouble

import groovy.transform.CompileStatic
import hudson.util.VersionNumber

/**
 * Not a Jenkins class: the Jenkins version the double impersonates (--jenkins-version,
 * default 2.479.3) and the behaviours that changed between 2.479.3 and the newest
 * sources, each gated on the first weekly release that has it (read from
 * jenkinsci/jenkins: `git tag --contains COMMIT`). Code in the model asks these
 * predicates instead of comparing versions itself, so every version difference the
 * double knows is listed here.
 */
@CompileStatic
class Versions {
    static final String DEFAULT = "2.479.3"
    private static volatile VersionNumber current = new VersionNumber(DEFAULT)

    /** Set once at boot, before the model exists (Main). */
    static void set(String version) {
        if (!(version ==~ /2\.\d+(\.\d+)?/)) {
            throw new IllegalArgumentException("--jenkins-version takes a Jenkins 2.x release such as 2.479.3 or 2.482, not " + version)
        }
        current = new VersionNumber(version)
    }

    static VersionNumber current() {
        return current
    }

    static boolean atLeast(String version) {
        return current.isNewerThanOrEqualTo(new VersionNumber(version))
    }

    /**
     * 2.482 (b50cf513c1, "Simplify persistence design for temporarily offline status"):
     * Computer.setTemporaryOfflineCause exists, the temporary offline state lives on the
     * Node only (Node.isTemporarilyOffline) and Node.setTemporaryOfflineCause fires
     * onTemporarilyOffline/Online. Before: Computer keeps its own flag and cause,
     * setTemporarilyOffline fires the listeners and pushes the cause to the node.
     */
    static boolean temporaryOfflineCauseOnNode() {
        return atLeast("2.482")
    }

    /** 2.483 (97e1009673): Nodes.setNodes fires NodeListener onCreated/onUpdated under the queue lock, onDeleted after saving. */
    static boolean setNodesFiresNodeListener() {
        return atLeast("2.483")
    }

    /** 2.488 (0235a800b8): setNodes fires onCreated/onUpdated after the new node is in place (before: before putting it). */
    static boolean setNodesFiresAfterPut() {
        return atLeast("2.488")
    }

    /**
     * 2.503 (3198156925, 4859c372e4): Jenkins.updateNode fires NodeListener.onUpdated(n, n),
     * and Node.setTemporaryOfflineCause goes through Jenkins.updateNode (before: Node.save only).
     */
    static boolean updateNodeFiresOnUpdated() {
        return atLeast("2.503")
    }

    /** 2.532 (e45c6140b8): maintain() re-files a still-blocked item as a new BlockedItem, and fatal causes cancel items. */
    static boolean blockedItemRenewedEachMaintenance() {
        return atLeast("2.532")
    }

    /** 2.564 (fea6278fae): setNodes copies each replaced node's temporary offline cause to its successor. */
    static boolean setNodesKeepsTemporaryOfflineCause() {
        return atLeast("2.564")
    }

    private Versions() {}
}
