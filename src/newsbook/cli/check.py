"""`newsbook check`: validate built books (epubcheck and Ace for EPUB, structure and fonts for PDF)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

# sysexits.h EX_UNAVAILABLE: no file failed, but an EPUB could not be validated (no Java).
# A script can tell "the books are bad" (1) from "this machine cannot tell" (69).
EXIT_UNCHECKED = 69

CHECK_EPILOG = """\b
Examples:
  newsbook check _build/*.epub _build/*.pdf
  newsbook check brief.pdf --json

\b
Accessibility: Ace by DAISY checks EPUBs when it is installed (make test puts it in the venv,
or npm install -g @daisy/ace and a Chromium); without it, one line says it was skipped.

\b
Exit codes: 0 every file passed; 1 a file failed (or does not exist);
69 nothing failed, but an EPUB was not validated (no Java runtime, or no epubcheck).
"""


@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Warnings fail a file too.")
@click.option("-v", "--verbose", is_flag=True, help="Show warnings of files that pass.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the files that fail.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
def check(files, strict, verbose, quiet, as_json) -> None:
    """Check books: EPUBs with epubcheck (needs Java) and Ace by DAISY (when installed), PDFs
    for metadata, outline and fonts, HTML pages for well-formed HTML5 that loads nothing from
    outside itself."""
    from newsbook.builders import check as checker
    from newsbook.cli.terminal import paint, warn

    results = checker.check_files(list(files), strict=strict)
    if as_json:
        click.echo(json.dumps([checker.as_dict(r) for r in results], indent=2,
                              ensure_ascii=False))
    else:
        colours = {checker.OK: "green", checker.FAILED: "red", checker.UNCHECKED: "yellow"}
        for result in results:
            if quiet and result.status == checker.OK:
                continue
            word = paint(f"{result.status.upper():9}", colours[result.status])
            head = checker.summary(result)
            click.echo(f"{word} {result.path}: {head}")
            details = list(result.problems)
            if verbose or result.status != checker.OK:
                details += result.warnings
            details = [line for line in details if line != head]
            for line in details[:50]:
                click.echo(f"          {line}")
            if len(details) > 50:
                click.echo(f"          … and {len(details) - 50} more")
        skipped = [r.details["ace"]["skipped"] for r in results
                   if "skipped" in r.details.get("ace", {})]
        if skipped and not quiet:
            click.echo(f"newsbook: Ace skipped, accessibility not checked: {skipped[0]}", err=True)
        unchecked = [r for r in results if r.status == checker.UNCHECKED]
        if unchecked:
            warn(f"{len(unchecked)} EPUB{'s' * (len(unchecked) != 1)} not validated: "
                 f"{unchecked[0].warnings[-1].removeprefix('not validated: ')}")
    statuses = {r.status for r in results}
    if checker.FAILED in statuses:
        sys.exit(1)
    if checker.UNCHECKED in statuses:
        sys.exit(EXIT_UNCHECKED)
