"""The run's temporary folder: removed at exit, swept by the next run when its run was killed,
never taken from a run that is alive."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from newsbook.speed import scratch

HOLD = ("import sys; from newsbook.speed import scratch; folder = scratch.enter(); "
        "print(folder, flush=True); sys.stdin.read()")


@pytest.fixture
def temp(request) -> Path:
    """A short TMPDIR of its own (a socket's path must fit in it, see scratch._SOCKET_ROOM)."""
    folder = Path(tempfile.mkdtemp(prefix="nb-"))
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    return folder


def hold(temp: Path) -> tuple[subprocess.Popen, Path]:
    process = subprocess.Popen([sys.executable, "-c", HOLD], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(temp)})
    folder = Path(process.stdout.readline().strip())
    assert folder.parent == temp and folder.name.startswith(scratch.PREFIX)
    return process, folder


def test_a_run_leaves_nothing_in_tmpdir(temp):
    subprocess.run([sys.executable, "-m", "newsbook", "--version"], check=True,
                   capture_output=True, env={**os.environ, "TMPDIR": str(temp)})
    assert list(temp.iterdir()) == []


def test_a_live_run_keeps_its_folder_and_a_killed_one_is_swept(temp):
    process, folder = hold(temp)
    try:
        (folder / "pymp-something").mkdir()  # what multiprocessing would leave
        assert scratch.sweep(temp) == [] and folder.is_dir()
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert scratch.sweep(temp) == [folder] and not folder.exists()
    finally:
        process.kill()


def test_a_run_that_exits_removes_its_folder(temp):
    process, folder = hold(temp)
    process.communicate("")  # stdin closed: the script returns, atexit runs
    assert process.returncode == 0 and not folder.exists()


def test_a_folder_without_its_lock_is_taken_for_dead_only_when_old(temp):
    young = temp / f"{scratch.PREFIX}1-young"
    old = temp / f"{scratch.PREFIX}2-old"
    other = temp / "someone-elses"
    for folder in (young, old, other):
        folder.mkdir()
    os.utime(old, (1, 1))
    os.utime(other, (1, 1))
    assert scratch.sweep(temp) == [old]
    assert young.is_dir() and other.is_dir()


def test_a_tmpdir_too_deep_for_a_socket_is_left_as_it_is(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 60)
    deep.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    monkeypatch.setenv("TMPDIR", str(deep))
    assert scratch.enter() is None
    assert list(deep.iterdir()) == [] and tempfile.gettempdir() == str(deep)
