"""Feed entries to Articles: whether an entry carries the whole article or only a teaser
(then the linked page is read), and the Article made from the entry and that page."""

from __future__ import annotations

import html
import re
from datetime import datetime

from newsbook.model import Article, article_id
from newsbook.sources.feed import Feed, FeedEntry, html_text
from newsbook.sources.page.headline import drop_title_heading

_TEASER_END = re.compile(
    r"(?:\[(?:…|\.\.\.)\]|…|\.\.\.|read (?:the )?(?:more|full (?:article|story|post))|"
    r"continue reading|keep reading|lire la suite|weiterlesen|leer más|leggi tutto)"
    r"[\s\W]{0,40}(?:comments?)?\W*$", re.I)
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")

SUMMARY_CHARS = 300


def has_full_text(entry: FeedEntry, min_words: int = 150) -> bool:
    """True when the entry itself carries the article; False for teasers (fetch the link)."""
    body = entry.content_html or entry.summary_html
    text = html_text(body)
    if not text or _TEASER_END.search(text[-160:]):
        return False
    words = len(_WORD.findall(text))
    if words >= min_words:
        return True  # long enough to be the article, whether it came as content or description
    if not entry.content_html:
        return False
    # A short post (a note, a link with comment) is complete when its content is clearly
    # more than the summary: the teaser is the summary, not the content.
    teaser = len(_WORD.findall(html_text(entry.summary_html)))
    return words >= max(2 * teaser, min_words // 3)


def entry_article(entry: FeedEntry, feed: Feed, feed_url: str, page: Article | None = None,
                  retrieved: datetime | None = None) -> Article:
    """The Article for an entry: the linked page when given, the entry's own content otherwise."""
    summary = _short(html_text(entry.summary_html)) or None
    source = entry.link or f"{feed_url}#{entry.id or entry.title or ''}"
    if page is None:  # an empty page stands in, so the entry fills every field
        page = Article(id="", title="", body="", source=source, retrieved=retrieved)
    title = (page.title or entry.title
             or _short(html_text(entry.content_html or entry.summary_html), 80)
             or feed.title or "Untitled")
    body = page.body or drop_title_heading(entry.content_html or entry.summary_html or "", title) \
        or f"<p>{html.escape(title)}</p>"
    return Article(
        id=article_id(entry.link or entry.id or title, body), title=title, body=body,
        source=source, authors=page.authors or list(entry.authors),
        published=page.published or entry.published, url=entry.link or page.url,
        site=feed.title or page.site, language=page.language or feed.language,
        summary=summary or page.summary, section=page.section,
        tags=page.tags or list(entry.categories), images=list(page.images),
        retrieved=retrieved or page.retrieved, guid=entry.id)


def _short(text: str, limit: int = SUMMARY_CHARS) -> str:
    """Text cut at a word boundary to about limit characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–— ") + "…"
