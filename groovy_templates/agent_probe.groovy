{#-
  agent_probe: is an agent installed, which version, which epoch?
  Payload: {"nonce"}. Reply: {"installed": bool, "version", "epoch", "jenkins_version", "agents": n,
  "lease": {"owner", "epoch", "remaining_ms", "held_ms", ...} or null (no agent, or one without leases)}
  Jenkins APIs: hudson/ExtensionList.java (lookup), jenkins/model/Jenkins.java (VERSION).
-#}
{% include "_payload.groovy" %}
{% include "_find_agent.groovy" %}
def reply = [installed: agent != null, agents: agents.size(), version: agent?.version, epoch: agent?.epoch,
             jenkins_version: jenkins.model.Jenkins.VERSION,
             lease: agent != null && agent.hasProperty('lease') ? agent.lease.state() : null]
{% include "_reply.groovy" %}
