"""The article and the issue, and the stages that shape one into the other. In: Articles as the
readers made them; out: an Issue. This module is the data model every stage passes along
(Image, Article, Section, Issue); errors.py the errors every stage raises; clean.py,
cleanmeta.py and images.py make an article safe to render; select.py chooses the articles and
assemble.py makes them an issue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Image:
    """A resource embedded in the output, named by its content hash."""

    key: str  # path inside the book, e.g. images/3f2a9c41d0.jpg
    media_type: str
    data: bytes
    alt: str = ""


@dataclass(frozen=True)
class Palette:
    """The theme's colours (#rrggbb), used by the cover and the stylesheets."""

    accent: str = "#a01c24"
    ink: str = "#141418"
    paper: str = "#f7f4ec"


@dataclass(frozen=True)
class ThemeOptions:
    """The theme a project chose and its options; None means the theme's own default."""

    name: str = "modern"
    body_font: str | None = None  # a shipped family, or "serif" / "sans-serif" (none embedded)
    heading_font: str | None = None
    title_font: str | None = None  # the masthead's title
    margins: str | None = None  # PDF page margins, CSS lengths ("20mm" to "22mm 20mm 24mm 18mm")
    columns: int | None = None  # PDF text columns, 1 to 3


@dataclass
class Article:
    """One article, whatever kind of source it came from."""

    id: str
    title: str
    body: str  # XHTML fragment; sanitized once it has passed clean.clean_article
    source: str  # the path or URL it was read from
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    url: str | None = None
    site: str | None = None
    language: str | None = None
    summary: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    retrieved: datetime | None = None
    origin: str | None = None  # the feed (URL or path) an entry came from, if any
    guid: str | None = None  # a feed entry's own id (guid, Atom id), when it has one


@dataclass
class SectionRule:
    """A configured section: articles with any of its tags go in it, at most max_articles."""

    title: str
    tags: list[str] = field(default_factory=list)
    max_articles: int | None = None


@dataclass
class Section:
    """A titled group of articles in reading order."""

    title: str
    articles: list[Article]
    id: str = ""


@dataclass
class Issue:
    """Everything a template or builder needs to produce one issue."""

    title: str
    date: date
    language: str
    identifier: str
    sections: list[Section]
    subtitle: str | None = None
    number: int | None = None
    volume: int | None = None
    publisher: str | None = None
    description: str | None = None
    cover: Image | None = None
    page_size: str = "A4"
    series: str | None = None  # the collection the issue belongs to (EPUB, calibre, PDF)
    # The book's title with number and date (render.environment.book_title); None: the default.
    title_format: str | None = None
    pdf_variant: str | None = None  # None, "pdf/ua-1" (tagged) or "pdf/a-3u"
    palette: Palette = field(default_factory=Palette)
    epub_cover: bool = True  # a cover image and page in the EPUB
    theme: ThemeOptions = field(default_factory=ThemeOptions)

    @property
    def articles(self) -> list[Article]:
        """All articles in reading order."""
        return [a for s in self.sections for a in s.articles]

    @property
    def authors(self) -> list[str]:
        """Distinct article authors, in order of first appearance."""
        seen: dict[str, None] = {}
        for article in self.articles:
            for name in article.authors:
                seen.setdefault(name, None)
        return list(seen)

    @property
    def images(self) -> list[Image]:
        """Distinct images of all articles (by key), cover excluded."""
        seen: dict[str, Image] = {}
        for article in self.articles:
            for image in article.images:
                seen.setdefault(image.key, image)
        return list(seen.values())


def article_id(source: str, content: str | bytes) -> str:
    """A stable article id from where it came from and what it says."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    digest = hashlib.sha256(source.encode("utf-8") + b"\0" + content).hexdigest()
    return "a" + digest[:12]
