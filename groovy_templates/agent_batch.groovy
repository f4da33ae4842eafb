{#-
  agent_batch: many operations in one request (GearmanJenkinsAgent.call):
  reserve, release, schedule, stop, describe, find.
  Payload: {"nonce", "version", "ops": [{"op": ..., ...}], "lease": {"name", "instance", "epoch"}}.
  Reply: {"epoch", "result": [one result per op, in order]}; an op that throws
  answers {"status": "error", "reason": one line} and the others still run; a
  batch whose lease is not the current one answers {"status": "fenced", "lease"}
  for every op and does nothing.
-#}
{% extends "_call_agent.groovy" %}
{% block call %}agent.call(payload.ops, payload.lease){% endblock %}
