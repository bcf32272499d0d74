"""KEPUB builder: kepubify's markup (spans, divs, styles) on the EPUB builder's book."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from newsbook import builders
from newsbook.builders import kepub

X = "{http://www.w3.org/1999/xhtml}"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
_ID = re.compile(r"kobo\.(\d+)\.(\d+)")


def _documents(path: Path) -> dict[str, etree._Element]:
    book = zipfile.ZipFile(path)
    return {name: etree.fromstring(book.read(name)) for name in kepub.content_documents(book)}


def _text(root) -> str:
    return "".join(root.find(f"{X}body").itertext())


def test_the_format_is_chosen_by_name_and_by_its_double_extension():
    assert builders.format_for(Path("issue.kepub.epub")) == "kepub"
    assert builders.format_for(Path("ISSUE.KEPUB.EPUB")) == "kepub"
    assert builders.format_for(Path("issue.epub")) == "epub"
    assert builders.format_for(Path("issue.kepub")) == "kepub"
    assert builders.extension("kepub") == ".kepub.epub"
    assert builders.extension("pdf") == ".pdf"
    from newsbook.model.errors import NewsbookError

    with pytest.raises(NewsbookError, match=r"\.kepub\.epub"):
        builders.format_for(Path("issue.mobi"))


def test_a_project_build_names_the_file_kepub_epub(reading_build):
    assert reading_build["kepub"].name.endswith(".kepub.epub")
    assert reading_build["epub"].name.endswith(".epub")
    assert not reading_build["epub"].name.endswith(".kepub.epub")


def test_every_document_is_wrapped_in_kobo_divs_with_kobo_styles(reading_build):
    documents = _documents(reading_build["kepub"])
    assert len(documents) >= 4  # cover, contents, section, articles, nav
    for name, root in documents.items():
        body = root.find(f"{X}body")
        children = list(body)
        assert [c.get("id") for c in children] == ["book-columns"], name
        inner = list(children[0])
        assert [c.get("id") for c in inner] == ["book-inner"], name
        styles = {s.get("class"): s.text for s in root.find(f"{X}head").iter(f"{X}style")}
        assert "div#book-inner" in styles["kobostylehacks"]
        assert "-webkit-hyphenate-limit-before" in styles["kepubify-hyphenate"]


def test_spans_number_paragraphs_and_segments_and_keep_every_character(reading_build):
    epub_docs = _documents(reading_build["epub"])
    for name, root in _documents(reading_build["kepub"]).items():
        spans = [s for s in root.iter(f"{X}span") if s.get("class") == "koboSpan"]
        assert spans, name
        ids = [s.get("id") for s in spans]
        assert len(ids) == len(set(ids)), f"{name}: duplicate span ids"
        numbers = [tuple(map(int, _ID.fullmatch(i).groups())) for i in ids]
        # In document order paragraphs never go back, and segments count up within one.
        assert numbers == sorted(numbers), name
        assert numbers[0][0] == 1 and all(seg >= 1 for _, seg in numbers)
        # The text is the EPUB's text, cut into segments, not changed.
        assert _text(root) == _text(epub_docs[name]), name
        for span in spans:  # no span in a span, nothing but text and images inside
            assert not [c for c in span if c.tag != f"{X}img"], name


def test_sentences_are_segments_as_kobo_cuts_them(reading_build):
    article = next(root for root in _documents(reading_build["kepub"]).values()
                   if "Plain prose" in _text(root))
    spans = [s for s in article.iter(f"{X}span") if s.get("class") == "koboSpan"]
    texts = [s.text for s in spans if s.text]
    assert "Plain prose without notes. " in texts
    assert "A second sentence follows! " in texts
    assert "Does a third? " in texts
    # An image is a paragraph of its own: its one segment is a span around it.
    image = article.find(f".//{X}img")
    holder = image.getparent()
    assert holder.get("class") == "koboSpan" and holder.get("id").endswith(".1")
    # A list's items are one paragraph, a segment each.
    items = [_ID.fullmatch(li.find(f"{X}span").get("id")).groups()
             for li in article.iter(f"{X}li")]
    assert len({para for para, _ in items}) == 1 and [s for _, s in items] == ["1", "2"]


def test_code_keeps_its_text_and_highlighting_without_spans(reading_build):
    article = next(root for root in _documents(reading_build["kepub"]).values()
                   if "def weave" in _text(root))
    for pre in article.iter(f"{X}pre"):
        assert not [s for s in pre.iter(f"{X}span") if s.get("class") == "koboSpan"]
    assert article.find(f".//{X}pre/{X}code/{X}span[@class='k']").text == "def"
    # Footnotes keep their popup markup.
    noteref = article.find(".//x:a[@epub:type='noteref']", NS)
    assert noteref is not None and noteref.get("role") == "doc-noteref"


@pytest.mark.parametrize("text, pieces", [
    ("One. Two! Three? Four", ["One. ", "Two! ", "Three? ", "Four"]),
    ('He said "stop." Then left.', ['He said "stop." ', "Then left."]),
    ("Pi is 3.14 today.", ["Pi is 3.14 today."]),  # no space after the point: no cut
    ("Wait... what?!  Yes.", ["Wait... ", "what?!  ", "Yes."]),
    ("No cut\xa0after. a\xa0b.", ["No cut\xa0after. ", "a\xa0b."]),
    ("A.\xa0B", ["A.\xa0B"]),  # a no-break space is no place to cut
    ("Trailing. ", ["Trailing. "]),
    ("  ", ["  "]),
    ("Ends.\n\nNext", ["Ends.\n\n", "Next"]),
])
def test_split_sentences_cuts_where_kepubify_does(text, pieces):
    assert kepub.split_sentences(text) == pieces
    assert "".join(kepub.split_sentences(text)) == text


def test_a_document_with_spans_already_is_left_alone():
    document = (b'<?xml version="1.0" encoding="utf-8"?>\n'
                b'<html xmlns="http://www.w3.org/1999/xhtml">'
                b'<head><title>t</title></head><body><p><span class="koboSpan" id="kobo.1.1">'
                b'Hi.</span></p></body></html>')
    assert kepub.transform(document) == document


def test_whitespace_outside_paragraphs_stays_text():
    document = (b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head>'
                b'<body>\n<div>\n<p> <em>a</em> <b>b.</b> c</p>\n</div>\n</body></html>')
    root = etree.fromstring(kepub.transform(document))
    div = root.find(f".//{X}div[@id='book-inner']/{X}div")
    assert div.text == "\n" and div[0].tail == "\n"
    p = div.find(f"{X}p")
    # Inside a <p>, white space is a segment too (kepubify's rule), numbered in order.
    assert [(s.get("id"), s.text) for s in p.iter(f"{X}span")] == [
        ("kobo.1.1", " "), ("kobo.1.2", "a"), ("kobo.1.3", " "), ("kobo.1.4", "b."),
        ("kobo.1.5", " c")]


def test_the_command_line_builds_a_kepub_by_format_and_by_file_name(project, tmp_path):
    from conftest import register_epub, run_cli

    folder = project("reading")
    done = run_cli("build", str(folder), "-f", "kepub", "--quiet")
    assert done.returncode == 0, done.stderr
    built = sorted(p.name for p in (folder / "_build").iterdir() if p.is_file())
    assert built == ["reading-well-001.kepub.epub"]
    out = tmp_path / "one.kepub.epub"
    done = run_cli("build", str(folder / "articles" / "second.md"), "-o", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    root = next(iter(_documents(register_epub(out)).values()))
    assert root.find(f".//{X}div[@id='book-inner']") is not None


def test_send_mails_the_epub_not_the_kepub_beside_it(monkeypatch, tmp_path):
    from types import SimpleNamespace

    from newsbook import deliver
    from newsbook.cli import send

    mailed = []
    monkeypatch.setattr(deliver, "send", lambda paths, settings, subject: mailed.extend(paths))
    outputs = [tmp_path / "brief-001.epub", tmp_path / "brief-001.kepub.epub",
               tmp_path / "brief-001.pdf"]
    plan = SimpleNamespace(deliver=SimpleNamespace(after_build=True, formats=["epub"]))
    built = SimpleNamespace(outputs=outputs, up_to_date=False, issue=None)
    send.after_build(plan, built, None)
    assert mailed == [outputs[0]]


def test_the_kepub_is_the_epub_beside_it_kepubified_and_reproducible(reading_build, monkeypatch):
    import io

    epub_bytes = reading_build["epub"].read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773446400")  # 2026-03-14
    once, again = kepub.kepubify(epub_bytes), kepub.kepubify(epub_bytes)
    assert once == again
    made = zipfile.ZipFile(io.BytesIO(once))
    assert {info.date_time for info in made.infolist()} == {(2026, 3, 14, 0, 0, 0)}
    first = made.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    # The build's KEPUB is the same book: every member but the package document, whose
    # dcterms:modified is the time each was built.
    built = zipfile.ZipFile(reading_build["kepub"])
    assert built.namelist() == made.namelist()
    differ = [n for n in made.namelist() if made.read(n) != built.read(n)]
    assert differ in ([], ["EPUB/content.opf"])
