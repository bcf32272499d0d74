"""Faults never crash a build, lose data or leave half-written files.

Each test first makes a good build, changes an article (so a new build would write different
bytes), then breaks the second build: a signal while it renders or writes, a full disk, a
read-only folder, a damaged state file, a second build at the same time. Afterwards the first
build's outputs and state file must be byte for byte what they were, with no temporary file.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_cli

from newsbook.build import output
from newsbook.cli.commands import main

BIG_ARTICLES = 40


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every output and the state file, by path; the lock's content (a pid) and caches aside."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if (path.is_file() and relative.parts[0] in ("_build", ".newsbook")
                and relative.name != "build.lock" and "cache" not in relative.parts
                and not path.name.endswith(".part")):  # checked on their own
            files[str(relative)] = path.read_bytes()
    return files


def parts(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".part")]


def change_an_article(folder: Path) -> None:
    article = min((folder / "articles").rglob("*.md"))
    article.write_text(article.read_text() + "\nA paragraph added after the first build.\n")


def cli(*args: str):
    """The CLI in this process (fast, and monkeypatch reaches it)."""
    return CliRunner().invoke(main, list(args))


def assert_one_line(stderr: str, start: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start), stderr
    return lines[0]


def lock_is_free(folder: Path) -> bool:
    with open(folder / ".newsbook" / "build.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def sigint_enabled():
    # A shell that starts the test run in the background ignores SIGINT, and children inherit
    # that; a user's terminal does not, so the build under test gets the default disposition.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def basic(project):
    """The basic project after a good build, with an article changed since."""
    folder = project("basic")
    result = cli("build", str(folder))
    assert result.exit_code == 0, result.stderr
    change_an_article(folder)
    return folder


# --- killed while rendering: a real build of a bigger project, in its own process -----------

@pytest.fixture(scope="module")
def big_built(tmp_path_factory):
    """A project of 40 long Markdown articles (PDF rendering takes seconds), built once.

    Returns the folder and how long a rebuild after one edited article takes: what the tests'
    builds do (a first build also reads every article and draws the cover, which a rebuild
    takes from the article cache).
    """
    folder = tmp_path_factory.mktemp("big") / "big"
    (folder / "articles").mkdir(parents=True)
    (folder / "newsbook.toml").write_text(
        '[issue]\ntitle = "Big Gazette"\nlanguage = "en"\ndate = "2026-03-14"\nnumber = 3\n\n'
        '[build]\nformats = ["epub", "pdf"]\noutput_dir = "_build"\n\n'
        # The PDF laid out in parts by worker processes, which the signals must reach: an
        # untagged PDF with a page per article (a tagged one is written in one pass).
        '[pdf]\ntagged = false\narticle_break = "page"\n')
    paragraph = ("The council met on a grey morning to weigh the harbour plan, and the debate "
                 "ran long because every ward had a stake in the outcome. ") * 6
    for i in range(BIG_ARTICLES):
        body = "\n\n".join(f"{paragraph} Paragraph {j} of story {i}." for j in range(8))
        (folder / "articles" / f"story-{i:02d}.md").write_text(
            f"---\ntitle: Story number {i}\ndate: 2026-03-{1 + i % 13:02d}\n---\n\n{body}\n")
    result = run_cli("build", str(folder))
    assert result.returncode == 0, result.stderr
    change_an_article(folder)
    start = time.monotonic()
    result = run_cli("build", str(folder))
    assert result.returncode == 0, result.stderr
    return folder, time.monotonic() - start


@pytest.mark.parametrize("sig, code, message", [
    (signal.SIGKILL, -signal.SIGKILL, None),
    (signal.SIGTERM, 143, "newsbook: terminated"),
    (signal.SIGINT, 130, "newsbook: interrupted"),
])
def test_a_signal_while_rendering_keeps_the_last_good_build(big_built, tmp_path, request, sig,
                                                            code, message):
    built, _seconds = big_built
    folder = tmp_path / "big"
    shutil.copytree(built, folder)
    # Without its cached PDF parts the rebuild renders as long as the first build did.
    shutil.rmtree(folder / ".newsbook" / "cache" / "pdf-parts", ignore_errors=True)
    change_an_article(folder)
    before = snapshot(folder)
    assert {"_build/big-gazette-003.pdf", ".newsbook/state.sqlite"} <= set(before)

    # The build's TMPDIR, where its scratch folders are watched; short, as a real one is (the
    # fork server's socket lives in it, and tmp_path is too deep for a socket's path).
    temp = Path(tempfile.mkdtemp(prefix="nb-"))
    request.addfinalizer(lambda: shutil.rmtree(temp, ignore_errors=True))
    env = {**os.environ, "TMPDIR": str(temp)}
    process = subprocess.Popen([sys.executable, "-m", "newsbook", "build", str(folder)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               preexec_fn=sigint_enabled)  # noqa: PLW1509 - no threads yet
    # The PDF workers' scratch folder appears as the first part is handed to them: the signal
    # comes while they start and render, however loaded the machine is.
    end = time.monotonic() + 120
    while not any(p.name.startswith("newsbook-pdf-") for p in temp.rglob("*")):
        assert process.poll() is None, ("the build ended before its PDF workers started",
                                        process.communicate())
        assert time.monotonic() < end, "the PDF workers never started"
        time.sleep(0.01)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == code, stderr
    if message is not None:
        assert_one_line(stderr, message)
    else:
        assert "Traceback" not in stderr and "leaked" not in stderr, stderr
    assert snapshot(folder) == before
    assert parts(folder) == []
    assert lock_is_free(folder)  # even SIGKILL leaves no stale lock: the kernel drops flock
    if sig == signal.SIGKILL:
        # Nothing ran to remove its scratch folder: the next run sweeps it, once the killed
        # build's last child (they die with it, a moment later) has let go of its lock.
        assert list(temp.iterdir())
        end = time.monotonic() + 60
        while list(temp.iterdir()) and time.monotonic() < end:
            subprocess.run([sys.executable, "-m", "newsbook", "--version"], env=env, check=True,
                           capture_output=True)
    assert list(temp.iterdir()) == []


# --- killed while writing: a build stopped inside the write of its PDF ----------------------

STALL_IN_WRITE = """
import os, sys, time
from pathlib import Path
from newsbook.build import output
from newsbook.cli.commands import main

folder, marker, kind = sys.argv[1:]
if kind == "named":  # the fallback for systems without O_TMPFILE: a named temporary file
    output._open_anonymous = lambda folder: None
real_write = os.write

def stalling_write(fd, data):
    if bytes(data[:4]) == b"%PDF":  # the EPUB is written out by now; half the PDF, then wait
        real_write(fd, data[:len(data) // 2])
        Path(marker).touch()
        time.sleep(60)
    return real_write(fd, data)

os.write = stalling_write
main(["build", folder])
"""


@pytest.mark.parametrize("sig, kind, code", [
    (signal.SIGKILL, "anonymous", -signal.SIGKILL),
    (signal.SIGKILL, "named", -signal.SIGKILL),
    (signal.SIGTERM, "named", 143),
    (signal.SIGINT, "named", 130),
])
def test_a_signal_while_writing_keeps_the_last_good_build(basic, tmp_path, sig, kind, code):
    if kind == "anonymous" and not getattr(os, "O_TMPFILE", 0):
        pytest.skip("no O_TMPFILE on this system")
    before = snapshot(basic)
    marker = tmp_path / "writing"
    process = subprocess.Popen([sys.executable, "-c", STALL_IN_WRITE, str(basic), str(marker),
                                kind], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=sigint_enabled)  # noqa: PLW1509 - no threads yet
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == code, stderr
    assert snapshot(basic) == before
    if sig != signal.SIGKILL:
        assert_one_line(stderr, "newsbook: terminated" if sig == signal.SIGTERM
                        else "newsbook: interrupted")
    if sig == signal.SIGKILL and kind == "named":
        # Nothing in a process survives SIGKILL to remove a named file (here the whole EPUB's
        # and half the PDF's): the next build does.
        assert len(parts(basic)) == 2
        assert cli("build", str(basic)).exit_code == 0
    assert parts(basic) == []


# --- a full disk, an unwritable folder -------------------------------------------------------

def test_a_full_disk_is_one_line_and_keeps_the_last_good_build(basic, monkeypatch):
    before = snapshot(basic)
    real_write = os.write

    def disk_full(fd, data):
        if bytes(data[:4]) == b"%PDF":  # the second output, once the EPUB was written out
            real_write(fd, data[:4096])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", disk_full)
    result = cli("build", str(basic))
    assert result.exit_code == 1
    line = assert_one_line(result.stderr, "newsbook: error: ")
    assert "test-gazette-007.pdf: cannot write (No space left on device)" in line
    assert snapshot(basic) == before and parts(basic) == []


def test_a_read_only_output_folder_is_one_line(basic, monkeypatch):
    before = snapshot(basic)
    folder = basic / "_build"
    folder.chmod(0o555)
    try:
        probe = folder / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass  # an ordinary user: the permissions alone stop the build
        else:
            # root writes through the permissions: refuse writes in the folder as the kernel
            # would for anyone else.
            probe.unlink()
            real_open = os.open

            def read_only(path, flags, *args, **kwargs):
                target = Path(path)
                if (folder in (target, target.parent)) and flags & (os.O_WRONLY | os.O_RDWR):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
                return real_open(path, flags, *args, **kwargs)

            monkeypatch.setattr(os, "open", read_only)
        result = cli("build", str(basic))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1
    line = assert_one_line(result.stderr, "newsbook: error: ")
    assert "cannot write (Permission denied)" in line
    assert snapshot(basic) == before and parts(basic) == []


def test_an_output_folder_that_is_a_file_is_one_line(basic, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = cli("build", str(basic), "-o", str(tmp_path / "a-file" / "x.pdf"))
    assert result.exit_code == 1
    line = assert_one_line(result.stderr, "newsbook: error: ")
    assert "a-file: cannot create the output folder" in line


# --- the state file --------------------------------------------------------------------------

def test_a_damaged_state_file_stops_the_build_and_says_how_to_fix_it(basic):
    state = basic / ".newsbook" / "state.sqlite"
    state.write_bytes(os.urandom(4096))
    before = snapshot(basic)
    result = cli("build", str(basic))
    assert result.exit_code == 2
    line = assert_one_line(result.stderr, "newsbook: error: ")
    assert f"{state}: the state file is damaged" in line and "Move it away" in line
    assert snapshot(basic) == before and parts(basic) == []  # nothing rendered, nothing lost
    state.rename(state.with_name("state.sqlite.damaged"))  # the fix the message gives
    assert cli("build", str(basic)).exit_code == 0


def test_the_state_is_recorded_only_with_the_outputs(basic, monkeypatch):
    state = (basic / ".newsbook" / "state.sqlite").read_bytes()

    def refuse(src, dst):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(output.os, "replace", refuse)
    assert cli("build", str(basic)).exit_code == 1
    assert (basic / ".newsbook" / "state.sqlite").read_bytes() == state


# --- two builds at once ----------------------------------------------------------------------

def test_a_second_build_of_a_project_is_refused(basic, tmp_path):
    before = snapshot(basic)
    with open(basic / ".newsbook" / "build.lock", "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        result = run_cli("build", str(basic))
        assert result.returncode == 75
        line = assert_one_line(result.stderr, "newsbook: error: ")
        assert f"another build of this project is running (process {os.getpid()})" in line
        assert snapshot(basic) == before
        # Ad-hoc builds take no lock: nothing of theirs is shared but atomic renames.
        (tmp_path / "a.md").write_text("# A\n\nText.\n")
        adhoc = cli("build", str(tmp_path / "a.md"), "-o", str(basic / "_build" / "a.epub"))
        assert adhoc.exit_code == 0, adhoc.stderr
    assert cli("build", str(basic)).exit_code == 0  # the lock is free again


# --- exit codes and --debug --------------------------------------------------------------------

def test_an_unexpected_exception_is_one_line_exit_70(basic, monkeypatch):
    from newsbook.build import pipeline

    def broken(plan, strict=False, progress=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "build", broken)
    result = cli("build", str(basic))
    assert result.exit_code == 70
    assert result.stderr == ("newsbook: internal error: RuntimeError: boom "
                             "(run with --debug for the traceback)\n")
    debug = cli("--debug", "build", str(basic))
    assert debug.exit_code == 70
    assert "Traceback" in debug.stderr and debug.stderr.endswith(
        "newsbook: internal error: RuntimeError: boom\n")


def test_debug_shows_the_traceback_of_a_user_error_and_keeps_the_code(tmp_path):
    plain = cli("build", str(tmp_path / "missing.md"), "-o", str(tmp_path / "x.epub"))
    assert plain.exit_code == 2
    assert_one_line(plain.stderr, "newsbook: error: ")
    debug = cli("--debug", "build", str(tmp_path / "missing.md"), "-o", str(tmp_path / "x.epub"))
    assert debug.exit_code == 2 and "Traceback" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("newsbook: error: ")
