"""Metadata helpers shared by readers: dates, author lists, titles from file names."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any


def parse_date(value: Any) -> datetime | None:
    """A datetime from a date, datetime or written date string; None when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _usable(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if not isinstance(value, (str, int, float)):
        return None  # a list or mapping is no date (and its str() may be huge)
    text = str(value).strip()
    if len(text) > 200:
        return None  # no date is written that long; dateutil is slow on long strings
    try:
        return _usable(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    import warnings

    from dateutil import parser

    try:
        with warnings.catch_warnings():  # "IST identified but not understood": the date still is
            warnings.simplefilter("ignore")
            return _usable(parser.parse(text, fuzzy=False))
    except (ValueError, OverflowError, TypeError, AttributeError):
        # dateutil raises TypeError/AttributeError on some malformed zone strings
        return None


def _usable(moment: datetime) -> datetime:
    """The datetime, without its zone when that zone is impossible or leaves the calendar.

    dateutil accepts "+9999" as a 99-hour offset, which fails only later, when the date is
    compared or converted; "0001-01-01T00:00+05:00" has no UTC time before year 1.
    """
    if moment.tzinfo is None:
        return moment
    try:
        moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return moment.replace(tzinfo=None)
    return moment


def to_utc(moment: datetime) -> datetime:
    """Aware datetimes in UTC; naive ones are taken as UTC (so are unconvertible ones)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # an impossible offset, or no UTC time before year 1
        return moment.replace(tzinfo=timezone.utc)


def split_authors(value: Any) -> list[str]:
    """Author names from a string ("A, B and C"), a list, or a list of {name: ...} mappings."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name", "")
        if not _scalar(item):
            continue  # a nested list or mapping names nobody (and its str() may be huge)
        text = re.sub(r"^\s*by\s+", "", str(item), flags=re.I)
        for name in re.split(r"\s*(?:,|;|&|\band\b)\s*", text):
            name = " ".join(name.split())
            if name and name not in names:
                names.append(name)
    return names


def title_from_path(path: Path) -> str:
    """A readable title from a file name: '2026-11-24-city_budget' -> 'City budget'."""
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", path.stem)
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else path.stem


def clean_string(value: Any) -> str | None:
    """A trimmed single-line string, or None when empty or not a single value (list, mapping)."""
    if value is None or not _scalar(value):
        return None
    text = " ".join(str(value).split())
    return text or None


def _scalar(value: Any) -> bool:
    """A string, number, boolean or date: what may stand for a name, title or tag.

    YAML aliases can nest a list a billion items deep in a few lines of front matter;
    str() of such a value never returns.
    """
    return isinstance(value, (str, int, float, date))


def http_url(value: Any) -> str | None:
    """The value as an absolute http(s) URL, or None when it is not one ("http://[::1", "/a")."""
    from urllib.parse import urlsplit

    text = clean_string(value)
    if not text or any(c.isspace() for c in text):
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  raises ValueError for "https://example.org:99999/"
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else None
