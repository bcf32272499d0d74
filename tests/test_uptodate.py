"""The quick up-to-date check: the same command, nothing changed, answers from file stats."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_cli

from newsbook.speed import uptodate


def build(folder: Path, *extra: str) -> dict:
    """`newsbook build` of the project as a user runs it (the launcher: python -m newsbook)."""
    result = run_cli("build", str(folder), "-f", "epub", "--json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def built(project):
    """The basic project after one full build, and a check that the next build is quick."""
    folder = project("basic")
    first = build(folder)
    assert first["up_to_date"] is False
    again = build(folder)
    assert again["up_to_date"] is True and again["up_to_date_check"] == "stats"
    # The quick answer is the build's own report, with nothing read this time.
    assert again["files"] == first["files"] and again["included"] == first["included"]
    assert again["cache"] == {"hits": 0, "misses": 0, "read": []}
    return folder


def test_an_edited_article_is_rebuilt(built):
    source = built / "articles" / "notes" / "cafe.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    report = build(built)
    assert report["up_to_date"] is False and report["cache"]["read"] == [str(source)]
    assert build(built)["up_to_date_check"] == "stats"


def test_a_new_article_in_a_source_folder_is_rebuilt(built):
    before = build(built)["articles"]
    (built / "articles" / "notes" / "late.md").write_text("# Late\n\nNews came late.\n",
                                                          encoding="utf-8")
    report = build(built)
    assert report["up_to_date"] is False and report["articles"] == before + 1


def test_a_changed_image_is_rebuilt(built):
    from PIL import Image

    Image.new("RGB", (40, 30), "red").save(built / "images" / "bridge.png")
    assert build(built)["up_to_date"] is False


@pytest.mark.parametrize("change", ["config", "template", "output", "state"])
def test_other_changes_take_the_full_check(built, change):
    """Each of these may change the outputs: the full path decides, not the stats."""
    output = Path(build(built)["outputs"][0])
    if change == "config":
        config = built / "newsbook.toml"
        config.write_text(config.read_text(encoding="utf-8").replace("Test Gazette", "Gazette"),
                          encoding="utf-8")
    elif change == "template":
        (built / "templates").mkdir()
        (built / "templates" / "epub.css").write_text('{% extends "!epub.css" %}\n',
                                                      encoding="utf-8")
    elif change == "output":
        output.write_bytes(output.read_bytes() + b"\0")
    else:  # another issue recorded: what earlier issues carried decides what is left out
        state = built / ".newsbook" / "state.sqlite"
        os.utime(state, ns=(state.stat().st_atime_ns, state.stat().st_mtime_ns + 10**9))
    report = build(built)
    assert report["up_to_date_check"] != "stats"
    if change in ("config", "output"):
        assert report["up_to_date"] is False  # a new title; a damaged file is replaced
    assert build(built)["up_to_date_check"] == "stats"  # remembered again


def test_each_command_line_is_remembered_apart(built):
    quiet = run_cli("build", str(built), "-f", "epub", "-q")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    again = run_cli("build", str(built), "-f", "epub", "-q")
    assert again.stdout == "" and again.stderr == ""
    plain = run_cli("build", str(built), "-f", "epub", env={"NO_COLOR": "1"})
    plain = run_cli("build", str(built), "-f", "epub", env={"NO_COLOR": "1"})
    assert "up to date" in plain.stderr and "\x1b[" not in plain.stderr
    assert plain.stdout.strip().endswith(".epub")
    entries = json.loads((built / ".newsbook" / uptodate.FILE_NAME).read_text(encoding="utf-8"))
    assert len(entries) == 3


def test_a_new_day_takes_the_full_check(built):
    argv = ["build", str(built), "-f", "epub", "--json"]
    today = next(iter(json.loads((built / ".newsbook" / uptodate.FILE_NAME)
                                 .read_text(encoding="utf-8")).values()))["day"]
    assert uptodate.answer(argv, os.getcwd(), today, colour=False) is not None
    assert uptodate.answer(argv, os.getcwd(), "2099-01-01", colour=False) is None
    assert uptodate.answer([*argv, "-q"], os.getcwd(), today, colour=False) is None


def test_builds_reading_feeds_are_never_answered_from_stats(project, tmp_path):
    folder = project("basic")
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
                    '<item><title>One</title><link>https://example.org/1</link>'
                    '<description>&lt;p&gt;A story told in a feed, long enough to keep.&lt;/p&gt;'
                    '</description></item></channel></rss>', encoding="utf-8")
    with (folder / "newsbook.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[[sources]]\nfeed = "{feed}"\nfull_text = false\n')
    build(folder, "--offline")
    assert build(folder, "--offline")["up_to_date_check"] != "stats"
    assert not (folder / ".newsbook" / uptodate.FILE_NAME).exists()


def test_snapshot_walks_folders_and_notes_absent_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.md").write_text("x", encoding="utf-8")
    (tmp_path / "a" / ".hidden").mkdir()
    rows = uptodate.snapshot([str(tmp_path / "a"), str(tmp_path / "missing.md")])
    kinds = {(row[0], Path(row[1]).name) for row in rows}
    assert kinds == {("d", "a"), ("d", "b"), ("f", "x.md"), ("-", "missing.md")}
    assert uptodate.unchanged(rows)
    (tmp_path / "missing.md").write_text("now here", encoding="utf-8")
    assert not uptodate.unchanged(rows)


def test_files_stamped_in_whole_seconds_just_now_are_not_trusted(tmp_path):
    """A coarse file system (FAT, some network mounts) keeps whole seconds: a file changed
    twice within one keeps its stats, so no entry is recorded until the second is over."""
    import time

    source = tmp_path / "a.md"
    source.write_text("text", encoding="utf-8")
    now = (time.time_ns() // 10**9) * 10**9
    os.utime(source, ns=(now, now))

    def recorded() -> bool:
        uptodate.record(str(tmp_path), ["build"], str(tmp_path), [str(source)], [], "day",
                        "", "", "")
        return bool(json.loads((tmp_path / ".newsbook" / uptodate.FILE_NAME)
                               .read_text(encoding="utf-8")))

    assert not recorded()
    os.utime(source, ns=(now - 5 * 10**9, now - 5 * 10**9))
    assert recorded()
    os.utime(source, ns=(now + 123, now + 123))  # nanoseconds kept: a precise file system
    assert recorded()


def test_the_quick_answer_prints_in_the_full_paths_order(built):
    """The summary (stderr), then the files (stdout), as the full path prints them."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "newsbook", "build", str(built), "-f", "epub"]
    env = {**os.environ, "NO_COLOR": "1"}
    outputs = []
    for _ in range(2):  # the second is answered from stats
        outputs.append(subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, env=env, timeout=300).stdout.splitlines())
    for lines in outputs:  # the full check's answer, then the quick one
        assert lines[0].startswith("built ") and "up to date" in lines[0]
        assert lines[1:] == outputs[0][1:] and lines[1].endswith(".epub")
