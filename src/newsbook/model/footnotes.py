"""Footnotes in article bodies, found by their links both ways and marked up as notes.

Markdown (markdown-it, Python-Markdown, pandoc, kramdown, Hugo) and wikis write a footnote the
same way: a reference links to a list item, and the item links back to the reference (or to
the <sup> around it). That pair of links, not a class name, is what is recognised here, so the
sanitizer needs nothing beyond the ids and fragment links it keeps anyway. A list made only of
such items becomes <div class="footnotes"> of <aside role="doc-footnote">; the references get
role="doc-noteref", the links back role="doc-backlink" (the EPUB drops them, print hides them).
"""

from __future__ import annotations

import re

# markdown-it writes "[1]", and "[1:2]" for the second reference to note 1.
_BRACKETED = re.compile(r"\A\s*\[([^\[\]:]+)(?::\d+)?\]\s*\Z")
# A reference is the link itself or, as Python-Markdown and wikis write it, the <sup> around it.
_REFERENCE_LEVELS = 2


def mark(root) -> int:
    """Mark the footnotes under `root` (ids final, links resolved); returns how many."""
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    links: dict[str, list] = {}
    for link in root.iter("a"):
        href = link.get("href") or ""
        if href.startswith("#") and href[1:] in ids:
            links.setdefault(href[1:], []).append(link)
    found = 0
    for ol in list(root.iter("ol", "ul")):
        items = [child for child in ol if child.tag == "li"]
        notes = [_note(item, ids, links) for item in items]
        if not items or not all(notes):
            continue
        start = int(ol.get("start", "1")) if ol.tag == "ol" else 1
        _to_asides(ol, items, notes, start)
        found += len(items)
    return found


def _note(item, ids: dict, links: dict) -> tuple[list, list] | None:
    """A footnote item's references and links back, or None when it is no footnote."""
    note_id = item.get("id")
    references = [link for link in links.get(note_id or "", []) if not _inside(link, item)]
    if not references:
        return None
    # What a link back may point at: each reference or one of its nearest ancestors.
    targets = set()
    for link in references:
        element = link
        for _level in range(_REFERENCE_LEVELS):
            if element is None:
                break
            if element.get("id"):
                targets.add(element.get("id"))
            element = element.getparent()
    backs = [link for link in item.iter("a") if (link.get("href") or "")[1:] in targets
             and (link.get("href") or "").startswith("#")]
    return (references, backs) if backs else None


def _inside(element, ancestor) -> bool:
    while element is not None:
        if element is ancestor:
            return True
        element = element.getparent()
    return False


def _to_asides(ol, items: list, notes: list, start: int) -> None:
    """The list as a div of asides, each numbered as the list numbered it."""
    from lxml import etree

    box = etree.Element("div", {"class": "footnotes"})
    box.text = "\n"
    rule = ol.getprevious()
    if rule is not None and rule.tag == "hr" and not (rule.tail or "").strip():
        # The rule that opened the notes goes with them (a reader that hides notes hides it).
        rule.getparent().remove(rule)
        rule.tail = "\n"
        box.append(rule)
    for number, (item, (references, backs)) in enumerate(zip(items, notes), start):
        for link in references:
            link.set("role", "doc-noteref")
            match = _BRACKETED.match(link.text or "") if len(link) == 0 else None
            if match:
                link.text = match.group(1)  # "[1]" inside a <sup> reads as a bare 1
        for link in backs:
            link.set("role", "doc-backlink")
        aside = etree.SubElement(box, "aside", {"id": item.get("id"), "role": "doc-footnote"})
        aside.tail = "\n"
        label = etree.Element("span", {"class": "footnote-label"})
        label.text = f"{number}."
        first = item[0] if len(item) and not (item.text or "").strip() else None
        # The number opens the note's first paragraph (or the note itself, if it has none).
        holder = first if first is not None and first.tag == "p" else aside
        aside.text = item.text
        for child in list(item):
            aside.append(child)
        if holder is aside:
            label.tail = " " + (aside.text or "").lstrip()
            aside.text = None
        else:
            label.tail = " " + (holder.text or "").lstrip()
            holder.text = None
        holder.insert(0, label)
    box.tail = ol.tail
    ol.getparent().replace(ol, box)
