{#-
  The frame of every call into the resident agent: decodes the data, finds
  the agent, refuses one of another version, and prints the framed reply.
  Each call template extends it and fills the `call` block with one
  expression of `agent` and `payload`.
-#}
{% include "_payload.groovy" %}
{% include "_find_agent.groovy" %}
def reply
if (agent == null) {
    reply = [error: 'agent_missing']
} else if (agent.version != payload.version) {
    reply = [error: 'version_mismatch', installed: agent.version]
} else {
    reply = [epoch: agent.epoch, result: {% block call %}{% endblock %}]
}
{% include "_reply.groovy" %}
