"""The theme's fonts cut down to the characters one book uses (fontTools.subset), for small EPUBs.

Licence: the shipped fonts are under the SIL OFL. Its FAQ calls a font subset to the glyphs of
one document, inside that document, embedding rather than distribution, and embedding does not
make a Modified Version that must drop a Reserved Font Name; WeasyPrint, calibre and PDF
writers subset the same way and keep the name. The subset keeps every name record (copyright,
licence and its URL) so the licence travels with the font's bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

# Always kept, whatever the text: what a reading system may draw on its own (list numbers and
# bullets, the quotes of <q> in common languages, hyphens from hyphenation, an ellipsis for a
# cut title) and ASCII, which costs a few kilobytes and keeps a reader's search box usable.
BASELINE = ("".join(chr(c) for c in range(0x20, 0x7F))
            + "\u00a0\u00ad\u2010\u2011\u2013\u2014\u2026\u2022\u25e6\u25aa\u00b7"
            + "\u201c\u201d\u2018\u2019\u201e\u201a\u00ab\u00bb\u2039\u203a\u300c\u300d")
# Attributes whose text a reading system may show instead of or beside the element.
_SHOWN = ("alt", "title", "aria-label")
# Bump when the options below change: the cache keys include it.
_VERSION = "1"
_memo: dict[str, bytes] = {}
_lock = threading.Lock()


def characters(documents: Iterable[bytes | str], extra: Iterable[str] = (),
               stylesheets: Iterable[str] = ()) -> str:
    """Every character a book can show: the documents' text and shown attributes, `extra`
    (titles and labels of the navigation ebooklib writes), the stylesheets' strings (generated
    content), the baseline, and each in both cases (text-transform)."""
    from lxml import etree

    found: set[str] = set(BASELINE)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    for document in documents:
        data = document.encode("utf-8") if isinstance(document, str) else document
        root = etree.fromstring(data, parser)
        if root is None:
            continue
        for node in root.iter():
            if isinstance(node.tag, str):
                found.update(node.text or "")
                found.update("".join(node.get(name, "") for name in _SHOWN))
            found.update(node.tail or "")
    for text in extra:
        found.update(text)
    for css in stylesheets:
        found.update(_css_strings(css))
    cased = "".join(found)
    found.update(cased.upper())
    found.update(cased.lower())
    # Controls draw nothing; everything else is looked up in each font's cmap.
    return "".join(sorted(c for c in found if c >= " " and not 0x7F <= ord(c) < 0xA0))


def _css_strings(css: str) -> str:
    """The text of every string in a stylesheet (content: "…", quotes: …)."""
    import tinycss2

    out = []

    def walk(tokens) -> None:
        for token in tokens or ():
            if token.type == "string":
                out.append(token.value)
            for child in ("content", "prelude", "arguments"):
                inner = getattr(token, child, None)
                if isinstance(inner, list):
                    walk(inner)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return "".join(out)


def subset_fonts(fonts: list[tuple[str, bytes, str]], text: str,
                 cache: Path | None = None) -> list[tuple[str, bytes, str]]:
    """The fonts (name, bytes, media type) each cut to the glyphs `text` needs; TrueType and
    OpenType only (others unchanged). `cache`: a folder keeping subsets between builds."""
    return [(name, subset_font(data, text, cache) if name.lower().endswith((".ttf", ".otf"))
             else data, media_type) for name, data, media_type in fonts]


def subset_font(data: bytes, text: str, cache: Path | None = None) -> bytes:
    """One font cut to `text`'s characters, with the layout features that shape them (kerning,
    ligatures, marks, local forms) and its hinting; the same input gives the same bytes."""
    key = hashlib.sha256(b"\0".join([_VERSION.encode(), hashlib.sha256(data).digest(),
                                     text.encode("utf-8")])).hexdigest()
    with _lock:
        found = _memo.get(key)
    if found is not None:
        return found
    path = cache / f"{key[:32]}.font" if cache is not None else None
    if path is not None:
        try:
            found = path.read_bytes()
        except OSError:
            found = None
    if not found:
        found = _subset(data, text)
        if path is not None:
            _store(path, found)
    with _lock:
        if len(_memo) > 64:  # a long-lived process (serve, archive) keeps the recent ones
            _memo.clear()
        _memo[key] = found
    return found


def _subset(data: bytes, text: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = [*options.layout_features]  # fontTools' default shaping set
    options.legacy_kern = True  # older e-reader engines (Adobe RMSDK) kern from 'kern' only
    options.notdef_outline = True
    options.hinting = True  # low-resolution e-ink screens still benefit
    options.glyph_names = False
    # recalcTimestamp=False: head.modified stays the original's, so the bytes are reproducible.
    font = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    quiet = logging.getLogger("fontTools")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "FFTM NOT subset" and the like: notes, not problems
    try:
        # The name table is kept whole (copyright, licence, names: all of it is the licence's
        # business), and set aside meanwhile: pruning it walks every table, half the time.
        names = font["name"] if "name" in font else None
        if names is not None:
            del font["name"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        if names is not None:
            font["name"] = names
        out = io.BytesIO()
        font.save(out)
    finally:
        quiet.setLevel(level)
        font.close()
    return out.getvalue()


def _store(path: Path, data: bytes) -> None:
    """Keep a subset for the next build; a cache that cannot be written is only slower."""
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
