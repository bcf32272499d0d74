"""Plan an archive: read a project's sources once, split the articles into periods, and make
one self-contained build job per non-empty period, keyed by the hash of everything it uses."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from pathlib import Path

from newsbook import __version__
from newsbook.archive.originals import cached_pages, original, relative_source, unique_names
from newsbook.archive.pdfa import SourceFile
from newsbook.archive.periods import Period, day_of, ordinal, period_of, periods
from newsbook.archive.worker import IssueJob
from newsbook.build.collect import Failure
from newsbook.build.schema import Config
from newsbook.clock import source_date_epoch
from newsbook.model import Article, article_id
from newsbook.model.errors import BuildError

ARCHIVE_VARIANT = "pdf/a-3u"


@dataclass
class ArchivePlan:
    """The issues of an archive run, in period order, and what did not fit in any."""

    root: Path  # the project
    output_dir: Path
    every: str
    origin: Period  # the period numbered 1
    periods: list[Period]
    jobs: list[IssueJob] = field(default_factory=list)
    entries: dict[str, dict] = field(default_factory=dict)  # label -> manifest entry, no files
    empty: list[Period] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)  # sources without a date: in no period
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    stem: str = "issue"  # file names: <stem>-<label>.<format>


def plan_archive(config: Config, first: date, last: date, every: str,
                 output_dir: Path | None = None, formats: list[str] | None = None,
                 offline: bool = True, jobs: int | None = None,
                 origin: Period | None = None) -> ArchivePlan:
    """Read, clean and split a project's articles into one job per period with articles."""
    from newsbook.build import plan as plan_mod
    from newsbook.model.assemble import slugify

    spans = periods(first, last, every)
    folder = output_dir if output_dir is not None else config.root / config.output_dir / "archive"
    plan = ArchivePlan(root=config.root, output_dir=folder, every=every,
                       origin=origin or spans[0], periods=spans,
                       stem=slugify(config.series or config.title))
    # The project's own plan gives the sources, settings and rules; its date window, number
    # and state do not apply: each period is its own window, and the archive numbers itself.
    base = plan_mod.plan_project(config, formats, outputs=[Path("archive.epub")],
                                 offline=offline)
    if jobs:
        base.jobs = jobs
    articles = _read(base, config.root, spans[0].start, spans[-1].end, plan)
    theme_files = _theme_files(base.templates)
    cover = None
    if config.cover is not None:
        try:
            cover = config.cover.read_bytes()
        except OSError as exc:
            raise BuildError(f"{config.cover}: cannot read the cover image "
                             f"({exc.strerror or exc})") from None
    shared = _shared_digest(base.templates, base.settings.theme, cover, formats or config.formats)

    by_period: dict[Period, list[tuple[Article, SourceFile | None]]] = {}
    for article, source in articles:
        by_period.setdefault(period_of(day_of(article.published), every), []).append(
            (article, source))
    rules = replace(base.rules, since=None, until=None, seen=frozenset(), seen_signatures=())
    for period in spans:
        members = by_period.get(period)
        if not members:
            plan.empty.append(period)
            continue
        _plan_issue(plan, period, members, base, rules, theme_files, cover, shared,
                    formats or config.formats)
    return plan


def _read(base, root: Path, low: date, high: date,
          plan: ArchivePlan) -> list[tuple[Article, SourceFile | None]]:
    """The project's articles dated in [low, high), cleaned, each with its original source;
    undated ones are listed in the plan."""
    from newsbook.build.collect import collect
    from newsbook.build.state import http_cache
    from newsbook.model.clean import clean_article
    from newsbook.model.images import local_resolver, web_resolver
    from newsbook.sources.fetch import Fetcher

    end = datetime.combine(high, time(), timezone.utc)  # what feed spans count back from
    with Fetcher(http_cache(base.project), base.fetch) as fetcher:
        collected = collect(base.specs, fetcher, reference=end, jobs=base.jobs)
    plan.failures.extend(collected.failures)
    plan.warnings.extend(collected.warnings)
    plan.left_out.extend((relative_source(a.source, root), why) for a, why in collected.left_out)
    remote = any(spec.kind != "path" for spec in base.specs)
    pages = cached_pages(http_cache(base.project)) if remote else {}
    resolve = web_resolver(collected.images, local_resolver(base.roots))
    result = []
    for article in collected.articles:
        if article.published is None:
            plan.undated.append(relative_source(article.source, root))
            continue
        if not low <= day_of(article.published) < high:
            continue  # another archive run's business: not even cleaned
        source = original(article, root, pages)
        if source is not None:
            if article.origin is None and not article.source.startswith(("http://",
                                                                          "https://")):
                # Ids name the EPUB's files and anchors: from the project-relative path, so
                # the same project built from another folder gives the same bytes.
                article.id = article_id(source.location, source.data)
            else:
                article.retrieved = source.retrieved  # when the cached copy was fetched
        article, warnings = clean_article(article, resolve, base.image_size)
        plan.warnings.extend(warnings)
        result.append((article, source))
    return result


def _theme_files(folder: Path | None) -> dict[str, bytes]:
    """The project's template overrides, by relative name (sent to the workers)."""
    if folder is None or not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _shared_digest(templates: Path | None, theme, cover: bytes | None, formats) -> str:
    """What every issue depends on: newsbook, every theme file in the chain (the project's
    overrides, then the built-in ones), the cover, the formats and SOURCE_DATE_EPOCH."""
    from newsbook.render.environment import Theme

    digest = hashlib.sha256(Theme(templates, theme).files_digest.encode("ascii"))
    digest.update(hashlib.sha256(cover or b"").digest())
    digest.update(json.dumps([__version__, source_date_epoch(), list(formats)]).encode())
    return digest.hexdigest()


def _plan_issue(plan: ArchivePlan, period: Period, members, base, rules, theme_files,
                cover, shared: str, formats: list[str]) -> None:
    """The job and the manifest entry of one period's issue."""
    from newsbook.model.assemble import assemble
    from newsbook.model.select import select

    sources_of = {id(article): source for article, source in members}
    chosen, out = select([article for article, _ in members], rules)
    plan.left_out.extend((relative_source(d.article.source, plan.root), d.reason) for d in out)
    if not chosen:
        plan.empty.append(period)
        return
    number = ordinal(plan.origin, period, plan.every)
    settings = replace(base.settings, number=number, date=period.last_day,
                       pdf_variant=ARCHIVE_VARIANT)
    issue, dropped = assemble(chosen, settings)
    plan.left_out.extend((relative_source(a.source, plan.root),
                          f"over the limit of section {a.section}") for a in dropped)
    attached = unique_names([sources_of[id(a)] for a in issue.articles
                             if sources_of.get(id(a)) is not None])
    key = _issue_key(shared, issue, attached, plan.root)
    plan.jobs.append(IssueJob(key=key, label=period.label, issue=issue, formats=list(formats),
                              sources=attached, theme_files=theme_files, cover=cover,
                              epoch=source_date_epoch()))
    plan.entries[period.label] = {
        "period": period.as_dict(),
        "number": number,
        "date": issue.date.isoformat(),
        "identifier": issue.identifier,
        "key": key,
        "articles": [_article_entry(a, sources_of.get(id(a)), plan.root)
                     for a in issue.articles],
    }


def _article_entry(article: Article, source, root: Path) -> dict:
    """An article as the manifest lists it."""
    retrieved = article.retrieved or (source.retrieved if source is not None else None)
    return {
        "title": article.title,
        "section": article.section,
        "source": relative_source(article.source, root),
        "url": article.url,
        "published": _iso(article.published),
        "retrieved": _iso(retrieved),
        "attachment": source.name if source is not None else None,
        "sha256": hashlib.sha256(source.data).hexdigest() if source is not None else None,
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat()


def _issue_key(shared: str, issue, attached, root: Path) -> str:
    """The hash of everything an issue's files are made from."""
    digest = hashlib.sha256(shared.encode())

    def add(*values) -> None:
        for value in values:
            digest.update(value if isinstance(value, bytes) else repr(value).encode("utf-8"))
            digest.update(b"\0")

    meta = {k: v for k, v in vars(issue).items() if k not in ("sections", "cover")}
    add(sorted(meta.items(), key=lambda kv: kv[0]))
    for section in issue.sections:
        add(section.id, section.title)
        for a in section.articles:
            add(a.id, a.title, a.body, a.authors, _iso(a.published), a.url, a.site, a.language,
                a.summary, a.section, a.tags, relative_source(a.source, root),
                [(image.key, image.media_type, image.alt) for image in a.images])
    for item in attached:
        add(item.name, item.mime, item.location, _iso(item.modified), _iso(item.retrieved),
            item.description, item.url, hashlib.sha256(item.data).digest())
    return digest.hexdigest()


def issue_filename(plan: ArchivePlan, label: str, fmt: str) -> str:
    """The file name of one issue's output in the archive folder."""
    from newsbook import builders

    return f"{plan.stem}-{label}{builders.extension(fmt)}"

