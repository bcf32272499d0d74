"""The commands beside build and list: init (a new project, scaffold.py), serve (a live
preview, newsbook.serve), archive (an issue per period, newsbook.archive) and extract
(what newsbook reads from a source); registered on the group in commands.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from newsbook.model.errors import NewsbookError


@click.argument("folder", type=click.Path(path_type=Path), default=".")
@click.option("--title", default="My Digest", show_default=True, help="The publication's title.")
@click.option("--json", "as_json", is_flag=True, help="Print the files created as JSON.")
def init(folder, title, as_json) -> None:
    """Create a project: newsbook.toml (every key explained), an article, templates/.

    \b
    Examples:
      newsbook init brief --title "The Weekly Brief" && newsbook build brief
    """
    from newsbook.cli.scaffold import init_project

    paths = [str(path) for path in init_project(folder, title)]
    click.echo(json.dumps(paths, indent=2) if as_json else "\n".join(paths))


@click.argument("project", type=click.Path(path_type=Path), default=".")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback shows the preview to the network.")
@click.option("--offline", is_flag=True, help="Use only what earlier builds fetched (the cache).")
@click.option("--no-reload", is_flag=True, help="Do not reload the page in the browser on rebuild.")
def serve(project, port, host, offline, no_reload) -> None:
    """Preview a project as one HTML page, rebuilt when a source, template or the config changes.

    \b
    Examples:
      newsbook serve                     # the project in this folder, on http://127.0.0.1:8000/
      newsbook serve samples --port 0    # any free port; the address is printed
    """
    from newsbook import serve as preview_mod

    def report(result) -> None:
        click.echo(f"newsbook: {result.summary(preview.root)}", err=True)
        for warning in result.warnings:
            click.echo(f"newsbook: warning: {warning}", err=True)

    preview = preview_mod.Preview(project, host=host, port=port, offline=offline,
                                  live_reload=not no_reload, on_build=report)
    if not preview.loopback:
        click.echo(f"newsbook: warning: listening on {host}: the preview is open to the network",
                   err=True)
    with preview:
        click.echo(preview.url)
        click.echo("newsbook: serving; rebuilds on change (Ctrl-C to stop)", err=True)
        preview.wait()


@click.argument("project", type=click.Path(path_type=Path), default=".")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day of the archive (YYYY-MM-DD).")
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day of the archive (YYYY-MM-DD).")
@click.option("--every", required=True, type=click.Choice(["day", "week", "month"]),
              help="One issue per day, ISO week or calendar month.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Local worker processes (default: all cores).")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Build on this Dask distributed cluster instead of local processes.")
@click.option("-d", "--output-dir", type=click.Path(path_type=Path),
              help="The archive folder (default: <output_dir>/archive in the project).")
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(["epub", "pdf"]),
              help="Formats to build; repeatable (default: the project's).")
@click.option("--online", is_flag=True,
              help="Fetch web sources again (default: only what earlier builds cached).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as JSON.")
def archive_command(project, first, last, every, jobs, scheduler, output_dir, formats, online,
                    quiet, as_json) -> None:
    """Archive a project: one issue per period as EPUB and PDF/A-3u, a manifest and an index.

    Issues whose inputs did not change are kept; a killed run resumes; a failed issue is
    reported (exit 1) and retried on the next run.

    \b
    Examples:
      newsbook archive news --from 2025-01-01 --to 2025-12-31 --every week
      newsbook archive news --from 2025-01-01 --to 2025-12-31 --every day --jobs 4
      newsbook archive news --from 2020-01-01 --to 2025-12-31 --every day \\
          --scheduler tcp://10.0.0.5:8786 -d /srv/archive/news
    """
    from newsbook.archive.run import archive, report_dict
    from newsbook.build import config as config_mod
    from newsbook.build import schema

    found = config_mod.find_config(project)
    if found is None:
        raise NewsbookError(f"{project}: no {schema.CONFIG_NAME} (archive needs a project)")

    def progress(event: str, label: str, detail: str) -> None:
        if not quiet and not as_json and event != "failed":  # failures are listed at the end
            click.echo(f"{label}: {event} ({detail})", err=True)

    report = archive(config_mod.load(found), first.date(), last.date(), every,
                     output_dir=output_dir, formats=list(formats) or None, offline=not online,
                     jobs=jobs, scheduler=scheduler, progress=progress)
    for failure in report.failures:
        click.echo(f"newsbook: warning: skipped {failure.reason}", err=True)
    if as_json:
        click.echo(json.dumps(report_dict(report), indent=2, ensure_ascii=False))
    elif not quiet:
        total = len(report.built) + len(report.up_to_date) + len(report.failed)
        click.echo(f"{total} issues: {len(report.built)} "
                   f"built, {len(report.up_to_date)} up to date, {len(report.failed)} failed; "
                   f"{len(report.empty)} period{'s' * (len(report.empty) != 1)} without "
                   "articles" + (f"; {len(report.undated)} undated "
                                 f"article{'s' * (len(report.undated) != 1)} left out"
                                 if report.undated else ""), err=True)
        click.echo(str(report.manifest))
        click.echo(str(report.index))
    for label, error in report.failed.items():
        click.echo(f"newsbook: error: {label}: {error}", err=True)
    if report.failed:
        sys.exit(1)


@click.argument("sources", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "text", "html"]), default="json",
              show_default=True, help="What to print for each source.")
@click.option("--offline", is_flag=True, help="Read web pages from the cache only.")
def extract(sources, fmt, offline) -> None:
    """Show what newsbook reads from each source: title, authors, date, text.

    \b
    Examples:
      newsbook extract page.html
      newsbook extract scraped.txt --format text
      newsbook extract https://example.org/story
    """
    from newsbook.build.extract import extract_all

    results = extract_all(list(sources), offline)
    failed = any("error" in item for item in results)
    if fmt == "json":
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for item in results:
            if "error" in item:
                click.echo(f"newsbook: error: {item['error']}", err=True)
                continue
            if fmt == "text":
                click.echo(f"# {item['title']}\n")
                if item["authors"]:
                    click.echo(f"By {', '.join(item['authors'])}")
                if item["published"]:
                    click.echo(item["published"])
                click.echo(f"\n{item['text']}\n")
            else:
                click.echo(item["html"])
    if failed:
        sys.exit(1)
