"""Feed entries that link into one page (page.html#a, page.html#b) are distinct posts by their guids."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest

from conftest import register_epub, run_cli
from newsbook.model import Article
from newsbook.model.select import Rules, article_key, select
from webserver import FixtureServer

# Each post says something of its own, so no two are "the same story" by their text.
POSTS = [
    ("a", "Tide tables", "The spring tide tables for the estuary are out: low water at the bar "
     "falls before seven on most mornings in April, so the early ferry will run on time."),
    ("b", "Lamp restored", "The iron lamp at the end of the grain pier has been restored by two "
     "volunteers from the sailing club, who found its original green glass in a shed."),
    ("c", "Heron count", "Birdwatchers counted forty-one herons on the mudflats on Sunday, the "
     "highest number since the reserve opened, and a pair of spoonbills among them."),
]


def feed(base: str, posts: list[tuple[str, str, str]], guids: bool = True) -> str:
    """An RSS feed of short posts that all link into /notes/page.html, each with its content."""
    items = "".join(
        f"<item><title>{title}</title><link>{base}/notes/page.html#{anchor}</link>"
        + (f'<guid isPermaLink="false">notes-{anchor}</guid>' if guids else "")
        + f"<pubDate>Fri, 20 Nov 2026 0{i}:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{text}</p>]]></description></item>"
        for i, (anchor, title, text) in enumerate(posts))
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Harbour Notes</title><link>{base}/notes/page.html</link>{items}"
            "</channel></rss>")


@pytest.fixture
def site():
    srv = FixtureServer()
    # The page holds every post; fetching it for one entry would give all of them.
    page = "".join(f'<article id="{a}"><h2>{t}</h2><p>{x}</p></article>' for a, t, x in POSTS)
    srv.add("/notes/page.html", f"<html><head><title>Notes</title></head><body>{page}"
                                "</body></html>")
    yield srv
    srv.stop()


def project(tmp_path: Path, sources: str, day: str = "2026-11-21") -> Path:
    folder = tmp_path / "proj"
    folder.mkdir(exist_ok=True)
    (folder / "newsbook.toml").write_text(f"""
[issue]
title = "Notes Weekly"
number = "auto"
date = "{day}"

[build]
formats = ["epub"]

{sources}
""")
    return folder


def articles(epub: Path) -> dict[str, str]:
    """Article title -> XHTML of its document, in reading order."""
    import re

    z = zipfile.ZipFile(epub)
    out = {}
    for name in sorted(z.namelist()):
        if re.match(r"EPUB/a[0-9a-f]+\.xhtml$", name):
            text = z.read(name).decode()
            out[re.search(r'<h1 class="article-title">(.*?)</h1>', text).group(1)] = text
    return out


def build(folder: Path):
    result = run_cli("build", str(folder), "--json")
    assert "Traceback" not in result.stderr
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_fragment_linked_entries_are_all_in_the_issue_and_not_in_the_next(tmp_path, site):
    site.add("/notes.xml", feed(site.base, POSTS), content_type="application/rss+xml")
    folder = project(tmp_path, f'[[sources]]\nfeed = "{site.url("/notes.xml")}"\n')
    result, report = build(folder)
    assert result.returncode == 0, result.stderr
    epub = register_epub(Path(report["outputs"][0]))
    found = articles(epub)
    assert sorted(found) == sorted(t for _, t, _ in POSTS)
    for _, title, text in POSTS:  # each entry's own text, not the page of all posts
        assert [t for t, xhtml in found.items() if text[:40] in xhtml] == [title]
    assert site.hits["/notes/page.html"] == 0

    # One more post in the feed: the next issue carries it alone.
    more = POSTS + [("d", "New buoy", "A new yellow buoy marks the wreck of the trawler off the "
                                      "north sands, replacing the one lost in the January storm.")]
    site.add("/notes.xml", feed(site.base, more), content_type="application/rss+xml")
    time.sleep(1.1)  # past the HTTP cache's freshness of one second
    project(tmp_path, f'[[sources]]\nfeed = "{site.url("/notes.xml")}"\n', day="2026-11-28")
    result, report = build(folder)
    assert result.returncode == 0, result.stderr
    assert report["issue"]["number"] == 2
    assert result.returncode == 0, result.stderr
    epub = register_epub(Path(report["outputs"][0]))
    assert list(articles(epub)) == ["New buoy"]


def test_the_same_posts_in_two_feeds_are_carried_once(tmp_path, site):
    site.add("/notes.xml", feed(site.base, POSTS), content_type="application/rss+xml")
    site.add("/all.xml", feed(site.base, POSTS[:2]), content_type="application/rss+xml")
    folder = project(tmp_path, f'[[sources]]\nfeed = "{site.url("/notes.xml")}"\n'
                               f'[[sources]]\nfeed = "{site.url("/all.xml")}"\n')
    result, report = build(folder)
    assert result.returncode == 0, result.stderr
    epub = register_epub(Path(report["outputs"][0]))
    assert sorted(articles(epub)) == sorted(t for _, t, _ in POSTS)


def _post(url: str, guid: str | None, text: str) -> Article:
    return Article(id="a" + text[:5], title=text, body=f"<p>{text}</p>", source=url, url=url,
                   guid=guid)


def test_key_keeps_posts_with_distinct_guids_apart():
    page = "https://notes.example.org/page.html"
    a, b = _post(page + "#a", "tag:a", "one"), _post(page + "#b", "tag:b", "two")
    assert article_key(a) != article_key(b)
    # The same guid is the same post, whichever feed it came from.
    assert article_key(a) == article_key(_post(page + "#a", "tag:a", "one again"))
    kept, out = select([a, b, _post(page + "#a", "tag:a", "once more")], Rules())
    assert [k.title for k in kept] == ["one", "two"] and "same URL" in out[0].reason


def test_key_without_distinct_guid_ignores_the_fragment():
    page = "https://notes.example.org/story.html"
    # No guid: a link's fragment is a place in the same page, not another post.
    assert article_key(_post(page + "#comments", None, "x")) == article_key(_post(page, None, "y"))
    # A tracking fragment (key=value) with a guid that is the link itself names no post either.
    assert article_key(_post(page + "#xtor=RSS-3208", page, "x")) == \
        article_key(_post(page, None, "y"))
