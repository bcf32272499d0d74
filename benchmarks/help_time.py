"""How long `newsbook --help` takes (the CLI must start fast: heavy modules load lazily).

    .venv/bin/python benchmarks/help_time.py --runs 20
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    """Run `newsbook --help` several times; print the median and the slowest wall time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    script = Path(sys.executable).parent / "newsbook"
    command = [str(script)] if script.exists() else [shutil.which("newsbook") or "newsbook"]
    subprocess.run([*command, "--help"], capture_output=True, check=True)  # warm the disk cache
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([*command, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    print(f"newsbook --help: median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
