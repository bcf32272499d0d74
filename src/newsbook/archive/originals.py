"""The original bytes of each article's source, for attaching to the archival PDF.

Local files are read again from disk; fetched pages and feeds come from the project's HTTP
cache (requests-cache's SQLite file), which also says when each was retrieved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from newsbook.archive.pdfa import SourceFile
from newsbook.clock import source_date_epoch
from newsbook.model import Article

# Media types of the local source kinds (sources.READERS), for the attachment's /Subtype.
_LOCAL_TYPES = {"markdown": "text/markdown", "html": "text/html", "text": "text/plain"}


@dataclass(frozen=True)
class CachedPage:
    """One response in the HTTP cache."""

    content: bytes
    media_type: str
    retrieved: datetime


def cached_pages(cache_file: Path) -> dict[str, CachedPage]:
    """Every successful response in an HTTP cache, by requested and by final URL."""
    if not cache_file.is_file():
        return {}
    from requests_cache import SQLiteCache

    pages: dict[str, CachedPage] = {}
    cache = SQLiteCache(str(cache_file))
    try:
        for response in cache.filter(valid=True, expired=True):
            if response.status_code >= 300:
                continue
            header = response.headers.get("Content-Type") or ""
            media_type = header.split(";", 1)[0].strip().lower()
            created = response.created_at
            if created.tzinfo is None:
                created = created.replace(tzinfo=timezone.utc)
            page = CachedPage(response.content, media_type or "application/octet-stream",
                              created.replace(microsecond=0))
            for url in (getattr(response.request, "url", None), response.url):
                if url and (url not in pages or pages[url].retrieved < page.retrieved):
                    pages[url] = page
    finally:
        cache.close()
    return pages


def relative_source(source: str, root: Path) -> str:
    """A local source as a path relative to the project (so archives do not depend on where
    the project lies), a URL as itself."""
    if source.startswith(("http://", "https://")):
        return source
    try:
        return Path(source).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(source).as_posix()


def clamp(moment: datetime) -> datetime:
    """A time no later than SOURCE_DATE_EPOCH when that is set (as tar --clamp-mtime does)."""
    epoch = source_date_epoch()
    if epoch is not None:
        moment = min(moment, datetime.fromtimestamp(epoch, tz=timezone.utc))
    return moment.replace(microsecond=0)


def original(article: Article, root: Path, pages: dict[str, CachedPage]) -> SourceFile | None:
    """The source an article was read from, with its type and dates, or None if it is gone.

    A local file is itself; a fetched page comes from the HTTP cache; a feed entry without a
    page of its own is represented by its feed document (the cached one, or the local file).
    """
    description = f"source of \"{article.title}\""
    remote = [article.source, article.url] if article.origin or _is_url(article.source) else []
    if article.origin:
        remote.append(article.origin)
    for url in remote:
        page = pages.get(url or "")
        if page is not None:
            return SourceFile(name=_url_name(url, page.media_type), data=page.content,
                              mime=page.media_type, location=url, modified=page.retrieved,
                              retrieved=page.retrieved, description=description, url=article.url)
    local = article.origin if article.origin else article.source
    if local is None or _is_url(local):
        return None
    path = Path(local)
    try:
        data = path.read_bytes()
        modified = clamp(datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc))
    except OSError:
        return None
    return SourceFile(name=path.name, data=data, mime=_local_type(path),
                      location=relative_source(local, root), modified=modified,
                      retrieved=modified, description=description, url=article.url)


def _is_url(location: str | None) -> bool:
    return bool(location) and location.startswith(("http://", "https://"))


def _local_type(path: Path) -> str:
    """The media type of a local source file: by reader kind, else by feed-like suffix."""
    from newsbook import sources

    kind = sources.kind_of(path)
    if kind:
        return _LOCAL_TYPES[kind]
    return {".xml": "application/xml", ".rss": "application/rss+xml",
            ".atom": "application/atom+xml", ".json": "application/feed+json",
            ".opml": "text/x-opml"}.get(path.suffix.lower(), "application/octet-stream")


def _url_name(url: str, media_type: str) -> str:
    """A file name for a fetched URL: its last path segment, with an extension for its type."""
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or urlsplit(url).hostname or "page"
    extension = {"text/html": ".html", "application/xhtml+xml": ".xhtml", "text/plain": ".txt",
                 "application/rss+xml": ".xml", "application/atom+xml": ".xml",
                 "application/xml": ".xml", "text/xml": ".xml",
                 "application/json": ".json", "application/feed+json": ".json"}.get(media_type, "")
    if extension and not segment.lower().endswith(extension):
        segment += extension
    return segment


def unique_names(files: list[SourceFile]) -> list[SourceFile]:
    """The files with names made unique within one PDF, identical contents attached once."""
    seen: dict[str, SourceFile] = {}
    by_content: dict[str, SourceFile] = {}
    result = []
    for item in files:
        digest = hashlib.sha256(item.data).hexdigest()
        if digest in by_content and by_content[digest].location == item.location:
            continue
        name, stem, n = item.name, item.name, 1
        while name in seen:
            n += 1
            base, dot, ext = stem.rpartition(".")
            name = f"{base}-{n}.{ext}" if dot else f"{stem}-{n}"
        item = replace(item, name=name)
        seen[name] = item
        by_content[digest] = item
        result.append(item)
    return result
