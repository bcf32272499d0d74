"""What a cleaned body needs to be read by a screen reader as well as seen: headings in order
and never empty, every link with a name, no alt text read twice beside its caption.

These are the content faults Ace by DAISY (axe) finds in articles from the web: heading-order,
empty-heading, link-name and image-redundant-alt. Each is fixed without losing a character.
"""

from __future__ import annotations

_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def make_readable(root) -> None:
    """Fix, in place, what would make a sanitized body (an lxml.html tree) fail Ace."""
    _empty_headings(root)
    _heading_levels(root)
    _nameless_links(root)
    _redundant_alt(root)


def _text(el) -> str:
    """The text a screen reader has for an element: its words and its images' alt texts."""
    words = "".join(el.itertext())
    alts = " ".join(img.get("alt") or "" for img in el.iter("img"))
    return " ".join(f"{words} {alts}".split())


def _empty_headings(root) -> None:
    """A heading with nothing to read is no heading: a plain block (one with an id or images
    stays, a link or the images may need it), or nothing."""
    for heading in list(root.iter(*_HEADINGS)):
        if _text(heading) or heading.get("title"):
            continue
        if len(heading) or heading.get("id") is not None:
            heading.tag = "div"
        else:
            heading.drop_tree()


def _heading_levels(root) -> None:
    """No heading more than one level below the one before it: the article's title is the h1,
    so the body starts at h2 and a skipped level closes up (h2, h4 becomes h2, h3)."""
    previous = 1
    for heading in root.iter(*_HEADINGS):
        level = min(int(heading.tag[1]), previous + 1)
        heading.tag = f"h{level}"
        previous = level


def _nameless_links(root) -> None:
    """A link with nothing to read cannot be told from another: it becomes its content (an
    anchor without href when it has an id that a link may point to)."""
    for link in list(root.iter("a")):
        if link.get("href") is None or _text(link) or link.get("title"):
            continue
        if link.get("id") is not None:
            del link.attrib["href"]
        else:
            link.drop_tag()


def _redundant_alt(root) -> None:
    """An image whose alt text is its figure's caption would be read twice: the caption is
    its text alternative, and the alt is emptied."""
    for figure in root.iter("figure"):
        caption = next((child for child in figure if child.tag == "figcaption"), None)
        if caption is None:
            continue
        said = " ".join("".join(caption.itertext()).split()).casefold()
        for img in figure.iter("img"):
            if said and " ".join((img.get("alt") or "").split()).casefold() == said:
                img.set("alt", "")
