"""What a build did: the Report, and the same as JSON-ready data (--json, scripts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from newsbook import builders
from newsbook.build.collect import Failure
from newsbook.model import Issue
from newsbook.model.select import Decision
from newsbook.render.environment import book_title


@dataclass
class Report:
    """What a build did: files written, counts, failures and warnings."""

    outputs: list[Path] = field(default_factory=list)
    articles: int = 0
    sections: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    left_out: list[Decision] = field(default_factory=list)
    issue: Issue | None = None
    up_to_date: bool = False  # nothing changed since the last build: outputs kept as they are
    cache_hits: int = 0  # local files whose article came from the article cache
    cache_misses: int = 0  # local files read (and cleaned) in this build
    read: list[str] = field(default_factory=list)  # the local files read, cache misses
    pdf_parallel: bool = False  # the PDF was laid out in parts across processes
    pdf_chunks_hit: int = 0  # PDF parts (front matter, runs of articles) reused from the cache
    pdf_chunks_rendered: int = 0  # PDF parts laid out by this build
    # Every local file and folder the outputs were made from, for the quick up-to-date check
    # (uptodate.py); None when the build also depends on the network.
    inputs: list[Path] | None = field(default_factory=list)


def report_dict(report: Report) -> dict:
    """The build report as JSON-ready data (for --json and scripts)."""
    import hashlib

    issue = report.issue

    def entry(article) -> dict:
        return {"title": article.title, "section": article.section, "source": article.source,
                "url": article.url,
                "published": article.published.isoformat() if article.published else None}

    files = []
    for path in report.outputs:
        data = path.read_bytes()
        files.append({"path": str(path), "format": builders.format_for(path), "bytes": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()})
    return {
        "issue": None if issue is None else {
            "title": issue.title, "book_title": book_title(issue),
            "number": issue.number, "volume": issue.volume,
            "date": issue.date.isoformat(), "identifier": issue.identifier,
            "sections": [s.title for s in issue.sections]},
        "outputs": [str(p) for p in report.outputs],
        "files": files,
        "articles": report.articles,
        "sections": report.sections,
        "up_to_date": report.up_to_date,
        # How "up to date" was found: "fingerprint" here (the issue was read and compared);
        # "stats" when the quick check answered from file stats (uptodate.py).
        "up_to_date_check": "fingerprint" if report.up_to_date else None,
        "cache": {"hits": report.cache_hits, "misses": report.cache_misses, "read": report.read},
        "pdf_parallel": report.pdf_parallel,
        "pdf_chunks_hit": report.pdf_chunks_hit,
        "pdf_chunks_rendered": report.pdf_chunks_rendered,
        "included": [entry(a) for a in issue.articles] if issue else [],
        "left_out": [{**entry(d.article), "reason": d.reason} for d in report.left_out],
        "failures": [{"source": f.source, "reason": f.reason} for f in report.failures],
        "warnings": report.warnings,
    }
