{#-
  Shared by every call into the resident agent: refuses an agent of another
  version, then evaluates `call` (a closure given the agent).
-#}
{% include "_find_agent.groovy" %}
def reply
if (agent == null) {
    reply = [error: 'agent_missing']
} else if (agent.version != payload.version) {
    reply = [error: 'version_mismatch', installed: agent.version]
} else {
    reply = [epoch: agent.epoch, result: call(agent)]
}
{% include "_reply.groovy" %}
