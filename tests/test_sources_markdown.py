"""Markdown reader: front matter keys, title fallbacks, structure, errors."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsbook.model.errors import SourceError
from newsbook.sources import read_file


def _write(tmp_path: Path, text: str, name: str = "post.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_keys(tmp_path):
    article = read_file(_write(tmp_path, """---
title: "A Title: With Colon"
authors:
  - Ann Author
  - name: Bob Builder
date: 2026-11-20T08:30:00+01:00
section: Science
tags: [space, "night sky"]
summary: Short summary.
lang: pt-BR
url: https://example.org/a
---

Body text.
"""))
    assert article.title == "A Title: With Colon"
    assert article.authors == ["Ann Author", "Bob Builder"]
    assert article.published.astimezone(timezone.utc) == datetime(2026, 11, 20, 7, 30,
                                                                   tzinfo=timezone.utc)
    assert article.section == "Science" and article.tags == ["space", "night sky"]
    assert article.summary == "Short summary." and article.language == "pt-BR"
    assert article.url == "https://example.org/a"
    assert "<p>Body text.</p>" in article.body


def test_single_author_string_and_plain_date(tmp_path):
    article = read_file(_write(tmp_path, "---\nauthor: Jane Doe and John Roe\ndate: 2026-01-02\n"
                                         "---\n# Heading Title\n\nText.\n"))
    assert article.authors == ["Jane Doe", "John Roe"]
    assert article.published == datetime(2026, 1, 2)
    assert article.title == "Heading Title" and "<h1" not in article.body


def test_title_from_file_name(tmp_path):
    article = read_file(_write(tmp_path, "Just text.\n", "2026-11-20-city_budget-vote.md"))
    assert article.title == "City budget vote"


def test_structure_is_kept(tmp_path):
    body = read_file(_write(tmp_path, "# T\n\n## Sub\n\n- a\n- b\n\n1. one\n\n> quote\n\n"
                                      "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n")).body
    for tag in ("<h2", "<ul>", "<ol>", "<blockquote>", "<table>", "<s>"):
        assert tag in body


@pytest.mark.parametrize("text, needle", [
    ("---\ntitle: [unclosed\n---\nText\n", "invalid front matter"),
    ("---\n- a list\n---\nText\n", "front matter must be a mapping"),
    ("---\ndate: someday\n---\nText\n", "front matter 'date' is not a date"),
    ("---\ntitle: Only meta\n---\n", "article has no text"),
    ("", "file is empty"),
])
def test_errors(tmp_path, text, needle):
    with pytest.raises(SourceError, match=needle):
        read_file(_write(tmp_path, text))
