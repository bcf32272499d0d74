"""An article's authors from its page's signals: bylines cleaned to people's names."""

from __future__ import annotations

import re

from newsbook.sources.meta import clean_string
from newsbook.sources.page.signals import AUTHOR_PATH, Signals, as_list, is_site, name_of

# Meta names that carry a person's name (article:author also carries profile URLs: filtered).
_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                "dcterms.creator", "byl", "cxenseparse:author", "og:article:author")
# Words that introduce a byline in the languages newsbook sources are commonly written in.
_BY = re.compile(r"^\s*(?:(?:(?:written|posted|words|text|story|reported)\s+)?"
                 r"(?:by|par|por|von|door|di|da|af|av|przez|от|autor(?:in)?|author)\b[:\s]*"
                 r"|(?:著者|筆者|作者|記者|文|撰文|作者)\s*[:：]\s*)",
                 re.IGNORECASE)
# A role that is not authorship: what follows it is not an author of the article.
_NOT_AUTHOR_ROLE = re.compile(r"\b(?:edited|photos?|photographs?|pictures?|images?|illustrations?|"
                              r"video|graphics?|additional reporting|reporting|translated|"
                              r"produced|design(?:ed)?)\s+by\b.*$", re.IGNORECASE | re.DOTALL)
_ROLE_WORDS = {
    "writer", "editor", "correspondent", "reporter", "staff", "contributor", "columnist",
    "photographer", "senior", "contributing", "chief", "editorial", "team", "desk", "news",
    "author", "journalist", "analyst", "producer", "intern", "associate", "managing", "deputy",
    "opinion", "guest", "special", "political", "science", "technology", "sports", "business",
}
_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
# From a date, time or "updated" marker to the end: bylines often run into the dateline.
_DATE_TAIL = re.compile(
    rf"(?:\s*[|,·•-]?\s*)(?:\b(?:on|updated|published|posted|last updated)\b\s*:?\s*)?"
    rf"(?:\b(?:{_MONTHS})\.?\s+\d|\b\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}|\b\d{{1,2}}\s+(?:{_MONTHS})\b|"
    rf"\b(?:updated|published|posted)\b|\b\d+\s+(?:hours?|minutes?|days?)\s+ago\b).*$",
    re.IGNORECASE | re.DOTALL)
_HANDLE = re.compile(r"@\w+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_AND_OTHERS = re.compile(r"\b(?:and|&)\s+(?:others|more|\d+\s+others?)\b|\bet al\.?", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\||&|\band\b|\bund\b|\bet\b)\s*", re.IGNORECASE)
_PARTICLES = {"de", "da", "di", "do", "dos", "das", "del", "della", "der", "den", "van", "von",
              "la", "le", "du", "bin", "ibn", "al", "el", "y", "e", "ter", "ten", "zu"}


def clean_names(value) -> list[str]:
    """Author names from a byline: 'By A and B, Staff Writer | May 2, 2024' -> ['A', 'B']."""
    names: list[str] = []
    for item in as_list(value):
        text = name_of(item) if isinstance(item, dict) else clean_string(item)
        if text and (_URL.fullmatch(text.strip()) or text.startswith(("/", "http"))):
            # article:author holds profile URLs (Open Graph): ".../profile/jane-doe" is a name.
            names += [n for url in text.split(",") if (n := _name_from_url(url)) and
                      n.casefold() not in (m.casefold() for m in names)]
            continue
        if not text:
            continue
        text = _URL.sub(" ", text)
        text = _NOT_AUTHOR_ROLE.sub("", text)
        text = _DATE_TAIL.sub("", text)
        text = _AND_OTHERS.sub("", _HANDLE.sub(" ", text))
        text = _BY.sub("", text)
        for part in _NAME_SPLIT.split(text):
            part = _BY.sub("", part).strip(" \t\n-–—:：|·•()[]\"'")
            part = " ".join(part.split())
            if part.endswith(".") and len(part.split()[-1]) > 3:
                part = part[:-1]  # the end of a sentence ("By Jane Doe. Photos by …"), not "Jr."
            if not part or len(part) > 60 or not re.search(r"[^\W\d_]", part):
                continue
            if all(w.lower().strip(".") in _ROLE_WORDS for w in part.split()):
                continue
            if part.isupper() and " " in part:
                part = part.title()  # "JOE HILDEBRAND" as the book prints names
            if part.casefold() not in (n.casefold() for n in names):
                names.append(part)
    return names


def _name_from_url(url: str) -> str | None:
    """'Jane Doe' from an author page's URL (…/author/jane-doe/), if its last part is a name."""
    match = AUTHOR_PATH.search(url.strip())
    if not match:
        return None
    parts = [p for p in re.split(r"[-_.+]|%20", match.group(1)) if p]
    if not 2 <= len(parts) <= 4 or not all(p.isalpha() for p in parts):
        return None
    return " ".join(p.capitalize() for p in parts)


def looks_like_person(name: str, sites: list[str]) -> bool:
    """Two to five capitalised words, no digits, not the site's own name."""
    words = name.split()
    if not 2 <= len(words) <= 5 or re.search(r"\d|@|\.(?:com|org|net)\b", name):
        return False
    if is_site(name, sites):
        return False
    capital = [w for w in words if w.lower() not in _PARTICLES]
    return bool(capital) and all(w[:1].isupper() or w[:1] in "('" for w in capital)


def choose_authors(sig: Signals, sites: list[str], fallback: str | None) -> list[str]:
    """Authors from the most reliable signal that names a person; an organisation only if none does."""
    sources: list[list[str]] = []
    persons, others = [], []
    for obj in sig.json_ld:
        for author in as_list(obj.get("author")) + as_list(obj.get("creator")):
            kind = str(author.get("@type", "")).lower() if isinstance(author, dict) else ""
            (others if kind == "organization" else persons).extend(clean_names(author))
        if persons:
            break
    sources.append(persons)
    sources.append([n for name in _AUTHOR_META for v in sig.meta.get(name, ()) for n in clean_names(v)])
    sources.append([n for v in sig.rel_author for n in clean_names(v)])
    sources.append(next((names for names in map(clean_names, sig.author_links) if names), []))
    byline = next((names for names in map(clean_names, sig.bylines)
                   if names and any(looks_like_person(n, sites) for n in names)), [])
    sources.append(byline)
    sources.append(clean_names(fallback.replace(";", ",")) if fallback else [])
    sources.append(others)
    sources.append(next((names for names in map(clean_names, sig.bylines) if names), []))
    for names in sources:
        people = [n for n in names if looks_like_person(n, sites)]
        if people:
            # Keep the single-word names of the same source (pen names), never an organisation.
            return [n for n in names if n in people or (" " not in n and not is_site(n, sites)
                                                        and not n.isupper())]
    for names in sources:
        names = [n for n in names if not is_site(n, sites)] or names
        if names:
            return names[:3]
    return []
