"""What Send to Kindle rejects in an EPUB, made right before the book is zipped.

Kindle's converter fails (often with the bare error E999) on a document without an XML
declaration naming UTF-8, on links to the id of a `<body>`, on an invalid `dc:language`, on
an `<img>` without `src`, and on WebP images. Templates a project overrides can bring any of
the first four; images are made JPEG or PNG when they are read (model/images.py).
"""

from __future__ import annotations

import re

DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
FALLBACK_LANGUAGE = "en"
_DECLARED = re.compile(rb"\A\s*<\?xml\b[^>]*\?>\s*")
_UTF8 = re.compile(rb"""encoding\s*=\s*["']utf-?8["']""", re.IGNORECASE)


def valid_language(tag: str | None) -> bool:
    """True for a well-formed BCP 47 tag whose subtags are registered (IANA), as Kindle needs."""
    import langcodes

    # langcodes also takes "en_US"; a dc:language must be written with hyphens.
    return bool(tag) and "_" not in tag and langcodes.tag_is_valid(tag)


def book_language(tag: str | None) -> tuple[str, str | None]:
    """The dc:language to write and, when `tag` is not valid, the warning that says so."""
    if valid_language(tag):
        return tag, None
    return FALLBACK_LANGUAGE, (f"language {tag!r} is not a valid BCP 47 tag; the EPUB says "
                               f"{FALLBACK_LANGUAGE!r} (Kindle refuses books whose language it "
                               "cannot read): set [issue] language")


def declared(content: bytes) -> bytes:
    """The document with an XML declaration naming UTF-8 first (its bytes are UTF-8)."""
    match = _DECLARED.match(content)
    if match and _UTF8.search(match.group(0)):
        return content
    return DECLARATION + content[match.end():] if match else DECLARATION + content


def fix_documents(documents: dict[str, bytes]) -> dict[str, bytes]:
    """Documents by file name made Kindle-safe: each declared UTF-8, links to a `<body>` id
    pointed at the document itself, `<img>` without a source dropped. Untouched documents keep
    their bytes."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    trees: dict[str, object] = {}
    bodies: dict[str, str] = {}
    for name, content in documents.items():
        try:
            tree = etree.fromstring(content, parser).getroottree()
        except etree.XMLSyntaxError:
            continue  # not well-formed: epubcheck says so; nothing here to repair
        trees[name] = tree
        body = tree.find("{http://www.w3.org/1999/xhtml}body")
        if body is not None and body.get("id"):
            bodies[name] = body.get("id")
    fixed = {}
    for name, content in documents.items():
        tree = trees.get(name)
        if tree is not None and _repair(tree, name, bodies):
            content = etree.tostring(tree, encoding="utf-8", xml_declaration=False,
                                     doctype=tree.docinfo.doctype or None)
        fixed[name] = declared(content)
    return fixed


def _repair(tree, name: str, bodies: dict[str, str]) -> bool:
    """Fix one parsed document in place; True when anything changed."""
    changed = False
    for img in list(tree.iter("{http://www.w3.org/1999/xhtml}img")):
        if not (img.get("src") or "").strip():
            _remove(img)
            changed = True
    if not bodies:
        return changed
    for link in tree.iter("{http://www.w3.org/1999/xhtml}a"):
        href = link.get("href") or ""
        target, _, fragment = href.partition("#")
        if not fragment or ":" in target:
            continue
        document = _resolve(name, target)
        if bodies.get(document) == fragment:
            link.set("href", target or name.rsplit("/", 1)[-1])
            changed = True
    return changed


def _resolve(name: str, target: str) -> str:
    """A relative link's file name, from the document `name` it is in (same folder or below)."""
    if not target:
        return name
    folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
    return folder + target


def _remove(element) -> None:
    """Take an element out, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    previous = element.getprevious()
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
