{#-
  agent_inventory: a full picture of the master (GearmanJenkinsAgent.inventory()).
  Payload: {"nonce", "version"}. Reply: {"epoch", "result": {seq, quieting_down,
  nodes, jobs, running, builds}}; events after `seq` bring it up to date.
-#}
{% extends "_call_agent.groovy" %}
{% block call %}agent.inventory(){% endblock %}
