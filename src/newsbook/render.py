"""The Jinja environment: project templates, then the built-in theme; autoescape always on."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from newsbook.errors import BuildError
from newsbook.model import Article, Issue

# Labels the built-in templates print, for the issue's language; English otherwise.
LABELS: dict[str, dict[str, str]] = {
    "en": {"contents": "Contents", "by": "By", "source": "Source", "issue": "No.", "cover": "Cover",
           "and": "and", "volume": "Vol."},
    "fr": {"contents": "Sommaire", "by": "Par", "source": "Source", "issue": "N°",
           "cover": "Couverture", "and": "et", "volume": "Vol."},
    "de": {"contents": "Inhalt", "by": "Von", "source": "Quelle", "issue": "Nr.", "cover": "Titelbild",
           "and": "und", "volume": "Jg."},
    "es": {"contents": "Índice", "by": "Por", "source": "Fuente", "issue": "N.º", "cover": "Portada",
           "and": "y", "volume": "Vol."},
    "it": {"contents": "Sommario", "by": "Di", "source": "Fonte", "issue": "N.", "cover": "Copertina",
           "and": "e", "volume": "Vol."},
    "pt": {"contents": "Sumário", "by": "Por", "source": "Fonte", "issue": "N.º", "cover": "Capa",
           "and": "e", "volume": "Vol."},
    "nl": {"contents": "Inhoud", "by": "Door", "source": "Bron", "issue": "Nr.", "cover": "Omslag",
           "and": "en", "volume": "Jrg."},
}


def labels_for(language: str) -> dict[str, str]:
    """The built-in labels for a language tag, falling back to English."""
    return LABELS.get(language.split("-")[0].lower(), LABELS["en"])


def builtin_templates() -> Path:
    """The built-in theme folder: inside the installed package, or the repository's templates/."""
    packaged = Path(__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    repository = Path(__file__).resolve().parents[2] / "templates"
    if repository.is_dir():
        return repository
    raise BuildError("the built-in templates are missing from this installation")


@lru_cache(maxsize=64)
def _locale(language: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def long_date(value: date | datetime | None, language: str = "en") -> str:
    """A date written out for readers of the given language: '28 November 2026'."""
    if value is None:
        return ""
    from babel.dates import format_date

    day = value.date() if isinstance(value, datetime) else value
    return format_date(day, format="long", locale=_locale(language))


def iso_date(value: date | datetime | None) -> str:
    """YYYY-MM-DD, for machine-readable attributes."""
    if value is None:
        return ""
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def join_names(names: list[str], language: str = "en") -> str:
    """'A, B and C' in the reader's language."""
    from babel.lists import format_list

    return format_list(list(names), locale=_locale(language)) if names else ""


def site_of(article: Article) -> str:
    """A short name for where an article came from: its site, else the URL's host."""
    if article.site:
        return article.site
    if article.url:
        from urllib.parse import urlsplit

        return urlsplit(article.url).netloc
    return ""


class Theme:
    """Templates and static resources looked up in the project's folder first, then built-in."""

    def __init__(self, project_templates: Path | None = None):
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

        folders = [builtin_templates()]
        if project_templates is not None and project_templates.is_dir():
            folders.insert(0, project_templates)
        self.folders = folders
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
            autoescape=True,  # every template we render is (X)HTML or XML
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(long_date=long_date, iso_date=iso_date, join_names=join_names,
                                site=site_of)

    def render(self, name: str, issue: Issue, **context: Any) -> str:
        """Render one template with the issue and the labels of its language."""
        from jinja2 import TemplateError

        labels = labels_for(issue.language)
        try:
            template = self.env.get_template(name)
            return template.render(issue=issue, labels=labels, lang=issue.language,
                                   body=lambda article: Markup(article.body), **context)
        except TemplateError as exc:
            where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
            raise BuildError(f"template {getattr(exc, 'name', None) or name}{where}: "
                             f"{exc.message or exc}") from None

    def resource(self, name: str) -> bytes:
        """A static theme file (CSS, fonts), from the first folder that has it."""
        for folder in self.folders:
            path = folder / name
            if path.is_file():
                return path.read_bytes()
        raise BuildError(f"theme file not found: {name}")
