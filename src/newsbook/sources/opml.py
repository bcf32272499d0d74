"""OPML subscription lists: the feeds a reader exported, folders flattened in document order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from newsbook.model.errors import SourceError
from newsbook.sources import MAX_SOURCE_BYTES
from newsbook.sources.meta import clean_string

_BARE_AMPERSAND = re.compile(rb"&(?!#\d+;|#x[0-9A-Fa-f]+;|[A-Za-z_][\w.-]*;)")


@dataclass
class Subscription:
    """One feed of a subscription list."""

    url: str  # xmlUrl
    title: str | None
    category: str | None  # the enclosing outline's text (folder), if any


def _parser(recover: bool):
    """An lxml parser that never reads files or the network and does not expand entities."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False, recover=recover)


def _parse(data: bytes, source: str):
    """The root element; bare '&'s (a common exporter bug) repaired, other damage recovered."""
    from lxml import etree

    try:
        return etree.fromstring(data, _parser(recover=False))
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc) or "loop" in str(exc):
            raise SourceError(f"{source}: not OPML (refused entity expansion: {exc})") from None
        error = exc
    # Recovery would drop '&b=2' from 'feed?a=1&b=2'; escaping bare ampersands keeps URLs whole.
    for attempt, recover in ((_BARE_AMPERSAND.sub(b"&amp;", data), False), (data, True)):
        try:
            root = etree.fromstring(attempt, _parser(recover=recover))
        except etree.XMLSyntaxError:
            continue
        if root is not None:
            return root
    raise SourceError(f"{source}: not OPML (not well-formed XML: {error})")


def _attribute(element, name: str) -> str | None:
    """An attribute by name, ignoring case (exporters write xmlUrl, xmlurl, XMLURL)."""
    wanted = name.lower()
    for key, value in element.attrib.items():
        if isinstance(key, str) and key.split("}")[-1].lower() == wanted:
            return clean_string(value)
    return None


def _normalized(url: str) -> str | None:
    """The URL with scheme and host lower-cased, or None when it is not http(s)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


def parse_opml(data: bytes, source: str) -> list[Subscription]:
    """The feeds of an OPML 1/2 subscription list, in document order, duplicates dropped."""
    if not data.strip():
        raise SourceError(f"{source}: not OPML (empty)")
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"{source}: {len(data)} bytes is over the {MAX_SOURCE_BYTES} byte limit")
    root = _parse(data, source)
    tag = root.tag.split("}")[-1].lower() if isinstance(root.tag, str) else ""
    if tag != "opml":
        raise SourceError(f"{source}: not OPML (root element is <{tag or '?'}>)")
    body = next((el for el in root if isinstance(el.tag, str) and el.tag.lower() == "body"), None)
    found: list[Subscription] = []
    seen: set[str] = set()
    skipped = 0

    def walk(parent, folder: str | None) -> None:
        nonlocal skipped
        for outline in parent:
            if not isinstance(outline.tag, str) or outline.tag.lower() != "outline":
                continue
            text = _attribute(outline, "text") or _attribute(outline, "title")
            url = _attribute(outline, "xmlUrl")
            if url is None:
                walk(outline, text or folder)  # a folder: its text names what it holds
                continue
            key = _normalized(url)
            if key is None:
                skipped += 1
            elif key not in seen:
                seen.add(key)
                title = _attribute(outline, "title") or _attribute(outline, "text")
                found.append(Subscription(url=url, title=title, category=folder))
            walk(outline, folder)  # some exporters nest items under a feed outline

    walk(body if body is not None else root, None)
    if not found:
        note = f" ({skipped} non-http(s) feed URLs skipped)" if skipped else ""
        raise SourceError(f"{source}: OPML without feeds (no outline with an xmlUrl){note}")
    return found
