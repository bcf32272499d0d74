"""Build speed: newsbook against pandoc on the same synthetic articles, side by side in one run.

    make bench                       # installs pandoc (apt) when missing, then runs this
    .venv/bin/python benchmarks/speed.py --counts 100 1000 --runs 3
    .venv/bin/python benchmarks/speed.py --counts 100 --formats epub    # EPUB rows only
    .venv/bin/python benchmarks/speed.py --counts 100 1000 --pdf-runs 3 1  # one PDF run at N=1000

For each N: the articles are written once (benchmarks/generate.py, Markdown) into a project
folder, then built by newsbook and by pandoc (`pandoc *.md --toc`, the PDF through
`--pdf-engine=weasyprint`). Every figure is the median of --runs. A "full" newsbook build starts
with no state and no caches (.newsbook/ removed before each run). Printed: wall time, CPU time
(user+system of the process and every child it waited for) and peak memory (the largest
resident set of any one process in the tree: ru_maxrss of wait4), the ratio newsbook/pandoc,
the PDF with --jobs 1 and --jobs 2 and the scaling between them, the same PDF tagged (the
default) and untagged, with articles following one another (the default) and a page each
(wall, size, and whether the parallel path was taken), a rebuild with nothing changed
and one with one article edited (ratios to the full build, and which files the build report says
were read), the time per article against the first N, and `newsbook --help`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import generate  # noqa: E402

VENV_BIN = Path(sys.executable).parent
TARGETS = {"epub": 0.3, "pdf": 0.6, "rebuild": 0.1, "edited": 0.3, "scaling": 1.7,
           "per_article": 1.2, "help": 0.25, "memory_mb": 1536}


@dataclass
class Run:
    """One command's cost: wall seconds, CPU seconds, peak RSS in MB, and its stdout."""

    wall: float
    cpu: float
    peak: float
    stdout: str = ""


def measured(command: list[str], cwd: Path) -> Run:
    """Run a command: wall time, CPU time and peak memory of its process tree, and its stdout."""
    env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=env)
        # ru_maxrss of wait4 is the largest RSS of the process and of every descendant it
        # waited for (Linux keeps the maximum): "peak memory of any process" in the tree.
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
        # Processes the command left to end on their own (a fork server and the PDF workers
        # forked from it) come back to this subreaper: their time and memory count too.
        while True:
            try:
                _pid, _status, usage = os.wait4(-1, 0)
            except ChildProcessError:
                break
            cpu += usage.ru_utime + usage.ru_stime
            peak = max(peak, usage.ru_maxrss)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"failed ({process.returncode}): {' '.join(command[:6])}…\n"
                             f"{err.read().decode(errors='replace')[-2000:]}")
        return Run(wall, cpu, peak / 1024, out.read().decode(errors="replace"))


def adopt_orphans() -> None:
    """Linux: become the subreaper of the commands run, so that measured() counts every process
    they start, even one they do not wait for."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def median_run(runs: list[Run]) -> Run:
    """The median of each figure (over runs)."""
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               statistics.median(r.peak for r in runs), runs[-1].stdout)


def repeat(times: int, command: list[str], cwd: Path, before=None) -> Run:
    """Median of `times` runs, calling `before()` ahead of each (to reset caches, edit files)."""
    runs = []
    for _ in range(times):
        if before is not None:
            before()
        runs.append(measured(command, cwd))
    return median_run(runs)


def write_project(root: Path, count: int) -> list[Path]:
    """A newsbook project of `count` generated Markdown articles (pandoc reads the same files)."""
    files = generate.write(root / "articles", count)
    set_pdf(root)
    return files


def set_pdf(root: Path, tagged: bool = True, article_break: str = "auto") -> None:
    """The project's newsbook.toml with these [pdf] settings (the defaults unless told)."""
    (root / "newsbook.toml").write_text(
        '[issue]\ntitle = "Bench"\ndate = "2026-11-28"\n\n[build]\nformats = ["epub"]\n\n'
        f'[pdf]\ntagged = {str(tagged).lower()}\narticle_break = "{article_break}"\n',
        encoding="utf-8")


def pdf_size(project: Path) -> float:
    """The size of the PDF the last build wrote, in KB."""
    return sum(p.stat().st_size for p in (project / "out").glob("*.pdf")) / 1024


def tagging_rows(project: Path, runs: int, build, lines: list[str]) -> dict:
    """The same issue as a tagged and an untagged PDF, in both article layouts, --jobs 2.

    Tagged PDFs are laid out in one pass; untagged ones with a page per article take the
    parallel path, so the last pair shows what tagging costs there too. Ends with the default
    settings back in place.
    """
    figures = {}
    for article_break in ("auto", "page"):
        untagged = None
        for tagged in (False, True):
            set_pdf(project, tagged, article_break)
            run = repeat(runs, build("pdf", "--jobs", "2", "--json"), project,
                         before=lambda: fresh(project))
            path = "parallel" if json.loads(run.stdout).get("pdf_parallel") else "one pass"
            label = (f"PDF {'tagged' if tagged else 'untagged'}, article_break "
                     f"{article_break}")
            # On a loaded machine the CPU ratio says more than the wall ratio.
            lines.append(row(label, run, f"{run.wall / untagged.wall:.2f}" if tagged else "",
                             f"{pdf_size(project):.0f} KB, {path}"
                             + (f"; tagged / untagged: wall (ratio), cpu "
                                f"{run.cpu / untagged.cpu:.2f}" if tagged else "")))
            untagged = untagged or run
            figures[(tagged, article_break)] = {"wall": run.wall, "kb": pdf_size(project),
                                                "path": path}
    set_pdf(project)
    # The same, measured inside one process: one layout written untagged and tagged.
    inside = subprocess.run([sys.executable, str(Path(__file__).parent / "pdf_tags.py"),
                             str(project), "--runs", str(runs)],
                            capture_output=True, text=True, check=True).stdout.strip()
    lines.append(f"  PDF tags inside one process: {inside}")
    return figures


def fresh(project: Path) -> None:
    """No state, no caches, no outputs: the next build is a full one."""
    shutil.rmtree(project / ".newsbook", ignore_errors=True)
    shutil.rmtree(project / "out", ignore_errors=True)


def row(label: str, run: Run, ratio: str = "", note: str = "") -> str:
    return (f"  {label:34} {run.wall:8.2f} {run.cpu:8.2f} {run.peak:8.0f} {ratio:>8}"
            f"  {note}").rstrip()


def bench(count: int, runs: int, formats: list[str], pandoc: str | None,
          lines: list[str], pdf_runs: int | None = None) -> dict:
    """Every figure for one N; appends the table rows to `lines` and returns the key figures."""
    newsbook = str(VENV_BIN / "newsbook")
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="newsbook-bench-") as tmp:
        project = Path(tmp) / "bench"
        files = write_project(project, count)
        names = [p.name for p in files]
        lines.append(f"N = {count}   (load average at start: "
                     f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
        lines.append(f"  {'':34} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'ratio':>8}")

        def build(fmt: str, *extra: str) -> list[str]:
            return [newsbook, "build", str(project), "-f", fmt, "-d", str(project / "out"),
                    "-q", *extra]

        every = runs
        for fmt in formats:
            runs = (pdf_runs or every) if fmt == "pdf" else every
            theirs = None
            if pandoc:
                extra = ["--pdf-engine=weasyprint"] if fmt == "pdf" else []
                theirs = repeat(runs, [pandoc, *names, "--toc", *extra, "-o", f"../pd.{fmt}"],
                                project / "articles")
            job_counts = [1, 2] if fmt == "pdf" else [None]
            ours = {}
            for jobs in job_counts:
                extra = ["--jobs", str(jobs)] if jobs else []
                ours[jobs] = repeat(runs, build(fmt, *extra), project,
                                    before=lambda: fresh(project))
                ratio = f"{ours[jobs].wall / theirs.wall:.2f}" if theirs else "-"
                label = f"{fmt.upper()} newsbook full" + (f" --jobs {jobs}" if jobs else "")
                target = TARGETS.get(fmt)
                lines.append(row(label, ours[jobs], ratio,
                                 f"(target ≤ {target})" if theirs and target and
                                 (jobs in (None, 2)) else ""))
            if theirs:
                lines.append(row(f"{fmt.upper()} pandoc", theirs))
            full = ours[job_counts[-1]]
            figures[fmt] = {"newsbook": full.wall, "pandoc": theirs.wall if theirs else None,
                            "peak_mb": max(r.peak for r in ours.values())}
            if fmt == "pdf":
                scaling = ours[1].wall / ours[2].wall
                figures["pdf"]["scaling"] = scaling
                lines.append(f"  {'PDF scaling --jobs 1 / --jobs 2':34} {scaling:8.2f}"
                             f"{'':28}(target ≥ {TARGETS['scaling']}; the default tagged "
                             f"PDF is laid out in one pass)")
                figures["pdf"]["tagging"] = tagging_rows(project, runs, build, lines)
            # Unchanged rebuild: the outputs of a full build are kept ("up to date").
            fresh(project)
            measured(build(fmt, *(["--jobs", "2"] if fmt == "pdf" else [])), project)
            again = repeat(runs, build(fmt, "--json"), project)
            report = json.loads(again.stdout)
            lines.append(row(f"{fmt.upper()} rebuild, nothing changed", again,
                             f"{again.wall / full.wall:.2f}",
                             f"(of the full build; target ≤ {TARGETS['rebuild']}) up to date: "
                             f"{report['up_to_date']} (checked by "
                             f"{report.get('up_to_date_check')}), cache "
                             f"{report['cache']['hits']} hits / {report['cache']['misses']} read"))
            figures[fmt]["rebuild"] = again.wall / full.wall
            if fmt == "epub":
                edited = _edited_rebuild(runs, build(fmt, "--json"), project, files)
                report = json.loads(edited.stdout)
                read = report["cache"]["read"]
                lines.append(row("EPUB rebuild, one article edited", edited,
                                 f"{edited.wall / full.wall:.2f}",
                                 f"(of the full build; target ≤ {TARGETS['edited']}) each run "
                                 f"read {report['cache']['misses']} of {count}, the edited one "
                                 f"(last: {', '.join(Path(p).name for p in read)}); "
                                 f"{report['cache']['hits']} from the cache"))
                figures["epub"]["edited"] = edited.wall / full.wall
                figures["epub"]["edited_read"] = read
    return figures


def _edited_rebuild(runs: int, command: list[str], project: Path, files: list[Path]) -> Run:
    """Rebuilds after editing one article (a different one each run), from a warm cache.

    Each run's report must name exactly the edited file as read: that is the claim measured.
    """
    results = []
    for attempt in range(runs):
        target = files[(7 + 13 * attempt) % len(files)]
        target.write_text(target.read_text(encoding="utf-8")
                          + f"\nOne more sentence, edit number {attempt}.\n", encoding="utf-8")
        result = measured(command, project)
        read = [Path(p).name for p in json.loads(result.stdout)["cache"]["read"]]
        if read != [target.name]:
            raise SystemExit(f"edited {target.name}, but the build read {read}")
        results.append(result)
    return median_run(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["epub", "pdf"],
                        choices=["epub", "pdf"])
    parser.add_argument("--pdf-runs", type=int, nargs="+",
                        help="runs for the PDF rows, one per count (default: --runs); "
                             "the PDF of 1000 articles takes minutes a run")
    args = parser.parse_args()
    adopt_orphans()
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        print("pandoc not found: run `make bench` (installs it with apt) for the comparison",
              file=sys.stderr)
    version = subprocess.run([str(VENV_BIN / "newsbook"), "--version"], capture_output=True,
                             text=True).stdout.strip()
    print(f"{version}; {os.cpu_count()} cores; median of {args.runs} runs (PDF: "
          f"{args.pdf_runs or args.runs}); ratio = newsbook/pandoc wall unless said")
    all_figures = {}
    pdf_runs = dict(zip(args.counts, args.pdf_runs or []))
    for count in args.counts:
        lines: list[str] = []
        all_figures[count] = bench(count, args.runs, args.formats, pandoc, lines,
                                   pdf_runs.get(count))
        print("\n".join(lines), flush=True)
    first, *rest = args.counts
    for count in rest:
        for fmt in args.formats:
            mine = all_figures[count][fmt]["newsbook"] / count
            base = all_figures[first][fmt]["newsbook"] / first
            print(f"{fmt.upper()} time per article at N={count}: {mine * 1000:.1f} ms, at "
                  f"N={first}: {base * 1000:.1f} ms ({mine / base:.2f}×; target ≤ "
                  f"{TARGETS['per_article']})")
    peak = max(f[fmt]["peak_mb"] for f in all_figures.values() for fmt in args.formats)
    print(f"peak memory of any process: {peak:.0f} MB (target ≤ {TARGETS['memory_mb']} MB)")
    help_wall = statistics.median(measured([str(VENV_BIN / "newsbook"), "--help"],
                                           Path.cwd()).wall for _ in range(5))
    print(f"newsbook --help: {help_wall:.3f} s wall (target ≤ {TARGETS['help']} s); "
          f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
