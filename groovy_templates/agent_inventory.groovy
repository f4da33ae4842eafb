{#-
  agent_inventory: a full picture of the master (GearmanJenkinsAgent.inventory()).
  Payload: {"nonce", "version", "with_records"}. Reply: {"epoch", "result": {seq,
  version, quieting_down, nodes, jobs, running, builds, held, records_complete, stats,
  and with_records: finished (uuids of finished and cancelled Gearman builds)}};
  events after `seq` bring it up to date.
-#}
{% extends "_call_agent.groovy" %}
{% block call %}agent.inventory(payload.with_records as boolean){% endblock %}
