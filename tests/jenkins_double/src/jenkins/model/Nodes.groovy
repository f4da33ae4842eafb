package jenkins.model

import hudson.model.Saveable

/**
 * Mirrors core/src/main/java/jenkins/model/Nodes.java as the Saveable that
 * Nodes.persistNode names when it tells SaveableListeners a node was written, and for
 * replaceNode (Computer.updateByXml); the node map itself lives in the double's Jenkins.
 */
class Nodes implements Saveable {
    private final Jenkins jenkins

    Nodes(Jenkins jenkins) {
        this.jenkins = jenkins
    }

    @Override
    void save() throws IOException {
        for (hudson.model.Node n : jenkins.getNodes()) {
            jenkins.saveNode(n)
        }
    }

    /** Puts newOne in oldOne's place if oldOne is still the node of its name; false otherwise. */
    boolean replaceNode(hudson.model.Node oldOne, hudson.model.Node newOne) throws IOException {
        return jenkins.replaceNodeInMap(oldOne, newOne)
    }
}
