"""The extracted-article cache: local files' articles as read and cleaned, reused while unchanged.

An entry is keyed by everything its article depends on: the file's bytes and path, the reader
and its version (sources.READER_VERSIONS), newsbook's version, the cleaner's version and the
settings cleaning uses (image size, the folders images may come from, the section the source
gives). The images an article embedded are dependencies too: each entry lists the image
references it resolved with a hash of what they resolved to, and is used only while every one
still resolves to the same bytes (or is still refused). Articles that embed web images are not
cached: their images can change behind the same URL. SQLite storage lives in state.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

from newsbook import __version__, sources
from newsbook.build.state import ArticleStore
from newsbook.model import Article, Image
from newsbook.model.clean import VERSION as CLEAN_VERSION
from newsbook.model.errors import SourceError
from newsbook.model.images import ImageRefused, Resolver, absolute_image_url
from newsbook.model.select import pack_shingles, unpack_shingles

# The layout of an entry; part of every key, so a new layout never meets an old entry.
FORMAT = 2  # 2: shingles hashed per word, then per 5-tuple (select._shingles)
_DATES = ("published", "retrieved")


@dataclass
class Entry:
    """A cleaned article, the warnings cleaning gave, and the images it resolved."""

    article: Article
    warnings: list[str] = field(default_factory=list)
    # (reference as written, sha256 of the bytes it resolved to, or None when it was refused)
    images: list[tuple[str, str | None]] = field(default_factory=list)
    # What select() compares: the article's key and its text's shingles (see select.identity).
    identity: tuple[str, frozenset[int]] | None = None


@dataclass
class Settings:
    """What cleaning depends on besides the article itself."""

    image_size: int
    roots: list[Path]


@dataclass
class Lookup:
    """The outcome of looking up a build's local sources: hits, and keys for the rest."""

    hits: dict[int, Entry] = field(default_factory=dict)  # by index in the spec list
    keys: dict[int, str] = field(default_factory=dict)  # misses: where to store what is read
    loaded: dict[int, bytes] = field(default_factory=dict)  # misses: the bytes the key hashed
    used: list[str] = field(default_factory=list)  # the hits' keys


def entry_key(path: Path, data: bytes, section: str | None, settings: Settings) -> str:
    """The cache key of a local file's article: its bytes and all that shapes its reading."""
    return _key(_common(settings), path, data, section)


def _common(settings: Settings) -> bytes:
    """The part of every key that one build shares: versions, Article's fields, settings."""
    parts = (FORMAT, __version__, CLEAN_VERSION,
             # A field added to Article must not meet entries written without it.
             ",".join(f.name for f in fields(Article)), settings.image_size,
             sorted(str(root.resolve()) for root in settings.roots))
    return repr(parts).encode("utf-8")


def _key(common: bytes, path: Path, data: bytes, section: str | None) -> str:
    kind = sources.kind_of(path)
    digest = hashlib.sha256(common)
    for part in (kind, sources.READER_VERSIONS.get(kind), str(path), section):
        digest.update(b"\0" + repr(part).encode("utf-8"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def lookup(specs: list, store: ArticleStore, settings: Settings,
           resolve: Resolver) -> Lookup:
    """Cached articles for the local files among `specs` that are still good, keys for the rest.

    Files that cannot be read are left to the normal reading, which reports them.
    """
    result = Lookup()
    common = _common(settings)
    for index, spec in enumerate(specs):
        if spec.kind != "path":
            continue
        path = Path(spec.location)
        if sources.kind_of(path) is None:
            continue
        try:
            data = sources.load_file(path)
        except SourceError:
            continue
        result.keys[index] = _key(common, path, data, spec.section)
        result.loaded[index] = data
    stored = store.load(list(result.keys.values()))
    for index, key in list(result.keys.items()):
        entry = decode(*stored[key]) if key in stored else None
        if entry is not None and _images_unchanged(entry, resolve):
            result.hits[index] = entry
            result.used.append(key)
            del result.keys[index], result.loaded[index]
    return result


def recording(resolve: Resolver, seen: list[tuple[str, str | None]]) -> Resolver:
    """`resolve`, noting each reference and a hash of what it gave (None: refused) in `seen`."""

    def wrapped(src: str, article: Article) -> bytes:
        try:
            data = resolve(src, article)
        except ImageRefused:
            seen.append((src, None))
            raise
        seen.append((src, hashlib.sha256(data).hexdigest()))
        return data

    return wrapped


def cacheable(entry: Entry) -> bool:
    """Articles that embed web images are not kept: those may change behind the same URL."""
    return not any(absolute_image_url(src, entry.article) for src, _digest in entry.images)


def encode(entry: Entry) -> tuple[str, dict[str, bytes]] | None:
    """An entry as JSON text plus its images' bytes by name; None if it cannot be written."""
    article = entry.article
    data = {}
    for f in fields(Article):
        value = getattr(article, f.name)
        if f.name in _DATES:
            value = value.isoformat() if value is not None else None
        elif f.name == "images":
            value = [[image.key, image.media_type, image.alt] for image in value]
        data[f.name] = value
    try:
        identity = None
        if entry.identity is not None:
            identity = [entry.identity[0], pack_shingles(entry.identity[1]).hex()]
        text = json.dumps({"article": data, "warnings": entry.warnings,
                           "images": entry.images, "identity": identity}, ensure_ascii=False)
    except (TypeError, ValueError):
        return None  # a field JSON cannot hold: the article is simply read every time
    return text, {image.key: image.data for image in article.images}


def decode(text: str, blobs: dict[str, bytes]) -> Entry | None:
    """An entry from encode()'s output; None for anything malformed (it is read again)."""
    try:
        data = json.loads(text)
        fields_ = dict(data["article"])
        for name in _DATES:
            if fields_.get(name) is not None:
                fields_[name] = datetime.fromisoformat(fields_[name])
        fields_["images"] = [Image(key=key, media_type=media_type, data=blobs[key], alt=alt)
                             for key, media_type, alt in fields_["images"]]
        identity = data["identity"]
        if identity is not None:
            identity = (str(identity[0]), unpack_shingles(bytes.fromhex(identity[1])))
        return Entry(article=Article(**fields_), warnings=list(data["warnings"]),
                     images=[(src, digest) for src, digest in data["images"]],
                     identity=identity)
    except (ValueError, TypeError, KeyError):
        return None


def _images_unchanged(entry: Entry, resolve: Callable[[str, Article], bytes]) -> bool:
    """Every image reference still resolves to the same bytes, or is still refused."""
    for src, digest in entry.images:
        try:
            now = hashlib.sha256(resolve(src, entry.article)).hexdigest()
        except ImageRefused:
            now = None
        if now != digest:
            return False
    return True
