"""The seam between a build and the machinery: every shortcut the pipeline takes, by name.

build/pipeline.py calls these and nothing else of newsbook.speed, so that it reads as the
stages in order. None of them changes what a build makes: each answers what the single-process
path would have computed (an article cleaned, a page rendered, a PDF laid out), or is skipped.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from newsbook.build.collect import ticker
from newsbook.builders import EPUB_FORMATS
from newsbook.model.images import web_resolver
from newsbook.model.select import identity
from newsbook.speed import articlecache, prerender, readahead, uptodate

if TYPE_CHECKING:
    from newsbook.build.collect import Progress
    from newsbook.build.plan import Plan
    from newsbook.build.state import ArticleStore
    from newsbook.model import Article, Issue
    from newsbook.model.images import Resolver
    from newsbook.render.environment import Theme


@dataclass
class Cleaned:
    """An article as cleaning left it, with what cleaning said, select.identity when known,
    and the local image files looked for on the way (inputs of the quick check)."""

    article: Article
    warnings: list[str]
    identity: tuple[str, frozenset[int]] | None = None
    reads: list[Path] = field(default_factory=list)


class Articles:
    """The article cache and reading ahead, for one build's reading and cleaning.

    Made before collect(): the local files whose cleaned article the cache holds are known at
    once, and, when there are enough of the rest, those are read and cleaned on plan.jobs
    processes (read_ahead). Then take() hands out what they gave, keep() what the build cleaned
    itself, and save() writes the cache.
    """

    def __init__(self, plan: Plan, store: ArticleStore, local: Resolver):
        self.plan, self.store = plan, store
        self.cached = articlecache.lookup(plan.specs, store,
                                          articlecache.Settings(plan.image_size, plan.roots),
                                          web_resolver({}, local))
        self.ready: dict[int, readahead.Ready] = {}
        self.fresh: dict[str, articlecache.Entry] = {}
        self.encoded: dict[str, tuple[str, dict[str, bytes]]] = {}

    def read_ahead(self, progress: Progress | None, meanwhile=None) -> None:
        """The local files the cache missed, read and cleaned on plan.jobs processes when
        there are enough of them (the rest is read by collect)."""
        plan, cached = self.plan, self.cached
        misses = sorted(cached.keys)
        if not readahead.worth_it([Path(plan.specs[i].location) for i in misses], plan.jobs):
            return
        items = [readahead.Item(Path(plan.specs[i].location), cached.loaded[i],
                                plan.specs[i].section) for i in misses]
        settings = readahead.Settings(tuple(plan.roots), plan.image_size)
        results = readahead.read_ahead(items, settings, plan.jobs,
                                       ticker(progress, "reading", len(items)), meanwhile)
        self.ready = {i: result for i, result in zip(misses, results) if result is not None}

    @property
    def known(self) -> dict[int, Article]:
        """Articles collect() need not read, by index in plan.specs."""
        known = {i: entry.article for i, entry in self.cached.hits.items()}
        known.update((i, entry.article) for i, entry in self.ready.items())
        return known

    @property
    def loaded(self) -> dict[int, bytes]:
        """The bytes of the local files the cache missed, already read for their keys."""
        return self.cached.loaded

    def take(self, origin: int | None, article: Article) -> Cleaned | None:
        """The cleaned article for the source at `origin` (index in plan.specs), from the cache
        or a worker; None when the build cleans it itself."""
        cached = self.cached
        if origin in cached.hits:
            hit = cached.hits[origin]
            return Cleaned(article, hit.warnings, hit.identity)
        if origin not in self.ready:
            return None
        done = self.ready[origin]  # read and cleaned by a worker (readahead.py)
        if origin in cached.keys and done.encoded is not None:
            self.encoded[cached.keys[origin]] = done.encoded
        return Cleaned(done.article, done.warnings, done.identity, done.reads)

    def recording(self, resolve: Resolver) -> tuple[Resolver, list[tuple[str, str | None]]]:
        """`resolve` for cleaning, noting what each image resolved to (the cache's check)."""
        seen: list[tuple[str, str | None]] = []
        return articlecache.recording(resolve, seen), seen

    def keep(self, origin: int | None, article: Article, warnings: list[str],
             seen: list[tuple[str, str | None]]) -> Cleaned:
        """An article the build cleaned itself, kept for the cache when it is a local file's
        (and embeds no web image); its identity is computed then, as the cache stores it."""
        done = Cleaned(article, warnings)
        if origin in self.cached.keys:
            entry = articlecache.Entry(article, warnings, seen)
            if articlecache.cacheable(entry):
                entry.identity = done.identity = identity(article)
                self.fresh[self.cached.keys[origin]] = entry
        return done

    def tally(self, articles: list[Article], origins: dict[int, int]) -> tuple[int, list[str]]:
        """How many articles came from the cache, and the sources of those read anew."""
        hits = sum(1 for origin in origins.values() if origin in self.cached.hits)
        read = [a.source for p, a in enumerate(articles) if origins.get(p) in self.cached.keys]
        return hits, read

    def save(self, later: list | None = None) -> list[str]:
        """Write the cache: now, returning the store's warnings, or, with `later` given, on a
        thread appended to it (wait_for_cache joins it)."""
        encoded = dict(self.encoded)
        encoded.update((key, data) for key, data in ((k, articlecache.encode(e))
                                                     for k, e in self.fresh.items())
                       if data is not None)
        store, used = self.store, self.cached.used
        if later is None:
            store.save(encoded, used)
            return list(store.warnings)
        if encoded or used:
            # SQLite writes with the GIL released: the cache fills while the book is rendered.
            saving = threading.Thread(target=store.save, args=(encoded, used),
                                      name="article-cache")
            saving.start()
            later.append((saving, store))
        return []


def wait_for_cache(later: list) -> list[str]:
    """Wait for the article cache's writing that Articles.save left running; its warnings."""
    warnings = []
    while later:
        saving, store = later.pop()
        saving.join()
        warnings.extend(store.warnings)
    return warnings


def start_pdf_workers(jobs: int, one_pass: str = "", outputs: list[Path] = ()) -> None:
    """Before a build reads its sources: start what the parallel PDF's workers fork from.

    WeasyPrint's import then runs in another process while the sources are read. Not when
    the settings lay the PDF out in one pass (`one_pass`: builders.pdf.one_pass_reason), nor
    when every PDF output exists already: that rebuild may well find it up to date, and the
    workers' server then starts only if a PDF is laid out.
    """
    pdfs = [path for path in outputs if path.suffix.lower() == ".pdf"]
    if jobs > 1 and not one_pass and not (pdfs and all(path.exists() for path in pdfs)):
        from newsbook.speed.pdfparts import pool

        pool.start()


def warm_templates(theme: Theme, formats: set[str], language: str):
    """What to do while workers read: compile the templates rendering will need first."""

    def meanwhile() -> None:
        names = []
        if formats & EPUB_FORMATS:
            from newsbook.builders.epub import TEMPLATES

            names.extend(TEMPLATES)
        if "pdf" in formats:
            names.extend(("issue.html", "print.css"))
        theme.warm(tuple(names), language)

    return meanwhile


def fingerprint(issue: Issue, theme: Theme, fmt: str, cover: str | None = None) -> str:
    """Everything an output depends on (uptodate.fingerprint): it is stamped beside the file."""
    return uptodate.fingerprint(issue, theme, fmt, cover)


def up_to_date(outputs: list[Path], prints: dict[Path, str], stamps: dict) -> bool:
    """Every output is there, untouched since it was written, and would be written the same."""
    return all(uptodate.unchanged_output(path, prints[path], stamps) for path in outputs)


def render_ahead(issue: Issue, theme: Theme, jobs: int,
                 drawing: tuple | None) -> prerender.Rendered | None:
    """The EPUB's pages, and the cover when `drawing` (cover.plan_cover's) asks for one,
    rendered on `jobs` processes; None when one process would be as quick."""
    if not prerender.worth_it(issue, jobs, drawing is not None):
        return None
    return prerender.render_pages(issue, theme, jobs, drawing and drawing[:2])


def pdf_in_parts(jobs: int, cache: Path | None):
    """The PDF builder's parallel renderer (builders.pdf.build_with_stats(parallel=...)):
    parts on `jobs` processes, reused from the `cache` folder."""

    def render(html: str, served: dict, identifier: bytes):
        # Imported here: a small issue or a PDF variant never asks, and loads none of it.
        from newsbook.speed.pdfparts import InParts

        return InParts(jobs, cache)(html, served, identifier)

    return render
