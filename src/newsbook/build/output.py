"""The output folder in one place: atomic writes that never leave a half-written book.

Every output is written in full to a temporary file in its target folder, flushed to disk, and
only then renamed over the old file, so a reader sees either the old book or the new one. On
Linux the temporary file is anonymous (O_TMPFILE) until just before the rename: a build killed
with SIGKILL while writing leaves nothing behind, because the kernel frees an unnamed file when
its last descriptor closes.
"""

from __future__ import annotations

import errno
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from newsbook.model.errors import BuildError, WriteError

PART_SUFFIX = ".part"

# Errors from fsync on a folder that only mean "this file system cannot do that".
_NO_DIR_FSYNC = {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF, errno.EACCES}


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    write_all([(path, data)])


def write_all(items: Iterable[tuple[Path, bytes]], then: Callable[[], None] | None = None) -> None:
    """Write several files so that they land together: all temporary files first, then renames.

    `then` runs right after the renames (the state update), in the same stretch in which SIGINT
    and SIGTERM wait, so an interrupt cannot leave new books with an old state record. On any
    exception, KeyboardInterrupt and SystemExit included, no temporary file is left behind.
    """
    staged: list[_Staged] = []
    try:
        for path, data in items:
            staged.append(_Staged.write(path, data))
        with deferred_signals():
            for item in staged:
                item.land()
            for folder in dict.fromkeys(item.path.parent for item in staged):
                _fsync_dir(folder)
            if then is not None:
                then()
    finally:
        for item in staged:
            item.discard()


def sweep_parts(paths: Iterable[Path], min_age: float = 0.0) -> list[Path]:
    """Remove temporary files that a killed build left beside `paths`, if older than `min_age` s."""
    removed = []
    now = time.time()
    for path in paths:
        try:
            candidates = list(path.parent.glob(f".{_glob_escape(path.name)}.*{PART_SUFFIX}"))
        except OSError:
            continue
        for candidate in candidates:
            try:
                if now - candidate.lstat().st_mtime >= min_age:
                    candidate.unlink()
                    removed.append(candidate)
            except OSError:
                continue  # gone already, or not ours to remove: the build itself does not need it
    return removed


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, so an interrupt cannot split a commit."""
    # Python runs signal handlers in the main thread only, so only there is anything to hold.
    # The handlers are swapped rather than the signals masked: a mask covers one thread, and
    # the kernel hands a process-wide signal to any other thread that does not block it.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if handler is not None:  # None: installed outside Python, cannot be put back
            previous[signum] = signal.signal(signum, lambda number, frame: pending.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)  # delivered now, after the commit, as it would have been


class _Staged:
    """One output written in full to a temporary file, waiting to be renamed into place."""

    def __init__(self, path: Path, fd: int | None, temp: Path | None, data: bytes):
        self.path = path
        self.fd = fd  # an open O_TMPFILE file, not yet named
        self.temp = temp  # a named temporary file
        self.data = data

    @classmethod
    def write(cls, path: Path, data: bytes) -> _Staged:
        """Write `data` to a temporary file in the folder of `path` and flush it to disk."""
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"{folder}: cannot create the output folder "
                             f"({exc.strerror or exc})") from None
        if path.is_dir():
            raise BuildError(f"{path}: is a folder, not a file name")
        staged = cls(path, None, None, data)
        try:
            staged.fd = _open_anonymous(folder)
            if staged.fd is None:
                staged.fd, staged.temp = _open_named(path)
            _write_fd(staged.fd, data)
            os.fsync(staged.fd)
            if staged.temp is not None:
                os.close(staged.fd)
                staged.fd = None
        except OSError as exc:
            staged.discard()
            raise WriteError(f"{path}: cannot write ({exc.strerror or exc})") from None
        except BaseException:
            staged.discard()
            raise
        return staged

    def land(self) -> None:
        """Rename the temporary file over `path`."""
        try:
            if self.fd is not None:
                self.temp = _name_anonymous(self.fd, self.path, self.data)
                os.close(self.fd)
                self.fd = None
            os.replace(self.temp, self.path)
            self.temp = None
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot write ({exc.strerror or exc})") from None

    def discard(self) -> None:
        """Close and remove whatever is left of the temporary file; never raises OSError."""
        if self.fd is not None:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = None
        if self.temp is not None:
            try:
                self.temp.unlink(missing_ok=True)
            except OSError:
                pass
            self.temp = None


def _open_anonymous(folder: Path) -> int | None:
    """An unnamed file in `folder` (Linux O_TMPFILE), or None where that is not supported."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return None
    try:
        # The mode is what the file gets when named; the umask applies as for any new file.
        return os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        # Not supported by this kernel or file system; real errors show again on the named path.
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None
        raise


def _open_named(path: Path) -> tuple[int, Path]:
    """A new hidden temporary file beside `path`, readable like any output."""
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{PART_SUFFIX}")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                         0o644)
        except FileExistsError:
            continue
        return fd, temp


def _name_anonymous(fd: int, path: Path, data: bytes) -> Path:
    """Give an O_TMPFILE file a temporary name beside `path`, for the rename into place."""
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{PART_SUFFIX}")
        try:
            os.link(f"/proc/self/fd/{fd}", temp)
            return temp
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.EXDEV, errno.EPERM):
                raise
            break
    # No /proc to link through: write the data again, to a named file this time.
    fd2, temp = _open_named(path)
    try:
        _write_fd(fd2, data)
        os.fsync(fd2)
    except BaseException:
        os.close(fd2)
        temp.unlink(missing_ok=True)
        raise
    os.close(fd2)
    return temp


def _write_fd(fd: int, data: bytes) -> None:
    """Write all of `data`; os.write may write less than it was given."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries, so the renames survive a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # a folder cannot be opened on this system (Windows): nothing more to do
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_DIR_FSYNC:
            raise WriteError(f"{folder}: the outputs are in place but could not be flushed "
                             f"to disk ({exc.strerror})") from None
    finally:
        os.close(fd)


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
