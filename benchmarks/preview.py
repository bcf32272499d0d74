"""HTML output and preview speed: build time and size of the page, and serve's change-to-page time.

    .venv/bin/python benchmarks/preview.py --counts 100 1000 --runs 3

For each count of synthetic articles (benchmarks/generate.py, Markdown): the wall time of
`newsbook build -f html` (a process, as a user runs it), the page's size, and, with a preview
running in this process, the time from writing a changed article to the server reporting the
rebuilt page (median of --runs edits; it includes the watcher's 200 ms debounce).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import generate  # noqa: E402

VENV_BIN = Path(sys.executable).parent


def project(folder: Path, count: int) -> Path:
    """A project folder with `count` articles and an HTML-only build."""
    generate.write(folder / "articles", count)
    (folder / "newsbook.toml").write_text('[issue]\ntitle = "Bench Times"\ndate = "2026-11-28"\n'
                                          'number = 1\n\n[build]\nformats = ["html"]\n')
    return folder


def build_time(folder: Path) -> tuple[float, int]:
    """Wall seconds of one `newsbook build` of the folder, and the page's size in bytes."""
    for stale in (folder / "_build", folder / ".newsbook"):
        subprocess.run(["rm", "-rf", str(stale)], check=True)
    started = time.perf_counter()
    result = subprocess.run([str(VENV_BIN / "newsbook"), "build", str(folder), "-q"],
                            capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(result.stderr)
    (page,) = (folder / "_build").glob("*.html")
    return wall, page.stat().st_size


def rebuild_times(folder: Path, runs: int) -> list[float]:
    """Seconds from an article written to the preview serving the page built from it."""
    from newsbook.serve import Preview

    def version(preview) -> int:
        with urllib.request.urlopen(preview.url + "__newsbook__/status") as response:
            return json.load(response)["version"]

    times = []
    article = sorted((folder / "articles").glob("*.md"))[0]
    with Preview(folder, port=0) as preview:
        while version(preview) < 1:
            time.sleep(0.02)
        for run in range(runs):
            before = version(preview)
            started = time.perf_counter()
            article.write_text(article.read_text() + f"\nEdit {run}.\n")
            while version(preview) == before:
                time.sleep(0.01)
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"{'articles':>8}  {'build -f html':>13}  {'page':>9}  {'change → page':>13}")
    for count in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            folder = project(Path(tmp) / "bench", count)
            builds = [build_time(folder) for _ in range(args.runs)]
            wall = statistics.median(w for w, _ in builds)
            size = builds[0][1]
            change = statistics.median(rebuild_times(folder, args.runs))
            print(f"{count:>8}  {wall:>11.2f} s  {size / 1e6:>6.2f} MB  {change:>11.2f} s",
                  flush=True)


if __name__ == "__main__":
    main()
