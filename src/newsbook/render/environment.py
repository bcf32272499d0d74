"""The Jinja environment: project templates, then the chosen theme, then the built-in base; autoescape on."""

from __future__ import annotations

import functools
import html
import math
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any

from markupsafe import Markup

from newsbook.model import Article, Issue, ThemeOptions
from newsbook.model.errors import BuildError, ConfigError
from newsbook.render.themes import THEMES, ThemeSettings
from newsbook.render.themes import resolve as resolve_theme

# Labels the built-in templates print, for the issue's language; English for any label a
# language lacks. "reading_time" wraps babel's localized "5 min" ({duration}) in the language's
# phrasing; English uses the idiom "5 min read" with the bare number ({minutes}), since
# en-GB's "5 mins read" is not one.
LABELS: dict[str, dict[str, str]] = {
    "en": {"contents": "Contents", "by": "By", "source": "Source", "issue": "No.", "cover": "Cover",
           "and": "and", "volume": "Vol.", "reading_time": "{minutes} min read"},
    "fr": {"contents": "Sommaire", "by": "Par", "source": "Source", "issue": "N°",
           "cover": "Couverture", "and": "et", "volume": "Vol.",
           "reading_time": "{duration} de lecture"},
    "de": {"contents": "Inhalt", "by": "Von", "source": "Quelle", "issue": "Nr.", "cover": "Titelbild",
           "and": "und", "volume": "Jg.", "reading_time": "{duration} Lesezeit"},
    "es": {"contents": "Índice", "by": "Por", "source": "Fuente", "issue": "N.º", "cover": "Portada",
           "and": "y", "volume": "Vol.", "reading_time": "{duration} de lectura"},
    "it": {"contents": "Sommario", "by": "Di", "source": "Fonte", "issue": "N.", "cover": "Copertina",
           "and": "e", "volume": "Vol.", "reading_time": "{duration} di lettura"},
    "pt": {"contents": "Sumário", "by": "Por", "source": "Fonte", "issue": "N.º", "cover": "Capa",
           "and": "e", "volume": "Vol.", "reading_time": "{duration} de leitura"},
    "nl": {"contents": "Inhoud", "by": "Door", "source": "Bron", "issue": "Nr.", "cover": "Omslag",
           "and": "en", "volume": "Jrg.", "reading_time": "{duration} leestijd"},
    "ar": {"contents": "المحتويات", "by": "بقلم", "source": "المصدر", "issue": "العدد",
           "cover": "الغلاف", "and": "و", "volume": "المجلد", "reading_time": "وقت القراءة: {duration}"},
    "he": {"contents": "תוכן העניינים", "by": "מאת", "source": "מקור", "issue": "גיליון",
           "cover": "כריכה", "and": "ו", "volume": "כרך", "reading_time": "זמן קריאה: {duration}"},
}

WORDS_PER_MINUTE = 230
CJK_CHARACTERS_PER_MINUTE = 500
# Scripts written without spaces between words (plus Hangul syllables): read by the character.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
                  "\U00020000-\U0002fa1f]")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_TAG = re.compile(r"<[^>]*>")


def _base_language(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def labels_for(language: str) -> dict[str, str]:
    """The built-in labels for a language tag, each missing one falling back to English."""
    return {**LABELS["en"], **LABELS.get(_base_language(language), {})}


def builtin_templates() -> Path:
    """The built-in theme folder: inside the installed package, or the repository's templates/."""
    packaged = Path(__file__).resolve().parents[1] / "templates"
    if packaged.is_dir():
        return packaged
    repository = Path(__file__).resolve().parents[3] / "templates"
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


# The book's title (EPUB dc:title, PDF /Title, what calibre and e-readers list): the issue's
# title with its number and date, so that the issues of one series differ in a library.
TITLE_FORMAT = "{title} — {no} {number}, {date}"
TITLE_FORMAT_UNNUMBERED = "{title} — {date}"
TITLE_FIELDS = ("title", "series", "no", "number", "volume", "date", "isodate", "subtitle")
_SAMPLE_FIELDS = {"title": "T", "series": "S", "no": "No.", "number": 1, "volume": 1,
                  "date": "1 May 2026", "isodate": "2026-05-01", "subtitle": "S"}


def title_format_error(value: str) -> str | None:
    """Why a title format cannot be used (an unknown or positional field, bad braces), or None."""
    try:
        for _, name, _, _ in Formatter().parse(value):
            if name is None:
                continue
            if name not in TITLE_FIELDS:
                shown = "{" + name + "}" if name else "{}"
                return (f"unknown field {shown} (known: "
                        + ", ".join("{" + f + "}" for f in TITLE_FIELDS) + ")")
        value.format(**_SAMPLE_FIELDS)
    except (ValueError, TypeError, KeyError) as exc:
        return f"not a format string ({exc})"
    return None


def book_title(issue: Issue) -> str:
    """The issue's title as a book: 'The Weekly Brief — No. 3, December 6, 2026' by default
    (date and "No." in the issue's language); an issue without a number has no number part."""
    fields = {"title": issue.title, "series": issue.series or issue.title,
              "no": labels_for(issue.language)["issue"], "number": issue.number,
              "volume": issue.volume, "date": long_date(issue.date, issue.language),
              "isodate": issue.date.isoformat(), "subtitle": issue.subtitle or ""}
    chosen = issue.title_format or TITLE_FORMAT
    used = {name for _, name, _, _ in Formatter().parse(chosen) if name}
    # A format that needs what this issue lacks (a project without numbers, a volume never
    # set) falls back to the default that fits, rather than print "None".
    if any(fields[name] is None for name in used & {"number", "volume"}) \
            or (issue.number is None and "no" in used):
        chosen = TITLE_FORMAT if issue.number is not None else TITLE_FORMAT_UNNUMBERED
    return chosen.format(**fields)


def join_names(names: list[str], language: str = "en") -> str:
    """'A, B and C' in the reader's language."""
    from babel.lists import format_list

    return format_list(list(names), locale=_locale(language)) if names else ""


def text_direction(language: str | None) -> str:
    """'rtl' for languages written right to left (per CLDR), else 'ltr'."""
    if not language:
        return "ltr"
    return "rtl" if _locale(language).character_order == "right-to-left" else "ltr"


def language_attributes(language: str | None, outer: str | None = None) -> Markup:
    """lang, xml:lang and dir for an element in `language` inside one in `outer` (None: the root)."""
    # The root always names its language, a nested element only when it differs from its
    # container's; dir only where the direction changes (the root's container counts as ltr).
    if not language:
        return Markup("")
    parts = []
    if outer is None or language.lower() != outer.lower():
        # XHTML needs xml:lang equal to lang; HTML allows the literal attribute when both match.
        parts.append(Markup(' lang="{0}" xml:lang="{0}"').format(language))
    direction = text_direction(language)
    if direction != text_direction(outer):
        parts.append(Markup(' dir="{0}"').format(direction))
    return Markup("").join(parts)


def code_css(style: str = "bw") -> Markup:
    """The CSS of a Pygments style for highlighted code blocks ("bw": weight and slant only)."""
    from pygments.util import ClassNotFound

    from newsbook.model.codeblocks import style_css

    try:
        return Markup(style_css(style))
    except ClassNotFound:  # a theme's stylesheet named a style Pygments does not have
        raise BuildError(f"code_css: Pygments has no style '{style}'") from None


def plain_text(fragment: str) -> str:
    """The text of a sanitized (X)HTML fragment, tags dropped and entities decoded."""
    return html.unescape(_TAG.sub(" ", fragment))


def reading_minutes(article: Article) -> int:
    """Minutes an article takes to read: ~230 words or ~500 CJK characters a minute, at least 1."""
    text = plain_text(article.body)
    characters = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    minutes = words / WORDS_PER_MINUTE + characters / CJK_CHARACTERS_PER_MINUTE
    return max(1, math.floor(minutes + 0.5))


def reading_time(article: Article, language: str = "en") -> str:
    """'5 min read' in the reader's language (babel's unit, then the language's phrasing)."""
    from babel.units import format_unit

    minutes = reading_minutes(article)
    try:
        duration = format_unit(minutes, "duration-minute", length="short", locale=_locale(language))
    except (ValueError, KeyError):  # a locale without the unit: the number says enough
        duration = f"{minutes} min"
    pattern = LABELS.get(_base_language(language), {}).get("reading_time")
    # Without a phrasing of our own, babel's localized "5 min" alone beats an English "read".
    return pattern.format(duration=duration, minutes=minutes) if pattern else duration


def site_of(article: Article) -> str:
    """A short name for where an article came from: its site, else the URL's host."""
    if article.site:
        return article.site
    if article.url:
        from urllib.parse import urlsplit

        return urlsplit(article.url).netloc
    return ""


class Theme:
    """Templates and static files looked up along a chain: project, chosen theme, built-in base."""

    def __init__(self, project_templates: Path | None = None, options: ThemeOptions | None = None,
                 compiled: Path | None = None):
        """`compiled`: a folder where templates are kept compiled between builds (Jinja's
        bytecode cache, checked against each template's source), or None to compile each time."""
        try:
            self.settings: ThemeSettings = resolve_theme(options)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        base = builtin_templates()
        folders, labels = [base], ["built-in"]
        folder = THEMES[self.settings.name].folder
        if folder is not None:
            folders.insert(0, base / "themes" / folder)
            labels.insert(0, f"theme '{self.settings.name}'")
        if project_templates is not None and project_templates.is_dir():
            folders.insert(0, project_templates)
            labels.insert(0, "project")
        self.folders = folders
        self._labels = labels
        self._compiled = compiled

    @functools.cached_property
    def loader(self):
        """The template chain loader, made on first use (an up-to-date build never renders)."""
        from newsbook.render.chainloader import ChainLoader

        return ChainLoader(self.folders, self._labels)

    @functools.cached_property
    def env(self):
        """The Jinja environment, made on first use."""
        from jinja2 import FileSystemBytecodeCache, StrictUndefined

        from newsbook.render.chainloader import ChainEnvironment

        class Compiled(FileSystemBytecodeCache):
            def dump_bytecode(self, bucket) -> None:
                try:
                    super().dump_bytecode(bucket)
                except OSError:
                    pass  # a cache we cannot write: the template is compiled again next time

        bytecode = None
        if self._compiled is not None:
            try:
                self._compiled.mkdir(parents=True, exist_ok=True)
                bytecode = Compiled(str(self._compiled))
            except OSError:
                pass  # no cache folder: templates are compiled each time
        env = ChainEnvironment(
            loader=self.loader,
            bytecode_cache=bytecode,
            autoescape=True,  # every template we render is (X)HTML, XML or CSS
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters.update(long_date=long_date, iso_date=iso_date, join_names=join_names,
                           site=site_of, reading_time=reading_time,
                           reading_minutes=reading_minutes, direction=text_direction)
        env.globals.update(language_attributes=language_attributes, theme=self.settings,
                           code_css=code_css)
        return env

    def cache_folder(self, name: str) -> Path | None:
        """A folder beside the compiled templates where builders keep what they derive from
        the theme's files (subset fonts), or None when this theme has no cache."""
        return self._compiled.parent / name if self._compiled is not None else None

    @property
    def name(self) -> str:
        """The chosen theme's name ("modern", "classic")."""
        return self.settings.name

    def render(self, name: str, issue: Issue, **context: Any) -> str:
        """Render one template with the issue, the labels of its language and the theme."""
        labels = labels_for(issue.language)
        if name.endswith(".xhtml"):  # an EPUB document: its notes pop up
            from newsbook.render.notes import epub_notes

            def body(article: Article) -> Markup:
                return Markup(epub_notes(article.body))
        else:
            def body(article: Article) -> Markup:
                return Markup(article.body)
        return self._render(name, issue=issue, labels=labels, lang=issue.language,
                            body=body, book_title=book_title(issue), **context)

    def _render(self, name: str, **context: Any) -> str:
        from jinja2 import TemplateError, TemplateNotFound

        try:
            return self.env.get_template(name).render(**context)
        except TemplateNotFound as exc:
            raise BuildError(f"template {name}: {exc.message or exc.name}") from None
        except TemplateError as exc:
            where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
            shown = self.loader.display(getattr(exc, "name", None) or name)
            raise BuildError(f"template {shown}{where}: {exc.message or exc}") from None

    def warm(self, names: tuple[str, ...], language: str = "en") -> None:
        """Compile these templates and load the date formats of `language` now, while there
        is time to spare (workers reading the sources); an error waits for the real render."""
        from jinja2 import TemplateError

        long_date(date(2000, 1, 1), language)
        for name in names:
            try:
                self.env.get_template(name)
            except TemplateError:
                pass  # reported, with its line, by the render that needs the template

    def resource(self, name: str) -> bytes:
        """A static theme file from the first folder that has it; stylesheets are rendered first."""
        for folder in self.folders:
            path = folder / name
            if path.is_file():
                if name.endswith(".css"):
                    # Stylesheets are templates too, with `theme` (fonts, margins, columns).
                    return self._render(name).encode("utf-8")
                return path.read_bytes()
        raise BuildError(f"theme file not found: {name}")

    @functools.cached_property
    def files_digest(self) -> str:
        """A hash of every file along the chain (position, name, bytes): what a build of this
        theme depends on. Computed once, since the fonts alone are megabytes."""
        import hashlib

        digest = hashlib.sha256()
        for position, folder in enumerate(self.folders):
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                data = path.read_bytes()
                digest.update(f"{position}\0{path.relative_to(folder).as_posix()}\0{len(data)}\0"
                              .encode("utf-8"))
                digest.update(data)
        return digest.hexdigest()

    def static_files(self) -> list[tuple[str, bytes, str]]:
        """The fonts the stylesheets load: (name relative to the stylesheet, bytes, media type)."""
        return [(face.name, self.resource(face.name), face.media_type)
                for face in self.settings.font_faces]
