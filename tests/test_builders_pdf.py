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
    assert meta.title == "Test Gazette — No. 7"
    assert "Ada Lovelace" in meta.author and "Grace Hopper" in meta.author
    assert meta.subject == "A small issue built by the tests."
    assert meta["/Keywords"] == "News, Notes"
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
    from newsbook import config as config_mod
    from newsbook import pipeline

    folder = project("basic")
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text().replace('order = "date"', 'order = "date"\npage_size = "letter"'))
    plan = pipeline.plan_project(config_mod.load(toml), ["pdf"])
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
    from newsbook import config as config_mod
    from newsbook import pipeline

    folder = project("basic")
    canary = folder.parent / "canary-secret.txt"
    canary.write_text("CANARY-7f3a")
    (folder / "templates").mkdir()
    from newsbook.render import builtin_templates

    original = (builtin_templates() / "issue.html").read_text()
    (folder / "templates" / "issue.html").write_text(original.replace(
        "</head>", f'<link rel="attachment" href="{canary.as_uri()}" />'
                   f'<link rel="stylesheet" href="{canary.as_uri()}" /></head>'))
    plan = pipeline.plan_project(config_mod.load(folder / "newsbook.toml"), ["pdf"])
    pdf = pipeline.build(plan).outputs[0]
    assert b"CANARY-7f3a" not in pdf.read_bytes()
    assert not PdfReader(pdf).attachments
