// Adds (or replaces) a permanent agent the way one would on a real Jenkins.
// Data (JSON, base64): name, remote_fs, labels, executors, mode (NORMAL|EXCLUSIVE).
// Prints the node name. Jenkins APIs: DumbSlave(name, remoteFS, launcher) and its
// setters, Jenkins.addNode.
import hudson.model.Node
import hudson.slaves.DumbSlave
import hudson.slaves.JNLPLauncher
import hudson.slaves.RetentionStrategy

def data = new groovy.json.JsonSlurper().parseText(new String(Base64.decoder.decode('@@DATA@@'), 'UTF-8'))
def agent = new DumbSlave(data.name, data.remote_fs, new JNLPLauncher())
agent.setNumExecutors(data.executors as int)
agent.setLabelString(data.labels)
agent.setMode(Node.Mode.valueOf(data.mode))
agent.setRetentionStrategy(new RetentionStrategy.Always())
jenkins.model.Jenkins.get().addNode(agent)
println agent.nodeName
