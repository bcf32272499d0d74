"""Feed bytes made safe and decodable before feedparser reads them: UTF-16/32 and Latin-1
declarations turned to UTF-8, DOCTYPEs defused (no external or nested entities), invalid
character references dropped, the root element sniffed."""

from __future__ import annotations

import re

_XML_DECL_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([\w.:-]+)(["'])""")
_ENTITY_DECL = re.compile(rb"""<!ENTITY\s+([A-Za-z_][\w.-]{0,64})\s+"([^"]{0,200})"\s*>""")
_PROLOG_ITEM = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_DOCTYPE_TOKEN = re.compile(rb"""<!--|"[^"]*"|'[^']*'|[\[\]>]""")
# An internal entity is kept only when it cannot reference anything: literal text or one
# character reference. That rules out both external entities (XXE) and nested expansion.
_SAFE_ENTITY_VALUE = re.compile(rb'^(?:&#(?:\d{1,7}|x[0-9A-Fa-f]{1,6});|[^&%<"]{0,100})$')
_MAX_ENTITIES = 64
_CHAR_REF = re.compile(rb"&#([xX][0-9A-Fa-f]+|[0-9]+);")
_LATIN = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252",
          "cp1252", "iso-8859-15"}
_UTF16_32 = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
             (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
             (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))


def _to_utf8(data: bytes) -> bytes:
    """UTF-16/32 documents re-encoded as UTF-8 so byte-level scanning works on them."""
    for mark, encoding in _UTF16_32:
        if data.startswith(mark):
            text = data.decode(encoding, errors="replace").lstrip("\ufeff")
            return _XML_DECL_ENCODING.sub(rb"\1utf-8\3", text.encode("utf-8"), count=1)
    return data


def _skip_prolog(data: bytes) -> tuple[int, tuple[int, int] | None]:
    """Where the root element starts, and the span of the DOCTYPE declaration if any."""
    pos, doctype = (3 if data.startswith(b"\xef\xbb\xbf") else 0), None
    while True:
        pos = _PROLOG_ITEM.match(data, pos).end()
        if data[pos:pos + 9].upper() != b"<!DOCTYPE":
            return pos, doctype
        doctype = (pos, _doctype_end(data, pos))
        pos = doctype[1]


def _doctype_end(data: bytes, pos: int) -> int:
    """The offset just past a DOCTYPE declaration, internal subset included (or the end)."""
    depth, pos = 0, pos + 9
    # Regex jumps keep this linear: a hostile DOCTYPE may be megabytes long.
    while match := _DOCTYPE_TOKEN.search(data, pos):
        token, pos = match.group(), match.end()
        if token == b"<!--":
            end = data.find(b"-->", pos)
            if end < 0:
                break
            pos = end + 3
        elif token in (b"[", b"]"):
            depth = depth + 1 if token == b"[" else max(depth - 1, 0)
        elif token == b">" and depth == 0:
            return pos
    return len(data)


def _defuse(data: bytes) -> tuple[bytes, int]:
    """The document with its DOCTYPE replaced by its harmless entities; how many were dropped.

    feedparser strips only ENTITY lines it recognizes and relies on expat for the rest, so a
    DOCTYPE written on one line or with parameter entities would reach the XML parser.
    """
    doctype = _skip_prolog(data)[1]
    if doctype is None:
        return data, 0
    start, end = doctype
    declared = _ENTITY_DECL.findall(data[start:end])
    safe = [(name, value) for name, value in declared
            if _SAFE_ENTITY_VALUE.match(value)][:_MAX_ENTITIES]
    dropped = data.count(b"<!ENTITY", start, end) - len(safe)
    # One declaration a line: the form feedparser's own DOCTYPE rewriting keeps.
    lines = b"".join(b'<!ENTITY %s "%s">\n' % pair for pair in safe)
    replacement = b"<!DOCTYPE feed [\n" + lines + b"]>" if safe else b""
    return data[:start] + replacement + data[end:], dropped


def _sniff_root(data: bytes) -> bytes:
    """The local name of the root element, lower-cased ('' when there is none)."""
    head = _to_utf8(data[:65536]).lstrip(b"\xef\xbb\xbf \t\r\n")
    pos, _doctype = _skip_prolog(head)
    match = re.match(rb"<([A-Za-z_][\w.:-]*)", head[pos:])
    return match.group(1).split(b":")[-1].lower() if match else b""


def _valid_char_ref(match: re.Match[bytes]) -> bytes:
    """A character reference as it is, or U+FFFD's when it names no XML character.

    feedparser's lenient parser turns references to surrogates, NUL or code points past
    U+10FFFF into exceptions instead of parse errors.
    """
    digits = match.group(1)
    try:
        code = int(digits[1:], 16) if digits[:1] in (b"x", b"X") else int(digits)
    except ValueError:
        return b"&#xFFFD;"
    valid = (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
             or 0x10000 <= code <= 0x10FFFF)
    return match.group() if valid else b"&#xFFFD;"


def _fix_latin_declaration(data: bytes) -> tuple[bytes, str | None]:
    """Feeds that declare Latin-1/ASCII while being UTF-8 (the bytes are the better witness)."""
    match = _XML_DECL_ENCODING.match(data)
    if not match or match.group(2).decode().lower() not in _LATIN or data.isascii():
        return data, None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data, None
    note = f"declared encoding {match.group(2).decode()} but the bytes are UTF-8; read as UTF-8"
    return _XML_DECL_ENCODING.sub(rb"\1utf-8\3", data, count=1), note
