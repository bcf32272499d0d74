"""Ace by DAISY, the EPUB accessibility checker: where it is installed, and running it on books.

Ace is a Node program driving a headless Chromium. `make test` installs it into the venv
(`scripts/ace.sh`: .venv/ace); an `ace-puppeteer` on PATH (npm install -g @daisy/ace) does too.
Several books are checked in one Node process and one browser (ace_batch.js beside this file).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

_BATCH = Path(__file__).with_name("ace_batch.js")
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Per book on top of a start: Ace takes seconds on a small book, a minute on a large one.
_TIMEOUT_START, _TIMEOUT_PER_BOOK = 60, 300


@dataclass(frozen=True)
class Ace:
    """How to run Ace here: Node, the @daisy/ace package folder, a Chromium (None when missing)."""

    node: str | None
    package: Path | None
    browser: str | None

    @property
    def missing(self) -> str | None:
        """Why Ace cannot run, or None when it can."""
        if self.package is None:
            return "Ace by DAISY is not installed (make test installs it: scripts/ace.sh)"
        if self.node is None:
            return "no Node.js found for Ace by DAISY"
        if self.browser is None:
            return "no Chromium found for Ace by DAISY (set PUPPETEER_EXECUTABLE_PATH)"
        return None


@dataclass
class AceResult:
    """Ace's verdict on one book: the failed assertions, or why it gave none."""

    violations: list[Violation] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Violation:
    """One failed Ace assertion: which rule, how bad, in which file and element."""

    rule: str
    impact: str
    file: str
    where: str = ""
    description: str = ""

    def __str__(self) -> str:
        place = f"{self.file} {self.where}".strip()
        # axe explains in several lines, the first says what is wrong
        said = (self.description.splitlines() or [""])[0]
        return f"Ace {self.rule} ({self.impact}) in {place}: {said}"


def find_ace() -> Ace:
    """Ace from $NEWSBOOK_ACE_DIR, the venv's ace folder, or ace-puppeteer on PATH."""
    return Ace(shutil.which("node") or shutil.which("nodejs"), _package(), _browser())


def _package() -> Path | None:
    # $NEWSBOOK_ACE_DIR, when set, is the only place looked at (an empty one turns Ace off).
    given = os.environ.get("NEWSBOOK_ACE_DIR")
    for folder in [Path(given)] if given is not None else [Path(sys.prefix) / "ace"]:
        package = folder / "node_modules" / "@daisy" / "ace"
        if given != "" and (package / "package.json").is_file():
            return package
    if given is not None:
        return None
    command = shutil.which("ace-puppeteer")
    if command:  # npm's bin link: <package>/bin/ace-puppeteer.js
        package = Path(command).resolve().parent.parent
        if (package / "package.json").is_file():
            return package
    return None


def _browser() -> str | None:
    given = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if given:
        return given if os.access(given, os.X_OK) else None
    return next((found for name in _BROWSERS if (found := shutil.which(name))), None)


def run(paths: list[Path], ace: Ace | None = None) -> dict[Path, AceResult]:
    """Ace on every book, in one Node process; raises RuntimeError when Ace cannot run at all."""
    ace = ace or find_ace()
    if ace.missing:
        raise RuntimeError(ace.missing)
    results = {path: AceResult(error="Ace gave no result") for path in paths}
    if not paths:
        return results
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": ace.browser,
           "PUPPETEER_SKIP_DOWNLOAD": "1"}
    # Absolute: Node runs in the scratch folder, where Ace writes its reports.
    by_name = {str(path.resolve()): path for path in paths}
    with tempfile.TemporaryDirectory(prefix="newsbook-ace-") as folder:
        try:
            proc = subprocess.run(
                [ace.node, str(_BATCH), str(ace.package), folder, *by_name],
                capture_output=True, text=True, env=env, cwd=folder,
                timeout=_TIMEOUT_START + _TIMEOUT_PER_BOOK * len(paths))
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"Ace did not run ({exc})") from exc
    for line in proc.stdout.splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue  # Chromium or Node talking on stdout
        path = by_name.get(data.get("book")) if isinstance(data, dict) else None
        if path is None:
            continue
        results[path] = AceResult(
            [Violation(v.get("rule", ""), v.get("impact", ""), v.get("file", ""),
                       v.get("where", ""), v.get("description", ""))
             for v in data.get("violations", [])], data.get("error"))
    if all(r.error == "Ace gave no result" for r in results.values()):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"Ace gave no report ({tail[0]})")
    return results
