"""HTML builder: one self-contained, valid HTML5 page — parsed back with html5lib and checked."""

from __future__ import annotations

import base64
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import html5lib
import pytest

from conftest import ROOTS, register_epub, run_cli

# A checker of our own, independent of the builder's: what in a page makes a browser load
# something. <a href> is a link a reader follows, not a resource, and is checked apart.
RESOURCE_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "manifest", "icon",
                       "ping", "action", "formaction", "cite", "longdesc", "usemap", "itemtype")
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)|@import", re.I | re.S)


def parse(data: bytes):
    """The page as an ElementTree; any HTML5 parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(data)


def outside_references(doc) -> list[str]:
    """Every resource reference that is not inside the document (data: or #fragment)."""
    found = []

    def inside(value: str) -> bool:
        return value.startswith("data:") or value.startswith("#")

    for el in doc.iter():
        for name in RESOURCE_ATTRIBUTES:
            value = el.get(name)
            if value is None:
                continue
            candidates = ([c.strip().split(" ")[0] for c in value.split(",")]
                          if name == "srcset" else [value.strip()])
            found.extend(c for c in candidates if not inside(c))
        if el.tag != "a" and el.get("href") is not None and not inside(el.get("href")):
            found.append(el.get("href"))  # <link>, <base>, <area>: resources or base URLs
        if el.tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            found.append("meta refresh")
        css = (el.text or "") if el.tag == "style" else (el.get("style") or "")
        for match in CSS_URL.finditer(css):
            if match.group(0).lower() == "@import" or not inside(match.group(2)):
                found.append(match.group(0))
        if el.tag in ("script", "iframe", "object", "embed", "frame"):
            found.append(el.tag)
    return found


def data_of(uri: str) -> bytes:
    header, _, payload = uri.partition(",")
    assert header.startswith("data:") and header.endswith(";base64"), header
    return base64.b64decode(payload, validate=True)


def text_of(el) -> str:
    return "".join(el.itertext())


@pytest.fixture(scope="module")
def html_build(tmp_path_factory):
    """The basic test project built as HTML only (config formats = ["html"])."""
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    folder = tmp_path_factory.mktemp("html") / "basic"
    shutil.copytree(ROOTS / "basic", folder)
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text().replace('formats = ["epub", "pdf"]', 'formats = ["html"]'))
    report = pipeline.build(plan_mod.plan_project(config_mod.load(toml)))
    (path,) = report.outputs
    assert path.suffix == ".html"
    return report, path, parse(path.read_bytes())


def test_valid_html5_with_the_whole_issue(html_build):
    report, _path, doc = html_build
    issue = report.issue
    sections = doc.findall(".//main/section")
    assert [text_of(s.find("h1")) for s in sections] == [s.title for s in issue.sections]
    for section, expected in zip(sections, issue.sections):
        articles = section.findall("article")
        assert [a.get("id") for a in articles] == [a.id for a in expected.articles]
        assert [text_of(a.find("header/h2")) for a in articles] == \
            [a.title for a in expected.articles]
    # body text is there, with its structure; sub-headings sit below the article title (h2)
    bridge = doc.find(".//article[@id='%s']" % issue.sections[0].articles[0].id)
    body = bridge.find("div[@class='article-body']")
    assert body.find(".//table/tbody/tr/td") is not None and body.find(".//blockquote") is not None
    assert [h.tag for h in body.iter() if h.tag in ("h1", "h2", "h3")] == ["h3"]
    # the French article keeps its language; the English label under it says so too
    french = [a for a in issue.articles if a.language == "fr"][0]
    node = doc.find(".//article[@id='%s']" % french.id)
    assert node.get("lang") == "fr" and node.find("p[@class='to-contents']").get("lang") == "en"


def test_self_contained(html_build):
    _report, path, doc = html_build
    assert outside_references(doc) == []
    # every <a href> is an in-page fragment or a link a reader follows to the web
    for a in doc.iter("a"):
        href = a.get("href")
        assert href is None or href.startswith(("#", "https://", "http://", "mailto:")), href
    # the stylesheet is inline and whole
    style = doc.find("head/style")
    assert ".article-title" in style.text and "prefers-color-scheme: dark" in style.text
    assert "@media print" in style.text
    # and in the raw bytes of the body, no address at all outside links and data: URLs
    # (base64 may spell "http")
    raw = re.sub(rb'data:[^"\')]*', b"", path.read_bytes().partition(b"</head>")[2])
    assert b"http" not in re.sub(rb'<a [^>]*href="https?://[^"]*"', b"", raw)


def test_images_are_the_issue_images(html_build):
    report, _path, doc = html_build
    issue = report.issue
    cover = doc.find(".//figure[@class='cover']/img")
    assert data_of(cover.get("src")) == issue.cover.data
    assert "Test Gazette" in cover.get("alt")
    body_images = [img for img in doc.iter("img") if img is not cover]
    assert body_images and {data_of(img.get("src")) for img in body_images} == \
        {image.data for image in issue.images}
    for img in body_images:
        media = img.get("src")[5:].split(";")[0]
        assert media in ("image/png", "image/jpeg")
    assert body_images[0].get("alt") == "A drawing of the bridge"


def test_contents_links_resolve(html_build):
    report, _path, doc = html_build
    ids = [el.get("id") for el in doc.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    fragments = [a.get("href")[1:] for a in doc.iter("a") if (a.get("href") or "").startswith("#")]
    assert fragments and set(fragments) <= set(ids)
    contents = doc.find(".//nav[@id='contents']")
    links = [a.get("href") for a in contents.iter("a")]
    expected = []
    for section in report.issue.sections:
        expected.append("#" + section.id)
        expected.extend("#" + a.id for a in section.articles)
    assert links == expected
    # an in-article footnote-style link points into its own article
    bridge_id = report.issue.sections[0].articles[0].id
    inner = doc.find(".//article[@id='%s']//div[@class='article-body']//a" % bridge_id)
    assert inner.get("href").startswith("#" + bridge_id + "-")


def test_metadata(html_build):
    report, _path, doc = html_build
    issue = report.issue
    root = doc.getroot() if hasattr(doc, "getroot") else doc
    assert root.get("lang") == "en"
    head = root.find("head")
    assert head.find("meta[@charset]").get("charset") == "utf-8"
    assert text_of(head.find("title")) == "Test Gazette — No. 7, March 14, 2026"
    meta = {}
    for m in head.findall("meta[@name]"):
        meta.setdefault(m.get("name"), []).append(m.get("content"))
    assert meta["author"] == issue.authors
    assert meta["description"] == ["A small issue built by the tests."]
    assert meta["generator"][0].startswith("newsbook ")
    assert meta["dcterms.created"] == ["2026-03-14"]
    assert meta["dcterms.publisher"] == ["Test Press"]
    assert meta["dcterms.identifier"] == [issue.identifier]
    assert meta["keywords"] == ["News, Notes"]
    assert meta["viewport"] and meta["color-scheme"] == ["light dark"]


def _issue(title: str, body: str = "<p>Text.</p>", **kw):
    from newsbook.model import Article, Issue, Section

    article = Article(id="a1", title=title, body=body, source="t.md", authors=[title],
                      published=datetime(2026, 3, 12), url="https://example.org/a?x=1&y=<2>")
    return Issue(title=title, date=date(2026, 3, 14), language="en", identifier="urn:uuid:0",
                 sections=[Section(title, [article], id="s1")], description=title, **kw)


def test_autoescape_keeps_markup_in_metadata_as_text():
    from newsbook.builders import html as html_builder
    from newsbook.render.environment import Theme

    evil = '<script>alert("x")</script> & </style><b>'
    data = html_builder.build(_issue(evil), Theme())
    doc = parse(data)
    assert doc.find(".//script") is None and doc.find(".//b") is None
    assert text_of(doc.find(".//title")) == evil + " — March 14, 2026"  # the book title: date added
    assert text_of(doc.find(".//h2[@class='article-title']")) == evil
    assert doc.find(".//meta[@name='description']").get("content") == evil
    assert doc.find(".//a[@class='source']").get("href") == "https://example.org/a?x=1&y=<2>"


def test_xhtml_bodies_become_html(tmp_path):
    """Empty cells and elements that XHTML writes as <x/> must not open a tag in HTML."""
    from newsbook.builders import html as html_builder
    from newsbook.model import Article
    from newsbook.model.clean import clean_article
    from newsbook.render.environment import Theme

    raw = Article(id="a1", title="T", source="t.html",
                  body="<h1>Top</h1><table><tr><td></td><td>x</td></tr></table>"
                       "<p>a<br>b <span></span> <a id='n'></a>c</p><pre>\n\nindented\n</pre>"
                       "<h6>deep</h6>")
    cleaned, _warnings = clean_article(raw)
    assert "<td/>" in cleaned.body or "<span/>" in cleaned.body  # what the EPUB needs
    issue = _issue("T")
    issue.sections[0].articles[0] = cleaned
    doc = parse(html_builder.build(issue, Theme()))
    body = doc.find(".//div[@class='article-body']")
    cells = body.findall(".//tr/td")
    assert [text_of(c) for c in cells] == ["", "x"]
    assert text_of(body.find(".//p")).replace("\n", "") == "ab  c"
    assert text_of(body.find(".//pre")) == "\nindented\n"
    # one level down in the page (h1 → h2 → h3), and h6 closes up under it (model/a11y.py)
    assert [h.tag for h in body.iter() if h.tag[0] == "h" and h.tag[1:].isdigit()] == ["h3", "h4"]


def test_deterministic_bytes(project):
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod
    from newsbook.build import report as report_mod
    from newsbook.builders import html as html_builder
    from newsbook.render.environment import Theme

    folder = project("basic")
    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"), formats=["html"])
    first = html_builder.build(pipeline.prepare(plan, report_mod.Report()), Theme(plan.templates))
    second = html_builder.build(pipeline.prepare(plan, report_mod.Report()), Theme(plan.templates))
    assert first == second


def test_project_stylesheet_resources_inlined(project):
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    folder = project("basic")
    (folder / "templates" / "fonts").mkdir(parents=True)
    font = b"wOFF-not-really-a-font"
    (folder / "templates" / "fonts" / "body.woff").write_bytes(font)
    (folder / "templates" / "screen.css").write_text(
        '@font-face { font-family: Body; src: url("fonts/body.woff") format("woff"); }\n'
        "body { font-family: Body; background: url(data:image/png;base64,AAAA); }\n")
    out = folder / "out.html"
    pipeline.build(plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"),
                                         outputs=[out]))
    doc = parse(out.read_bytes())
    assert outside_references(doc) == []
    style = doc.find("head/style").text
    uri = re.search(r"url\((data:font/woff;base64,[^)]*)\)", style).group(1)
    assert data_of(uri) == font


@pytest.mark.parametrize("name, content, message", [
    ("screen.css", '@import url("extra.css");\n', "@import"),
    ("screen.css", "body { background: url(https://cdn.example.org/bg.png); }", "cdn.example.org"),
    ("screen.css", 'body { background: url("/etc/hosts"); }', "/etc/hosts"),
    ("screen.css", 'body { background: url("../secret.png"); }', "../secret.png"),
    ("web.html", '<link rel="stylesheet" href="https://fonts.example.org/css">',
     "fonts.example.org"),
    ("web.html", '<script src="tracker.js"></script>', "tracker.js"),
    ("web.html", '<style>p { background: url("paper.png"); }</style>', "paper.png"),
    ("web.html", '<meta name="x" content="y" style="background: url(//cdn.example/x)">',
     "//cdn.example/x"),
    ("web.html", '<svg><image href="https://img.example/x.png"/></svg>', "img.example"),
])
def test_external_references_fail_the_build(project, name, content, message):
    folder = project("basic")
    templates = folder / "templates"
    templates.mkdir()
    if name == "web.html":
        original = (ROOTS.parent.parent / "templates" / "web.html").read_text()
        content = original.replace("</head>", content + "\n</head>")
    (templates / name).write_text(content)
    out = folder / "issue.html"
    result = run_cli("build", str(folder), "-o", str(out))
    assert result.returncode == 2, result.stderr
    assert "self-contained" in result.stderr or "@import" in result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_cli_ad_hoc_and_format_option(tmp_path):
    article = tmp_path / "note.md"
    article.write_text("---\ntitle: A <Note>\nauthor: Ada\n---\n\n"
                       "Hello [web](https://example.org).\n")
    out = tmp_path / "out" / "issue.html"
    out.parent.mkdir()
    result = run_cli("build", str(article), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    doc = parse(out.read_bytes())
    assert text_of(doc.find(".//h2[@class='article-title']")) == "A <Note>"
    assert doc.find(".//div[@class='article-body']//a").get("href") == "https://example.org"
    assert outside_references(doc) == []

    folder = tmp_path / "proj"
    shutil.copytree(ROOTS / "basic", folder)
    result = run_cli("build", str(folder), "-f", "html", "-f", "epub", "-d", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    built = sorted(Path(p) for p in result.stdout.split())
    assert [p.suffix for p in built] == [".epub", ".html"]
    register_epub(built[0])


def test_unknown_format_names_html(tmp_path):
    folder = tmp_path / "proj"
    shutil.copytree(ROOTS / "basic", folder)
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text().replace('formats = ["epub", "pdf"]', 'formats = ["docx"]'))
    result = run_cli("build", str(folder))
    assert result.returncode == 2 and "html" in result.stderr
    result = run_cli("build", "--title", "T", str(folder / "articles"), "-o",
                     str(tmp_path / "x.htm"))
    assert result.returncode == 2 and ".html" in result.stderr


def test_right_to_left_issue_and_no_cover():
    from newsbook.builders import html as html_builder
    from newsbook.model import Article, Issue, Section
    from newsbook.render.environment import Theme

    articles = [Article(id="a1", title="الجسر يعيد فتح أبوابه",
                        body="<p>يعيد الجسر فتح أبوابه.</p>", source="1.md", language="ar"),
                Article(id="a2", title="Bridge Reopens", body="<p>The bridge.</p>", source="2.md",
                        language="en")]
    issue = Issue(title="الجريدة", date=date(2026, 3, 14), language="ar",
                  identifier="urn:uuid:1", sections=[Section("S", articles, id="s1")])
    doc = parse(html_builder.build(issue, Theme()))
    root = doc.getroot() if hasattr(doc, "getroot") else doc
    assert root.get("lang") == "ar" and root.get("dir") == "rtl"
    english = doc.find(".//article[@id='a2']")
    assert english.get("lang") == "en" and english.get("dir") == "ltr"
    assert doc.find(".//article[@id='a1']").get("dir") is None  # inherits rtl
    assert doc.find(".//figure[@class='cover']") is None and not list(doc.iter("img"))
    assert text_of(doc.find(".//h1[@class='contents-title']")) == "المحتويات"
