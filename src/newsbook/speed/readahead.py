"""Local sources read, cleaned and fingerprinted ahead of collection, across worker processes.

For a build of many local files, reading (Markdown, HTML extraction), cleaning and the text
fingerprint select() needs are most of the work before rendering, and each file's share is
independent of the others. The pipeline hands the files its article cache missed to
read_ahead(); what comes back goes into collect() as already known, in source order.
A file that fails to read, or shows web images (fetched by collect before cleaning), is left
out of the result and takes the ordinary path, so errors and fetching stay in one place.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from newsbook.model import Article

# What a file costs to read, clean and fingerprint, by kind, and what a pool of workers costs
# to start, feed and end, in ms (2-core machine, 900-word Markdown files, news pages): a pool
# pays for Markdown past about two dozen files, for HTML from the third page on.
COST_MS = {"markdown": 2.0, "html": 60.0, "text": 8.0}
POOL_MS = 25.0


@dataclass
class Item:
    """One local file to read: where it is, its bytes, and the section its source gives."""

    path: Path
    data: bytes
    section: str | None = None


@dataclass
class Ready:
    """A file's article as cleaned, with what cleaning said and resolved, its identity, and
    its article-cache entry (encoded by the worker too, as the parent would have)."""

    article: Article
    warnings: list[str]
    images: list[tuple[str, str | None]]  # as articlecache.recording notes them
    key: str  # select.identity's key
    # The shingles packed (select.pack_shingles): a thousand ints pickle ten times slower.
    shingles: bytes
    encoded: tuple[str, dict[str, bytes]] | None  # articlecache.encode of the entry
    reads: list[Path] = field(default_factory=list)  # local image files looked for

    @functools.cached_property
    def identity(self) -> tuple[str, frozenset[int]]:
        """select.identity of the article."""
        from newsbook.model.select import unpack_shingles

        return self.key, unpack_shingles(self.shingles)


@dataclass(frozen=True)
class Settings:
    """What cleaning needs besides the article (picklable, for the workers)."""

    roots: tuple[Path, ...]
    image_size: int


def worth_it(paths: list[Path], jobs: int) -> bool:
    """Whether these files are read sooner on `jobs` processes than in this one (the first of
    each kind is read here either way)."""
    from newsbook import sources
    from newsbook.speed import workers

    if jobs <= 1 or not workers.available():
        return False
    kinds = [sources.kind_of(path) for path in paths]
    if len(kinds) - len(set(kinds)) < 2:  # one file left for the workers: nothing side by side
        return False
    work = sum(COST_MS.get(kind or "", 2.0) for kind in kinds)
    work -= sum(COST_MS.get(kind or "", 2.0) for kind in set(kinds))
    return work * (1 - 1 / jobs) > POOL_MS


def read_ahead(items: list[Item], settings: Settings, jobs: int,
               tick=None, meanwhile=None) -> list[Ready | None]:
    """Each item read, cleaned and fingerprinted on `jobs` processes; None where it is left
    to the ordinary path. `tick()` is called once per file done; `meanwhile()`, when given,
    once the workers are busy (this process would only wait for them)."""
    from newsbook import sources
    from newsbook.speed import workers

    # The first file of each kind is done here, before the fork: the workers then start with
    # its reader, the cleaner and their libraries imported and set up, rather than each
    # importing them again (that costs as much as reading a few dozen Markdown files).
    first = {}
    for index, item in enumerate(items):
        first.setdefault(sources.kind_of(item.path), index)
    results: dict[int, Ready | None] = {}
    for index in first.values():
        results[index] = prepare_one(items[index], settings)
        if tick is not None:
            tick()
    rest = [i for i in range(len(items)) if i not in results]
    chunk = max(1, len(rest) // (jobs * 4))
    with workers.pool(jobs) as pool:
        done = pool.map(prepare_one, [items[i] for i in rest], [settings] * len(rest),
                        chunksize=chunk)
        if meanwhile is not None:
            meanwhile()
        for index, ready in zip(rest, done):
            results[index] = ready
            if tick is not None:
                tick()
    return [results[i] for i in range(len(items))]


def prepare_one(item: Item, settings: Settings) -> Ready | None:
    """One file through reading, cleaning and select.identity; None when it needs the network
    (web images) or cannot be read (the ordinary path reports why)."""
    from newsbook import sources
    from newsbook.model.clean import clean_article, image_urls
    from newsbook.model.errors import SourceError
    from newsbook.model.images import local_resolver
    from newsbook.model.select import identity, pack_shingles
    from newsbook.speed import articlecache

    try:
        article = sources.read_bytes(item.path, item.data)
    except SourceError:
        return None
    if item.section and not article.section:
        article.section = item.section
    if image_urls(article):
        return None
    reads: list[Path] = []
    seen: list[tuple[str, str | None]] = []
    resolve = articlecache.recording(local_resolver(list(settings.roots), reads), seen)
    article, warnings = clean_article(article, resolve, settings.image_size)
    key, shingles = identity(article)
    encoded = articlecache.encode(articlecache.Entry(article, warnings, seen, (key, shingles)))
    return Ready(article, warnings, seen, key, pack_shingles(shingles), encoded, reads)
