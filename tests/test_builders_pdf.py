"""PDF builder: read back with pypdf — outline, metadata, contents page numbers, page size."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader


def _outline(reader: PdfReader):
    """[(title, page number (1-based), [children])] from the PDF outline."""
    def walk(items):
        out = []
        for item in items:
            if isinstance(item, list):
                out[-1][2].extend(walk(item))
            else:
                out.append((item.title, reader.get_destination_page_number(item) + 1, []))
        return out
    return walk(reader.outline)


def test_outline_nested_section_article(basic_build):
    _report, _epub, pdf = basic_build
    reader = PdfReader(pdf)
    outline = _outline(reader)
    assert [t for t, _p, _c in outline] == ["Contents", "News", "Notes"]
    news, notes = outline[1], outline[2]
    assert [t for t, _p, _c in news[2]] == ["Bridge Reopens After Repairs",
                                             "Market Moves Indoors for Winter"]
    assert [t for t, _p, _c in notes[2]] == ["Library Extends Opening Hours",
                                              "Un café à Zürich, s'il vous plaît"]
    # article sub-headings are not bookmarked
    titles = [t for _s, _p, children in outline for t, _q, _c in children]
    assert "Timeline" not in titles and "What changes" not in titles
    # each article starts on its own page, after the previous one
    pages = [p for _s, _p, children in outline for _t, p, _c in children]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)
    for title, page, _c in news[2] + notes[2]:
        text = reader.pages[page - 1].extract_text()
        assert title.split(",")[0] in text


def test_contents_page_numbers_match_outline(basic_build):
    _report, _epub, pdf = basic_build
    reader = PdfReader(pdf)
    outline = _outline(reader)
    contents_page = outline[0][1]
    text = reader.pages[contents_page - 1].extract_text()
    expected = {t: p for _s, _p, children in outline for t, p, _c in children}
    for title, page in expected.items():
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", text, re.M)
        assert match, f"{title!r} not on the contents page:\n{text}"
        assert int(match.group(1)) == page, title


def test_metadata(basic_build):
    _report, _epub, pdf = basic_build
    meta = PdfReader(pdf).metadata
    assert meta.title == "Test Gazette — No. 7, March 14, 2026"
    assert "Ada Lovelace" in meta.author and "Grace Hopper" in meta.author
    assert meta.subject == "A small issue built by the tests."
    # sections, then the series (the title when none is set) and number as one keyword
    assert meta["/Keywords"] == "News, Notes, Test Gazette No. 7"
    assert meta["/CreationDate"].startswith("D:20260314")


def test_front_page_running_header_and_page_numbers(basic_build):
    _report, _epub, pdf = basic_build
    reader = PdfReader(pdf)
    front = reader.pages[0].extract_text()
    assert "Test Gazette" in front and "NO. 7" in front.upper()
    assert "MARCH 14, 2026" in front.upper()
    article_page = _outline(reader)[1][2][0][1]
    text = reader.pages[article_page - 1].extract_text()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # running header: the issue title and the article title (a second time, above the title)
    assert "Test Gazette" in text and text.count("Bridge Reopens After Repairs") == 2
    assert str(article_page) in lines  # page number in the footer
    assert "Test Gazette" not in reader.pages[0].extract_text().splitlines()[1:]
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4


def test_internal_links_point_at_article_pages(basic_build):
    _report, _epub, pdf = basic_build
    reader = PdfReader(pdf)
    outline = _outline(reader)
    contents = reader.pages[outline[0][1] - 1]
    targets = set()
    for annot in contents.get("/Annots") or []:
        annot = annot.get_object()
        if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
            dest = annot["/Dest"]
            if not isinstance(dest, list):  # a named destination
                dest = reader.named_destinations[str(dest)]
                targets.add(reader.get_destination_page_number(dest) + 1)
            else:
                targets.add(reader.get_page_number(dest[0].get_object()) + 1)
    article_pages = {p for _s, _p, children in outline for _t, p, _c in children}
    assert article_pages <= targets


def test_page_size_from_config(project):
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    folder = project("basic")
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text().replace('order = "date"', 'order = "date"\npage_size = "letter"'))
    plan = plan_mod.plan_project(config_mod.load(toml), ["pdf"])
    pdf = pipeline.build(plan).outputs[0]
    box = PdfReader(pdf).pages[3].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_fetcher_serves_only_the_issue(tmp_path):
    from newsbook.builders.pdf import BASE_URL, make_fetcher

    canary = tmp_path / "canary.txt"
    canary.write_text("secret")
    refused: list[str] = []
    fetcher = make_fetcher({BASE_URL + "print.css": (b"p{}", "text/css")}, refused)
    assert fetcher.fetch(BASE_URL + "print.css").read() == b"p{}"
    for url in (canary.as_uri(), "http://127.0.0.1:9/x.png", "data:text/plain,hi"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(refused) == 3


def test_template_cannot_embed_local_files(project):
    """Even a project template that links a local file gets nothing into the PDF."""
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    folder = project("basic")
    canary = folder.parent / "canary-secret.txt"
    canary.write_text("CANARY-7f3a")
    (folder / "templates").mkdir()
    from newsbook.render.environment import builtin_templates

    original = (builtin_templates() / "issue.html").read_text()
    (folder / "templates" / "issue.html").write_text(original.replace(
        "</head>", f'<link rel="attachment" href="{canary.as_uri()}" />'
                   f'<link rel="stylesheet" href="{canary.as_uri()}" /></head>'))
    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"), ["pdf"])
    pdf = pipeline.build(plan).outputs[0]
    assert b"CANARY-7f3a" not in pdf.read_bytes()
    assert not PdfReader(pdf).attachments


def _pdf(issue, **changes) -> bytes:
    """Build an Issue straight through the PDF builder, with some fields replaced."""
    from dataclasses import replace

    from newsbook.builders import pdf as pdf_builder
    from newsbook.render.environment import Theme

    return pdf_builder.build(replace(issue, **changes), Theme())


def _read(data: bytes) -> PdfReader:
    from io import BytesIO

    return PdfReader(BytesIO(data))


def _xmp(reader: PdfReader):
    from lxml import etree

    return etree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())


def test_subject_and_keywords_follow_series(basic_build):
    report, _epub, _pdf_path = basic_build
    meta = _read(_pdf(report.issue, series="The Weekly Brief", number=12)).metadata
    assert meta["/Keywords"] == "News, Notes, The Weekly Brief No. 12"
    assert meta.title == "Test Gazette — No. 12, March 14, 2026"
    meta = _read(_pdf(report.issue, description=None, number=None, series="Brief")).metadata
    assert meta.subject == "Fixtures for the test suite"  # the subtitle, without a description
    assert meta["/Keywords"] == "News, Notes, Brief"
    meta = _read(_pdf(report.issue, description=None, subtitle=None, number=None)).metadata
    assert "/Subject" not in meta and meta["/Keywords"] == "News, Notes"


def test_front_page_masthead_facts(basic_build):
    report, _epub, _pdf_path = basic_build
    reader = _read(_pdf(report.issue, series="The Weekly Brief", volume=4))
    front = reader.pages[0].extract_text().upper()
    for text in ("THE WEEKLY BRIEF", "TEST GAZETTE", "VOL. 4", "NO. 7", "MARCH 14, 2026", "TEST PRESS"):
        assert text in front, text


def test_pdf_ua_1_is_tagged(basic_build):
    from pypdf.generic import BooleanObject

    report, _epub, _pdf_path = basic_build
    reader = _read(_pdf(report.issue, pdf_variant="pdf/ua-1"))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    tree = root["/StructTreeRoot"].get_object()
    assert tree["/Type"] == "/StructTreeRoot"
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)

    def kinds(node, out):
        node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                out.add(node["/S"])
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
                kinds(kid, out)
        return out

    structure = kinds(tree, set())
    assert {"/Document", "/H1", "/H2", "/P", "/Figure", "/Table", "/L"} <= structure
    xmp = _xmp(reader)
    assert xmp.xpath("//@pdfuaid:part", namespaces={"pdfuaid": "http://www.aiim.org/pdfua/ns/id/"}) \
        == ["1"]
    # the untagged default has neither
    plain = _read(_pdf(report.issue)).trailer["/Root"]
    assert "/StructTreeRoot" not in plain and "/MarkInfo" not in plain


def test_pdf_a_3u_identification(basic_build):
    report, _epub, _pdf_path = basic_build
    reader = _read(_pdf(report.issue, pdf_variant="pdf/a-3u"))
    ns = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/"}
    xmp = _xmp(reader)
    assert xmp.xpath("//@pdfaid:part", namespaces=ns) == ["3"]
    assert xmp.xpath("//@pdfaid:conformance", namespaces=ns) == ["U"]
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert reader.pdf_header == "%PDF-1.7"
    assert reader.metadata.title == "Test Gazette — No. 7, March 14, 2026"


@pytest.mark.parametrize("variant", [None, "pdf/a-3u", "pdf/ua-1"])
def test_bytes_reproducible(basic_build, monkeypatch, variant):
    report, _epub, _pdf_path = basic_build
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773446400")
    first = _pdf(report.issue, pdf_variant=variant)
    second = _pdf(report.issue, pdf_variant=variant)
    assert first == second
    # the /ID comes from the issue identifier, the dates from the issue date
    reader = _read(first)
    assert reader.metadata["/CreationDate"].startswith("D:20260314")


def test_unknown_variant_refused(basic_build):
    from newsbook.model.errors import BuildError

    report, _epub, _pdf_path = basic_build
    with pytest.raises(BuildError, match="pdf/x-4"):
        _pdf(report.issue, pdf_variant="pdf/x-4")


def test_right_to_left_issue_renders_tagged(basic_build):
    from datetime import date

    from newsbook.model import Article, Issue, Section

    arabic = Article(id="a1", title="الجسر يعيد فتح أبوابه", body="<p>يعيد الجسر فتح أبوابه.</p>",
                     source="1.md", language="ar")
    english = Article(id="a2", title="Bridge Reopens", body="<p>The bridge reopens.</p>",
                      source="2.md", language="en")
    issue = Issue(title="الجريدة", date=date(2026, 3, 14), language="ar", identifier="urn:uuid:x",
                  sections=[Section("أخبار", [arabic, english], id="s1")], number=3)
    reader = _read(_pdf(issue, pdf_variant="pdf/ua-1"))
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    assert "Bridge Reopens" in "".join(page.extract_text() for page in reader.pages)
