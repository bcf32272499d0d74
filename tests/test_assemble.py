"""Issue assembly: sections in the stated order, article order, identifiers, slugs."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from newsbook.clock import build_date, build_time
from newsbook.model import Article
from newsbook.model.assemble import IssueSettings, assemble, issue_identifier, slugify


def _a(ident: str, section: str | None = None, day: int | None = None, title: str = "") -> Article:
    return Article(id=ident, title=title or ident, body="<p>x</p>", source=ident, section=section,
                   published=datetime(2026, 11, day) if day else None)


def test_sections_in_stated_order_then_first_seen():
    issue, _ = assemble([_a("1", "World"), _a("2", "Extra"), _a("3", "Notes"), _a("4")],
                     IssueSettings(sections=["Notes", "World", "Empty"], date=date(2026, 1, 1)))
    assert [s.title for s in issue.sections] == ["Notes", "World", "Extra", "Articles"]
    assert [s.id for s in issue.sections] == ["s1", "s2", "s3", "s4"]


@pytest.mark.parametrize("order, expected", [
    ("source", ["a", "b", "c", "d"]),
    ("date", ["c", "a", "b", "d"]),
    ("date-asc", ["b", "a", "c", "d"]),
    ("title", ["d", "c", "b", "a"]),
])
def test_article_order(order, expected):
    articles = [_a("a", day=10, title="Zulu"), _a("b", day=5, title="Yankee"),
                _a("c", day=20, title="X-ray"), _a("d", title="Whiskey")]
    issue, _ = assemble(articles, IssueSettings(order=order, date=date(2026, 1, 1)))
    assert [a.id for a in issue.articles] == expected


def test_duplicate_articles_once():
    issue, _ = assemble([_a("x"), _a("x")], IssueSettings(date=date(2026, 1, 1)))
    assert len(issue.articles) == 1


def test_identifier_stable_and_distinct():
    one = issue_identifier(IssueSettings(title="Brief", number=1), date(2026, 1, 1))
    assert one == issue_identifier(IssueSettings(title="Brief", number=1), date(2026, 5, 5))
    assert one != issue_identifier(IssueSettings(title="Brief", number=2), date(2026, 1, 1))
    assert one.startswith("urn:uuid:")
    assert issue_identifier(IssueSettings(identifier="isbn:123"), date(2026, 1, 1)) == "isbn:123"


def test_build_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773446400")
    assert build_date() == date(2026, 3, 14)
    assert build_time().isoformat() == "2026-03-14T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # zip entries cannot predate 1980
    assert build_time().year == 1980


def test_slugify():
    assert slugify("L'Été à Zürich!") == "l-ete-a-zurich"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("日本") == "issue"
