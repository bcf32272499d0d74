"""An archive run: plan, build what changed on an executor, write files, manifest and index."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from newsbook.archive import manifest as records
from newsbook.archive.executors import Executor, make_executor
from newsbook.archive.periods import parse_label, period_of
from newsbook.archive.plan import ArchivePlan, issue_filename, plan_archive
from newsbook.archive.worker import IssueJob, IssueResult, build_issue
from newsbook.build.collect import Failure
from newsbook.build.output import sweep_parts, write_all, write_atomic
from newsbook.build.schema import Config
from newsbook.model.errors import NewsbookError

# The manifest is rewritten at most this often while issues land (the journal keeps each one
# at once); an archive of thousands of issues would otherwise rewrite megabytes per issue.
SAVE_EVERY = 2.0

Progress = Callable[[str, str, str], None]  # (event, period label, detail)


@dataclass
class ArchiveReport:
    """What an archive run did."""

    folder: Path
    executor: str = ""
    built: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # issues whose period has no article now
    repaired: list[str] = field(default_factory=list)  # listed, but files missing or changed
    undated: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def manifest(self) -> Path:
        """The manifest file."""
        return self.folder / records.MANIFEST

    @property
    def index(self) -> Path:
        """The HTML index page."""
        return self.folder / records.INDEX


def archive(config: Config, first: date, last: date, every: str, *,
            output_dir: Path | None = None, formats: list[str] | None = None,
            offline: bool = True, jobs: int | None = None, scheduler: str | None = None,
            executor: Executor | None = None, progress: Progress | None = None) -> ArchiveReport:
    """Build one issue per period from `first` to `last` into an archive folder, resumably."""
    from newsbook.build.state import build_lock

    started = time.perf_counter()
    if last < first:
        raise NewsbookError(f"--to {last} is before --from {first}")
    folder = (output_dir if output_dir is not None
              else config.root / config.output_dir / "archive")
    report = ArchiveReport(folder=folder)
    notify = progress or (lambda event, label, detail: None)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NewsbookError(f"{folder}: cannot create the archive folder "
                            f"({exc.strerror or exc})") from None
    with build_lock(folder):
        manifest = records.load(folder)
        if manifest.every and manifest.every != every:
            raise NewsbookError(f"{folder} holds an archive of one issue a {manifest.every}: "
                                f"use --every {manifest.every}, or another folder")
        try:
            origin = parse_label(manifest.origin, every) if manifest.origin else None
        except ValueError:
            raise records.ManifestError(f"{folder / records.MANIFEST}: 'origin' is not a period "
                                        f"label: {manifest.origin!r}") from None
        if origin is not None and period_of(first, every) < origin:
            raise NewsbookError(f"{folder}: this archive is numbered from {origin.label} "
                                f"(issue 1): --from must be {origin.start} or later, or use "
                                "another folder")
        report.repaired = records.verify(manifest, folder)
        plan = plan_archive(config, first, last, every, folder, formats, offline, jobs, origin)
        report.failures, report.warnings = plan.failures, plan.warnings
        report.undated, report.left_out = plan.undated, plan.left_out
        report.empty = [p.label for p in plan.empty]
        manifest.every, manifest.origin = every, plan.origin.label
        manifest.title = config.series or config.title
        manifest.language = config.language
        outdated: dict[str, list[str]] = {}
        todo = _reconcile(plan, manifest, report, folder, outdated)
        sweep_parts([folder / issue_filename(plan, job.label, fmt)
                     for job in todo for fmt in job.formats])
        if todo:
            own = executor is None
            executor = executor or make_executor(jobs, scheduler)
            report.executor = executor.description
            try:
                _build(plan, todo, executor, manifest, report, notify, outdated)
            finally:
                if own:
                    executor.close()
    report.seconds = time.perf_counter() - started
    return report


def _reconcile(plan: ArchivePlan, manifest: records.Manifest, report: ArchiveReport,
               folder: Path, outdated: dict[str, list[str]]) -> list[IssueJob]:
    """The jobs to run (their outdated files by label in `outdated`); issues whose period has
    no article any more leave the archive."""
    in_range = {p.label for p in plan.periods}
    todo = []
    for job in plan.jobs:
        entry = manifest.issues.get(job.label)
        if entry is not None and entry.get("key") == job.key:
            report.up_to_date.append(job.label)
            manifest.failed.pop(job.label, None)  # failed once, then its inputs came back
            continue
        todo.append(job)
        if entry is not None:
            # Its files are about to be replaced: the record of the old ones goes first, so
            # that archive.json never names bytes that are no longer on disk.
            del manifest.issues[job.label]
            outdated[job.label] = [item["path"] for item in entry["files"]]
    stale = sorted(label for label in manifest.issues
                   if label in in_range and label not in plan.entries)
    gone = [folder / item["path"] for label in stale for item in manifest.issues[label]["files"]]
    for label in stale:
        del manifest.issues[label]
    for label in list(manifest.failed):
        if label in in_range and label not in plan.entries:
            del manifest.failed[label]
    manifest.empty = sorted((set(manifest.empty) - in_range) | set(report.empty))
    report.removed = stale
    # The record goes first, then the files: never a manifest naming a file that is gone.
    _save(manifest, folder)
    _unlink(gone)
    return todo


def _build(plan: ArchivePlan, todo: list[IssueJob], executor: Executor,
           manifest: records.Manifest, report: ArchiveReport, notify: Progress,
           outdated: dict[str, list[str]]) -> None:
    """Run the jobs; land each issue's files, then its record, as it finishes."""
    folder = plan.output_dir
    journal = records.Journal(folder)
    saved = time.monotonic()
    # Files of an issue's previous build under other names (a new title, fewer formats) go
    # once a manifest without them is on disk.
    superseded: list[Path] = []
    try:
        for job, outcome in executor.run(build_issue, todo):
            error = _error_of(outcome)
            if error is not None:
                record = {"label": job.label,
                          "failed": {"number": plan.entries[job.label]["number"], "error": error}}
                journal.append(record)
                records.apply(manifest, record)
                report.failed[job.label] = error
                notify("failed", job.label, error)
                continue
            items = [(folder / issue_filename(plan, job.label, fmt), outcome.files[fmt])
                     for fmt in job.formats]
            entry = {**plan.entries[job.label],
                     "files": [records.file_entry(folder, path, fmt, data)
                               for (path, data), fmt in zip(items, job.formats)]}
            record = {"label": job.label, "entry": entry}
            previous = outdated.get(job.label, [])
            # The files land, then the journal line, with SIGINT/SIGTERM held in between.
            write_all(items, then=lambda: journal.append(record))
            records.apply(manifest, record)
            kept = {item["path"] for item in entry["files"]}
            superseded.extend(folder / path for path in previous if path not in kept)
            report.built.append(job.label)
            notify("built", job.label, f"{outcome.seconds:.1f} s")
            if time.monotonic() - saved >= SAVE_EVERY:
                _save(manifest, folder, journal)
                _unlink(superseded)
                saved = time.monotonic()
    finally:
        _save(manifest, folder, journal)
        _unlink(superseded)
        journal.close()


def _unlink(paths: list[Path]) -> None:
    """Remove files no record names any more (and forget them)."""
    for path in paths:
        path.unlink(missing_ok=True)
    paths.clear()


def _error_of(outcome: IssueResult | BaseException) -> str | None:
    """Why a build failed, or None."""
    if isinstance(outcome, BaseException):
        return f"the worker failed: {type(outcome).__name__}: {outcome}"
    return outcome.error


def _save(manifest: records.Manifest, folder: Path, journal: records.Journal | None = None) -> None:
    """Write the manifest and the index page (atomically, together), then empty the journal."""
    index = render_index(manifest, folder)
    write_all([(folder / records.MANIFEST, manifest.as_json()), (folder / records.INDEX, index)])
    if journal is not None:
        journal.clear()
    elif (folder / records.JOURNAL).exists():
        write_atomic(folder / records.JOURNAL, b"")


def render_index(manifest: records.Manifest, folder: Path) -> bytes:
    """The HTML page that links every issue (templates/archive-index.html, autoescaped)."""
    from newsbook.render.environment import Theme

    issues = [manifest.issues[label] for label in sorted(manifest.issues)]
    # The built-in theme's environment: the same autoescape and undefined rules as the books.
    html = Theme().env.get_template("archive-index.html").render(
        title=manifest.title, every=manifest.every or "", issues=issues,
        empty=sorted(manifest.empty), failed=sorted(manifest.failed),
        language=manifest.language)
    return html.encode("utf-8")


def report_dict(report: ArchiveReport) -> dict:
    """The run's report as JSON-ready data (for --json)."""
    return {
        "folder": str(report.folder),
        "manifest": str(report.manifest),
        "index": str(report.index),
        "executor": report.executor,
        "built": report.built,
        "up_to_date": report.up_to_date,
        "failed": [{"period": label, "error": error} for label, error in report.failed.items()],
        "empty": report.empty,
        "removed": report.removed,
        "repaired": report.repaired,
        "undated": report.undated,
        "left_out": [{"source": source, "reason": reason} for source, reason in report.left_out],
        "source_failures": [{"source": f.source, "reason": f.reason} for f in report.failures],
        "warnings": report.warnings,
        "seconds": round(report.seconds, 3),
    }
