{#-
  agent_probe: is an agent installed, which version, which epoch?
  Payload: {"nonce"}. Reply: {"installed": bool, "version", "epoch", "jenkins_version", "agents": n}
  Jenkins APIs: hudson/ExtensionList.java (lookup), jenkins/model/Jenkins.java (VERSION).
-#}
{% include "_payload.groovy" %}
def agents = []
for (candidate in hudson.ExtensionList.lookup(hudson.model.queue.QueueTaskDispatcher)) {
    if (candidate.getClass().getName() == 'GearmanJenkinsAgent' && !candidate.stopped) {
        agents << candidate
    }
}
def reply = [installed: !agents.isEmpty(), agents: agents.size(), version: agents ? agents[0].version : null,
             epoch: agents ? agents[0].epoch : null, jenkins_version: jenkins.model.Jenkins.VERSION]
{% include "_reply.groovy" %}
