"""Sanitize article bodies into well-formed XHTML fragments and embed their images
(the metadata: cleanmeta.py; the body as plain text: plaintext.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import unquote

from newsbook.model import Article, Image
from newsbook.model import codeblocks, contentmodel, footnotes, nesting
from newsbook.model.a11y import make_readable
from newsbook.model.cleanmeta import _INVALID_XML, _clean_metadata, _link
from newsbook.model.images import (MAX_IMAGE_SIDE, ImageRefused, Resolver, absolute_image_url,
                                   normalize_image)

# Part of the article cache's key (articlecache.py): bump it whenever a change here makes any
# article clean differently, so that articles cached by the old code are read again.
VERSION = 4

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
# Kept through the sanitizer for _prepare() only: lazy-loading image URLs, cell alignment,
# the language of code.
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-url")
_CARRIED = {"img": {*_LAZY_SRC, "srcset"}, "td": {"style"}, "th": {"style"},
            "pre": {"class"}, "code": {"class"}}  # a code block's language (codeblocks.py)
_NUMERIC_ATTRIBUTES = {"colspan", "rowspan", "start", "value", "span"}
# Content of these is dropped entirely, not just the tags.
_DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "embed",
                      "svg", "math", "form", "select", "textarea", "button", "head", "title"}
_ALIGN = re.compile(r"text-align\s*:\s*(right|center)", re.I)
_ID_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")

# Limits on what one article may ask of the build. Past them the article is kept and the
# excess goes, with a warning: a hostile or broken page must not sink the whole issue.
MAX_IMAGES_PER_ARTICLE = 100
# Deeper elements are unwrapped (text kept). WeasyPrint lays out nested boxes recursively and
# hits Python's recursion limit at ~130 nested blocks (fewer for tables, whose implied tbody
# adds levels), failing the whole PDF; nh3 is quadratic in depth; no real article nests 80 deep.
MAX_NESTING = 80
MAX_ATTRIBUTE_LENGTH = 10_000

def image_urls(article: Article) -> list[str]:
    """The http(s) images an article shows, as absolute URLs, for fetching before cleaning."""
    if "<img" not in article.body.lower():
        return []
    # Only what the sanitizer keeps is fetched: no image inside <noscript>, <template>, <svg>…
    root, _warnings = _tree(article.body)
    urls = []
    # Only the images the article will keep are fetched (see MAX_IMAGES_PER_ARTICLE).
    for img in list(root.iter("img"))[:MAX_IMAGES_PER_ARTICLE]:
        url = absolute_image_url(img.get("src", ""), article)
        if url:
            urls.append(url)
    return list(dict.fromkeys(urls))


def _sanitize(fragment: str) -> str:
    """nh3 with an EPUB-safe HTML5 allowlist: no scripts, styles, handlers, forms or frames.

    nh3 parses with html5ever, a conforming HTML5 tree builder: what it returns is the tree a
    browser would build, serialized. It keeps the _CARRIED attributes, which _tree() removes.
    """
    import nh3

    attributes = {tag: ALLOWED_ATTRIBUTES.get(tag, set()) | _CARRIED.get(tag, set())
                  for tag in ALLOWED_ATTRIBUTES.keys() | _CARRIED.keys()}
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        allowed_classes={"td": {"align-right", "align-center"},
                         "th": {"align-right", "align-center"}},
        link_rel=None,
        strip_comments=True,
    )


def clean_article(article: Article, resolve: Resolver | None = None,
                  max_side: int = MAX_IMAGE_SIDE) -> tuple[Article, list[str]]:
    """Sanitize an article's body to XHTML and embed its images; returns warnings too."""
    root, notes = _tree(article.body)
    warnings = [f"{article.source}: {note}" for note in notes]
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
    footnotes.mark(root)
    _drop_empty(root)
    make_readable(root)  # after links and empty blocks are settled: what is left is read
    body = _inner(root, "xml")
    if not body.strip():
        body = "<p></p>"
    metadata = _clean_metadata(article, warnings)
    return replace(article, body=body, images=list(images.values()), **metadata), warnings


def _tree(fragment: str):
    """An HTML fragment as a sanitized tree under a <div> that keeps the XHTML content models.

    Returns the tree and notes on what the nesting and attribute limits removed.
    """
    notes: list[str] = []
    fragment = _INVALID_XML.sub("", fragment)
    deep = nesting.too_deep(fragment, MAX_NESTING)
    if deep:  # html5ever is quadratic in depth: thousands of levels take seconds
        fragment = nesting.flatten_source(fragment, MAX_NESTING, _DROP_WITH_CONTENT)
    elif nesting.reopens_too_much(fragment):
        # libxml2 closes what it opened; the HTML5 parser could reopen it without end.
        fragment = nesting.balanced(fragment)
    root, reflattened = _read(_sanitize(fragment))
    dropped = 0
    for el in root.iter():
        for name, value in list(el.attrib.items()):
            if len(value) > MAX_ATTRIBUTE_LENGTH:
                del el.attrib[name]
                dropped += 1
    _prepare(root)
    # Before normalize(), whose work recurses as deep as the tree goes; and after it, as it
    # may add a level (a list around a stray item, a copy of an <em> inside a block).
    flattened = nesting.flatten_tree(root, MAX_NESTING)
    contentmodel.normalize(root)
    if nesting.flatten_tree(root, MAX_NESTING) or flattened or deep or reflattened:
        notes.append(f"markup nested deeper than {MAX_NESTING} levels was flattened "
                     "(its text is kept)")
    if dropped:
        notes.append(f"{dropped} attribute value(s) longer than {MAX_ATTRIBUTE_LENGTH:,} "
                     "characters dropped")
    return root, notes


# html5ever writes void elements as bare start tags. Its output escapes every < and > in text
# and attribute values, so a tag here is a tag.
_VOID_TAG = re.compile(r"<(br|hr|img|col)((?: [^>]*)?)>")


def _read(sanitized: str):
    """nh3's output as the tree html5ever built, and whether it had to be flattened to read.

    It is read as XML, not parsed again as HTML: libxml2's HTML parser is no HTML5 parser and
    would rebuild the tree its own way (closing an <a> at a table, a <b> at a paragraph).
    nh3's output is well-formed XML but for void elements and &nbsp;, its only named entity
    besides the XML five.
    """
    from lxml import etree
    from lxml import html as lxml_html

    # An XML parser that makes lxml.html elements (drop_tree, drop_tag), as the code here uses;
    # huge_tree for text nodes over 10 MB. It still stops at 2,048 levels.
    parser = lxml_html.XHTMLParser(resolve_entities=False, no_network=True, huge_tree=True)

    def parse(markup: str):
        xml = _VOID_TAG.sub(r"<\1\2/>", _INVALID_XML.sub("", markup).replace("&nbsp;", "\xa0"))
        return etree.fromstring(f"<div>{xml}</div>", parser)

    try:
        return parse(sanitized), False
    except etree.XMLSyntaxError:
        # Deeper than libxml2 reads: html5ever reopens formatting elements, so its tree can be
        # deeper than the source was.
        return parse(nesting.flatten_source(sanitized, MAX_NESTING, _DROP_WITH_CONTENT)), True


def _inner(root, method: str) -> str:
    """The serialized content of an element, without the element itself."""
    from lxml import etree

    text = root.text or ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text + "".join(etree.tostring(child, encoding="unicode", method=method)
                          for child in root)


def _prepare(root) -> None:
    """What the sanitizer would lose: lazy-loaded image URLs, table cell alignment, the
    language of code blocks (which are highlighted here, once the classes are gone)."""
    code_languages = codeblocks.languages(root)
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
    for tag, names in _CARRIED.items():
        for el in root.iter(tag):
            for name in names:
                el.attrib.pop(name, None)
    codeblocks.highlight(code_languages)


def _drop(element) -> None:
    """Remove an element, keeping its tail text; a figure left without an image goes too."""
    parent = element.getparent()
    if parent is None:
        return
    if parent.tag in ("figure", "a") and len(parent) == 1 and not (parent.text or "").strip() \
            and not (element.tail or "").strip():  # a link or figure with text stays
        _drop(parent) if parent.tag == "a" else parent.remove(element)
        return
    element.drop_tree()


def _fix_attributes(root) -> None:
    """Attribute values HTML accepts, and the elements that depend on them."""
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
            elif name == "datetime" and not _valid_datetime(value):
                del el.attrib[name]
        # Attributes that decide an element's content model or where it may stand.
        if el.tag == "li" and el.getparent().tag != "ol":
            el.attrib.pop("value", None)
        elif el.tag == "time" and el.get("datetime") is None and len(el):
            el.tag = "span"  # without datetime, a <time> holds its date as plain text only
        elif el.tag == "bdo" and el.get("dir") not in ("ltr", "rtl"):
            el.tag = "span"  # a direction override that names no direction overrides nothing


# The forms of HTML's datetime attribute an article carries: a date, a time, both (with a zone).
_DATETIME = re.compile(r"(\d{4}-\d\d-\d\d)?([T ]?)(\d\d:\d\d(?::\d\d(?:\.\d{1,3})?)?)?"
                       r"(Z|[+-]\d\d:?\d\d)?")


def _valid_datetime(value: str) -> bool:
    from datetime import date, time

    match = _DATETIME.fullmatch(value)
    if not match or not (match[1] or match[3]) or bool(match[2]) != bool(match[1] and match[3]) \
            or (match[4] and not (match[1] and match[3])):
        return False
    try:
        if match[1]:
            date.fromisoformat(match[1])
        if match[3]:
            time.fromisoformat(match[3] + (match[4] or "").replace("Z", "+00:00"))
    except ValueError:  # 2024-02-30, 25:00, +25:00
        return False
    return True


def _prefix_ids(root, prefix: str) -> None:
    """Give ids a per-article prefix so they are unique in the book, and keep #links matching."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for el in root.iter():
        old = el.get("id")
        if old is None:
            continue
        new = f"{prefix}-{_ID_CHARS.sub('-', old.strip()).strip('-') or 'x'}"
        while new in used:
            new += "-"
        if old in mapping:  # a duplicate id: the first one keeps it
            del el.attrib["id"]
            continue
        mapping[old] = new
        used.add(new)
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
    """Empty list/table wrappers left behind by the sanitizer, and empty paragraphs.

    An HTML5 parser makes an empty <p> of every stray </p>. One with an id stays: a link may
    lead to it.
    """
    for el in list(root.iter("ul", "ol", "dl", "table", "tbody", "thead", "tfoot", "tr",
                             "figure", "p")):
        if len(el) == 0 and not (el.text or "").strip() and el.getparent() is not None \
                and el.get("id") is None:
            el.drop_tree()


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
        link = _link(url)
        if link:
            el.set(name, link)
        else:
            del el.attrib[name]
