package jenkins.model

import hudson.ExtensionList
import hudson.ExtensionPoint
import hudson.model.Node
import java.util.function.Consumer
import jenkins.util.Listeners

/** Mirrors core/src/main/java/jenkins/model/NodeListener.java: fired by addNode, updateNode, removeNode. */
abstract class NodeListener implements ExtensionPoint {
    protected void onCreated(Node node) {}

    protected void onUpdated(Node oldOne, Node newOne) {}

    protected void onDeleted(Node node) {}

    static void fireOnCreated(final Node node) {
        Listeners.notify(NodeListener.class, false, { NodeListener l -> l.onCreated(node) } as Consumer<NodeListener>)
    }

    static void fireOnUpdated(final Node oldOne, final Node newOne) {
        Listeners.notify(NodeListener.class, false, { NodeListener l -> l.onUpdated(oldOne, newOne) } as Consumer<NodeListener>)
    }

    static void fireOnDeleted(final Node node) {
        Listeners.notify(NodeListener.class, false, { NodeListener l -> l.onDeleted(node) } as Consumer<NodeListener>)
    }

    static ExtensionList<NodeListener> all() {
        return ExtensionList.lookup(NodeListener.class)
    }
}
