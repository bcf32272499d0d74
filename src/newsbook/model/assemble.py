"""Put articles together into an Issue: metadata, sections in order, articles in order."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date

from newsbook.clock import build_date
from newsbook.model import Article, Image, Issue, Palette, Section, SectionRule, ThemeOptions

DEFAULT_SECTION = "Articles"
# A fixed namespace so that the same issue always gets the same urn:uuid identifier.
_NAMESPACE = uuid.UUID("6f1c4a52-8a57-5b6e-9d0b-2d3b4e8c9a10")


@dataclass
class IssueSettings:
    """What assembly needs to know besides the articles (from config and CLI)."""

    title: str = "newsbook"
    date: date | None = None
    language: str = "en"
    subtitle: str | None = None
    number: int | None = None
    volume: int | None = None
    publisher: str | None = None
    description: str | None = None
    identifier: str | None = None
    order: str = "source"  # source | date | date-asc | title
    sections: list[str] = field(default_factory=list)  # stated section order
    section_rules: list[SectionRule] = field(default_factory=list)
    page_size: str = "A4"
    cover: Image | None = None
    series: str | None = None
    title_format: str | None = None  # the book's title (render.environment.book_title)
    pdf_variant: str | None = None
    palette: Palette = field(default_factory=Palette)
    epub_cover: bool = True
    theme: ThemeOptions = field(default_factory=ThemeOptions)


def slugify(text: str) -> str:
    """An ASCII file-name-safe slug: 'L'Été à Zürich!' -> 'l-ete-a-zurich'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].strip("-") or "issue"


def issue_identifier(settings: IssueSettings, issue_date: date) -> str:
    """A urn:uuid that stays the same across rebuilds of the same issue."""
    if settings.identifier:
        return settings.identifier
    name = f"{slugify(settings.title)}/{settings.volume or ''}/{settings.number or issue_date.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def _sort_key_date(article: Article) -> tuple[int, float]:
    if article.published is None:
        return (1, 0.0)  # undated articles go last, in source order
    moment = article.published
    stamp = moment.timestamp() if moment.tzinfo else moment.replace(tzinfo=None).timestamp()
    return (0, stamp)


def order_articles(articles: list[Article], order: str) -> list[Article]:
    """Articles in the stated order; Python's sort is stable, so ties keep source order."""
    if order == "date":
        dated = [a for a in articles if a.published is not None]
        undated = [a for a in articles if a.published is None]
        return sorted(dated, key=lambda a: -_sort_key_date(a)[1]) + undated
    if order == "date-asc":
        return sorted(articles, key=_sort_key_date)
    if order == "title":
        return sorted(articles, key=lambda a: a.title.casefold())
    return list(articles)


def section_of(article: Article, rules: list[SectionRule]) -> str:
    """A configured section whose tags the article has, else its own or its source's, else the default."""
    tags = {t.casefold() for t in article.tags}
    for rule in rules:
        if tags & {t.casefold() for t in rule.tags}:
            return rule.title
    return article.section or DEFAULT_SECTION


def assemble(articles: list[Article], settings: IssueSettings,
             today: date | None = None) -> tuple[Issue, list[Article]]:
    """An Issue from cleaned articles, grouped into sections in the stated order.

    Returns the issue and the articles that did not fit their section's limit.
    """
    grouped: dict[str, list[Article]] = {}
    for title in [r.title for r in settings.section_rules] + settings.sections:
        grouped.setdefault(title, [])
    seen_ids: set[str] = set()
    for article in articles:
        if article.id in seen_ids:  # the same file listed twice
            continue
        seen_ids.add(article.id)
        article.section = section_of(article, settings.section_rules)
        grouped.setdefault(article.section, []).append(article)
    limits = {r.title: r.max_articles for r in settings.section_rules if r.max_articles}
    dropped: list[Article] = []
    sections = []
    for title, items in grouped.items():
        ordered = order_articles(items, settings.order)
        limit = limits.get(title)
        if limit is not None:
            dropped.extend(ordered[limit:])
            ordered = ordered[:limit]
        if ordered:
            sections.append(Section(title=title, articles=ordered, id=f"s{len(sections) + 1}"))
    issue_date = settings.date or today or build_date()
    issue = Issue(
        title=settings.title,
        date=issue_date,
        language=settings.language,
        identifier=issue_identifier(settings, issue_date),
        sections=sections,
        subtitle=settings.subtitle,
        number=settings.number,
        volume=settings.volume,
        publisher=settings.publisher,
        description=settings.description,
        cover=settings.cover,
        page_size=settings.page_size,
        series=settings.series,
        title_format=settings.title_format,
        pdf_variant=settings.pdf_variant,
        palette=settings.palette,
        epub_cover=settings.epub_cover,
        theme=settings.theme,
    )
    return issue, dropped
