{#-
  agent: the resident gearman-jenkins agent, installed once into a master and
  kept in its memory. Later calls are tiny scripts that find it through the
  QueueTaskDispatcher extension list and call its methods. Its classes live
  in the _agent_*.groovy parts, joined here into the one posted script (the
  agent version hashes every template, parts included):

    _agent_event_log.groovy   events with gapless sequence numbers, long-polled
    _agent_pipelines.groovy   Pipeline jobs, runs and node blocks, recognised by class name
    _agent_holds.groovy       executors held for Gearman builds: reservations, pins
    _agent_lease.groovy       which controller owns the master; fences everyone else
    _agent_records.groovy     the master's record of Gearman builds, by uuid
    _agent_shapes.groovy      node and job shapes; only changes become events
    _agent_operations.groovy  what the controller asks in batches
    _agent_listeners.groovy   the listeners, and the small classes they share
    _agent_core.groovy        the agent: dispatcher, life cycle, build events, inventory

  Installing is idempotent: an agent of the same version is left alone; one
  of another version is replaced: the new agent registers its dispatcher and
  listeners, then takes over the old one's state (pins of builds still
  queued, reservations, handovers, the record of Gearman builds), then the
  old one is shut down (its listeners and dispatcher removed), so that no
  queue maintenance runs without a dispatcher holding the pins.

  Nothing this agent attaches to what Jenkins persists is an instance of a
  class defined here: builds are marked with core classes only (a
  ParametersAction holding GEARMAN_UUID, a CauseAction with
  Cause.RemoteCause("gearman", uuid)); pinning a queued build to its node
  is done by this QueueTaskDispatcher, in memory.

  Payload: {"nonce", "version", "event_limit", "record_limit", "record_age_ms"}
  Reply:   {"installed": bool, "replaced": [old versions], "epoch", "version"}

  Each part names the Jenkins core (and plugin) source files of the APIs it uses.
-#}
import hudson.XmlFile
import hudson.init.InitMilestone
import hudson.model.AbstractBuild
import hudson.model.AbstractProject
import hudson.model.Cause
import hudson.model.CauseAction
import hudson.model.Computer
import hudson.model.Item
import hudson.model.ItemGroup
import hudson.model.Items
import hudson.model.Job
import hudson.model.Label
import hudson.model.Node
import hudson.model.ParametersAction
import hudson.model.ParametersDefinitionProperty
import hudson.model.Queue
import hudson.model.Result
import hudson.model.Run
import hudson.model.Saveable
import hudson.model.StringParameterValue
import hudson.model.TaskListener
import hudson.model.listeners.ItemListener
import hudson.model.listeners.RunListener
import hudson.model.listeners.SaveableListener
import hudson.model.queue.CauseOfBlockage
import hudson.model.queue.QueueListener
import hudson.model.queue.QueueTaskDispatcher
import hudson.slaves.ComputerListener
import hudson.slaves.OfflineCause
import jenkins.model.Jenkins
import jenkins.model.NodeListener
import jenkins.model.Nodes

import java.util.logging.Level
import java.util.logging.Logger

{% include "_agent_event_log.groovy" %}
{% include "_agent_pipelines.groovy" %}
{% include "_agent_holds.groovy" %}
{% include "_agent_lease.groovy" %}
{% include "_agent_records.groovy" %}
{% include "_agent_shapes.groovy" %}
{% include "_agent_operations.groovy" %}
{% include "_agent_listeners.groovy" %}
{% include "_agent_core.groovy" %}

{% include "_payload.groovy" %}
{% include "_extension_types.groovy" %}
{% include "_find_agent.groovy" %}
def installed = agents
def reply
if (installed.size() == 1 && installed[0].version == payload.version) {
    reply = [installed: false, replaced: [], epoch: installed[0].epoch, version: payload.version]
} else {
    // Strays of an interrupted install: any extension of ours not owned by a running agent.
    def owned = []
    installed.each { running ->
        try {
            owned.addAll(running.registrations.collect { it[1] })
        } catch (Exception e) {
            owned << running
        }
    }
    extensionTypes.each { type ->
        def list = hudson.ExtensionList.lookup(type)
        list.findAll { it.getClass().getName().startsWith('GearmanJenkins') && !owned.any { mine -> mine.is(it) } }.each { list.remove(it) }
    }
    def fresh = new GearmanJenkinsAgent(payload.version as String, payload.event_limit as int, payload.record_limit as int,
                                        payload.record_age_ms as long)
    fresh.start(installed)
    installed.each { it.shutdown() }
    reply = [installed: true, replaced: installed.collect { it.version }, epoch: fresh.epoch, version: payload.version]
}
{% include "_reply.groovy" %}
