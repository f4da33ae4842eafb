{#-
  agent_batch: many operations in one request (GearmanJenkinsAgent.call):
  reserve, release, schedule, stop, describe, offline, find.
  Payload: {"nonce", "version", "ops": [{"op": ..., ...}]}.
  Reply: {"epoch", "result": [one result per op, in order]}.
-#}
{% include "_payload.groovy" %}
def call = { a -> a.call(payload.ops) }
{% include "_call_agent.groovy" %}
