"""HTML reader: main content without site chrome, structure kept, page metadata."""

from __future__ import annotations

from datetime import datetime

from newsbook.sources import read_file
from newsbook.sources.html import strip_site_name

from conftest import ROOTS

PAGE = ROOTS / "basic" / "articles" / "news" / "market.html"


def test_metadata_from_the_page():
    article = read_file(PAGE)
    assert article.title == "Market Moves Indoors for Winter"
    assert article.authors == ["Grace Hopper"]
    assert article.published.date() == datetime(2026, 3, 10).date()
    assert article.site == "Riverside Herald"
    assert article.url == "https://herald.example.com/market-indoors"
    assert article.language == "en"


def test_body_without_chrome_with_structure():
    body = read_file(PAGE).body
    assert "Saturday market will move into the old tram depot" in body
    assert "April" in body and "What changes" in body and "<li>" in body
    for chrome in ("Advertisement", "Most read", "All rights reserved", "Sport"):
        assert chrome not in body
    assert "Market Moves Indoors" not in body  # the title is printed once, by the template


def test_strip_site_name():
    assert strip_site_name("Title here | The Site", "The Site") == "Title here"
    assert strip_site_name("The Site - Title here", "The Site") == "Title here"
    assert strip_site_name("A: B", None) == "A: B"
