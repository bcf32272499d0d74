"""The on-disk state in one place: where a project (or an ad-hoc build) keeps its caches."""

from __future__ import annotations

import os
from pathlib import Path

STATE_DIR = ".newsbook"


def cache_dir(project_root: Path | None) -> Path:
    """A project's .newsbook/cache, or the user's cache folder for ad-hoc builds."""
    if project_root is not None:
        return project_root / STATE_DIR / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsbook"


def http_cache(project_root: Path | None) -> Path:
    """The SQLite file of the HTTP cache (pages, feeds, images)."""
    return cache_dir(project_root) / "http.sqlite"
