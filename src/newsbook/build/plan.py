"""What a build is asked to do: a Plan, made from a project's newsbook.toml or from the
command line's files, folders and URLs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from newsbook import builders, sources
from newsbook.build.collect import SourceSpec, is_url
from newsbook.build.schema import CONFIG_NAME, Config
from newsbook.build.state import project_state
from newsbook.clock import build_date
from newsbook.model import ThemeOptions
from newsbook.model.assemble import IssueSettings, slugify
from newsbook.model.select import Rules
from newsbook.sources.fetchtypes import FetchSettings

if TYPE_CHECKING:
    from newsbook.build.schema import DeliverSettings


# An issue is something a person reads: past this, a source list is surely a mistake, and
# the PDF would take an hour. Archives of more are built as many issues (newsbook archive).
MAX_ISSUE_ARTICLES = 2000


@dataclass
class Plan:
    """Everything a build needs, resolved from a project's config or from CLI arguments."""

    specs: list[SourceSpec]
    settings: IssueSettings
    outputs: list[Path]
    roots: list[Path]  # folders local images may be read from
    templates: Path | None = None
    cover: Path | None = None
    project: Path | None = None  # where the state and caches live (None: the user's cache)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    image_size: int = 1600
    rules: Rules = field(default_factory=lambda: Rules(max_articles=MAX_ISSUE_ARTICLES))
    window: tuple[str | None, str | None] = (None, None)  # since, until as the user wrote them
    include_seen: bool = False  # do not leave out what earlier issues carried
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # processes for reading
    deliver: DeliverSettings | None = None  # [deliver]: where `build --send` mails the book
    # An ad-hoc build of web sources is titled after the first article's site, once read.
    title_from_site: bool = False
    # Local files and folders the plan was made from (config, source folders): inputs too.
    planned_from: list[Path] = field(default_factory=list)


def output_name(settings: IssueSettings) -> str:
    """The default file stem: the issue slug, with the number when there is one."""
    slug = slugify(settings.title)
    return f"{slug}-{settings.number:03d}" if settings.number is not None else slug


def _local_specs(path: Path, **options) -> list[SourceSpec]:
    """A file as one spec, a folder as one spec per source file in it."""
    return [SourceSpec("path", str(p), **options) for p in sources.expand(path)]


def plan_project(config: Config, formats: list[str] | None = None,
                 outputs: list[Path] | None = None, title: str | None = None,
                 output_dir: Path | None = None, offline: bool = False,
                 since: str | None = None, until: str | None = None,
                 include_seen: bool = False, theme: str | None = None) -> Plan:
    """A plan for building a project folder from its newsbook.toml (CLI options override it)."""
    specs: list[SourceSpec] = []
    planned_from = [config.root / CONFIG_NAME, config.root / "templates"]
    for group, source in enumerate(config.sources):
        options = dict(section=source.section, max_articles=source.max_articles,
                       full_text=source.full_text, since=source.since, until=source.until)
        if source.kind == "path":
            planned_from.append(Path(source.location))
            specs.extend(_local_specs(Path(source.location), section=source.section,
                                      max_articles=source.max_articles, group=group))
        else:
            specs.append(SourceSpec(source.kind, source.location, **options))
    if not config.sources and (config.root / "articles").is_dir():
        specs = _local_specs(config.root / "articles")  # the scaffold's default folder
        planned_from.append(config.root / "articles")
    sections = list(config.sections)
    for source in config.sources:
        if source.section and source.section not in sections:
            sections.append(source.section)
    issue_date = config.date or build_date()
    number = config.number
    if number == "auto":
        number = project_state(config.root).next_number(issue_date.isoformat())
    if config.number is not None:  # the numbering and what earlier issues carried
        planned_from.extend(project_state(config.root).files())
    settings = IssueSettings(
        title=title or config.title, date=issue_date, language=config.language,
        subtitle=config.subtitle, number=number, volume=config.volume,
        publisher=config.publisher, description=config.description,
        identifier=config.identifier, order=config.order, sections=sections,
        page_size=config.page_size, series=config.series, pdf_variant=config.pdf_variant,
        title_format=config.title_format,
        palette=config.palette, epub_cover=config.epub_cover,
        section_rules=list(config.section_rules),
        theme=replace(config.theme, name=theme) if theme else config.theme,
    )
    rules = Rules(undated=config.undated, include_tags=config.include_tags,
                  exclude_tags=config.exclude_tags,
                  max_articles=min(config.max_articles or MAX_ISSUE_ARTICLES, MAX_ISSUE_ARTICLES))
    if not outputs:
        folder = output_dir if output_dir is not None else config.root / config.output_dir
        outputs = [folder / f"{output_name(settings)}{builders.extension(fmt)}"
                   for fmt in formats or config.formats]
    net = config.fetch
    fetch = FetchSettings(timeout=net.timeout, deadline=net.deadline, retries=net.retries,
                          max_bytes=net.max_bytes, per_host=net.per_host, delay=net.delay,
                          workers=net.workers, offline=offline)
    return Plan(specs=specs, settings=settings, outputs=outputs, roots=[config.root],
                templates=config.root / "templates", cover=config.cover, project=config.root,
                fetch=fetch, image_size=config.image_size, rules=rules,
                window=(since or config.since, until or config.until), include_seen=include_seen,
                deliver=config.deliver, planned_from=planned_from)


def plan_sources(locations: list[str], outputs: list[Path] | None = None,
                 formats: list[str] | None = None, title: str | None = None,
                 output_dir: Path | None = None, offline: bool = False,
                 since: str | None = None, until: str | None = None,
                 theme: str | None = None) -> Plan:
    """A plan for an ad-hoc build from files, folders and URLs named on the command line."""
    specs: list[SourceSpec] = []
    roots = [Path.cwd()]
    for location in locations:
        if is_url(location):
            specs.append(SourceSpec("auto", location))
        else:
            path = Path(location)
            specs.extend(_local_specs(path))
            roots.append(path if path.is_dir() else path.parent)
    single = len(specs) == 1 and specs[0].kind == "path"
    # Untitled, the book is named after what it holds: one file by its name, local sources
    # by the folder of the first, web sources by the site of the first article once read.
    named = title or (name_title(Path(specs[0].location).stem) if single else None)
    if named is None and specs and not is_url(locations[0]):
        first = Path(locations[0]).resolve()
        named = name_title((first if first.is_dir() else first.parent).name) or None
    settings = IssueSettings(title=named or "newsbook",
                             theme=ThemeOptions(name=theme) if theme else ThemeOptions())
    if not outputs:
        folder = output_dir if output_dir is not None else Path.cwd()
        outputs = [folder / f"{output_name(settings)}{builders.extension(fmt)}"
                   for fmt in formats or ["epub"]]
    return Plan(specs=specs, settings=settings, outputs=outputs, roots=roots,
                fetch=FetchSettings(offline=offline), window=(since, until),
                title_from_site=named is None)


def name_title(name: str) -> str:
    """A file or folder name as a title: 'weekly-notes' -> 'Weekly Notes' ('McNotes' stays)."""
    words = name.replace("-", " ").replace("_", " ").strip()
    return words.title() if words.islower() else words
