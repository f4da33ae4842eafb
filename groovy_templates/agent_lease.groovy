{#-
  agent_lease: acquire or give back the lease on this master
  (GearmanJenkinsAgent.leaseRequest, GearmanJenkinsLease).
  Payload: {"nonce", "version", "action": "acquire"|"release", "name", "instance", "epoch", "ttl_ms"}.
  Reply: {"epoch", "result": {"owner", "instance", "epoch", "remaining_ms", "held_ms",
  and for acquire "granted", "new_epoch"}}.
-#}
{% extends "_call_agent.groovy" %}
{% block call %}agent.leaseRequest(payload){% endblock %}
