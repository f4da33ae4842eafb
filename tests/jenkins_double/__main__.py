"""``python -m tests.jenkins_double``: run one Jenkins double in the foreground.

Arguments are the double's own (see README.md): --port, --home, --user NAME:TOKEN[:readonly],
--password NAME:PW[:readonly], --require-crumb-for-tokens, --anonymous-read, --root-url URL,
--jenkins-version V.
The JVM replaces this process, so SIGTERM reaches it directly.
"""

import os
import sys

from tests.jenkins_double import java_command


def main() -> None:
    command, env = java_command(sys.argv[1:])
    os.execve(command[0], command, env)


if __name__ == "__main__":
    main()
