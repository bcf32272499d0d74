"""Feed reader: RSS, Atom and JSON Feed bytes to a Feed of entries (the entries to
Articles: feedentry.py; the bytes made safe first: feedbytes.py)."""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsbook.model.errors import SourceError
from newsbook.sources import MAX_SOURCE_BYTES
from newsbook.sources.feedbytes import (
    _CHAR_REF,
    _defuse,
    _fix_latin_declaration,
    _sniff_root,
    _to_utf8,
    _valid_char_ref,
)
from newsbook.sources.meta import clean_string, parse_date, split_authors, to_utc

FEED_TYPES = {
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json",
    "application/x-rss+xml", "application/x-atom+xml", "text/rss+xml", "text/atom+xml",
}
_XML_TYPES = {"application/xml", "text/xml"}
_JSON_FEED_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')
_ZONE_NAME = re.compile(r"\s[A-Z]{1,5}\s*$")


@dataclass
class FeedEntry:
    """One item of a feed, as the feed gives it."""

    title: str | None
    link: str | None  # absolute URL of the article page
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None  # aware UTC when the feed gives a zone
    summary_html: str | None = None
    content_html: str | None = None
    categories: list[str] = field(default_factory=list)
    id: str | None = None
    image: str | None = None


@dataclass
class Feed:
    """A parsed feed: channel metadata and entries in feed order."""

    title: str | None
    link: str | None
    language: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _media_type(content_type: str | None) -> str:
    """The bare, lower-case media type of a Content-Type header value."""
    return (content_type or "").split(";")[0].strip().lower()


def _is_json_feed(data: bytes) -> bool:
    """True for a JSON object whose version names JSON Feed."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped.startswith(b"{") and bool(_JSON_FEED_VERSION.search(stripped))


def looks_like_feed(data: bytes, content_type: str | None = None) -> bool:
    """True for RSS/Atom/RDF XML or JSON Feed bytes, or a feed media type."""
    if _media_type(content_type) in FEED_TYPES:
        return True
    if _is_json_feed(data):
        return True
    root = _sniff_root(data)
    if root in (b"rss", b"feed", b"channel"):
        return True
    # RDF is a general format: only RSS 1.0 (or Netscape's 0.90) RDF is a feed.
    return root == b"rdf" and (b"purl.org/rss/1.0" in data[:65536]
                               or b"my.netscape.com/rdf/simple" in data[:65536])


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> Feed:
    """Entries and metadata of RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed bytes; never fetches."""
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"{url}: {len(data)} bytes is over the {MAX_SOURCE_BYTES} byte limit")
    if _is_json_feed(data) or _media_type(content_type) in ("application/feed+json",
                                                             "application/json"):
        if _sniff_root(data) == b"":
            return _parse_json_feed(data, url)
    return _parse_xml_feed(data, url, content_type)


def _parse_xml_feed(data: bytes, url: str, content_type: str | None) -> Feed:
    """RSS/Atom through feedparser, after removing anything that could fetch or expand."""
    import feedparser

    warnings: list[str] = []
    data, dropped = _defuse(_to_utf8(data))
    if dropped:
        warnings.append(f"{dropped} entity declaration(s) ignored (external or nested)")
    data, note = _fix_latin_declaration(data)
    data = _CHAR_REF.sub(_valid_char_ref, data)
    headers = {"content-location": url, "content-type": "application/xml"}
    media = _media_type(content_type)
    if media in FEED_TYPES | _XML_TYPES and not note:
        headers["content-type"] = content_type or media
    if note:
        warnings.append(note)
    # Bytes go in a stream: feedparser.parse(bytes) would try them as a file name first.
    try:
        result = feedparser.parse(io.BytesIO(data), response_headers=headers,
                                  resolve_relative_uris=True, sanitize_html=True)
    except RecursionError:
        raise SourceError(f"{url}: not a feed (elements nested too deeply)") from None
    except Exception as exc:  # noqa: BLE001  feedparser reports damage as "bozo", never raises:
        # anything it raises is its own bug on hostile input, and the feed is unreadable.
        raise SourceError(f"{url}: not a feed (the feed parser failed: "
                          f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None
    problem = _bozo_warning(result)
    channel = result.get("feed", {})
    if not result.entries and (not result.get("version") or problem and not
                               (channel.get("title") or channel.get("link"))):
        reason = problem or "no RSS, Atom or JSON Feed document"
        raise SourceError(f"{url}: not a feed ({reason})")
    if problem:
        warnings.append(problem)
    if not result.entries:
        warnings.append("feed has no entries")
    feed_authors = _authors(channel) if result.get("version", "").startswith("atom") else []
    import warnings as python_warnings

    with python_warnings.catch_warnings():
        # feedparser warns on every entry that lacks <published> (its updated->published
        # fallback); _xml_entry reads both fields itself.
        python_warnings.simplefilter("ignore", DeprecationWarning)
        entries = [_xml_entry(e, url, feed_authors) for e in result.entries]
    return Feed(title=_plain(channel.get("title"), channel.get("title_detail")),
                link=_absolute(channel.get("link"), url),
                language=clean_string(channel.get("language")), entries=entries,
                warnings=warnings)


def _bozo_warning(result: Any) -> str | None:
    """A one-line warning for what feedparser found wrong, None when nothing that matters."""
    exc = result.get("bozo_exception")
    # A served type like text/plain says nothing about the document: not worth a warning.
    if not result.get("bozo") or type(exc).__name__ == "NonXMLContentType":
        return None
    if type(exc).__name__ in ("CharacterEncodingOverride", "CharacterEncodingUnknown"):
        return f"wrong or unknown declared encoding, read as {result.get('encoding')}"
    message = " ".join(str(exc).split()) or type(exc).__name__
    return f"malformed XML ({message}), read what could be read"


def _xml_entry(entry: Any, url: str, feed_authors: list[str]) -> FeedEntry:
    """A FeedEntry from one feedparser entry."""
    base = (entry.get("title_detail") or entry.get("summary_detail") or {}).get("base") or url
    content = None
    for item in sorted(entry.get("content", []), key=lambda c: -len(c.get("value") or "")):
        content = _as_html(item.get("value"), item.get("type"))
        if content:
            break
    summary = _as_html(entry.get("summary"), (entry.get("summary_detail") or {}).get("type"))
    if summary and content and summary.strip() == content.strip():
        summary = None  # feedparser copies Atom content into summary when there is none
    tags = [clean_string(t.get("label") or t.get("term")) for t in entry.get("tags", [])]
    return FeedEntry(
        title=_plain(entry.get("title"), entry.get("title_detail")),
        link=_absolute(entry.get("link"), base), authors=_authors(entry) or list(feed_authors),
        published=_entry_date(entry), summary_html=summary, content_html=content,
        categories=list(dict.fromkeys(t for t in tags if t)), id=clean_string(entry.get("id")),
        image=_xml_image(entry, base))


def _authors(item: Any) -> list[str]:
    """Author names of a feedparser entry or feed, e-mail addresses left out."""
    names = [a.get("name") for a in item.get("authors") or [] if isinstance(a, dict)]
    names = split_authors([n for n in names if n]) or split_authors(item.get("author"))
    return [name for name in names if "@" not in name]


def _entry_date(entry: Any) -> datetime | None:
    """Published (else updated) time: aware UTC when the feed gives a zone, naive otherwise."""
    for key in ("published", "updated", "created"):
        raw, parsed = entry.get(key) or "", entry.get(f"{key}_parsed")
        if parsed and _ZONE_NAME.search(raw) and (moment := _from_struct(parsed)):
            # feedparser knows zone names (EST, GMT) that dateutil only warns about; it gives UTC.
            return moment
        moment = parse_date(raw) if raw else None
        if moment is not None:
            try:
                return to_utc(moment) if moment.tzinfo else moment
            except (ValueError, OverflowError):  # year 1 in a zone east of UTC
                pass
        if parsed and (moment := _from_struct(parsed)):  # a format only feedparser reads
            return moment
    return None


def _from_struct(parsed: Any) -> datetime | None:
    """An aware UTC datetime from feedparser's time tuple; None when it is no real date."""
    try:
        return datetime(*parsed[:6], tzinfo=timezone.utc)
    except (ValueError, OverflowError, TypeError):  # year -1, month 0: feedparser passes those
        return None


def _xml_image(entry: Any, base: str) -> str | None:
    """The URL of the entry's image: media:content, an image enclosure, a thumbnail, itunes."""
    candidates = [m.get("url") for m in entry.get("media_content", [])
                  if m.get("medium") == "image" or (m.get("type") or "").startswith("image/")]
    candidates += [link.get("href") for link in entry.get("links", [])
                   if link.get("rel") == "enclosure"
                   and (link.get("type") or "").startswith("image/")]
    candidates += [m.get("url") for m in entry.get("media_thumbnail", [])]
    candidates.append((entry.get("image") or {}).get("href"))
    return next(filter(None, (_absolute(c, base) for c in candidates)), None)


def _absolute(link: Any, base: str) -> str | None:
    """An absolute http(s) URL, or None for anything else (javascript:, tag:, empty)."""
    link = clean_string(link)
    if not link:
        return None
    try:
        full = urljoin(base, link)
        return full if urlsplit(full).scheme in ("http", "https") else None
    except ValueError:  # "http://[::1": an unclosed IPv6 host
        return None


def _as_html(value: str | None, media_type: str | None) -> str | None:
    """An HTML fragment from a feed text construct; plain text escaped into paragraphs."""
    if not value or not value.strip():
        return None
    if media_type == "text/plain":
        return text_to_html(value)
    return value.strip()


def _plain(value: Any, detail: Any = None) -> str | None:
    """A single-line plain string; markup stripped when the feed says the text is HTML."""
    if value and detail and detail.get("type") in ("text/html", "application/xhtml+xml"):
        value = html_text(value)
    return clean_string(value)


def text_to_html(text: str) -> str:
    """Plain text as escaped <p>s, one a blank-line separated block, line breaks kept."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    return "".join("<p>" + "<br/>".join(html.escape(line.strip()) for line in b.split("\n"))
                   + "</p>" for b in blocks)


def html_text(fragment: str | None) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    if not fragment or not fragment.strip():
        return ""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return " ".join(re.sub(r"<[^>]*>", " ", fragment).split())
    for junk in root.xpath(".//script|.//style"):
        junk.drop_tree()
    return " ".join(" ".join(root.itertext()).split())


def _parse_json_feed(data: bytes, url: str) -> Feed:
    """A JSON Feed 1.0/1.1 document (feedparser 6 does not read JSON Feed)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"{url}: not a feed (invalid JSON: {exc})") from None
    except RecursionError:
        raise SourceError(f"{url}: not a feed (JSON nested too deeply)") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise SourceError(f"{url}: not a feed (JSON without a JSON Feed version)")
    warnings: list[str] = []
    items = doc.get("items")
    if not isinstance(items, list):
        warnings.append("JSON Feed without an items list")
        items = []
    feed_authors = split_authors(_json_names(doc))
    entries = [_json_entry(item, url, feed_authors) for item in items if isinstance(item, dict)]
    if not entries:
        warnings.append("feed has no entries")
    return Feed(title=clean_string(_str(doc.get("title"))),
                link=_absolute(_str(doc.get("home_page_url")), url),
                language=clean_string(_str(doc.get("language"))), entries=entries,
                warnings=warnings)


def _str(value: Any) -> str | None:
    """A string field of a JSON document, None for anything else (numbers, lists, null)."""
    return value if isinstance(value, str) else None


def _json_names(item: dict) -> list[str]:
    """Author names from JSON Feed 1.1 `authors` or 1.0 `author`."""
    authors = item.get("authors") or item.get("author") or []
    if not isinstance(authors, list):
        authors = [authors]  # 1.0's single author object (or junk, filtered below)
    return [a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)]


def _json_entry(item: dict, url: str, feed_authors: list[str]) -> FeedEntry:
    """A FeedEntry from one JSON Feed item; relative URLs resolved against the feed URL."""
    content = _str(item.get("content_html"))
    content = _absolute_links(content, url) if content and content.strip() else None
    if content is None and _str(item.get("content_text")):
        content = text_to_html(item["content_text"]) or None
    summary = _str(item.get("summary"))
    attachments = item.get("attachments") if isinstance(item.get("attachments"), list) else []
    images = [item.get("image"), item.get("banner_image")] + [
        a.get("url") for a in attachments
        if isinstance(a, dict) and str(a.get("mime_type", "")).startswith("image/")]
    moment = parse_date(_str(item.get("date_published")) or _str(item.get("date_modified")))
    item_id = item.get("id")
    tags = item.get("tags") if isinstance(item.get("tags"), list) else []
    tags = [clean_string(tag) for tag in tags if isinstance(tag, str)]
    return FeedEntry(
        title=clean_string(_str(item.get("title"))),
        link=_absolute(_str(item.get("url")) or _str(item.get("external_url")), url),
        authors=split_authors(_json_names(item)) or list(feed_authors),
        published=to_utc(moment) if moment and moment.tzinfo else moment,
        summary_html=text_to_html(summary) if summary and summary.strip() else None,
        content_html=content, categories=list(dict.fromkeys(t for t in tags if t)),
        id=clean_string(item_id) if isinstance(item_id, (str, int)) else None,
        image=next(filter(None, (_absolute(_str(u), url) for u in images)), None))


def _absolute_links(fragment: str, base: str) -> str:
    """An HTML fragment with relative href/src made absolute (feedparser does this for XML)."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment
    root.make_links_absolute(base, resolve_base_href=False, handle_failures="ignore")
    inner = (html.escape(root.text) if root.text else "")
    return inner + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)
