"""HTML reader: trafilatura main-content extraction with structure kept, plus page metadata."""

from __future__ import annotations

import re
from pathlib import Path

from newsbook.errors import SourceError
from newsbook.model import Article, article_id
from newsbook.sources import pagemeta
from newsbook.sources.meta import parse_date, title_from_path

# trafilatura's XML keeps what its HTML output loses (ordered lists, header cells):
# convert that to HTML ourselves.
_TAG_MAP = {"p": "p", "div": "div", "quote": "blockquote", "item": "li", "row": "tr", "lb": "br",
            "del": "del", "code": "pre", "table": "table"}
_HI_MAP = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}


def extract_body(page, url: str | None = None) -> str | None:
    """The article body of a page (HTML text or parsed tree) as an HTML fragment, or None."""
    import trafilatura

    tree = page if not isinstance(page, str) else trafilatura.load_html(page)
    if tree is None:
        return None
    return _body_from_xml(_extract_xml(tree, url, with_metadata=False), figure_captions(tree, url))


def _extract_xml(tree, url: str | None, with_metadata: bool):
    """trafilatura's XML for a parsed page: <doc> (metadata attributes) holding <main>."""
    import trafilatura
    from lxml import etree

    # trafilatura copies a tree it is given, so ours stays intact for the metadata signals.
    result = trafilatura.extract(
        tree, url=url, output_format="xml", include_formatting=True, include_links=True,
        include_images=True, include_tables=True, include_comments=False,
        with_metadata=with_metadata,
    )
    return etree.fromstring(result.encode("utf-8")) if result else None


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
        if name not in ("href", "src", "alt"):
            del el.attrib[name]


def figure_captions(tree, base: str | None = None) -> dict[str, str]:
    """Image source -> caption text for every <figure> with a <figcaption> in a parsed page."""
    from urllib.parse import urljoin

    captions = {}
    for figure in tree.iter("figure"):
        caption = figure.find(".//figcaption")
        img = figure.find(".//img")
        if caption is not None and img is not None and img.get("src"):
            text = " ".join(caption.text_content().split())
            if text:
                captions[img.get("src")] = text
                if base:  # trafilatura makes image sources absolute when it knows the page URL
                    captions[urljoin(base, img.get("src"))] = text
    return captions


# A dateline-and-byline line: "By Jane Doe", "05/10/2018 - Publicado por: Jane Doe - ...".
_BYLINE_LINE = re.compile(r"^(?:[\d/.:\s-]{6,}[-–|·,]\s*)?(?:(?:written|posted|published|publicado|"
                          r"publié|veröffentlicht)\s+)?(?:by|por|par|von|door|di|af|av)\b", re.IGNORECASE)
_URL_ONLY = re.compile(r"\s*(?:https?://|www\.)\S+\s*\Z")


def trim_lead(main, title: str | None) -> None:
    """Drop the page's own title heading, the chrome before it, and a byline line after it.

    The book prints title and byline from the metadata; what an extractor keeps above the
    headline (logos, a print URL, a kicker) is page furniture.
    """
    from newsbook.sources.pagemeta import norm

    while len(main) == 1 and main[0].tag == "div" and not (main.text or "").strip():
        main = main[0]  # the article is wrapped: its lead is inside
    children = list(main)
    target = norm(title)
    for index, child in enumerate(children[:6]):
        if child.tag in ("head", "p") and target and norm("".join(child.itertext())) == target:
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
    for element in main.iter():
        for attr in ("text", "tail"):
            value = getattr(element, attr)
            if value and _URL_ONLY.match(value) and (attr == "tail" or element is main):
                setattr(element, attr, None)


def guess_date(tree, url: str | None = None):
    """htmldate's guess at the publication date of a parsed page, or None."""
    from htmldate import find_date

    try:
        # No extensive search: its free-text guesses load dateparser (seconds per run)
        # and are often wrong (a copyright year, today's date).
        found = find_date(tree, url=url, original_date=True, extensive_search=False)
    except (ValueError, TypeError, OverflowError):  # a heuristic fallback: failure is no date
        return None
    return parse_date(found) if found else None


def read(path: Path, text: str, url: str | None = None) -> Article:
    """Read an HTML page: its main content and its metadata, from one parse of the page."""
    import trafilatura

    tree = trafilatura.load_html(text)
    if tree is None:
        raise SourceError(f"{path}: not an HTML page")
    signals = pagemeta.collect(tree)
    captions = figure_captions(tree, url)
    # trafilatura's own metadata pass costs a third of its time and reads the same signals
    # we already have: skip it, and ask htmldate only when the page states no date.
    doc = _extract_xml(tree, url, with_metadata=False)
    meta = pagemeta.reconcile(signals, url)
    if meta.published is None:
        meta.published = guess_date(tree, url)
    if doc is not None and doc.find("main") is not None:
        trim_lead(doc.find("main"), meta.title)
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
