"""The seam between a build and the machinery: every shortcut the pipeline may take, by name.

build/pipeline.py calls these and nothing else of newsbook.speed, so that it reads as the
stages in order. Each one either leaves the build's result as the single-process path makes it
or is skipped; the heavy modules behind them are imported only when a build takes the shortcut.
"""

from __future__ import annotations

from pathlib import Path


def start_pdf_workers(jobs: int, variant: str | None = None, outputs: list[Path] = ()) -> None:
    """Before a build reads its sources: start what the parallel PDF's workers fork from.

    WeasyPrint's import then runs in another process while the sources are read. Not when
    every PDF output exists already: that rebuild may well find it up to date, and the
    workers' server then starts only if a PDF is laid out.
    """
    pdfs = [path for path in outputs if path.suffix.lower() == ".pdf"]
    if jobs > 1 and variant is None and not (pdfs and all(path.exists() for path in pdfs)):
        from newsbook.speed.pdfparts import pool

        pool.start()


def pdf_in_parts(jobs: int, cache: Path | None):
    """The PDF builder's parallel renderer (builders.pdf.build_with_stats(parallel=...)):
    parts on `jobs` processes, reused from the `cache` folder."""

    def render(html: str, served: dict, identifier: bytes):
        # Imported here: a small issue or a PDF variant never asks, and loads none of it.
        from newsbook.speed.pdfparts import InParts

        return InParts(jobs, cache)(html, served, identifier)

    return render
