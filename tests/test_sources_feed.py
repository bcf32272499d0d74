"""Feed reader: RSS/Atom/JSON Feed parsing, odd encodings, hostile XML, entries to Articles."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

from newsbook.model import Article
from newsbook.model.errors import SourceError
from newsbook.sources.feed import Feed, FeedEntry, looks_like_feed, parse_feed
from newsbook.sources.feedentry import entry_article, has_full_text

URL = "https://news.example.com/feeds/main.xml"
WORDS = " ".join(f"word{i}" for i in range(200))

RSS091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel>
<title>Old Times</title><link>http://old.example.com/</link><language>en</language>
<item><title>First item</title><link>http://old.example.com/1</link>
<description>A short description.</description></item>
<item><title>Second item</title><link>/2</link></item>
</channel></rss>"""

RSS10 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example.org/"><title>RDF Site</title>
<link>http://rdf.example.org/</link><dc:language>fr</dc:language></channel>
<item rdf:about="http://rdf.example.org/a"><title>RDF item</title>
<link>http://rdf.example.org/a</link><dc:creator>Marie Curie</dc:creator>
<dc:date>2024-05-01T08:30:00+02:00</dc:date><dc:subject>Science</dc:subject>
<description>About radium.</description></item>
</rdf:RDF>"""

RSS20 = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Daily Post</title><link>https://post.example.com/</link><language>en-GB</language>
<item><title>Full story</title><link>https://post.example.com/full</link>
<guid isPermaLink="false">post-1</guid>
<dc:creator>Ada Lovelace and Charles Babbage</dc:creator>
<pubDate>Tue, 03 Mar 2026 09:15:00 +0100</pubDate>
<category>Tech</category><category>Science</category>
<description>A teaser of the story.</description>
<content:encoded><![CDATA[<p>{WORDS}</p><p><a href="/more">more</a></p>]]></content:encoded>
<media:content url="https://cdn.example.com/pic.jpg" medium="image"/></item>
<item><title>Teaser only</title><link>https://post.example.com/teaser</link>
<description>Just the first lines of the story [&#8230;]</description>
<enclosure url="/img/t.png" type="image/png" length="10"/></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de" xml:base="https://blog.example.net/de/">
<title>Blog</title><link rel="alternate" href="./"/><id>urn:blog</id>
<author><name>Feed Author</name></author><updated>2026-01-02T00:00:00Z</updated>
<entry><title type="html">A &lt;em&gt;fine&lt;/em&gt; post</title>
<link rel="alternate" href="posts/1.html"/><id>urn:blog:1</id>
<published>2026-01-01T23:30:00-05:00</published><updated>2026-01-03T00:00:00Z</updated>
<content type="html">&lt;p&gt;Look at &lt;a href="../img/x.html"&gt;this&lt;/a&gt;
&lt;img src="pic.png"&gt;&lt;/p&gt;</content></entry>
<entry xml:base="https://other.example.org/x/"><title>Other base</title>
<link href="y"/><id>urn:blog:2</id><updated>2026-01-02T00:00:00</updated>
<summary>Plain summary</summary><author><name>Entry Author</name></author></entry>
</feed>"""

JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1", "title": "JSON Site",
    "home_page_url": "https://json.example.com/", "language": "es",
    "authors": [{"name": "Site Owner"}],
    "items": [
        {"id": "1", "url": "/posts/1", "title": "HTML item",
         "content_html": '<p>Hello <a href="/about">about</a></p>', "summary": "Hi",
         "date_published": "2026-02-01T10:00:00+01:00", "tags": ["a", "b", "a"],
         "authors": [{"name": "Jane Roe"}], "image": "img/1.jpg"},
        {"id": 2, "url": "https://json.example.com/2", "title": "Text item",
         "content_text": "Line <one> & more\n\nSecond para"},
        {"id": "3", "title": "Attachment", "content_text": "x", "tags": "not-a-list",
         "attachments": [{"url": "https://cdn.example.com/a.png", "mime_type": "image/png"}]},
    ],
}


def test_rss_091():
    feed = parse_feed(RSS091, URL)
    assert (feed.title, feed.link, feed.language) == ("Old Times", "http://old.example.com/", "en")
    assert [e.title for e in feed.entries] == ["First item", "Second item"]
    assert feed.entries[0].summary_html == "A short description."
    assert feed.entries[1].link == "https://news.example.com/2"  # resolved against the feed URL


def test_rss_10_rdf():
    assert looks_like_feed(RSS10)
    feed = parse_feed(RSS10, URL)
    assert feed.title == "RDF Site" and feed.language == "fr"
    entry = feed.entries[0]
    assert entry.link == "http://rdf.example.org/a"
    assert entry.authors == ["Marie Curie"]
    assert entry.published == datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
    assert entry.categories == ["Science"]


def test_rss_20_content_encoded_and_dc_creator():
    feed = parse_feed(RSS20, URL, "application/rss+xml; charset=utf-8")
    assert feed.warnings == []
    full, teaser = feed.entries
    assert full.authors == ["Ada Lovelace", "Charles Babbage"]
    assert full.published == datetime(2026, 3, 3, 8, 15, tzinfo=timezone.utc)
    assert full.categories == ["Tech", "Science"] and full.id == "post-1"
    assert "word199" in full.content_html and full.summary_html == "A teaser of the story."
    assert 'href="https://news.example.com/more"' in full.content_html  # feed URL is the base
    assert full.image == "https://cdn.example.com/pic.jpg"
    assert teaser.content_html is None and teaser.image == "https://news.example.com/img/t.png"


def test_atom_relative_links_and_xml_base():
    feed = parse_feed(ATOM, URL)
    assert feed.title == "Blog" and feed.language == "de"
    assert feed.link == "https://blog.example.net/de/"
    first, second = feed.entries
    assert first.title == "A fine post"  # type="html" title as plain text
    assert first.link == "https://blog.example.net/de/posts/1.html"
    assert 'href="https://blog.example.net/img/x.html"' in first.content_html
    assert 'src="https://blog.example.net/de/pic.png"' in first.content_html
    assert first.summary_html is None  # feedparser's copy of the content is not a summary
    assert first.published == datetime(2026, 1, 2, 4, 30, tzinfo=timezone.utc)
    assert first.authors == ["Feed Author"]  # Atom: the feed's author covers its entries
    assert second.link == "https://other.example.org/x/y"
    assert second.authors == ["Entry Author"]
    assert second.published == datetime(2026, 1, 2)  # no zone given: naive


def test_json_feed():
    data = json.dumps(JSON_FEED).encode()
    assert looks_like_feed(data) and looks_like_feed(b"{}", "application/feed+json")
    feed = parse_feed(data, "https://json.example.com/feed.json")
    assert (feed.title, feed.language) == ("JSON Site", "es")
    assert feed.link == "https://json.example.com/"
    html_item, text_item, attached = feed.entries
    assert html_item.link == "https://json.example.com/posts/1"
    assert 'href="https://json.example.com/about"' in html_item.content_html
    assert html_item.summary_html == "<p>Hi</p>"
    assert html_item.authors == ["Jane Roe"] and html_item.categories == ["a", "b"]
    assert html_item.image == "https://json.example.com/img/1.jpg"
    assert html_item.published == datetime(2026, 2, 1, 9, tzinfo=timezone.utc)
    assert text_item.content_html == "<p>Line &lt;one&gt; &amp; more</p><p>Second para</p>"
    assert text_item.id == "2" and text_item.authors == ["Site Owner"]
    assert attached.image == "https://cdn.example.com/a.png" and attached.link is None
    assert attached.categories == []


def test_json_that_is_not_a_feed():
    with pytest.raises(SourceError, match="not a feed"):
        parse_feed(b'{"hello": "world"}', URL, "application/json")
    assert not looks_like_feed(b'{"hello": "world"}', "application/json")


@pytest.mark.parametrize("encoding", ["windows-1252", "iso-8859-1"])
def test_declared_single_byte_encoding(encoding):
    text = f"""<?xml version="1.0" encoding="{encoding}"?>
<rss version="2.0"><channel><title>Café Zürich</title><item><title>Crème brûlée</title>
<link>https://e.example/1</link><description>Ça coûte 5 £</description></item></channel></rss>"""
    feed = parse_feed(text.encode(encoding), URL)
    assert feed.title == "Café Zürich" and feed.warnings == []
    assert feed.entries[0].title == "Crème brûlée"
    assert "5 £" in feed.entries[0].summary_html


def test_windows_1252_quotes():
    data = ('<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel>'
            '<title>T</title><item><title>\u201cQuoted\u201d \u2013 dash</title></item>'
            '</channel></rss>').encode("cp1252")
    assert parse_feed(data, URL).entries[0].title == "\u201cQuoted\u201d \u2013 dash"


def test_declared_utf8_but_latin1_bytes():
    data = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
            '<item><title>Gözübüyük</title></item></channel></rss>').encode("latin-1")
    feed = parse_feed(data, URL)
    assert feed.entries[0].title == "Gözübüyük"
    assert any("encoding" in w for w in feed.warnings)


def test_declared_latin1_but_utf8_bytes():
    data = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>'
            '<title>T</title><item><title>Gözübüyük</title></item></channel></rss>').encode()
    feed = parse_feed(data, URL)
    assert feed.entries[0].title == "Gözübüyük"  # not mojibake
    assert any("UTF-8" in w for w in feed.warnings)


def test_utf16_with_bom():
    data = ('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>'
            '<title>Wide</title><item><title>Één</title></item></channel></rss>').encode("utf-16")
    assert looks_like_feed(data)
    feed = parse_feed(data, URL)
    assert feed.title == "Wide" and feed.entries[0].title == "Één"


def test_malformed_feed_still_yields_entries():
    data = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Broken &amp; bent</title>
<item><title>One &nbsp; bad entity</title><link>https://e.example/1</link>
<pubDate>Wed, 01 Apr 2026 10:00:00 GMT</pubDate></item>
<item><title>Two <b>unclosed</title><link>https://e.example/2</link></item>
<item><title>Three</title><link>https://e.example/3</link>"""
    feed = parse_feed(data, URL)
    assert [e.link for e in feed.entries] == [f"https://e.example/{i}" for i in (1, 2, 3)]
    assert feed.entries[0].published == datetime(2026, 4, 1, 10, tzinfo=timezone.utc)
    assert any(w.startswith("malformed XML") for w in feed.warnings)


def test_truncated_feed_without_entries_keeps_the_channel():
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><link>https://c/'
    feed = parse_feed(data, URL)
    assert feed.title == "Cut" and feed.entries == []
    assert "feed has no entries" in feed.warnings


@pytest.mark.parametrize("data", [
    b"<!DOCTYPE html><html><head><title>Page</title></head><body><p>Hi</p></body></html>",
    bytes(range(256)) * 4,
    b"",
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
])
def test_not_a_feed(data):
    assert not looks_like_feed(data)
    assert not looks_like_feed(data, "text/html; charset=utf-8")
    with pytest.raises(SourceError, match=r"^https://news.example.com/feeds/main.xml: not a feed"):
        parse_feed(data, URL)


def test_looks_like_feed_sniffs_past_the_prolog():
    data = (b'\xef\xbb\xbf  <?xml version="1.0"?>\n<!-- generator <rss> -->\n'
            b'<?xml-stylesheet href="s.xsl"?>\n<!DOCTYPE x [<!ENTITY a "]>">]>\n<atom:feed '
            b'xmlns:atom="http://www.w3.org/2005/Atom"/>')
    assert looks_like_feed(data)
    assert looks_like_feed(b"anything", "application/atom+xml")
    rdf = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    assert not looks_like_feed(rdf)  # RDF, but not RSS 1.0


def _hostile(doctype: str, body: str = "&x;") -> bytes:
    return (f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0"><channel><title>T {body}'
            f'</title><item><title>A {body} b</title><link>https://e.example/1</link>'
            f'<description>D {body}</description></item></channel></rss>').encode()


@pytest.mark.parametrize("layout", ["{decl}", "\n{decl}\n"])
def test_xxe_does_not_read_files(tmp_path, layout):
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-SECRET-1234")
    decl = f'<!ENTITY x SYSTEM "{canary.as_uri()}">'
    data = _hostile(f"<!DOCTYPE rss [{layout.format(decl=decl)}]>")
    feed = parse_feed(data, URL)
    everything = repr(feed)
    assert "CANARY-SECRET" not in everything
    assert feed.entries[0].link == "https://e.example/1"


def test_parameter_entity_xxe(tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-SECRET-5678")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY x SYSTEM "{canary.as_uri()}">')
    data = _hostile(f'<!DOCTYPE rss [\n<!ENTITY % ext SYSTEM "{dtd.as_uri()}">\n%ext;\n]>')
    assert "CANARY-SECRET" not in repr(parse_feed(data, URL))
    data = _hostile(f'<!DOCTYPE rss SYSTEM "{dtd.as_uri()}">')
    assert "CANARY-SECRET" not in repr(parse_feed(data, URL))


def test_billion_laughs_does_not_expand():
    lines = ['<!ENTITY x "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1) if i > 1 else "&x;") * 10}">'
        for i in range(1, 10)]
    data = _hostile("<!DOCTYPE rss [\n" + "\n".join(lines) + "\n]>", body="&lol9;")
    start = time.monotonic()
    feed = parse_feed(data, URL)
    assert time.monotonic() - start < 2
    assert len(repr(feed)) < 5000
    assert "lollollol" not in repr(feed)
    assert any("entity declaration" in w for w in feed.warnings)


def test_huge_hostile_doctype_is_quick():
    start = time.monotonic()
    doctype = "<!DOCTYPE rss [" + "<!ENTITY a '[&x; <!--'> <!-- ] -->" * 50_000 + "]>"
    feed = parse_feed(_hostile(doctype, body="x"), URL)
    assert feed.entries[0].title == "A x b"
    broken = "<!DOCTYPE rss [" + "<!ENTITY a '<!-- \"[" * 50_000 + "]>"
    with pytest.raises(SourceError, match="not a feed"):
        parse_feed(_hostile(broken, body="x"), URL)  # an unclosed comment swallows the rest
    assert time.monotonic() - start < 3


def test_bytes_naming_a_file_are_not_opened(tmp_path):
    canary = tmp_path / "feed.xml"
    canary.write_bytes(_hostile("", body="CANARY-SECRET-PATH"))
    with pytest.raises(SourceError) as info:
        parse_feed(str(canary).encode(), URL)  # feedparser.parse(bytes) would open this path
    assert "CANARY" not in str(info.value)


def test_safe_internal_entities_still_work():
    data = _hostile('<!DOCTYPE rss [\n<!ENTITY x "expanded">\n]>')
    assert parse_feed(data, URL).entries[0].title == "A expanded b"


def test_oversized_input_refused():
    with pytest.raises(SourceError, match="byte limit"):
        parse_feed(b" " * (20 * 1024 * 1024 + 1), URL)


def _entry(**fields) -> FeedEntry:
    base = dict(title="Title", link="https://e.example/a", authors=[], published=None,
                summary_html=None, content_html=None, categories=[], id=None, image=None)
    return FeedEntry(**{**base, **fields})


def test_has_full_text():
    long_text = f"<p>{WORDS}</p>"
    assert has_full_text(_entry(content_html=long_text))
    assert has_full_text(_entry(summary_html=long_text))  # a full article in <description>
    assert not has_full_text(_entry(summary_html="<p>Just a teaser of twelve words here.</p>"))
    assert not has_full_text(_entry())
    teaser = "<p>" + " ".join(["word"] * 40) + "</p>"
    assert not has_full_text(_entry(summary_html=teaser, content_html=teaser))
    short_post = "<p>" + " ".join(["word"] * 90) + "</p>"
    assert has_full_text(_entry(summary_html=teaser, content_html=short_post))
    assert not has_full_text(_entry(content_html=long_text[:-4] + " Continue reading →</p>"))
    assert not has_full_text(_entry(content_html=long_text[:-4] + " […]</p>"))
    assert not has_full_text(_entry(content_html=long_text), min_words=1000)


FEED = Feed(title="The Feed", link="https://e.example/", language="en", entries=[], warnings=[])


def test_entry_article_from_the_entry():
    when = datetime(2026, 5, 1, tzinfo=timezone.utc)
    entry = _entry(content_html="<p>Body</p>", summary_html="<p>Sum <b>mary</b></p>",
                   authors=["A"], categories=["c"], published=when, id="e1")
    article = entry_article(entry, FEED, URL, retrieved=when)
    assert (article.title, article.body, article.url) == ("Title", "<p>Body</p>", entry.link)
    assert article.site == "The Feed" and article.language == "en"
    assert article.source == entry.link and article.summary == "Sum mary"
    assert article.authors == ["A"] and article.tags == ["c"] and article.published == when
    assert article.retrieved == when and article.id.startswith("a")
    bare = entry_article(_entry(link=None, id="42", title="Only a title"), FEED, URL)
    assert bare.body == "<p>Only a title</p>" and bare.source == f"{URL}#42"
    assert bare.url is None
    summary_only = entry_article(_entry(summary_html="<p>S</p>"), FEED, URL)
    assert summary_only.body == "<p>S</p>"


def test_entry_article_summary_is_short():
    entry = _entry(summary_html=f"<p>{WORDS}</p>")
    summary = entry_article(entry, FEED, URL).summary
    assert len(summary) <= 301 and summary.endswith("…")


def test_entry_article_with_page_prefers_the_page():
    when = datetime(2026, 5, 1, tzinfo=timezone.utc)
    entry = _entry(title="Entry title", content_html="<p>teaser</p>", authors=["Entry A"],
                   categories=["feedtag"], published=when, summary_html="<p>Sum</p>")
    page = Article(id="p", title="Page title", body="<p>Page body</p>", source="x",
                   authors=["Page A"], published=datetime(2026, 4, 30), url="https://e.example/a?x",
                   site="Page Site", language="fr", tags=["pagetag"])
    article = entry_article(entry, FEED, URL, page=page)
    assert (article.title, article.body, article.authors) == ("Page title", "<p>Page body</p>",
                                                              ["Page A"])
    assert article.published == datetime(2026, 4, 30) and article.tags == ["pagetag"]
    assert article.language == "fr" and article.url == entry.link and article.site == "The Feed"
    assert article.summary == "Sum"


def test_entry_article_with_page_fills_gaps_from_the_entry():
    when = datetime(2026, 5, 1, tzinfo=timezone.utc)
    entry = _entry(title="Entry title", authors=["Entry A"], categories=["feedtag"],
                   published=when, link=None, id="e9")
    page = Article(id="p", title="", body="<p>Page body</p>", source="x",
                   url="https://e.example/page")
    article = entry_article(entry, FEED, URL, page=page)
    assert article.title == "Entry title" and article.authors == ["Entry A"]
    assert article.published == when and article.tags == ["feedtag"]
    assert article.url == "https://e.example/page" and article.language == "en"
    assert article.source == f"{URL}#e9"
    assert article.id != entry_article(entry, FEED, URL).id  # different body, different id
