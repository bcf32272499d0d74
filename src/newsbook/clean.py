"""Sanitize article bodies into well-formed XHTML fragments and collect their images."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsbook.model import Article, Image

# HTML5 elements that are valid in EPUB 3 content documents and make sense in an article.
ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "dir"},
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},  # class: see allowed_classes in sanitize()
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "col": {"span"},
    "colgroup": {"span"},
}
_NUMERIC_ATTRIBUTES = {"colspan", "rowspan", "start", "value", "span"}
# Content of these is dropped entirely, not just the tags.
_DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "embed",
                      "svg", "math", "form", "select", "textarea", "button", "head", "title"}
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ALIGN = re.compile(r"text-align\s*:\s*(right|center)", re.I)
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-url")
_ID_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")

MAX_IMAGE_SIDE = 1600
MAX_IMAGE_PIXELS = 50_000_000

Resolver = Callable[[str, Article], bytes]


class ImageRefused(Exception):
    """An image reference that must not or cannot be embedded."""


def local_resolver(roots: list[Path]) -> Resolver:
    """Resolve relative image paths against the article's own folder, inside the given roots."""
    allowed = [root.resolve() for root in roots]

    def resolve(src: str, article: Article) -> bytes:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            raise ImageRefused(f"remote image not fetched: {src}")
        base = Path(article.source).resolve().parent
        target = (base / unquote(parts.path)).resolve()
        if not any(target.is_relative_to(root) for root in allowed):
            raise ImageRefused(f"image outside the project: {src}")
        try:
            return target.read_bytes()
        except OSError as exc:
            raise ImageRefused(f"cannot read image {src}: {exc.strerror}") from None

    return resolve


def image_urls(article: Article) -> list[str]:
    """The http(s) images an article shows, as absolute URLs, for fetching before cleaning."""
    from lxml import html as lxml_html

    if "<img" not in article.body.lower():
        return []
    root = lxml_html.fragment_fromstring(_INVALID_XML.sub("", article.body), create_parent="div")
    _prepare(root)
    urls = []
    for img in root.iter("img"):
        url = absolute_image_url(img.get("src", ""), article)
        if url:
            urls.append(url)
    return list(dict.fromkeys(urls))


def absolute_image_url(src: str, article: Article) -> str | None:
    """An image reference made absolute against the article's page; None when it is local."""
    from urllib.parse import urljoin

    src = src.strip()
    # Relative references resolve against the page as fetched, not its canonical URL.
    base = article.source if article.source.startswith(("http://", "https://")) else None
    url = urljoin(base, src) if base else src
    return url if url.startswith(("http://", "https://")) else None


def web_resolver(fetched: dict[str, bytes | Exception], local: Resolver | None) -> Resolver:
    """Images fetched beforehand (by URL), local files through `local` for local articles."""

    def resolve(src: str, article: Article) -> bytes:
        url = absolute_image_url(src, article)
        if url is None:
            if local is None or article.source.startswith(("http://", "https://")):
                raise ImageRefused(f"image not embedded: {src}")
            return local(src, article)
        result = fetched.get(url)
        if result is None:
            raise ImageRefused(f"remote image not fetched: {url}")
        if isinstance(result, Exception):
            raise ImageRefused(f"image {result}")
        return result

    return resolve


def normalize_image(data: bytes, alt: str = "", max_side: int = MAX_IMAGE_SIDE) -> Image:
    """An Image that e-readers show: JPEG or PNG, at most max_side pixels, named by content hash."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise ImageRefused(f"image too large ({img.width}×{img.height} pixels)")
            keep = (img.format in ("JPEG", "PNG") and max(img.size) <= max_side
                    and img.mode in ("RGB", "RGBA", "L", "LA", "P", "1"))
            if keep:
                fmt = img.format
                out = data
            else:
                img.seek(0)  # animated images: the first frame
                frame = img.convert("RGBA")
                frame.thumbnail((max_side, max_side), PILImage.LANCZOS)
                has_alpha = frame.getextrema()[3][0] < 255
                buffer = io.BytesIO()
                if has_alpha:
                    fmt = "PNG"
                    frame.save(buffer, "PNG", optimize=True)
                else:
                    fmt = "JPEG"
                    frame.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
                out = buffer.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, PILImage.DecompressionBombError) as exc:
        raise ImageRefused(f"not a readable image ({exc.__class__.__name__})") from None
    ext, media_type = ("jpg", "image/jpeg") if fmt == "JPEG" else ("png", "image/png")
    key = f"images/{hashlib.sha256(out).hexdigest()[:16]}.{ext}"
    return Image(key=key, media_type=media_type, data=out, alt=alt)


def sanitize(fragment: str) -> str:
    """nh3 with an EPUB-safe HTML5 allowlist: no scripts, styles, handlers, forms or frames."""
    import nh3

    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        allowed_classes={"td": {"align-right", "align-center"},
                         "th": {"align-right", "align-center"}},
        link_rel=None,
        strip_comments=True,
    )


def clean_article(article: Article, resolve: Resolver | None = None,
                  max_side: int = MAX_IMAGE_SIDE) -> tuple[Article, list[str]]:
    """Sanitize an article's body to XHTML and embed its images; returns warnings too."""
    from lxml import html as lxml_html

    warnings: list[str] = []
    body = _INVALID_XML.sub("", article.body)
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    _prepare(root)
    root = lxml_html.fragment_fromstring(sanitize(_inner(root, "html")), create_parent="div")
    images: dict[str, Image] = {}
    for img in list(root.iter("img")):
        src = (img.get("src") or "").strip()
        alt = " ".join((img.get("alt") or "").split())
        try:
            if not src:
                raise ImageRefused("image without a source")
            if resolve is None:
                raise ImageRefused(f"image not embedded: {src}")
            image = normalize_image(resolve(src, article), alt, max_side)
        except ImageRefused as exc:
            warnings.append(f"{article.source}: {exc}")
            _drop(img)
            continue
        images.setdefault(image.key, image)
        img.set("src", image.key)
        img.set("alt", alt)
    for heading in root.iter("h1"):
        heading.tag = "h2"  # the article title is the document's only h1
    _fix_attributes(root)
    _prefix_ids(root, article.id)
    _drop_empty(root)
    body = _inner(root, "xml")
    if not body.strip():
        body = "<p></p>"
    return replace(article, body=body, images=list(images.values())), warnings


def _inner(root, method: str) -> str:
    """The serialized content of an element, without the element itself."""
    from lxml import etree

    text = root.text or ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text + "".join(etree.tostring(child, encoding="unicode", method=method)
                          for child in root)


def _prepare(root) -> None:
    """What the sanitizer would lose: lazy-loaded image URLs, table cell alignment."""
    for img in root.iter("img"):
        src = img.get("src", "")
        if src and not src.startswith("data:"):
            continue
        # Lazy-loading pages keep the real URL in data-src or srcset.
        for attr in _LAZY_SRC:
            if img.get(attr):
                img.set("src", img.get(attr))
                break
        else:
            srcset = img.get("srcset", "")
            if srcset:
                img.set("src", srcset.split(",")[0].strip().split(" ")[0])
    for cell in root.iter("td", "th"):
        match = _ALIGN.search(cell.get("style", ""))
        if match:
            cell.set("class", f"align-{match.group(1).lower()}")


def _drop(element) -> None:
    """Remove an element, keeping its tail text; a figure left without an image goes too."""
    parent = element.getparent()
    if parent is None:
        return
    if parent.tag in ("figure", "a") and len(parent) == 1 and not (parent.text or "").strip():
        _drop(parent) if parent.tag == "a" else parent.remove(element)
        return
    element.drop_tree()


def _fix_attributes(root) -> None:
    for el in root.iter():
        for name in list(el.attrib):
            value = el.attrib[name]
            if name in _NUMERIC_ATTRIBUTES and not (value.strip().isdigit() and int(value) > 0):
                del el.attrib[name]
            elif name == "scope" and value not in ("row", "col", "rowgroup", "colgroup"):
                del el.attrib[name]
            elif name == "class" and not value.strip():
                del el.attrib[name]
            elif name == "dir" and value not in ("ltr", "rtl", "auto"):
                del el.attrib[name]
            elif name == "reversed":
                el.set("reversed", "reversed")


def _prefix_ids(root, prefix: str) -> None:
    """Give ids a per-article prefix so they are unique in the book, and keep #links matching."""
    mapping: dict[str, str] = {}
    for el in root.iter():
        old = el.get("id")
        if old is None:
            continue
        new = f"{prefix}-{_ID_CHARS.sub('-', old.strip()).strip('-') or 'x'}"
        while new in mapping.values():
            new += "-"
        if old in mapping:  # a duplicate id: the first one keeps it
            del el.attrib["id"]
            continue
        mapping[old] = new
        el.set("id", new)
    for link in root.iter("a"):
        href = link.get("href")
        if href is None or not href.startswith("#"):
            continue
        target = mapping.get(unquote(href[1:]))
        if target:
            link.set("href", "#" + target)
        else:
            del link.attrib["href"]  # a fragment link that resolves nowhere is an epubcheck error


def _drop_empty(root) -> None:
    """Empty links and list/table wrappers left behind by the sanitizer."""
    for el in list(root.iter("ul", "ol", "dl", "table", "tbody", "thead", "tfoot", "tr",
                             "figure")):
        if len(el) == 0 and not (el.text or "").strip() and el.getparent() is not None:
            el.drop_tree()


_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "dt", "dd",
           "figcaption", "caption", "div", "table", "ul", "ol", "dl", "figure", "hr"}


def plain_text(xhtml: str) -> str:
    """The text of a sanitized body: one block a paragraph, separated by blank lines."""
    from lxml import html as lxml_html

    if not xhtml.strip():
        return ""
    root = lxml_html.fragment_fromstring(xhtml, create_parent="div")
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            blocks.append(text)
        current.clear()

    def walk(el) -> None:
        block = el.tag in _BLOCKS
        if block:
            flush()
        if el.tag == "br":
            current.append(" ")
        elif el.tag in ("td", "th"):
            current.append(" ")
        current.append(el.text or "")
        for child in el:
            walk(child)
        if block:
            flush()
        current.append(el.tail or "")

    current.append(root.text or "")
    for child in root:
        walk(child)
    flush()
    return "\n\n".join(blocks)
