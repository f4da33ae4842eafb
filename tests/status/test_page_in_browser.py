"""The status page in headless Chromium (Debian's), against the real controller."""

from __future__ import annotations

import json

import pytest

from tests.browser import Browser
from tests.controller_harness import wait_until
from tests.status.status_farm import NODE


@pytest.fixture
def browser(tmp_path):
    with Browser(tmp_path / "chromium") as browser:
        yield browser


def build_row(uuid: str) -> str:
    """A JavaScript expression: the build's row as {text, href}, or null while it is not shown."""
    selector = json.dumps(f'#builds tr[data-uuid="{uuid}"]')
    return (
        f"(() => {{ const row = document.querySelector({selector});"
        " if (!row) return null;"
        " const link = row.querySelector('td.number a');"
        " return {text: row.innerText, phase: row.dataset.phase, href: link && link.href,"
        " node: row.querySelector('td.node').innerText}; })()"
    )


def executor_states() -> str:
    selector = json.dumps(f'tbody[data-node="{NODE}"] tr.executor')
    return f"Array.from(document.querySelectorAll({selector})).map(row => row.dataset.state)"


def test_page_shows_a_running_build_then_its_executor_idle_again_without_reload(status_farm, browser):
    browser.open(status_farm.url)
    assert browser.evaluate("document.title") == "gearman-jenkins status"
    assert browser.evaluate(executor_states()) == ["idle", "idle"]
    browser.evaluate("window.loadedOnce = true")  # a reload would forget it

    record, gate = status_farm.gated("live")
    wait_until(lambda: record.data, 30, "build started")
    shown = build_row(record.unique)
    row = browser.wait_for(f"{shown}?.phase === 'running' && {shown}", message="the running build on the page")
    data = record.data
    assert row["href"] == data["url"] and row["node"] == NODE
    assert "gated" in row["text"] and f"#{data['number']}" in row["text"]
    # The other executor may be reserved for a moment: its worker grabbed too, and got no job.
    browser.wait_for(f'JSON.stringify({executor_states()}.sort()) === \'["busy","idle"]\'', message="one busy")
    holder = browser.evaluate(f"document.querySelector('tbody[data-node=\"{NODE}\"] tr.busy td.by a').href")
    assert holder == data["url"]

    gate.touch()
    wait_until(lambda: record.result, 30, "build finished")
    browser.wait_for(f"!{build_row(record.unique)}", message="the build gone from the page")
    browser.wait_for(f'JSON.stringify({executor_states()}) === \'["idle","idle"]\'', message="executors idle again")
    assert browser.evaluate("window.loadedOnce") is True


def test_a_refused_job_appears_under_recent_failures_without_reload(status_farm, browser):
    browser.open(status_farm.url)
    assert "No failure since the controller started." in browser.evaluate("document.body.innerText")
    refused = status_farm.farm.client.submit("build:gated", {"LD_PRELOAD": "/tmp/x.so"})
    wait_until(lambda: refused.answered, 30, "the job refused")
    selector = json.dumps(f'#failures tr.failure[data-uuid="{refused.unique}"]')
    text = browser.wait_for(f"document.querySelector({selector})?.innerText", message="the failure listed")
    assert "rejected (WORK_EXCEPTION)" in text and "gated" in text and "LD_PRELOAD" in text


def test_page_without_javascript_shows_the_state_at_load(status_farm, browser):
    record, gate = status_farm.gated("static")
    wait_until(lambda: record.data, 30, "build started")
    wait_until(lambda: any(b["phase"] == "running" for b in status_farm.document()["builds"]), 10, "build in the JSON")
    browser.open(status_farm.url, scripts=False)
    row = browser.evaluate(build_row(record.unique))
    assert row["phase"] == "running" and row["href"] == record.data["url"]
    assert "reload to update" in browser.evaluate("document.getElementById('refresh').innerText")
    gate.touch()
