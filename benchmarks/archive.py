"""Archive throughput: issues per minute with 1 and 2 local processes and a 2-worker Dask cluster.

    .venv/bin/python benchmarks/archive.py                 # 26 weekly issues, 3 articles each
    .venv/bin/python benchmarks/archive.py --weeks 52 --per-week 5

Each executor archives the same generated project into a fresh folder (the built-in theme, a
cover per issue, EPUB and PDF/A-3u); the time includes reading the sources and writing files,
manifest and index, and for Dask the cluster's start. The manifests must come out identical.
The machine's load average is printed too: on a shared machine, figures vary with it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

WORDS = ("harbour ferry council budget school river bridge market library museum train station "
         "weather garden festival election court hospital road factory farm theatre report vote "
         "plan season mayor district port island street park archive").split()


def make_project(folder: Path, weeks: int, per_week: int) -> Path:
    """A project with `per_week` dated Markdown articles of ~300 words in each of `weeks` weeks."""
    articles = folder / "articles"
    articles.mkdir(parents=True)
    (folder / "newsbook.toml").write_text('[issue]\ntitle = "Benchmark Weekly"\n',
                                          encoding="utf-8")
    rng = random.Random(7)
    start = date(2025, 1, 1)
    for week in range(weeks):
        for n in range(per_week):
            day = start + timedelta(days=7 * week + n % 7)
            paragraphs = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60)).capitalize()
                                     + "." for _ in range(5))
            (articles / f"{day.isoformat()}-{n}.md").write_text(
                f"---\ntitle: Story {week}.{n}\ndate: {day.isoformat()}\n"
                f"url: https://bench.example/{week}/{n}\n---\n\n{paragraphs}\n", encoding="utf-8")
    return folder


def run(config, weeks: int, out: Path, executor) -> tuple[float, int]:
    """Seconds to archive, and the number of issues built."""
    from newsbook.archive.run import archive

    started = time.perf_counter()
    report = archive(config, date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=7 * weeks - 1),
                     "week", output_dir=out, executor=executor)
    if report.failed:
        raise SystemExit(f"failed issues: {report.failed}")
    return time.perf_counter() - started, len(report.built)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--per-week", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1735689600")
    from distributed import LocalCluster

    from newsbook.archive.executors import DaskExecutor, LocalExecutor
    from newsbook.build.config import load

    with tempfile.TemporaryDirectory(prefix="newsbook-bench-archive-") as tmp:
        root = Path(tmp)
        config = load(make_project(root / "project", args.weeks, args.per_week) / "newsbook.toml")
        print(f"{args.weeks} weekly issues of {args.per_week} articles; "
              f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
        rows = []
        for name, workers in (("local, 1 process", 1), ("local, 2 processes", 2)):
            executor = LocalExecutor(workers)
            try:
                seconds, built = run(config, args.weeks, root / name.replace(" ", ""), executor)
            finally:
                executor.close()
            rows.append((name, seconds, built))
        started = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            executor = DaskExecutor(cluster.scheduler_address)
            try:
                seconds, built = run(config, args.weeks, root / "dask", executor)
            finally:
                executor.close()
        rows.append(("Dask LocalCluster, 2 workers", time.perf_counter() - started, built))
        manifests = {(root / folder / "archive.json").read_bytes()
                     for folder in ("local,1process", "local,2processes", "dask")}
        print(f"{'executor':<30} {'seconds':>8} {'issues':>7} {'issues/min':>11}")
        for name, seconds, built in rows:
            print(f"{name:<30} {seconds:8.1f} {built:7d} {60 * built / seconds:11.1f}")
        print(f"manifests identical: {len(manifests) == 1}; "
              f"load average after: {os.getloadavg()[0]:.2f}")
        if len(manifests) != 1:
            sys.exit(1)


if __name__ == "__main__":
    main()
