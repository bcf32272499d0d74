"""The quick launcher: a rebuild with nothing changed is answered here, before click loads."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def launch(argv: list[str], run: Callable[[], int]) -> int:
    """Answer an up-to-date `newsbook build ARGV` from file stats (uptodate.py), else call
    `run()` (the command line) in a process whose temporary files go to its own folder."""
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
    return run()
