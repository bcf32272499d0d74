"""The project state file: numbering, what earlier issues carried, atomic records."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from newsbook.build.state import State, build_lock, http_cache, project_state
from newsbook.model.errors import Busy, StateError


def test_numbering_and_seen(tmp_path):
    state = State(tmp_path / "state.sqlite")
    assert state.issues() == [] and state.next_number("2026-11-07") == 1
    state.record(1, "2026-11-07", "urn:uuid:1", ["a", "b"])
    assert state.next_number("2026-11-07") == 1  # same date: a rebuild of issue 1
    assert state.next_number("2026-11-14") == 2
    state.record(2, "2026-11-14", "urn:uuid:2", ["c"], [(1, 2, 3)])
    assert state.seen_before(2) == ({"a", "b"}, ())
    assert state.seen_before(1) == ({"c"}, ((1, 2, 3),))
    state.record(2, "2026-11-14", "urn:uuid:2", ["d"])  # rebuilt: replaces its own record
    assert [(i.number, i.keys) for i in state.issues()] == [(1, ["a", "b"]), (2, ["d"])]


def test_locations(tmp_path):
    assert project_state(tmp_path).path == tmp_path / ".newsbook" / "state.sqlite"
    assert http_cache(tmp_path) == tmp_path / ".newsbook" / "cache" / "http.sqlite"


def test_a_damaged_state_file_is_one_clear_error(tmp_path):
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"this is not a database\n" * 100)
    for call in (State(path).check, State(path).issues,
                 lambda: State(path).record(1, "2026-11-07", "urn:uuid:1", ["a"])):
        with pytest.raises(StateError, match="state.sqlite: the state file is damaged") as info:
            call()
        assert "Move it away" in str(info.value) and info.value.exit_code == 2
    assert path.read_bytes() == b"this is not a database\n" * 100  # left for the user to rescue


def test_damaged_pages_are_found_before_a_build(tmp_path):
    path = tmp_path / "state.sqlite"
    state = State(path)
    state.record(1, "2026-11-07", "urn:uuid:1", [f"key-{i}" * 20 for i in range(300)])
    state.check()
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 2:page * 2 + 64] = b"\xff" * 64  # scribble over the second page
    path.write_bytes(bytes(data))
    with pytest.raises(StateError, match="damaged"):
        state.check()


def test_the_build_lock_refuses_a_second_holder(tmp_path):
    with build_lock(tmp_path) as path:
        assert path == tmp_path / ".newsbook" / "build.lock"
        running = f"another build of this project is running \\(process {os.getpid()}\\)"
        with pytest.raises(Busy, match=running) as info, build_lock(tmp_path):
            pass
        assert info.value.exit_code == 75
    with build_lock(tmp_path):  # released at the end of the block
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    code = ("import sys, time; from pathlib import Path; from newsbook.build.state import build_lock\n"
            "with build_lock(Path(sys.argv[1])):\n"
            "    print('locked', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(Busy), build_lock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()
    with build_lock(tmp_path):  # the kernel dropped the lock with the process
        pass


def test_the_article_store_keeps_entries_and_their_blobs(tmp_path):
    from newsbook.build.state import ArticleStore, article_cache

    assert article_cache(tmp_path).path == tmp_path / ".newsbook" / "cache" / "articles.sqlite"
    store = ArticleStore(tmp_path / "articles.sqlite")
    assert store.load(["k"]) == {} and not store.path.exists()  # nothing created to read
    store.save({"k1": ('{"a": 1}', {"images/x.png": b"png"}), "k2": ("{}", {})}, [])
    assert store.load(["k1", "k2", "k3"]) == {"k1": ('{"a": 1}', {"images/x.png": b"png"}),
                                              "k2": ("{}", {})}
    with sqlite3.connect(store.path) as db:
        db.execute("DELETE FROM blobs")
    assert store.load(["k1", "k2"]) == {"k2": ("{}", {})}  # an entry without its image: none
    assert store.warnings == []


def test_the_article_store_forgets_what_no_build_used_for_long(tmp_path):
    from newsbook.build.state import ArticleStore

    store = ArticleStore(tmp_path / "articles.sqlite")
    store.save({"old": ("{}", {"images/a.png": b"a"}), "new": ("{}", {"images/b.png": b"b"})}, [])
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE entries SET used = used - 90 * 86400 WHERE key = 'old'")
    store.save({}, ["new"])
    assert list(store.load(["old", "new"])) == ["new"]
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT name FROM blobs").fetchall() == [("images/b.png",)]


def test_an_unusable_article_store_is_done_without(tmp_path):
    from newsbook.build.state import ArticleStore

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = ArticleStore(blocker / "cache" / "articles.sqlite")
    store.save({"k": ("{}", {})}, [])  # no exception: a cache that cannot be written is skipped
    assert store.load(["k"]) == {}
    assert store.warnings and "article cache not used" in store.warnings[0]
