"""Kobo's KEPUB (.kepub.epub): the EPUB, with the markup kepubify and Kobo's own books carry."""

from __future__ import annotations

import io
import re
import zipfile

from newsbook.clock import build_time
from newsbook.model import Issue
from newsbook.render.environment import Theme

_XHTML = "http://www.w3.org/1999/xhtml"
_OPF = "http://www.idpf.org/2007/opf"
_CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
# What kepubify adds to every document's head, by class: Kobo's own style tweak (as kepubify
# trims it: no font sizes, no link colours, margins kept), and its hyphenation limits, with
# code kept whole as well as headings and cells.
_STYLES = (
    ("kobostylehacks", "div#book-inner { margin-top: 0; margin-bottom: 0; }"),
    ("kepubify-hyphenate",
     "p, li, dd, blockquote { -webkit-hyphenate-limit-after: 3; -webkit-hyphenate-limit-before: 3;"
     " -webkit-hyphenate-limit-lines: 2; }\n"
     "h1, h2, h3, h4, h5, h6, td, th, pre, code { -webkit-hyphens: none; hyphens: none; }"),
)
# Elements whose text stays as it is (kepubify's list): no spans inside.
_KEEP = {"script", "style", "pre", "audio", "video", "svg", "math"}
# Elements that start a new paragraph number for the spans inside them.
_PARAGRAPHS = {"p", "ol", "ul", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
# Where Kobo cuts text into segments: after . ! or ? (with one closing quote or ellipsis
# after it) and the ASCII white space that follows, before the next character.
_SENTENCE_END = re.compile("[.!?][\"'”’“…]?[\t\n\f\r ]+(?=[^\t\n\f\r ])")


def build(issue: Issue, theme: Theme, pages: dict[str, str] | None = None) -> bytes:
    """The KEPUB for an issue: the EPUB builder's book, each content document kepubified."""
    from newsbook.builders import epub

    return kepubify(epub.build(issue, theme, pages=pages))


def kepubify(data: bytes) -> bytes:
    """An EPUB's bytes as a KEPUB's: every XHTML document of the manifest transformed."""
    from newsbook.builders import epub

    source = zipfile.ZipFile(io.BytesIO(data))
    changed = {name: transform(source.read(name)) for name in content_documents(source)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, changed.get(info.filename)
                            or source.read(info.filename))
    # Compressed and stamped as the EPUB builder does, for the same reproducible bytes.
    return epub.rezip(out.getvalue(), build_time())


def content_documents(book: zipfile.ZipFile) -> list[str]:
    """The zip names of the XHTML documents in the package's manifest, the nav included."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    container = etree.fromstring(book.read("META-INF/container.xml"), parser)
    opf_path = container.find(f".//{{{_CONTAINER}}}rootfile").get("full-path")
    base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
    opf = etree.fromstring(book.read(opf_path), parser)
    return [base + item.get("href") for item in opf.iter(f"{{{_OPF}}}item")
            if item.get("media-type") == "application/xhtml+xml"]


def transform(document: bytes) -> bytes:
    """One XHTML document as kepubify writes it: Kobo's styles in the head, the body wrapped
    in div#book-columns > div#book-inner, its text in span.koboSpan#kobo.P.S segments."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(document, parser)
    head, body = root.find(f"{{{_XHTML}}}head"), root.find(f"{{{_XHTML}}}body")
    if head is None or body is None or body.find(f".//{{{_XHTML}}}span[@class='koboSpan']") \
            is not None:
        return document  # not a document kepubify would change, or one it changed already
    for name, css in _STYLES:
        style = etree.SubElement(head, f"{{{_XHTML}}}style", {"type": "text/css", "class": name})
        style.text = css
        style.tail = "\n"
    _wrap_body(body)
    _Spans().walk(body)
    # The declaration as the EPUB builder's documents have it (Kindle and Kobo read it).
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(
        root.getroottree(), encoding="utf-8", xml_declaration=False)


def _wrap_body(body) -> None:
    """The body's content moved into div#book-columns > div#book-inner (Kobo paginates those)."""
    from lxml import etree

    columns = etree.Element(f"{{{_XHTML}}}div", {"id": "book-columns"})
    inner = etree.SubElement(columns, f"{{{_XHTML}}}div", {"id": "book-inner"})
    inner.text, body.text = body.text, None
    for child in list(body):
        inner.append(child)  # moves it, with its tail
    body.append(columns)


def split_sentences(text: str) -> list[str]:
    """Text cut where Kobo cuts it into segments; the pieces join back to the text."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start:match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]


class _Spans:
    """kepubify's span pass: numbers paragraphs and segments in document order."""

    def __init__(self) -> None:
        self.para = 0
        self.seg = 0
        self.new_para = False

    def _span(self, child=None, text: str | None = None):
        from lxml import etree

        self.seg += 1
        span = etree.Element(f"{{{_XHTML}}}span",
                             {"class": "koboSpan", "id": f"kobo.{self.para}.{self.seg}"})
        span.text = text
        if child is not None:
            span.append(child)
        return span

    def _text(self, parent, text: str) -> tuple[str | None, list]:
        """Text under `parent` as spans (white space stays text, except right inside a <p>)."""
        lead: str | None = None
        spans: list = []
        in_p = _local(parent) == "p"
        for piece in split_sentences(text):
            if piece.isspace() and not in_p:
                if spans:
                    spans[-1].tail = (spans[-1].tail or "") + piece
                else:
                    lead = (lead or "") + piece
                continue
            if self.new_para:
                self.para, self.seg, self.new_para = self.para + 1, 0, False
            spans.append(self._span(text=piece))
        return lead, spans

    def walk(self, element) -> None:
        """Give the text inside `element` (not its tail) spans, depth first."""
        children = list(element)  # before the spans go in: they are not walked again
        if element.text:
            element.text, spans = self._text(element, element.text)
            for index, span in enumerate(spans):
                element.insert(index, span)
        for child in children:
            after = child
            if isinstance(child.tag, str):
                name = _local(child)
                if name == "img":
                    # An image is a paragraph of its own, its one segment a span around it.
                    self.para, self.seg, self.new_para = self.para + 1, 0, False
                    tail, child.tail = child.tail, None
                    after = self._span()
                    element.replace(child, after)
                    after.append(child)
                    after.tail = tail
                elif name not in _KEEP:
                    if name in _PARAGRAPHS:
                        self.new_para = True
                    self.walk(child)
            if after.tail:
                after.tail, spans = self._text(element, after.tail)
                position = element.index(after) + 1
                for offset, span in enumerate(spans):
                    element.insert(position + offset, span)


def _local(element) -> str:
    """An element's name without its namespace."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
