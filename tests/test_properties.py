"""Property tests: the readers take any input without crashing, and what they give builds.

Every reader either returns an Article or raises SourceError naming its source; nothing else
escapes (no lxml, Unicode, recursion or index errors). Cleaned bodies are well-formed and safe,
and books built from generated articles pass epubcheck (batched by tests/test_epubcheck.py).
"""

from __future__ import annotations

import itertools
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import register_epub
from newsbook.model import Article
from newsbook.model.errors import SourceError

EXAMPLES = 500
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example,
                                           HealthCheck.function_scoped_fixture])
SUFFIXES = (".md", ".html", ".txt")

# One folder for the files the properties write: function-scoped tmp_path would be shared by
# all examples of a @given test anyway.
_WORKDIR = Path(tempfile.mkdtemp(prefix="newsbook-properties-"))
_COUNTER = itertools.count()


def _write(data: bytes, suffix: str) -> Path:
    path = _WORKDIR / f"in-{next(_COUNTER)}{suffix}"
    path.write_bytes(data)
    return path


def _read_or_source_error(data: bytes, suffix: str) -> Article | None:
    """read_file on the bytes: an Article with a title and body, or a SourceError naming the file."""
    from newsbook.sources import read_file

    path = _write(data, suffix)
    try:
        article = read_file(path)
    except SourceError as exc:
        assert str(path) in str(exc), f"SourceError does not name the file: {exc}"
        event(f"{suffix}: SourceError {str(exc).removeprefix(str(path))[:40]}")
        return None
    finally:
        path.unlink()
    event(f"{suffix}: Article")
    assert isinstance(article, Article)
    assert isinstance(article.title, str) and article.title.strip()
    assert isinstance(article.body, str) and article.body.strip()
    return article


# --- strategies -------------------------------------------------------------------------------

_BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]
_BYTE_PREFIXES = [
    b"", b"---\n", b"---\ntitle: x\n---\n", b"---\n- a\n---\n", b"---\ndate: [\n---\n",
    b"<html><head><meta charset=\"", b"<meta charset=utf-7>", b"<meta charset='x-unknown'>",
    b"<meta http-equiv=content-type content='text/html; charset=shift_jis'>",
    b"<?xml version='1.0' encoding='utf-16'?>", b"<!DOCTYPE html>", b"# ", b"<h1>",
    b"By Jane Doe\n", b"Published 2024-05-02\n", b"\xc3\xa9\xc3", b"\x1b[31m",
]

any_bytes = st.one_of(
    st.binary(max_size=600),
    st.builds(lambda bom, prefix, body: bom + prefix + body,
              st.sampled_from(_BOMS), st.sampled_from(_BYTE_PREFIXES), st.binary(max_size=400)),
    # mostly text with stray bytes: the decoder's detection and mojibake repair paths
    st.lists(st.one_of(st.sampled_from([b"caf\xc3\xa9 ", b"caf\xe9 ", b"\xc3\xa2\xe2\x82\xac\xe2\x84\xa2",
                                        b"The mayor said. ", b"\n\n", b"\r\n", b"\x00", b"\xa0",
                                        b"\x85", b"\xd0\xbc\xd0\xb0 ", b"\xe6\x97\xa5\xe6\x9c\xac"]),
                       st.binary(max_size=4)), max_size=60).map(b"".join),
)

_FRAGMENTS = [
    # scripts and directions
    "مرحبا بالعالم ", "שלום עולם ", "\u202e\u202d\u2066\u2069\u200f\u200e", "日本語の文章です。",
    "中文句子。", "한국어 문장입니다. ", "😀👍🏽👨‍👩‍👧 ", "\U0001f1fa\U0001f1f8", "e\u0301\u0308\u20dd",
    "\ufeff", "\ufffe", "\uffff", "\U0010ffff", "\x00", "\x0b\x0c\x1b\x7f\x85\u2028\u2029",
    "\r\n", "\r", "\n\n", "\t", "\xa0", "ﬁ ", "İ", "ß",
    # markup fragments (Markdown, HTML, YAML)
    "---\n", "...\n", "title: ", "date: 2024-13-45\n", "author: [a, {name: b}]\n", "tags: 7\n",
    "date: 99999-01-01\n", "date: !!timestamp 2001-12-14\n", "? [a]\n: b\n", "&anchor x\n", "*anchor\n",
    "# ", "## ", "> ", "- ", "1. ", "```\n", "    code\n", "| a | b |\n|---|---|\n", "[^1]\n[^1]: note\n",
    "[link](javascript:alert(1)) ", "![img](x.png) ", "<!-- ", " -->", "<![CDATA[", "]]>",
    "<script>alert(1)</script>", "<style>p{}</style>", "<div>", "</div>", "<p>", "</p>", "<a href='",
    "<h1>", "</h1>", "<img src=x onerror=alert(1)>", "<table><tr><td>", "&amp;", "&#0;", "&#x110000;",
    "&bogus;", "&", "<", ">", "\"", "'", "{{", "}}", "<?xml version='1.0'?>",
    "<!DOCTYPE x [<!ENTITY a 'b'>]>", "<html><body>", "</body></html>",
    # the text reader's chrome vocabulary
    "By Jane Doe and John Smith\n", "Published on May 2, 2024\n", "05/10/2018\n", "Share\n",
    "Advertisement\n", "Related articles\n", "© 2024 Example\n", "3 comments\n", "About Jane Doe\n",
    "Reading: A title\n", "23 novembre 2024\n", "The council voted on the budget today. ",
    "It was a long meeting, and the members argued for hours about the details. ",
]

_word_chars = st.characters(exclude_categories=("Cs",))
fragment_text = st.lists(
    st.one_of(
        st.sampled_from(_FRAGMENTS),
        st.text(_word_chars, max_size=12),
        # huge lines and deep repetition: a single chunk repeated many times
        st.builds(lambda chunk, n: chunk * n,
                  st.sampled_from(["a", "word ", "<div>", "> ", "*", "[", "(", "`", "_", "<!--",
                                   "日本", "😀", "x" * 50 + ". ", "By ", "- ", "\n"]),
                  st.integers(1, 3000)),
    ),
    max_size=40,
).map("".join)
# A scraped page for the text reader: prose among chrome, bylines, dates and mojibake lines.
_PAGE_LINES = [
    "The city council voted on Tuesday to approve the new harbour budget after a long debate.",
    "Residents who attended the meeting said they were worried about the cost of the project.",
    "Le conseil municipal a voté mardi le nouveau budget du port après un long débat.",
    "Der Stadtrat hat am Dienstag nach langer Debatte den neuen Hafenhaushalt beschlossen.",
    "El ayuntamiento aprobó el martes el nuevo presupuesto del puerto tras un largo debate.",
    "市議会は火曜日、長い議論の末に新しい港湾予算を承認した。", "مجلس المدينة وافق على الميزانية الجديدة للميناء.",
    "The mayor said: “We will build it.”", "Key dates:", "- March: first vote", "• April: second vote",
    "Harbour budget approved after long debate", "City Council Approves Budget | Harbour News",
    "By Jane Doe", "By JANE DOE and John Smith | Staff Writer", "Von Anna Müller", "Por María García y José Pérez",
    "Posted by Jane Doe on 2024-05-02", "Jane Doe", "Jane Doe 10 Views", "By Jane Doe, 5 min read",
    "Published May 2, 2024", "Updated 2 hours ago", "05/10/2018", "31/02/2024", "May 32, 2024",
    "2024-13-45", "0000-00-00", "9999-99-99", "23 novembre 2024", "2 de mayo de 2024", "1. Mai 2024",
    "Published on the 2nd of May, 2024 at 10:00 am EST", "Reading: Harbour budget approved",
    "Reading:", "About Jane Doe", "Über Moritz Bachmann", "Share", "Tweet", "Advertisement",
    "Related articles", "Comments", "3 comments", "Leave a reply", "© 2024 Harbour News",
    "All rights reserved", "We use cookies to improve your experience on our site.", "Menu", "Home",
    "Search", "Skip to content", "Home > News > Council", "cafÃ© Ã  la crÃ¨me", "Ã¢â‚¬â„¢ Ã ",
    "Ð¼Ð°Ñ Ð°Ð·Ð¸Ð½", "Ã", "\xc3", "���", "", "", "", "   ", "By", "By :", "Reading: :",
    "x" * 3000, "word " * 2000, "A" * 200 + ".", "日本" * 2000, "😀" * 500,
]
scraped_text = st.builds(
    lambda lines, sep: sep.join(lines),
    st.lists(st.one_of(st.sampled_from(_PAGE_LINES), st.text(_word_chars, max_size=40)), max_size=60),
    st.sampled_from(["\n", "\n\n", "\r\n"]))

# Markdown with YAML front matter whose values are wrong in every way YAML allows.
_YAML_VALUES = [
    "A title", "'quoted: title'", "2024-05-02", "2024-02-30", "2024-13-45", "0000-01-01", "99999-01-01",
    "2024-01-01 10:00:00 +25:00", "2024-05-02T10:00:00+05:00", "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:00:00-05:00", "!!int 0x", "!!float nanx", "!!timestamp x", "!!binary aGVsbG8=",
    "!!binary x", "!!python/object:os.system x", "!!set {a, b}", "&a [*a]", "*undefined", "[[[[[[",
    "{a: b}", "{name: Jane Doe}", "[Jane Doe, {name: John Smith}, [nested], 7]", "null", "~", "7",
    "-1e999", ".nan", "yes", ">\n  folded\n  text", "|\n  literal", "''", "[]", "{}", "'2024-05-02'",
    "By Jane Doe and John Smith", "\"\\x00\\u202e\"", "'" + "long " * 500 + "'", "Mon, 31 Feb 2024 25:61:61 +9999",
    "10:00 UTC+99", "2024-01-01 10:00 +9999",
]
_YAML_KEYS = ["title", "date", "author", "authors", "tags", "lang", "language", "url", "site", "summary",
              "description", "section", "? [a]", "1", "null", "<<"]
_LAUGHS = ("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 9)))
front_matter = st.builds(
    lambda bomb, pairs, body: "---\n" + (_LAUGHS if bomb else "") + "".join(
        f"{key}: {value}\n" for key, value in pairs) + "---\n" + body,
    st.booleans(),
    st.lists(st.tuples(st.sampled_from(_YAML_KEYS),
                       st.sampled_from(_YAML_VALUES + ["*l8", "{name: *l8}", "[*l8]"])), max_size=6),
    st.one_of(st.sampled_from(["", "# Heading\n\nText.", "Body text.", "# \n", "<h1></h1>\n",
                               "<h1>A <b>title</b></h1>\nbody"]), fragment_text))

any_text = st.one_of(st.text(_word_chars, max_size=400), fragment_text, scraped_text, front_matter)


def _encode(text: str, how: str) -> bytes:
    if how == "utf-8":
        return text.encode("utf-8")
    if how == "utf-8-sig":
        return text.encode("utf-8-sig")
    return text.encode(how)  # utf-16/utf-32 with their BOM


# --- 1 and 2: any bytes, any text -------------------------------------------------------------

@PROPERTY
@given(data=any_bytes, suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_give_an_article_or_a_source_error(data, suffix):
    _read_or_source_error(data, suffix)


@PROPERTY
@given(text=any_text, suffix=st.sampled_from(SUFFIXES),
       encoding=st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_any_text_gives_an_article_or_a_source_error(text, suffix, encoding):
    _read_or_source_error(_encode(text, encoding), suffix)


# --- 3: generated HTML to the HTML reader, then the sanitizer --------------------------------

_TAGS = ["p", "div", "span", "a", "b", "i", "em", "strong", "h1", "h2", "h3", "ul", "ol", "li",
         "table", "tr", "td", "th", "tbody", "blockquote", "pre", "code", "br", "hr", "img",
         "figure", "figcaption", "article", "main", "section", "header", "footer", "nav", "aside",
         "script", "style", "iframe", "object", "embed", "form", "input", "button", "svg", "math",
         "noscript", "template", "title", "meta", "link", "base", "frame", "frameset", "select",
         "textarea", "video", "audio", "source", "time", "q", "sub", "sup", "del", "ins",
         "html", "body", "head", "x-custom", "svg:rect", "font", "center", "marquee"]
_ATTRS = st.one_of(
    st.tuples(st.sampled_from(["href", "src", "action", "formaction", "data", "xlink:href",
                               "srcset", "data-src", "poster", "background"]),
              st.sampled_from(["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:x",
                               "jav&#x09;ascript:x", "&#106;avascript:x", "javascript&colon;x",
                               "vbscript:x", "data:text/html,<script>x</script>",
                               "data:image/png;base64,AAAA", "https://example.org/a.png",
                               "/relative/path", "#frag", "#", "", "mailto:a@b.c", "x.png 2x, y.png",
                               "http://[::1", "//[x", "https://example.org:99999/"])),
    st.tuples(st.sampled_from(["onclick", "onload", "onerror", "ONMOUSEOVER", "on", "onx", "style",
                               "class", "id", "lang", "dir", "colspan", "rowspan", "start", "value",
                               "scope", "title", "alt", "xmlns", "xml:lang", "reversed", "rel",
                               "property", "name", "content", "itemprop", "type", "charset"]),
              st.text(st.sampled_from("ab1-0 :;\"'<>&/#é\x00\t"), max_size=12)),
)


def _attrs(pairs, quote) -> str:
    out = []
    for name, value in pairs:
        if quote == '"':
            out.append(f' {name}="{value.replace(chr(34), "&quot;")}"')
        elif quote == "'":
            out.append(f" {name}='{value}'")
        else:
            out.append(f" {name}={value}")  # unquoted: may break the tag, on purpose
    return "".join(out)


_html_text = st.one_of(
    st.sampled_from(["Some article text that goes on. ", "The council met on Tuesday to vote. ",
                     "&amp;", "&lt;script&gt;", "&nbsp;", "&#0;", "&#x1F600;", "&#xD800;",
                     "&#1114112;", "&bogus;", "&unknown", "& ", "<", ">", "<!-- c -->", "<!--",
                     "-->", "<![CDATA[x<y]]>", "<?php echo 1 ?>", "</", "<p", "</div>", "</p>",
                     "<a href='", "<br/>", "<![endif]-->", "<!--[if IE]>", "\x00", "\u202e",
                     "日本語の記事です。", "مقال باللغة العربية. ", "😀"]),
    st.text(_word_chars, max_size=20),
)


def _element(children):
    return st.builds(
        lambda tag, attrs, quote, kids, close: (
            f"<{tag}{_attrs(attrs, quote)}>" + "".join(kids) + (f"</{tag}>" if close else "")),
        st.sampled_from(_TAGS), st.lists(_ATTRS, max_size=3), st.sampled_from(['"', "'", ""]),
        st.lists(children, max_size=5), st.booleans())


html_fragment = st.recursive(_html_text, _element, max_leaves=40)
_PROLOGS = [
    "", "<!DOCTYPE html>", "<?xml version='1.0' encoding='utf-8'?>",
    "<!DOCTYPE html [<!ENTITY x 'expanded'>]>",
    "<!DOCTYPE html [<!ENTITY % p SYSTEM 'file:///etc/passwd'> %p;]>",
    "<!DOCTYPE html [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
    "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>",
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
    "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">",
    "<!DOCTYPE", "<!doctype html><html xmlns='http://www.w3.org/1999/xhtml'>",
]
_HEADS = st.lists(st.sampled_from([
    "<title>A title | Site</title>", "<title></title>", "<meta property='og:title' content='OG'>",
    "<meta name='author' content='By Jane Doe, John Roe'>", "<meta name='date' content='2024-02-30'>",
    "<meta property='article:published_time' content='99999-99-99'>",
    "<meta property='article:published_time' content='2024-05-02T10:00:00+25:00'>",
    "<link rel='canonical' href='javascript:x'>", "<html lang='\x00'>",
    '<script type="application/ld+json">{"@type":"NewsArticle","headline":"H",'
    '"author":{"name":["x",{"a":1}]},"datePublished":"2024-01-01"}</script>',
    '<script type="application/ld+json">[{"@graph":[{"@type":["Article"],"author":[null,3]}]}]</script>',
    '<script type="application/ld+json">{"@type":"NewsArticle","headline":{"x":1},"author":"'
    + "a" * 500 + '"}</script>',
    '<script type="application/ld+json">{</script>', '<script type="application/ld+json">1e999999</script>',
    '<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>",
    "<base href='javascript:x'>", "<meta charset='utf-16'>", "<link rel='canonical' href='http://[::1'>",
    "<meta property='og:url' content='https://[x'>", "<figure><img src='http://[::1'><figcaption>Cap</figcaption></figure>",
]), max_size=4).map("".join)

# Deep nesting and long runs: recursion limits and quadratic paths in parser and extractor.
_deep_html = st.builds(
    lambda tag, depth, text, close: f"<{tag}>" * depth + text + (f"</{tag}>" * depth if close else ""),
    st.sampled_from(["div", "p", "b", "blockquote", "ul", "li", "table", "a href='x'", "span",
                     "section", "td", "font", "ol"]),
    st.integers(1, 5000), st.sampled_from(["The council met on Tuesday to vote on the budget. " * 3,
                                           "x", ""]), st.booleans())
html_fragment = st.one_of(html_fragment, html_fragment, html_fragment, _deep_html)

html_document = st.builds(
    lambda prolog, head, body, wrap: (f"{prolog}<html><head>{head}</head><body>{body}</body></html>"
                                      if wrap else prolog + head + body),
    st.sampled_from(_PROLOGS), _HEADS, st.lists(html_fragment, max_size=4).map("".join), st.booleans())

_FORBIDDEN = {"script", "style", "iframe", "object", "embed", "form", "frame", "frameset", "base",
              "meta", "link", "input", "button", "select", "textarea", "svg", "math", "template"}


def _assert_safe_xhtml(body: str) -> None:
    from lxml import etree

    from contentmodels import assert_valid

    root = assert_valid(body)  # well-formed and within the content models, or this raises
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert etree.QName(el).localname.lower() not in _FORBIDDEN, etree.tostring(el)[:200]
        for name, value in el.attrib.items():
            local = etree.QName(name).localname.lower()
            assert not local.startswith("on"), (name, value)
            squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
            assert not squeezed.startswith(("javascript:", "vbscript:", "data:text")), (name, value)


PAGE_URL = "https://example.org/news/2024/article.html"


def _read_page(document: str) -> Article | None:
    """The HTML reader as the web path calls it, with the page's URL."""
    from newsbook.sources import html

    try:
        article = html.read(Path("page.html"), document, url=PAGE_URL)
    except SourceError as exc:
        assert "page.html" in str(exc), exc
        return None
    assert article.title.strip() and article.body.strip()
    return article


def _read_generated(document: str, with_url: bool) -> Article | None:
    if with_url:
        return _read_page(document)
    return _read_or_source_error(document.encode("utf-8"), ".html")


@PROPERTY
@given(document=html_document, with_url=st.booleans())
def test_generated_html_reads_and_cleans_to_safe_xhtml(document, with_url):
    from newsbook.model.clean import clean_article

    article = _read_generated(document, with_url)
    if article is None:
        return
    cleaned, _warnings = clean_article(article)
    _assert_safe_xhtml(cleaned.body)


UNPARSABLE_LINK_PAGE = ("<html><body><article><p>The council met on Tuesday to vote on the budget. "
                        "<a href=\"//[x\">link</a></p></article></body></html>")


def test_html_with_an_unparsable_link_cleans():
    from newsbook.model.clean import clean_article

    article = _read_page(UNPARSABLE_LINK_PAGE)
    assert article is not None and "//[x" in article.body
    cleaned, _warnings = clean_article(article)
    _assert_safe_xhtml(cleaned.body)


# --- 4: feeds and OPML ------------------------------------------------------------------------

FEED_URL = "https://example.org/feed"
_feed_prefixes = st.sampled_from([
    b"", b"<?xml version='1.0'?>", b"<?xml version='1.0' encoding='iso-8859-1'?>",
    b"<?xml version='1.0' encoding='x-bogus'?>", b"<rss version='2.0'><channel>",
    b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<rdf:RDF xmlns='http://purl.org/rss/1.0/'>",
    b'{"version": "https://jsonfeed.org/version/1.1", "items": ', b"<!DOCTYPE rss [",
    b"<!DOCTYPE rss [<!ENTITY a SYSTEM 'file:///etc/passwd'>]>", b"\xff\xfe<\x00?\x00", b"\xef\xbb\xbf",
    b"<opml version='2.0'><body><outline xmlUrl='", b"<!--",
])
feed_bytes = st.one_of(
    st.binary(max_size=600),
    st.builds(lambda prefix, rest: prefix + rest, _feed_prefixes, st.binary(max_size=300)),
    st.builds(lambda prefix, rest: prefix + rest.encode("utf-8"), _feed_prefixes, fragment_text),
)

_xml_text = st.one_of(
    st.sampled_from(["", " ", "Plain title", "A &amp; B", "&lt;b&gt;bold&lt;/b&gt; text",
                     "<![CDATA[<p>Hello <script>x()</script> <b>world</b></p>]]>",
                     "<![CDATA[<p onclick='x'>a</p><iframe src=x></iframe>]]>", "&#0;", "&#xD800;",
                     "&bogus;", "&a;", "Read more…", "javascript:alert(1)", "/relative/link",
                     "https://example.org/a?b=1&amp;c=2", "tag:example.org,2024:1", "2024-05-02T10:00:00Z",
                     "Tue, 02 May 2024 10:00:00 EST", "Mon, 31 Feb 2024 25:61:61 +9999", "yesterday",
                     "99999-01-01", "0000-00-00T00:00:00Z", "Jane Doe (jane@example.org)", "a@b.c",
                     "日本語のタイトル", "مقال", "😀" * 50, "x" * 5000,
                     "<div xmlns='http://www.w3.org/1999/xhtml'><p>xhtml <a href='javascript:x'>"
                     "link</a></p></div>"]),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="<&"), max_size=30),
)
_RSS_ITEM_FIELDS = ["title", "link", "description", "content:encoded", "pubDate", "dc:date",
                    "dc:creator", "author", "category", "guid", "comments", "source"]
_ATOM_ENTRY_FIELDS = ["title", "id", "updated", "published", "summary", "content", "category",
                      "author", "link"]


def _field(name: str, value: str, attrs: str = "") -> str:
    if name == "author" and attrs == " atom":
        return f"<author><name>{value}</name><email>a@b.c</email></author>"
    if name == "link" and attrs == " atom":
        return f"<link rel='alternate' href='{value.replace(chr(39), '')}'/>"
    if name == "category" and attrs == " atom":
        return f"<category term='{value.replace(chr(39), '')}'/>"
    return f"<{name}{attrs if attrs != ' atom' else ''}>{value}</{name}>"


_type_attr = st.sampled_from(["", " type='html'", " type='text'", " type='xhtml'", " type='text/plain'",
                              " type='image/png'", " mode='escaped'", " atom"])
_entry_fields = lambda names: st.lists(  # noqa: E731
    st.tuples(st.sampled_from(names), _xml_text, _type_attr), max_size=8)

rss_document = st.builds(
    lambda title, link, lang, items, close: (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
        "xmlns:content='http://purl.org/rss/1.0/modules/content/' "
        "xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:media='http://search.yahoo.com/mrss/'>"
        f"<channel><title>{title}</title><link>{link}</link><language>{lang}</language>"
        + "".join("<item>" + "".join(_field(n, v, a if a != " atom" else "") for n, v, a in item)
                  + "<media:content url='x.png' medium='image'/><enclosure url='/i.jpg' type='image/jpeg'/>"
                  "</item>" for item in items)
        + ("</channel></rss>" if close else "")),
    _xml_text, _xml_text, st.sampled_from(["en", "", "x" * 100, "de-DE"]),
    st.lists(_entry_fields(_RSS_ITEM_FIELDS), max_size=5), st.booleans())

atom_document = st.builds(
    lambda title, entries, close: (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom' "
        "xml:base='https://example.org/base/'>"
        f"<title type='html'>{title}</title><author><name>Feed Author</name></author>"
        + "".join("<entry>" + "".join(_field(n, v, a) for n, v, a in entry) + "</entry>"
                  for entry in entries)
        + ("</feed>" if close else "")),
    _xml_text, st.lists(_entry_fields(_ATOM_ENTRY_FIELDS), max_size=5), st.booleans())

_json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _xml_text,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
        st.sampled_from(["name", "url", "mime_type", "title"]), kids, max_size=3),
    max_leaves=8)
json_feed = st.builds(
    lambda version, title, items: __import__("json").dumps(
        {"version": version, "title": title, "home_page_url": "/home", "items": items}),
    st.sampled_from(["https://jsonfeed.org/version/1.1", "https://jsonfeed.org/version/1", 1]),
    _json_value,
    st.one_of(_json_value, st.lists(st.dictionaries(
        st.sampled_from(["id", "url", "external_url", "title", "content_html", "content_text",
                         "summary", "image", "date_published", "date_modified", "authors", "author",
                         "tags", "attachments", "banner_image"]), _json_value, max_size=8), max_size=4)))


def _parse_feed_or_error(data: bytes):
    from newsbook.sources.feed import Feed, parse_feed
    from newsbook.sources.feedentry import entry_article, has_full_text

    try:
        feed = parse_feed(data, FEED_URL)
    except SourceError as exc:
        assert FEED_URL in str(exc), exc
        event(f"SourceError {str(exc).removeprefix(FEED_URL)[:30]}")
        return None
    assert isinstance(feed, Feed)
    event(f"Feed with {min(len(feed.entries), 2)}+ entries")
    for entry in feed.entries:
        has_full_text(entry)
        article = entry_article(entry, feed, FEED_URL)
        assert isinstance(article, Article)
        assert article.title.strip() and article.body.strip()
    return feed


@PROPERTY
@given(data=feed_bytes)
def test_any_bytes_to_parse_feed_give_a_feed_or_a_source_error(data):
    _parse_feed_or_error(data)


@PROPERTY
@given(document=st.one_of(rss_document, atom_document, json_feed),
       encoding=st.sampled_from(["utf-8", "utf-8", "utf-16"]))
def test_generated_feeds_give_articles_for_every_entry(document, encoding):
    data = document.encode(encoding)
    if encoding == "utf-16":
        data = data.replace("encoding='utf-8'".encode("utf-16")[2:], "encoding='utf-16'".encode("utf-16")[2:])
    _parse_feed_or_error(data)


opml_document = st.builds(
    lambda prefix, outlines, close: (
        prefix + "<opml version='2.0'><head><title>t</title></head><body>" + "".join(outlines)
        + ("</body></opml>" if close else "")).encode("utf-8"),
    st.sampled_from(["", "<?xml version='1.0'?>", "<!DOCTYPE opml [<!ENTITY a 'b'>]>",
                     "<!DOCTYPE opml [<!ENTITY a SYSTEM 'file:///etc/passwd'>]>",
                     "<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>"
                     "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;'>]>"]),
    st.lists(st.builds(
        lambda url, text, nest: f"<outline text='{text}' xmlUrl='{url}'>" + "<outline>" * nest
        + "</outline>" * nest + "</outline>",
        st.sampled_from(["https://example.org/feed?a=1&b=2", "http://EXAMPLE.org", "javascript:x",
                         "ftp://x", "", "http://[::1", "&a;", "&d;", "https://example.org/feed"]),
        st.sampled_from(["News", "", "&amp;", "&", "<", "日本"]), st.integers(0, 300)), max_size=5),
    st.booleans())


@PROPERTY
@given(data=st.one_of(feed_bytes, opml_document))
def test_any_bytes_to_parse_opml_give_a_list_or_a_source_error(data):
    from newsbook.sources.opml import Subscription, parse_opml

    try:
        found = parse_opml(data, "subs.opml")
    except SourceError as exc:
        assert "subs.opml" in str(exc), exc
        event(f"SourceError {str(exc)[:40]}")
        return
    event("subscriptions")
    assert isinstance(found, list) and found
    assert all(isinstance(sub, Subscription) for sub in found)


# --- 5: books built from generated articles pass epubcheck ------------------------------------

_words = st.sampled_from(
    "the council mayor budget voted city people harbour said week new plan school water road "
    "café naïve über 日本 مدينة عالم שלום año façade résumé street market river".split())
_sentence = st.lists(_words, min_size=8, max_size=20).map(lambda ws: " ".join(ws).capitalize() + ".")
_paragraph = st.lists(_sentence, min_size=2, max_size=5).map(" ".join)
_title = st.lists(_words, min_size=2, max_size=6).map(lambda ws: " ".join(ws).title())
_inline = st.sampled_from(["<em>{}</em>", "<strong>{}</strong>", "<a href='https://example.org/x'>{}</a>",
                           "<code>{}</code>", "<a href='#s2'>{}</a>", "<q>{}</q>", "<sub>{}</sub>",
                           "<span dir='rtl' id='s2'>{}</span>", "<a href='javascript:x()'>{}</a>",
                           "<b onclick='x'>{}</b>", "{} &amp; {{}}", "<del>{}</del>"])


def _markdown(title, paragraphs, marks):
    body = [f"---\ntitle: \"{title}\"\nauthor: Jane Doe\ndate: 2024-05-02\ntags: [a, b]\n---\n"]
    for i, para in enumerate(paragraphs):
        mark = marks[i % len(marks)]
        body.append(("## Part\n\n" if i == 1 else "") + para + f" *{mark}* and **bold** `code`"
                    + ("\n\n- item one\n- item two" if i == 2 else "")
                    + ("\n\n| a | b |\n|---|---|\n| 1 | 2 |" if i == 3 else "")
                    + ("[^1]\n\n[^1]: A footnote." if i == 0 else ""))
    return "\n\n".join(body).encode("utf-8")


def _html(title, paragraphs, marks):
    paras = "".join(f"<p>{p} {marks[i % len(marks)].format('marked')}</p>"
                    for i, p in enumerate(paragraphs))
    return (f"<!DOCTYPE html><html lang='en'><head><title>{title}</title>"
            f"<meta name='author' content='Jane Doe'></head><body><article><h1>{title}</h1>"
            f"{paras}<script>alert(1)</script><table><tr><th>x</th><td colspan='0'>y</td></tr></table>"
            f"<ul><li>one</li><li>two</li></ul></article></body></html>").encode("utf-8")


def _text(title, paragraphs, marks):
    lines = ["Home", "Menu", title, "By Jane Doe", "May 2, 2024", "", *paragraphs, "", "Share", "© 2024"]
    return "\n".join(lines).encode("utf-8")


_WRITERS = {".md": _markdown, ".html": _html, ".txt": _text}
article_input = st.tuples(st.sampled_from(sorted(_WRITERS)), _title,
                          st.lists(_paragraph, min_size=3, max_size=5), st.lists(_inline, min_size=1, max_size=3))


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(articles=st.lists(article_input, min_size=3, max_size=5))
def test_books_from_generated_articles_are_built(articles):
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    folder = Path(tempfile.mkdtemp(prefix="book-", dir=_WORKDIR))
    paths = []
    for index, (suffix, title, paragraphs, marks) in enumerate(articles):
        path = folder / f"article-{index}{suffix}"
        path.write_bytes(_WRITERS[suffix](title, paragraphs, marks))
        paths.append(str(path))
    plan = plan_mod.plan_sources(paths, outputs=[folder / "book.epub"], offline=True)
    report = pipeline.build(plan)
    assert report.outputs == [folder / "book.epub"]
    assert report.articles >= 1
    register_epub(folder / "book.epub")


def test_clean_article_survives_a_source_url_that_is_no_url():
    from newsbook.model.clean import clean_article

    article = Article(id="a1", title="t", body="<p>x</p>", source="https://example.org/a",
                      url="http://[::1")
    cleaned, _warnings = clean_article(article)
    assert cleaned.url is None
