"""Packaging: the wheel carries the built-in theme, and an installed copy builds from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from conftest import REPO, copy_samples, register_epub


def test_wheel_ships_templates_and_builds_from_another_folder(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(REPO)], check=True, timeout=300)
    (wheel,) = wheels.glob("newsbook-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("article.xhtml", "issue.html", "epub.css", "print.css", "cover.xhtml"):
        assert f"newsbook/templates/{template}" in names
    assert "newsbook/cli/commands.py" in names

    # Install the wheel alone into a folder that shadows the development copy; the
    # dependencies come from the test environment.
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import newsbook; print(newsbook.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(target))
    result = subprocess.run([sys.executable, "-m", "newsbook", "build", str(copy_samples(tmp_path)),
                             "-o", "x.epub", "-o", "x.pdf"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "x.pdf").stat().st_size > 10_000
    register_epub(elsewhere / "x.epub")
