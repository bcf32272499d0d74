"""Shared fixtures: test projects, builds, and one batched epubcheck and Ace run for every EPUB built."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).parent.parent
SAMPLES = REPO / "samples"
SHARED_SEED = REPO.parent / "shared" / "corpus" / "seed" / "scraped-article.txt"

# Every EPUB a test builds is registered here; tests/test_epubcheck.py validates them all in
# one JVM run at the end of the session (each JVM start costs seconds), tests/test_ace.py
# checks their accessibility with Ace by DAISY, one book of each kind.
BUILT_EPUBS: list[Path] = []


def copy_samples(folder: Path) -> Path:
    """A copy of the sample project, so that a build's state and caches stay out of the repo."""
    return Path(shutil.copytree(SAMPLES, folder / "samples",
                                ignore=shutil.ignore_patterns(".newsbook", "_build")))


def register_epub(path: Path) -> Path:
    """Queue an EPUB for the end-of-session epubcheck and Ace runs."""
    BUILT_EPUBS.append(path)
    return path


def inaccessible_copy(good: Path, target: Path) -> Path:
    """A copy of a built EPUB with faults Ace finds: no language on the OPF package, and the
    ARIA roles its epub:type values need taken away."""
    import re
    import zipfile

    with zipfile.ZipFile(good) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".opf"):
                data = re.sub(rb'(<package[^>]*?) xml:lang="[^"]*"', rb"\1", data, count=1)
            elif info.filename.endswith(".xhtml"):
                data = re.sub(rb' role="doc-(part|chapter)"', b"", data)
            copy.writestr(info, data)
    return target


def pytest_collection_modifyitems(session, config, items):
    """Run the epubcheck and Ace batches after every test that builds EPUBs."""
    last = [item for item in items if item.get_closest_marker("epubcheck_batch")]
    items[:] = [item for item in items if item not in last] + last


def pytest_configure(config):
    # Ad-hoc builds keep their HTTP cache in the user's cache folder: not the real one.
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="newsbook-test-cache-")
    config.addinivalue_line("markers", "epubcheck_batch: validates all EPUBs built so far")


@pytest.fixture
def project(tmp_path: Path):
    """A fresh copy of a test project from tests/roots/, by name."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(ROOTS / name, target)
        return target

    return copy


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run `python -m newsbook` in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "newsbook", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def basic_build(tmp_path_factory):
    """The basic test project built once as EPUB and PDF, shared by read-only tests."""
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    folder = tmp_path_factory.mktemp("basic") / "basic"
    shutil.copytree(ROOTS / "basic", folder)
    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"))
    report = pipeline.build(plan)
    epub, pdf = report.outputs
    register_epub(epub)
    return report, epub, pdf


@pytest.fixture(scope="session")
def reading_build(tmp_path_factory):
    """The reading test project (footnotes, code blocks, an image) built once in every
    format: {format: path}, for read-only tests."""
    from newsbook import builders
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    folder = tmp_path_factory.mktemp("reading") / "reading"
    shutil.copytree(ROOTS / "reading", folder)
    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"))
    built = {builders.format_for(path): path for path in pipeline.build(plan).outputs}
    register_epub(built["epub"])
    register_epub(built["kepub"])
    return built
