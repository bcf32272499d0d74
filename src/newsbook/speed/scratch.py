"""The run's temporary folder: every temporary file of one newsbook process under one folder,
removed when it exits and swept by the next run when the process was killed."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "newsbook-run-"
# multiprocessing puts its sockets at <temp>/pymp-XXXXXXXX/listener-XXXXXXXX, and a Unix
# socket's path has at most 107 bytes (Linux): a folder nested deeper is not used.
_SOCKET_ROOM = 107 - len("/pymp-XXXXXXXX/listener-XXXXXXXX")
_LOCK = ".alive"
# The resource tracker cleans up the semaphores of a build killed with SIGKILL, then warns
# about them on a terminal the build no longer owns: the clean-up is the point, not the note.
_QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def enter() -> Path | None:
    """Make this process's temporary folder the one every temporary file goes to (TMPDIR).

    Call it before anything starts a child process or imports multiprocessing: its own
    temporary folder (pymp-*, the fork server's socket) then lands here too, and the removal
    registered here runs after multiprocessing's own exit handlers. None when there is no
    usable temporary folder at all (then everything stays where it was).
    """
    try:
        base = Path(tempfile.gettempdir())
        sweep(base)
        folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
    except OSError:
        return None
    if len(os.fsencode(folder)) > _SOCKET_ROOM:
        folder.rmdir()
        return None
    _hold(folder)
    atexit.register(shutil.rmtree, folder, True)
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    warnings = os.environ.get("PYTHONWARNINGS", "")
    if _QUIET_TRACKER not in warnings:
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [warnings, _QUIET_TRACKER]))
    return folder


def sweep(base: Path) -> list[Path]:
    """Remove the folders of runs that are gone (killed, or crashed before their exit)."""
    removed = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for folder in entries:
        if folder.name.startswith(PREFIX) and folder.is_dir() and not _alive(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _hold(folder: Path) -> None:
    """Hold a lock on a file in the folder for as long as this process lives."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): folders are swept by age only
        return
    fd = os.open(folder / _LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    # Kept open on purpose until exit: the kernel drops the lock when the process dies, even
    # by SIGKILL, which is how the next run tells a dead run's folder from a live one.
    _held.append(fd)


_held: list[int] = []


def _alive(folder: Path) -> bool:
    """Whether the run that made `folder` still holds it (by its lock, not its pid: pids are
    reused, and another container sharing /tmp has its own)."""
    try:
        import fcntl
    except ImportError:
        import time

        try:
            return time.time() - folder.stat().st_mtime < 7 * 86400
        except OSError:
            return False
    try:
        fd = os.open(folder / _LOCK, os.O_RDWR)
    except FileNotFoundError:
        # Being made right now (the lock comes a moment after the folder), or left by a run
        # that died in that moment: only an old one is taken for dead.
        import time

        try:
            return time.time() - folder.stat().st_mtime < 60
        except OSError:
            return False
    except OSError:
        return True  # not ours to judge (another user's)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
