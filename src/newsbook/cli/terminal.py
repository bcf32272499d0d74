"""The terminal side of the CLI: progress bars, colours (NO_COLOR), the end-of-build summary."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click


def colour_allowed() -> bool:
    """False when NO_COLOR is set to anything (no-color.org); click drops colour off a TTY."""
    return not os.environ.get("NO_COLOR")


def paint(text: str, colour: str, bold: bool = False) -> str:
    """`text` in a colour, unless the user asked for none."""
    return click.style(text, fg=colour, bold=bold) if colour_allowed() else text


def warning_line(message: str) -> str:
    """`newsbook: warning: ...`, as warn() prints it."""
    return f"newsbook: {paint('warning', 'yellow')}: {message}"


def warn(message: str) -> None:
    """`newsbook: warning: ...` on stderr."""
    click.echo(warning_line(message), err=True)


def up_to_date_answer(data: dict, quiet: bool, as_json: bool) -> tuple[str, str, str]:
    """What `build` prints when the quick check finds nothing changed: stdout, and stderr with
    and without colour. `data` is the report of the build that made the outputs."""
    data = {**data, "up_to_date": True, "up_to_date_check": "stats", "sent": [],
            "cache": {"hits": 0, "misses": 0, "read": []}}
    err = [] if quiet else [warning_line(w) for w in data["warnings"]]
    out = ""
    if as_json:
        out = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif not quiet:
        err.append(build_summary(data))
        out = "".join(f"{path}\n" for path in data["outputs"])
    coloured = "".join(f"{line}\n" for line in err)
    return out, coloured, click.unstyle(coloured)


class Progress:
    """A bar per stage on stderr while stderr is a terminal; silent otherwise.

    Called as progress(stage, done, total) by the pipeline; a new stage closes the last bar.
    """

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar = None
        self._stage = None
        self._done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if stage != self._stage:
            self.close()
            self._stage, self._done = stage, 0
            self._bar = click.progressbar(length=total, label=f"{stage:<15}", file=sys.stderr,
                                          show_pos=True, show_eta=False, width=30,
                                          color=colour_allowed())
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        """Finish the current bar (its line stays, complete)."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        self._stage = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def pdf_pages(path: Path) -> int | None:
    """The page count of a PDF (pypdf reads only the page tree), None when it cannot be read."""
    try:
        from pypdf import PdfReader

        return len(PdfReader(path).pages)
    except Exception:  # noqa: BLE001 - a count for a summary: unknown is an answer
        return None


def add_pages(data: dict) -> None:
    """Add `pages` to the PDF entries of a build report's files."""
    for entry in data.get("files", []):
        if entry.get("format") == "pdf":
            entry["pages"] = pdf_pages(Path(entry["path"]))


def build_summary(data: dict) -> str:
    """One line: articles, sections, pages, file sizes, warnings."""
    from newsbook.deliver import human_size

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'s' * (n != 1)}"

    parts = [f"{plural(data['articles'], 'article')} in {plural(data['sections'], 'section')}"]
    cache = data.get("cache") or {}
    if cache.get("hits"):  # a cold build has nothing to say about the cache
        parts[0] += f" ({cache['hits']} from the article cache, {cache['misses']} read)"
    pages = [f["pages"] for f in data.get("files", []) if f.get("pages")]
    if pages:
        parts.append(plural(pages[0], "page"))
    if data.get("files"):
        parts.append(", ".join(f"{f['format'].upper()} {human_size(f['bytes'])}"
                               for f in data["files"]))
    problems = len(data.get("warnings", [])) + len(data.get("failures", []))
    if problems:
        parts.append(paint(plural(problems, "warning"), "yellow"))
    if data.get("up_to_date"):
        parts.append("up to date, nothing rebuilt")
    return paint("built", "green", bold=True) + " " + " · ".join(parts)


def setup_logging(verbosity: int) -> None:
    """-vv: debug logging of the libraries underneath (HTTP requests, cache) on stderr."""
    if verbosity < 2:
        return
    import logging

    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                        format="newsbook: debug: %(name)s: %(message)s")
