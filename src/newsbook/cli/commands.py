"""The command line: parse, call the library, print. Errors become one line on
stderr. The group, build and list are here; the other commands: features.py."""

from __future__ import annotations

import json
import signal
import sys
import threading
import traceback
from pathlib import Path

import click

from newsbook import __version__
from newsbook.cli import check as cli_check, send as cli_send
from newsbook.cli import features
from newsbook.model.errors import NewsbookError
from newsbook.render.themes import THEMES

EX_SOFTWARE = 70  # sysexits.h: an internal error, a bug to report
EXIT_SIGINT = 128 + signal.SIGINT  # 130, as a shell reports a process ended by Ctrl-C
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that cleanups (temporary files, lock) run."""


def _on_sigterm(signum, frame):
    raise Terminated()


def _debug_option() -> click.Option:
    """--debug, taken after the command too (`newsbook build --debug`), not only before it."""
    def remember(ctx: click.Context, _param, value: bool) -> None:
        if value:
            ctx.meta["newsbook.debug"] = True  # meta is shared by the whole context chain

    return click.Option(["--debug"], is_flag=True, expose_value=False, callback=remember,
                        help="Show tracebacks instead of one-line errors.")


class _Command(click.Command):
    """Turn library errors into `newsbook: error: ...` and an exit code, never a traceback."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params.append(_debug_option())

    def invoke(self, ctx: click.Context):
        debug = ctx.find_root().params.get("debug") or ctx.meta.get("newsbook.debug", False)
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
    if message.startswith(("newsbook: error:", "newsbook: internal error:")):
        from newsbook.cli.terminal import paint

        head, _, rest = message.partition("error:")
        message = f"{head}{paint('error', 'red', bold=True)}:{rest}"
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
        click.option("--timeout", type=click.FloatRange(0, min_open=True), metavar="SECONDS",
                     help="Longest one URL may take, connecting and the whole body "
                          "([network] timeout, default 30)."),
        click.option("--deadline", type=click.FloatRange(0, min_open=True), metavar="SECONDS",
                     help="Longest all the build's fetching may take: what has not arrived "
                          "by then is skipped with a warning ([network] deadline)."),
    ]):
        command = option(command)
    return command


class _Group(click.Group):
    command_class = _Command

    def make_context(self, info_name, args, parent=None, **extra):
        # The words as given: the quick up-to-date check (uptodate.py) is keyed by them.
        words = list(args)
        ctx = super().make_context(info_name, args, parent, **extra)
        ctx.meta["newsbook.argv"] = words
        return ctx


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
              help="Output file; repeatable. The format follows the extension "
                   "(.epub, .pdf, .html, .kepub.epub).")
@click.option("-f", "--format", "formats", multiple=True,
              type=click.Choice(["epub", "pdf", "html", "kepub"]),
              help="Formats to build into the project's output folder; repeatable.")
@click.option("-d", "--output-dir", type=click.Path(path_type=Path),
              help="Folder for the outputs, with their default names (overrides the config).")
@click.option("--title", help="Issue title (overrides the config).")
@click.option("--theme", type=click.Choice(list(THEMES)),
              help="Built-in theme (overrides [theme] name in the config).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) if any source cannot be read.")
@_selection_options
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Processes for reading sources and laying out the PDF (default: all cores).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", count=True,
              help="Show each article and why any was left out; -vv: debug logging.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
@click.option("--send/--no-send", "send", default=None,
              help="Mail the book as [deliver] says (default: [deliver] after_build).")
def build(locations, outputs, formats, output_dir, title, theme, strict, offline, since, until,
          include_seen, timeout, deadline, jobs, quiet, verbose, as_json, send) -> None:
    """Build an issue from a project folder (default: .) or from files, folders, URLs and feeds.

    \b
    Examples:
      newsbook build                             # the project in this folder
      newsbook build samples -f pdf              # only the PDF of a project
      newsbook build samples -d out/             # into out/, default file names
      newsbook build samples --theme classic     # the newspaper theme
      newsbook build notes/ -o out/notes.epub -o out/notes.pdf --title "Notes"
      newsbook build https://example.org/feed.xml https://example.org/page -o web.epub
      newsbook build samples --send              # then mail it as [deliver] says
    """
    from newsbook.build import pipeline
    from newsbook.build import report as report_mod
    from newsbook.cli import terminal

    terminal.setup_logging(verbose)
    plan = _plan(locations, outputs=list(outputs) or None, formats=list(formats) or None,
                 title=title, output_dir=output_dir, offline=offline, since=since, until=until,
                 include_seen=include_seen, theme=theme, timeout=timeout, deadline=deadline)
    if jobs:
        plan.jobs = jobs
    with terminal.Progress(enabled=None if not quiet else False) as progress:
        report = pipeline.build(plan, strict=strict, progress=progress)

    for failure in report.failures:
        terminal.warn(f"skipped {failure.reason}")
    if not quiet:
        for warning in report.warnings:
            terminal.warn(warning)
    data = report_mod.report_dict(report)
    terminal.add_pages(data)
    if verbose and not as_json:
        _print_articles(data)
    try:
        data["sent"] = [str(s.path) for s in cli_send.after_build(plan, report, send)]
    finally:  # a failed delivery still reports the build it follows
        _print_build(report, data, quiet, as_json)
    if plan.project is not None and report.inputs is not None and not report.failures \
            and not verbose and not send:
        _remember(plan, report, data, quiet, as_json)


def _remember(plan, report, data: dict, quiet: bool, as_json: bool) -> None:
    """Let the same command, run again with nothing changed, answer from file stats alone."""
    import os

    from newsbook.cli import terminal
    from newsbook.clock import build_date
    from newsbook.speed import uptodate

    argv = click.get_current_context().find_root().meta.get("newsbook.argv")
    if not argv:
        return
    out, err, err_plain = terminal.up_to_date_answer(data, quiet, as_json)
    uptodate.record(str(plan.project), argv, os.getcwd(), [str(p) for p in report.inputs],
                    [str(p) for p in report.outputs], build_date().isoformat(), out, err,
                    err_plain)


def _print_build(report, data: dict, quiet: bool, as_json: bool) -> None:
    if as_json:
        data.setdefault("sent", [])
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif not quiet:
        from newsbook.cli.terminal import build_summary

        click.echo(build_summary(data), err=True)
        for path in report.outputs:
            click.echo(str(path))
        for path in data.get("sent", []):
            click.echo(f"sent {path}", err=True)


def _print_articles(data: dict) -> None:
    """-v: every article with its section and source, and what was left out and why."""
    for item in data["included"]:
        click.echo(f"  + [{item['section']}] {item['title']}  ({item['source']})", err=True)
    for item in data["left_out"]:
        click.echo(f"  - {item['title']}  ({item['source']}): {item['reason']}", err=True)


def _plan(locations: tuple[str, ...], *, outputs=None, formats=None, title=None, output_dir=None,
          offline=False, since=None, until=None, include_seen=False, theme=None, timeout=None,
          deadline=None):
    """A build plan from the command line: a project folder (default .) or ad-hoc sources."""
    from dataclasses import replace

    plan = _plan_of(locations, outputs=outputs, formats=formats, title=title,
                    output_dir=output_dir, offline=offline, since=since, until=until,
                    include_seen=include_seen, theme=theme)
    if timeout is not None:
        plan.fetch = replace(plan.fetch, timeout=timeout)
    if deadline is not None:
        plan.fetch = replace(plan.fetch, deadline=deadline)
    return plan


def _plan_of(locations, *, outputs, formats, title, output_dir, offline, since, until,
             include_seen, theme):
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod
    from newsbook.build import schema

    locations = list(locations) or ["."]
    first = Path(locations[0])
    project = (config_mod.find_config(first)
               if len(locations) == 1 and not pipeline.is_url(locations[0]) and first.is_dir()
               else None)
    if project is not None:
        return plan_mod.plan_project(config_mod.load(project), formats, outputs, title,
                                     output_dir, offline, since, until, include_seen,
                                     theme=theme)
    if locations == ["."] and not outputs:
        raise NewsbookError(f"no {schema.CONFIG_NAME} here: give a project folder, "
                            "or sources and -o FILE")
    return plan_mod.plan_sources(locations, outputs, formats, title, output_dir, offline,
                                 since, until, theme=theme)


@main.command(name="list")
@click.argument("locations", nargs=-1)
@_selection_options
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def list_command(locations, offline, since, until, include_seen, timeout, deadline,
                 as_json) -> None:
    """Show what the next issue would contain, and why anything is left out, without building.

    \b
    Examples:
      newsbook list                  # the project in this folder
      newsbook list samples --json
    """
    from newsbook.build import pipeline
    from newsbook.build import report as report_mod

    plan = _plan(locations, outputs=[Path("preview.epub")], offline=offline, since=since,
                 until=until, include_seen=include_seen, timeout=timeout, deadline=deadline)
    report = pipeline.preview(plan)
    data = report_mod.report_dict(report)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    issue = data["issue"]
    if issue is None:
        # Every article read was left out: an answer to "what would the next issue hold",
        # not a failure (`build` says "nothing was built" and exits 1); the reasons follow.
        settings = plan.settings
        number = f" No. {settings.number}" if settings.number is not None else ""
        left = len(data["left_out"])
        click.echo(f"{settings.title}{number}: no article matches the window and filters "
                   f"(all {left} left out; why below)")
    else:
        number = f" No. {issue['number']}" if issue["number"] is not None else ""
        count = data["articles"]
        click.echo(f"{issue['title']}{number}, {issue['date']}: "
                   f"{count} article{'s' * (count != 1)}")
    for section in (issue or {}).get("sections", []):
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


main.command(name="send", epilog=cli_send.SEND_EPILOG)(cli_send.send)
main.command(name="check", epilog=cli_check.CHECK_EPILOG)(cli_check.check)
main.command()(features.init)
main.command()(features.serve)
main.command(name="archive")(features.archive_command)
main.command()(features.extract)


if __name__ == "__main__":  # pragma: no cover
    main()
