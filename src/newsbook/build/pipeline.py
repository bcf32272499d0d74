"""One build, start to end: read → clean → assemble → render → write, with a report."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from newsbook import builders
from newsbook.build.collect import Progress, collect, is_url
from newsbook.build.config import resolve_window
from newsbook.build.output import sweep_parts, write_all
from newsbook.build.plan import Plan
from newsbook.build.report import Report
from newsbook.build.state import (
    article_cache,
    build_lock,
    cache_dir,
    http_cache,
    pdf_part_cache,
    project_state,
    read_stamps,
    write_stamps,
)
from newsbook.builders.kindle import book_language
from newsbook.clock import build_date
from newsbook.model import Issue
from newsbook.model.assemble import assemble
from newsbook.model.clean import clean_article
from newsbook.model.errors import ConfigError, NewsbookError, NothingBuilt
from newsbook.model.images import local_resolver, web_resolver
from newsbook.model.select import Decision, article_key, select, text_signature
from newsbook.render import cover
from newsbook.render.environment import Theme, site_of
from newsbook.sources.fetch import Fetcher
from newsbook.speed import shortcuts


def prepare(plan: Plan, report: Report, strict: bool = False, with_cover: bool = True,
            progress: Progress | None = None, later: list | None = None,
            meanwhile=None, empty_ok: bool = False) -> Issue | None:
    """Read, clean and assemble the issue a plan describes (progress: see collect.Progress).

    With `empty_ok`, an issue the rules leave empty is None (the report says why), not an error.

    With `later` given, the article cache is written by a thread meanwhile, appended to
    `later` with its store: the caller joins it and takes the store's warnings (_finish).
    `meanwhile()` is called while worker processes read, if they do.
    """
    for path in plan.outputs:
        builders.format_for(path)  # an unknown extension fails before any reading
    if not plan.specs:
        raise NewsbookError("no sources to read (no Markdown, HTML or text files found)")
    issue_date = plan.settings.date or build_date()
    # Spans such as "7 days" count back from the end of the issue's day, so a rebuild of the
    # same issue selects the same articles whenever it runs.
    reference = datetime.combine(issue_date + timedelta(days=1), time(), timezone.utc)
    since, until = (_window(value, name, reference)
                    for value, name in zip(plan.window, ("since", "until")))
    if since is not None and until is not None and since >= until:
        raise ConfigError(f"the window is reversed: since {plan.window[0]!r} "
                          f"({since:%Y-%m-%d %H:%M} UTC) is not before until "
                          f"{plan.window[1]!r} ({until:%Y-%m-%d %H:%M} UTC), so no article "
                          "could be in it")
    remote = any(spec.kind != "path" or is_url(spec.location) for spec in plan.specs)
    report.inputs = None if remote else [*plan.planned_from,
                                         *(Path(spec.location) for spec in plan.specs)]
    local = local_resolver(plan.roots, reads=report.inputs)
    # The article cache's hits and what workers read ahead are known before collect reads.
    articles = shortcuts.Articles(plan, article_cache(plan.project), local)
    articles.read_ahead(progress, meanwhile)
    with Fetcher(http_cache(plan.project), plan.fetch) as fetcher:
        collected = collect(plan.specs, fetcher, reference=reference, jobs=plan.jobs,
                            progress=progress, known=articles.known, loaded=articles.loaded)
    report.failures.extend(collected.failures)
    report.warnings.extend(collected.warnings)
    report.left_out.extend(Decision(article, reason) for article, reason in collected.left_out)
    if strict and report.failures:
        first = report.failures[0]
        raise NothingBuilt(f"{first.reason} (--strict: nothing was built)")
    resolve = web_resolver(collected.images, local)
    cleaned, identities = [], []
    for position, article in enumerate(collected.articles):
        origin = collected.origins.get(position)
        done = articles.take(origin, article)  # from the cache, or cleaned by a worker
        if done is None:
            recording, seen = articles.recording(resolve)
            article, warnings = clean_article(article, recording, plan.image_size)
            done = articles.keep(origin, article, warnings, seen)
        if report.inputs is not None:
            report.inputs.extend(done.reads)
        report.warnings.extend(done.warnings)
        cleaned.append(done.article)
        identities.append(done.identity)
        if progress is not None:
            progress("cleaning", len(cleaned), len(collected.articles))
    report.cache_hits, report.read = articles.tally(collected.articles, collected.origins)
    report.cache_misses = len(report.read)
    report.warnings.extend(articles.save(later))
    if not cleaned:
        reason = f" ({report.failures[0].reason})" if report.failures else ""
        raise NothingBuilt(f"no article could be read{reason}: nothing was built")
    seen, signatures = frozenset(), ()
    if plan.project is not None and plan.settings.number is not None and not plan.include_seen:
        seen, signatures = project_state(plan.project).seen_before(plan.settings.number)
    if since is not None and until is None:
        until = reference  # a window ends with the issue's day: nothing from after it
    rules = replace(plan.rules, since=since, until=until, seen=seen, seen_signatures=signatures)
    chosen, left_out = select(cleaned, rules, identities)
    report.left_out.extend(left_out)
    if not chosen and empty_ok:
        return None
    if not chosen:
        raise NothingBuilt(f"all {len(cleaned)} articles were left out ("
                           f"{report.left_out[0].reason}, …): nothing was built")
    settings = replace(plan.settings, date=issue_date)
    if plan.title_from_site:
        settings.title = next((site for site in map(site_of, chosen) if site), settings.title)
    issue, dropped = assemble(chosen, settings)
    report.left_out.extend(Decision(a, f"over the limit of section {a.section}") for a in dropped)
    if with_cover:
        covers = article_cache(plan.project)
        issue.cover = cover.issue_cover(issue, plan.cover, covers)
        report.warnings.extend(covers.warnings)
    report.issue = issue
    report.articles = len(issue.articles)
    report.sections = len(issue.sections)
    return issue


def _window(value: str | None, name: str, reference: datetime) -> datetime | None:
    """One end of the issue's window (--since/--until or [build]), resolved; None when open."""
    if not value:
        return None
    try:
        return resolve_window(value, reference)
    except ValueError:
        raise ConfigError(f"--{name} must be a date (YYYY-MM-DD) or a span such as "
                          f"\"7 days\", not {value!r}") from None


def build(plan: Plan, strict: bool = False, progress: Progress | None = None) -> Report:
    """Run a whole build and write its outputs; raises NewsbookError on user errors."""
    # A project build holds the project's lock: two builds at once would race for the issue
    # number and the state record. Ad-hoc builds have no state, and each of their outputs is
    # one atomic rename, so they need no lock (and leave no lock file in the user's folders).
    if plan.project is None:
        return _build(plan, strict, progress)
    with build_lock(plan.project):
        return _build(plan, strict, progress)


# Temporary files older than this are left-overs of a killed build even when no lock says so:
# a live build keeps a named temporary file for milliseconds (O_TMPFILE) to seconds.
_STALE_PART_AGE = 15 * 60


def _build(plan: Plan, strict: bool, progress: Progress | None = None) -> Report:
    report = Report()
    state = None
    if plan.project is not None and plan.settings.number is not None:
        state = project_state(plan.project)
        state.check()  # a damaged state file stops the build now, not after the outputs land
    later: list = []
    try:
        return _build_prepared(plan, strict, progress, report, state, later)
    finally:
        _finish(later, report)


def _finish(later: list, report: Report) -> None:
    """Wait for what prepare() left running (the article cache's writing)."""
    report.warnings.extend(shortcuts.wait_for_cache(later))


def _build_prepared(plan: Plan, strict: bool, progress: Progress | None, report: Report,
                    state, later: list) -> Report:
    # The cover is drawn only once the outputs are known to need building: what it shows is
    # already in the fingerprint (the issue, its articles, the code), or its file's hash is.
    theme = Theme(plan.templates, plan.settings.theme,
                  compiled=cache_dir(plan.project) / "templates")
    formats = {builders.format_for(path) for path in plan.outputs}
    if "pdf" in formats:  # the PDF's workers get ready while sources are read
        from newsbook.builders import pdf

        one_pass = pdf.one_pass_reason(plan.settings.pdf_variant, plan.settings.pdf_tags,
                                       plan.settings.theme.article_break)
        shortcuts.start_pdf_workers(plan.jobs, one_pass, plan.outputs)
    # While workers read: the templates rendering will need first.
    meanwhile = shortcuts.warm_templates(theme, formats, plan.settings.language)
    issue = prepare(plan, report, strict, with_cover=False, progress=progress, later=later,
                    meanwhile=meanwhile)
    if formats & builders.EPUB_FORMATS:  # an EPUB falls back to "en" for a tag Kindle refuses
        language, warning = book_language(issue.language)
        if warning:
            report.warnings.append(warning)
            # Its documents too: a lang a reader cannot read is no language (Ace: html-lang-valid).
            issue.language = language
    cover_print = cover.cover_source(plan.cover)
    if report.inputs is not None:
        report.inputs.extend(theme.folders)
        if plan.cover is not None:
            report.inputs.append(plan.cover)
    prints = {path: shortcuts.fingerprint(issue, theme, builders.format_for(path), cover_print)
              for path in plan.outputs}
    stamps = read_stamps(plan.project) if plan.project is not None else {}
    if plan.project is not None and shortcuts.up_to_date(plan.outputs, prints, stamps):
        report.up_to_date = True
        report.outputs.extend(plan.outputs)
        return report
    store = article_cache(plan.project)
    pages: dict[str, str] = {}
    if progress is not None:
        progress("rendering", 0, len(plan.outputs))  # the PDF takes long: show the bar now
    # No thread may run while workers are forked (a lock it holds would stay held there).
    _finish(later, report)
    issue.cover, drawing = cover.plan_cover(issue, plan.cover, store)
    # The EPUB's pages (and the cover) rendered on worker processes, when that pays.
    ahead = shortcuts.render_ahead(issue, theme, plan.jobs, drawing) \
        if formats & builders.EPUB_FORMATS else None
    if ahead is not None:
        pages = ahead.pages
    if drawing is not None:
        drawn = ahead.cover if ahead is not None else cover.make_cover(issue, *drawing[:2])
        issue.cover = cover.keep_cover(drawn, drawing[2], store)
    report.warnings.extend(store.warnings)
    rendered = []
    if formats & builders.EPUB_FORMATS:  # why the book claims no accessibility conformance
        from newsbook.builders.epub import accessibility_warnings

        report.warnings.extend(accessibility_warnings(issue))
    for path in plan.outputs:
        fmt = builders.format_for(path)
        if fmt == "pdf":
            rendered.append((path, _build_pdf(plan, issue, theme, report)))
        elif fmt in builders.EPUB_FORMATS:  # both take the pages rendered ahead
            rendered.append((path, builders.get_builder(fmt).build(issue, theme, pages=pages)))
        else:
            rendered.append((path, builders.get_builder(fmt).build(issue, theme)))
        if progress is not None:
            progress("rendering", len(rendered), len(plan.outputs))

    def record() -> None:
        # The state changes only once the outputs are in place, in one transaction.
        if state is not None and issue.number is not None:
            state.record(issue.number, issue.date.isoformat(), issue.identifier,
                         [article_key(a) for a in issue.articles],
                         [text_signature(a) for a in issue.articles])
        if plan.project is not None:
            for path, data in rendered:
                stamps[str(path)] = {"fingerprint": prints[path],
                                     "sha256": hashlib.sha256(data).hexdigest()}
            write_stamps(plan.project, stamps)

    # Under the project lock no other build can be writing these names: any temporary file
    # beside them is a killed build's, and can go at once.
    sweep_parts(plan.outputs, min_age=0 if plan.project is not None else _STALE_PART_AGE)
    # Outputs land only after every format rendered and was written out, each by an atomic
    # rename, and the state is recorded right after, with SIGINT/SIGTERM held meanwhile.
    write_all(rendered, then=record)
    report.outputs.extend(path for path, _ in rendered)
    return report


def _build_pdf(plan: Plan, issue: Issue, theme: Theme, report: Report) -> bytes:
    """The PDF, laid out in parts on plan.jobs processes when that pays; counts into the report."""
    from newsbook.builders import pdf

    data, stats = pdf.build_with_stats(
        issue, theme, parallel=shortcuts.pdf_in_parts(plan.jobs, pdf_part_cache(plan.project)))
    report.pdf_parallel = stats.parallel
    report.pdf_chunks_hit += stats.hit
    report.pdf_chunks_rendered += stats.rendered
    return data


def preview(plan: Plan) -> Report:
    """What a build would put in the issue and leave out, without rendering or writing; an
    issue the window and rules leave empty is a report without an issue, not an error."""
    report = Report()
    prepare(plan, report, with_cover=False, empty_ok=True)
    return report
