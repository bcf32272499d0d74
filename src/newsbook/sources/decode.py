"""Bytes to text for every reader: BOMs, declared and detected charsets, newlines."""

from __future__ import annotations

import codecs
import re

from newsbook.errors import SourceError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
# C0 controls other than tab/newline, and the XML non-characters, never belong in a book.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in its first 2 KB, if it is a known codec."""
    match = _META_CHARSET.search(data[:2048])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, *, html: bool = False, name: str = "source") -> str:
    """Decode a source file: BOM first, then (for HTML) its declared charset, UTF-8, detection."""
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding, errors="replace")
            break
    if text is None and html:
        charset = declared_charset(data)
        if charset:
            try:
                text = data.decode(charset)
            except UnicodeDecodeError:
                text = None
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _detect(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVALID_XML.sub("", text)


def _detect(data: bytes, name: str) -> str:
    """Guess a legacy encoding with charset-normalizer."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise SourceError(f"{name}: cannot tell the text encoding (binary file?)")
    return str(best)
