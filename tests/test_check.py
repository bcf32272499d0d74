"""newsbook check: epubcheck on EPUBs (when Java is there), structure and fonts of PDFs."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import inaccessible_copy, run_cli
from newsbook.builders.ace import Ace, find_ace
from newsbook.builders.check import (
    FAILED,
    OK,
    UNCHECKED,
    Epubcheck,
    check_files,
    find_epubcheck,
    summary,
)

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="epubcheck needs Java")
NO_ACE = Ace(None, None, None)  # the epubcheck tests leave Ace to its own tests


def _without(epub: Path, target: Path, suffix: str) -> Path:
    """A copy of an EPUB without the first member whose name ends with `suffix`."""
    with zipfile.ZipFile(epub) as src, zipfile.ZipFile(target, "w") as dst:
        dropped = next(n for n in src.namelist() if n.endswith(suffix))
        for info in src.infolist():
            if info.filename != dropped:
                dst.writestr(info, src.read(info.filename))
    return target


def _pdf_with_unembedded_font(path: Path) -> Path:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    writer.add_metadata({"/Title": "Plain"})
    with path.open("wb") as out:
        writer.write(out)
    return path


@needs_java
def test_valid_and_invalid_epub(basic_build, tmp_path):
    _, epub, _ = basic_build
    broken = _without(epub, tmp_path / "missing-image.epub", ".png")
    good, bad = check_files([epub, broken], ace=NO_ACE)
    assert good.status == OK and good.problems == [], good.problems
    assert good.details["epubcheck"]["errors"] == 0
    assert bad.status == FAILED
    assert any(p.startswith("RSC-001") for p in bad.problems), bad.problems  # file not found


def test_epub_that_is_not_a_zip_fails_without_java(tmp_path):
    fake = tmp_path / "fake.epub"
    fake.write_bytes(b"not a zip at all")
    result, = check_files([fake], Epubcheck(java=None, jar=None), ace=NO_ACE)
    assert result.status == FAILED and "not a ZIP archive" in result.problems[0]


def test_without_java_an_epub_is_reported_unchecked(basic_build, tmp_path):
    _, epub, _ = basic_build
    result, = check_files([epub], Epubcheck(java=None, jar=find_epubcheck().jar), ace=NO_ACE)
    assert result.status == UNCHECKED
    assert result.warnings == [result.warnings[0]] and "no Java runtime" in result.warnings[0]
    assert result.details["title"]  # the structural check ran


def test_cli_without_java_says_so_with_its_own_exit_code(basic_build, tmp_path):
    _, epub, pdf = basic_build
    result = run_cli("check", str(epub), str(pdf), cwd=tmp_path,
                     env={"PATH": str(tmp_path), "JAVA_HOME": ""})
    assert result.returncode == 69, result.stderr
    assert "no Java runtime found" in result.stderr
    # no Node either: Ace is skipped, in one line
    skipped = [line for line in result.stderr.splitlines() if "Ace skipped" in line]
    assert len(skipped) == 1 and "Ace by DAISY" in skipped[0]
    assert result.stdout.splitlines()[0].startswith("UNCHECKED")


@needs_java
@pytest.mark.skipif(find_ace().missing is not None, reason=find_ace().missing or "")
def test_ace_violations_fail_an_epub(basic_build, tmp_path):
    _, epub, _ = basic_build
    faulty = inaccessible_copy(epub, tmp_path / "faulty.epub")
    good, bad = check_files([epub, faulty])
    assert good.status == OK and good.details["ace"] == {"violations": 0}, good.problems
    assert bad.status == FAILED and bad.details["epubcheck"]["errors"] == 0
    assert any(p.startswith("Ace epub-lang (serious) in EPUB/content.opf") for p in bad.problems)
    assert any(p.startswith("Ace epub-type-has-matching-role (moderate)") for p in bad.problems)


@needs_java
def test_cli_says_when_ace_is_not_installed(basic_build, tmp_path):
    _, epub, _ = basic_build
    result = run_cli("check", str(epub), cwd=tmp_path, env={"NEWSBOOK_ACE_DIR": ""})
    lines = [line for line in result.stderr.splitlines() if "Ace" in line]
    assert lines == ["newsbook: Ace skipped, accessibility not checked: Ace by DAISY is not "
                     "installed (make test installs it: scripts/ace.sh)"]
    assert result.stdout.startswith("OK ") and "Ace:" not in result.stdout


def test_good_pdf(basic_build):
    from pypdf import PdfReader

    _, _, pdf = basic_build
    result, = check_files([pdf])
    assert result.status == OK, result.problems
    reader = PdfReader(pdf)
    assert result.details["pages"] == len(reader.pages)
    assert result.details["title"] == reader.metadata.title
    assert result.details["outline"] > 0 and result.details["fonts"] > 0
    assert result.details["tagged"] is True and result.details["language"] == "en"
    assert result.details["figures_without_alt"] == 0
    assert "tagged, language en" in summary(result)


def test_broken_and_unembedded_pdfs(basic_build, tmp_path):
    _, _, pdf = basic_build
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    plain = _pdf_with_unembedded_font(tmp_path / "plain.pdf")
    broken, unembedded = check_files([garbage, plain])
    assert broken.status == FAILED and broken.problems[0].startswith("not a readable PDF")
    assert unembedded.status == FAILED
    assert unembedded.problems == ["font Helvetica is not embedded"]
    assert "no outline (bookmarks)" in unembedded.warnings
    assert "no author in the metadata" in unembedded.warnings
    assert unembedded.details["tagged"] is False and unembedded.details["language"] is None
    assert [w for w in unembedded.warnings if w.startswith(("not tagged", "no document language"))] \
        == ["not tagged: screen readers get no headings, lists or alt text",
            "no document language (/Lang)"]


def test_strict_fails_on_warnings(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Title": "No author"})
    path = tmp_path / "blank.pdf"
    with path.open("wb") as out:
        writer.write(out)
    assert check_files([path])[0].status == OK
    assert check_files([path], strict=True)[0].status == FAILED


def test_cli_json_and_missing_file(basic_build, tmp_path):
    _, _, pdf = basic_build
    result = run_cli("check", str(pdf), str(tmp_path / "nope.epub"), "--json", cwd=tmp_path)
    assert result.returncode == 1
    verdicts = json.loads(result.stdout)
    assert [v["status"] for v in verdicts] == ["ok", "failed"]
    assert verdicts[1]["problems"] == ["no such file"]
    assert verdicts[0]["details"]["pages"] > 0
    result = run_cli("check", str(pdf), cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("OK ")


def test_pdf_figure_without_alt_text_is_a_warning(tmp_path):
    from datetime import date
    from io import BytesIO

    from PIL import Image as PILImage

    from newsbook.builders import pdf as pdf_builder
    from newsbook.model import Article, Image, Issue, Section
    from newsbook.render.environment import Theme

    png = BytesIO()
    PILImage.new("RGB", (40, 20), (200, 30, 30)).save(png, "PNG")
    image = Image(key="images/red.png", media_type="image/png", data=png.getvalue())
    article = Article(id="a1", title="Red", source="1.md", images=[image],
                      body='<p><img src="images/red.png" alt=""/></p>'
                           '<p><img src="images/red.png" alt="A red band"/></p>')
    issue = Issue(title="Colours", date=date(2026, 3, 14), language="en", identifier="urn:x",
                  sections=[Section("One", [article], id="s1")])
    path = tmp_path / "colours.pdf"
    path.write_bytes(pdf_builder.build(issue, Theme()))
    result, = check_files([path])
    assert result.details["tagged"] is True and result.details["figures_without_alt"] == 1
    assert "1 figure without alternative text" in result.warnings


def test_the_html_page_a_build_writes_passes(basic_build, tmp_path):
    from newsbook.builders import html as html_builder
    from newsbook.render.environment import Theme

    report, _epub, _pdf = basic_build
    page = tmp_path / "issue.html"
    page.write_bytes(html_builder.build(report.issue, Theme()))
    result = run_cli("check", str(page), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK ") and "self-contained" in result.stdout
    verdict = check_files([page])[0]
    assert verdict.kind == "html" and verdict.problems == []
    assert verdict.details == {"title": "Test Gazette — No. 7, March 14, 2026", "language": "en"}


def test_html_that_is_malformed_or_loads_from_outside_fails(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><title>t</title>'
                    '<link rel="stylesheet" href="https://cdn.example/x.css">'
                    '<style>body { background: url(/etc/x.png) }</style></head>'
                    '<body><p>a<td/>b <img src="http://e.org/a.png" alt="">'
                    '<a href="https://e.org/story">a link is not a resource</a></body></html>')
    verdict = check_files([page])[0]
    assert verdict.status == FAILED
    loads = [p for p in verdict.problems if p.startswith("not self-contained")]
    assert loads == ["not self-contained: it loads https://cdn.example/x.css",
                     "not self-contained: it loads /etc/x.png",
                     "not self-contained: it loads http://e.org/a.png"]
    assert any("td" in p for p in verdict.problems if p.startswith("not well-formed HTML"))
    assert verdict.warnings == ["no lang on <html>"]
    latin1 = tmp_path / "latin1.html"
    latin1.write_bytes("<!DOCTYPE html><title>caf\u00e9</title>".encode("latin-1"))
    assert check_files([latin1])[0].problems == ["not UTF-8 text"]
    other = tmp_path / "notes.txt"
    other.write_text("x")
    assert check_files([other])[0].problems == ["not an EPUB, PDF or HTML file (by its extension)"]
