package jenkins.model

import hudson.XmlFile
import hudson.model.Node
import hudson.model.Saveable
import hudson.model.Slave
import hudson.model.listeners.SaveableListener
import jenkinsdouble.NodeStore

/**
 * Mirrors core/src/main/java/jenkins/model/Nodes.java as the persistence root of agents:
 * getConfigFile(node) is nodes/NAME/config.json (Jenkins: config.xml); save() writes
 * every agent and fires SaveableListener.onChange(this Nodes object, that agent's file)
 * once per agent, as Jenkins.setNodes does. The node map itself lives in the double's
 * Jenkins; a single node's own save() (addNode, updateNode) fires with the Node instead.
 */
class Nodes implements Saveable {
    private final Jenkins jenkins

    Nodes(Jenkins jenkins) {
        this.jenkins = jenkins
    }

    File getRootDir() {
        return new File(jenkins.getRootDir(), "nodes")
    }

    XmlFile getConfigFile(Node node) {
        return new XmlFile(new File(new File(getRootDir(), node.getNodeName()), "config.json"))
    }

    /** Not in Jenkins (XmlFile.write there): writes an agent's file; the double persists Slave agents only. */
    void write(Node node) throws IOException {
        if (node instanceof Slave) {
            NodeStore.save(jenkins, (Slave) node)
        }
    }

    @Override
    void save() throws IOException {
        for (Node n : jenkins.getNodes()) {
            XmlFile file = getConfigFile(n)
            write(n)
            SaveableListener.fireOnChange(this, file)
        }
    }

    /** Puts newOne in oldOne's place if oldOne is still the node of its name; false otherwise. */
    boolean replaceNode(hudson.model.Node oldOne, hudson.model.Node newOne) throws IOException {
        return jenkins.replaceNodeInMap(oldOne, newOne)
    }
}
