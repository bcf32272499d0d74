"""The article cache: what a rebuild reads again, and what it may take from the cache."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import register_epub, run_cli
from newsbook import sources
from newsbook.build import config as config_mod
from newsbook.build import pipeline
from newsbook.build import plan as plan_mod
from newsbook.build import report as report_mod
from newsbook.build.state import article_cache
from newsbook.model import Article, Image
from newsbook.render import cover
from newsbook.speed import articlecache

EPOCH = "1773446400"


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # equal builds give equal bytes


def build(folder: Path) -> report_mod.Report:
    """The project's EPUB, built in this process."""
    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"), formats=["epub"])
    return pipeline.build(plan)


def names(report: report_mod.Report) -> list[str]:
    return sorted(Path(source).name for source in report.read)


ALL = ["bridge.md", "cafe.md", "market.html", "scraped.txt"]


def test_a_rebuild_takes_every_article_from_the_cache_and_gives_the_same_book(project,
                                                                              monkeypatch):
    folder = project("basic")
    cold = build(folder)
    assert (cold.cache_hits, names(cold)) == (0, ALL)
    epub = register_epub(cold.outputs[0])
    first = epub.read_bytes()
    # Forget the outputs (not the cache): the book is made again, from cached articles only.
    (folder / ".newsbook" / "outputs.json").unlink()
    epub.unlink()
    warm = build(folder)
    assert (warm.cache_hits, warm.cache_misses, warm.read) == (4, 0, [])
    assert not warm.up_to_date
    assert epub.read_bytes() == first  # the cached articles are the articles, images included
    assert [a.__dict__ for a in warm.issue.articles] == [a.__dict__ for a in cold.issue.articles]
    assert warm.warnings == cold.warnings  # cleaning's warnings come back with the article
    covers = []
    real_cover = cover.issue_cover
    monkeypatch.setattr(cover, "issue_cover", lambda *a: covers.append(a) or real_cover(*a))
    again = build(folder)
    assert again.up_to_date and again.cache_hits == 4 and again.read == []
    assert covers == []  # an up-to-date build does not even look for its cover
    assert report_mod.report_dict(again)["cache"] == {"hits": 4, "misses": 0, "read": []}


def test_an_edited_article_alone_is_read_again(project):
    folder = project("basic")
    build(folder)
    page = folder / "articles" / "notes" / "cafe.md"
    page.write_text(page.read_text(encoding="utf-8").replace("tôt", "très tôt"),
                    encoding="utf-8")
    report = build(folder)
    assert (report.cache_hits, names(report)) == (3, ["cafe.md"])
    assert not report.up_to_date
    cafe = next(a for a in report.issue.articles if a.source.endswith("cafe.md"))
    assert "très tôt" in cafe.body


def test_a_new_reader_version_reads_that_readers_files_again(project, monkeypatch):
    folder = project("basic")
    build(folder)
    monkeypatch.setitem(sources.READER_VERSIONS, "markdown",
                        sources.READER_VERSIONS["markdown"] + 1)
    report = build(folder)
    assert names(report) == ["bridge.md", "cafe.md"] and report.cache_hits == 2


def test_a_new_cleaner_or_newsbook_version_reads_everything_again(project, monkeypatch):
    folder = project("basic")
    build(folder)
    monkeypatch.setattr(articlecache, "CLEAN_VERSION", articlecache.CLEAN_VERSION + 1)
    assert names(build(folder)) == ALL
    monkeypatch.setattr(articlecache, "__version__", "99.0")
    assert names(build(folder)) == ALL


@pytest.mark.parametrize("setting, expected", [
    ('image_size = 800', ALL),  # images are embedded at another size
    ('section = "Notes"', ["bridge.md", "market.html"]),  # the news folder's section changes
])
def test_a_setting_that_shapes_articles_reads_them_again(project, setting, expected):
    folder = project("basic")
    build(folder)
    toml = folder / "newsbook.toml"
    text = toml.read_text(encoding="utf-8")
    if setting.startswith("image_size"):
        text = text.replace('order = "date"', f'order = "date"\n{setting}')
    else:
        text = text.replace('section = "News"', setting)
    toml.write_text(text, encoding="utf-8")
    report = build(folder)
    assert names(report) == expected


def test_a_changed_image_reads_its_article_again(project):
    from PIL import Image as PILImage

    folder = project("basic")
    build(folder)
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (10, 200, 30)).save(buffer, "PNG")
    (folder / "images" / "bridge.png").write_bytes(buffer.getvalue())
    report = build(folder)
    assert names(report) == ["bridge.md"]
    register_epub(report.outputs[0])
    with zipfile.ZipFile(report.outputs[0]) as book:
        images = [n for n in book.namelist() if n.startswith("EPUB/images/")]
        assert buffer.getvalue() in [book.read(n) for n in images]
    (folder / "images" / "bridge.png").unlink()  # now refused: read again, image dropped
    report = build(folder)
    assert names(report) == ["bridge.md"]
    assert any("cannot read image" in w for w in report.warnings)


def test_a_damaged_cache_is_started_afresh_with_a_warning(project):
    folder = project("basic")
    build(folder)
    path = article_cache(folder).path
    path.write_bytes(b"this is not a database" * 100)
    result = run_cli("build", str(folder), "-f", "epub", "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "article cache was damaged" in result.stderr
    report = json.loads(result.stdout)
    assert report["cache"]["misses"] == 4  # everything read again, and cached again:
    assert build(folder).cache_hits == 4
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_malformed_entry_is_read_again(project):
    folder = project("basic")
    build(folder)
    with sqlite3.connect(article_cache(folder).path) as db:
        db.execute("UPDATE entries SET entry = '{\"article\": ' WHERE rowid = 1")
    report = build(folder)
    assert report.cache_hits == 3 and report.cache_misses == 1


def test_concurrent_builds_share_the_cache_without_harm(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(30):
        (folder / f"{i:02d}.md").write_text(f"# Story {i}\n\nText {i} " + "word " * 200 + "\n",
                                            encoding="utf-8")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": EPOCH}
    command = [sys.executable, "-m", "newsbook", "build", str(folder), "--json", "--jobs", "1"]
    builds = [subprocess.Popen([*command, "-o", str(tmp_path / f"out{i}.epub")], env={
        **__import__("os").environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True) for i in range(4)]
    for process in builds:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
        assert json.loads(stdout)["articles"] == 30
    books = {(tmp_path / f"out{i}.epub").read_bytes() for i in range(4)}
    assert len(books) == 1  # whatever each took from the cache, every book is the same
    register_epub(tmp_path / "out0.epub")
    database = tmp_path / "cache" / "newsbook" / "articles.sqlite"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    result = run_cli(*command[3:], "-o", str(tmp_path / "again.epub"), env=env)
    assert json.loads(result.stdout)["cache"] == {"hits": 30, "misses": 0, "read": []}


def test_entries_keep_every_field(tmp_path):
    moment = datetime(2026, 3, 12, 9, 30, 15, 123, tzinfo=timezone(timedelta(hours=-5)))
    image = Image(key="images/abc.png", media_type="image/png", data=b"\x89PNG...", alt="A")
    article = Article(id="a1", title="T", body="<p>x</p>", source="a.md", authors=["A", "B"],
                      published=moment, url="https://example.org/a", site="S", language="fr",
                      summary="s", section="News", tags=["t"], images=[image],
                      retrieved=datetime(2026, 3, 13))
    entry = articlecache.Entry(article, ["a.md: a warning"], [("img.png", "00ff"),
                                                             ("gone.png", None)],
                               ("sha256:x", frozenset({1, 2**64 - 1})))
    text, blobs = articlecache.encode(entry)
    back = articlecache.decode(text, blobs)
    assert back == entry and back.article.published.utcoffset() == timedelta(hours=-5)
    assert articlecache.decode(text, {}) is None  # an image missing: no entry
    assert articlecache.decode("[1, 2]", blobs) is None


def test_articles_with_web_images_are_not_kept(tmp_path):
    article = Article(id="a", title="T", body="", source=str(tmp_path / "page.html"))
    assert articlecache.cacheable(articlecache.Entry(article, [], [("pic.png", "00")]))
    assert not articlecache.cacheable(articlecache.Entry(
        article, [], [("pic.png", "00"), ("https://example.org/x.png", "11")]))


def test_the_key_follows_the_bytes_path_and_settings(tmp_path):
    settings = articlecache.Settings(image_size=1600, roots=[tmp_path])
    key = articlecache.entry_key(tmp_path / "a.md", b"text", None, settings)
    assert key == articlecache.entry_key(tmp_path / "a.md", b"text", None, settings)
    others = {articlecache.entry_key(tmp_path / "a.md", b"text!", None, settings),
              articlecache.entry_key(tmp_path / "b.md", b"text", None, settings),
              articlecache.entry_key(tmp_path / "a.md", b"text", "News", settings),
              articlecache.entry_key(tmp_path / "a.md", b"text", None,
                                     articlecache.Settings(800, [tmp_path])),
              articlecache.entry_key(tmp_path / "a.md", b"text", None,
                                     articlecache.Settings(1600, [tmp_path / "x"]))}
    assert key not in others and len(others) == 5


def test_a_drawn_cover_is_reused_while_what_it_shows_is_unchanged(project, monkeypatch):
    from newsbook.render import cover

    drawn = []
    real = cover.make_cover
    monkeypatch.setattr(cover, "make_cover", lambda *args: drawn.append(args) or real(*args))
    folder = project("basic")
    first = build(folder)
    assert len(drawn) == 1
    (folder / ".newsbook" / "outputs.json").unlink()
    second = build(folder)
    assert len(drawn) == 1 and second.issue.cover == first.issue.cover
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("Fixtures for the test suite",
                                                             "Another subtitle"),
                    encoding="utf-8")
    third = build(folder)
    assert len(drawn) == 2 and third.issue.cover.data != first.issue.cover.data
