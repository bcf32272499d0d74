"""The `newsbook` command: a rebuild with nothing changed is answered here, before click loads."""

from __future__ import annotations

import os
import sys


def main() -> int:
    """Answer an up-to-date `newsbook build` from file stats (uptodate.py), else run the CLI."""
    argv = sys.argv[1:]
    if argv[:1] == ["build"] and not {"-h", "--help", "--send"} & set(argv):
        from newsbook.clock import build_date
        from newsbook.speed import uptodate

        colour = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
        found = uptodate.answer(argv, os.getcwd(), build_date().isoformat(), colour)
        if found is not None:
            # In the order the full path prints them: the summary, then the files.
            sys.stderr.write(found[1])
            sys.stderr.flush()
            sys.stdout.write(found[0])
            sys.stdout.flush()
            return 0
    from newsbook.speed import scratch

    # Before anything imports multiprocessing: see scratch.enter.
    scratch.enter()
    from newsbook.cli.commands import main as cli

    return cli()
