"""Article bodies split into chunks: find the body's continuation containers in the page.

Many CMSs cut a long story into several body containers with an advert between them:
`<div class="article__body">` twice or more under one chunk list. trafilatura picks the first
element that looks like a body and so returns the first chunk only (half an article). Here the
container of what it extracted is located in the page, and elements of the same tag and class
near it that hold paragraphs of their own are its continuation; merged into the first one, a
second extraction reads the whole story.
"""

from __future__ import annotations

# How far up from the extracted paragraphs the body container may be, and how far up from it
# its chunks may meet it: a chunk list wraps each chunk in a layout box or two, no more.
MAX_CONTAINER_UP = 3
MAX_CHUNK_UP = 3
# A continuation chunk has prose of its own: paragraphs this long, this many letters in all.
_PARAGRAPH = 80
MIN_CHUNK_TEXT = 400
# Paragraphs of the extraction looked up in the page to find its container.
_PROBES = 6
_PREFIX = 40


def _home(paragraph) -> tuple:
    parent = paragraph.getparent()
    return (parent.tag, (parent.get("class") or "").strip()) if parent is not None else None


def _prose(element, homes: set) -> int:
    """Letters in an element's long, mostly unlinked paragraphs that sit in containers like
    those of the extracted paragraphs (not a comment or a teaser under the same layout box)."""
    total = 0
    for paragraph in element.iter("p"):
        if _home(paragraph) not in homes:
            continue
        text = " ".join(paragraph.text_content().split())
        linked = sum(len(a.text_content()) for a in paragraph.iter("a"))
        if len(text) >= _PARAGRAPH and linked < len(text) / 2:
            total += len(text)
    return total


def _lowest_common_ancestor(elements):
    paths = [list(e.iterancestors())[::-1] + [e] for e in elements]
    common = None
    for level in zip(*paths):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    return common


def continuation(tree, extracted_paragraphs: list[str]):
    """(container, [chunks]) when the extracted text sits in the first of several body chunks."""
    # Found by the start of their text, in lxml's C code: reading every paragraph of a large
    # page in Python costs more than the rest of this module.
    probes = [t for t in extracted_paragraphs if len(t) >= _PARAGRAPH][:_PROBES]
    found = []
    for probe in probes:
        matches = tree.xpath("//p[starts-with(normalize-space(.), $start)]", start=probe[:_PREFIX])
        if len(matches) == 1 and matches[0] not in found:  # (a teaser repeating it: ambiguous)
            found.extend(matches)
    if not found:
        return None
    homes = {_home(p) for p in found}
    common = _lowest_common_ancestor(found)
    candidate = common if len(found) > 1 else found[0].getparent()
    for _ in range(MAX_CONTAINER_UP):
        if candidate is None or candidate.tag in ("body", "html"):
            return None
        chunks = _chunks_of(tree, candidate, homes)
        if chunks:
            return candidate, chunks
        candidate = candidate.getparent()
    return None


def _chunks_of(tree, container, homes: set) -> list:
    """Elements after `container`, of its tag and class, near it in the page, with prose."""
    cls = (container.get("class") or "").strip()
    if not cls:
        return []
    after = False
    chunks = []
    for element in tree.iter(container.tag):
        if element is container:
            after = True
            continue
        if not after or (element.get("class") or "").strip() != cls:
            continue
        if _below(container, element) or _below(element, container):
            continue
        if any(element in c.iterdescendants() for c in chunks):
            continue
        meet = _lowest_common_ancestor([container, element])
        up = sum(1 for a in container.iterancestors() if a is not meet and _below(a, meet))
        if meet is None or up >= MAX_CHUNK_UP or _prose(element, homes) < MIN_CHUNK_TEXT:
            continue
        chunks.append(element)
    return chunks


def _below(element, ancestor) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def merge(container, chunks) -> None:
    """Move every chunk's content to the end of the container, in page order, in place."""
    for chunk in chunks:
        if chunk.text and chunk.text.strip():
            last = container[-1] if len(container) else None
            if last is not None:
                last.tail = (last.tail or "") + chunk.text
            else:
                container.text = (container.text or "") + chunk.text
        for child in list(chunk):
            container.append(child)  # lxml moves the element, with its tail
        chunk.text = None
