"""What newsbook reads from sources, as plain dictionaries (the `extract` command's output)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsbook import sources
from newsbook.clean import clean_article, local_resolver, plain_text
from newsbook.errors import NewsbookError


def extract_one(path: Path) -> dict[str, Any]:
    """Read and clean one source file into a JSON-ready dictionary."""
    article = sources.read_file(path)
    article, _warnings = clean_article(article, local_resolver([Path.cwd(), path.parent]))
    return {
        "source": str(path),
        "title": article.title,
        "authors": article.authors,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "site": article.site,
        "language": article.language,
        "summary": article.summary,
        "tags": article.tags,
        "text": plain_text(article.body),
        "html": article.body,
    }


def extract_all(paths: list[Path]) -> list[dict[str, Any]]:
    """One dictionary per source in input order; a failed source gives {"source", "error"}."""
    results = []
    for path in paths:
        try:
            results.append(extract_one(path))
        except NewsbookError as exc:
            results.append({"source": str(path), "error": str(exc)})
    return results
