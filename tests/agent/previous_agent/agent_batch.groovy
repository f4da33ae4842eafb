{#-
  agent_batch: many operations in one request (GearmanJenkinsAgent.call):
  reserve, release, schedule, stop, describe, offline, find.
  Payload: {"nonce", "version", "ops": [{"op": ..., ...}]}.
  Reply: {"epoch", "result": [one result per op, in order]}; an op that throws
  answers {"status": "error", "reason": one line} and the others still run.
-#}
{% extends "_call_agent.groovy" %}
{% block call %}agent.call(payload.ops){% endblock %}
