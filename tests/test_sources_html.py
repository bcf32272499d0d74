"""HTML reader: main content without site chrome, structure kept, page metadata."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import ROOTS

from newsbook.sources import read_file
from newsbook.sources.page import bylines, pagemeta, titles

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


STRUCTURED = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Harbour Survey Results | Port News</title>
<meta property="og:site_name" content="Port News"><meta name="author" content="Lee Smith">
<meta property="og:title" content="Harbour Survey Results">
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

    from newsbook.model.clean import clean_article
    from newsbook.model.images import local_resolver

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


# --- metadata signals, one page each -------------------------------------------------------

ARTICLE = ("<p>The river ferry will run every twenty minutes from Monday, the transport office said, "
           "after a summer of complaints about crowded boats and missed connections at the pier.</p>"
           "<p>Commuters welcomed the change, though some asked why it took a petition with four "
           "thousand names to make the office look at a timetable unchanged since the nineties.</p>")


def page(head: str = "", body: str = "", lang: str = "") -> str:
    """A small article page: extra <head> markup, then markup before the article text."""
    lang_attr = f' lang="{lang}"' if lang else ""
    return (f"<!DOCTYPE html><html{lang_attr}><head><meta charset='utf-8'>{head}</head><body>"
            f"<nav><a href='/'>Home</a></nav><article>{body}{ARTICLE}</article>"
            f"<footer>Contact us</footer></body></html>")


def meta_of(html: str, url: str | None = None) -> pagemeta.PageMeta:
    import trafilatura

    return pagemeta.reconcile(pagemeta.collect(trafilatura.load_html(html)), url)


def read_page(tmp_path, html: str):
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    return read_file(path)


def ld(obj) -> str:
    import json

    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_json_ld_graph_with_author_list():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Ferry Times"},
        {"@type": ["NewsArticle"], "headline": "Ferries Every Twenty Minutes",
         "author": [{"@type": "Person", "name": "Ada Lovelace"}, {"@type": "Person", "name": "Alan Turing"}],
         "datePublished": "2026-04-02T08:30:00+02:00", "inLanguage": "fr-FR",
         "publisher": {"@type": "Organization", "name": "Ferry Times Ltd"}}]}
    meta = meta_of(page(ld(graph)))
    assert meta.title == "Ferries Every Twenty Minutes"
    assert meta.authors == ["Ada Lovelace", "Alan Turing"]
    assert meta.published.isoformat() == "2026-04-02T08:30:00+02:00"
    assert meta.language == "fr-FR" and meta.site == "Ferry Times Ltd"


def test_json_ld_array_string_author_cdata_and_trailing_comma():
    raw = ('<script type="application/ld+json">//<![CDATA[\n[{"@type": "WebPage", "name": "Ferries"},'
           '{"@type": "ReportageNewsArticle", "name": "Ferry Report", "author": "By Grace Hopper",'
           '"datePublished": "2026-04-03",}]\n//]]></script>')
    meta = meta_of(page(raw))
    assert meta.title == "Ferry Report" and meta.authors == ["Grace Hopper"]
    assert meta.published.date().isoformat() == "2026-04-03"


def test_json_ld_organisation_author_only_when_nobody_is_named():
    org = {"@type": "Article", "headline": "Ferries", "author": {"@type": "Organization", "name": "Port Desk"}}
    assert meta_of(page(ld(org))).authors == ["Port Desk"]
    named = page(ld(org) + '<meta name="author" content="Lee Smith">')
    assert meta_of(named).authors == ["Lee Smith"]


def test_opengraph_title_site_and_url():
    head = ('<meta property="og:title" content="Ferries Every Twenty Minutes">'
            '<meta property="og:site_name" content="Harbour Post">'
            '<meta property="og:url" content="https://post.example.com/ferries">')
    meta = meta_of(page(head))
    assert (meta.title, meta.site, meta.url) == ("Ferries Every Twenty Minutes", "Harbour Post",
                                                 "https://post.example.com/ferries")


def test_article_meta_published_time_and_author_name_not_url():
    head = ('<meta property="article:published_time" content="2026-05-01T06:00:00Z">'
            '<meta property="article:author" content="https://facebook.com/someone">'
            '<meta property="article:author" content="Mary Shelley">')
    meta = meta_of(page(head))
    assert meta.published.isoformat() == "2026-05-01T06:00:00+00:00"
    assert meta.authors == ["Mary Shelley"]


def test_meta_author():
    assert meta_of(page('<meta name="author" content="Lee Smith, Kim Park">')).authors == ["Lee Smith", "Kim Park"]


def test_rel_author_link():
    body = '<p>By <a rel="author" href="/staff/jo">Jo March</a></p>'
    assert meta_of(page(body=body)).authors == ["Jo March"]


def test_in_page_byline_cleaned_and_related_bylines_ignored():
    body = ('<aside class="related"><span class="byline">By Other Writer</span></aside>'
            '<div class="article-byline">By Amy Pond and Rory Williams @rory | May 20, 2026</div>')
    assert meta_of(page(body=body)).authors == ["Amy Pond", "Rory Williams"]


def test_itemprop_author_name():
    body = '<div itemprop="author"><span itemprop="name">Clara Oswald</span>, Staff Writer</div>'
    assert meta_of(page(body=body)).authors == ["Clara Oswald"]


def test_time_element_and_htmldate_fallback(tmp_path):
    body = '<time datetime="2026-06-07T10:00:00Z">7 June</time>'
    assert meta_of(page(body=body)).published.date().isoformat() == "2026-06-07"
    # no stated date at all: htmldate reads it from the URL-like canonical link
    head = '<link rel="canonical" href="https://news.example.com/2026/06/08/ferries.html">'
    article = read_page(tmp_path, page(head, "<h1>Ferries</h1>"))
    assert article.published.date().isoformat() == "2026-06-08"


def test_language_from_html_then_json_ld_and_canonical():
    head = ('<link rel="canonical" href="https://post.example.com/ferries">'
            '<meta property="og:url" content="https://post.example.com/ferries?utm=x">')
    meta = meta_of(page(head, lang="de_AT"))
    assert meta.language == "de-AT" and meta.url == "https://post.example.com/ferries"
    assert meta_of(page(ld({"@type": "Article", "headline": "X", "inLanguage": "nl"}))).language == "nl"


# --- precedence and agreement --------------------------------------------------------------

def test_title_chosen_by_agreement_over_a_lone_heading():
    head = ('<title>Ferries run every 20 minutes - Harbour Post</title>'
            '<meta property="og:title" content="Ferries run every 20 minutes">'
            '<meta property="og:site_name" content="Harbour Post">')
    assert meta_of(page(head, "<h1>Ferry timetable changes</h1>")).title == "Ferries run every 20 minutes"


@pytest.mark.parametrize("document, expected", [
    ("Ferries Every Twenty Minutes From Monday | Harbour Post",
     "Ferries Every Twenty Minutes From Monday"),
    ("Harbour Post | Ferries Every Twenty Minutes From Monday",
     "Ferries Every Twenty Minutes From Monday"),
    ("Ferries Every Twenty Minutes - News - Harbour Post", "Ferries Every Twenty Minutes - News"),
    ("Harbour Post » News » Ferries Every Twenty Minutes",
     "Harbour Post » News » Ferries Every Twenty Minutes"),
    ("Mozart - Harbour Post", "Mozart - Harbour Post"),  # too short a remainder: keep it all
    ("Short Title | Harbour Post", "Short Title | Harbour Post"),
    ("Harbour Post: Ferries Every Twenty Minutes From Monday",
     "Ferries Every Twenty Minutes From Monday"),
    ("Ferries Every Twenty Minutes — Harbour Post", "Ferries Every Twenty Minutes — Harbour Post"),
])
def test_title_from_the_document_title(document, expected):
    assert titles.title_from_document(document, []) == expected


def test_heading_equal_to_a_colon_title_keeps_it_whole():
    title = "Ferries: Every Twenty Minutes From Monday"
    assert titles.title_from_document(title, [title]) == title


def test_short_or_long_document_title_gives_way_to_the_only_h1():
    assert titles.title_from_document("Home", ["Ferries Every Twenty Minutes From Monday"]) == \
        "Ferries Every Twenty Minutes From Monday"


def test_title_precedence_json_ld_then_meta_then_document():
    head = ("<title>Doc Title Words Here | Harbour Post</title>"
            '<meta name="twitter:title" content="Twitter Title">'
            '<meta property="og:title" content="Open Graph Title">')
    assert meta_of(page(head)).title == "Open Graph Title"
    assert meta_of(page(head + ld({"@type": "NewsArticle", "headline": "Headline"}))).title \
        == "Headline"
    assert meta_of(page('<meta name="twitter:title" content="Twitter Title">')).title == \
        "Twitter Title"
    # name and headline differ: the one closer to the <title> is the article's
    both = ld({"@type": "Article", "name": "Harbour Post", "headline": "Doc Title Words Here"})
    assert meta_of(page(head.split("<meta")[0] + both)).title == "Doc Title Words Here"


def test_json_ld_authors_win_over_bylines_and_site_is_never_the_author():
    head = (ld({"@type": "NewsArticle", "headline": "Ferries", "author": [{"name": "Harbour Post"},
                                                                         {"name": "Ada Lovelace"}]})
            + '<meta property="og:site_name" content="Harbour Post">')
    body = '<p class="byline">By Somebody Else</p>'
    assert meta_of(page(head, body)).authors == ["Ada Lovelace"]


def test_agency_byline_kept_when_no_person_is_named():
    assert meta_of(page(body='<span class="author">AFP</span>')).authors == ["AFP"]


@pytest.mark.parametrize("raw, names", [
    ("By JANE DOE", ["Jane Doe"]),
    ("Written by Rob Ewaschuk Edited by Betsy Beyer", ["Rob Ewaschuk"]),
    ("Jane Doe and others", ["Jane Doe"]),
    ("Jane Doe, Senior Correspondent", ["Jane Doe"]),
    ("https://example.com/jane", []),
    ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
    ("By Joshua Sokol May 20, 2019", ["Joshua Sokol"]),
    ("Jane Doe (@janedoe)", ["Jane Doe"]),
])
def test_author_names_cleaned(raw, names):
    assert bylines.clean_names(raw) == names


def test_read_uses_the_reconciled_metadata_and_trims_the_lead(tmp_path):
    head = ('<title>Ferries Every Twenty Minutes | Harbour Post</title>'
            '<meta property="og:site_name" content="Harbour Post">'
            '<link rel="canonical" href="https://post.example.com/ferries">'
            + ld({"@type": "NewsArticle", "headline": "Ferries Every Twenty Minutes",
                  "author": {"@type": "Person", "name": "Ada Lovelace"},
                  "datePublished": "2026-04-02", "keywords": "transport, river"}))
    body = "<h1>Ferries Every Twenty Minutes</h1><p>By Ada Lovelace</p>"
    article = read_page(tmp_path, page(head, body, lang="en"))
    assert article.title == "Ferries Every Twenty Minutes" and article.authors == ["Ada Lovelace"]
    assert article.site == "Harbour Post" and article.url == "https://post.example.com/ferries"
    assert article.language == "en" and article.tags == ["transport", "river"]
    assert article.published.date().isoformat() == "2026-04-02"
    assert "Ferries Every Twenty Minutes" not in article.body and "By Ada" not in article.body
    assert "river ferry will run" in article.body


def test_text_nested_in_an_image_by_the_extractor_is_kept():
    from lxml import etree

    from newsbook.sources.html import _body_from_xml

    doc = etree.fromstring("<doc><main><p><graphic src='a.png'>If we have not met yet, my name is "
                           "Jo.</graphic></p><p>Next.</p></main></doc>")
    body = _body_from_xml(doc, {"a.png": "A portrait."})
    assert "<figcaption>A portrait.</figcaption>" in body
    assert "</figure>If we have not met yet, my name is Jo.</p>" in body


def test_loose_byline_line_opening_the_body_is_trimmed():
    from lxml import etree

    from newsbook.sources.html import trim_lead

    main = etree.fromstring(
        "<main><div><p>Cars broken into at the clinic</p><hi rend='#b'>05/10/2018</hi> - "
        "Publicado por: Clara Borba - Categoria: <ref target='/c'>Saúde</ref><graphic src='a.jpg'/>"
        "<p>A equipe registrou nesta manhã o arrombamento de dois automóveis.</p></div></main>")
    trim_lead(main, "Cars broken into at the clinic")
    div = main[0]
    assert [c.tag for c in div] == ["graphic", "p"] and not (div.text or "").strip()


def test_loose_text_that_is_no_byline_stays():
    from lxml import etree

    from newsbook.sources.html import trim_lead

    main = etree.fromstring("<main>The council met on <hi rend='#b'>Tuesday</hi> to decide."
                            "<p>More text.</p></main>")
    trim_lead(main, "Another title")
    assert main.text == "The council met on " and main[0].tag == "hi"
