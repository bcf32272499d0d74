"""Names, dates and titles as scraped text writes them: whether words are a person's name,
a line's date (in several languages and orders), two titles the same."""

from __future__ import annotations

import re
from datetime import datetime

_NOT_NAME = re.compile(
    r"\b(press|news|staff|editor|editorial|columnist|reporter|correspondent|contributor|writer|team|desk"
    r"|agency|wire|services?|media|reuters|ap|admin|home|menu|about|contact|search|advertisement|share"
    r"|subscribe|sign|login|log|read|more|sports?|world|business|politics|opinion|video|account|edit"
    r"|content|all|topics|the|of|in|on|for|your|our|my|this|to|with|and|new|published|updated|posted"
    r"|points|rights|(mon|tues|wednes|thurs|fri|satur|sun)day)\b", re.I)
_PARTICLES = {"van", "von", "de", "da", "del", "der", "di", "bin", "al", "ibn", "le", "la"}

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
           r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE = re.compile(
    rf"\b(\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{4}}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS},?\s+\d{{4}})\b", re.I)
# A line is a date line only if, besides the date, it holds date-ish words only.
_DATE_WORDS = re.compile(r"^(published|updated|posted|last|modified|on|at|date|am|pm|a\.m|p\.m|[a-z]{2,4}t"
                         r"|utc|gmt|et|pt|ct|mon|tue|wed|thu|fri|sat|sun|[a-z]+day|min|read|\d+)$", re.I)


def _parse_date(text: str, other_languages: bool = False, month_first: bool = True) -> datetime | None:
    """The date a date-like line gives, or None when the line is more than a date."""
    match = _DATE.search(text)
    if not match:
        # Month names in other languages ("23 novembre 2024"): dateparser knows them but is slow
        # to import, so only short header lines with a year in them get that far.
        if other_languages and len(text.split()) <= 6 and re.search(r"\b(19|20)\d\d\b", text):
            import dateparser

            value = dateparser.parse(text, settings={"STRICT_PARSING": True})
            return datetime(value.year, value.month, value.day) if value else None
        return None
    rest = re.sub(r"\d{1,2}:\d{2}(:\d{2})?|\|", " ", text[:match.start()] + " " + text[match.end():])
    if sum(not _DATE_WORDS.match(w.strip(".")) for w in re.findall(r"[\w.]+", rest)) > 2:
        return None  # a sentence that mentions a date, not a date line
    from dateutil import parser

    found = match.group(1)
    try:
        value = parser.parse(found, dayfirst=not ("/" in found and month_first) and not re.match(r"\d{4}", found))
    except (ValueError, OverflowError):
        return None
    return datetime(value.year, value.month, value.day)


def _name_like(part: str, strict: bool) -> bool:
    """Whether text is two to four capitalized words; strict also refuses "NEWS", "iPhone" and "Women's"."""
    words = part.split()
    return 2 <= len(words) <= 4 and not _NOT_NAME.search(part) and all(
        w in _PARTICLES or w[0].isupper() and re.fullmatch(r"[\w.'’-]+", w) is not None
        and not (strict and (len(w.rstrip(".")) > 1 and w.isupper() or re.search(r"['’]s$", w)))
        for w in words)


def _split_names(text: str, cut: bool = True) -> list[str]:
    """The names in the text of a byline, or [] when any part of it is not a name."""
    if cut:  # "By Jane Doe on ...", "By Jane Doe | Staff": the name ends where the rest begins
        text = re.split(r"\s+(?:on|at|in|for|[|•·–—-])(?:\s+|$)|[:;(]", text, maxsplit=1)[0]
    parts = [p.strip(" .,") for p in re.split(r"\s*(?:,|\band\b|&|\bund\b|\bet\b|\by\b|\be\b)\s*", text)]
    parts = [p for p in parts if p and not (cut and re.fullmatch(r"[A-Z]{2,4}|Jr|Sr|Ph\.?D", p))]
    return parts if parts and all(_name_like(p, strict=not cut) for p in parts) else []


def _same_title(key: str, other: str) -> bool:
    """Whether a line is the title itself or the title with a site or section name around it."""
    if other == key:
        return True
    if len(key) < 12 or key not in other:
        return False
    return bool(re.match(r"^[|:·•–—-]|[|:·•–—-]$", other.replace(key, "", 1).strip()))
