"""What Queue.maintain() does with an item that is still blocked, per version.

Before 2.532 (2.479.3, the default): the same BlockedItem object gets the new cause
(setCauseOfBlockage). Since 2.532 (jenkinsci/jenkins e45c6140b8, "A CauseOfBlockage can
be fatal"): the item leaves and a new BlockedItem with the same id enters, and a fatal
cause cancels the item.
"""

import pytest

from tests.double.conftest import MARK, groovy_json
from tests.waiting import wait_until

# A non-concurrent job whose first build waits for a file, so that a second item blocks.
BLOCKED = f"""
import hudson.model.queue.QueueListener
def q = Jenkins.get().queue
def events = Collections.synchronizedList([])
class Moves extends QueueListener {{
    List e
    Moves(List e) {{ this.e = e }}
    void onLeaveBlocked(Queue.BlockedItem i) {{ e << 'leaveBlocked:' + i.id }}
    void onEnterBlocked(Queue.BlockedItem i) {{ e << 'enterBlocked:' + i.id }}
}}
def before, after
def l = new Moves(events)
// Under the queue lock, so that the periodic maintenance cannot run in between.
Queue.withLock({{
    before = q.items.find {{ it instanceof Queue.BlockedItem }}
    QueueListener.all().add(l)
    try {{
        q.maintain()
    }} finally {{
        QueueListener.all().remove(l)
    }}
    after = q.items.find {{ it instanceof Queue.BlockedItem }}
}} as Runnable)
println '{MARK}' + groovy.json.JsonOutput.toJson([sameObject: before.is(after), sameId: before.id == after.id,
    staleStillQueued: q.items.any {{ it.is(before) }}, events: events, why: after.why,
    staleCancelled: q.cancel(before), cancelled: q.cancel(after)])
"""


def block_an_item(double, tmp_path):
    flag = tmp_path / "go"
    double.set_quiet_period(0)
    double.create_job("serial", command=f"while [ ! -e {flag} ]; do sleep 0.1; done", concurrent=False)
    double.run_script("Jenkins.get().getItem('serial').scheduleBuild2(0)")
    wait_until(
        lambda: double.run_script("println Jenkins.get().getItem('serial').isBuilding()") == "true",
        message="first build",
    )
    double.run_script("Jenkins.get().queue.schedule2(Jenkins.get().getItem('serial'), 0, new ParametersAction([]))")
    wait_until(
        lambda: (
            double.run_script("println Jenkins.get().queue.items.any { it instanceof Queue.BlockedItem }") == "true"
        ),
        message="blocked item",
    )
    return flag


@pytest.mark.parametrize("version", ["2.479.3", "2.531"])
def test_before_2_532_a_still_blocked_item_stays_the_same_object(jenkins_double_factory, tmp_path, version):
    double = jenkins_double_factory(jenkins_version=version)
    flag = block_an_item(double, tmp_path)
    try:
        data = groovy_json(double, BLOCKED)
        assert data["sameObject"] is True and data["staleStillQueued"] is True and data["events"] == []
        assert data["why"].startswith("Build #1 is already in progress")
        assert data["staleCancelled"] is True and data["cancelled"] is False
    finally:
        flag.write_text("go")


def test_from_2_532_a_still_blocked_item_is_a_new_object_after_each_maintenance(jenkins_double_factory, tmp_path):
    double = jenkins_double_factory(jenkins_version="2.532")
    flag = block_an_item(double, tmp_path)
    try:
        data = groovy_json(double, BLOCKED)
        assert data["sameObject"] is False and data["sameId"] is True
        assert data["staleStillQueued"] is False
        item_id = data["events"][0].split(":")[1]
        assert data["events"] == [f"leaveBlocked:{item_id}", f"enterBlocked:{item_id}"]
        # Cancelling the object held from before the maintenance does nothing; the new one cancels.
        assert data["staleCancelled"] is False and data["cancelled"] is True
    finally:
        flag.write_text("go")


FATAL = f"""
import hudson.model.queue.*
class Refuse extends QueueTaskDispatcher {{
    CauseOfBlockage canRun(Queue.Item item) {{
        return new CauseOfBlockage() {{
            String getShortDescription() {{ 'never' }}
            boolean isFatal() {{ true }}
        }}
    }}
}}
def d = new Refuse()
QueueTaskDispatcher.all().add(d)
def q = Jenkins.get().queue
def item
try {{
    item = q.schedule2(Jenkins.get().getItem('refused'), 0).item
    q.maintain()
}} finally {{
    QueueTaskDispatcher.all().remove(d)
}}
def left = q.getItem(item.id)
def builtIn = null
try {{ builtIn = CauseOfBlockage.fromMessage(new jenkins.util.NonLocalizable('x')).isFatal() }} catch (MissingMethodException e) {{ builtIn = 'missing' }}
q.cancel(left)
println '{MARK}' + groovy.json.JsonOutput.toJson([type: left.getClass().simpleName, cancelled: left instanceof Queue.LeftItem && left.cancelled,
    builtIn: builtIn])
"""


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.479.3", {"type": "BlockedItem", "cancelled": False, "builtIn": "missing"}),
        ("2.532", {"type": "LeftItem", "cancelled": True, "builtIn": False}),
    ],
)
def test_a_fatal_cause_cancels_only_from_2_532(jenkins_double_factory, version, expected):
    double = jenkins_double_factory(jenkins_version=version)
    double.create_job("refused", command="true")
    assert groovy_json(double, FATAL) == expected
