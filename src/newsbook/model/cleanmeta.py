"""An article's metadata made fit for XML, PDF metadata and file names: titles, names,
tags and summary on one line within their limits, the language and the URL checked
(clean.py cleans the body)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from newsbook.model import Article

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,6}")

# Metadata lengths: titles and names end up in the TOC, running heads, PDF bookmarks and OPF.
MAX_TITLE_LENGTH = 300
MAX_NAME_LENGTH = 200
MAX_SUMMARY_LENGTH = 2000
MAX_URL_LENGTH = 2000
MAX_LIST_ITEMS = 50  # authors, tags


def _clean_metadata(article: Article, warnings: list[str]) -> dict:
    """Titles, names and URLs fit for XML, PDF metadata and file names: one line, bounded."""
    where = article.source

    def text(value: str | None, limit: int, what: str) -> str | None:
        if value is None:
            return None
        value = " ".join(_INVALID_XML.sub(" ", value).split())
        if len(value) > limit:
            warnings.append(f"{where}: {what} shortened to {limit} characters")
            value = value[:limit - 1].rstrip() + "…"
        return value or None

    def names(values: list[str], limit: int, what: str) -> list[str]:
        if len(values) > MAX_LIST_ITEMS:
            warnings.append(f"{where}: only the first {MAX_LIST_ITEMS} {what} kept")
        kept = (text(v, limit, what[:-1]) for v in values[:MAX_LIST_ITEMS])
        return list(dict.fromkeys(v for v in kept if v))

    url = article.url
    if url is not None:
        url = url.strip()
        link = _link(url)
        if link is None or url.startswith("mailto:") or _INVALID_XML.search(url) \
                or any(c.isspace() for c in url):
            warnings.append(f"{where}: source URL dropped (not an http(s) URL)")
            link = None
        url = link
    return {
        "title": text(article.title, MAX_TITLE_LENGTH, "title") or "Untitled",
        "authors": names(article.authors, MAX_NAME_LENGTH, "authors"),
        "tags": names(article.tags, MAX_NAME_LENGTH, "tags"),
        "site": text(article.site, MAX_NAME_LENGTH, "site name"),
        "section": text(article.section, MAX_NAME_LENGTH, "section"),
        "summary": text(article.summary, MAX_SUMMARY_LENGTH, "summary"),
        "url": url,
        # Written into lang/xml:lang attributes: a language tag, or nothing.
        "language": article.language if article.language and _LANGUAGE.fullmatch(
            article.language) else None,
    }


# What may stand in a URL as it is: URL code points (WHATWG), and % before two hex digits.
# epubcheck rejects any other character (RSC-020); browsers percent-encode them, and so does
# _link(). A host with a forbidden code point cannot be fixed.
_NOT_URL = re.compile(r"[^A-Za-z0-9!$&'()*+,\-./:;=?@_~%\u00a0-\U0010ffff]|%(?![0-9A-Fa-f]{2})")
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|]")


def _link(url: str) -> str | None:
    """url as a link a reader can follow and epubcheck accepts (absolute http(s), mailto), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError when out of range
    except ValueError:  # "http://[::1": not a URL anyone can follow
        return None
    if parts.scheme == "mailto":
        if not parts.path:
            return None
    elif parts.scheme not in ("http", "https") or not parts.hostname or (
            "[" not in parts.netloc and _FORBIDDEN_HOST.search(parts.hostname)):
        return None

    if not _NOT_URL.search(url.replace("#", "", 1)):  # the first # starts the fragment
        return url if len(url) <= MAX_URL_LENGTH else None

    def encoded(part: str) -> str:
        return _NOT_URL.sub(lambda m: "".join(f"%{byte:02X}" for byte in m.group().encode(
            "utf-8", "surrogatepass")), part)

    url = (f"{parts.scheme}:" + (f"//{parts.netloc}" if parts.netloc else "")
           + encoded(parts.path + (f"?{parts.query}" if parts.query else ""))
           + (f"#{encoded(parts.fragment)}" if parts.fragment else ""))
    return url if len(url) <= MAX_URL_LENGTH else None
