"""Whole builds: a rebuild with nothing changed keeps the outputs; any change rebuilds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli


def build(folder: Path) -> dict:
    result = run_cli("build", str(folder), "--json", "-f", "epub",
                     env={"SOURCE_DATE_EPOCH": "1773446400"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("change", ["nothing", "article", "template", "setting", "tampered",
                                    "deleted"])
def test_up_to_date_detection(project, change):
    folder = project("basic")
    first = build(folder)
    assert first["up_to_date"] is False
    epub = Path(first["outputs"][0])
    written = epub.stat().st_mtime_ns
    if change == "article":
        page = folder / "articles" / "notes" / "cafe.md"
        page.write_text(page.read_text().replace("tôt", "très tôt"))
    elif change == "template":
        (folder / "templates").mkdir()
        (folder / "templates" / "epub.css").write_text("body { margin: 0; }\n")
    elif change == "setting":
        toml = folder / "newsbook.toml"
        toml.write_text(toml.read_text().replace('subtitle = "Fixtures for the test suite"',
                                                 'subtitle = "Another subtitle"'))
    elif change == "tampered":
        epub.write_bytes(epub.read_bytes() + b"x")
    elif change == "deleted":
        epub.unlink()
    second = build(folder)
    if change == "nothing":
        assert second["up_to_date"] is True and epub.stat().st_mtime_ns == written
    else:
        assert second["up_to_date"] is False and epub.stat().st_mtime_ns != written
        assert second["files"][0]["sha256"] != "" and epub.exists()
