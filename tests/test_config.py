"""newsbook.toml parsing: defaults, types, and errors that name the file and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsbook.build.config import load, parse
from newsbook.model.errors import ConfigError

from conftest import ROOTS


def test_basic_project_config():
    config = load(ROOTS / "basic" / "newsbook.toml")
    assert config.title == "Test Gazette" and config.number == 7
    assert config.date == date(2026, 3, 14)
    assert config.formats == ["epub", "pdf"] and config.order == "date"
    assert [s.section for s in config.sources] == ["News", "Notes"]
    assert config.sources[0].kind == "path"
    assert config.sources[0].location == str((ROOTS / "basic" / "articles" / "news").resolve())


def test_defaults():
    config = parse({}, Path("/p/newsbook.toml"))
    assert config.language == "en" and config.page_size == "A4" and config.order == "source"
    assert config.formats == ["epub", "pdf"] and config.sources == []


@pytest.mark.parametrize("raw, needle", [
    ({"extra": {}}, "unknown table or key 'extra'"),
    ({"issue": {"titel": "x"}}, "unknown key 'issue.titel'"),
    ({"issue": {"number": True}}, "'issue.number' must be an integer"),
    ({"issue": {"date": "next tuesday"}}, "'issue.date' must be a date"),
    ({"issue": {"language": "english please"}}, "'issue.language' must be a language tag"),
    ({"build": {"order": "random"}}, "'build.order' must be one of"),
    ({"build": {"page_size": "A9"}}, "'build.page_size' must be one of"),
    ({"build": {"sections": ["a", 1]}}, "'build.sections' must be a list of strings"),
    ({"sources": {"path": "x"}}, "'sources' must be an array of tables"),
    ({"sources": [{"path": "x", "colour": "y"}]}, "unknown key 'sources[1].colour'"),
    ({"sources": [{"path": "x", "feed": "https://e.org/f"}]}, "needs exactly one of"),
    ({"sources": [{"section": "x"}]}, "needs exactly one of"),
    ({"sources": [{"url": "ftp://e.org/x"}]}, "must be an http(s) URL"),
    ({"sources": [{"urls": ["https://e.org/a", "e.org/b"]}]}, "'e.org/b', which is not"),
    ({"sources": [{"feed": "https://e.org/f", "full_text": "sometimes"}]}, "true, false or"),
    ({"sources": [{"feed": "https://e.org/f", "max_articles": 0}]}, "positive integer"),
    ({"sources": [{"feed": "https://e.org/f", "since": "last week"}]}, "'sources[1].since'"),
    ({"fetch": {"workers": 0}}, "'fetch.workers' must be a positive integer"),
    ({"fetch": {"timeout": "long"}}, "'fetch.timeout' must be a number of seconds"),
    ({"issue": "title"}, "'issue' must be a table"),
    ({"issue": {"title_format": "{title} No. {issue}"}}, "unknown field {issue} (known: {title}"),
    ({"issue": {"title_format": "{title} {}"}}, "unknown field {}"),
    ({"issue": {"title_format": "{title.upper}"}}, "unknown field {title.upper}"),
    ({"issue": {"title_format": "{title"}}, "'issue.title_format': not a format string"),
    ({"issue": {"title_format": "{number:x<q}"}}, "'issue.title_format': not a format string"),
])
def test_errors(raw, needle):
    with pytest.raises(ConfigError) as info:
        parse(raw, Path("/p/newsbook.toml"))
    assert needle in str(info.value) and "/p/newsbook.toml" in str(info.value)


def test_title_format_is_kept_and_a_bad_one_is_one_line_at_the_cli(tmp_path):
    from conftest import run_cli

    good = parse({"issue": {"title_format": "{series} {number:03d} ({isodate})"}},
                 Path("/p/newsbook.toml"))
    assert good.title_format == "{series} {number:03d} ({isodate})"
    (tmp_path / "newsbook.toml").write_text('[issue]\ntitle = "T"\ntitle_format = "{titel}"\n')
    result = run_cli("build", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "unknown field {titel}" in result.stderr


def test_missing_and_undecodable(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load(tmp_path / "newsbook.toml")
    (tmp_path / "newsbook.toml").write_bytes(b"title = '\xff'")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(tmp_path / "newsbook.toml")


def test_web_sources(tmp_path):
    (tmp_path / "local.xml").write_text("<rss/>")
    (tmp_path / "subs.opml").write_text("<opml/>")
    (tmp_path / "links.txt").write_text("# reading list\nhttps://e.org/a\n\nhttps://e.org/b  # good\n")
    config = parse({"sources": [
        {"url": "https://e.org/one", "section": "Web"},
        {"urls": ["https://e.org/x", "https://e.org/y"]},
        {"links": "links.txt"},
        {"feed": "https://e.org/feed.xml", "max_articles": 5, "full_text": True, "since": "7 days"},
        {"feed": "local.xml", "full_text": "auto"},
        {"opml": "subs.opml"},
    ], "fetch": {"timeout": 5, "per_host": 1}}, tmp_path / "newsbook.toml")
    kinds = [(s.kind, s.location) for s in config.sources]
    assert kinds == [("url", "https://e.org/one"), ("url", "https://e.org/x"),
                     ("url", "https://e.org/y"), ("url", "https://e.org/a"),
                     ("url", "https://e.org/b"), ("feed", "https://e.org/feed.xml"),
                     ("feed", str(tmp_path / "local.xml")), ("opml", str(tmp_path / "subs.opml"))]
    feed = config.sources[5]
    assert (feed.max_articles, feed.full_text, feed.since) == (5, True, "7 days")
    assert config.sources[6].full_text is None
    assert config.fetch.timeout == 5 and config.fetch.per_host == 1


def test_resolve_window():
    from datetime import datetime, timezone

    from newsbook.build.config import resolve_window

    now = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    assert resolve_window("7 days", now) == datetime(2026, 11, 21, 12, tzinfo=timezone.utc)
    assert resolve_window("2w", now) == datetime(2026, 11, 14, 12, tzinfo=timezone.utc)
    assert resolve_window("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=timezone.utc)


def test_theme_and_epub_tables():
    config = parse({"theme": {"accent": "#0055AA"}, "epub": {"cover": False}},
                   Path("/p/newsbook.toml"))
    assert config.palette.accent == "#0055aa" and config.palette.ink == "#141418"
    assert config.epub_cover is False
    for raw, needle in (({"theme": {"accent": "red; } body { x"}}, "'theme.accent' must be a colour"),
                        ({"epub": {"cover": "yes"}}, "'epub.cover' must be true or false"),
                        ({"theme": {"font": "x"}}, "unknown key 'theme.font'")):
        with pytest.raises(ConfigError, match=needle):
            parse(raw, Path("/p/newsbook.toml"))


def test_control_characters_are_refused():
    for raw in ({"issue": {"title": "Evil\r\nX"}}, {"issue": {"publisher": "a\x00b"}},
                {"build": {"sections": ["ok", "tab\there"]}}):
        with pytest.raises(ConfigError, match="must not contain control characters"):
            parse(raw, Path("/p/newsbook.toml"))
