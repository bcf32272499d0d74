"""Article pages rendered and the cover drawn on workers give the EPUB one process gives."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from conftest import ROOTS, register_epub
from newsbook.build import config as config_mod
from newsbook.build import pipeline
from newsbook.build import plan as plan_mod
from newsbook.speed import prerender


@pytest.fixture
def project14(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773446400")  # equal builds, equal bytes
    folder = tmp_path / "fourteen"
    shutil.copytree(ROOTS / "basic", folder)
    monkeypatch.setattr(prerender, "POOL_MS", 0.0)  # workers even for these few articles
    for n in range(14):
        words = random.Random(n).choices([f"word{i}" for i in range(300)], k=80)
        (folder / "articles" / "notes" / f"n{n:02d}.md").write_text(
            f"# Note {n}\n\n{' '.join(words)}\n", encoding="utf-8")
    return folder


def _epub(folder: Path, jobs: int) -> bytes:
    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"), formats=["epub"])
    plan.jobs = jobs
    report = pipeline.build(plan)
    return register_epub(report.outputs[0]).read_bytes()


def test_pages_from_workers_make_the_same_book(project14, monkeypatch):
    calls = []
    real = prerender.render_pages
    monkeypatch.setattr(prerender, "render_pages",
                        lambda *a, **k: calls.append(a[3]) or real(*a, **k))
    alone = _epub(project14, jobs=1)
    assert calls == []
    shutil.rmtree(project14 / ".newsbook")  # no cached cover, articles or state
    shutil.rmtree(project14 / "_build")
    together = _epub(project14, jobs=2)
    assert calls and calls[0] is not None  # the cover was drawn by a worker too
    assert together == alone


def test_a_cover_drawn_before_is_not_drawn_again(project14, monkeypatch):
    _epub(project14, jobs=2)
    (project14 / "_build").rename(project14 / "first")
    (project14 / ".newsbook" / "outputs.json").unlink()
    calls = []
    real = prerender.render_pages
    monkeypatch.setattr(prerender, "render_pages",
                        lambda *a, **k: calls.append(a[3]) or real(*a, **k))
    again = _epub(project14, jobs=2)
    assert calls == [None]  # pages rendered on workers, the cover taken from the cache
    assert again == next((project14 / "first").glob("*.epub")).read_bytes()


def test_workers_are_used_where_they_pay():
    from datetime import date

    from newsbook.model import Article, Issue, Section

    def issue(count: int) -> Issue:
        articles = [Article(id=f"a{i}", title="T", body="<p>x</p>", source="s.md")
                    for i in range(count)]
        return Issue(title="I", date=date(2026, 3, 14), language="en", identifier="urn:x",
                     sections=[Section("S", articles, id="s1")])

    assert prerender.worth_it(issue(100), 2, drawing=True)  # the cover beside the pages
    assert not prerender.worth_it(issue(100), 2, drawing=False)  # pages alone: quick here
    assert prerender.worth_it(issue(1000), 2, drawing=False)
    assert not prerender.worth_it(issue(10), 2, drawing=True)
    assert not prerender.worth_it(issue(1000), 1, drawing=True)
