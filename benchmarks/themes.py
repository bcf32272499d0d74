"""What a theme costs: build time, pages and file sizes of the same issue in each built-in theme.

    .venv/bin/python benchmarks/themes.py --counts 10 40 --runs 3

Builds synthetic articles (generate.py) with `newsbook build --theme NAME`, EPUB and PDF
separately, and prints the median wall time, the PDF's page count, and both file sizes. The
"generic" row is the modern theme with `serif`/`sans-serif` fonts: nothing embedded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import generate  # noqa: E402

VENV_BIN = Path(sys.executable).parent
GENERIC = '[theme]\nbody_font = "serif"\nheading_font = "sans-serif"\ntitle_font = "serif"\n'


def project(folder: Path, count: int, theme: str) -> Path:
    """A project folder with `count` articles and the theme's [theme] table."""
    generate.write(folder / "articles", count)
    table = GENERIC if theme == "generic" else f'[theme]\nname = "{theme}"\n'
    (folder / "newsbook.toml").write_text(
        '[issue]\ntitle = "Bench"\ndate = "2026-11-28"\nnumber = 1\n\n'
        f'[[sources]]\npath = "articles"\nsection = "News"\n\n{table}', encoding="utf-8")
    return folder


def timed_build(folder: Path, fmt: str) -> tuple[float, Path]:
    """Wall seconds of one build of a format (no up-to-date shortcut), and the file built."""
    out = folder / "_build"
    for old in out.glob("*"):
        old.unlink()
    (folder / ".newsbook" / "outputs.json").unlink(missing_ok=True)
    started = time.perf_counter()
    result = subprocess.run([str(VENV_BIN / "newsbook"), "build", str(folder), "-f", fmt],
                            capture_output=True, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1795000000"})
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"build failed: {result.stderr[-2000:]}")
    return wall, Path(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10, 40])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from pypdf import PdfReader

    print(f"{'N':>4} {'theme':8} {'epub s':>7} {'epub KB':>8} {'pdf s':>7} {'pages':>6} {'pdf KB':>7}")
    for count in args.counts:
        for theme in ("modern", "classic", "generic"):
            with tempfile.TemporaryDirectory() as tmp:
                folder = project(Path(tmp) / "p", count, theme)
                row = {}
                for fmt in ("epub", "pdf"):
                    walls, path = [], None
                    for _ in range(args.runs):
                        wall, path = timed_build(folder, fmt)
                        walls.append(wall)
                    row[fmt] = (statistics.median(walls), path.stat().st_size / 1024, path)
                pages = len(PdfReader(row["pdf"][2]).pages)
                print(f"{count:>4} {theme:8} {row['epub'][0]:7.2f} {row['epub'][1]:8.0f} "
                      f"{row['pdf'][0]:7.2f} {pages:>6} {row['pdf'][1]:7.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
