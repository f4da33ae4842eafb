pytest_plugins = [
    "tests.jenkins_double.pytest_plugin",
    "tests.gearman_plugin",
    "tests.sshd_plugin",
    "tests.controller_plugin",
]
