"""Image captions in an extracted body: text the page marks as a caption goes with its image.

An extractor keeps the text of caption blocks (`<figcaption>`, a CMS's `caption`/`credit`
boxes, gallery captions) as if it were running text: a reader then meets "Jane Doe speaks at a
rally, Tuesday. (AP Photo)" between two paragraphs, and again in the plain text where no
picture is shown. Here such blocks become the caption of the image next to them (the book prints
image and caption together) or, with no image to go with, are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"\w+")
# Class, id or itemprop values of caption and photo-credit boxes across CMSs, figcaption's
# stand-ins: "caption", "wp-caption-text", "image-caption", "photo-credit", "media-credit".
_CAPTION_NAME = re.compile(r"caption|credit", re.IGNORECASE)
_NOT_BOXES = {"html", "body", "main", "article", "script", "style"}
# A caption is a sentence or two; a "caption" box holding more is a layout wrapper.
MAX_CAPTION = 600
# A block this long found inside a caption's text is a part of that caption.
_PART_WORDS = 4
# At most this share of a body's text goes as captions without an image.
MAX_SHARE = 0.5
# A picture credit line: "Image copyright X", "Photo: X", "Picture courtesy of X", "Foto: X".
_CREDIT = re.compile(r"(?:image|photo|picture|photograph|video|foto|bild)s?\s*"
                     r"(?:(?:copyright|credits?|source|courtesy)\b|[:©])", re.IGNORECASE)
_CREDIT_LENGTH = 100
# The blocks of trafilatura's XML that can carry a caption's text.
_BLOCKS = ("p", "head", "item", "quote")


def words(text: str | None) -> str:
    """Text as its lowercase words joined by single spaces: "S.C.Former" matches "S.C. Former"."""
    return " ".join(_WORD.findall((text or "").lower()))


def caption_texts(tree, more: Iterable[str] = ()) -> list[str]:
    """The word strings of every caption box in a parsed page (and of `more` texts known to
    be captions or credits), longest first."""
    found = {words(text) for text in more}
    for element in tree.xpath("//figcaption | //*[@class or @id or @itemprop]"):
        if element.tag != "figcaption" and (element.tag in _NOT_BOXES or not _CAPTION_NAME.search(
                " ".join(element.get(a, "") for a in ("class", "id", "itemprop")))):
            continue
        text = " ".join(element.text_content().split())
        if 0 < len(text) <= MAX_CAPTION:
            found.add(words(text))
            # (its blocks' texts run together without a space in text_content: "dreamHome")
            found.add(words(" ".join(element.itertext())))
    found.discard("")
    return sorted(found, key=len, reverse=True)


def covered(text: str, captions: list[str]) -> bool:
    """Whether a block's text is made only of caption texts (one, or several run together),
    or is a part of one (a caption box's title line)."""
    rest = f" {words(text)} "
    if not rest.strip():
        return False
    if len(rest.split()) >= _PART_WORDS and any(rest in f" {c} " for c in captions):
        return True
    for caption in captions:
        if f" {caption} " in rest:
            rest = rest.replace(f" {caption} ", " ")
            if not rest.strip():
                return True
    return not rest.strip()


def _echoes_alt(text: str, alt: str | None) -> bool:
    """Whether a block repeats its image's alt text (a caption written twice by the page)."""
    block, alt_words = words(text), words(alt)
    if len(block.split()) < 5 or len(alt_words.split()) < 5:
        return False
    return block.startswith(alt_words) or alt_words.startswith(block)


def _block_text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _next_block(graphic):
    """The block that follows an image: the rest of its own block, or the next sibling."""
    parent = graphic.getparent()
    if (graphic.tail or "").strip():
        # <item><graphic/> Caption text</item>: the caption is the image's tail, when the
        # image opens its block and nothing else follows it.
        if parent is not None and parent.tag in _BLOCKS and not (parent.text or "").strip() \
                and parent[0] is graphic and len(parent) == 1:
            return parent
        return None
    following = graphic.getnext()
    if following is not None and following.tag in _BLOCKS:
        return following
    if parent is not None and parent.tag in _BLOCKS and len(parent) == 1 \
            and not (parent.text or "").strip():
        # <p><graphic/></p><p>Caption</p>
        following = parent.getnext()
        return following if following is not None and following.tag in _BLOCKS else None
    return None


def attach(main, captions: list[str], known: dict[str, str]) -> None:
    """Move caption blocks out of the running text of trafilatura's <main>, in place.

    A caption block right after an image becomes that image's caption in `known` (image
    source -> caption, which the HTML conversion turns into <figure>/<figcaption>) unless the
    page already gave it one; other blocks made only of caption text are dropped.
    """
    for graphic in list(main.iter("graphic")):
        loose = " ".join((graphic.tail or "").split())
        if loose and len(loose) <= MAX_CAPTION and (is_credit(loose) or covered(loose, captions)):
            # Text running on from the image, outside any block: "Image copyright X".
            if graphic.get("src") and graphic.get("src") not in known:
                known[graphic.get("src")] = loose
            graphic.tail = None
            continue
        block = _next_block(graphic)
        if block is None:
            continue
        text = _block_text(block)
        if graphic.getparent() is block:
            text = " ".join((graphic.tail or "").split())
        if not text or len(text) > MAX_CAPTION:
            continue
        if not (covered(text, captions) or _echoes_alt(text, graphic.get("alt"))):
            continue
        src = graphic.get("src", "")
        if src and src not in known:
            known[src] = text
        if graphic.getparent() is block:
            graphic.tail = None
        else:
            previous = block.getprevious()
            remove_keeping_tail(block)
            # A credit running on after the caption block: "<p>Caption</p>Jane Doe / AP".
            loose = " ".join((previous.tail or "").split()) if previous is not None else ""
            if loose and len(loose) <= MAX_CAPTION and (is_credit(loose)
                                                        or covered(loose, captions)):
                previous.tail = None
    doomed = []
    for block in [b for b in main.iter(*_BLOCKS) if b.find("graphic") is None]:
        text = _block_text(block)
        if text and (len(text) <= MAX_CAPTION and covered(text, captions) or is_credit(text)):
            doomed.append((block, len(text)))
    # A page told in captions (a photo essay) keeps them: they are its text.
    if sum(n for _, n in doomed) <= MAX_SHARE * len(" ".join("".join(main.itertext()).split())):
        for block, _ in doomed:
            remove_keeping_tail(block)


def is_credit(text: str) -> bool:
    """Whether a block is a picture credit line on its own: "Image copyright Getty Images"."""
    return len(text) <= _CREDIT_LENGTH and bool(_CREDIT.match(text))


def remove_keeping_tail(element, empty_parents: tuple[str, ...] = ("item", "list")) -> None:
    """Drop an element; its tail text stays in the document, and a parent of one of the
    `empty_parents` tags left empty by the removal goes with it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail and tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
    if parent.tag in empty_parents and not len(parent) and not (parent.text or "").strip() \
            and parent.getparent() is not None:
        remove_keeping_tail(parent, empty_parents)
