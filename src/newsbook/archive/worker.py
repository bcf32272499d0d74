"""One archive issue built from a self-contained job: what a local or a Dask worker runs.

A job carries everything the build needs (the assembled issue, the project's template files,
the cover image, the article sources to attach), so a worker needs newsbook installed and
nothing else: no project folder, no cache, no network. It returns the files' bytes, or the
reason it failed; it never writes anything.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from newsbook.archive.pdfa import SourceFile
from newsbook.model import Issue


@dataclass
class IssueJob:
    """Everything one issue's build needs."""

    key: str  # the hash of all inputs: equal key, equal files
    label: str  # the period's label
    issue: Issue  # assembled, without a cover yet
    formats: list[str]
    sources: list[SourceFile] = field(default_factory=list)
    theme_files: dict[str, bytes] = field(default_factory=dict)  # the project's templates/
    cover: bytes | None = None  # the configured cover image; None: one is drawn per issue
    epoch: int | None = None  # the client's SOURCE_DATE_EPOCH: the dates written inside


@dataclass
class IssueResult:
    """What a worker sends back: the files by format, or an error."""

    key: str
    label: str
    files: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


def build_issue(job: IssueJob) -> IssueResult:
    """Render one issue as every format asked for; errors come back in the result, not raised."""
    from newsbook.model.errors import NewsbookError

    started = time.perf_counter()
    if job.epoch is not None:
        # A remote worker does not share the client's environment, and the builders read the
        # build time from it: every job of a run carries the same value, so concurrent tasks
        # in one worker agree.
        os.environ["SOURCE_DATE_EPOCH"] = str(job.epoch)
    try:
        files = _render(job)
    except NewsbookError as exc:
        return IssueResult(job.key, job.label, error=str(exc),
                           seconds=time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - one broken issue must not sink the archive
        return IssueResult(job.key, job.label,
                           error=f"internal error: {type(exc).__name__}: {exc}",
                           seconds=time.perf_counter() - started)
    return IssueResult(job.key, job.label, files=files, seconds=time.perf_counter() - started)


def _render(job: IssueJob) -> dict[str, bytes]:
    from newsbook import builders
    from newsbook.archive.pdfa import archival
    from newsbook.render.cover import issue_cover  # the build's own: the configured one or drawn
    from newsbook.render.environment import Theme, book_title

    issue = job.issue
    # The theme files travel as bytes; Jinja loads templates from a folder, so lay them out
    # in a private one for this build.
    with tempfile.TemporaryDirectory(prefix="newsbook-archive-") as folder:
        root = Path(folder)
        templates = root / "templates"
        for name, data in job.theme_files.items():
            target = templates / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        theme = Theme(templates if job.theme_files else None, issue.theme)
        cover_path = None
        if job.cover is not None:
            cover_path = root / "cover"
            cover_path.write_bytes(job.cover)
        if {"epub", "kepub"} & set(job.formats) and issue.epub_cover:
            issue.cover = issue_cover(issue, cover_path)  # only the EPUB shows the cover
        files = {}
        for fmt in job.formats:
            data = builders.get_builder(fmt).build(issue, theme)
            if fmt == "pdf":
                data = archival(data, job.sources, title=book_title(issue))
            files[fmt] = data
    return files
