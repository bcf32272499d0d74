"""Reading: files, web pages, feeds and OPML lists into Articles. In: paths, URLs and their
bytes; out: Articles, bodies as found (cleaning is the model's). This module says which reader
takes a path (READERS) and reads it: read(path) -> list[Article]; fetch.py is all the network
access, page/ the HTML reader's helpers."""

from __future__ import annotations

import importlib
from pathlib import Path

from newsbook.model import Article
from newsbook.model.errors import SourceError
from newsbook.sources.decode import decode

# kind -> (module, suffixes). Modules are imported on first use so that
# `newsbook --help` and Markdown-only builds never import trafilatura.
READERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "markdown": ("newsbook.sources.markdown", (".md", ".markdown")),
    "html": ("newsbook.sources.html", (".html", ".htm", ".xhtml")),
    "text": ("newsbook.sources.text", (".txt", ".text")),
}

# Each reader's version, part of the key under which its articles are cached: bump a reader's
# number whenever a change makes it read any file differently, so cached articles are read again.
# Kept here rather than in the reader modules, which would have to be imported (trafilatura)
# just to tell that a cached article is still good.
READER_VERSIONS: dict[str, int] = {"markdown": 2, "html": 4, "text": 2}

MAX_SOURCE_BYTES = 20 * 1024 * 1024


def kind_of(path: Path) -> str | None:
    """The reader kind for a file name, or None when no reader takes it."""
    suffix = path.suffix.lower()
    for kind, (_module, suffixes) in READERS.items():
        if suffix in suffixes:
            return kind
    return None


def find_files(folder: Path) -> list[Path]:
    """Readable source files under a folder, in a stable order, skipping hidden ones."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.is_file() and kind_of(path):
            found.append(path)
    return found


def read_file(path: Path) -> Article:
    """Read one local file with the reader its suffix names."""
    return read_bytes(path, load_file(path))


def load_file(path: Path) -> bytes:
    """The bytes of a source file, within the size limit; SourceError when it has no reader."""
    if kind_of(path) is None:
        raise SourceError(f"{path}: no reader for '{path.suffix or path.name}' files "
                          f"(known: {', '.join(s for _, ss in READERS.values() for s in ss)})")
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceError(f"{path}: {size} bytes is over the {MAX_SOURCE_BYTES} byte limit")
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a folder") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from None


def read_bytes(path: Path, data: bytes) -> Article:
    """Read a local file's bytes (from load_file) with the reader the file's suffix names."""
    kind = kind_of(path)
    text = decode(data, html=kind == "html", name=str(path))
    if not text.strip():
        raise SourceError(f"{path}: file is empty")
    module = importlib.import_module(READERS[kind][0])
    return module.read(path, text)


def expand(path: Path) -> list[Path]:
    """A file as itself, a folder as the source files in it."""
    if path.is_dir():
        return find_files(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    return [path]
