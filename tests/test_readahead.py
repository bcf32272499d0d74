"""Reading ahead on worker processes gives the issue that reading in one process gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOTS
from newsbook.build import config as config_mod
from newsbook.build import pipeline
from newsbook.build import plan as plan_mod
from newsbook.build import report as report_mod
from newsbook.speed import readahead


@pytest.fixture
def many(tmp_path: Path) -> Path:
    """A project of 16 Markdown files: one with a local image, one with a web image, one
    broken, one in a sub-folder, beside the basic project's HTML and text articles."""
    folder = tmp_path / "many"
    shutil.copytree(ROOTS / "basic", folder)
    notes = folder / "articles" / "notes"
    for n in range(12):
        (notes / f"note-{n:02d}.md").write_text(
            f"---\ntitle: Note {n}\ndate: 2026-03-{n + 1:02d}\n---\n\n"
            + " ".join(f"word{(n * 7 + i) % 50} on the river" for i in range(60)) + "\n",
            encoding="utf-8")
    (notes / "pictured.md").write_text(
        "# Pictured\n\nA bridge, drawn.\n\n![A bridge](../../images/bridge.png)\n\n"
        "![Gone](../../images/missing.png)\n", encoding="utf-8")
    (notes / "web.md").write_text("# From the web\n\nA picture from afar: "
                                  "![far](http://127.0.0.1:9/far.png)\n", encoding="utf-8")
    (notes / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n", encoding="utf-8")
    (notes / "deeper").mkdir()
    (notes / "deeper" / "inner.md").write_text("# Inner\n\nFrom a sub-folder.\n",
                                               encoding="utf-8")
    return folder


def _build(folder: Path, jobs: int) -> report_mod.Report:
    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"), formats=["epub"],
                                 offline=True)
    plan.jobs = jobs
    return pipeline.build(plan)


def test_workers_give_the_issue_one_process_gives(many, monkeypatch):
    monkeypatch.setattr(readahead, "POOL_MS", 0.0)  # a pool even for these few files
    calls = []
    real = readahead.read_ahead
    monkeypatch.setattr(readahead, "read_ahead",
                        lambda *a, **k: calls.append(len(a[0])) or real(*a, **k))
    serial = _build(many, jobs=1)
    assert calls == []  # one job: read in this process
    shutil.rmtree(many / ".newsbook")  # no cache, no state: everything is read again
    shutil.rmtree(many / "_build")
    parallel = _build(many, jobs=2)
    assert calls == [20]  # the basic project's 4 files and 16 more, all missed by the cache

    def same(report):
        return ([(a.title, a.section, a.body, [i.key for i in a.images])
                 for a in report.issue.articles],
                sorted(Path(p).name for p in report.read),
                [(Path(f.source).name, f.reason.split(":")[-1]) for f in report.failures])

    assert same(parallel) == same(serial)
    assert parallel.warnings == serial.warnings
    assert any("broken.md" in f.source for f in parallel.failures)  # reported, not lost
    assert any("far.png" in w for w in parallel.warnings)  # the web image took the usual path
    pictured = next(a for a in parallel.issue.articles if a.title == "Pictured")
    assert len(pictured.images) == 1
    # The image files looked for are inputs of the build (the quick up-to-date check).
    assert {p.name for p in parallel.inputs if p.suffix == ".png"} >= {"bridge.png",
                                                                        "missing.png"}


def test_a_second_build_takes_the_worker_made_articles_from_the_cache(many, monkeypatch):
    monkeypatch.setattr(readahead, "POOL_MS", 0.0)
    first = _build(many, jobs=2)
    (many / "articles" / "notes" / "note-03.md").write_text("# Changed\n\nNew text.\n",
                                                           encoding="utf-8")
    second = _build(many, jobs=2)
    # Read again: the changed file, and the one with a web image (never cached); the broken
    # one fails again (not an article).
    assert sorted(Path(p).name for p in second.read) == ["note-03.md", "web.md"]
    assert second.cache_hits == len(first.read) - 2


def test_a_pool_is_used_where_it_pays():
    md = [Path(f"a{i}.md") for i in range(100)]
    assert readahead.worth_it(md, 2)
    assert not readahead.worth_it(md[:12], 2)  # a dozen Markdown files: quicker here
    assert not readahead.worth_it(md, 1)
    pages = [Path(f"p{i}.html") for i in range(3)]
    assert readahead.worth_it(pages, 2)  # extraction is slow: the first here, two side by side
    assert not readahead.worth_it(pages[:2], 2)  # one left for the workers: no gain
