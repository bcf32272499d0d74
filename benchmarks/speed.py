"""Build speed: newsbook against pandoc on the same synthetic articles, side by side in one run.

    make bench                       # installs pandoc (apt) when missing, then runs this
    .venv/bin/python benchmarks/speed.py --counts 100 1000 --runs 3

Prints wall time, CPU time and peak memory (median of --runs) for EPUB and PDF, and the ratio
newsbook/pandoc. pandoc renders the PDF through WeasyPrint too (--pdf-engine=weasyprint).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import generate  # noqa: E402

VENV_BIN = Path(sys.executable).parent


def measure(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user+sys) and peak RSS in MB of one command and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env={**os.environ, "PATH": f"{VENV_BIN}:"
                                                            + os.environ.get("PATH", "")})
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command[:4])}…\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def median_of(runs: int, command: list[str], cwd: Path) -> tuple[float, float, float]:
    results = [measure(command, cwd) for _ in range(runs)]
    return tuple(statistics.median(r[i] for r in results) for i in range(3))  # type: ignore


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["epub", "pdf"])
    args = parser.parse_args()
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        print("pandoc not found: run `make bench` (installs it with apt) for the comparison",
              file=sys.stderr)
    newsbook = str(VENV_BIN / "newsbook")
    header = (f"{'N':>5} {'format':6} {'tool':9} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}"
              f" {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for count in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "articles"
            files = generate.write(folder, count)
            names = [p.name for p in files]
            for fmt in args.formats:
                ours = median_of(args.runs, [newsbook, "build", "-q", "--title", "Bench",
                                             str(folder), "-o", f"nb.{fmt}"], Path(tmp))
                theirs = None
                if pandoc:
                    extra = ["--pdf-engine=weasyprint"] if fmt == "pdf" else []
                    theirs = median_of(args.runs, [pandoc, *names, "--toc", *extra,
                                                   "-o", f"../pd.{fmt}"], folder)
                ratio = f"{ours[0] / theirs[0]:.2f}" if theirs else "-"
                print(f"{count:>5} {fmt:6} {'newsbook':9} {ours[0]:8.2f} {ours[1]:8.2f} "
                      f"{ours[2]:8.0f} {ratio:>6}")
                if theirs:
                    print(f"{count:>5} {fmt:6} {'pandoc':9} {theirs[0]:8.2f} {theirs[1]:8.2f} "
                          f"{theirs[2]:8.0f}")
    help_wall = median_of(5, [newsbook, "--help"], Path.cwd())[0]
    print(f"\nnewsbook --help: {help_wall:.2f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
