"""The command line: click commands (commands.py, features.py), what they print (terminal.py),
and the send, check and init scaffolding helpers. Thin: every command parses its options,
calls the build or a feature package, and prints the result. main() is the `newsbook` command
(the console script and `python -m newsbook`)."""

from __future__ import annotations

import sys


def main() -> int:
    """The `newsbook` command: a rebuild with nothing changed is answered by the quick
    launcher (speed/launch.py) before click and the commands load."""
    from newsbook.speed.launch import launch

    return launch(sys.argv[1:], _commands)


def _commands() -> int:
    from newsbook.cli.commands import main as commands

    return commands()
