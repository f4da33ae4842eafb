{#-
  agent_events: long-poll for events after a sequence number
  (GearmanJenkinsAgent.events). Blocks this request thread only.
  Payload: {"nonce", "version", "after", "timeout_ms", "linger_ms", "max"}.
  Reply: {"epoch", "result": {"events": [...], "last_seq", "gap", "stopped"}}.
-#}
{% extends "_call_agent.groovy" %}
{% block call %}agent.events(payload.after as long, payload.timeout_ms as long, payload.linger_ms as long, payload.max as int){% endblock %}
