"""Web sources that fail never sink or stall an issue: each fault of tests/faultserver.py, end to end.

Every build here is `python -m newsbook build`, as a user runs it, with one good local article
beside the faulty source, and a short request deadline (--timeout) so the suite stays fast.
What is asserted: the exit code, the warning's text, which articles made it into the book, and
(for signals) one line on stderr. No timing is asserted; a hang ends in run_cli's own timeout.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import register_epub, run_cli
from faultserver import FaultServer, refused_url

TIMEOUT = "2"  # seconds a URL may take in these builds

PARAGRAPHS = "".join(
    f"<p>Paragraph {i}: the council met on Tuesday to discuss the harbour, the new ferry "
    f"timetable and the library's opening hours, and agreed to meet again in spring.</p>"
    for i in range(6))


def page(title: str, images: list[str] = ()) -> str:
    figures = "".join(f'<p><img src="{src}" alt="photo {n}"></p>' for n, src in enumerate(images))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"</head><body><article><h1>{title}</h1>{PARAGRAPHS}{figures}</article></body></html>")


def feed(items: list[tuple[str, str]]) -> str:
    """RSS whose entries carry a short summary and link to a page (title, link)."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Tue, 01 Dec 2026 08:00:00 GMT</pubDate>"
        f"<description>Summary of {title}, as the feed tells it.</description></item>"
        for title, link in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Faulty Feed</title><link>http://127.0.0.1/</link>{entries}</channel></rss>")


@pytest.fixture
def server():
    srv = FaultServer(trickle=0.3)
    yield srv
    srv.stop()


@pytest.fixture
def local(tmp_path) -> Path:
    path = tmp_path / "local.md"
    path.write_text("---\ntitle: The Local Article\ndate: 2026-12-01\n---\n\n"
                    "A local article, which must be in the book whatever the web does.\n")
    return path


def png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def build(tmp_path: Path, *sources: str, extra: tuple[str, ...] = ()):
    """An ad-hoc build of `sources`; returns (exit code, report, stderr, titles in the EPUB)."""
    out = tmp_path / "issue.epub"
    result = run_cli("build", *sources, "-o", str(out), "--json", "--timeout", TIMEOUT, *extra,
                     env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout) if result.stdout.strip() else None
    titles = [a["title"] for a in report["included"]] if report else []
    if out.exists():
        register_epub(out)
    return result.returncode, report, result.stderr, titles


FAULTS = [
    ("/reset-mid-body", "the body was cut off"),
    ("/short-body", "the body was cut off"),
    ("/bad-gzip", "not the encoding its headers claim"),
    ("/bad-chunked", "the body was cut off"),
    ("/reset-at-once", "connection failed"),
    ("/garbage", "the answer is not HTTP"),
    ("/lying-type", "cannot tell the text encoding"),
    ("/huge-length", "larger than the"),
    ("/redirect-loop", "redirects"),
    ("/status-503", "HTTP 503"),
    ("/status-429-long", "asks to wait 3600 s"),
    ("/trickle", "timed out"),
    ("/trickle-headers", "timed out"),
    ("/silent", "timed out"),
    ("/empty-200", "not an HTML page"),
]


@pytest.mark.parametrize("path, reason", FAULTS)
def test_a_faulty_page_is_one_warning_and_the_rest_is_built(tmp_path, server, local, path,
                                                            reason):
    code, report, _stderr, titles = build(tmp_path, server.url(path), str(local))
    assert code == 0
    assert titles == ["The Local Article"]
    [failure] = report["failures"]
    assert failure["source"] == server.url(path)
    assert reason in failure["reason"] and server.url(path) in failure["reason"]
    if reason == "timed out":  # one deadline for the URL, not one per try
        assert server.hits[path] == 1


def test_a_refused_connection_is_a_warning(tmp_path, local):
    url = refused_url("/page")
    code, report, _stderr, titles = build(tmp_path, url, str(local))
    assert code == 0 and titles == ["The Local Article"]
    assert "connection refused" in report["failures"][0]["reason"]


def test_an_image_that_resets_drops_only_the_image(tmp_path, server, local):
    good = server.add("/good.png", png(), "image/png")
    url = server.add("/story", page("A Story With Photos",
                                    [good, server.url("/reset-mid-body/photo.png")]))
    code, report, _stderr, titles = build(tmp_path, url, str(local))
    assert code == 0 and sorted(titles) == ["A Story With Photos", "The Local Article"]
    assert not report["failures"]
    assert any("/reset-mid-body/photo.png" in w and "cut off" in w for w in report["warnings"])
    book = zipfile.ZipFile(tmp_path / "issue.epub")
    photos = [name for name in book.namelist()
              if name.startswith("EPUB/images/") and "/cover-" not in name]
    assert len(photos) == 1  # the good one


def test_feed_entries_linking_to_faults_fall_back_to_the_feeds_text(tmp_path, server, local):
    faults = ["/reset-mid-body", "/short-body", "/bad-gzip", "/trickle", "/silent"]
    url = server.add("/feed.xml", feed([(f"Entry {p}", server.url(p)) for p in faults]),
                     "application/rss+xml")
    code, report, _stderr, titles = build(tmp_path, url, str(local))
    assert code == 0 and not report["failures"]
    assert sorted(titles) == sorted([f"Entry {p}" for p in faults] + ["The Local Article"])
    fallbacks = [w for w in report["warnings"] if "the feed's own text is used" in w]
    assert len(fallbacks) == len(faults)


def test_a_host_that_refuses_is_given_up_after_two_tries(tmp_path, server, local):
    dead = refused_url("")
    url = server.add("/gallery", page("Sixty Photos", [f"{dead}/img{n}.png" for n in range(60)]))
    code, report, _stderr, titles = build(tmp_path, url, str(local))
    assert code == 0 and sorted(titles) == ["Sixty Photos", "The Local Article"]
    host = dead.split("//")[1]
    refused = [w for w in report["warnings"]
               if "connection refused" in w and "skipped: unreachable" not in w]
    [summary] = [w for w in report["warnings"] if "skipped: unreachable" in w]
    assert len(refused) == 2  # the two failures that marked the host down
    assert summary.startswith(f"58 images from host {host} skipped: unreachable")
    assert len(report["warnings"]) == 3


def test_the_build_deadline_skips_what_has_not_arrived(tmp_path, server, local):
    urls = [server.url(f"/silent/{n}") for n in range(4)]
    # The good page on a host of its own: the silent ones hold both of their host's slots,
    # and a page queued behind them would wait for the deadline too.
    other = FaultServer(host="127.0.0.2")
    try:
        good = other.add("/fine", page("A Fine Page"))
        # A deadline far below the request timeout, with room for a loaded machine to fetch
        # the good page: the silent ones are cut at the deadline, not at the timeout.
        code, report, _stderr, titles = build(tmp_path, good, *urls, str(local),
                                              extra=("--timeout", "600", "--deadline", "8"))
    finally:
        other.stop()
    assert code == 0 and sorted(titles) == ["A Fine Page", "The Local Article"]
    reasons = [f["reason"] for f in report["failures"]]
    assert len(reasons) == 4
    assert all("network deadline (8 s)" in reason for reason in reasons), reasons


def test_strict_still_refuses_a_faulty_source(tmp_path, server, local):
    code, report, stderr, _titles = build(tmp_path, server.url("/short-body"), str(local),
                                          extra=("--strict",))
    assert code == 1 and "cut off" in stderr and "--strict" in stderr


# -- signals while fetching -------------------------------------------------------------------

def wait_for(condition, what: str, limit: float = 60.0) -> None:
    """Wait for an observable event (never for a fixed time); fail after a generous limit."""
    end = time.monotonic() + limit
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


@pytest.mark.parametrize("sig, code, message", [
    (signal.SIGTERM, 143, "newsbook: terminated"),
    (signal.SIGINT, 130, "newsbook: interrupted"),
])
def test_a_signal_while_fetching_stops_the_build_at_once(tmp_path, server, local, sig, code,
                                                         message):
    urls = [server.url(f"/trickle/{n}") for n in range(3)] + [server.url("/silent")]
    out = tmp_path / "issue.epub"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "newsbook", "build", *urls, str(local), "-o", str(out),
         "--timeout", "600"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # Two at a time per host: both slots are held by servers that will not finish.
        wait_for(lambda: sum(server.hits[f"/trickle/{n}"] for n in range(3))
                 + server.hits["/silent"] >= 2, "the fetches to start")
        process.send_signal(sig)
        # Well inside the 600 s deadline: the build does not wait for its servers.
        _stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == code
    assert stderr.strip().splitlines() == [message], stderr
    assert not out.exists()


# -- damaged caches ---------------------------------------------------------------------------

def project_with_page(tmp_path: Path, url: str, formats: str = '"epub"') -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "newsbook.toml").write_text(
        f'[issue]\ntitle = "Cache Test"\ndate = "2026-12-01"\n\n[build]\nformats = [{formats}]\n\n'
        f'[network]\ntimeout = {TIMEOUT}\n\n[[sources]]\nurl = "{url}"\n\n'
        f'[[sources]]\npath = "notes"\n')
    (folder / "notes").mkdir()
    (folder / "notes" / "note.md").write_text("---\ntitle: A Note\ndate: 2026-12-01\n---\n\n"
                                              "Words of a note kept in the project.\n")
    return folder


def build_project(folder: Path, *extra: str):
    result = run_cli("build", str(folder), "--json", *extra)
    assert "Traceback" not in result.stderr and "Fatal" not in result.stderr, result.stderr
    report = json.loads(result.stdout) if result.stdout.strip() else None
    if report:
        for path in report["outputs"]:
            if path.endswith(".epub"):
                register_epub(Path(path))
    return result.returncode, report


GARBAGE = b"SQLite format 3\x00" + bytes(range(256)) * 64  # a header, then nonsense


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty-dir"])
def test_a_damaged_http_cache_is_moved_aside_and_the_build_goes_on(tmp_path, server, damage):
    url = server.add("/cached", page("A Cached Page"))
    folder = project_with_page(tmp_path, url)
    assert build_project(folder)[0] == 0
    cache = folder / ".newsbook" / "cache" / "http.sqlite"
    assert cache.exists()
    if damage == "garbage":
        cache.write_bytes(GARBAGE)
    elif damage == "truncated":
        cache.write_bytes(cache.read_bytes()[:3000])
    else:
        cache.unlink()
        cache.mkdir()  # not even a file
    (folder / "notes" / "note.md").write_text((folder / "notes" / "note.md").read_text() + "\nMore.\n")
    code, report = build_project(folder, "--include-seen")
    assert code == 0, report
    assert sorted(a["title"] for a in report["included"]) == ["A Cached Page", "A Note"]
    notes = [w for w in report["warnings"] if "HTTP cache" in w]
    assert len(notes) == 1, report["warnings"]
    if damage != "empty-dir":
        assert "moved to http.sqlite.damaged" in notes[0]
        assert (cache.parent / "http.sqlite.damaged").exists()
        with sqlite3.connect(cache) as db:  # the new cache is a working one
            assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_a_locked_http_cache_is_used_by_nobody_but_its_holder(tmp_path, server):
    url = server.add("/cached", page("A Cached Page"))
    folder = project_with_page(tmp_path, url)
    assert build_project(folder)[0] == 0
    cache = folder / ".newsbook" / "cache" / "http.sqlite"
    holder = sqlite3.connect(cache)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, report = build_project(folder, "--include-seen")
    finally:
        holder.rollback()
        holder.close()
    assert code == 0
    assert any("locked by another process" in w for w in report["warnings"]), report["warnings"]


@pytest.mark.parametrize("name", ["articles.sqlite", "templates"])
def test_a_damaged_build_cache_is_started_afresh(tmp_path, server, name):
    url = server.add("/cached", page("A Cached Page"))
    folder = project_with_page(tmp_path, url)
    assert build_project(folder)[0] == 0
    cache = folder / ".newsbook" / "cache"
    damaged = 0
    for path in cache.rglob("*"):
        if path.is_file() and (path.name == name or path.parent.name == name):
            path.write_bytes(GARBAGE)
            damaged += 1
    assert damaged, sorted(p.name for p in cache.rglob("*"))
    (folder / "notes" / "note.md").write_text((folder / "notes" / "note.md").read_text() + "\nMore.\n")
    code, report = build_project(folder, "--include-seen")
    assert code == 0
    assert sorted(a["title"] for a in report["included"]) == ["A Cached Page", "A Note"]
    if name == "articles.sqlite":
        [note] = [w for w in report["warnings"] if "article cache" in w]
        assert "moved to articles.sqlite.damaged" in note
        assert (cache / "articles.sqlite.damaged").exists()
        with sqlite3.connect(cache / name) as db:  # started afresh, and in use again
            assert db.execute("SELECT count(*) FROM entries").fetchone()[0] >= 1
    else:
        # Each entry carries its own check (Jinja's bytecode header and checksum; PDF parts a
        # sha256, tested in test_builders_pdfparts): a damaged one is compiled again, which is
        # all a warning could ask the user to do.
        assert not report["warnings"], report["warnings"]


def test_a_locked_article_cache_is_done_without(tmp_path, server):
    url = server.add("/cached", page("A Cached Page"))
    folder = project_with_page(tmp_path, url)
    assert build_project(folder)[0] == 0
    holder = sqlite3.connect(folder / ".newsbook" / "cache" / "articles.sqlite")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, report = build_project(folder, "--include-seen")
    finally:
        holder.rollback()
        holder.close()
    assert code == 0
    assert sorted(a["title"] for a in report["included"]) == ["A Cached Page", "A Note"]
    assert any("article cache not used" in w for w in report["warnings"]), report["warnings"]
