"""newsbook.toml: schema, defaults and validation that names the file and key in every error."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from newsbook.errors import ConfigError

CONFIG_NAME = "newsbook.toml"
FORMATS = ("epub", "pdf")
ORDERS = ("source", "date", "date-asc", "title")
PAGE_SIZES = ("A3", "A4", "A5", "B4", "B5", "letter", "legal", "ledger")


@dataclass
class SourceConfig:
    """One [[sources]] entry: a file or folder of articles and the section they go to."""

    path: Path
    section: str | None = None


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
    number: int | None = None
    volume: int | None = None
    identifier: str | None = None
    cover: Path | None = None
    formats: list[str] = field(default_factory=lambda: list(FORMATS))
    output_dir: Path = Path("_build")
    order: str = "source"
    page_size: str = "A4"
    sections: list[str] = field(default_factory=list)
    sources: list[SourceConfig] = field(default_factory=list)


# table -> key -> (expected type(s), description for errors)
_SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], str]]] = {
    "issue": {
        "title": ((str,), "a string"),
        "subtitle": ((str,), "a string"),
        "publisher": ((str,), "a string"),
        "language": ((str,), "a language tag such as \"en\""),
        "description": ((str,), "a string"),
        "date": ((date, str), "a date (YYYY-MM-DD)"),
        "number": ((int,), "an integer"),
        "volume": ((int,), "an integer"),
        "identifier": ((str,), "a string"),
        "cover": ((str,), "a path to an image"),
    },
    "build": {
        "formats": ((list,), f"a list of formats from {list(FORMATS)}"),
        "output_dir": ((str,), "a folder path"),
        "order": ((str,), f"one of {list(ORDERS)}"),
        "page_size": ((str,), f"one of {list(PAGE_SIZES)}"),
        "sections": ((list,), "a list of section titles"),
    },
    "sources": {
        "path": ((str,), "a file or folder path"),
        "section": ((str,), "a section title"),
    },
}


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
        if key not in _SCHEMA:
            raise ConfigError(f"{path}: unknown table or key '{key}' "
                              f"(known: {', '.join(sorted(_SCHEMA))})")
    issue = _table(raw, "issue", path)
    build = _table(raw, "build", path)
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
        setattr(config, key, value)

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
        setattr(config, key, value)

    for index, entry in enumerate(sources, 1):
        where = f"sources[{index}]"
        _check(entry, "sources", path, where)
        if "path" not in entry:
            raise ConfigError(f"{path}: {where} needs a 'path'")
        config.sources.append(SourceConfig(path=config.root / entry["path"],
                                           section=entry.get("section")))
    return config


def _table(raw: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: '{name}' must be a table ([{name}])")
    _check(table, name, path, name)
    return table


def _check(table: dict[str, Any], schema: str, path: Path, where: str) -> None:
    known = _SCHEMA[schema]
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown key '{where}.{key}' "
                              f"(known: {', '.join(sorted(known))})")
        types, expected = known[key]
        # bool is an int subclass; `number = true` is still a mistake.
        if isinstance(value, bool) or not isinstance(value, types):
            raise ConfigError(f"{path}: '{where}.{key}' must be {expected}, "
                              f"not {type(value).__name__} {value!r}")


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
