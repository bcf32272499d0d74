"""Cut a rendered issue (HTML) into the documents the parallel PDF path lays out separately."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field

# Margin boxes of every chunk are left out (content: none wins over any selector when
# important); the margin layer, rendered with the real page numbers, draws them instead.
_MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                 "right-top", "right-middle", "right-bottom", "bottom-right-corner",
                 "bottom-right", "bottom-center", "bottom-left", "bottom-left-corner",
                 "left-bottom", "left-middle", "left-top")
NO_MARGINS_CSS = "@page { " + " ".join(f"@{b} {{ content: none !important; }}"
                                        for b in _MARGIN_BOXES) + " }"
# The margin layer goes over finished pages: it must paint nothing but the margin boxes.
LAYER_CSS = ("@page { background: none !important; border: none !important; } "
             "html, body { background: none !important; } "
             ".nb-layer-page { break-before: page; height: 0; margin: 0; padding: 0; "
             "border: 0; } .nb-layer-page > div { height: 0; margin: 0; }")
# What the split cannot reproduce in a layout made of parts: the total page count, running
# elements, and layout that depends on which side a page falls (then parts would need the
# absolute page parity, which is only known once every earlier part is laid out).
_UNSPLITTABLE_CSS = re.compile(r"counter\(\s*pages\s*\)|element\(|running\(|"
                               r"@page[^{]*:(?:left|right|recto|verso|blank|nth)|"
                               r"break-(?:before|after)\s*:\s*(?:left|right|recto|verso)|"
                               r"page-break-(?:before|after)\s*:\s*(?:left|right)|"
                               r"counter-(?:increment|reset|set)|target-text\(")


# Marks the element where the single pass moves on to a part: work.py checks that a forced
# page break comes before it there, so that the part's pages are the single pass's pages.
START_MARK = "data-nb-part-start"


class Unsplittable(Exception):
    """The issue's HTML or CSS has a shape the parallel path does not reproduce exactly."""


@dataclass
class Part:
    """A run of consecutive articles laid out as one document."""

    html: str
    weight: int  # size of its content, to balance the workers
    ids: list[str] = field(default_factory=list)  # the articles it holds


# A stylesheet given to WeasyPrint beside a document rather than in it: ("url", href) or
# ("text", css), in the order the document had them.
Sheet = tuple[str, str]


@dataclass
class Split:
    """The issue cut into parts, and what the front matter and the margin layer need."""

    front_html_parts: tuple[str, str]  # the front document before and after the stub slot
    parts: list[Part]
    layer_head: str  # <html …><head>…</head> without metadata, for the margin layer
    front_refs: list[str]  # anchors the front refers to that live in the parts
    # The stylesheets taken out of the parts and the front (then `sheets`) and of the margin
    # layer (`layer_sheets`), so that a worker parses each once for all its documents; empty
    # when the documents keep their own (see _detach_sheets).
    sheets: tuple[Sheet, ...] = ()
    layer_sheets: tuple[Sheet, ...] = ()


def check_css(css_texts: list[str]) -> None:
    """Raise Unsplittable if the stylesheets use what a split layout cannot reproduce."""
    for text in css_texts:
        # Strip comments first: a word in a comment must not force the slow path.
        match = _UNSPLITTABLE_CSS.search(re.sub(r"/\*.*?\*/", "", text, flags=re.S))
        if match:
            raise Unsplittable(f"the stylesheet uses {match.group(0)!r}")


def _shell(element):
    """An empty, hidden stand-in keeping the element's place for sibling selectors."""
    from lxml import etree

    shell = etree.Element(element.tag)
    if element.get("class") is not None:
        shell.set("class", element.get("class"))
    shell.set("style", "display: none")
    return shell


def _serialize(root) -> str:
    from lxml import html as lxml_html

    return lxml_html.tostring(root, encoding="unicode", method="html",
                              doctype="<!DOCTYPE html>")


def _emptied(element):
    """A copy of an element with its attributes and leading text but no children."""
    # Built by copying, not by etree.Element: the HTML parser's trees have attribute names
    # (xml:lang) that lxml refuses to set on new elements.
    children = list(element)
    for child in children:
        element.remove(child)
    try:
        return copy.deepcopy(element)
    finally:
        for child in children:
            element.append(child)


def _bare(skeleton, with_metadata: bool):
    """A copy of <html> with its <head> (metadata dropped unless asked) and an empty <body>."""
    out = copy.deepcopy(skeleton)
    if not with_metadata:
        head = out.find("head")
        for child in list(head):
            # Titles and metadata change with every article added (the issue's authors,
            # keywords): kept out of the parts, they would invalidate every cached chunk.
            if child.tag == "title" or (child.tag == "meta" and child.get("charset") is None):
                head.remove(child)
    return out


def _add_style(root, css: str, sheets: list[Sheet] | None = None) -> None:
    """A stylesheet last in the document's order: in its head, or in `sheets` when given."""
    from lxml import etree

    if sheets is not None:
        sheets.append(("text", css))
        return
    head = root.find("head")
    style = etree.SubElement(head, "style")
    style.text = css


def _detach_sheets(root) -> list[Sheet] | None:
    """Take the stylesheets out of the issue's <head>, in order, where that changes nothing.

    WeasyPrint gives the stylesheets passed beside a document the user origin, not the
    author's: that only matters against style attributes, which cleaned articles do not
    have, and only ours (hidden shells, page breaks) carry. Anything else keeps them in:
    stylesheets outside the head, media queries, a <base>, or at-rules that register
    per document (@layer, @counter-style, @color-profile, @import).
    """
    head = root.find("head")
    if head is None or head.find("base") is not None:
        return None
    sheets: list[Sheet] = []
    moved = []
    for element in root.iter("style", "link"):
        kind = (element.get("type") or "text/css").split(";")[0].strip().lower()
        rels = (element.get("rel") or "").lower().split()
        if kind != "text/css" or (element.tag == "link" and "stylesheet" not in rels):
            continue  # WeasyPrint does not read it either
        if (element.getparent() is not head or element.get("media") is not None
                or "alternate" in rels):
            return None
        if element.tag == "style":
            text = element.text or ""
            if re.search(r"@(?:layer|counter-style|color-profile|import)\b", text, re.I):
                return None
            sheets.append(("text", text))
        elif element.get("href"):
            sheets.append(("url", element.get("href")))
        moved.append(element)
    for element in moved:
        head.remove(element)  # head children: no tail text worth keeping
    return sheets


def split_issue(html: str, target_weight: int, detach: bool = False) -> Split:
    """Cut the issue into the front matter and runs of articles of about target_weight.

    With `detach`, the documents' stylesheets are taken out where that changes nothing
    (Split.sheets): the caller has checked that the linked ones register nothing per document.
    """
    from lxml import html as lxml_html

    root = lxml_html.document_fromstring(html)
    body = root.find("body")
    if body is None or root.find("head") is None:
        raise Unsplittable("no <head> or <body>")
    sheets = _detach_sheets(root) if detach else None
    children = [c for c in body if isinstance(c.tag, str)]
    holders = [c for c in children if any(a.tag == "article" for a in c)]
    if not holders:
        raise Unsplittable("no <article> inside a body-level element")
    first, last = children.index(holders[0]), children.index(holders[-1])
    front, sections, trailing = children[:first], children[first:last + 1], children[last + 1:]
    stray = [a for a in root.iter("article") if a.getparent() not in holders]
    if stray or any(s not in holders for s in sections):
        raise Unsplittable("articles outside their sections, or other content between sections")
    if not front:
        raise Unsplittable("no front matter before the first section")

    # Runs of articles, cut after an article whose heading hashes low enough once the run has
    # some weight: a cut depends on the articles since the last cut only, so editing one
    # article moves no cut elsewhere and the other parts stay cached.
    articles = [(s, a) for s in sections for a in s if a.tag == "article"]
    weights = [len(lxml_html.tostring(a)) for _s, a in articles]
    runs, current, weight = [], [], 0
    for (section, article), size in zip(articles, weights):
        current.append((section, article))
        weight += size
        heading = next(article.iter("h1", "h2", "h3", "h4", "h5", "h6"), None)
        key = (heading.text_content() if heading is not None else "") or article.get("id") or ""
        mark = int(hashlib.sha256(str(key).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        if weight >= target_weight * 2 or (weight >= target_weight / 2 and mark < 0.35):
            runs.append((current, weight))
            current, weight = [], 0
    if current:
        runs.append((current, weight))

    skeleton = _emptied(root)  # <html> with its attributes, children put back below
    skeleton.append(copy.deepcopy(root.find("head")))
    skeleton.append(_emptied(body))
    empty = {section: _emptied(section) for section in sections}
    parts = []
    for index, (run, weight) in enumerate(runs):
        parts.append(Part(_part_html(skeleton, empty, front, sections, run,
                                     trailing if index == len(runs) - 1 else [],
                                     sheets is not None),
                          weight, [a.get("id") or "" for _s, a in run]))

    # The front matter: everything before the first section, with a slot for the stubs that
    # give target-counter() the page numbers of anchors laid out elsewhere.
    front_root = _bare(skeleton, with_metadata=True)
    front_body = front_root.find("body")
    for element in front:
        front_body.append(copy.deepcopy(element))
    front_body.append(_shell(sections[0]))
    part_sheets = None if sheets is None else [*sheets]
    _add_style(front_root, NO_MARGINS_CSS, part_sheets)
    marker = "<!--nb-stubs-->"
    from lxml import etree

    front_body.append(etree.Comment("nb-stubs"))
    text = _serialize(front_root)
    before, _, after = text.partition(marker)
    defined = {e.get("id") for el in front for e in el.iter() if e.get("id")}
    refs = []
    for element in front:
        for link in element.iter("a"):
            href = link.get("href") or ""
            if href.startswith("#") and href[1:] not in defined and href[1:] not in refs:
                refs.append(href[1:])
    layer = _bare(skeleton, with_metadata=False)
    layer_sheets = None if sheets is None else [*sheets]
    _add_style(layer, LAYER_CSS, layer_sheets)
    layer_head = _serialize(layer).rsplit("<body", 1)[0]
    return Split((before, after), parts, layer_head, refs, tuple(part_sheets or ()),
                 tuple(layer_sheets or ()))


def _part_html(skeleton, empty, front, sections, run, trailing, detached: bool) -> str:
    """One part's document: its articles in their sections, neighbours as hidden shells."""
    out = _bare(skeleton, with_metadata=False)
    body = out.find("body")
    # A forced break before the part: its first page is never the document's :first page.
    from lxml import etree

    etree.SubElement(body, "div", {"style": "break-after: page; height: 0"})
    by_section: dict = {}
    for section, article in run:
        by_section.setdefault(section, []).append(article)
    touched = list(by_section)
    everything = front + sections
    before = everything.index(touched[0])
    if before > 0:
        body.append(_shell(everything[before - 1]))
    for section in touched:
        chosen = by_section[section]
        kids = [c for c in section if isinstance(c.tag, str)]
        all_articles = [c for c in kids if c.tag == "article"]
        holder = copy.deepcopy(empty[section])
        body.append(holder)
        start = kids.index(chosen[0])
        stop = kids.index(chosen[-1])
        opens_section = chosen[0] is all_articles[0]
        if opens_section:
            start = 0  # the section's heading goes with its first article
        elif start > 0:
            holder.append(_shell(kids[start - 1]))
        if chosen[-1] is all_articles[-1]:
            stop = len(kids) - 1
        for kid in kids[start:stop + 1]:
            holder.append(copy.deepcopy(kid))
            if section is touched[0] and kid is chosen[0] and not opens_section:
                holder[-1].set(START_MARK, "")
        if section is touched[0] and opens_section:
            holder.set(START_MARK, "")
        if stop < len(kids) - 1:
            holder.append(_shell(kids[stop + 1]))
    after = everything.index(touched[-1])
    for element in trailing:
        body.append(copy.deepcopy(element))
    if not trailing and after + 1 < len(everything):
        body.append(_shell(everything[after + 1]))
    if not detached:  # otherwise it is last in Split.sheets
        _add_style(out, NO_MARGINS_CSS)
    return _serialize(out)


def _css_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def stubs_html(numbers: dict[str, int]) -> str:
    """One page of empty anchors numbered as the real ones elsewhere, for target-counter().

    An element's own `page` counter shadows the page's: target-counter(…, page) then reads
    the number given here, while the page itself keeps its number.
    """
    from markupsafe import escape

    spans = "".join(f'<span id="{escape(name)}" style="counter-reset: page {number}"></span>'
                    for name, number in numbers.items())
    return f'<div style="break-before: page">{spans}</div>' if spans else ""


def layer_html(head: str, start: int, pages: list[dict], entry: dict[str, str]) -> tuple[str, int]:
    """The margin layer for pages numbered from `start`, and how many leading pages to drop.

    Each page is empty but for the named strings set on the matching page of the content,
    so the theme's own margin boxes draw the same running heads over the real numbers.
    """
    from markupsafe import escape

    blocks, skip = [], 0
    if start > 1:
        # Leading pages that are dropped later: they carry the strings in force when the first
        # page begins, number it, and put it on the right side and off the :first page.
        skip = 1 if start % 2 == 0 else 2
        sets = ", ".join(f"{name} {_css_string(value)}" for name, value in entry.items())
        css = f"@page nb-entry {{ counter-set: page {start - skip}; }}"
        blocks.append(f"<style>{css}</style><div style=\"page: nb-entry\">"
                      + (f'<div style="{escape("string-set: " + sets)}"></div>' if sets else "")
                      + "</div>")
        if skip == 2:
            blocks.append('<div class="nb-layer-page"></div>')
    for index, page in enumerate(pages):
        style = escape(f"page: {page['name']}") if page["name"] else ""
        cls = ' class="nb-layer-page"' if blocks or index else ""
        inner = "".join(f'<div style="{escape(f"string-set: {name} {_css_string(value)}")}"></div>'
                        for name, value in page["strings"])
        blocks.append(f'<div{cls} style="{style}">{inner}</div>')
    return f"{head}<body>{''.join(blocks)}</body></html>", skip
