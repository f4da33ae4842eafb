package jenkins.model

import hudson.model.Saveable

/**
 * Mirrors core/src/main/java/jenkins/model/Nodes.java only as the Saveable that
 * Nodes.persistNode names when it tells SaveableListeners a node was written; the
 * node map itself lives in the double's Jenkins.
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
}
