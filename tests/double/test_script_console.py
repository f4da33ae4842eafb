"""The script console behaves as Jenkins' /scriptText (RemotingDiagnostics.executeGroovy)."""

import threading
import time

import requests

from tests.double.conftest import MARK, groovy_json


def post_script(double, script):
    return requests.post(
        double.url + "scriptText", data={"script": script}, auth=(double.admin_user, double.admin_token), timeout=60
    )


def test_println_goes_to_the_response_and_result_line_is_appended(shared_double):
    response = post_script(shared_double, "println 'hello'\n1 + 1")
    assert response.status_code == 200
    assert response.text == "hello\nResult: 2\n"
    assert response.headers["Content-Type"].startswith("text/plain")


def test_null_value_adds_no_result_line(shared_double):
    assert post_script(shared_double, "println 'x'\nnull").text == "x\n"


def test_thrown_exception_prints_stack_trace_with_http_200(shared_double):
    response = post_script(shared_double, "throw new IllegalStateException('boom')")
    assert response.status_code == 200
    assert response.text.startswith("java.lang.IllegalStateException: boom")
    assert "\tat " in response.text


def test_default_star_imports_are_jenkins_and_hudson_model(shared_double):
    out = post_script(shared_double, "println Jenkins.name; println FreeStyleProject.name; println Queue.name").text
    assert out.splitlines() == ["jenkins.model.Jenkins", "hudson.model.FreeStyleProject", "hudson.model.Queue"]


def test_get_is_refused_with_405(shared_double):
    response = requests.get(
        shared_double.url + "scriptText",
        params={"script": "1"},
        auth=(shared_double.admin_user, shared_double.admin_token),
        timeout=30,
    )
    assert response.status_code == 405


def test_two_scripts_may_define_a_class_of_the_same_name(shared_double):
    first = post_script(shared_double, "class Foo { String v() { 'one' } }\nnew Foo().v()").text
    second = post_script(shared_double, "class Foo { String v() { 'two' } }\nnew Foo().v()").text
    assert (first, second) == ("Result: one\n", "Result: two\n")


def test_a_blocking_script_does_not_hold_up_other_requests(shared_double):
    slow = threading.Thread(target=post_script, args=(shared_double, "Thread.sleep(6000); 'slow'"))
    slow.start()
    time.sleep(0.5)
    started = time.monotonic()
    assert post_script(shared_double, "'fast'").text == "Result: fast\n"
    assert time.monotonic() - started < 3
    slow.join()


def test_root_url_is_known_inside_a_request_but_null_outside(shared_double):
    data = groovy_json(
        shared_double,
        f"""
        def inside = Jenkins.get().rootUrl
        def outside = null
        def t = Thread.start {{ outside = String.valueOf(Jenkins.get().rootUrl) }}
        t.join()
        println '{MARK}' + groovy.json.JsonOutput.toJson([inside: inside, outside: outside])
    """,
    )
    assert data == {"inside": shared_double.url, "outside": "null"}


def test_python_jenkins_run_script_and_version_work(shared_double):
    client = shared_double.client()
    assert client.get_whoami()["id"] == shared_double.admin_user
    assert client.get_version() == "2.479.3"
    assert client.run_script("println 'hi'") == "hi"
