"""Selection: canonical URLs, near-duplicates, date window, tags, limits, cross-issue memory."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newsbook.model import Article
from newsbook.model.select import Rules, article_key, canonical_url, select

TEXT = ("The council approved the new budget on Tuesday after a long debate about the ferry "
        "service, the library opening hours and the repairs to the old harbour wall, which "
        "engineers say cannot wait another winter without serious risk to the quay.")


def _a(ident, url=None, day=None, tags=(), body=TEXT, title=None) -> Article:
    return Article(id=ident, title=title or ident, body=f"<p>{body}</p>", source=ident, url=url,
                   tags=list(tags), published=datetime(2026, 11, day, 12) if day else None)


@pytest.mark.parametrize("variant", [
    "https://news.example.org/story",
    "http://news.example.org/story/",
    "https://NEWS.example.org/story#comments",
    "https://www.news.example.org/story?utm_source=feed&utm_medium=rss",
    "https://news.example.org/story/amp",
    "https://amp.news.example.org/story?amp=1",
    "https://news.example.org:443/story?fbclid=abc",
])
def test_url_variants_are_one_story(variant):
    assert canonical_url(variant) == canonical_url("https://news.example.org/story")


def test_meaningful_query_parameters_stay():
    assert canonical_url("https://e.org/read?id=1") != canonical_url("https://e.org/read?id=2")
    assert canonical_url("https://e.org/a?b=2&a=1") == canonical_url("https://e.org/a?a=1&b=2")


def test_duplicate_urls_and_republished_text_are_left_out():
    other = ("A completely different story about the night market, the musicians who play there "
             "every Thursday and the stallholders who sell grilled corn and fresh bread.")
    articles = [
        _a("one", "https://e.org/story?utm_source=x"),
        _a("two", "https://e.org/story/"),  # the same URL
        _a("three", "https://wire.example.com/copy", title="Same story, other title"),
        _a("four", "https://e.org/other", body=other),
    ]
    kept, out = select(articles, Rules())
    assert [a.id for a in kept] == ["one", "four"]
    reasons = {d.article.id: d.reason for d in out}
    assert reasons["two"] == "the same URL as an article before it"
    assert reasons["three"].startswith("the same story as")


def test_date_window_undated_rule_tags_and_limit():
    since = datetime(2026, 11, 10, tzinfo=timezone.utc)
    until = datetime(2026, 11, 20, tzinfo=timezone.utc)
    bodies = [f"Story number {i} " + " ".join(f"w{i}x{j}" for j in range(40)) for i in range(7)]
    articles = [_a("old", day=5, body=bodies[0]), _a("in", day=12, body=bodies[1]),
                _a("late", day=20, body=bodies[2]), _a("undated", body=bodies[3]),
                _a("sport", day=13, tags=["Sport"], body=bodies[4]),
                _a("also-in", day=14, body=bodies[5]), _a("third", day=15, body=bodies[6])]
    kept, out = select(articles, Rules(since=since, until=until, exclude_tags=["sport"],
                                       max_articles=3))
    assert [a.id for a in kept] == ["in", "undated", "also-in"]
    reasons = {d.article.id: d.reason for d in out}
    assert reasons["old"] == "published before 2026-11-10"
    assert reasons["late"] == "published on or after 2026-11-20"
    assert reasons["sport"] == "tagged sport"
    assert reasons["third"] == "over the limit of 3 articles"
    kept, _ = select(articles, Rules(since=since, until=until, undated="exclude",
                                     include_tags=["sport"]))
    assert [a.id for a in kept] == ["sport"]


def test_seen_in_an_earlier_issue():
    article = _a("x", "https://e.org/seen")
    kept, out = select([article], Rules(seen=frozenset({article_key(article)})))
    assert kept == [] and out[0].reason == "already in an earlier issue"


def test_key_of_local_articles_is_their_text():
    assert article_key(_a("a")) == article_key(_a("b", title="a"))
    assert article_key(_a("a")).startswith("sha256:")


def test_republished_story_from_an_earlier_issue():
    from newsbook.model.select import text_signature

    earlier = _a("old", "https://e.org/original")
    copy = _a("copy", "https://other.example.com/reprint", title="Reprinted")
    kept, out = select([copy], Rules(seen_signatures=(text_signature(earlier),)))
    assert kept == [] and out[0].reason == "the same story as one in an earlier issue"


def test_shingle_hashes_are_the_same_in_every_run():
    """Signatures are kept in the state file: the hashes must not depend on the process
    (CPython salts str hashes per process; _shingles hashes integers only)."""
    import subprocess
    import sys

    code = ("from newsbook.model.select import _shingles; "
            "print(sorted(_shingles(None, 'the quick brown fox jumps over the lazy dog'))[:3])")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert runs == {"[6080343574363518220, 9620736444613769749, 10979098959187906583]\n"}
