"""newsbook.toml parsing: defaults, types, and errors that name the file and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsbook.config import load, parse
from newsbook.errors import ConfigError

from conftest import ROOTS


def test_basic_project_config():
    config = load(ROOTS / "basic" / "newsbook.toml")
    assert config.title == "Test Gazette" and config.number == 7
    assert config.date == date(2026, 3, 14)
    assert config.formats == ["epub", "pdf"] and config.order == "date"
    assert [s.section for s in config.sources] == ["News", "Notes"]
    assert config.sources[0].path == (ROOTS / "basic" / "articles" / "news").resolve()


def test_defaults():
    config = parse({}, Path("/p/newsbook.toml"))
    assert config.language == "en" and config.page_size == "A4" and config.order == "source"
    assert config.formats == ["epub", "pdf"] and config.sources == []


@pytest.mark.parametrize("raw, needle", [
    ({"extra": {}}, "unknown table or key 'extra'"),
    ({"issue": {"titel": "x"}}, "unknown key 'issue.titel'"),
    ({"issue": {"number": True}}, "'issue.number' must be an integer"),
    ({"issue": {"date": "next tuesday"}}, "'issue.date' must be a date"),
    ({"issue": {"language": "english please"}}, "'issue.language' must be a language tag"),
    ({"build": {"order": "random"}}, "'build.order' must be one of"),
    ({"build": {"page_size": "A9"}}, "'build.page_size' must be one of"),
    ({"build": {"sections": ["a", 1]}}, "'build.sections' must be a list of strings"),
    ({"sources": {"path": "x"}}, "'sources' must be an array of tables"),
    ({"sources": [{"path": "x", "feed": "y"}]}, "unknown key 'sources[1].feed'"),
    ({"issue": "title"}, "'issue' must be a table"),
])
def test_errors(raw, needle):
    with pytest.raises(ConfigError) as info:
        parse(raw, Path("/p/newsbook.toml"))
    assert needle in str(info.value) and "/p/newsbook.toml" in str(info.value)


def test_missing_and_undecodable(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load(tmp_path / "newsbook.toml")
    (tmp_path / "newsbook.toml").write_bytes(b"title = '\xff'")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(tmp_path / "newsbook.toml")
