"""The project state file: numbering, what earlier issues carried, atomic records."""

from __future__ import annotations

from newsbook.state import State, http_cache, project_state


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
