"""Whether a web page has an article at all, or is a navigation bar, an error or a sign-in page.

An extractor asked for a page's main text always finds something: on a page that is only a nav
bar it returns "Home", on an error page served with HTTP 200 "Page not found. Sorry, the page
you were looking for…", on a sign-in page the form's labels. Such a page is no article: the
reader refuses it with the reason, and the build goes on without it.

The first signal is how much text the page has outside links, forms and page chrome (nav,
header, footer, asides, comment threads): its prose. A page whose prose is a few words long, with
no picture in what was extracted, is navigation only. A page with less than a short news brief
of prose (`MIN_WORDS`), once the notices are set aside, is refused only when the page says what
it is: an error title or headline ("404", "Page not found") or notice ("could not be found"),
or sign-in and subscription notices ("Subscribe to continue reading", "Forgot your password?").
Short real articles have neither, and a 60-word brief is over the limit either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsbook.sources.page.headline import same_headline

# Page chrome: what is around the article, never in it.
_CHROME_TAGS = {"nav", "header", "footer", "aside", "menu", "dialog", "script", "style",
                "noscript", "template", "svg", "button", "select", "textarea", "label", "option",
                "iframe", "head", "title"}
# Where a site-wide sign-in box sits (a password field there says nothing about the page).
_SITE_CHROME = {"nav", "header", "footer", "aside", "menu", "dialog"}
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar", "dialog",
                 "complementary"}
# Comment threads ("Sign in to comment"), cookie banners, breadcrumbs, menus, by class or id.
_CHROME_NAME = re.compile(r"(?:^|[-_\s])(?:comments?|cookie\w*|consent|breadcrumbs?|menu|navbar|"
                          r"site-?(?:header|footer|nav))(?:$|[-_\s])", re.IGNORECASE)
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
# Prose shorter than this (letters and digits) is a nav bar's worth: "Home", "Skip to content".
MIN_PROSE = 25
# A short news brief runs to 50–80 words: below this, a page with notices is no article.
MIN_WORDS = 30
# With an error title or headline, a page is no article below this much other text.
MIN_WORDS_ERROR_TITLE = 80
# Extracted text this long is surely an article (a list of links runs to a hundred words or two).
SURE_WORDS = 500
# A notice is a short sentence; a long one that says "log in" is prose about logging in.
_NOTICE_WORDS = 20

_ERROR_TITLE = re.compile(
    r"^\W*(?:(?:error|http)\s*)?(?:404|410|500|503)\b|\b(?:page|file|article|content|story|"
    r"document)\s+(?:was\s+)?not\s+found\b|^\W*not\s+found\W*$|\b(?:404|410)\s+error\b|"
    r"\bseite\s+nicht\s+gefunden\b|\bpage\s+introuvable\b|\bp[aá]gina\s+no\s+encontrada\b|"
    r"\berror\s+404\b|\bpage\s+(?:does\s+not|doesn['’]t)\s+exist\b|\bserver\s+error\b",
    re.IGNORECASE)
_ERROR_NOTICE = re.compile(
    r"\b(?:(?:could|can)(?:\s*not|n['’]t)\s+be\s+found|not\s+(?:be\s+)?found|"
    r"(?:does\s+not|doesn['’]t|no\s+longer)\s+exists?|no\s+longer\s+available|"
    r"(?:has\s+been|may\s+have\s+been|was)\s+(?:re)?moved|broken\s+link|"
    r"check\s+the\s+(?:url|address|spelling)|something\s+went\s+wrong|an\s+error\s+occurred|"
    r"try\s+(?:searching|again|the\s+search)|(?:404|410)\b)", re.IGNORECASE)
_GATE_NOTICE = re.compile(
    r"\b(?:sign(?:ed)?\s*(?:in|up)|log(?:ged)?\s*(?:in|on)|subscri(?:be|ber|bers|ption)|"
    r"register|(?:an|your)\s+account|password|members?\s+only|unlimited\s+access|"
    r"continue\s+reading|paywall|premium\s+(?:content|article)|anmelden|abonnieren|"
    r"connectez-vous|abonnez-vous|suscr[ií]bete|iniciar\s+sesi[oó]n)\b", re.IGNORECASE)


@dataclass
class Substance:
    """What a page holds besides its chrome."""

    prose: int = 0  # letters and digits outside links, form controls and chrome
    words: int = 0  # words of prose sentences that are no error or sign-in notice
    error_title: bool = False  # the title or the page's headline says it is an error
    error_notices: list[str] = field(default_factory=list)
    gate_notices: list[str] = field(default_factory=list)
    password: bool = False  # a password field outside the page chrome


def measure(tree, title: str | None) -> Substance:
    """The prose, notices and error signals of a parsed page."""
    found = Substance()
    blocks: list[list[str]] = [[]]
    headlines: list[str] = []

    def walk(el, in_link: bool) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or _is_chrome(el, tag):
            return
        in_link = in_link or tag == "a"
        block = tag not in _INLINE
        if block:
            blocks.append([])
        if tag in ("h1", "h2") and len(headlines) < 3:
            headlines.append(" ".join(el.text_content().split()))
        if not in_link:
            blocks[-1].append(el.text or "")
        for child in el:
            walk(child, in_link)
            if not in_link:
                blocks[-1].append(child.tail or "")
        if block:
            blocks.append([])

    body = tree.find(".//body") if tree.tag != "body" else tree
    walk(body if body is not None else tree, False)
    for block in blocks:
        text = " ".join("".join(block).split())
        if not text:
            continue
        found.prose += sum(c.isalnum() for c in text)
        if same_headline(text, title):
            continue  # the headline is not the article
        for sentence in _SENTENCE_END.split(text):
            words = len(_WORD.findall(sentence))
            if words <= _NOTICE_WORDS and _ERROR_NOTICE.search(sentence):
                found.error_notices.append(sentence)
            elif words <= _NOTICE_WORDS and _GATE_NOTICE.search(sentence):
                found.gate_notices.append(sentence)
            else:
                found.words += words
    found.password = any(
        (field.get("type") or "").lower() == "password" and not any(
            a.tag in _SITE_CHROME or (a.get("role") or "").lower() in _CHROME_ROLES
            for a in field.iterancestors()) for field in tree.iter("input"))
    found.error_title = any(_ERROR_TITLE.search(t) for t in [title or "", *headlines[:1]])
    return found


def no_article(substance: Substance, images: int) -> str | None:
    """Why a page is no article (one line), or None when it may be one."""
    if substance.error_title and substance.words < MIN_WORDS_ERROR_TITLE or (
            substance.error_notices and substance.words < MIN_WORDS):
        return "no article: an error page (it says the page was not found)"
    if substance.words < MIN_WORDS and (len(substance.gate_notices) >= 2 or (
            substance.gate_notices and substance.password)):
        return "no article: a sign-in or subscription page"
    if substance.prose < MIN_PROSE and not images:
        return "no article on the page, only navigation links"
    return None


def refusal(tree, main, title: str | None) -> str | None:
    """Why a page whose extracted text is `main` (trafilatura's XML) is no article, or None."""
    if main is None:
        return None
    # An extraction this long is an article whatever the page around it: no need to look.
    if len(_WORD.findall(" ".join(main.itertext()))) >= SURE_WORDS:
        return None
    return no_article(measure(tree, title), len(main.findall(".//graphic")))


_INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i",
           "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
           "var", "wbr"}


_CONTAINERS = {"html", "body", "main", "article"}


def _is_chrome(el, tag: str) -> bool:
    if tag in _CHROME_TAGS or el.get("hidden") is not None:
        return True
    if (el.get("role") or "").lower() in _CHROME_ROLES or el.get("aria-hidden") == "true":
        return True
    # (a body or article class names what the page has: "single-post comments-open")
    return tag not in _CONTAINERS and bool(
        _CHROME_NAME.search(f"{el.get('class', '')} {el.get('id', '')}"))
