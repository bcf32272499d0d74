"""Worker processes: Ctrl-C in the terminal stops the build cleanly, workers included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsbook.speed import workers

# A build whose workers stall in reading ahead, each noting its pid in a folder first.
STALL_IN_WORKERS = """
import os, sys, time
from pathlib import Path
from newsbook.speed import readahead
from newsbook.cli.commands import main

folder, pids = sys.argv[1:]
real = readahead.prepare_one

def stalling(item, settings):
    if os.getpid() != parent:  # a worker: say who it is, then take its time
        (Path(pids) / str(os.getpid())).touch()
        time.sleep(60)
    return real(item, settings)

parent = os.getpid()
readahead.prepare_one = stalling
main(["build", folder, "-f", "epub"])
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped: its state says so.
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize("sig, code, message", [
    (signal.SIGINT, 130, "newsbook: interrupted"),
    (signal.SIGTERM, 143, "newsbook: terminated"),
])
def test_ctrl_c_while_workers_read_ends_them_and_the_build(tmp_path, sig, code, message):
    folder = tmp_path / "many"
    (folder / "articles").mkdir(parents=True)
    (folder / "newsbook.toml").write_text('[issue]\ntitle = "Many"\n', encoding="utf-8")
    for n in range(30):
        (folder / "articles" / f"a{n:02d}.md").write_text(f"# A{n}\n\nText {n}.\n",
                                                          encoding="utf-8")
    pids = tmp_path / "pids"
    pids.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-c", STALL_IN_WORKERS, str(folder), str(pids)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    deadline = time.monotonic() + 60
    while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers_seen = [int(p.name) for p in pids.iterdir()]
    assert len(workers_seen) >= 2, "the workers never started"
    # Ctrl-C in a terminal signals the whole foreground process group: build and workers.
    os.killpg(process.pid, sig)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    lines = stderr.strip().splitlines()
    assert lines == [message], stderr  # no worker's traceback, no second line
    assert not any(_alive(pid) for pid in workers_seen)
    assert not (folder / "_build").exists() and not list(folder.glob("*.epub"))


def test_a_pool_gives_its_workers_what_it_was_given():
    with workers.pool(2, answer=42) as pool:
        assert pool.submit(_given, "answer").result() == 42
    assert workers.GIVEN == {}  # the build process's own is untouched


def _given(name: str):
    return workers.GIVEN[name]


def test_an_error_in_the_pool_ends_the_workers_at_once(tmp_path: Path):
    started = time.monotonic()
    with pytest.raises(ZeroDivisionError):
        with workers.pool(2) as pool:
            pool.submit(time.sleep, 30)
            1 / 0
    assert time.monotonic() - started < 15  # not after the sleeping worker's 30 s
