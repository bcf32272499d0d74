"""Page metadata reconciled from every signal a page carries: JSON-LD, meta tags, bylines, headings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from newsbook.sources.meta import clean_string, http_url, parse_date

ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle",
    "liveblogposting", "techarticle", "scholarlyarticle", "report",
    "socialmediaposting", "satiricalarticle", "advertisercontentarticle", "posting",
}
# Meta names that carry a person's name (article:author also carries profile URLs: filtered).
_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                "dcterms.creator", "byl", "cxenseparse:author", "og:article:author")
_DATE_META = ("article:published_time", "og:published_time", "datepublished", "pubdate",
              "publishdate", "date", "dc.date", "dc.date.issued", "dcterms.created",
              "sailthru.date", "parsely-pub-date", "publication_date")
_SEPARATOR = re.compile(r"(\s*[|·•»]\s*|\s+[-–—/]\s+|:\s+)")
_WORD = re.compile(r"\w+", re.UNICODE)
# Words that introduce a byline in the languages newsbook sources are commonly written in.
_BY = re.compile(r"^\s*(?:(?:(?:written|posted|words|text|story|reported)\s+)?"
                 r"(?:by|par|por|von|door|di|da|af|av|przez|от|autor(?:in)?|author)\b[:\s]*"
                 r"|(?:著者|筆者|作者|記者|文|撰文|作者)\s*[:：]\s*)",
                 re.IGNORECASE)
# Paths of author pages: /author/jane-doe, /profile/jane-doe, /people/…, /staff/…
_AUTHOR_PATH = re.compile(r"/(?:authors?|profiles?|people|person|staff|writers?|contributors?|"
                          r"journalists?|byline|reporters?|columnists?)/([^/?#]+)/?(?:[?#]|$)",
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
# Containers whose bylines belong to other articles or to comments: the head word of one of
# their class or id names (BEM and utility prefixes such as "c-" or "js-" set aside), so that
# "related-stories" and "sidebar__item" count but "withSidebar" or "no-footer-desktop" do not.
_FOREIGN = re.compile(r"^(?:related|comments?|sidebar|recommend\w*|promo\w*|teasers?|more|"
                      r"footer|widgets?|newsletter|trending|popular|most|cards?|list|rail)$",
                      re.IGNORECASE)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _foreign_marker(marker: str) -> bool:
    """Whether a class or id names a block of other articles, comments or page furniture."""
    for name in marker.split():
        words = _NAME_WORDS.findall(name)
        while len(words) > 1 and len(words[0]) <= 2:
            words = words[1:]  # "c-related", "js-comments", "u-sidebar"
        if words and _FOREIGN.match(words[0]):
            return True
    return False


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


@dataclass
class Signals:
    """Every raw metadata value found in one page, by where it came from."""

    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name -> contents
    json_ld: list[dict] = field(default_factory=list)  # article-type objects, in page order
    json_ld_site: list[str] = field(default_factory=list)  # WebSite / Organization names
    doc_title: str | None = None
    h1: list[str] = field(default_factory=list)
    h2: list[str] = field(default_factory=list)
    canonical: str | None = None
    lang: str | None = None
    rel_author: list[str] = field(default_factory=list)
    author_links: list[str] = field(default_factory=list)  # texts of links to author pages
    bylines: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)

    def first(self, *names: str) -> str | None:
        """The first non-empty meta content among the given names."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value:
                    return value
        return None


def _text(el) -> str:
    return " ".join(el.text_content().split())


def collect(tree) -> Signals:
    """All metadata signals of a parsed page (lxml.html tree), without changing it."""
    sig = Signals()
    for el in tree.iter("meta"):
        name = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        # Some saved pages and CMS templates write the value in `value=` rather than `content=`.
        content = clean_string(el.get("content") if el.get("content") is not None
                               else el.get("value"))
        if name and content:
            sig.meta.setdefault(name.strip().lower(), []).append(content)
    for el in tree.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel and el.get("href") and not sig.canonical:
            sig.canonical = el.get("href").strip()
    title = tree.find(".//title")
    if title is not None:
        sig.doc_title = clean_string(title.text_content())
    html = tree if tree.tag == "html" else tree.getroottree().getroot()
    sig.lang = clean_string(html.get("lang") or html.get("xml:lang"))
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        _add_json_ld(sig, script.text or "")
    for heading in tree.iter("h1", "h2"):
        text = _text(heading)
        found = sig.h1 if heading.tag == "h1" else sig.h2
        if text and len(text) < 300 and text not in found:
            found.append(text)
    for a in tree.xpath('//a[contains(concat(" ", normalize-space(@rel), " "), " author ")]'):
        if not _in_foreign_container(a):
            sig.rel_author.append(_text(a))
    # A link to the author's page is a byline whatever its markup says.
    for a in tree.xpath("//a[@href]"):
        text = _text(a)
        if (0 < len(text) <= 80 and _AUTHOR_PATH.search(a.get("href", ""))
                and not _in_foreign_container(a)):
            sig.author_links.append(text)
    lower = 'translate(@class, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")'
    for el in tree.xpath(f'//*[@itemprop="author" or contains({lower}, "byline") or '
                         f'contains({lower}, "author") or contains(@id, "byline")]'):
        if el.tag in ("meta", "link", "img", "script", "style", "body", "html", "article"):
            if el.tag == "meta" and el.get("content"):
                sig.bylines.append(el.get("content"))
            continue
        text = " ".join(" ".join(el.itertext()).split())  # "<span>By</span><span>Jane…"
        if text and len(text) <= 120 and not _in_foreign_container(el):
            name = el.find('.//*[@itemprop="name"]')
            sig.bylines.append(_text(name) if name is not None else text)
    for el in tree.xpath("//time[@datetime]"):
        if el.get("itemprop") == "datePublished" or el.get("pubdate") is not None:
            sig.times.insert(0, el.get("datetime"))
        else:
            sig.times.append(el.get("datetime"))
    return sig


def _in_foreign_container(el) -> bool:
    """Whether an element sits in an aside, a nav, a footer or a related/comment block."""
    for anc in el.iterancestors():
        if anc.tag in ("body", "html"):
            break  # a class on <body> describes the whole page ("no-footer-desktop")
        if anc.tag in ("aside", "nav"):
            return True
        if anc.tag == "footer" and not any(a.tag in ("article", "main") for a in
                                           anc.iterancestors()):
            # An <article>'s own footer says who wrote it (HTML5); the page's says nothing.
            return True
        marker = f"{anc.get('class', '')} {anc.get('id', '')}"
        if marker.strip() and _foreign_marker(marker):
            return True
    return False


_MAX_JSON_LD = 1_000_000  # characters


def _add_json_ld(sig: Signals, raw: str) -> None:
    """Parse one JSON-LD script and keep its article objects and site names."""
    raw = raw.strip()
    raw = re.sub(r"^(?:<!\[CDATA\[|<!--|//\s*<!\[CDATA\[)|(?:\]\]>|-->|//\s*\]\]>)$", "", raw).strip()
    if len(raw) > _MAX_JSON_LD:
        return  # no publisher writes megabytes of metadata: not worth parsing
    try:
        data = json.loads(raw, strict=False)
    except RecursionError:  # "[[[[...": nested deeper than Python's parser goes
        return
    except ValueError:
        # Hand-written JSON-LD often has trailing commas: tolerate those, nothing more.
        try:
            data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
        except (ValueError, RecursionError):
            return
    stack = [data]  # in reverse page order: the next item is the last one
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
            continue
        if not isinstance(item, dict):
            continue
        if "@graph" in item:
            graph = item["@graph"]
            stack.extend(reversed(graph) if isinstance(graph, list) else [graph])
        types = {t.lower() for t in _as_list(item.get("@type")) if isinstance(t, str)}
        if types & ARTICLE_TYPES:
            sig.json_ld.append(item)
        elif types & {"website", "organization", "newsmediaorganization"}:
            name = _name_of(item)
            if name:
                sig.json_ld_site.append(name)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _name_of(value) -> str | None:
    """A name from a JSON-LD string or {"name": ...} object."""
    if isinstance(value, dict):
        value = value.get("name")
        if isinstance(value, list):
            value = value[0] if value else None
    return clean_string(value) if isinstance(value, str) else None


def norm(text: str | None) -> str:
    """Lower-case words only: how candidates are compared."""
    return " ".join(_WORD.findall((text or "").casefold()))


def site_names(sig: Signals, url: str | None) -> list[str]:
    """Names the site goes by: og:site_name, JSON-LD publisher and site, application name, host."""
    names = [sig.first("og:site_name"), sig.first("application-name", "apple-mobile-web-app-title")]
    for obj in sig.json_ld:
        names.append(_name_of(obj.get("publisher")))
    names += sig.json_ld_site
    names.append(sig.first("twitter:site", "twitter:site:id"))
    try:
        host = urlsplit(url or sig.canonical or sig.first("og:url") or "").hostname or ""
    except ValueError:  # "http://[::1": an unclosed IPv6 host
        host = ""
    labels = [p for p in host.split(".") if p not in ("www", "m", "amp")]
    if labels:
        names.append(".".join(labels))
        names += [p for p in labels[:-1] if len(p) >= 2]
    return [n.lstrip("@") for n in dict.fromkeys(n for n in names if n)]


def _is_site(segment: str, sites: list[str]) -> bool:
    key = norm(segment).replace(" ", "")
    if not key:
        return False
    for site in sites:
        skey = norm(site).replace(" ", "")
        # "Aktuálně.cz" is the site "Aktuálně.cz - Víte, co se právě děje"; "TMZ.com" is "tmz"
        if key == skey or (len(key) >= 3 and skey.startswith(key)) or (len(skey) >= 3 and key.startswith(skey)):
            return True
    return False


def choose_title(sig: Signals, sites: list[str], fallback: str | None) -> str | None:
    """The article's headline: the publisher's metadata title without the site's name, or the
    page's own visible headline (its h1) where that is the same story told at full length.

    The metadata comes first as Firefox's Reader View takes it (JSON-LD headline, dc:title,
    og:title, twitter:title, then the <title> judged by its separators). Social cards often
    carry a shortened or reworded title, and every field may carry the site's name: the name
    goes at either end whatever the separator, and an h1 about the same story wins.
    """
    headings = [h for h in sig.h1 if not _is_site(h, sites)]
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


def clean_names(value) -> list[str]:
    """Author names from a byline: 'By A and B, Staff Writer | May 2, 2024' -> ['A', 'B']."""
    names: list[str] = []
    for item in _as_list(value):
        text = _name_of(item) if isinstance(item, dict) else clean_string(item)
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
    match = _AUTHOR_PATH.search(url.strip())
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
    if _is_site(name, sites):
        return False
    capital = [w for w in words if w.lower() not in _PARTICLES]
    return bool(capital) and all(w[:1].isupper() or w[:1] in "('" for w in capital)


def choose_authors(sig: Signals, sites: list[str], fallback: str | None) -> list[str]:
    """Authors from the most reliable signal that names a person; an organisation only if none does."""
    sources: list[list[str]] = []
    persons, others = [], []
    for obj in sig.json_ld:
        for author in _as_list(obj.get("author")) + _as_list(obj.get("creator")):
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
            return [n for n in names if n in people or (" " not in n and not _is_site(n, sites)
                                                        and not n.isupper())]
    for names in sources:
        names = [n for n in names if not _is_site(n, sites)] or names
        if names:
            return names[:3]
    return []


def choose_date(sig: Signals, fallback: str | None) -> datetime | None:
    """Publication date: JSON-LD, then article meta, then <time>, then the extractor's guess."""
    values = [obj.get("datePublished") for obj in sig.json_ld]
    values += [v for name in _DATE_META for v in sig.meta.get(name, ())]
    values += sig.times + [fallback, sig.first("article:modified_time", "og:updated_time")]
    values += [obj.get("dateModified") for obj in sig.json_ld]
    for value in values:
        if isinstance(value, str) and value.strip():
            moment = parse_date(value.strip())
            if moment is not None and moment.year > 1990:
                return moment
    return None


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
            or next((n for n in (_name_of(o.get("publisher")) for o in sig.json_ld) if n), None)
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
                k for k in _as_list(keywords) if isinstance(k, str)]
    return list(dict.fromkeys(t for t in (clean_string(v) for v in values) if t))
