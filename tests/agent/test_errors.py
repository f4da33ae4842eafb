"""Every failure of a script-console call surfaces as its own error type, with a one-line
message naming the master: bad credentials, a non-admin user, CSRF crumbs, an
unreachable or hanging master, and a script that threw.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from controller import errors
from tests.agent.conftest import client_for
from tests.jenkins_double import start_double
from tests.ports import free_port

READER_TOKEN = "reader-token-0123456789"
PASSWORD = "admin-password-0123456789"


def assert_one_line_naming(error: errors.MasterError, master: str = "double") -> None:
    text = str(error)
    assert text.startswith(f"master {master}: "), text
    assert "\n" not in text, text
    assert error.master == master


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    double = start_double(
        tmp_path_factory.mktemp("jenkins"),
        users=[f"reader:{READER_TOKEN}:readonly"],
        passwords=[f"admin:{PASSWORD}"],
    )
    yield double
    double.stop()


class CrumbDroppingProxy:
    """A reverse proxy in front of a master that drops the Jenkins-Crumb request header."""

    def __init__(self, target: str):
        parts = urlsplit(target)
        host, port = parts.hostname, parts.port

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("jenkins-crumb", "host")}
                upstream = http.client.HTTPConnection(host, port, timeout=30)
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                upstream.close()

            do_GET = do_POST = _forward

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_wrong_token_is_unauthorized(double):
    client = client_for(double, token="not-the-token")

    with pytest.raises(errors.MasterUnauthorized) as raised:
        client.probe()

    assert_one_line_naming(raised.value)
    assert "admin" in str(raised.value)
    assert "not-the-token" not in str(raised.value)


def test_non_admin_user_is_forbidden(double):
    client = client_for(double, user="reader", token=READER_TOKEN)

    with pytest.raises(errors.MasterForbidden) as raised:
        client.inventory()

    assert_one_line_naming(raised.value)
    assert "Overall/Administer" in str(raised.value)


def test_password_auth_fetches_a_crumb_and_survives_a_restart(double):
    client = client_for(double, token=PASSWORD)
    # The double refuses a POST authenticated by password without a crumb: the probe needed one.
    assert client.probe().jenkins_version == "2.479.3"

    double.restart()

    # The crumb belongs to a session the restarted master forgot: one 403, a new crumb, a retry.
    before = client.counter.count
    probe = client.probe()
    assert probe.jenkins_version == "2.479.3"
    assert client.counter.count - before == 2


def test_proxy_that_drops_the_crumb_header_is_reported_as_crumb_rejected(double):
    proxy = CrumbDroppingProxy(double.url)
    try:
        # A password (unlike an API token) always needs a crumb.
        client = client_for(double, url=proxy.url, token=PASSWORD)

        with pytest.raises(errors.MasterCrumbRejected) as raised:
            client.probe()

        assert_one_line_naming(raised.value)
        assert "crumb" in str(raised.value).lower()
        assert client.counter.count == 2  # tried once more with a fresh crumb
    finally:
        proxy.close()


def test_unreachable_master(double):
    url = f"http://127.0.0.1:{free_port()}/"
    client = client_for(double, url=url)

    with pytest.raises(errors.MasterUnreachable) as raised:
        client.probe()

    assert_one_line_naming(raised.value)
    assert url in str(raised.value)


def test_master_that_does_not_answer_in_time_is_unreachable(double):
    client = client_for(double, timeout=0.5)
    double.pause()
    try:
        with pytest.raises(errors.MasterUnreachable) as raised:
            client.probe()
    finally:
        double.resume()

    assert_one_line_naming(raised.value)
    assert "timed out" in str(raised.value)


def test_url_that_is_not_the_jenkins_root(double):
    client = client_for(double, url=double.url + "not/jenkins/")

    with pytest.raises(errors.MasterError) as raised:
        client.probe()

    assert_one_line_naming(raised.value)
    assert "no script console at" in str(raised.value)
    assert "Jenkins root" in str(raised.value)


def test_url_that_is_not_the_jenkins_root_with_a_password(double):
    # Jenkins' crumb filter answers a POST before anything looks at the path.
    client = client_for(double, url=double.url + "not/jenkins/", token=PASSWORD)

    with pytest.raises(errors.MasterCrumbRejected) as raised:
        client.probe()

    assert_one_line_naming(raised.value)
    assert "is the URL the Jenkins root?" in str(raised.value)


def test_script_that_throws_is_a_groovy_error_naming_the_exception(double):
    client = client_for(double)
    client.install()  # the agent's frame answers "agent missing" before it reads the payload
    payload = {"version": client.version, "after": "not a number", "timeout_ms": 0, "linger_ms": 0, "max": 1}

    with pytest.raises(errors.GroovyError) as raised:
        client.run_template("agent_events.groovy", payload)

    assert_one_line_naming(raised.value)
    assert "NumberFormatException" in raised.value.exception
    assert "NumberFormatException" in str(raised.value)
    assert "\tat " in raised.value.output
