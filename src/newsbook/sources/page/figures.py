"""Captions and photo credits of a page's images, read from the page before extraction.

An extractor keeps an image but not always the text around it: a `<figcaption>` may survive
while the credit beside it goes, and a caption `<div>` next to an image is often dropped as
page furniture. Here each image of the parsed page is given its caption and credit from the
markup around it (the forms below), keyed by every URL the image may end up under, so the
HTML reader can put them back as `<figure>`/`<figcaption>` whatever the extractor kept:

- `<figure><img><figcaption>Caption <span class="credit">Photo: X</span></figcaption></figure>`
- WordPress: `<div class="wp-caption"><img><p class="wp-caption-text">Caption</p></div>`
- a caption box beside the image: `<div class="img"><img></div><div class="caption">…</div>`
- a credit of its own: `.credit`, `.photo-credit`, `[itemprop=copyrightHolder]`, `<small>`
- `<picture>`, `srcset` and lazy-loading `data-src` images.
"""

from __future__ import annotations

import contextlib
import re
from itertools import islice
from dataclasses import dataclass, field
from urllib.parse import urljoin

from newsbook.sources.page.captions import words

# Class, id or itemprop values of a caption and of a credit.
_CAPTION_NAME = re.compile(r"caption|legend", re.IGNORECASE)
_CREDIT_NAME = re.compile(r"credit|copyright|photographer|attribution|(?:^|[-_\s])source(?:$|[-_\s])",
                          re.IGNORECASE)
_CREDIT_ITEMPROP = re.compile(r"^(?:author|creator|copyrightHolder|creditText)$", re.IGNORECASE)
# A credit that says what it credits already: "Photo: X", "Getty Images", "© X", "(AP Photo/X)".
_LABELLED = re.compile(r"\b(?:photo(?:graph(?:er)?)?|image|picture|pic|illustration|graphic|"
                       r"video|credit|courtesy|copyright|foto|bild|source)s?\b|©|\(c\)",
                       re.IGNORECASE)
_LAZY = ("src", "data-src", "data-original", "data-lazy-src", "data-url", "data-srcset", "srcset")
_SRCSETS = ("srcset", "data-srcset")
# Past these the element is part of the page, not an image's box.
_NOT_BOXES = {"html", "body", "main", "article", "section", "header", "footer", "nav", "aside"}
_CLIMB = 4  # levels above an image its caption may be found
MAX_CAPTION = 600  # a caption is a sentence or two; a longer "caption" is a layout wrapper
_SIBLINGS = 2  # elements after an image's box that may be its caption
_MAX_ELEMENTS = 200  # a box with more elements than this is a layout, not an image's box
_LOOSE = 20  # characters of other text ("|", "Enlarge") an image's box may hold
_INLINE = {"a", "b", "i", "em", "strong", "small", "sup", "sub", "abbr", "time", "q", "cite",
           "code", "mark", "u", "s", "bdi", "bdo"}
_END = re.compile(r"[.!?…)\]»\"”’']$")


@dataclass
class Captions:
    """What the page says about its images."""

    by_source: dict[str, str] = field(default_factory=dict)  # image URL -> caption and credit
    texts: list[str] = field(default_factory=list)  # every caption and credit text found


def image_captions(tree, base: str | None = None) -> Captions:
    """Caption and credit of every image in a parsed page, by each URL the image may go by."""
    found = Captions()
    images = list(tree.iter("img"))
    count: dict = {}  # element -> images inside it, so that climbing stops at once past one
    for img in images:
        for ancestor in img.iterancestors():
            count[ancestor] = count.get(ancestor, 0) + 1
    captioned = []
    for img in images:
        caption, credit = _caption_of(img, count)
        found.texts.extend(t for t in (caption, credit) if t)
        captioned.append((img, join(caption, credit)))
    for figure in tree.iter("figure"):
        # A gallery: one <figcaption> for several images goes with the first.
        first, figcaption = figure.find(".//img"), figure.find(".//figcaption")
        if first is not None and figcaption is not None and count.get(figure, 0) > 1:
            captioned.append((first, _text(figcaption, set())[:MAX_CAPTION]))
    shared: set[str] = set()  # a placeholder that many lazy images show: no one's caption
    for img, text in captioned:
        for source in _sources(img, base):
            if text and source not in found.by_source:
                found.by_source[source] = text
            elif source in found.by_source and found.by_source[source] != text:
                shared.add(source)
    for source in shared:
        del found.by_source[source]
    return found


def join(caption: str, credit: str) -> str:
    """A caption and a credit as one line: "Caption text. Photo: Jane Doe / Agency"."""
    if credit and not _LABELLED.search(credit):
        credit = f"Photo: {credit}"
    if caption and credit:
        return f"{caption}{'' if _END.search(caption) else '.'} {credit}"
    return caption or credit


def _sources(img, base: str | None) -> list[str]:
    """Every URL an image may be known by: src, lazy-loading attributes, srcset candidates."""
    values = [(name in _SRCSETS, img.get(name, "")) for name in _LAZY]
    # (libxml2 does not know <source> is void: the <img> may be inside one)
    picture = next((a for a in img.iterancestors() if a.tag not in ("source", "a")), None)
    if picture is not None and picture.tag == "picture":
        values += [(True, source.get(name, "")) for source in picture.iter("source")
                   for name in _SRCSETS]
    urls = []
    for is_set, value in values:
        for url in (_srcset(value) if is_set else [value.strip()]):
            if url and not url.startswith("data:"):
                urls.append(url)
                if base:  # trafilatura makes image sources absolute when it knows the page URL
                    with contextlib.suppress(ValueError):  # "http://[": no URL at all
                        urls.append(urljoin(base, url))
    return list(dict.fromkeys(urls))


def _srcset(value: str) -> list[str]:
    """The URLs of a srcset: "a.jpg 450w,b.jpg 900w", "a.jpg, b.jpg 2x"."""
    # A comma ends a candidate after its descriptor ("450w,") or before a space; elsewhere it
    # may be part of the URL ("…/w_620,q_85/a.jpg").
    parts = re.split(r"(?<=\d[wx]),\s*|,\s+", value.strip())
    return [part.split()[0] for part in parts if part.split()]


def _caption_of(img, count: dict) -> tuple[str, str]:
    """The caption and the credit the markup around an image gives it ("" when none)."""
    box = _box(img, count)
    around = [box]
    following = box.getnext()
    while following is not None and len(around) <= _SIBLINGS:
        if not isinstance(following.tag, str) or not _is_part(following) \
                or _large(following) or following.find(".//img") is not None:
            break
        around.append(following)
        following = following.getnext()
    captions, credits = [], []
    for element in around:
        for part in element.iter():
            if part is img or not isinstance(part.tag, str) or part.find(".//img") is not None:
                continue
            if _is_credit(part) and not _inside(part, credits):
                credits.append(part)
            elif _is_caption(part) and not _inside(part, captions + credits):
                captions.append(part)
    figure = next(img.iterancestors("figure"), None)
    if not captions and figure is not None and (figure is box or box in figure.iterancestors()):
        captions = [figure]  # <figure><img><p>Caption</p></figure>: its text is the caption
    caption = " ".join(_text(part, set(credits) | {img}) for part in captions)
    credit_texts: list[str] = []
    for part in credits:
        text = _text(part, {img})
        # (a credit the caption ends with already is not said twice)
        if text and text not in credit_texts and not words(caption).endswith(words(text)):
            credit_texts.append(text)
    caption, credit = " ".join(caption.split()), " ".join(" ".join(credit_texts).split())
    if len(caption) > MAX_CAPTION:
        caption = ""
    if len(credit) > MAX_CAPTION // 4:
        credit = ""
    return caption, credit


def _box(img, count: dict):
    """The largest element around an image that holds nothing else but its caption and credit.

    Text outside caption and credit elements ends the climb, except in a <figure>, whose
    loose text is its caption: a paragraph or an article around an image is not its box.
    """
    node = img
    levels = 0
    while levels < _CLIMB:
        parent = node.getparent()
        if parent is None or not isinstance(parent.tag, str) or parent.tag in _NOT_BOXES \
                or count.get(parent, 0) > 1 or _large(parent):
            break
        # (libxml2 nests an <img> in every unclosed <source> of its <picture>)
        levels += parent.tag not in ("source", "picture")
        if len(_text(parent, {img}, parts_too=False)) > (MAX_CAPTION if parent.tag == "figure"
                                                          else _LOOSE):
            break
        node = parent
    return node


def _large(element) -> bool:
    """Whether an element has more elements in it than any caption box needs."""
    return next(islice(element.iter(), _MAX_ELEMENTS, None), None) is not None


def _names(element) -> str:
    return " ".join(element.get(a, "") for a in ("class", "id", "itemprop"))


def _is_caption(element) -> bool:
    return element.tag == "figcaption" or bool(_CAPTION_NAME.search(_names(element)))


def _is_credit(element) -> bool:
    return (element.tag == "small" or bool(_CREDIT_NAME.search(_names(element)))
            or bool(_CREDIT_ITEMPROP.match(element.get("itemprop", "").strip())))


def _is_part(element) -> bool:
    return _is_caption(element) or _is_credit(element)


def _inside(element, parts: list) -> bool:
    """Whether an element is one of `parts` or inside one of them."""
    return any(element is p or p in element.iterancestors() for p in parts)


def _text(element, skip: set, parts_too: bool = True) -> str:
    """An element's text, blocks apart by a space, without the `skip` elements' own text
    (nor, unless `parts_too`, that of caption and credit elements and figures inside it)."""
    out: list[str] = []

    def walk(el) -> None:
        if el in skip or el.tag in ("script", "style", "template"):
            return
        if not parts_too and el is not element and (el.tag == "figure" or _is_part(el)):
            return
        spaced = el.tag not in _INLINE
        if spaced:
            out.append(" ")
        out.append(el.text or "")
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            out.append(child.tail or "")
        if spaced:
            out.append(" ")

    walk(element)
    return " ".join("".join(out).split())
