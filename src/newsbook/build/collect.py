"""Collect articles from every source: local files, web pages and feeds, fetched in parallel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from newsbook import sources
from newsbook.build.config import resolve_window
from newsbook.model import Article
from newsbook.model.clean import image_urls
from newsbook.model.errors import SourceError
from newsbook.sources.decode import decode
from newsbook.sources.fetch import Fetcher
from newsbook.sources.fetchtypes import FetchError, Response


@dataclass
class SourceSpec:
    """One source to read: a local path, a page URL, a feed, an OPML list, or a URL to sniff."""

    kind: str  # path | url | feed | opml | auto (a URL that may be a page or a feed)
    location: str
    section: str | None = None
    max_articles: int | None = None
    full_text: bool | None = None  # None: fetch the page when the entry has only a summary
    since: str | None = None
    until: str | None = None
    group: int | None = None  # specs from one folder share a group, for max_articles


@dataclass
class Failure:
    """A source that could not be read, and why."""

    source: str
    reason: str


@dataclass
class Collected:
    """Articles in source order, what failed, warnings, and the images fetched for them."""

    articles: list[Article] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    images: dict[str, bytes | Exception] = field(default_factory=dict)
    left_out: list[tuple[Article, str]] = field(default_factory=list)  # over a source's limit
    # Position in `articles` -> index in the spec list given, for articles of local files.
    origins: dict[int, int] = field(default_factory=dict)


def is_url(location: str) -> bool:
    """http(s) URLs are fetched; anything else is a local path."""
    return location.startswith(("http://", "https://"))


# progress(stage, done, total): how far collection is, for a progress bar.
Progress = Callable[[str, int, int], None]


def collect(specs: list[SourceSpec], fetcher: Fetcher | None,
            reference: datetime | None = None, jobs: int = 1,
            progress: Progress | None = None,
            known: dict[int, Article] | None = None,
            loaded: dict[int, bytes] | None = None) -> Collected:
    """Read every source; a failure is recorded, never raised, so one bad source sinks nothing.

    `reference` is the moment feed windows such as "7 days" count back from (default: now);
    local files are read in `jobs` processes, in source order all the same. `known` holds
    articles of local specs (by index in `specs`) that need no reading (the article cache),
    `loaded` the bytes of local files already read from disk.
    """
    now = datetime.now(timezone.utc)
    reference = reference or now
    result = Collected()
    known, loaded = known or {}, loaded or {}
    # Local specs keep their identity through OPML expansion: their index in what was given.
    original = {id(spec): index for index, spec in enumerate(specs) if spec.kind == "path"}
    specs = _expand_opml(specs, fetcher, result)
    remote = [s.location for s in specs if s.kind != "path" and is_url(s.location)]
    to_read = [s for s in specs if s.kind == "path" and original[id(s)] not in known]
    tick = ticker(progress, "reading", len(set(remote)) + len(to_read))
    fetched = _fetch_all(fetcher, remote, tick, "source")
    local = read_local([Path(s.location) for s in to_read], jobs,
                       [loaded.get(original[id(s)]) for s in to_read], tick)
    pending_pages: list[tuple] = []  # (slot, index, spec, feed, entry) of entries needing pages
    slots: list[list[Article] | None] = []
    for spec in specs:
        try:
            if spec.kind == "path" and original[id(spec)] in known:
                slots.append([known[original[id(spec)]]])  # cached: its section is already set
                continue
            if spec.kind == "path":
                article = local.pop(0)
                if isinstance(article, SourceError):
                    raise article
                if spec.section and not article.section:
                    article.section = spec.section
                slots.append([article])
                continue
            data = _bytes_of(spec, fetched)
            kind = spec.kind
            if kind in ("url", "auto"):
                from newsbook.sources.feed import looks_like_feed

                is_feed = looks_like_feed(data.content, data.media_type)
                kind = "feed" if (is_feed and kind == "auto") else "url"
            if kind == "url":
                slots.append([_page(spec.location, data, spec.section)])
            else:
                slots.append(_feed(spec, data, reference, now, result, pending_pages, len(slots)))
        except SourceError as exc:
            result.failures.append(Failure(spec.location, str(exc)))
            slots.append(None)
    _fill_full_text(fetcher, pending_pages, slots, result, progress)
    _limit_groups(specs, slots, result)
    for spec, articles in zip(specs, slots):
        for article in articles or []:
            if article is not None:
                if spec.kind == "path":
                    result.origins[len(result.articles)] = original[id(spec)]
                result.articles.append(article)
    reused = {id(article) for article in known.values()}  # cleaned already: images embedded
    wanted = [url for a in result.articles if id(a) not in reused for url in image_urls(a)]
    tick = ticker(progress, "fetching images", len(set(wanted)))
    for url, answer in _fetch_all(fetcher, wanted, tick, "image").items():
        result.images[url] = answer.content if isinstance(answer, Response) else answer
    if fetcher is not None:
        # About the cache and the hosts given up on: once each, after the sources' own.
        result.warnings.extend([*fetcher.warnings, *fetcher.notes()])
    return result


def _limit_groups(specs: list[SourceSpec], slots: list, result: Collected) -> None:
    """A folder source with max_articles keeps its newest articles (undated ones last)."""
    groups: dict[int, list[int]] = {}
    for index, spec in enumerate(specs):
        if spec.group is not None and spec.max_articles and slots[index]:
            groups.setdefault(spec.group, []).append(index)
    for members in groups.values():
        limit = specs[members[0]].max_articles

        def newest(index: int) -> tuple:
            moment = slots[index][0].published
            if moment is None:
                return (1, 0.0)
            aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
            return (0, -aware.timestamp())

        for index in sorted(members, key=newest)[limit:]:
            result.left_out.append((slots[index][0], f"over the limit of {limit} articles "
                                                     f"of its source"))
            slots[index] = None


# What reading one file costs, roughly, by reader (ms, one core; measured on the benchmark's
# articles), and what a process pool costs before it pays: starting the workers, each importing
# the readers again, and sending the articles back. Markdown is cheap enough that a pool helps
# only with hundreds of files; trafilatura and the text reader pay for it after a dozen or two.
_READ_COST_MS = {"markdown": 1.0, "html": 20.0, "text": 8.0}
_POOL_COST_MS = 400.0


def read_local(paths: list[Path], jobs: int = 1,
               data: list[bytes | None] | None = None,
               tick: Callable[[], None] | None = None) -> list[Article | SourceError]:
    """Read local files, in parallel processes when that pays; results in input order.

    `data` holds the files' bytes where the caller has read them already (None: read here);
    `tick` is called once per file read.
    """
    data = data if data is not None else [None] * len(paths)
    cost = sum(_READ_COST_MS.get(sources.kind_of(path) or "", 1.0) for path in paths)
    results = []
    if jobs <= 1 or cost < _POOL_COST_MS:
        for path, content in zip(paths, data):
            results.append(_read_or_error(path, content))
            if tick is not None:
                tick()
        return results
    from newsbook.speed import workers

    with workers.pool(jobs) as pool:
        for article in pool.map(_read_or_error, paths, data, chunksize=8):
            results.append(article)
            if tick is not None:
                tick()
    return results


def ticker(progress: Progress | None, stage: str, total: int) -> Callable[[], None] | None:
    """A callable that counts one more item of `stage` done and reports it (None without
    `progress`)."""
    if progress is None:
        return None
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        progress(stage, done, total)

    return tick


def _read_or_error(path: Path, data: bytes | None = None) -> Article | SourceError:
    try:
        return sources.read_file(path) if data is None else sources.read_bytes(path, data)
    except SourceError as exc:
        return exc


def _fetch_all(fetcher: Fetcher | None, urls: list[str],
               tick: Callable[[], None] | None = None,
               what: str = "request") -> dict[str, Response | FetchError]:
    if not urls:
        return {}
    if fetcher is None:
        return {url: FetchError(f"{url}: no network access in this build") for url in urls}
    return fetcher.get_many(urls, on_done=tick, what=what)


def _bytes_of(spec: SourceSpec, fetched: dict[str, Response | FetchError]) -> Response:
    """The fetched response for a URL spec, or a local feed/OPML file read as a response."""
    if is_url(spec.location):
        answer = fetched[spec.location]
        if isinstance(answer, FetchError):
            raise answer
        return answer
    path = Path(spec.location)
    try:
        return Response(url=path.as_uri(), content=path.read_bytes(), media_type=None,
                        charset=None, from_cache=False)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from None


def _page(url: str, response: Response, section: str | None) -> Article:
    """A fetched web page through the HTML reader."""
    from newsbook.sources import html

    if response.media_type and not (response.media_type.endswith(("html", "xml"))
                                    or response.media_type.startswith("text/")):
        raise SourceError(f"{url}: not a web page ({response.media_type})")
    text = decode(response.content, html=True, name=url, charset=response.charset)
    name = Path(urlsplit(response.url).path or "/page")
    try:
        article = html.read(name, text, url=response.url)
    except SourceError as exc:
        # The reader names the file it was given; for a page the URL is the name a user knows.
        message = str(exc)
        prefix = f"{name}: "
        raise SourceError(f"{url}: {message[len(prefix):] if message.startswith(prefix) else message}") from None
    if section and not article.section:
        article.section = section
    return article


def _feed(spec: SourceSpec, response: Response, reference: datetime, now: datetime,
          result: Collected, pending: list, slot: int) -> list[Article | None]:
    """Articles of a feed; entries that carry only a summary are queued for their pages."""
    from newsbook.model.select import post_anchor
    from newsbook.sources.feed import parse_feed
    from newsbook.sources.feedentry import entry_article, has_full_text

    feed = parse_feed(response.content, spec.location, response.media_type)
    result.warnings.extend(f"{spec.location}: {w}" for w in feed.warnings)
    since = resolve_window(spec.since, reference) if spec.since else None
    until = resolve_window(spec.until, reference) if spec.until else None
    entries = []
    for entry in feed.entries:
        moment = entry.published
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        if moment is not None and ((since and moment < since) or (until and moment >= until)):
            continue  # undated entries are kept: the window cannot judge them
        entries.append(entry)
    entries = entries[:spec.max_articles] if spec.max_articles else entries
    articles: list[Article | None] = []
    for index, entry in enumerate(entries):
        # An entry linking to one post of a page of posts (page.html#b) has its own text:
        # the page would give every post of it.
        own_text = has_full_text(entry) or bool(
            post_anchor(entry.link, entry.id) and (entry.content_html or entry.summary_html))
        fetch_page = spec.full_text if spec.full_text is not None else not own_text
        if fetch_page and entry.link and is_url(entry.link):
            pending.append((slot, index, spec, feed, entry))
            articles.append(None)  # filled in once the page is fetched
        else:
            article = entry_article(entry, feed, spec.location, retrieved=now)
            article.section = article.section or spec.section
            article.origin = spec.location
            articles.append(article)
    return articles


def _fill_full_text(fetcher: Fetcher | None, pending: list, slots: list, result: Collected,
                    progress: Progress | None = None) -> None:
    """Fetch the linked pages of summary-only entries in parallel and put their articles in place."""
    if not pending:
        return
    from newsbook.sources.feedentry import entry_article

    links = [entry.link for *_rest, entry in pending]
    pages = _fetch_all(fetcher, links, ticker(progress, "fetching pages", len(set(links))), "page")
    now = datetime.now(timezone.utc)
    for slot, index, spec, feed, entry in pending:
        page = None
        answer = pages[entry.link]
        try:
            if isinstance(answer, FetchError):
                raise answer
            page = _page(entry.link, answer, None)
        except SourceError as exc:
            result.warnings.append(f"{exc} (the feed's own text is used)")
        article = entry_article(entry, feed, spec.location, page=page, retrieved=now)
        article.section = article.section or spec.section
        article.origin = spec.location
        slots[slot][index] = article


def _expand_opml(specs: list[SourceSpec], fetcher: Fetcher | None,
                 result: Collected) -> list[SourceSpec]:
    """OPML subscription lists become one feed spec per subscription."""
    if not any(s.kind == "opml" for s in specs):
        return specs
    from newsbook.sources.opml import parse_opml

    fetched = _fetch_all(fetcher, [s.location for s in specs if s.kind == "opml"
                                   and is_url(s.location)])
    expanded = []
    for spec in specs:
        if spec.kind != "opml":
            expanded.append(spec)
            continue
        try:
            subscriptions = parse_opml(_bytes_of(spec, fetched).content, spec.location)
        except SourceError as exc:
            result.failures.append(Failure(spec.location, str(exc)))
            continue
        for sub in subscriptions:
            expanded.append(SourceSpec(kind="feed", location=sub.url,
                                       section=spec.section or sub.category or sub.title,
                                       max_articles=spec.max_articles, full_text=spec.full_text,
                                       since=spec.since, until=spec.until))
    return expanded
