"""Parallel PDF rendering: the issue laid out in parts across processes, cached, then merged.

The issue's HTML is cut into the front matter and runs of articles (split.py). Every part is
laid out on its own without margin boxes, so it does not depend on the page it starts on:
layouts are reused only when the stylesheets cannot make them depend on the page's side
(check_css; otherwise the single pass is used), which makes the starting parity irrelevant
to a part's cache key. Once the parts' page counts are known, the front matter is laid out
with stub pages numbered as the real anchors (target-counter() then prints the right
numbers), and a margin layer (running heads, page numbers) is laid out per group of parts
with the real numbers, beside the front matter (from its pages as last laid out, checked),
and drawn over the pages (merge.py). Workers come from a fork server (pool.py) and parse the
stylesheets once for all their documents (work.Styles).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from newsbook import __version__
from newsbook.builders.pdf import PdfStats
from newsbook.speed import workers
from newsbook.speed.pdfparts.merge import Piece, merge
from newsbook.speed.pdfparts.pool import context
from newsbook.speed.pdfparts.split import (
    Split,
    Unsplittable,
    check_css,
    layer_html,
    split_issue,
    stubs_html,
)
from newsbook.speed.pdfparts.work import init_worker, outline, render

__all__ = ["InParts", "PdfStats", "Unsplittable", "render_parallel"]

# About this much HTML per part (≈ 3–4 pages of text): enough to amortize a part's fixed
# cost (a document's set-up, fonts, the dropped first page), small enough to balance two
# to eight workers and to re-render little when one article changes.
PART_WEIGHT = 24_000
# Cached parts unused for this long are removed.
_CACHE_MAX_AGE = 30 * 24 * 3600


class PartCache:
    """Laid-out parts on disk, by the hash of everything their layout depends on."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, key: str) -> Piece | None:
        """The cached part, or None (also when the entry is damaged)."""
        if self.folder is None:
            return None
        pdf, meta = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        try:
            piece = Piece(pdf.read_bytes(), json.loads(meta.read_text(encoding="utf-8")))
            os.utime(meta)  # recently used: kept by the clean-up
        except (OSError, ValueError):
            return None
        # A torn or tampered entry is rendered again rather than merged.
        valid = (isinstance(piece.info, dict) and "pages" in piece.info
                 and piece.info.get("sha256") == hashlib.sha256(piece.pdf).hexdigest())
        return piece if valid else None

    def put(self, key: str, piece: Piece) -> None:
        """Store a part; a cache that cannot be written only costs a later re-render."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            info = {**piece.info, "sha256": hashlib.sha256(piece.pdf).hexdigest()}
            for suffix, data in ((".pdf", piece.pdf), (".json", json.dumps(info).encode("utf-8"))):
                fd, temp = tempfile.mkstemp(prefix=".part.", dir=self.folder)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(temp, self.folder / f"{key}{suffix}")
        except OSError:
            pass

    def clean(self, max_age: float = _CACHE_MAX_AGE) -> None:
        """Remove parts no build has used for max_age seconds."""
        import time

        if self.folder is None or not self.folder.is_dir():
            return
        limit = time.time() - max_age
        for meta in self.folder.glob("*.json"):
            try:
                if meta.stat().st_mtime < limit:
                    meta.unlink()
                    (meta.with_suffix(".pdf")).unlink(missing_ok=True)
            except OSError:
                pass


def _key(kind: str, html: str, css: list[bytes]) -> str:
    """Everything a layout depends on: versions, the document, the stylesheets it loads."""
    digest = hashlib.sha256()
    for value in (__version__, _weasyprint_version(), kind, html, *css):
        digest.update(value if isinstance(value, bytes) else value.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _doc_key(kind: str, html: str, sheets: tuple, css: list[bytes], skip: int = 0,
             tail: int = 0, draw: bool = True) -> str:
    """The cache key of a document laid out by _Runner.submit with these arguments."""
    return _key(f"{kind}:{skip}:{tail}:{draw}", html + repr(sheets), css)


def _weasyprint_version() -> str:
    from importlib.metadata import version

    return version("weasyprint")


class _Runner:
    """Renders documents in a process pool (or in this process), through the part cache."""

    def __init__(self, served: dict, jobs: int, cache: PartCache, css: list[bytes],
                 sheets: tuple = (), layer_sheets: tuple = ()):
        self.served, self.jobs, self.cache, self.css = served, jobs, cache, css
        self.sheets = {"layer": layer_sheets}  # by kind; every other kind has the parts'
        self.default_sheets = sheets
        self.pool: Executor | None = None
        self.scratch: tempfile.TemporaryDirectory | None = None  # the workers' temporary files

    def __enter__(self) -> _Runner:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if self.pool is None:
            return
        if exc_type is not None:
            # Interrupted or failed: end the workers now rather than after their current part.
            workers.end_now(self.pool)
        else:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.scratch is not None:
            self.scratch.cleanup()

    def _pool(self) -> Executor:
        if self.pool is None:
            self.scratch = tempfile.TemporaryDirectory(prefix="newsbook-pdf-")
            self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context(),
                                            initializer=init_worker,
                                            initargs=(self.served, self.scratch.name))
        return self.pool

    def outline(self, pages: list[dict]) -> Future:
        """The bookmark tree of all pages (work.outline), where WeasyPrint is imported."""
        if self.jobs <= 1:
            future: Future = Future()
            future.set_result(outline(pages))
            return future
        return self._pool().submit(outline, pages)

    def submit(self, kind: str, html: str, skip: int = 0, tail: int = 0,
               draw: bool = True) -> tuple[str, Future]:
        """A future Piece for a document; resolved at once when the cache has it."""
        sheets = self.sheets.get(kind, self.default_sheets)
        key = _doc_key(kind, html, sheets, self.css, skip, tail, draw)
        future: Future = Future()
        cached = self.cache.get(key)
        if cached is not None:
            future.set_result((cached, True))
            return key, future
        if self.jobs <= 1:
            future.set_result((Piece(*render(html, skip, tail, self.served, draw, sheets)),
                               False))
            self.cache.put(key, future.result()[0])
            return key, future
        inner = self._pool().submit(render, html, skip, tail, None, draw, sheets)

        def done(f: Future) -> None:
            if f.cancelled():  # the build stopped: nobody waits for this part any more
                future.cancel()
            elif f.exception() is not None:
                future.set_exception(f.exception())
            else:
                piece = Piece(*f.result())
                self.cache.put(key, piece)
                future.set_result((piece, False))

        inner.add_done_callback(done)
        return key, future


@dataclass
class InParts:
    """The PDF builder's parallel renderer (builders.pdf.build_with_stats(parallel=...)): the
    issue laid out in parts on `jobs` processes, parts reused from the `cache` folder.

    With one job it only merges what the cache holds, when that is most of the issue.
    """

    jobs: int = 1
    cache: Path | None = None

    def __call__(self, html: str, served: dict[str, tuple[bytes, str]],
                 identifier: bytes) -> tuple[bytes, PdfStats] | str:
        """The PDF and how it was made, or why the single pass must do."""
        try:
            result = render_parallel(html, served, identifier, self.jobs, self.cache,
                                     only_if_cached=self.jobs <= 1)
        except Unsplittable as exc:
            return f"single pass: {exc}"
        return result if result is not None else "one job and little cached"


def render_parallel(html: str, served: dict[str, tuple[bytes, str]], identifier: bytes,
                    jobs: int, cache_folder: Path | None,
                    only_if_cached: bool = False) -> tuple[bytes, PdfStats] | None:
    """The issue's PDF laid out in parts; None when only_if_cached and too little is cached.

    Raises Unsplittable when the HTML or CSS has a shape the parts cannot reproduce exactly.
    """
    css = [data for _url, (data, media_type) in sorted(served.items()) if media_type == "text/css"]
    inline = re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S | re.I)
    check_css([c.decode("utf-8", "replace") for c in css] + inline)
    # Stylesheets that register something per document stay in each document.
    detach = not any(re.search(r"@(?:layer|counter-style|color-profile|import)\b", text, re.I)
                     for text in [c.decode("utf-8", "replace") for c in css])
    split = split_issue(html, PART_WEIGHT, detach=detach)
    cache = PartCache(cache_folder)
    stats = PdfStats(parallel=True)
    if only_if_cached:
        # The parts' keys as they are submitted below (skip=1).
        cached = sum(cache.get(_doc_key("part", p.html, split.sheets, css, skip=1))
                     is not None for p in split.parts)
        if cached * 2 < len(split.parts):
            return None
    # More processes than parts would only cost memory (~100 MB each).
    with _Runner(served, min(jobs, len(split.parts)), cache, css, split.sheets,
                 split.layer_sheets) as runner:
        hint_key = _key("front-pages", "".join(split.front_html_parts) + repr(split.sheets),
                        css)
        known = _front_hint(cache.get(hint_key))
        probe = None
        if known is None:
            # The margin layers need the front matter's pages (how many, their running
            # strings) long before its contents can be numbered: lay it out once now, beside
            # the parts, with numbers of about the right width, and check it at the end.
            probe = runner.submit("probe", _front_html(split, _guessed_numbers(split)),
                                  tail=1, draw=False)[1]
        # Largest parts first, so no worker is left with a big one at the end.
        order = sorted(range(len(split.parts)), key=lambda i: -split.parts[i].weight)
        futures = {i: runner.submit("part", split.parts[i].html, skip=1)[1] for i in order}
        body = []
        for index, part in enumerate(split.parts):
            piece, hit = futures[index].result()
            if not piece.info.get("breaks_before"):
                # The single pass would run this part on from the page before: only one
                # document can lay that out.
                raise Unsplittable("articles do not start on a new page")
            body.append(piece)
            _count(stats, hit, part.ids[0] if part.ids else str(index))
        if known is None:
            known = probe.result()[0].info["pages"]
        front, layers = _front_and_layers(runner, split, body, stats, known)
        runner.cache.put(hint_key, Piece(b"", {"pages": front.info["pages"]}))
        tree = runner.outline([page for piece in [front, *body] for page in piece.info["pages"]])
        tree = tree.result()
    cache.clean()
    return merge(front, body, layers, identifier, tree), stats


def _count(stats: PdfStats, hit: bool, name: str) -> None:
    if hit:
        stats.hit += 1
    else:
        stats.rendered += 1
        stats.rendered_parts.append(name)


def _front_html(split: Split, numbers: dict[str, int]) -> str:
    before, after = split.front_html_parts
    return before + stubs_html(numbers) + after


def _guessed_numbers(split: Split) -> dict[str, int]:
    """Page numbers for the front's references spread over an estimate of the issue's length.

    Only their width matters (a longer number can move a line break): they are replaced.
    """
    pages = max(1, sum(part.weight for part in split.parts) // 3000)
    count = max(1, len(split.front_refs))
    return {ref: 2 + index * pages // count for index, ref in enumerate(split.front_refs)}


def _front_hint(hint: Piece | None) -> list[dict] | None:
    """The front matter's pages as the last build laid them out, if the cache has them."""
    pages = hint.info.get("pages") if hint is not None else None
    return pages if isinstance(pages, list) and pages else None


def _margins(pages: list[dict]) -> list:
    """What a margin layer takes from pages: their names and running strings."""
    return [(page["name"], [tuple(pair) for pair in page["strings"]]) for page in pages]


def _front_and_layers(runner: _Runner, split: Split, body: list[Piece], stats: PdfStats,
                      known: list[dict]) -> tuple[Piece, list[Piece]]:
    """The front matter, its contents numbered from where the anchors landed in the parts,
    and the margin layers over every page.

    The layers are laid out beside the front from the front's pages as `known` (the last
    build's, or a first layout); in the rare case the real numbers change the front's length
    or running strings, both are laid out again.
    """
    anchors: dict[str, int] = {}  # name -> page number counted from the first part's page
    offset = 0
    for piece in body:
        for name, (index, _x, _y) in piece.info["anchors"].items():
            anchors.setdefault(name, offset + index + 1)
        offset += len(piece.info["pages"])
    for _attempt in range(4):
        numbers = {ref: len(known) + anchors[ref] for ref in split.front_refs if ref in anchors}
        _key_, future = runner.submit("front", _front_html(split, numbers),
                                      tail=1 if numbers else 0)
        layers = _submit_layers(runner, split, Piece(b"", {"pages": known}), body)
        piece, hit = future.result()
        if _margins(piece.info["pages"]) == _margins(known):
            _count(stats, hit, "front")
            return piece, _collect_layers(layers, stats)
        known = piece.info["pages"]  # the numbers moved it: lay it out again
    raise Unsplittable("the front matter's length does not settle")


def _groups(pieces: list[Piece], count: int) -> list[list[Piece]]:
    """Consecutive pieces in `count` groups of about as many pages (the workers end together)."""
    total = sum(len(piece.info["pages"]) for piece in pieces)
    groups: list[list[Piece]] = [[]]
    seen = 0
    for piece in pieces:
        if groups[-1] and seen >= total * len(groups) / count:
            groups.append([])
        groups[-1].append(piece)
        seen += len(piece.info["pages"])
    return groups


def _submit_layers(runner: _Runner, split: Split, front: Piece,
                   body: list[Piece]) -> list[Future]:
    """Margin layers (running heads, page numbers) with the real numbers, by groups of parts.

    A layer document's set-up costs more than its margin boxes: two groups per worker.
    """
    entry: dict[str, str] = {}
    start = 1
    futures = []
    groups = _groups([front, *body], 2 * max(1, runner.jobs))
    for group in groups:
        pages = [page for piece in group for page in piece.info["pages"]]
        html, skip = layer_html(split.layer_head, start, pages, dict(entry))
        futures.append(runner.submit("layer", html, skip=skip)[1])
        for page in pages:
            for name, value in page["strings"]:
                entry[name] = value
        start += len(pages)
    return futures


def _collect_layers(futures: list[Future], stats: PdfStats) -> list[Piece]:
    layers = []
    for future in futures:
        piece, hit = future.result()
        if hit:
            stats.layers_hit += 1
        else:
            stats.layers_rendered += 1
        layers.append(piece)
    return layers
