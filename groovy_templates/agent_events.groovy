{#-
  agent_events: long-poll for events after a sequence number
  (GearmanJenkinsAgent.events). Blocks this request thread only. A lease of
  the holder ({"name", "instance", "epoch", "ttl_ms"}) is renewed first.
  Payload: {"nonce", "version", "after", "timeout_ms", "linger_ms", "max", "lease"}.
  Reply: {"epoch", "result": {"events": [...], "last_seq", "gap", "stopped",
  "lease": {"owner", "instance", "epoch", "remaining_ms", "held_ms", "granted"?}}}.
-#}
{% extends "_call_agent.groovy" %}
{% block call %}agent.events(payload.after as long, payload.timeout_ms as long, payload.linger_ms as long, payload.max as int, payload.lease){% endblock %}
