"""Where the PDF workers come from: a fork server that imports WeasyPrint once, started early.

Importing WeasyPrint takes about half a second. The fork server imports it (and the modules a
worker runs) in its own process, so a build that starts it before reading its sources
(`start`) has it done on the other core meanwhile; every worker is then forked from it warm,
and the build process itself never imports WeasyPrint on the parallel path.
"""

from __future__ import annotations

import multiprocessing

# What a worker runs: imported once by the fork server, inherited by every worker.
PRELOAD = ["newsbook.speed.forkserver_hook", "weasyprint", "newsbook.speed.pdfparts.work", "newsbook.builders.pdf"]


def context():
    """The multiprocessing context the workers start from (spawn where there is no forkserver)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # One fork server per process, shared with the archive's executor (archive/executors.py):
    # the preload list counts only until it starts, and both lists hold WeasyPrint.
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start() -> None:
    """Start the fork server now, so that its imports run while the build reads its sources."""
    ctx = context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
