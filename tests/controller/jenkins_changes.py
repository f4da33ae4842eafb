"""Changes to a master made the way an operator's script would make them.

Each is a fixed Groovy snippet run through the script console; its data
arrives as base64 of JSON (``tests.jenkins_double.groovy_data``), never as
Groovy source.
"""

from __future__ import annotations

from typing import Any

from tests.jenkins_double import groovy_data

_DECODE = (
    "def data = new groovy.json.JsonSlurper().parseText("
    "new String(java.util.Base64.decoder.decode('{data}'), 'UTF-8'))\n"
    "def j = jenkins.model.Jenkins.get()\n"
)

SNIPPETS = {
    "relabel_node": "def n = j.getNode(data.node); n.setLabelString(data.labels); j.updateNode(n)",
    "relabel_node_silently": "j.getNode(data.node).setLabelString(data.labels)",
    "set_mode": "def n = j.getNode(data.node); n.setMode(hudson.model.Node.Mode.valueOf(data.mode)); j.updateNode(n)",
    "set_builtin_executors": "j.setNumExecutors(data.executors as int)",
    "add_executor_node": (
        "def n = new hudson.slaves.DumbSlave(data.node, '/tmp/' + data.node, new hudson.slaves.JNLPLauncher())\n"
        "n.setNumExecutors(data.executors as int); n.setLabelString(data.labels); j.addNode(n)"
    ),
    "remove_node": "j.removeNode(j.getNode(data.node))",
    "temporarily_offline": (
        "j.getNode(data.node).toComputer().setTemporarilyOffline(data.offline as boolean,"
        " data.offline ? new hudson.slaves.OfflineCause.ByCLI('test') : null)"
    ),
    "disconnect": "j.getNode(data.node).toComputer().disconnect(new hudson.slaves.OfflineCause.ByCLI('test')).get()",
    "connect": "j.getNode(data.node).toComputer().connect(false).get()",
    "disable_job": "j.getItemByFullName(data.job).disable()",
    "enable_job": "j.getItemByFullName(data.job).enable()",
    "set_job_label": (
        "def p = j.getItemByFullName(data.job); p.setAssignedLabel(data.label == null ? null : j.getLabel(data.label))"
    ),
    "rename_job": "j.getItemByFullName(data.job).renameTo(data.new_name)",
    # Any item, a folder too; Pipelines have no disable(), only makeDisabled (as in workflow-job).
    "make_disabled": "j.getItemByFullName(data.job).makeDisabled(data.disabled as boolean)",
    "move_item": (
        "hudson.model.Items.move(j.getItemByFullName(data.item), data.to == null ? j : j.getItemByFullName(data.to))"
    ),
    "delete_job": "j.getItemByFullName(data.job).delete()",
    # As the Rebuild plugin repeats a build: its parameters and its causes copied.
    "rebuild_by_hand": (
        "def p = j.getItemByFullName(data.job)\n"
        "def values = [new hudson.model.StringParameterValue('GEARMAN_UUID', data.uuid)]\n"
        "j.getQueue().schedule2(p, 0, [new hudson.model.ParametersAction(values, ['GEARMAN_UUID']),"
        " new hudson.model.CauseAction(new hudson.model.Cause.RemoteCause('gearman', data.uuid))])"
    ),
    "quiet_down": "j.doQuietDown()",
    "cancel_quiet_down": "j.doCancelQuietDown()",
    "build_description": "println j.getItemByFullName(data.job).getBuildByNumber(data.number as int).getDescription()",
    "build_parameters": (
        "def b = j.getItemByFullName(data.job).getBuildByNumber(data.number as int)\n"
        "println groovy.json.JsonOutput.toJson(b.getAction(hudson.model.ParametersAction).getParameters()"
        ".collectEntries { [(it.name): it.value] })"
    ),
    "build_result": (
        "def b = j.getItemByFullName(data.job).getBuildByNumber(data.number as int)\n"
        "println groovy.json.JsonOutput.toJson([result: b.getResult()?.toString(), building: b.isBuilding(),"
        " node: b.getBuiltOnStr()])"
    ),
    "node_state": (
        "def c = j.getNode(data.node).toComputer()\n"
        "println groovy.json.JsonOutput.toJson([offline: c.isOffline(), temporarily: c.isTemporarilyOffline()])"
    ),
    "builds_of": (
        "println groovy.json.JsonOutput.toJson(j.getItemByFullName(data.job).getBuilds().collect {"
        " [number: it.getNumber(), result: it.getResult()?.toString(), node: it.getBuiltOnStr(),"
        " uuid: it.getAction(hudson.model.ParametersAction)?.getParameter('GEARMAN_UUID')?.getValue(),"
        " start: it.getStartTimeInMillis(), duration: it.getDuration()] })"
    ),
    "queue_length": "println j.getQueue().getItems().length",
    "run_log": "println j.getItemByFullName(data.job).getBuildByNumber(data.number as int).getLog()",
    "runs_of": (
        "println groovy.json.JsonOutput.toJson(j.getItemByFullName(data.job).getBuilds().collect {"
        " [number: it.getNumber(), result: it.getResult()?.toString(), building: it.isBuilding(),"
        " uuid: it.getAction(hudson.model.ParametersAction)?.getParameter('GEARMAN_UUID')?.getValue()] })"
    ),
}


def change(double: Any, name: str, **data: Any) -> str:
    return run(double, SNIPPETS[name], name, **data)


def run(double: Any, snippet: str, name: str = "snippet", **data: Any) -> str:
    """Runs a Groovy snippet with ``data`` and ``j`` bound; its output, stripped."""
    script = _DECODE.replace("{data}", groovy_data(data)) + snippet
    output = double.run_script(script)
    if "\tat " in output and "Exception" in output:
        raise AssertionError(f"{name} failed on {double.url}:\n{output}")
    return output.strip()
