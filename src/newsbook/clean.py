"""Sanitize article bodies into well-formed XHTML fragments and embed their images."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import unquote, urlsplit

from newsbook.images import (MAX_IMAGE_SIDE, ImageRefused, Resolver, absolute_image_url,
                             normalize_image)
from newsbook.model import Article, Image

# Part of the article cache's key (articlecache.py): bump it whenever a change here makes any
# article clean differently, so that articles cached by the old code are read again.
VERSION = 1

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
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,6}")

# Limits on what one article may ask of the build. Past them the article is kept and the
# excess goes, with a warning: a hostile or broken page must not sink the whole issue.
MAX_IMAGES_PER_ARTICLE = 100
# Deeper elements are unwrapped (text kept). WeasyPrint lays out nested boxes recursively and
# hits Python's recursion limit at ~130 nested blocks (fewer for tables, whose implied tbody
# adds levels), failing the whole PDF; nh3 is quadratic in depth; no real article nests 80 deep.
MAX_NESTING = 80
MAX_ATTRIBUTE_LENGTH = 10_000
# Metadata lengths: titles and names end up in the TOC, running heads, PDF bookmarks and OPF.
MAX_TITLE_LENGTH = 300
MAX_NAME_LENGTH = 200
MAX_SUMMARY_LENGTH = 2000
MAX_URL_LENGTH = 2000
MAX_LIST_ITEMS = 50  # authors, tags

def image_urls(article: Article) -> list[str]:
    """The http(s) images an article shows, as absolute URLs, for fetching before cleaning."""
    if "<img" not in article.body.lower():
        return []
    root, _warnings = _parse(article.body)
    _prepare(root)
    # Only what the sanitizer keeps is fetched: no image inside <noscript>, <template>, <svg>…
    root, _warnings = _parse(sanitize(_inner(root, "html")))
    urls = []
    # Only the images the article will keep are fetched (see MAX_IMAGES_PER_ARTICLE).
    for img in list(root.iter("img"))[:MAX_IMAGES_PER_ARTICLE]:
        url = absolute_image_url(img.get("src", ""), article)
        if url:
            urls.append(url)
    return list(dict.fromkeys(urls))


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
    root, notes = _parse(article.body)
    warnings = [f"{article.source}: {note}" for note in notes]
    _prepare(root)
    # nh3 inserts implied elements (tbody): the sanitized tree is held to the limit again.
    root, _notes = _parse(sanitize(_inner(root, "html")))
    images: dict[str, Image] = {}
    imgs = list(root.iter("img"))
    if len(imgs) > MAX_IMAGES_PER_ARTICLE:
        warnings.append(f"{article.source}: {len(imgs) - MAX_IMAGES_PER_ARTICLE} images over the "
                        f"limit of {MAX_IMAGES_PER_ARTICLE} per article dropped")
        for img in imgs[MAX_IMAGES_PER_ARTICLE:]:
            _drop(img)
        imgs = imgs[:MAX_IMAGES_PER_ARTICLE]
    for img in imgs:
        src = (img.get("src") or "").strip()
        alt = " ".join((img.get("alt") or "").split())
        try:
            if not src:
                raise ImageRefused("image without a source")
            if resolve is None:
                raise ImageRefused(f"image not embedded: {src}")
            image = normalize_image(resolve(src, article), alt, max_side)
        except ImageRefused as exc:
            if not exc.reported:
                warnings.append(f"{article.source}: {exc}")
            _drop(img)
            continue
        images.setdefault(image.key, image)
        img.set("src", image.key)
        img.set("alt", alt)
    for heading in root.iter("h1"):
        heading.tag = "h2"  # the article title is the document's only h1
    _fix_attributes(root)
    _fix_links(root, article)
    _prefix_ids(root, article.id)
    _drop_empty(root)
    body = _inner(root, "xml")
    if not body.strip():
        body = "<p></p>"
    metadata = _clean_metadata(article, warnings)
    return replace(article, body=body, images=list(images.values()), **metadata), warnings


def _parse(fragment: str):
    """An HTML fragment as a tree under a <div>, within the nesting and attribute limits.

    Returns the tree and notes on what the limits removed.
    """
    from lxml import html as lxml_html

    notes: list[str] = []
    fragment = _INVALID_XML.sub("", fragment)
    parser = lxml_html.HTMLParser()
    root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=parser)
    if any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
        # libxml2 silently drops everything below depth 255: flatten the text itself first.
        fragment = _flatten_source(fragment, MAX_NESTING)
        root = lxml_html.fragment_fromstring(fragment, create_parent="div",
                                             parser=lxml_html.HTMLParser())
        _flatten_tree(root, MAX_NESTING)  # elements the parser implied (tbody) may add levels
        notes.append(f"markup nested deeper than {MAX_NESTING} levels was flattened "
                     "(its text is kept)")
    elif _flatten_tree(root, MAX_NESTING):
        notes.append(f"markup nested deeper than {MAX_NESTING} levels was flattened "
                     "(its text is kept)")
    dropped = 0
    for el in root.iter():
        for name, value in list(el.attrib.items()):
            if len(value) > MAX_ATTRIBUTE_LENGTH:
                del el.attrib[name]
                dropped += 1
    if dropped:
        notes.append(f"{dropped} attribute value(s) longer than {MAX_ATTRIBUTE_LENGTH:,} "
                     "characters dropped")
    return root, notes


def _flatten_tree(root, limit: int) -> bool:
    """Unwrap elements nested deeper than `limit` below root; True when any was."""
    deep = []
    stack = [(root, 0)]
    while stack:  # iterative: the tree may be deeper than Python's recursion limit
        el, depth = stack.pop()
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if depth + 1 > limit:
                deep.append(child)
            else:
                stack.append((child, depth + 1))
    for top in deep:
        # Content that is dropped anyway must not surface as text once unwrapped.
        for gone in [e for e in top.iter() if e.tag in _DROP_WITH_CONTENT]:
            if gone is not top and gone.getparent() is not None:
                gone.drop_tree()
        if top.tag in _DROP_WITH_CONTENT:
            top.drop_tree()
            continue
        for el in list(top.iter())[::-1]:
            if isinstance(el.tag, str):
                el.drop_tag()
            else:
                el.drop_tree()  # comments, processing instructions
    return bool(deep)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}


def _flatten_source(fragment: str, limit: int) -> str:
    """HTML text re-emitted with no element deeper than `limit` (deeper tags go, text stays)."""
    import html
    from collections import Counter
    from html.parser import HTMLParser

    out: list[str] = []
    # Open elements as (name, emitted, dropped-with-content); counts make end tags O(1) to match.
    stack: list[tuple[str, bool, bool]] = []
    open_names: Counter = Counter()
    state = {"emitted": 0, "skip": 0}

    def start(tag: str, attrs, void: bool) -> None:
        if void or tag in _VOID:
            if not state["skip"] and state["emitted"] < limit and tag not in _DROP_WITH_CONTENT:
                out.append(_tag(tag, attrs, html))
            return
        dropped = bool(state["skip"]) or tag in _DROP_WITH_CONTENT
        emitted = not dropped and state["emitted"] < limit
        stack.append((tag, emitted, dropped))
        open_names[tag] += 1
        state["emitted"] += emitted
        state["skip"] += dropped
        if emitted:
            out.append(_tag(tag, attrs, html))

    class Flattener(HTMLParser):
        def handle_starttag(self, tag, attrs):
            start(tag, attrs, False)

        def handle_startendtag(self, tag, attrs):
            start(tag, attrs, True)

        def handle_endtag(self, tag):
            if not open_names[tag]:
                return  # a stray end tag
            while stack:
                name, emitted, dropped = stack.pop()
                open_names[name] -= 1
                state["emitted"] -= emitted
                state["skip"] -= dropped
                if emitted:
                    out.append(f"</{name}>")
                if name == tag:
                    break

        def handle_data(self, data):
            if not state["skip"]:
                out.append(html.escape(data, quote=False))

    parser = Flattener(convert_charrefs=True)
    parser.feed(fragment)
    parser.close()
    out.extend(f"</{name}>" for name, emitted, _ in reversed(stack) if emitted)
    return "".join(out)


def _tag(tag: str, attrs, html) -> str:
    rendered = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs)
    return f"<{tag}{rendered}>"


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
        if el.tag == "figcaption":
            # A caption belongs with its picture, which plain text does not show.
            current.append(el.tail or "")
            return
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


def _fix_links(root, article: Article) -> None:
    """Keep only links a reader can follow: absolute http(s)/mailto, or #fragments.

    A relative link points at a file that is not in the book (an epubcheck error, and a dead
    or path-traversing link in the PDF); on a web page it is made absolute against the page.
    """
    from urllib.parse import urljoin

    base = article.source if article.source.startswith(("http://", "https://")) else None
    for el in root.iter("a", "blockquote", "q"):
        name = "href" if el.tag == "a" else "cite"
        value = el.get(name)
        if value is None or (name == "href" and value.startswith("#")):
            continue
        try:
            url = urljoin(base, value.strip()) if base else value.strip()
        except ValueError:  # "//[x": no URL at all
            url = ""
        if _is_link(url):
            el.set(name, url)
        else:
            del el.attrib[name]


def _is_link(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1": not a URL anyone can follow
        return False
    if parts.scheme == "mailto":
        return bool(parts.path)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(url) <= MAX_URL_LENGTH


def _clean_metadata(article: Article, warnings: list[str]) -> dict:
    """Titles, names and URLs fit for XML, PDF metadata and file names: one line, bounded."""
    where = article.source

    def text(value: str | None, limit: int, what: str) -> str | None:
        if value is None:
            return None
        value = " ".join(_INVALID_XML.sub(" ", value).split())
        if len(value) > limit:
            warnings.append(f"{where}: {what} shortened to {limit} characters")
            value = value[:limit - 1].rstrip() + "…"
        return value or None

    def names(values: list[str], limit: int, what: str) -> list[str]:
        if len(values) > MAX_LIST_ITEMS:
            warnings.append(f"{where}: only the first {MAX_LIST_ITEMS} {what} kept")
        kept = (text(v, limit, what[:-1]) for v in values[:MAX_LIST_ITEMS])
        return list(dict.fromkeys(v for v in kept if v))

    url = article.url
    if url is not None:
        url = url.strip()
        if not _is_link(url) or url.startswith("mailto:") or _INVALID_XML.search(url) \
                or any(c.isspace() for c in url):
            warnings.append(f"{where}: source URL dropped (not an http(s) URL)")
            url = None
    return {
        "title": text(article.title, MAX_TITLE_LENGTH, "title") or "Untitled",
        "authors": names(article.authors, MAX_NAME_LENGTH, "authors"),
        "tags": names(article.tags, MAX_NAME_LENGTH, "tags"),
        "site": text(article.site, MAX_NAME_LENGTH, "site name"),
        "section": text(article.section, MAX_NAME_LENGTH, "section"),
        "summary": text(article.summary, MAX_SUMMARY_LENGTH, "summary"),
        "url": url,
        # Written into lang/xml:lang attributes: a language tag, or nothing.
        "language": article.language if article.language and _LANGUAGE.fullmatch(
            article.language) else None,
    }
