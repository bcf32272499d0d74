"""Every metadata signal a parsed page carries, gathered without judging: meta tags, JSON-LD,
headings, bylines, author links, <time> elements; and the site's names they reveal."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newsbook.sources.meta import clean_string

# Paths of author pages: /author/jane-doe, /profile/jane-doe, /people/…, /staff/…
AUTHOR_PATH = re.compile(r"/(?:authors?|profiles?|people|person|staff|writers?|contributors?|"
                          r"journalists?|byline|reporters?|columnists?)/([^/?#]+)/?(?:[?#]|$)",
                          re.IGNORECASE)
ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle",
    "liveblogposting", "techarticle", "scholarlyarticle", "report",
    "socialmediaposting", "satiricalarticle", "advertisercontentarticle", "posting",
}
_WORD = re.compile(r"\w+", re.UNICODE)
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
    dated: list[str] = field(default_factory=list)  # texts of elements whose class says "date"

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
        if not AUTHOR_PATH.search(a.get("href")):
            continue  # most links: their text is never read
        text = _text(a)
        if 0 < len(text) <= 80 and not _in_foreign_container(a):
            sig.author_links.append(text)
    lower = 'translate(@class, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")'
    for el in tree.xpath(f'//*[@itemprop="author" or contains({lower}, "byline") or '
                         f'contains({lower}, "author") or contains({lower}, "writer") or '
                         f'contains(@id, "byline")]'):
        if el.tag in ("meta", "link", "img", "script", "style", "body", "html", "article"):
            if el.tag == "meta" and el.get("content"):
                sig.bylines.append(el.get("content"))
            continue
        text = " ".join(" ".join(el.itertext()).split())  # "<span>By</span><span>Jane…"
        if text and len(text) <= 120 and not _in_foreign_container(el):
            name = el.find('.//*[@itemprop="name"]')
            sig.bylines.append(_text(name) if name is not None else text)
    # Dates written for people ("2019年2月27日") in an element the page marks as a date.
    for el in tree.xpath(f'//*[contains({lower}, "date") and not(self::meta or self::script)]'):
        text = _text(el)
        if 0 < len(text) <= 60 and not _in_foreign_container(el):
            sig.dated.append(text)
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
        types = {t.lower() for t in as_list(item.get("@type")) if isinstance(t, str)}
        if types & ARTICLE_TYPES:
            sig.json_ld.append(item)
        elif types & {"website", "organization", "newsmediaorganization"}:
            name = name_of(item)
            if name:
                sig.json_ld_site.append(name)


def as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def name_of(value) -> str | None:
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
        names.append(name_of(obj.get("publisher")))
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


def is_site(segment: str, sites: list[str]) -> bool:
    key = norm(segment).replace(" ", "")
    if not key:
        return False
    for site in sites:
        skey = norm(site).replace(" ", "")
        # "Aktuálně.cz" is the site "Aktuálně.cz - Víte, co se právě děje"; "TMZ.com" is "tmz"
        if key == skey or (len(key) >= 3 and skey.startswith(key)) or (len(skey) >= 3 and key.startswith(skey)):
            return True
    return False
