"""Markdown reader: YAML front matter plus CommonMark with tables, via markdown-it-py."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from newsbook.model import Article, article_id
from newsbook.model.errors import SourceError
from newsbook.sources.meta import clean_string, http_url, parse_date, split_authors, title_from_path
from newsbook.sources.page.headline import drop_title_heading

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIRST_H1 = re.compile(r"\A\s*<h1[^>]*>(.*?)</h1>\n?", re.S)


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """Separate YAML front matter from the Markdown body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    import yaml

    try:
        # libyaml's loader (when PyYAML has it) is 8× faster; the constructors are the same.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        meta = yaml.load(match.group(1) or "", Loader=loader) or {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise SourceError(f"{name}: invalid front matter{where}") from None
    except RecursionError:
        raise SourceError(f"{name}: invalid front matter (nested too deeply)") from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        # PyYAML builds dates and numbers after parsing: "date: 2024-02-30", "!!int 0x" or
        # "!!timestamp x" fail there, with plain Python errors.
        raise SourceError(f"{name}: invalid front matter ({' '.join(str(exc).split())[:120]})") from None
    if not isinstance(meta, dict):
        raise SourceError(f"{name}: front matter must be a mapping of keys to values")
    return meta, text[match.end():]


def render_markdown(text: str) -> str:
    """Markdown to an HTML fragment: CommonMark, tables, strikethrough, footnotes, heading ids."""
    return _parser().render(text)


@functools.lru_cache(maxsize=1)
def _parser():
    """One configured parser per process: building one costs as much as rendering an article.

    A MarkdownIt instance keeps no state between renders (footnotes and heading slugs live in
    each render's own env and state), so sharing it changes nothing.
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    # Heading ids let "[see below](#timeline)" links resolve inside the book.
    md.use(anchors_plugin, min_level=1, max_level=6).use(footnote_plugin)
    return md


def read(path: Path, text: str) -> Article:
    """Read a Markdown file with optional front matter."""
    meta, body_md = split_front_matter(text, str(path))
    body = render_markdown(body_md)
    title = clean_string(meta.get("title"))
    if title is None:
        match = _FIRST_H1.match(body)
        if match:
            import html

            title = clean_string(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))))
            body = body[match.end():]
    else:
        body = drop_title_heading(body, title)  # "# Same title" under a front matter title
    if not body.strip():
        raise SourceError(f"{path}: article has no text")
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",")]
    elif not isinstance(tags, list):
        tags = [tags]  # "tags: 7", "tags: 2024-05-02"
    tags = [clean_string(t) for t in tags]
    published = parse_date(meta.get("date"))
    if meta.get("date") is not None and published is None:
        shown = clean_string(meta["date"]) or type(meta["date"]).__name__
        raise SourceError(f"{path}: front matter 'date' is not a date: {shown[:80]!r}")
    return Article(
        id=article_id(str(path), text),
        title=title or title_from_path(path),
        body=body,
        source=str(path),
        authors=split_authors(meta.get("authors", meta.get("author"))),
        published=published,
        url=http_url(meta.get("url")),
        site=clean_string(meta.get("site")),
        language=clean_string(meta.get("lang", meta.get("language"))),
        summary=clean_string(meta.get("summary", meta.get("description"))),
        section=clean_string(meta.get("section")),
        tags=[t for t in tags if t],
    )
