"""newsbook.toml read and checked, with errors that name the file and the key (the
keys, their types and defaults: schema.py)."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbook.build.schema import (
    CONFIG_NAME,
    FORMATS,
    ORDERS,
    PAGE_SIZES,
    PDF_VARIANTS,
    SOURCE_KINDS,
    _SCHEMA,
    Config,
    SourceConfig,
)
from newsbook.model import Palette, SectionRule, ThemeOptions
from newsbook.model.errors import ConfigError
from newsbook.render.environment import title_format_error
from newsbook.render.themes import FONT_CHOICES, MAX_COLUMNS, THEMES, valid_margins

if TYPE_CHECKING:
    from newsbook.build.schema import DeliverSettings


def find_config(folder: Path) -> Path | None:
    """The newsbook.toml in a folder, if there is one."""
    candidate = folder / CONFIG_NAME
    return candidate if candidate.is_file() else None


def load(path: Path) -> Config:
    """Read and validate a newsbook.toml."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse(raw, path)


def parse(raw: dict[str, Any], path: Path) -> Config:
    """Validate a parsed TOML document into a Config; `path` is used in messages and as root."""
    config = Config(root=path.parent.resolve())
    for key in raw:
        if key not in _SCHEMA and key != "fetch":
            raise ConfigError(f"{path}: unknown table or key '{key}' "
                              f"(known: {', '.join(sorted(_SCHEMA))})")
    issue = _table(raw, "issue", path)
    build = _table(raw, "build", path)
    if "fetch" in raw and "network" in raw:
        raise ConfigError(f"{path}: [fetch] is the old name of [network]: keep one of them")
    # [fetch] is what the table was called before it held deadlines; old projects still build.
    net_name = "fetch" if "fetch" in raw else "network"
    fetch = raw.get(net_name, {})
    if not isinstance(fetch, dict):
        raise ConfigError(f"{path}: '{net_name}' must be a table ([{net_name}])")
    _check(fetch, "network", path, net_name)
    pdf = _table(raw, "pdf", path)
    epub = _table(raw, "epub", path)
    theme = _table(raw, "theme", path)
    colours = {k: v for k, v in theme.items() if k in _COLOURS}
    for key, value in colours.items():
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ConfigError(f"{path}: 'theme.{key}' must be a colour such as \"#a01c24\", "
                              f"not {value!r}")
    config.palette = Palette(**{k: v.lower() for k, v in colours.items()})
    config.theme = _theme_options(theme, path)
    config.epub_cover = epub.get("cover", True)
    sources = raw.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        raise ConfigError(f"{path}: 'sources' must be an array of tables ([[sources]])")

    for key, value in issue.items():
        if key == "date":
            value = _date(value, path)
        elif key == "cover":
            value = config.root / value
        elif key == "language":
            value = _language(value, path)
        elif key == "title_format" and (problem := title_format_error(value)):
            raise ConfigError(f"{path}: 'issue.title_format': {problem}")
        elif key == "number" and isinstance(value, str) and value != "auto":
            raise ConfigError(f"{path}: 'issue.number' must be an integer or \"auto\", "
                              f"not {value!r}")
        setattr(config, key, value)
    if "variant" in pdf:
        _one_of(pdf["variant"], PDF_VARIANTS, "pdf.variant", path)
        config.pdf_variant = None if pdf["variant"] == "none" else pdf["variant"]

    for key, value in build.items():
        if key == "formats":
            value = _choices(value, FORMATS, "build.formats", path)
        elif key == "sections":
            value = _strings(value, "build.sections", path)
        elif key == "order":
            _one_of(value, ORDERS, "build.order", path)
        elif key == "page_size":
            _one_of(value, PAGE_SIZES, "build.page_size", path)
        elif key == "output_dir":
            value = Path(value)
        elif key in ("since", "until"):
            value = _window(value, f"build.{key}", path)
        elif key == "undated":
            _one_of(value, ("include", "exclude"), "build.undated", path)
        elif key in ("include_tags", "exclude_tags"):
            value = _strings(value, f"build.{key}", path)
        elif key == "max_articles" and value < 1:
            raise ConfigError(f"{path}: 'build.max_articles' must be a positive integer")
        setattr(config, key, value)
    sections = raw.get("sections", [])
    if not isinstance(sections, list) or not all(isinstance(t, dict) for t in sections):
        raise ConfigError(f"{path}: 'sections' must be an array of tables ([[sections]])")
    for index, table in enumerate(sections, 1):
        where = f"sections[{index}]"
        _check(table, "sections", path, where)
        if "title" not in table:
            raise ConfigError(f"{path}: {where} needs a 'title'")
        if table.get("max_articles", 1) < 1:
            raise ConfigError(f"{path}: '{where}.max_articles' must be a positive integer")
        config.section_rules.append(SectionRule(
            table["title"], _strings(table.get("tags", []), f"{where}.tags", path),
            table.get("max_articles")))

    for key, value in fetch.items():
        if key in ("per_host", "workers") and value < 1:
            raise ConfigError(f"{path}: '{net_name}.{key}' must be a positive integer")
        if key in ("timeout", "deadline") and value <= 0:
            raise ConfigError(f"{path}: '{net_name}.{key}' must be a positive number of seconds")
        if key in ("retries", "delay", "max_bytes") and value < 0:
            raise ConfigError(f"{path}: '{net_name}.{key}' must not be negative")
        setattr(config.fetch, key, value)
    if config.image_size < 64:
        raise ConfigError(f"{path}: 'build.image_size' must be at least 64 pixels")

    for index, entry in enumerate(sources, 1):
        config.sources.extend(_source(entry, f"sources[{index}]", config.root, path))
    if "deliver" in raw:
        config.deliver = _deliver(_table(raw, "deliver", path), config.root, path)
    return config


def _deliver(table: dict[str, Any], root: Path, path: Path) -> DeliverSettings:
    """[deliver] as DeliverSettings; values checked here so that a typo names the key."""
    from newsbook.build.schema import SERVICE_LIMITS, DeliverSettings

    settings = DeliverSettings()
    for key, value in table.items():
        if key == "to":
            value = [value] if isinstance(value, str) else _strings(value, "deliver.to", path)
        elif key == "service":
            _one_of(value, tuple(SERVICE_LIMITS), "deliver.service", path)
        elif key == "formats":
            value = _choices(value, FORMATS, "deliver.formats", path)
        elif key == "cafile":
            value = root / value
        elif key == "max_size":
            if value <= 0:
                raise ConfigError(f"{path}: 'deliver.max_size' must be a positive size in MB")
            value = int(value * 1024 * 1024)
        elif key == "port" and not 0 < value < 65536:
            raise ConfigError(f"{path}: 'deliver.port' must be a port number (1-65535)")
        setattr(settings, "sender" if key == "from" else key, value)
    return settings
_COLOURS = ("accent", "ink", "paper")


def _theme_options(theme: dict[str, Any], path: Path) -> ThemeOptions:
    """[theme]'s name and options, each checked against what the built-in themes offer."""
    if "name" in theme:
        _one_of(theme["name"], tuple(THEMES), "theme.name", path)
    for key in ("body_font", "heading_font", "title_font"):
        if key in theme:
            _one_of(theme[key], FONT_CHOICES, f"theme.{key}", path)
    if "margins" in theme and not valid_margins(theme["margins"]):
        raise ConfigError(f"{path}: 'theme.margins' must be one to four CSS lengths in mm, cm, in, "
                          f"pt or pc (such as \"20mm\" or \"22mm 20mm 24mm\"), "
                          f"not {theme['margins']!r}")
    if "columns" in theme and not 1 <= theme["columns"] <= MAX_COLUMNS:
        raise ConfigError(f"{path}: 'theme.columns' must be from 1 to {MAX_COLUMNS}, "
                          f"not {theme['columns']}")
    return ThemeOptions(**{k: v for k, v in theme.items() if k not in _COLOURS})


def _source(entry: dict[str, Any], where: str, root: Path, path: Path) -> list[SourceConfig]:
    """One [[sources]] table as source entries (a urls list or links file gives several)."""
    _check(entry, "sources", path, where)
    kinds = [k for k in SOURCE_KINDS if k in entry]
    if len(kinds) != 1:
        raise ConfigError(f"{path}: {where} needs exactly one of {', '.join(SOURCE_KINDS)}"
                          + (f" (it has {', '.join(kinds)})" if kinds else ""))
    kind = kinds[0]
    full_text = entry.get("full_text", "auto")
    if full_text not in (True, False, "auto"):
        raise ConfigError(f"{path}: '{where}.full_text' must be true, false or \"auto\"")
    if entry.get("max_articles", 1) < 1:
        raise ConfigError(f"{path}: '{where}.max_articles' must be a positive integer")
    options = dict(section=entry.get("section"), max_articles=entry.get("max_articles"),
                   full_text=None if full_text == "auto" else full_text,
                   since=_window(entry.get("since"), f"{where}.since", path),
                   until=_window(entry.get("until"), f"{where}.until", path))
    if kind == "urls":
        urls = _strings(entry["urls"], f"{where}.urls", path)
    elif kind == "links":
        urls = _links_file(root / entry["links"], f"{where}.links", path)
    else:
        value = entry[kind]
        if kind == "url" or _is_url(value):
            if not _is_url(value):
                raise ConfigError(f"{path}: '{where}.{kind}' must be an http(s) URL, not {value!r}")
            return [SourceConfig(kind=kind, location=value, **options)]
        if not (root / value).exists():
            raise ConfigError(f"{path}: '{where}.{kind}': no such file or folder: {value}")
        return [SourceConfig(kind=kind, location=str(root / value), **options)]
    for url in urls:
        if not _is_url(url):
            raise ConfigError(f"{path}: '{where}.{kind}' has {url!r}, which is not an http(s) URL")
    return [SourceConfig(kind="url", location=url, **options) for url in urls]


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def read_links(text: str) -> list[str]:
    """URLs from a links file: one a line; blank lines and # comments are skipped."""
    return [line.split(" #", 1)[0].strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _links_file(file: Path, key: str, path: Path) -> list[str]:
    try:
        return read_links(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: '{key}': cannot read {file} "
                          f"({getattr(exc, 'strerror', None) or exc.__class__.__name__})") from None


_SPAN = re.compile(r"^\s*(\d+)\s*(d|days?|w|weeks?|h|hours?)\s*$", re.I)


def _window(value: Any, key: str, path: Path) -> str | None:
    """Check a since/until value now, so a typo is a config error and not a build failure."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        resolve_window(value, datetime.now(timezone.utc))
    except ValueError:
        raise ConfigError(f"{path}: '{key}' must be a date (YYYY-MM-DD) or a span such as "
                          f"\"7 days\", not {value!r}") from None
    return value


def resolve_window(value: str, now: datetime) -> datetime:
    """'7 days' -> now minus seven days; '2026-11-01' -> that day at 00:00 UTC."""
    match = _SPAN.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)[0].lower()
        hours = {"d": 24, "w": 24 * 7, "h": 1}[unit] * amount
        return now - timedelta(hours=hours)
    day = date.fromisoformat(value.strip())
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _table(raw: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: '{name}' must be a table ([{name}])")
    _check(table, name, path, name)
    return table


_CONTROL = re.compile("[\x00-\x1f\x7f\ufffe\uffff]")


def _check(table: dict[str, Any], schema: str, path: Path, where: str) -> None:
    known = _SCHEMA[schema]
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown key '{where}.{key}' "
                              f"(known: {', '.join(sorted(known))})")
        types, expected = known[key]
        # bool is an int subclass; `number = true` is still a mistake.
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise ConfigError(f"{path}: '{where}.{key}' must be {expected}, "
                              f"not {type(value).__name__} {value!r}")
        strings = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and _CONTROL.search(v) for v in strings):
            # They would end up in XML metadata, file names or mail headers.
            raise ConfigError(f"{path}: '{where}.{key}' must not contain control characters "
                              "(line breaks, tabs, NUL)")


def _date(value: Any, path: Path) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{path}: 'issue.date' must be a date (YYYY-MM-DD), not {value!r}") from None


def _language(value: str, path: Path) -> str:
    parts = value.split("-")
    if not (2 <= len(parts[0]) <= 3 and all(p.isalnum() and 1 <= len(p) <= 8 for p in parts)):
        raise ConfigError(f"{path}: 'issue.language' must be a language tag such as \"en\" "
                          f"or \"pt-BR\", not {value!r}")
    return value


def _strings(value: list[Any], key: str, path: Path) -> list[str]:
    if not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    return list(value)


def _choices(value: list[Any], allowed: tuple[str, ...], key: str, path: Path) -> list[str]:
    for item in _strings(value, key, path):
        _one_of(item, allowed, key, path)
    return list(value)


def _one_of(value: str, allowed: tuple[str, ...], key: str, path: Path) -> None:
    if value not in allowed:
        raise ConfigError(f"{path}: '{key}' must be one of {list(allowed)}, not {value!r}")
