package hudson.slaves

import hudson.model.Node

/** Mirrors core/src/main/java/hudson/slaves/NodeProperty.java; the double keeps properties but no property has behaviour. */
abstract class NodeProperty<N extends Node> implements Serializable {
    protected transient N node

    protected void setNode(N node) {
        this.node = node
    }
}
