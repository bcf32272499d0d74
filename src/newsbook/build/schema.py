"""newsbook.toml's schema: the tables and keys it may have, their types and the values
they default to, as the dataclasses a loaded config is (loading and checking: config.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from newsbook.model import Palette, SectionRule, ThemeOptions
from newsbook.render.themes import FONT_CHOICES, MAX_COLUMNS, THEMES


CONFIG_NAME = "newsbook.toml"
FORMATS = ("epub", "pdf", "html", "kepub")
DEFAULT_FORMATS = ("epub", "pdf")  # html is asked for by name
ORDERS = ("source", "date", "date-asc", "title")
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3u", "none")
PAGE_SIZES = ("A3", "A4", "A5", "B4", "B5", "letter", "legal", "ledger")

SOURCE_KINDS = ("path", "url", "urls", "links", "feed", "opml")


@dataclass
class SourceConfig:
    """One [[sources]] entry: where articles come from, and what to do with them."""

    kind: str  # path | url | feed | opml (urls and links files expand to url entries)
    location: str  # a path (absolute) or a URL
    section: str | None = None
    max_articles: int | None = None
    full_text: bool | None = None  # None: fetch the page when the feed has only a summary
    since: str | None = None  # a date window, resolved against the build time
    until: str | None = None


@dataclass
class FetchConfig:
    """[network] (formerly [fetch]): deadlines, retries and politeness of the fetcher."""

    timeout: float = 30.0  # wall clock for one URL, connect and whole body, retries included
    deadline: float | None = None  # wall clock for all of a build's fetching
    retries: int = 3
    max_bytes: int = 20 * 1024 * 1024
    per_host: int = 2
    delay: float = 0.0  # seconds between two requests to one host
    workers: int = 8


@dataclass
class Config:
    """A project's settings, with defaults filled in."""

    root: Path
    title: str = "newsbook"
    subtitle: str | None = None
    publisher: str | None = None
    language: str = "en"
    description: str | None = None
    date: date | None = None
    number: int | str | None = None  # an integer, or "auto": the next after the last built
    volume: int | None = None
    series: str | None = None
    title_format: str | None = None  # the book's title with number and date
    identifier: str | None = None
    cover: Path | None = None
    formats: list[str] = field(default_factory=lambda: list(DEFAULT_FORMATS))
    output_dir: Path = Path("_build")
    order: str = "source"
    page_size: str = "A4"
    sections: list[str] = field(default_factory=list)
    image_size: int = 1600
    pdf_variant: str | None = None
    palette: Palette = field(default_factory=Palette)
    theme: ThemeOptions = field(default_factory=ThemeOptions)
    epub_cover: bool = True
    since: str | None = None
    until: str | None = None
    undated: str = "include"
    max_articles: int | None = None
    include_tags: list[str] = field(default_factory=list)
    exclude_tags: list[str] = field(default_factory=list)
    section_rules: list[SectionRule] = field(default_factory=list)
    sources: list[SourceConfig] = field(default_factory=list)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    deliver: DeliverSettings | None = None  # [deliver]: mailing books (newsbook send)


# table -> key -> (expected type(s), description for errors)
_SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], str]]] = {
    "issue": {
        "title": ((str,), "a string"),
        "subtitle": ((str,), "a string"),
        "publisher": ((str,), "a string"),
        "language": ((str,), "a language tag such as \"en\""),
        "description": ((str,), "a string"),
        "date": ((date, str), "a date (YYYY-MM-DD)"),
        "number": ((int, str), 'an integer or "auto"'),
        "volume": ((int,), "an integer"),
        "series": ((str,), "a string"),
        "title_format": ((str,), 'a format such as "{title} — {no} {number}, {date}"'),
        "identifier": ((str,), "a string"),
        "cover": ((str,), "a path to an image"),
    },
    "build": {
        "formats": ((list,), f"a list of formats from {list(FORMATS)}"),
        "output_dir": ((str,), "a folder path"),
        "order": ((str,), f"one of {list(ORDERS)}"),
        "page_size": ((str,), f"one of {list(PAGE_SIZES)}"),
        "sections": ((list,), "a list of section titles"),
        "image_size": ((int,), "a number of pixels (the long side of images)"),
        "since": ((str, date), 'a date (YYYY-MM-DD) or a span such as "7 days"'),
        "until": ((str, date), 'a date (YYYY-MM-DD) or a span such as "7 days"'),
        "undated": ((str,), '"include" or "exclude"'),
        "max_articles": ((int,), "a positive integer"),
        "include_tags": ((list,), "a list of tags"),
        "exclude_tags": ((list,), "a list of tags"),
    },
    "sections": {
        "title": ((str,), "a section title"),
        "tags": ((list,), "a list of tags"),
        "max_articles": ((int,), "a positive integer"),
    },
    "sources": {
        "path": ((str,), "a file or folder path"),
        "url": ((str,), "an http(s) URL"),
        "urls": ((list,), "a list of http(s) URLs"),
        "links": ((str,), "a path to a file of URLs, one a line"),
        "feed": ((str,), "a feed URL or path"),
        "opml": ((str,), "an OPML file path or URL"),
        "section": ((str,), "a section title"),
        "max_articles": ((int,), "a positive integer"),
        "full_text": ((bool, str), 'true, false or "auto"'),
        "since": ((str, date), 'a date (YYYY-MM-DD) or a span such as "7 days"'),
        "until": ((str, date), 'a date (YYYY-MM-DD) or a span such as "1 day"'),
    },
    "pdf": {
        "variant": ((str,), f"one of {list(PDF_VARIANTS)}"),
    },
    "epub": {
        "cover": ((bool,), "true or false"),
    },
    "theme": {
        "accent": ((str,), 'a colour such as "#a01c24"'),
        "ink": ((str,), 'a colour such as "#141418"'),
        "paper": ((str,), 'a colour such as "#f7f4ec"'),
        "name": ((str,), f"one of {list(THEMES)}"),
        "body_font": ((str,), f"one of {list(FONT_CHOICES)}"),
        "heading_font": ((str,), f"one of {list(FONT_CHOICES)}"),
        "title_font": ((str,), f"one of {list(FONT_CHOICES)}"),
        "margins": ((str,), 'one to four CSS lengths such as "20mm" or "22mm 20mm 24mm"'),
        "columns": ((int,), f"a number of columns from 1 to {MAX_COLUMNS}"),
    },
    "network": {
        "timeout": ((int, float), "a number of seconds"),
        "deadline": ((int, float), "a number of seconds"),
        "retries": ((int,), "an integer"),
        "max_bytes": ((int,), "a number of bytes"),
        "per_host": ((int,), "a positive integer"),
        "delay": ((int, float), "a number of seconds"),
        "workers": ((int,), "a positive integer"),
    },
    "deliver": {
        "to": ((str, list), "a mail address or a list of them"),
        "from": ((str,), "a mail address"),
        "host": ((str,), "the SMTP server's host name"),
        "port": ((int,), "a port number"),
        "starttls": ((bool,), "true or false"),
        "ssl": ((bool,), "true or false (implicit TLS, port 465)"),
        "username": ((str,), "the SMTP login"),
        "password_env": ((str,), "the name of an environment variable"),
        "keyring": ((str,), "a keyring service name"),
        "service": ((str,), '"kindle" or "generic"'),
        "max_size": ((int, float), "a size in MB"),
        "cafile": ((str,), "a path to CA certificates (PEM)"),
        "timeout": ((int, float), "a number of seconds"),
        "formats": ((list,), f"a list of formats from {list(FORMATS)}"),
        "after_build": ((bool,), "true or false"),
    },
}


MB = 1024 * 1024

# Largest attachment each service takes. Send to Kindle: 50 MB per mail (Amazon's limit).
# "generic": 25 MB, what the large mail providers (Gmail, Outlook) accept, and so what most
# relays on the way will pass.
SERVICE_LIMITS = {"kindle": 50 * MB, "generic": 25 * MB}

DEFAULT_PASSWORD_ENV = "NEWSBOOK_SMTP_PASSWORD"


@dataclass
class DeliverSettings:
    """Where and how to mail books: the [deliver] table of newsbook.toml, or CLI options."""

    to: list[str] = field(default_factory=list)
    sender: str | None = None  # the From address; Kindle accepts only approved senders
    host: str | None = None
    port: int | None = None  # default: 465 with ssl, else 587 (submission)
    starttls: bool = True
    ssl: bool = False  # implicit TLS from the first byte (port 465)
    username: str | None = None
    password_env: str = DEFAULT_PASSWORD_ENV
    keyring: str | None = None  # keyring service name; the username is the key
    service: str = "generic"  # kindle | generic: sets the size limit
    max_size: int | None = None  # bytes; overrides the service's limit
    cafile: Path | None = None  # extra CA certificates to trust (a private relay)
    timeout: float = 60.0
    formats: list[str] = field(default_factory=lambda: ["epub"])  # what a build sends
    after_build: bool = False  # send after every project build that wrote new outputs

    @property
    def limit(self) -> int:
        """The largest file this delivery accepts, in bytes."""
        return self.max_size if self.max_size is not None else SERVICE_LIMITS[self.service]
