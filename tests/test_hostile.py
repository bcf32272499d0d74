"""Hostile content: never in an output, never reads a file outside the project, no request at render.

One project holds one article per payload and place — (html) a local HTML file, (md) a Markdown
file with raw HTML, (web) a page on the loopback FixtureServer — built once, in process, with an
audit hook recording file opens and connections. Each (payload, place) is then its own test.
Every payload carries a unique token that may appear only inside the dangerous construct, and
refers to canary files (outside the project) that hold a unique marker of their own; remote
references point at the FixtureServer under /evil/<payload>-<place>/.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
import uuid
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image as PILImage
from PIL.PngImagePlugin import PngInfo

from conftest import register_epub
from webserver import FixtureServer

PLACES = ("html", "md", "web")
MEGABYTE = "x" * 1_000_000
FILLER = ("The harbour authority confirmed on Monday that the new ferry terminal will open in "
          "spring, two months later than planned, after engineers found that the old pier needed "
          "more work. Passengers will be able to buy tickets at machines inside the hall.")

# Placeholders: TOK (the payload's token), EVIL (a URL prefix on the FixtureServer), TXT/PNG/CSS
# (absolute paths of canary files outside the project), REL (relative path from the article's
# folder to the canary PNG), ENC (the same with %2f for slashes), PLACE.
# Each payload: (markup, also in <head> of HTML pages).
PAYLOADS: dict[str, tuple[str, bool]] = {
    "script": ("<script>document.write('TOK')</script><script src=\"EVIL/s.js\"></script>", True),
    "onerror": ("<img src=\"EVIL/i.png\" onerror=\"alert('TOK')\" alt=\"pic\">", False),
    "onload": ("<body onload=\"alert('TOK')\"><div onload=\"TOK()\">loaded</div></body>", False),
    "onclick": ("<p onclick=\"alert('TOK')\" onmouseover=\"TOK()\">click here</p>", False),
    "jsurl": ("<p><a href=\"javascript:alert('TOK')\">j1</a> <a href=\"  JaVaScRiPt:alert('TOK')\">"
              "j2</a> <a href=\"jav&#x09;ascript:alert('TOK')\">j3</a> "
              "<a href=\"&#106;avascript:alert('TOK')\">j4</a> <a href=\"vbscript:TOK\">j5</a></p>",
              False),
    "datahtml": ("<p><a href=\"data:text/html,&lt;script&gt;alert('TOK')&lt;/script&gt;\">d1</a> "
                 "<a href=\"data:text/html;charset=utf-8,TOK\">d2</a> "
                 "<img src=\"data:text/html,TOK\" alt=\"d3\"></p>", False),
    "iframe": ("<iframe src=\"EVIL/frame\" srcdoc=\"&lt;p&gt;TOK&lt;/p&gt;\">TOK</iframe>"
               "<iframe src=\"file://TXT\"></iframe>", False),
    "object": ("<object data=\"file://TXT\" type=\"text/plain\">TOK</object>"
               "<object data=\"EVIL/obj\"><param name=\"src\" value=\"TOK\"></object>", False),
    "embed": ("<embed src=\"file://TXT\"><embed src=\"EVIL/embed\" type=\"text/plain\" "
              "data-x=\"TOK\">", False),
    "form": ("<form action=\"EVIL/form\"><input name=\"q\" value=\"TOK\"><button formaction="
             "\"EVIL/btn\">TOK</button><textarea>TOK</textarea><select><option>TOK</option>"
             "</select></form>", False),
    "refresh": ("<meta http-equiv=\"refresh\" content=\"0;url=EVIL/refresh?TOK\">", True),
    "base": ("<base href=\"EVIL/base/TOK/\"><p><img src=\"based.png\" alt=\"b\"></p>", True),
    "svgscript": ("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"TOK()\"><script>alert('TOK')"
                  "</script><image href=\"file://PNG\"/><image xlink:href=\"EVIL/svgimg\"/></svg>",
                  False),
    "foreignobject": ("<svg><foreignObject><iframe src=\"EVIL/fo\"></iframe><p>TOK</p>"
                      "<img src=\"file://PNG\"></foreignObject></svg>", False),
    "mathml": ("<math href=\"javascript:TOK\"><mi xlink:href=\"javascript:TOK\">TOK</mi></math>",
               False),
    "cssattr": ("<p style=\"background:url('EVIL/bg.png'); content:'TOK'\">styled</p>"
                "<div style=\"background-image:url(file://PNG)\">styled too</div>"
                "<td style=\"behavior:url(EVIL/x.htc)\">cell</td>", False),
    "cssimport": ("<style>@import url(\"EVIL/imp.css\"); @import 'file://CSS'; "
                  "p::after { content: 'TOK'; background: url(file://PNG); }</style>", True),
    "linkrel": ("<link rel=\"attachment\" href=\"file://TXT\" title=\"TOK\">"
                "<link rel=\"stylesheet\" href=\"file://CSS\"><link rel=\"stylesheet\" "
                "href=\"EVIL/l.css\"><p><a rel=\"attachment\" href=\"file://TXT\">attached</a></p>",
                True),
    "imgfile": ("<p><img src=\"file://PNG\" alt=\"f1\"> <img src=\"file://TXT\" alt=\"f2\"> "
                "<img src=\"file:PNG\" alt=\"f3\"></p>", False),
    "srcset": ("<p><img srcset=\"file://PNG 1x, EVIL/ss.png 2x\" alt=\"s1\">"
               "<img data-src=\"file://PNG\" src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" "
               "alt=\"s2\"><img data-original=\"file://PNG\" alt=\"s3\"></p>"
               "<picture><source srcset=\"file://PNG\"><img src=\"data:,\" alt=\"s4\"></picture>",
               False),
    "ziprel": ("<p><img src=\"REL\" alt=\"z1\"><img src=\"../../../../../../../../etc/x.png\" "
               "alt=\"z2\"></p>", False),
    "zipenc": ("<p><img src=\"ENC\" alt=\"e1\"><img src=\"..%2f..%2f..%2f..%2f..%2fetc%2fx.png\" "
               "alt=\"e2\"></p>", False),
    "zipabs": ("<p><img src=\"PNG\" alt=\"a1\"><img src=\"/etc/passwd\" alt=\"a2\"></p>", False),
    "symlink": ("<p><img src=\"link-PLACE.png\" alt=\"l1\"></p>", False),
    "media": ("<video src=\"EVIL/v.mp4\" poster=\"file://PNG?TOK\"><source src=\"file://TXT\">"
              "<track src=\"EVIL/t.vtt\"></video><audio src=\"EVIL/a.mp3\"></audio>", False),
    "hiddencontent": ("<noscript><img src=\"EVIL/ns.png\">TOK</noscript><template><script>TOK"
                      "</script></template><!--[if IE]><script>TOK</script><![endif]-->"
                      "<![CDATA[TOK]]>", False),
    "bigattr": (f"<p title=\"TOK{MEGABYTE}\">big title</p>"
                f"<p><img src=\"EVIL/big.png\" alt=\"TOK{MEGABYTE}\"></p>", False),
    "deep": ("<div>" * 3000 + "<p>deep words</p>" + "</div>" * 3000, False),
    # Flattened to the limit, nested tables must still lay out (WeasyPrint recurses per box).
    "deeptable": ("<table><tr><td>" * 200 + "cell" + "</td></tr></table>" * 200
                  + "<ul><li>" * 200 + "item" + "</li></ul>" * 200, False),
}
# Payloads whose whole document is special (a DOCTYPE, metadata): built by _document().
DOCUMENTS = ("xxe", "laughs", "meta", "traversal")
ALL = list(PAYLOADS) + list(DOCUMENTS)
# Places where a payload does not apply; nothing yet.
SKIP: set[tuple[str, str]] = set()
# Elements and attributes that must never be in an article's body.
FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "param",
                  "form", "input", "button", "textarea", "select", "option", "meta", "base",
                  "link", "style", "svg", "math", "foreignObject", "video", "audio", "source",
                  "track", "picture", "noscript", "template"}


def _token(pid: str, place: str) -> str:
    return f"PWNx{pid}x{place}"


def _keep(pid: str, place: str) -> str:
    return f"KEEPx{pid}x{place}"


# --- the audit hook: file opens and connections, per phase --------------------------------------

_PHASE: list[str | None] = [None]
_EVENTS: list[tuple[str, str, object]] = []


def _audit(event: str, args) -> None:
    phase = _PHASE[0]
    if phase is None:
        return
    if event == "open":
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            _EVENTS.append((phase, "open", os.fsdecode(path)))
    elif event in ("socket.connect", "socket.getaddrinfo", "urllib.Request",
                   "subprocess.Popen", "os.system"):
        _EVENTS.append((phase, event, args[1] if event == "socket.connect" else args[0]))


_HOOKED = [False]


def _hook() -> None:
    if not _HOOKED[0]:  # audit hooks cannot be removed: one for the session, idle outside builds
        sys.addaudithook(_audit)
        _HOOKED[0] = True


# --- the project --------------------------------------------------------------------------------

def _canary_png(marker: str) -> bytes:
    info = PngInfo()
    info.add_text("Comment", marker)
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "red").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _page(title: str, body: str, head: str = "", doctype: str = "<!DOCTYPE html>") -> str:
    return (f"{doctype}<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"{head}</head><body><article><h1>{title}</h1>{body}</article></body></html>")


def _filler(seed: str) -> str:
    """Words of their own for each article: near-duplicate articles are left out of an issue."""
    import random

    words = FILLER.rstrip(".").replace(",", "").split()
    random.Random(seed).shuffle(words)
    return " ".join(words).capitalize() + "."


def _document(pid: str, place: str, fill) -> tuple[str, str]:
    """(file suffix, text) of the article for a payload and place."""
    keep, tok = _keep(pid, place), _token(pid, place)
    FILLER = _filler(f"{pid}/{place}") + " " + _filler(f"{place}/{pid}")
    text = f"<p>{keep} {FILLER}</p>"
    tail = f"<p>{FILLER} The end.</p>"
    title = f"Hostile {pid} {place}"
    if pid in PAYLOADS:
        markup, in_head = PAYLOADS[pid]
        markup = fill(markup)
        if place == "md":
            return ".md", f"---\ntitle: \"{title}\"\n---\n\n{keep} {FILLER}\n\n{markup}\n\n{FILLER}\n"
        return ".html", _page(title, text + markup + tail, markup if in_head else "")
    if pid in ("xxe", "laughs"):
        if pid == "xxe":
            subset = fill('<!ENTITY xxe SYSTEM "file://TXT"><!ENTITY t "TOK">'
                          '<!ENTITY remote SYSTEM "EVIL/dtd">')
            use = "&xxe; &t; &remote;"
        else:
            subset = f'<!ENTITY l0 "{tok}">' + "".join(
                f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
            use = "&l9;"
        doctype = f"<!DOCTYPE html [{subset}]>"
        if place == "md":
            return ".md", f"---\ntitle: \"{title}\"\n---\n\n{doctype}\n\n{keep} {FILLER}\n\n<p>{use}</p>\n"
        xml = '<?xml version="1.0" encoding="utf-8"?>'
        page = _page(title, text + f"<p>{use}</p>" + tail, doctype=xml + doctype)
        return ".xhtml", page.replace('<html lang="en">',
                                      '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">')
    if pid == "meta":
        long = "L" * 100_000
        if place == "md":
            return ".md", (f"---\ntitle: \"Meta {place}\\r\\nX-Injected: yes\\0 {long}\"\n"
                           f"authors: [\"Eve\\r\\nX-Header: 1\\0\", \"{'A' * 100_000}\"]\n"
                           f"url: \"javascript:alert('{tok}')\"\nsite: \"S\\0ite\\u0007\"\n"
                           f"lang: \"en\\\" onload=\\\"{tok}\"\n---\n\n{keep} {FILLER}\n")
        head = (f"<meta name=\"author\" content=\"Eve&#13;&#10;X-Header: 1&#0; {'A' * 100_000}\">"
                f"<link rel=\"canonical\" href=\"javascript:alert('{tok}')\">")
        return ".html", _page(f"Meta {place}&#13;&#10;X-Injected: yes&#0; {long}",
                              text + tail, head)
    assert pid == "traversal"
    if place == "md":
        return ".md", (f"---\ntitle: \"../../../../tmp/evil-{place}\"\nsection: \"../../evil\"\n"
                       f"---\n\n{keep} {FILLER}\n")
    return ".html", _page(f"../../../../tmp/evil-{place}", text + tail)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile project, built once in process: outputs, phases' events, server hits."""
    from newsbook import builders
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod
    from newsbook.build import report as report_mod
    from newsbook.build.output import write_atomic
    from newsbook.render.environment import Theme

    base = tmp_path_factory.mktemp("hostile")
    folder, outside = base / "project", base / "outside"
    articles = folder / "articles"
    articles.mkdir(parents=True)
    run = uuid.uuid4().hex[:12]
    srv = FixtureServer()
    web_urls = []
    for pid in ALL:
        for place in PLACES:
            if (pid, place) in SKIP:
                continue
            key = f"{pid}-{place}"
            canaries = outside / key
            canaries.mkdir(parents=True)
            marker = f"CANARYx{pid}x{place}x{run}"
            (canaries / "canary.txt").write_text(marker)
            (canaries / "canary.css").write_text(f"body::before {{ content: '{marker}'; }}")
            png = canaries / "canary.png"
            png.write_bytes(_canary_png(marker))
            rel = os.path.relpath(png, articles)
            values = {"TOK": _token(pid, place), "EVIL": srv.url(f"/evil/{key}"),
                      "TXT": str(canaries / "canary.txt"), "CSS": str(canaries / "canary.css"),
                      "PNG": str(png), "REL": rel, "ENC": rel.replace("/", "%2f"),
                      "PLACE": place}

            def fill(text: str, values=values) -> str:
                for name, value in values.items():
                    text = text.replace(name, value)
                return text

            if pid == "symlink":
                (articles / f"link-{place}.png").symlink_to(png)
            suffix, text = _document(pid, place, fill)
            if place == "web":
                media = "application/xhtml+xml" if suffix == ".xhtml" else "text/html; charset=utf-8"
                web_urls.append(srv.add(f"/page/{key}", text, content_type=media))
            else:
                (articles / f"{key}{suffix}").write_text(text, encoding="utf-8")
    urls = ", ".join(f'"{u}"' for u in web_urls)
    (folder / "newsbook.toml").write_text(f"""
[issue]
title = "../../../Hostile Issue"
date = "2026-11-28"
number = 1

[build]
formats = ["epub", "pdf"]

[fetch]
timeout = 5
retries = 0
max_bytes = 5000000

[[sources]]
path = "articles"

[[sources]]
urls = [{urls}]
""")
    _hook()
    # Imported before the build: WeasyPrint's first import runs ldconfig/gcc (ctypes'
    # find_library) to locate Pango, which is loading, not rendering.
    import ebooklib.epub  # noqa: F401
    import weasyprint  # noqa: F401

    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"))
    report = report_mod.Report()
    _EVENTS.clear()
    try:
        _PHASE[0] = "collect"
        issue = pipeline.prepare(plan, report)
        collected_hits = dict(srv.hits)
        _PHASE[0] = "render"
        theme = Theme(plan.templates)
        rendered = {path.suffix: (path, builders.get_builder(builders.format_for(path))
                                  .build(issue, theme)) for path in plan.outputs}
    finally:
        _PHASE[0] = None
    render_hits = {p: n - collected_hits.get(p, 0) for p, n in srv.hits.items()
                   if n != collected_hits.get(p, 0)}
    for path, data in rendered.values():
        write_atomic(path, data)
    register_epub(rendered[".epub"][0])
    srv.stop()
    epub = zipfile.ZipFile(io.BytesIO(rendered[".epub"][1]))
    yield {
        "folder": folder, "outside": outside, "report": report, "plan": plan,
        "epub": epub, "epub_text": _epub_text(epub), "pdf": rendered[".pdf"][1],
        "pdf_text": _pdf_text(rendered[".pdf"][1]), "events": list(_EVENTS),
        "hits": dict(srv.hits), "render_hits": render_hits,
        "articles": _article_documents(epub),
    }


def _epub_text(epub: zipfile.ZipFile) -> str:
    return "\n".join(epub.read(name).decode("utf-8", "replace") for name in epub.namelist())


def _pdf_text(data: bytes) -> dict[str, str]:
    """The PDF as searchable text: raw bytes, every stream inflated, extracted text, metadata."""
    from pypdf import PdfReader

    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            streams.append(match.group(1).decode("latin-1"))
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return {"raw": data.decode("latin-1") + "\n".join(streams),
            "text": re.sub(r"[\s\-\u00ad]+", "", text),
            "metadata": repr(dict(reader.metadata or {})),
            "attachments": repr(list(reader.attachments))}


def _article_documents(epub: zipfile.ZipFile) -> dict[str, str]:
    return {name: epub.read(name).decode() for name in epub.namelist()
            if re.fullmatch(r"EPUB/a[0-9a-f]+\.xhtml", name)}


def _document_for(hostile, pid: str, place: str) -> tuple[str, str]:
    keep = _keep(pid, place)
    found = [(n, t) for n, t in hostile["articles"].items() if keep in t]
    assert len(found) == 1, f"the article for {pid}/{place} is not in the EPUB (or twice)"
    return found[0]


# --- the matrix ---------------------------------------------------------------------------------

CASES = [pytest.param(pid, place, id=f"{pid}-{place}") for pid in ALL for place in PLACES
         if (pid, place) not in SKIP]


@pytest.mark.parametrize("pid, place", CASES)
def test_payload_leaves_no_trace(hostile, pid, place):
    """The article is built; its token, canary and remote references are nowhere in the outputs."""
    name, xhtml = _document_for(hostile, pid, place)
    assert _keep(pid, place) in hostile["pdf_text"]["text"], "article missing from the PDF"
    token = _token(pid, place)
    canary = f"CANARYx{pid}x{place}"
    pdf = hostile["pdf_text"]
    shows_token = pid == "meta"  # the token is only text there; checked by test_metadata_is_inert
    for where, text in [("EPUB", hostile["epub_text"]), *(("PDF " + k, v) for k, v in pdf.items())]:
        if not shows_token:
            assert token not in text, f"{token} leaked into the {where}"
        assert canary not in text, f"a canary file of {pid}/{place} was read into the {where}"
    evil = f"/evil/{pid}-{place}"
    assert evil not in hostile["epub_text"] and evil not in pdf["raw"]
    # Remote references are never requested: not at collection (only <img> may be fetched
    # then, and only for web pages), never while rendering.
    requested = {p: n for p, n in hostile["hits"].items() if p.startswith(evil)}
    allowed = {p for p in requested if p.endswith(".png") and pid in ("onerror", "bigattr")}
    assert set(requested) <= allowed, f"requests for {pid}/{place}: {requested}"
    assert not any(p.startswith(evil) for p in hostile["render_hits"])
    _check_body(hostile, name, xhtml)


def _check_body(hostile, name: str, xhtml: str) -> None:
    """No active or external content in the article's XHTML: only the book's own resources."""
    root = etree.fromstring(xhtml.encode(), etree.XMLParser(resolve_entities=False,
                                                            no_network=True))
    members = set(hostile["epub"].namelist())
    body = root.find("{http://www.w3.org/1999/xhtml}body")
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        assert tag not in FORBIDDEN_TAGS, f"<{tag}> in {name}"
        for attr, value in el.attrib.items():
            attr = etree.QName(attr).localname
            assert not attr.startswith("on") and attr not in ("style", "srcset", "formaction",
                                                              "srcdoc", "poster", "background")
            assert not attr.startswith("data-"), f"{attr} in {name}"
            if attr == "src":
                assert value.startswith("images/") and f"EPUB/{value}" in members, value
            if attr in ("href", "cite"):
                assert value.startswith(("#", "https://", "http://", "mailto:")), value


def test_no_file_outside_the_project_was_opened(hostile):
    """Audit 'open' events: nothing under the canary folder; rendering only reads known places."""
    outside = str(hostile["outside"])
    opened = [(phase, path) for phase, kind, path in hostile["events"] if kind == "open"]
    assert opened, "the audit hook saw no file opens at all"
    assert not [p for _, p in opened if p.startswith(outside)]
    from newsbook.render.environment import builtin_templates

    package = str(Path(__import__("newsbook").__file__).parent)
    allowed = (str(hostile["folder"]), tempfile.gettempdir(), package, str(builtin_templates()),
               "/dev/null", "/etc/mime.types", sys.prefix, sys.base_prefix,
               sys.exec_prefix, "/usr/share/fonts", "/usr/local/share/fonts", "/etc/fonts",
               "/usr/share/zoneinfo", "/etc/localtime", "/usr/lib", "/usr/share/mime",
               os.path.expanduser("~/.cache/fontconfig"), "/var/cache/fontconfig",
               os.environ.get("XDG_CACHE_HOME", "/nonexistent"))
    render = [p for phase, p in opened if phase == "render" and not p.startswith(allowed)]
    assert not render, f"files opened while rendering: {render}"


def test_nothing_is_requested_while_rendering(hostile):
    """No connection, URL request or subprocess at render time; no request to the server then."""
    assert not [e for e in hostile["events"] if e[0] == "render" and e[1] != "open"]
    assert hostile["render_hits"] == {}


def test_epub_and_pdf_reference_only_their_own_resources(hostile):
    """Manifest items are inside the container; the PDF has no actions, files or remote URIs."""
    epub = hostile["epub"]
    opf = epub.read("EPUB/content.opf").decode()
    for href in re.findall(r'<item [^>]*href="([^"]+)"', opf):
        assert "://" not in href and ".." not in href and f"EPUB/{href}" in epub.namelist()
    for name in epub.namelist():
        assert ".." not in name and not name.startswith("/") and "\\" not in name
        if name.endswith((".xhtml", ".ncx", ".opf")):
            text = epub.read(name).decode()
            assert not re.search(r"(src|xlink:href|poster)=\"[a-z]+:", text), name
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text), name
    raw = hostile["pdf_text"]["raw"]
    for key in ("/JavaScript", "/JS ", "/Launch", "/EmbeddedFile", "/GoToR", "/SubmitForm",
                "/ImportData", "/RichMedia"):
        assert key not in raw, key
    assert hostile["pdf_text"]["attachments"] == "[]"
    for uri in re.findall(r"/URI\s*\((.*?)\)", raw):
        assert uri.startswith(("http://", "https://", "mailto:")), uri


def test_metadata_is_inert(hostile):
    """Titles and names lose control characters and length; URLs that are not http(s) go."""
    for place in PLACES:
        _name, xhtml = _document_for(hostile, "meta", place)
        title = re.search(r'<h1 class="article-title">(.*?)</h1>', xhtml, re.S).group(1)
        assert "\r" not in title and "\n" not in title and len(title) <= 300
        assert "javascript" not in xhtml and 'onload="' not in xhtml
        byline = re.search(r'<p class="byline".*?</p>', xhtml, re.S).group(0)
        assert "A" * 201 not in byline
    metadata = hostile["pdf_text"]["metadata"]
    assert "\\x00" not in metadata and "\\r" not in metadata
    nav = hostile["epub"].read("EPUB/nav.xhtml").decode()
    assert "L" * 300 not in nav and "\x00" not in nav


def test_traversing_titles_name_nothing_outside(hostile):
    """A title like ../../x names no output file and no member outside the book."""
    folder = hostile["folder"].resolve()
    for path in hostile["plan"].outputs:
        assert path.resolve().is_relative_to(folder) and ".." not in path.name
    assert not list(Path("/tmp").glob("evil-*"))
    for place in PLACES:
        name, _ = _document_for(hostile, "traversal", place)
        assert re.fullmatch(r"EPUB/a[0-9a-f]+\.xhtml", name)


def test_warnings_name_what_was_refused(hostile):
    """Refused images and limits are reported as warnings, naming their article."""
    warnings = "\n".join(hostile["report"].warnings)
    assert "image outside the project: ../../outside/ziprel-md/canary.png" in warnings
    assert "symlink-md.md: image outside the project" in warnings
    assert "attribute value(s) longer than 10,000 characters dropped" in warnings
    assert "nested deeper than" in warnings
    assert hostile["report"].failures == [], hostile["report"].failures


# --- the PDF fetcher on its own -----------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://127.0.0.1:9/x.css", "https://issue.newsbook.invalid/../etc/passwd",
    "https://issue.newsbook.invalid/images/../print.css?x", "data:text/plain,hi",
    "https://issue.newsbook.invalid/images/missing.png",
])
def test_pdf_fetcher_refuses_all_but_the_issues_resources(url):
    """Only the exact URLs of the issue's stylesheet and images are served."""
    from newsbook.builders.pdf import BASE_URL, make_fetcher

    refused: list[str] = []
    fetcher = make_fetcher({BASE_URL + "print.css": (b"p{}", "text/css")}, refused)
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    with pytest.raises(ValueError):
        fetcher.open(url)
    assert refused and all(r == url for r in refused)
    assert fetcher.fetch(BASE_URL + "print.css").read() == b"p{}"


def test_pdf_of_a_hostile_template_reads_nothing(tmp_path):
    """Even a project template that asks for files and remote resources gets none of them."""
    from newsbook.builders import pdf
    from newsbook.model import Issue
    from newsbook.render.environment import Theme

    canary = tmp_path / "canary.txt"
    marker = f"CANARYx{uuid.uuid4().hex}"
    canary.write_text(marker)
    srv = FixtureServer()
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "issue.html").write_text(
        f'<html lang="en"><head><title>t</title><link rel="attachment" href="file://{canary}">'
        f'<link rel="stylesheet" href="{srv.url("/evil.css")}"><style>@import "file://{canary}";'
        f'@font-face {{ font-family: x; src: url({srv.url("/font.ttf")}); }}</style></head>'
        f'<body><p>text</p><img src="file://{canary}"><img src="{srv.url("/i.png")}">'
        f'<a rel="attachment" href="{srv.url("/att")}">a</a>'
        f'<object data="file://{canary}"></object><iframe src="{srv.url("/f")}"></iframe>'
        f'<svg><image href="file://{canary}"/></svg></body></html>')
    from datetime import date

    issue = Issue(title="t", date=date(2026, 1, 1), language="en", identifier="urn:x",
                  sections=[])
    try:
        data = pdf.build(issue, Theme(templates))
    finally:
        srv.stop()
    assert marker.encode() not in data and b"/EmbeddedFile" not in data
    assert dict(srv.hits) == {}

