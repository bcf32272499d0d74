"""Scraped text whose UTF-8 was read as cp1252 (mojibake) put right, also where a byte was
lost on the way (a collapsed space), by the letters and stop words of the language."""

from __future__ import annotations

import codecs
import contextlib
import functools
import re


# UTF-8 read as cp1252 ("Ð¼Ð°"): a lead byte's character followed by a continuation byte's or a space.
_MOJIBAKE = re.compile("[\xc2-\xf4][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                       "\u2013-\u203a\u20ac\u2122 ]")
# A UTF-8 sequence cut short by a space or the line end: the scraper collapsed its NBSP or NEL byte (0xa0,
# 0x85) as whitespace.
_CUT = re.compile(rb"[\xc2-\xdf](?: |$)|[\xe0-\xef](?: [\x80-\xbf]|[\x80-\xbf](?: |$))"
                  rb"|[\xf0-\xf4](?: [\x80-\xbf]{2}|[\x80-\xbf] [\x80-\xbf]|[\x80-\xbf]{2}(?: |$))")


# Characters ftfy already repaired cannot be written in cp1252: they go back as the UTF-8 they came from.
codecs.register_error("newsbook-utf8", lambda e: (e.object[e.start:e.end].encode("utf-8"), e.end))


@functools.lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    """All jusText stop lists by language, loaded once per process because they never change."""
    import justext

    return {name: frozenset(justext.get_stoplist(name)) for name in sorted(justext.get_stoplists())}


@functools.lru_cache(maxsize=1)
def _letter_counts() -> dict[str, int]:
    """How often each character occurs in the stop words of all languages: a cheap letter frequency."""
    counts: dict[str, int] = {}
    for stops in _stoplists().values():
        for word in stops:
            for char in word:
                counts[char] = counts.get(char, 0) + 1
    return counts


def _is_stop_word(word: str) -> bool:
    """Whether the word is a stop word of any language."""
    return any(word.lower() in stops for stops in _stoplists().values())


def _restore(match: re.Match[bytes]) -> bytes:
    """The cut UTF-8 sequence with the collapsed byte put back: the one giving the commoner letter."""
    cut = match.group() if b" " in match.group() else match.group() + b" "  # stripped at the line end
    options = []
    for byte in (b"\xa0", b"\x85"):
        with contextlib.suppress(UnicodeDecodeError):
            char = cut.replace(b" ", byte).decode("utf-8")
            options.append((_letter_counts().get(char.lower(), 0), byte == b"\xa0", char.encode("utf-8")))
    if not options or not match.group().endswith(b" "):
        return max(options)[2] if options else match.group()
    # A collapsed last byte may also have swallowed a real space after it: keep one where that ends a stop word.
    before = re.search(rb"[^\s.,;:!?()\"']*$", match.string[:match.start()]).group()  # type: ignore[union-attr]
    after = re.match(rb"[^\s.,;:!?()\"']*", match.string[match.end():]).group()  # type: ignore[union-attr]
    word = (before + max(options)[2]).decode("utf-8", "ignore")
    split = after and len(word) >= 2 and _is_stop_word(word) and not _is_stop_word(word + after.decode("utf-8", "ignore"))
    return max(options)[2] + (b" " if split else b"")


def _unmojibake(line: str) -> str:
    """The line with UTF-8 read as cp1252 undone, also where ftfy gave up because bytes were lost."""
    if line.isascii() or not _MOJIBAKE.search(line):
        return line
    import ftfy.bad_codecs  # noqa: F401  registers sloppy-windows-1252, which maps all 256 bytes

    raw, restored = _CUT.subn(_restore, line.encode("sloppy-windows-1252", errors="newsbook-utf8"))
    fixed = raw.decode("utf-8", errors="surrogateescape")
    # Bytes that are no UTF-8 were cp1252 characters all along (ftfy repaired "Â«" to "«" already).
    bad = len(re.findall("[\udc80-\udcff]", fixed))
    good = sum(not char.isascii() for char in fixed) - bad - restored
    if good < 2 * (bad + restored) or good < 2:
        return line  # too little valid UTF-8 to be sure: Latin text, not mojibake
    return re.sub("[\udc80-\udcff]", lambda m: bytes([ord(m.group()) - 0xdc00]).decode("cp1252", "replace"), fixed)
