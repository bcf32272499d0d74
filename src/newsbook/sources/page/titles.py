"""An article's title from its page's signals: the headline without the site's name."""

from __future__ import annotations

import re

from newsbook.sources.meta import clean_string
from newsbook.sources.page.signals import Signals, is_site, norm

def choose_title(sig: Signals, sites: list[str], fallback: str | None) -> str | None:
    """The article's headline: the publisher's metadata title without the site's name, or the
    page's own visible headline (its h1) where that is the same story told at full length.

    The metadata comes first as Firefox's Reader View takes it (JSON-LD headline, dc:title,
    og:title, twitter:title, then the <title> judged by its separators). Social cards often
    carry a shortened or reworded title, and every field may carry the site's name: the name
    goes at either end whatever the separator, and an h1 about the same story wins.
    """
    headings = [h for h in sig.h1 if not is_site(h, sites)]
    meta, structured = _metadata_title(sig)
    if meta:
        meta = strip_site(meta, sites, headings)
    # JSON-LD's headline is the publisher's own for the article; social cards and <title> are
    # written for elsewhere (a feed, a tab) and lose to the h1 that tells the same story.
    heading = None if structured else _headline(headings, meta)
    if heading:
        return heading
    if meta:
        return meta
    return fallback or (headings[0] if len(headings) == 1 else None)


def _metadata_title(sig: Signals) -> tuple[str | None, bool]:
    """The title the page's metadata gives, in Reader View's order of trust, and whether it
    is the structured data's (JSON-LD)."""
    for obj in sig.json_ld[:1]:
        name, headline = (obj.get(k) if isinstance(obj.get(k), str) else None
                          for k in ("name", "headline"))
        name, headline = clean_string(name), clean_string(headline)
        if name and headline and name != headline and sig.doc_title:
            # Two titles: the one closer to the document's <title> is the article's.
            return max((name, headline), key=lambda t: _similarity(t, sig.doc_title)), True
        if name or headline:
            return name or headline, True
    for key in ("dc:title", "dcterm:title", "dc.title", "og:title", "weibo:article:title",
                "weibo:webpage:title", "title", "twitter:title"):
        value = sig.first(key)
        if value:
            return value, False
    if sig.doc_title:
        return title_from_document(sig.doc_title, sig.h1, sig.h2), False
    return None, False


# Between a headline and the site's (or section's) name: "|", "｜", "·", "•", "»", "/", "::",
# "–", "—", "-" or "--" with spaces, ": " and the full-width "：".
_SITE_SEPARATOR = re.compile(r"(\s+(?:[|\-–—·•»/]|::|--)\s+|\s*[|｜•»]\s*|\s*：\s*|:\s+)")


def strip_site(title: str, sites: list[str], headings: list[str] = ()) -> str:
    """A title without the site's name at either end: 'Story | Site', 'Site: Story', 'Story –
    Section – Site'. A run of segments that is one of the page's headings is the title."""
    parts = _SITE_SEPARATOR.split(title)
    segments, separators = parts[0::2], parts[1::2]
    if len(segments) == 1:
        return title
    wanted = {norm(h) for h in headings} - {""}

    def join(first: int, last: int) -> str:
        out = segments[first]
        for n in range(first + 1, last + 1):
            out += separators[n - 1] + segments[n]
        return out.strip()

    for first in range(len(segments)):
        for last in range(len(segments) - 1, first - 1, -1):
            run = norm(join(first, last))
            # Most of the title, not a short label that happens to be an h1 too ("V8").
            if ((first, last) != (0, len(segments) - 1) and run in wanted
                    and len(run) * 2 >= len(norm(title))):
                return join(first, last)
    first, last = 0, len(segments) - 1
    while last > first and _is_site_segment(segments[last], sites):
        last -= 1
    while first < last and _is_site_segment(segments[first], sites):
        first += 1
    return join(first, last) if norm(join(first, last)) else title


def _is_site_segment(segment: str, sites: list[str]) -> bool:
    """A segment that names the site: its name, or its name with a domain ending ('TMZ.com')."""
    key = norm(segment).replace(" ", "")
    if not key:
        return True  # a separator's leftovers
    for site in sites:
        skey = norm(site).replace(" ", "")
        if not skey:
            continue
        if key == skey or (len(key) >= 3 and skey.startswith(key)):
            return True
        if key.startswith(skey) and len(skey) >= 3 and len(key) - len(skey) <= 4:
            return True
    return False


def _headline(headings: list[str], meta: str | None) -> str | None:
    """The visible h1 that tells the metadata title's story at full length, if one does."""
    if not meta:
        return None
    best = max(headings, key=lambda h: _related(h, meta), default=None)
    if best is None or norm(best) == norm(meta) or _related(best, meta) < 0.5:
        return None
    # A much shorter h1 is a label ("Business", "Millennial Decorating Mistakes"), not the story.
    return best if _words(best) >= 0.6 * _words(meta) else None


def _related(a: str, b: str) -> float:
    """Share of the shorter text's words that the longer one has too (word sets, any case)."""
    words_a, words_b = set(norm(a).split()), set(norm(b).split())
    shorter, longer = sorted((words_a, words_b), key=len)
    return len(shorter & longer) / len(shorter) if shorter else 0.0


_SEPARATORS = re.compile(r" [|\-\\/>»] ")
_HIERARCHICAL = re.compile(r" [\\/>»] ")


def _words(text: str) -> int:
    return len(text.split())


def title_from_document(title: str, h1: list[str], h2: list[str] = ()) -> str:
    """The article's title inside a <title> such as 'Story - Site' or 'Site: Story'."""
    original = " ".join(title.split())
    current = original
    hierarchical = bool(_HIERARCHICAL.search(original))
    if _SEPARATORS.search(original):
        before_last = original[:list(_SEPARATORS.finditer(original))[-1].start()]
        current = before_last
        if _words(current) < 3:  # 'Site | Story': the story is after the first separator
            current = original[_SEPARATORS.search(original).end():]
    elif ": " in original:
        if not any(h.strip() == original for h in [*h1, *h2]):
            current = original[original.rindex(":") + 1:].strip()
            if _words(current) < 3:
                current = original[original.index(":") + 1:].strip()
            elif _words(original[:original.index(":")]) > 5:
                current = original
    elif (len(original) > 150 or len(original) < 15) and len(h1) == 1:
        current = h1[0]
    current = " ".join(current.split())
    separators_removed = _words(_SEPARATORS.sub(" ", original))
    if _words(current) <= 4 and (not hierarchical or _words(current) != separators_removed - 1):
        current = original
    return current


def _similarity(a: str, b: str) -> float:
    """Share of b's words that a has too."""
    words_a, words_b = set(norm(a).split()), norm(b).split()
    return sum(w in words_a for w in words_b) / len(words_b) if words_b else 0.0
