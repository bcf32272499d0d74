"""HTML reader: trafilatura main-content extraction with structure kept, plus page metadata."""

from __future__ import annotations

import re
from pathlib import Path

from newsbook.errors import SourceError
from newsbook.model import Article, article_id
from newsbook.sources.meta import clean_string, parse_date, split_authors, title_from_path

_TITLE_SEPARATORS = re.compile(r"\s+[|–—:·•-]\s+")


# trafilatura's XML keeps what its HTML output loses (ordered lists, header cells):
# convert that to HTML ourselves.
_TAG_MAP = {"p": "p", "quote": "blockquote", "item": "li", "row": "tr", "lb": "br",
            "del": "del", "code": "pre", "table": "table"}
_HI_MAP = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}


def extract_body(page: str, url: str | None = None) -> str | None:
    """The article body of a page as an HTML fragment, or None when nothing was found."""
    import trafilatura
    from lxml import etree

    result = trafilatura.extract(
        page, url=url, output_format="xml", include_formatting=True, include_links=True,
        include_images=True, include_tables=True, include_comments=False, with_metadata=False,
    )
    if not result:
        return None
    main = etree.fromstring(result.encode("utf-8")).find("main")
    if main is None or not len(main) and not (main.text or "").strip():
        return None
    captions = figure_captions(page)
    for element in list(main.iter()):
        _to_html(element, captions)
    fragment = "".join(etree.tostring(child, encoding="unicode", method="html") for child in main)
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


def figure_captions(page: str) -> dict[str, str]:
    """Image source -> caption text for every <figure> with a <figcaption> in the page."""
    if "<figcaption" not in page:
        return {}
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(page)
    except Exception:  # lxml raises several kinds for odd documents; captions are optional
        return {}
    captions = {}
    for figure in root.iter("figure"):
        caption = figure.find(".//figcaption")
        img = figure.find(".//img")
        if caption is not None and img is not None and img.get("src"):
            text = " ".join(caption.text_content().split())
            if text:
                captions[img.get("src")] = text
    return captions


def page_language(page: str) -> str | None:
    """The language the page declares on its <html> element."""
    match = re.search(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)",
                      page[:5000], re.I)
    return match.group(1).replace("_", "-") if match else None


def strip_site_name(title: str, site: str | None) -> str:
    """Drop a trailing or leading ' | Site Name' from a page title."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if site:
        low = site.lower()
        if parts[-1].lower() == low or parts[-1].lower() in low:
            return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
        if parts[0].lower() == low:
            return title[len(parts[0]):].lstrip(" |–—:·•-")
    return title


_LEADING_HEADING = re.compile(r"\A\s*<h[1-3][^>]*>(.*?)</h[1-3]>\s*", re.S | re.I)


def drop_title_heading(body: str, title: str) -> str:
    """Pages repeat their title as the first heading of the article: the book prints it once."""
    match = _LEADING_HEADING.match(body)
    if not match:
        return body
    import html

    heading = " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())
    return body[match.end():] if heading.casefold() == title.casefold() else body


def read(path: Path, text: str, url: str | None = None) -> Article:
    """Read an HTML page: its main content and its metadata."""
    import trafilatura

    body = extract_body(text, url)
    if body is None:
        raise SourceError(f"{path}: no article text found in the page")
    meta = trafilatura.extract_metadata(text, default_url=url)
    site = clean_string(meta.sitename) if meta else None
    title = clean_string(meta.title) if meta else None
    if title:
        title = strip_site_name(title, site)
    authors = split_authors(meta.author.replace(";", ",")) if meta and meta.author else []
    if title:
        body = drop_title_heading(body, title)
    return Article(
        id=article_id(url or str(path), text),
        title=title or title_from_path(path),
        body=body,
        source=url or str(path),
        authors=authors,
        published=parse_date(meta.date) if meta else None,
        url=clean_string(meta.url) if meta and meta.url else url,
        site=site,
        language=page_language(text) or (meta.language if meta else None),
        summary=clean_string(meta.description) if meta else None,
        tags=[t for t in (meta.categories or []) if t] if meta else [],
    )
