"""Worker processes for the build: a forked pool whose workers leave Ctrl-C to the build and
die with it, and hold what the build gave them when the pool started."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# What the build process gave this worker when the pool started (see pool()); empty in the
# build process itself. With fork it is inherited as it is, never pickled.
GIVEN: dict[str, Any] = {}


def _start(parent: int, given: dict[str, Any]) -> None:
    detach(parent)
    GIVEN.clear()
    GIVEN.update(given)


def detach(parent: int) -> None:
    """In a worker: leave Ctrl-C to the build, take SIGTERM's default, and die with `parent`."""
    import signal

    # The build process handles interruption and ends its workers: a worker neither reports
    # Ctrl-C itself nor runs the CLI's SIGTERM handler it was forked with.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """Linux: be killed when the parent dies (even by SIGKILL), not linger orphaned."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent or parent == 1:  # the parent died before prctl took effect
        os._exit(1)


def available() -> bool:
    """Whether this system can fork workers (not Windows); elsewhere the build runs alone."""
    return hasattr(os, "fork")  # asked on every build: multiprocessing loads only for a pool


@contextmanager
def pool(jobs: int, **given: Any) -> Iterator:
    """A ProcessPoolExecutor of `jobs` forked workers, each starting with workers.GIVEN set to
    `given`; on an error or interruption the workers are ended at once, not waited for."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: a worker starts with all the build process imported and holds (readers, the
    # issue), which spawn would import and pickle again.
    executor = ProcessPoolExecutor(max_workers=jobs,
                                   mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start, initargs=(os.getpid(), given))
    try:
        yield executor
    except BaseException:
        end_now(executor)
        raise
    executor.shutdown(wait=True)


def end_now(executor) -> None:
    """End a process pool's workers mid-task and wait for them (on an error or interruption,
    rather than after their current task)."""
    # ProcessPoolExecutor has no public way to stop a running task: its processes are ended.
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)
