"""HTML reader: trafilatura main-content extraction with structure kept, plus page metadata."""

from __future__ import annotations

import re
from pathlib import Path

from newsbook.model import Article, article_id
from newsbook.model.errors import SourceError
from newsbook.sources.meta import parse_date, title_from_path
from newsbook.sources.page import captions as caption_rules
from newsbook.sources.page import chunks, embeds, figures
from newsbook.sources.page import pagemeta, substance
from newsbook.sources.page.headline import same_headline
from newsbook.sources.page.promos import drop_promos, drop_trailing_calls, drop_trailing_widgets
from newsbook.sources.page.restore import restore

# trafilatura's XML keeps what its HTML output loses (ordered lists, header cells):
# convert that to HTML ourselves.
_TAG_MAP = {"p": "p", "div": "div", "quote": "blockquote", "item": "li", "row": "tr", "lb": "br",
            "del": "del", "code": "pre", "table": "table"}
_HI_MAP = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}


class ExtractionFailed(Exception):
    """trafilatura (or the XML it gave) failed on a hostile page; the message says how."""


# An attribute name XML accepts (the HTML parser also keeps "0", "a<b", '"x"' as names,
# which trafilatura then serializes into XML it cannot parse back).
_XML_NAME = re.compile(r"[^\W\d][\w.-]*")


def _extract_xml(tree, url: str | None, with_metadata: bool):
    """trafilatura's XML for a parsed page: <doc> (metadata attributes) holding <main>."""
    import trafilatura
    from lxml import etree

    for element in tree.iter():
        if isinstance(element.tag, str):
            for name in [n for n in element.attrib if not _XML_NAME.fullmatch(n)]:
                del element.attrib[name]
    # trafilatura copies a tree it is given, so ours stays intact for the metadata signals.
    try:
        result = trafilatura.extract(
            tree, url=url, output_format="xml", include_formatting=True, include_links=True,
            include_images=True, include_tables=True, include_comments=False,
            with_metadata=with_metadata,
        )
        return etree.fromstring(result.encode("utf-8")) if result else None
    except RecursionError:
        raise ExtractionFailed("elements nested too deeply") from None
    except Exception as exc:  # noqa: BLE001  a heuristic extractor's bug on a hostile page
        raise ExtractionFailed(f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}") from None


def _body_from_xml(doc, captions: dict[str, str]) -> str | None:
    """Our HTML fragment for the <main> of trafilatura's XML."""
    from lxml import etree

    main = doc.find("main") if doc is not None else None
    if main is None or not len(main) and not (main.text or "").strip():
        return None
    for element in list(main.iter()):
        _to_html(element, captions)
    fragment = (main.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in main)
    return fragment if fragment.strip() else None


def _to_html(el, captions: dict[str, str]) -> None:
    """Rename one trafilatura XML element to its HTML counterpart, in place."""
    from lxml import etree

    tag = el.tag
    if tag == "head":
        rend = el.get("rend", "h2")
        el.tag = rend if rend in ("h1", "h2", "h3", "h4", "h5", "h6") else "h2"
    elif tag == "list":
        el.tag = "ol" if el.get("rend") == "ol" else "ul"
    elif tag == "cell":
        el.tag = "th" if el.get("role") == "head" else "td"
    elif tag == "hi":
        el.tag = _HI_MAP.get(el.get("rend", ""), "em")
    elif tag == "ref":
        el.tag = "a"
        if el.get("target"):
            el.set("href", el.get("target"))
    elif tag == "graphic":
        el.tag = "img"
        if (el.text or "").strip():
            # trafilatura sometimes nests the text beside an image in it: an <img> holds none.
            el.tail, el.text = el.text + (el.tail or ""), None
        caption = captions.get(el.get("src", ""))
        if caption:
            figure = etree.Element("figure")
            figure.tail, el.tail = el.tail, None
            el.addprevious(figure)
            figure.append(el)
            etree.SubElement(figure, "figcaption").text = caption
    elif tag in _TAG_MAP:
        el.tag = _TAG_MAP[tag]
    else:
        el.tag = "span"
    for name in list(el.attrib):
        # ids and a code block's class are ours, put back by page/restore.py.
        if name not in ("href", "src", "alt", "id") and not (name == "class" and tag == "code"):
            del el.attrib[name]


# A dateline-and-byline line: "By Jane Doe", "05/10/2018 - Publicado por: Jane Doe - ...".
_BYLINE_LINE = re.compile(r"^(?:[\d/.:\s-]{6,}[-–|·,]\s*)?(?:(?:written|posted|published|publicado|"
                          r"publié|veröffentlicht)\s+)?(?:by|por|par|von|door|di|af|av)\b", re.IGNORECASE)
_URL_ONLY = re.compile(r"\s*(?:https?://|www\.)\S+\s*\Z")


def trim_lead(main, title: str | None) -> None:
    """Drop the page's own title heading, the chrome before it, and a byline line after it.

    The book prints title and byline from the metadata; what an extractor keeps above the
    headline (logos, a print URL, a kicker) is page furniture.
    """
    from newsbook.sources.page.signals import norm

    while len(main) == 1 and main[0].tag == "div" and not (main.text or "").strip():
        main = main[0]  # the article is wrapped: its lead is inside
    children = list(main)
    target = norm(title)
    for index, child in enumerate(children[:6]):
        text = "".join(child.itertext())
        if target and (child.tag in ("head", "p") and norm(text) == target or child.tag == "head"
                       and child.get("rend", "h2") in ("h1", "h2") and same_headline(text, title)):
            before = (main.text or "") + "".join(
                "".join(c.itertext()) + (c.tail or "") for c in children[:index])
            if len(before.strip()) < 300:
                for gone in children[:index + 1]:
                    main.remove(gone)
                main.text = None
            break
    for child in list(main)[:3]:
        text = " ".join("".join(child.itertext()).split())
        if child.tag in ("p", "list", "head") and 0 < len(text) <= 150 and _BYLINE_LINE.match(text):
            tail = child.tail
            main.remove(child)
            if tail and tail.strip():
                main.text = (main.text or "") + tail
            break
    else:
        _trim_loose_byline(main)
    for element in main.iter():
        for attr in ("text", "tail"):
            value = getattr(element, attr)
            if value and _URL_ONLY.match(value) and (attr == "tail" or element is main):
                setattr(element, attr, None)


_INLINE = {"hi", "ref", "lb", "span"}


def _trim_loose_byline(main) -> None:
    """Drop a byline line that opens the body as loose text, outside any paragraph:
    "<b>05/10/2018</b> - Published by: Jane Doe - Category: <a>Health</a>"."""
    run = []
    for child in main:
        if child.tag not in _INLINE:
            break
        run.append(child)
    text = " ".join(((main.text or "") + "".join(
        "".join(c.itertext()) + (c.tail or "") for c in run)).split())
    if not text or len(text) > 150 or not _BYLINE_LINE.match(text):
        return
    main.text = None
    for child in run:
        main.remove(child)


def guess_date(tree, url: str | None = None):
    """htmldate's guess at the publication date of a parsed page, or None."""
    from htmldate import find_date

    try:
        # No extensive search: its free-text guesses load dateparser (seconds per run)
        # and are often wrong (a copyright year, today's date).
        found = find_date(tree, url=url, original_date=True, extensive_search=False)
        if not found:
            found = find_date(tree, url=url, original_date=True, extensive_search=True)
    except Exception:  # noqa: BLE001  a heuristic fallback: any failure is no date
        # (htmldate raises ValueError, OverflowError, even AssertionError from lxml's
        # drop_tree on pages whose root is not <html>)
        return None
    return parse_date(found) if found else None


# Limits that keep hostile pages from taking quadratic time in trafilatura (and in our own
# ancestor walks): no real page nests elements this deep, and textless table cells cost
# trafilatura a walk of their whole row each ("padding cell" check), which is quadratic in
# rows of thousands of empty cells or in cells nested in cells.
MAX_DEPTH = 256
_CELL_WORK = 2_000_000


def tame(tree) -> None:
    """Flatten elements nested deeper than MAX_DEPTH and, when they would cost trafilatura
    too much, drop textless table cells; text is kept either way. Changes the tree in place."""
    depth: dict = {}
    too_deep = []
    for el in tree.iter():
        parent = el.getparent()
        depth[el] = depth.get(parent, 0) + 1 if el is not tree else 0
        if depth[el] > MAX_DEPTH and isinstance(el.tag, str):
            too_deep.append(el)
    for el in reversed(too_deep):  # innermost first: each moves its content up one level
        el.drop_tag()
    elements = list(tree.iter())
    size = dict.fromkeys(elements, 1)
    has_text: dict = {}
    for el in reversed(elements):  # children before parents
        has_text[el] = bool((el.text or "").strip()) if isinstance(el.tag, str) else False
        has_text[el] = has_text[el] or any(has_text[c] or (c.tail or "").strip() for c in el)
        parent = el.getparent()
        if parent in size:  # (the tree given may be a subtree: its parent is not counted)
            size[parent] += size[el]
    empty_cells = [el for el in elements if el.tag in ("td", "th") and not has_text[el]]
    work = sum(size.get(el.getparent(), 0) for el in empty_cells)
    if work > _CELL_WORK:
        for el in empty_cells:
            if el.getparent() is not None:
                el.drop_tree()  # its tail stays


def _whole_of_chunked(tree, doc, url: str | None):
    """The extraction again, with the body's continuation chunks merged, when it has some."""
    main = doc.find("main") if doc is not None else None
    if main is None:
        return doc
    paragraphs = [" ".join("".join(p.itertext()).split()) for p in main.iter("p")]
    found = chunks.continuation(tree, paragraphs)
    if found is None:
        return doc
    chunks.merge(*found)
    try:
        whole = _extract_xml(tree, url, with_metadata=False)
    except ExtractionFailed:
        return doc
    length = len("".join(main.itertext()))
    whole_main = whole.find("main") if whole is not None else None
    # The merged page must give more text, not a different pick of the extractor's.
    if whole_main is None or len("".join(whole_main.itertext())) <= length:
        return doc
    return whole


def read(path: Path, text: str, url: str | None = None) -> Article:
    """Read an HTML page: its main content and its metadata, from one parse of the page."""
    import trafilatura

    tree = trafilatura.load_html(text)
    if tree is None:
        raise SourceError(f"{path}: not an HTML page")
    tame(tree)
    signals = pagemeta.collect(tree)
    found = figures.image_captions(tree, url)
    captions = found.by_source
    caption_texts = caption_rules.caption_texts(tree, found.texts)
    embeds.lift(tree)
    # trafilatura's own metadata pass costs a third of its time and reads the same signals
    # we already have: skip it, and ask htmldate only when the page states no date.
    try:
        doc = _extract_xml(tree, url, with_metadata=False)
    except ExtractionFailed as exc:
        raise SourceError(f"{path}: no article text could be extracted ({exc})") from None
    doc = _whole_of_chunked(tree, doc, url)
    meta = pagemeta.reconcile(signals, url)
    refused = substance.refusal(tree, doc.find("main") if doc is not None else None, meta.title)
    if refused:
        raise SourceError(f"{path}: {refused}")
    if meta.published is None:
        meta.published = guess_date(tree, url)
    if doc is not None and doc.find("main") is not None:
        trim_lead(doc.find("main"), meta.title)
        caption_rules.attach(doc.find("main"), caption_texts, captions)
        drop_promos(doc.find("main"))
        drop_trailing_calls(doc.find("main"))
        drop_trailing_widgets(doc.find("main"))
        restore(tree, doc.find("main"))
    body = _body_from_xml(doc, captions)
    if body is None:
        raise SourceError(f"{path}: no article text found in the page")
    return Article(
        id=article_id(url or str(path), text),
        title=meta.title or title_from_path(path),
        body=body,
        source=url or str(path),
        authors=meta.authors,
        published=meta.published,
        url=meta.url or url,
        site=meta.site,
        language=meta.language,
        summary=meta.description,
        tags=meta.tags,
    )
