"""The command line: parse, call the library, print. Errors become one line on stderr."""

from __future__ import annotations

import json
import signal
import sys
import threading
import traceback
from pathlib import Path

import click

from newsbook import __version__
from newsbook.errors import NewsbookError

EX_SOFTWARE = 70  # sysexits.h: an internal error, a bug to report
EXIT_SIGINT = 128 + signal.SIGINT  # 130, as a shell reports a process ended by Ctrl-C
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that cleanups (temporary files, lock) run."""


def _on_sigterm(signum, frame):
    raise Terminated()


class _Command(click.Command):
    """Turn library errors into `newsbook: error: ...` and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        debug = ctx.find_root().params.get("debug")
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise  # click's own ways out: exit codes and usage errors
        except NewsbookError as exc:
            _fail(ctx, debug, f"newsbook: error: {exc}", exc.exit_code)
        except BrokenPipeError:
            # The reader of our output went away (`newsbook list | head`): not an error of ours.
            # Point stdout at /dev/null so that Python's exit flush does not fail again.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except Terminated:
            _fail(ctx, debug, "newsbook: terminated", EXIT_SIGTERM)
        except KeyboardInterrupt:
            _fail(ctx, debug, "newsbook: interrupted", EXIT_SIGINT)
        except Exception as exc:  # noqa: BLE001 - a bug still gets one line and its own code
            hint = "" if debug else " (run with --debug for the traceback)"
            _fail(ctx, debug, f"newsbook: internal error: {type(exc).__name__}: {exc}{hint}",
                  EX_SOFTWARE)


def _fail(ctx: click.Context, debug: bool, message: str, code: int):
    """One line on stderr (after the traceback with --debug), then exit with `code`."""
    if debug:
        traceback.print_exc()
    click.echo(message, err=True)
    ctx.exit(code)


def _selection_options(command):
    """The options that choose what goes into an issue, shared by build and list."""
    for option in reversed([
        click.option("--offline", is_flag=True,
                     help="Use only what earlier builds fetched (the cache)."),
        click.option("--since",
                     help='Leave out articles older than this: a date or a span ("7 days").'),
        click.option("--until", help="Leave out articles from this date on (a date or a span)."),
        click.option("--include-seen", is_flag=True,
                     help="Keep articles that earlier issues of the project already carried."),
    ]):
        command = option(command)
    return command


class _Group(click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsbook")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn articles (Markdown, HTML, scraped text) into a periodical issue: EPUB 3 and PDF.

    \b
    Examples:
      newsbook build samples                    # a project folder with newsbook.toml
      newsbook build a.md b.html -o brief.pdf   # ad hoc, from files
      newsbook extract page.html --format json
    """
    # SIGTERM (kill, systemd, a CI timeout) becomes an exception like Ctrl-C, so a build that
    # is stopped removes its temporary files and exits 143 instead of dying mid-write.
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        if previous is not None:
            ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous))


@main.command()
@click.argument("locations", nargs=-1)
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path),
              help="Output file; repeatable. The format follows the extension (.epub, .pdf).")
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(["epub", "pdf"]),
              help="Formats to build into the project's output folder; repeatable.")
@click.option("-d", "--output-dir", type=click.Path(path_type=Path),
              help="Folder for the outputs, with their default names (overrides the config).")
@click.option("--title", help="Issue title (overrides the config).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) if any source cannot be read.")
@_selection_options
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Processes for reading sources and laying out the PDF (default: all cores).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
def build(locations, outputs, formats, output_dir, title, strict, offline, since, until,
          include_seen, jobs, quiet, as_json) -> None:
    """Build an issue from a project folder (default: .) or from files, folders, URLs and feeds.

    \b
    Examples:
      newsbook build                             # the project in this folder
      newsbook build samples -f pdf              # only the PDF of a project
      newsbook build samples -d out/             # into out/, default file names
      newsbook build notes/ -o out/notes.epub -o out/notes.pdf --title "Notes"
      newsbook build https://example.org/feed.xml https://example.org/page -o web.epub
    """
    from newsbook import pipeline

    plan = _plan(locations, outputs=list(outputs) or None, formats=list(formats) or None,
                 title=title, output_dir=output_dir, offline=offline, since=since, until=until,
                 include_seen=include_seen)
    if jobs:
        plan.jobs = jobs
    report = pipeline.build(plan, strict=strict)

    for failure in report.failures:
        click.echo(f"newsbook: warning: skipped {failure.reason}", err=True)
    if not quiet:
        for warning in report.warnings:
            click.echo(f"newsbook: warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(pipeline.report_dict(report), indent=2, ensure_ascii=False))
    elif not quiet:
        click.echo(f"{report.articles} article{'s' * (report.articles != 1)} in "
                   f"{report.sections} section{'s' * (report.sections != 1)}"
                   + (": up to date, nothing rebuilt" if report.up_to_date else ""), err=True)
        for path in report.outputs:
            click.echo(str(path))


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=".")
@click.option("--title", default="My Digest", show_default=True, help="The publication's title.")
def init(folder, title) -> None:
    """Create a project: newsbook.toml (every key explained), an article, templates/.

    \b
    Examples:
      newsbook init brief --title "The Weekly Brief" && newsbook build brief
    """
    from newsbook.scaffold import init_project

    for path in init_project(folder, title):
        click.echo(str(path))


def _plan(locations: tuple[str, ...], *, outputs=None, formats=None, title=None, output_dir=None,
          offline=False, since=None, until=None, include_seen=False):
    """A build plan from the command line: a project folder (default .) or ad-hoc sources."""
    from newsbook import config as config_mod
    from newsbook import pipeline

    locations = list(locations) or ["."]
    first = Path(locations[0])
    project = (config_mod.find_config(first)
               if len(locations) == 1 and not pipeline.is_url(locations[0]) and first.is_dir()
               else None)
    if project is not None:
        return pipeline.plan_project(config_mod.load(project), formats, outputs, title,
                                     output_dir, offline, since, until, include_seen)
    if locations == ["."] and not outputs:
        raise NewsbookError(f"no {config_mod.CONFIG_NAME} here: give a project folder, "
                            "or sources and -o FILE")
    return pipeline.plan_sources(locations, outputs, formats, title, output_dir, offline,
                                 since, until)


@main.command(name="list")
@click.argument("locations", nargs=-1)
@_selection_options
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def list_command(locations, offline, since, until, include_seen, as_json) -> None:
    """Show what the next issue would contain, and why anything is left out, without building.

    \b
    Examples:
      newsbook list                  # the project in this folder
      newsbook list samples --json
    """
    from newsbook import pipeline

    plan = _plan(locations, outputs=[Path("preview.epub")], offline=offline, since=since,
                 until=until, include_seen=include_seen)
    report = pipeline.preview(plan)
    data = pipeline.report_dict(report)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    issue = data["issue"]
    number = f" No. {issue['number']}" if issue["number"] is not None else ""
    click.echo(f"{issue['title']}{number}, {issue['date']}: {data['articles']} articles")
    for section in issue["sections"]:
        click.echo(f"\n{section}")
        for item in data["included"]:
            if item["section"] == section:
                day = (item["published"] or "undated")[:10]
                click.echo(f"  {day}  {item['title']}  [{item['source']}]")
    if data["left_out"]:
        click.echo("\nLeft out")
        for item in data["left_out"]:
            click.echo(f"  {item['title']}  [{item['source']}]: {item['reason']}")
    for failure in data["failures"]:
        click.echo(f"newsbook: warning: skipped {failure['reason']}", err=True)


@main.command()
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
    from newsbook.extract import extract_all

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


if __name__ == "__main__":  # pragma: no cover
    main()
