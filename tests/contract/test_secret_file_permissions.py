"""Token and private key files that group or others may read are warned about at load, as ssh does."""

import pytest

from controller.config import load_config

CONFIG = """\
gearman:
  servers: ["127.0.0.1:4730"]
  tls: {key: worker.key, cert: worker.crt, ca: ca.crt}
masters:
  - name: jenkins01
    url: https://jenkins01.example.org/
    user: gearman
    token_file: jenkins01.token
    ssh: {host: jenkins01.example.org, user: jenkins, jenkins_home: /var/lib/jenkins, key: id_ed25519}
"""


@pytest.fixture
def files(tmp_path):
    made = {}
    for name in ("worker.key", "worker.crt", "ca.crt", "jenkins01.token", "id_ed25519"):
        path = tmp_path / name
        path.write_text("secret\n")
        path.chmod(0o600)
        made[name] = path
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG)
    return config, made


def test_files_only_their_owner_may_read_give_no_warning(files):
    config, made = files
    made["worker.crt"].chmod(0o644)  # certificates are public
    made["ca.crt"].chmod(0o644)
    assert load_config(config).warnings == ()


@pytest.mark.parametrize(
    ("name", "mode", "key", "who"),
    [
        ("jenkins01.token", 0o644, "masters[0].token_file", "group and others"),
        ("jenkins01.token", 0o640, "masters[0].token_file", "group"),
        ("id_ed25519", 0o604, "masters[0].ssh.key", "others"),
        ("worker.key", 0o660, "gearman.tls.key", "group"),
    ],
)
def test_a_secret_file_open_to_group_or_others_is_one_warning_naming_it_and_the_fix(files, name, mode, key, who):
    config, made = files
    made[name].chmod(mode)
    [warning] = load_config(config).warnings
    path = made[name]
    assert str(warning) == f"{key}: {path} is accessible by {who} (mode {mode:04o}); chmod 600 {path}"
    assert warning.fix == f"chmod 600 {path}"


def test_every_exposed_file_is_named(files):
    config, made = files
    for name in ("jenkins01.token", "id_ed25519", "worker.key"):
        made[name].chmod(0o644)
    assert [w.key for w in load_config(config).warnings] == [
        "gearman.tls.key",
        "masters[0].token_file",
        "masters[0].ssh.key",
    ]
