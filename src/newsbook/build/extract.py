"""What newsbook reads from sources, as plain dictionaries (the `extract` command's output)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsbook import sources
from newsbook.model import Article
from newsbook.model.clean import clean_article
from newsbook.model.errors import NewsbookError, SourceError
from newsbook.model.images import local_resolver, web_resolver
from newsbook.model.plaintext import plain_text


def as_dict(article: Article, source: str) -> dict[str, Any]:
    """The JSON-ready view of a cleaned article."""
    return {
        "source": source,
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


def extract_one(path: Path) -> dict[str, Any]:
    """Read and clean one source file into a JSON-ready dictionary."""
    article = sources.read_file(path)
    article, _warnings = clean_article(article, local_resolver([Path.cwd(), path.parent]))
    return as_dict(article, str(path))


def extract_url(url: str, offline: bool = False) -> dict[str, Any]:
    """Fetch a web page (through the user's HTTP cache) and read it like a build would."""
    from newsbook.build.collect import SourceSpec, collect
    from newsbook.build.state import http_cache
    from newsbook.sources.fetch import Fetcher
    from newsbook.sources.fetchtypes import FetchSettings

    with Fetcher(http_cache(None), FetchSettings(offline=offline)) as fetcher:
        collected = collect([SourceSpec("url", url)], fetcher)
    if collected.failures:
        raise SourceError(collected.failures[0].reason)
    article, _warnings = clean_article(collected.articles[0], web_resolver(collected.images, None))
    return as_dict(article, url)


def extract_all(locations: list[str], offline: bool = False) -> list[dict[str, Any]]:
    """One dictionary per source in input order; a failed source gives {"source", "error"}."""
    from newsbook.build.collect import is_url

    results = []
    for location in locations:
        try:
            if is_url(location):
                results.append(extract_url(location, offline))
            else:
                results.append(extract_one(Path(location)))
        except NewsbookError as exc:
            results.append({"source": location, "error": str(exc)})
    return results
