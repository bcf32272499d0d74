"""One build, start to end: read → clean → assemble → render → write, with a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from newsbook import builders, sources
from newsbook.assemble import IssueSettings, assemble, slugify
from newsbook.clean import ImageRefused, clean_article, local_resolver, normalize_image
from newsbook.config import Config
from newsbook.errors import BuildError, NewsbookError, NothingBuilt, SourceError
from newsbook.model import Article, Issue
from newsbook.output import write_atomic
from newsbook.render import Theme, labels_for, long_date


@dataclass
class SourceEntry:
    """A file to read and the section its config entry gives it (if any)."""

    path: Path
    section: str | None = None


@dataclass
class Plan:
    """Everything a build needs, resolved from a project's config or from CLI arguments."""

    entries: list[SourceEntry]
    settings: IssueSettings
    outputs: list[Path]
    roots: list[Path]  # folders local images may be read from
    templates: Path | None = None
    cover: Path | None = None


@dataclass
class Failure:
    """A source that could not be read, and why."""

    source: str
    reason: str


@dataclass
class Report:
    """What a build did: files written, counts, failures and warnings."""

    outputs: list[Path] = field(default_factory=list)
    articles: int = 0
    sections: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    issue: Issue | None = None


def output_name(settings: IssueSettings) -> str:
    """The default file stem: the issue slug, with the number when there is one."""
    slug = slugify(settings.title)
    return f"{slug}-{settings.number:03d}" if settings.number is not None else slug


def plan_project(config: Config, formats: list[str] | None = None,
                 outputs: list[Path] | None = None, title: str | None = None,
                 output_dir: Path | None = None) -> Plan:
    """A plan for building a project folder from its newsbook.toml."""
    entries: list[SourceEntry] = []
    for source in config.sources:
        for path in sources.expand(source.path):
            entries.append(SourceEntry(path, source.section))
    if not config.sources:  # a project without [[sources]] reads its articles/ folder
        entries = [SourceEntry(p) for p in sources.expand(config.root / "articles")] \
            if (config.root / "articles").is_dir() else []
    sections = list(config.sections)
    for source in config.sources:
        if source.section and source.section not in sections:
            sections.append(source.section)
    settings = IssueSettings(
        title=title or config.title, date=config.date, language=config.language,
        subtitle=config.subtitle, number=config.number, volume=config.volume,
        publisher=config.publisher, description=config.description,
        identifier=config.identifier, order=config.order, sections=sections,
        page_size=config.page_size,
    )
    if not outputs:
        folder = output_dir if output_dir is not None else config.root / config.output_dir
        outputs = [folder / f"{output_name(settings)}.{fmt}" for fmt in formats or config.formats]
    return Plan(entries=entries, settings=settings, outputs=outputs, roots=[config.root],
                templates=config.root / "templates", cover=config.cover)


def plan_sources(paths: list[Path], outputs: list[Path] | None = None,
                 formats: list[str] | None = None, title: str | None = None,
                 output_dir: Path | None = None) -> Plan:
    """A plan for an ad-hoc build from files and folders named on the command line."""
    entries = [SourceEntry(p) for path in paths for p in sources.expand(path)]
    settings = IssueSettings(title=title or (entries[0].path.stem.replace("-", " ").title()
                                             if len(entries) == 1 else "newsbook"))
    if not outputs:
        folder = output_dir if output_dir is not None else Path.cwd()
        outputs = [folder / f"{output_name(settings)}.{fmt}" for fmt in formats or ["epub"]]
    roots = [Path.cwd()] + [p if p.is_dir() else p.parent for p in paths]
    return Plan(entries=entries, settings=settings, outputs=outputs, roots=roots)


def read_all(entries: list[SourceEntry], report: Report) -> list[Article]:
    """Read every source; a failed source is recorded in the report, not raised."""
    articles = []
    for entry in entries:
        try:
            article = sources.read_file(entry.path)
        except SourceError as exc:
            report.failures.append(Failure(str(entry.path), str(exc)))
            continue
        if entry.section and not article.section:
            article.section = entry.section
        articles.append(article)
    return articles


def prepare(plan: Plan, report: Report, strict: bool = False) -> Issue:
    """Read, clean and assemble the issue a plan describes."""
    for path in plan.outputs:
        builders.format_for(path)  # an unknown extension fails before any reading
    if not plan.entries:
        raise NewsbookError("no sources to read (no Markdown, HTML or text files found)")
    articles = read_all(plan.entries, report)
    if strict and report.failures:
        first = report.failures[0]
        raise NothingBuilt(f"{first.reason} (--strict: nothing was built)")
    resolve = local_resolver(plan.roots)
    cleaned = []
    for article in articles:
        article, warnings = clean_article(article, resolve)
        report.warnings.extend(warnings)
        cleaned.append(article)
    if not cleaned:
        reason = f" ({report.failures[0].reason})" if report.failures else ""
        raise NothingBuilt(f"no article could be read{reason}: nothing was built")
    issue = assemble(cleaned, plan.settings)
    issue.cover = _cover(issue, plan.cover)
    report.issue = issue
    report.articles = len(issue.articles)
    report.sections = len(issue.sections)
    return issue


def _cover(issue: Issue, path: Path | None):
    """The configured cover image, or one drawn for this issue."""
    if path is not None:
        try:
            image = normalize_image(path.read_bytes(), issue.title, max_side=2560)
        except OSError as exc:
            raise BuildError(f"{path}: cannot read the cover image ({exc.strerror})") from None
        except ImageRefused as exc:
            raise BuildError(f"{path}: {exc}") from None
        key = image.key.replace("images/", "images/cover-")
        return type(image)(key=key, media_type=image.media_type, data=image.data, alt=image.alt)
    from newsbook.cover import make_cover

    labels = labels_for(issue.language)
    number = f"{labels['issue']} {issue.number}" if issue.number is not None else ""
    return make_cover(issue, long_date(issue.date, issue.language), number)


def build(plan: Plan, strict: bool = False) -> Report:
    """Run a whole build and write its outputs; raises NewsbookError on user errors."""
    report = Report()
    issue = prepare(plan, report, strict)
    theme = Theme(plan.templates)
    rendered = []
    for path in plan.outputs:
        builder = builders.get_builder(builders.format_for(path))
        rendered.append((path, builder.build(issue, theme)))
    # Outputs land only after every format rendered, each by an atomic rename.
    for path, data in rendered:
        write_atomic(path, data)
        report.outputs.append(path)
    return report
