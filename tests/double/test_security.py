"""Authentication, permissions and crumbs, as Jenkins' security filters apply them."""

import jenkins
import pytest
import requests


def scripttext(double, auth=None, headers=None, session=None, data=None):
    http = session or requests
    return http.post(
        double.url + "scriptText", data=data or {"script": "1"}, auth=auth, headers=headers or {}, timeout=30
    )


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    from tests.jenkins_double import start_double

    double = start_double(
        tmp_path_factory.mktemp("secured"), users=["reader:rtoken:readonly"], passwords=["admin:adminpw"]
    )
    yield double
    double.stop()


def test_wrong_token_is_401_with_www_authenticate(secured):
    response = scripttext(secured, auth=("admin", "wrong"))
    assert response.status_code == 401
    assert "Basic" in response.headers["WWW-Authenticate"]


def test_anonymous_is_refused(secured):
    response = scripttext(secured, data={"script": "1"})
    # The POST has no crumb: Jenkins' CrumbFilter answers before the permission check.
    assert response.status_code == 403
    response = requests.get(secured.url + "api/json", timeout=30)
    assert response.status_code == 403
    assert response.headers["X-You-Are-Authenticated-As"] == "anonymous"
    assert response.headers["X-Jenkins"] == "2.479.3"


def test_non_admin_gets_403_from_the_script_console(secured):
    response = scripttext(secured, auth=("reader", "rtoken"))
    assert response.status_code == 403
    assert "Overall/Administer" in response.text


def test_password_auth_needs_a_crumb(secured):
    response = scripttext(secured, auth=("admin", "adminpw"))
    assert response.status_code == 403
    assert "No valid crumb was included in the request" in response.text


def test_password_auth_with_crumb_of_its_session_succeeds(secured):
    session = requests.Session()
    session.auth = ("admin", "adminpw")
    crumb = session.get(secured.url + "crumbIssuer/api/json", timeout=30).json()
    assert crumb["_class"] == "hudson.security.csrf.DefaultCrumbIssuer"
    assert crumb["crumbRequestField"] == "Jenkins-Crumb"
    ok = scripttext(secured, session=session, headers={"Jenkins-Crumb": crumb["crumb"]})
    assert ok.status_code == 200 and ok.text == "Result: 1\n"
    other_session = requests.Session()
    other_session.auth = ("admin", "adminpw")
    assert scripttext(secured, session=other_session, headers={"Jenkins-Crumb": crumb["crumb"]}).status_code == 403


def test_api_token_is_exempt_from_crumbs(secured):
    assert scripttext(secured, auth=(secured.admin_user, secured.admin_token)).status_code == 200


def test_python_jenkins_with_password_uses_crumbs(secured):
    client = jenkins.Jenkins(secured.url, username="admin", password="adminpw")
    assert client.run_script("println 'ok'") == "ok"


def test_first_get_version_of_a_fresh_client_is_anonymous_and_refused(secured):
    # python-jenkins sends get_version() without credentials until some other call
    # resolved them; a real Jenkins without anonymous read refuses it the same way.
    with pytest.raises(jenkins.BadHTTPException):
        secured.client().get_version()


def test_forced_crumbs_apply_to_api_tokens_too(jenkins_double_factory):
    double = jenkins_double_factory(require_crumb_for_tokens=True)
    assert scripttext(double, auth=(double.admin_user, double.admin_token)).status_code == 403
    assert double.client().run_script("println 'with crumb'") == "with crumb"


def test_restarted_double_rejects_old_crumbs(jenkins_double_factory):
    double = jenkins_double_factory(passwords=["admin:pw"])
    session = requests.Session()
    session.auth = ("admin", "pw")
    crumb = session.get(double.url + "crumbIssuer/api/json", timeout=30).json()["crumb"]
    assert scripttext(double, session=session, headers={"Jenkins-Crumb": crumb}).status_code == 200
    double.restart()
    assert scripttext(double, session=session, headers={"Jenkins-Crumb": crumb}).status_code == 403


def test_anonymous_read_option_lets_get_version_work_at_once(jenkins_double_factory):
    double = jenkins_double_factory(anonymous_read=True)
    assert double.client().get_version() == "2.479.3"
