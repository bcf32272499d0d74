"""Bytes to text for every reader: BOMs, declared and detected charsets, newlines."""

from __future__ import annotations

import codecs
import re

from newsbook.model.errors import SourceError

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


def _known(name: str | None) -> str | None:
    """The codec name for a charset label, or None when Python does not know it."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in its first 2 KB, if it is a known codec."""
    match = _META_CHARSET.search(data[:2048])
    if not match:
        return None
    return _known(match.group(1).decode("ascii", "ignore"))


def decode(data: bytes, *, html: bool = False, name: str = "source",
           charset: str | None = None) -> str:
    """Decode a source: BOM, then the HTTP charset, the page's own declaration, UTF-8, detection."""
    text = None
    trusted = False  # a BOM or a working declared charset: no need to second-guess the text
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding, errors="replace")
            trusted = True
            break
    if text is None and (html or charset):
        charset = _known(charset) or (declared_charset(data) if html else None)
        if charset in _LATIN and _is_utf8(data):
            # Pages often declare Latin-1 while serving UTF-8; the bytes are the better witness.
            charset = "utf-8"
        if charset:
            try:
                text = data.decode(charset)
                trusted = True
            except UnicodeDecodeError:
                text = None
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _detect(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not trusted:
        text = repair_mojibake(text)
    return _INVALID_XML.sub("", text)


_LATIN = {"iso8859-1", "cp1252", "iso8859-15", "ascii"}


def _is_utf8(data: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte sequence (plain ASCII proves nothing)."""
    try:
        return not data.decode("utf-8").isascii()
    except UnicodeDecodeError:
        return False


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1/cp1252 ("cafÃ©"), which ftfy repairs only where it is sure."""
    if text.isascii():
        return text
    # ftfy costs ~40 ms to import: only text that can hold mojibake pays for it.
    import ftfy
    from ftfy.badness import is_bad

    # Mojibake needs non-ASCII characters: test only the lines that have some.
    sample = "\n".join(line for line in text.split("\n") if not line.isascii())
    if not is_bad(sample):
        return text
    return ftfy.fix_encoding(text)


# Encodings common on the web and in saved files: among near-equal guesses, these win,
# since short texts often decode "as well" in rare code pages (cp775 for French, say).
_COMMON = {"cp1252", "latin_1", "iso8859_15", "cp1250", "cp1251", "koi8_r", "iso8859_2",
           "shift_jis", "cp932", "euc_jp", "gb2312", "gb18030", "gbk", "big5", "euc_kr",
           "cp949", "iso8859_7", "cp1253", "iso8859_9", "cp1254", "cp1256", "iso8859_6",
           "cp1255", "iso8859_8", "tis_620", "cp874", "cp1258"}


def _detect(data: bytes, name: str) -> str:
    """Guess a legacy encoding with charset-normalizer, preferring common ones in near-ties."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise SourceError(f"{name}: cannot tell the text encoding (binary file?)")
    close = [m for m in matches if m.chaos <= best.chaos + 0.02]
    chosen = max(close, key=lambda m: (m.encoding in _COMMON, m.coherence, -m.chaos))
    return str(chosen)
