"""Splitting an issue into parts for mail limits: whole articles, reading order, even weight."""

from __future__ import annotations

from datetime import date

from newsbook.model import Article, Image, Issue, Section
from newsbook.model.split import split_issue, weight


def _article(name: str, size: int) -> Article:
    image = Image(key=f"images/{name}.png", media_type="image/png", data=b"x" * size, alt="")
    return Article(title=name, body=f"<p>{name}</p>", source=f"{name}.md", id=f"a{name}",
                   images=[image])


def _issue(sizes: list[list[int]]) -> Issue:
    sections = [Section(f"Section {i}", [_article(f"{i}-{j}", size) for j, size in enumerate(row)],
                        id=f"s{i}") for i, row in enumerate(sizes, 1)]
    return Issue(title="The Brief", date=date(2026, 12, 7), language="en",
                 identifier="urn:uuid:7b0a5d2e-0f7e-5d55-9a0e-3f1d1f0c2a11", sections=sections)


def test_parts_keep_every_article_once_in_order_and_balance_weight():
    issue = _issue([[100, 100, 100], [100, 400], [100, 100]])
    parts = split_issue(issue, 2)
    assert len(parts) == 2
    assert [a.title for p in parts for a in p.articles] == [a.title for a in issue.articles]
    loads = [sum(weight(a) for a in p.articles) for p in parts]
    assert max(loads) <= sum(loads) * 0.6  # no part much heavier than half
    # Sections stay, emptied ones go; a section cut in two appears in both parts.
    assert [s.title for s in parts[0].sections][0] == "Section 1"
    assert all(s.articles for p in parts for s in p.sections)
    assert parts[0].images and parts[0].images[0].key == "images/1-0.png"


def test_part_identifiers_title_and_series():
    issue = _issue([[10] * 5])
    parts = split_issue(issue, 3)
    assert all(p.title == issue.title and p.series == issue.series for p in parts)
    ids = [p.identifier for p in parts]
    assert len(set(ids)) == 3 and issue.identifier not in ids
    assert all(i.startswith("urn:uuid:") for i in ids)
    assert [p.identifier for p in split_issue(issue, 3)] == ids  # stable from build to build


def test_no_more_parts_than_articles_and_one_part_is_the_issue():
    issue = _issue([[10, 20]])
    assert [len(p.articles) for p in split_issue(issue, 5)] == [1, 1]
    assert split_issue(issue, 1) == [issue]
    heavy_last = _issue([[1, 1, 1, 1000]])
    assert [len(p.articles) for p in split_issue(heavy_last, 2)] == [3, 1]
