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


STRUCTURED = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Harbour Survey Results — Port News</title>
<meta property="og:site_name" content="Port News"><meta name="author" content="Lee Smith">
<meta property="article:published_time" content="2026-02-01T10:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<main><article><h1>Harbour Survey Results</h1>
<p>The survey of the harbour wall found <a href="https://example.org/report">serious cracks</a>
in three places, engineers said on <b>Tuesday</b>, and the council will start repairs in spring.</p>
<figure><img src="img/p.png" alt="The cracked wall"><figcaption>The wall at low tide.</figcaption>
</figure>
<h2>Where the cracks are</h2>
<table><thead><tr><th>Place</th><th>Length</th></tr></thead>
<tbody><tr><td>North pier</td><td>3 m</td></tr><tr><td>Slipway</td><td>1 m</td></tr></tbody></table>
<blockquote><p>We caught it early, which is the good news, said the chief engineer, who led the
survey team.</p></blockquote>
<ol><li>First, the north pier will be closed for two weeks.</li>
<li>Then the slipway repairs follow in May.</li></ol>
<p>Residents can read the full report at the library, where a copy will be kept until the works
are complete.</p>
</article></main><footer>Copyright Port News</footer></body></html>
"""


def test_structure_survives_extraction_and_cleaning(tmp_path):
    from PIL import Image

    from newsbook.clean import clean_article, local_resolver

    (tmp_path / "img").mkdir()
    Image.new("RGB", (50, 40), "blue").save(tmp_path / "img" / "p.png")
    (tmp_path / "page.html").write_text(STRUCTURED, encoding="utf-8")
    article = read_file(tmp_path / "page.html")
    assert article.title == "Harbour Survey Results" and article.site == "Port News"
    assert article.language == "en-GB"
    cleaned, warnings = clean_article(article, local_resolver([tmp_path]))
    assert warnings == []
    body = cleaned.body
    for fragment in ("<h2>Where the cracks are</h2>", "<th>Place</th>", "<td>North pier</td>",
                     "<blockquote>", "<ol>", "<li>First, the north pier",
                     '<a href="https://example.org/report">serious cracks</a>',
                     "<figcaption>The wall at low tide.</figcaption>", "<strong>Tuesday</strong>"):
        assert fragment in body, fragment
    assert len(cleaned.images) == 1 and f'src="{cleaned.images[0].key}"' in body
    assert "Home" not in body and "Copyright" not in body and "<h1" not in body
