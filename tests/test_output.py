"""Atomic outputs: whole files or the old ones, never a temporary file left behind."""

from __future__ import annotations

import errno
import os
import signal
import threading
import time

import pytest

from newsbook.build import output
from newsbook.build.output import deferred_signals, sweep_parts, write_all, write_atomic
from newsbook.model.errors import BuildError, WriteError


@pytest.fixture(params=["anonymous", "named"])
def temp_kind(request, monkeypatch):
    """Run a test with O_TMPFILE files and with the named fallback other systems get."""
    if request.param == "named":
        monkeypatch.setattr(output, "_open_anonymous", lambda folder: None)
    elif not getattr(os, "O_TMPFILE", 0):
        pytest.skip("no O_TMPFILE on this system")
    return request.param


def parts(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_write_replaces_the_file_whole(tmp_path, temp_kind):
    target = tmp_path / "out" / "issue.pdf"
    write_atomic(target, b"first")
    write_atomic(target, b"second" * 100_000)
    assert target.read_bytes() == b"second" * 100_000
    assert parts(target.parent) == []
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o644 & ~mask  # readable like any other file


def test_a_failure_lands_nothing_and_cleans_up(tmp_path, temp_kind, monkeypatch):
    epub, pdf = tmp_path / "a.epub", tmp_path / "a.pdf"
    epub.write_bytes(b"old epub")
    pdf.write_bytes(b"old pdf")
    real_write = os.write

    def disk_full(fd, data):
        if bytes(data[:4]) == b"%PDF":
            real_write(fd, data[:10])  # part of it got there, as on a real full disk
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(WriteError, match="a.pdf: cannot write .No space left on device") as info:
        write_all([(epub, b"new epub"), (pdf, b"%PDF new")])
    assert info.value.exit_code == 1
    # The EPUB was written in full, but nothing lands unless everything could be written.
    assert epub.read_bytes() == b"old epub" and pdf.read_bytes() == b"old pdf"
    assert parts(tmp_path) == []


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit])
def test_interrupts_clean_up_too(tmp_path, temp_kind, monkeypatch, exc):
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")

    def interrupted(fd):
        raise exc()

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(exc):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old" and parts(tmp_path) == []


def test_failing_rename_cleans_up(tmp_path, temp_kind, monkeypatch):
    target = tmp_path / "a.pdf"

    def refuse(src, dst):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(WriteError, match="Input/output error"):
        write_atomic(target, b"new")
    assert not target.exists() and parts(tmp_path) == []


def test_without_proc_the_data_is_written_again_named(tmp_path, monkeypatch):
    if not getattr(os, "O_TMPFILE", 0):
        pytest.skip("no O_TMPFILE on this system")

    def no_proc(src, dst, **kwargs):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory")

    monkeypatch.setattr(os, "link", no_proc)
    write_atomic(tmp_path / "a.pdf", b"data")
    assert (tmp_path / "a.pdf").read_bytes() == b"data" and parts(tmp_path) == []


def test_the_folder_is_flushed_after_the_renames(tmp_path, monkeypatch):
    flushed = []
    monkeypatch.setattr(output, "_fsync_dir", flushed.append)
    write_all([(tmp_path / "a" / "x.epub", b"1"), (tmp_path / "a" / "x.pdf", b"2"),
               (tmp_path / "b" / "x.pdf", b"3")])
    assert flushed == [tmp_path / "a", tmp_path / "b"]


def test_then_runs_after_the_outputs_land(tmp_path):
    target = tmp_path / "a.pdf"
    seen = []
    write_all([(target, b"new")], then=lambda: seen.append(target.read_bytes()))
    assert seen == [b"new"]


def test_bad_targets_are_one_clear_error(tmp_path):
    (tmp_path / "folder.pdf").mkdir()
    with pytest.raises(BuildError, match="is a folder") as info:
        write_atomic(tmp_path / "folder.pdf", b"x")
    assert info.value.exit_code == 2
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(WriteError, match="cannot create the output folder") as info:
        write_atomic(tmp_path / "file" / "x.pdf", b"x")
    assert info.value.exit_code == 1


def test_sweep_removes_what_killed_builds_left(tmp_path):
    target = tmp_path / "issue [1].pdf"
    old = tmp_path / ".issue [1].pdf.1a2b3c4d.part"
    young = tmp_path / ".issue [1].pdf.5e6f7a8b.part"
    other = tmp_path / ".other.pdf.1a2b3c4d.part"
    for path in (old, young, other):
        path.write_bytes(b"half")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert sweep_parts([target], min_age=600) == [old]
    assert sweep_parts([target]) == [young]
    assert other.exists()  # not a temporary file of this output


def test_signals_wait_for_the_end_of_a_commit():
    caught = []

    def handler(signum, frame):
        caught.append(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    # Another thread alive, as in a build that fetched pages: the kernel may hand it the signal.
    other = threading.Thread(target=time.sleep, args=(0.5,))
    other.start()
    try:
        with deferred_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            assert caught == []
        time.sleep(0.05)  # Python runs the handler between bytecodes once the signal is let in
        assert caught == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)
        other.join()
