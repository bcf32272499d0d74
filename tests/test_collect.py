"""Collecting: local files read in parallel processes give exactly what one process gives."""

from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import register_epub, run_cli

WORDS = "harbour ferry council library market bridge tram museum school garden river".split()


def text(seed: int, words: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def make_sources(folder: Path, count: int = 40) -> None:
    folder.mkdir()
    for i in range(count):
        kind = ("md", "html", "txt")[i % 3]
        body = [text(i * 10 + j) for j in range(3)]
        if kind == "md":
            content = f"---\ntitle: Story {i}\ndate: 2026-11-{1 + i % 27:02d}\n---\n\n" + \
                "\n\n".join(body)
        elif kind == "html":
            content = (f"<html lang='en'><head><title>Story {i}</title>"
                       f"<meta property='og:title' content='Story {i}'></head><body><article>"
                       f"<h1>Story {i}</h1>" + "".join(f"<p>{p}</p>" for p in body)
                       + "</article></body></html>")
        else:
            content = f"Home\nReading: Story {i}\n\nStory {i}\n\n" + "\n\n".join(body) + \
                "\n\nShare This Article\n"
        (folder / f"{i:03d}.{kind}").write_text(content)
    (folder / "999.md").write_text("")  # one broken source


def test_parallel_reading_gives_the_same_book(tmp_path):
    make_sources(tmp_path / "src", 60)  # enough for a pool to pay (see collect._POOL_COST_MS)
    outputs = {}
    for jobs in ("1", "2"):
        result = run_cli("build", "src", "-o", f"j{jobs}.epub", "--json", "--jobs", jobs,
                         "--title", "Parallel", cwd=tmp_path,
                         env={"SOURCE_DATE_EPOCH": "1773446400",
                              # each its own article cache: both really read
                              "XDG_CACHE_HOME": str(tmp_path / f"cache{jobs}")})
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["articles"] == 60 and report["cache"]["hits"] == 0
        assert [f["source"].endswith("999.md") for f in report["failures"]] == [True]
        outputs[jobs] = (tmp_path / f"j{jobs}.epub").read_bytes()
    assert outputs["1"] == outputs["2"]
    register_epub(tmp_path / "j2.epub")


def test_a_pool_is_started_only_when_reading_costs_more_than_starting_it(tmp_path, monkeypatch):
    from concurrent import futures

    from newsbook.build import collect

    make_sources(tmp_path / "src", 60)
    files = sorted((tmp_path / "src").iterdir())
    started = []

    class Spy(futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(kwargs.get("max_workers"))
            super().__init__(*args, **kwargs)

    def shown(results):
        return [str(r) if isinstance(r, Exception) else r.__dict__ for r in results]

    monkeypatch.setattr(futures, "ProcessPoolExecutor", Spy)
    markdown = [f for f in files if f.suffix == ".md"]
    serial = collect.read_local(markdown, jobs=2)  # 21 Markdown files: cheaper in one process
    assert started == []
    parallel = collect.read_local(files, jobs=2)  # HTML and text files too: worth a pool
    assert started == [2]
    assert shown(collect.read_local(files, jobs=1)) == shown(parallel) and started == [2]
    assert shown(serial) == shown(r for r, f in zip(parallel, files) if f.suffix == ".md")
