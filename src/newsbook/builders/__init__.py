"""Output builders, registered by name: each turns an Issue into the bytes of one file."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from newsbook.model import Issue
from newsbook.model.errors import NewsbookError
from newsbook.render.environment import Theme

# name (also the output file's extension) -> module providing build(issue, theme) -> bytes.
# Imported on first use: WeasyPrint costs a second to import, and EPUB builds never need it.
BUILDERS: dict[str, str] = {
    "epub": "newsbook.builders.epub",
    "pdf": "newsbook.builders.pdf",
    "html": "newsbook.builders.html",
    "kepub": "newsbook.builders.kepub",
}
# How a format's file name ends where that is not ".<name>": Kobo's readers take a book for a
# KEPUB only by its ".kepub.epub".
EXTENSIONS: dict[str, str] = {"kepub": ".kepub.epub"}
# The formats that are EPUBs: rendered from the same pages, under the same rules (language,
# accessibility claim), whichever of them a build writes.
EPUB_FORMATS = frozenset({"epub", "kepub"})


class Builder(Protocol):
    """What every builder module provides."""

    def build(self, issue: Issue, theme: Theme) -> bytes:
        """The complete output file for an issue."""
        ...


def get_builder(name: str) -> Builder:
    """The builder registered under a format name."""
    if name not in BUILDERS:
        raise NewsbookError(f"unknown format '{name}' (known: {', '.join(BUILDERS)})")
    return importlib.import_module(BUILDERS[name])  # type: ignore[return-value]


def extension(name: str) -> str:
    """How the file name of a format's output ends (".epub", ".kepub.epub")."""
    return EXTENSIONS.get(name, "." + name)


def format_for(path: Path) -> str:
    """The format an output file name asks for, from its extension."""
    name = path.name.lower()
    for fmt, ending in EXTENSIONS.items():
        if name.endswith(ending) and len(name) > len(ending):
            return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in BUILDERS:
        raise NewsbookError(f"{path}: cannot tell the format from '{path.suffix or path.name}' "
                            f"(use {', '.join(extension(n) for n in BUILDERS)})")
    return suffix
