"""Page metadata reconciled from every signal a page carries: JSON-LD, meta tags, bylines, headings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from newsbook.sources.meta import clean_string, http_url, parse_date
from newsbook.sources.page.bylines import choose_authors
from newsbook.sources.page.signals import Signals, as_list, collect, name_of, site_names
from newsbook.sources.page.titles import choose_title

__all__ = ["PageMeta", "Signals", "collect", "reconcile"]

_DATE_META = ("article:published_time", "og:published_time", "datepublished", "pubdate",
              "publishdate", "date", "dc.date", "dc.date.issued", "dcterms.created",
              "sailthru.date", "parsely-pub-date", "publication_date")


@dataclass
class PageMeta:
    """The metadata chosen for a page."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    site: str | None = None
    url: str | None = None
    language: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)


def choose_date(sig: Signals, fallback: str | None) -> datetime | None:
    """Publication date: JSON-LD, then article meta, then <time>, then the extractor's guess."""
    values = [obj.get("datePublished") for obj in sig.json_ld]
    values += [v for name in _DATE_META for v in sig.meta.get(name, ())]
    values += sig.times + [_written_date(text) for text in sig.dated]
    values += [fallback, sig.first("article:modified_time", "og:updated_time")]
    values += [obj.get("dateModified") for obj in sig.json_ld]
    for value in values:
        if isinstance(value, str) and value.strip():
            moment = parse_date(value.strip())
            if moment is not None and moment.year > 1990:
                return moment
    return None


# Year, month and day as Chinese and Japanese pages write them: "2019年2月27日", "2019年02月27日".
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def _written_date(text: str) -> str | None:
    """The ISO day of a CJK date written in a page's date element; other forms are left to
    htmldate, whose readers of English dates already look at such elements."""
    match = _CJK_DATE.search(text)
    return "{}-{:0>2}-{:0>2}".format(*match.groups()) if match else None


def _language(sig: Signals, fallback: str | None) -> str | None:
    candidates = [sig.lang] + [obj.get("inLanguage") for obj in sig.json_ld]
    candidates += [sig.first("content-language", "og:locale", "dc.language", "language"), fallback]
    for value in candidates:
        if isinstance(value, dict):
            value = value.get("alternateName") or value.get("name")
        if isinstance(value, str):
            match = re.match(r"\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*$", value)
            if match:
                return match.group(1).replace("_", "-")
    return None


def reconcile(sig: Signals, url: str | None = None, fallback: dict | None = None) -> PageMeta:
    """Choose each field from the page's signals; `fallback` holds the extractor's own guesses."""
    fallback = fallback or {}
    page_url = (sig.canonical or sig.first("og:url")
                or next((o.get("url") for o in sig.json_ld if isinstance(o.get("url"), str)), None)
                or fallback.get("url") or url)
    if page_url and not http_url(page_url):
        page_url = http_url(url) or http_url(fallback.get("url"))
    sites = site_names(sig, url or page_url)
    site = (sig.first("og:site_name")
            or next((n for n in (name_of(o.get("publisher")) for o in sig.json_ld) if n), None)
            or (sig.json_ld_site[0] if sig.json_ld_site else None) or fallback.get("sitename"))
    description = (sig.first("og:description", "description", "twitter:description")
                   or next((o["description"] for o in sig.json_ld
                            if isinstance(o.get("description"), str)), None)
                   or fallback.get("description"))
    return PageMeta(
        title=choose_title(sig, sites, fallback.get("title")),
        authors=choose_authors(sig, sites, fallback.get("author")),
        published=choose_date(sig, fallback.get("date")),
        site=clean_string(site),
        url=clean_string(page_url),
        language=_language(sig, fallback.get("language")),
        description=clean_string(description),
        tags=_tags(sig),
    )


def _tags(sig: Signals) -> list[str]:
    """Subject tags: article:tag and article:section meta, else JSON-LD keywords."""
    values = sig.meta.get("article:tag", []) + sig.meta.get("article:section", [])
    if not values:
        for obj in sig.json_ld[:1]:
            keywords = obj.get("keywords")
            values = keywords.split(",") if isinstance(keywords, str) else [
                k for k in as_list(keywords) if isinstance(k, str)]
    return list(dict.fromkeys(t for t in (clean_string(v) for v in values) if t))
