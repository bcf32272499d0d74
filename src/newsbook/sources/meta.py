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
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    import warnings

    from dateutil import parser

    try:
        with warnings.catch_warnings():  # "IST identified but not understood": the date still is
            warnings.simplefilter("ignore")
            return parser.parse(text, fuzzy=False)
    except (ValueError, OverflowError):
        return None


def to_utc(moment: datetime) -> datetime:
    """Aware datetimes in UTC; naive ones are taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def split_authors(value: Any) -> list[str]:
    """Author names from a string ("A, B and C"), a list, or a list of {name: ...} mappings."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name", "")
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
    """A trimmed single-line string, or None when empty."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None
