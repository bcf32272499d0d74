"""render.py: Jinja filters (reading time, dates, names, direction) and label fallbacks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from markupsafe import Markup

from newsbook.model import Article, Issue, Section
from newsbook.render.environment import (LABELS, Theme, join_names, labels_for,
                                         language_attributes, long_date, plain_text,
                                         reading_minutes, reading_time, text_direction)


def _article(body: str, language: str | None = None) -> Article:
    return Article(id="a1", title="T", body=body, source="t.md", language=language)


def _words(n: int) -> str:
    return "<p>" + " ".join(["word"] * n) + "</p>"


@pytest.mark.parametrize("words, minutes", [(0, 1), (1, 1), (230, 1), (344, 1), (346, 2),
                                            (1150, 5), (2300, 10)])
def test_reading_minutes_from_word_count(words, minutes):
    assert reading_minutes(_article(_words(words))) == minutes


def test_reading_minutes_counts_text_not_markup():
    # 230 words spread over tags, attributes and entities: still one minute, never two
    body = ('<h2 id="x" class="a b c d e f g">' + "word " * 10 + "</h2>"
            + '<p><a href="https://example.org/a/b/c/d/e/f">' + "word " * 100 + "</a>&amp; "
            + "word " * 119 + "</p>")
    assert reading_minutes(_article(body)) == 1
    assert plain_text("<p>caf&eacute; &amp; <b>cr&#232;me</b></p>").split() == ["café", "&", "crème"]


def test_reading_minutes_cjk_by_character():
    # 2500 Han characters with no spaces: ~500 a minute, not one "word"
    assert reading_minutes(_article("<p>" + "字" * 2500 + "</p>")) == 5
    # mixed: 1150 English words (5 min) + 1500 kana (3 min)
    mixed = _words(1150) + "<p>" + "かな" * 750 + "</p>"
    assert reading_minutes(_article(mixed)) == 8


def test_reading_time_localized():
    five = _article(_words(1150))
    assert reading_time(five, "en") == "5 min read"
    assert reading_time(five, "en-GB") == "5 min read"
    assert reading_time(five, "fr") == "5\u00a0min de lecture"
    assert reading_time(five, "de") == "5 Min. Lesezeit"
    assert reading_time(five, "es") == "5 min de lectura"
    assert "5" in reading_time(five, "ar") and "القراءة" in reading_time(five, "ar")
    # no phrasing of our own: babel's unit alone, not an English "read"
    assert reading_time(five, "ja") == "5 分"
    assert "read" not in reading_time(five, "zh")


def test_long_date_per_language():
    day = date(2026, 3, 14)
    assert long_date(day, "en") == "March 14, 2026"
    assert long_date(day, "en-GB") == "14 March 2026"
    assert long_date(day, "fr") == "14 mars 2026"
    assert long_date(day, "de") == "14. März 2026"
    assert long_date(day, "ja") == "2026年3月14日"
    assert long_date(datetime(2026, 3, 14, 23, 0, tzinfo=UTC), "en") == "March 14, 2026"
    assert long_date(day, "xx-unknown") == "March 14, 2026"  # unknown tags read as English
    assert long_date(None, "en") == ""


def test_join_names_per_language():
    names = ["Ada", "Charles", "Grace"]
    assert join_names(names, "en") == "Ada, Charles, and Grace"
    assert join_names(names[:2], "en") == "Ada and Charles"
    assert join_names(names, "fr") == "Ada, Charles et Grace"
    assert join_names(names, "de") == "Ada, Charles und Grace"
    assert join_names(["Ada"], "fr") == "Ada"
    assert join_names([], "fr") == ""


@pytest.mark.parametrize("language, direction", [
    ("ar", "rtl"), ("he", "rtl"), ("fa-IR", "rtl"), ("ur", "rtl"), ("yi", "rtl"),
    ("en", "ltr"), ("fr-CA", "ltr"), ("ja", "ltr"), ("xx", "ltr"), (None, "ltr"), ("", "ltr")])
def test_text_direction(language, direction):
    assert text_direction(language) == direction


def test_language_attributes():
    # the root always names its language; dir only when right-to-left
    assert language_attributes("en") == ' lang="en" xml:lang="en"'
    assert language_attributes("ar") == ' lang="ar" xml:lang="ar" dir="rtl"'
    # nested: only what changes
    assert language_attributes("en", "en") == ""
    assert language_attributes("fr", "en") == ' lang="fr" xml:lang="fr"'
    assert language_attributes("he", "en") == ' lang="he" xml:lang="he" dir="rtl"'
    assert language_attributes("en", "ar") == ' lang="en" xml:lang="en" dir="ltr"'
    assert language_attributes("fa", "ar") == ' lang="fa" xml:lang="fa"'
    assert language_attributes(None) == ""
    # values are escaped
    value = language_attributes('x"><script>', "en")
    assert isinstance(value, Markup) and "<script>" not in value and "&#34;" in value


def test_labels_fall_back_to_english():
    assert labels_for("fr")["contents"] == "Sommaire"
    assert labels_for("fr-CA")["contents"] == "Sommaire"
    assert labels_for("pt_BR")["issue"] == "N.º"
    assert labels_for("DE")["issue"] == "Nr."
    assert labels_for("xx") == LABELS["en"]
    # every language has every English label (missing ones would fall back, not fail)
    for language in LABELS:
        assert set(labels_for(language)) == set(LABELS["en"]), language
        assert "{duration}" in labels_for(language)["reading_time"] \
            or "{minutes}" in labels_for(language)["reading_time"]
    # the table itself is not handed out to be changed
    labels_for("en")["contents"] = "changed"
    assert LABELS["en"]["contents"] == "Contents"


def _issue(language: str, **kw) -> Issue:
    article = Article(id="a1", title="Un titre", body=_words(460), source="t.md",
                      authors=["Ada Lovelace", "Émile Zola"], published=datetime(2026, 3, 12),
                      language=kw.pop("article_language", None))
    return Issue(title="Gazette", date=date(2026, 3, 14), language=language,
                 identifier="urn:uuid:0", sections=[Section("News", [article], id="s1")], **kw)


def test_byline_and_masthead_localized():
    theme = Theme()
    issue = _issue("fr", number=12, volume=3, publisher="Presse", series="Les Cahiers")
    page = theme.render("article.xhtml", issue, article=issue.articles[0])
    assert "Par Ada Lovelace et Émile Zola" in page and "12 mars 2026" in page
    assert "2\u00a0min de lecture" in page
    contents = theme.render("contents.xhtml", issue)
    for text in ("Les Cahiers", "Vol. 3", "N° 12", "14 mars 2026", "Presse"):
        assert text in contents, text
    # the series is not repeated when it is the title
    same = theme.render("contents.xhtml", _issue("en", series="Gazette"))
    assert "masthead-series" not in same


def test_byline_marks_the_issue_language_inside_a_foreign_article():
    theme = Theme()
    issue = _issue("en", article_language="he")
    page = theme.render("article.xhtml", issue, article=issue.articles[0])
    assert '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" ' \
           'lang="he" xml:lang="he" dir="rtl">' in page
    assert '<p class="byline" lang="en" xml:lang="en" dir="ltr">' in page
    printed = theme.render("issue.html", issue)
    assert '<html lang="en" xml:lang="en">' in printed
    assert 'id="a1" lang="he" xml:lang="he" dir="rtl">' in printed


def test_compiled_templates_are_kept_and_follow_their_source(tmp_path):
    """Theme(compiled=...) keeps Jinja's bytecode; an edited template is compiled anew."""
    templates, compiled = tmp_path / "templates", tmp_path / "compiled"
    templates.mkdir()
    page = templates / "section.xhtml"
    page.write_text('{% extends "!section.xhtml" %}{% block title %}One{% endblock %}',
                    encoding="utf-8")
    issue = _issue("en")
    first = Theme(templates, compiled=compiled).render("section.xhtml", issue,
                                                       section=issue.sections[0])
    assert "<title>One</title>" in first and any(compiled.iterdir())
    page.write_text('{% extends "!section.xhtml" %}{% block title %}Two{% endblock %}',
                    encoding="utf-8")
    again = Theme(templates, compiled=compiled).render("section.xhtml", issue,
                                                       section=issue.sections[0])
    assert "<title>Two</title>" in again


def test_a_cache_folder_that_cannot_be_made_only_costs_time(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    issue = _issue("en")
    text = Theme(compiled=blocker / "compiled").render("section.xhtml", issue,
                                                       section=issue.sections[0])
    assert "<title>" in text


@pytest.mark.parametrize("language, number, title_format, expected", [
    ("en", 3, None, "Gazette — No. 3, March 14, 2026"),
    ("en-GB", 3, None, "Gazette — No. 3, 14 March 2026"),
    ("de", 3, None, "Gazette — Nr. 3, 14. März 2026"),
    ("fr", None, None, "Gazette — 14 mars 2026"),
    ("en", 3, "{series} #{number:03d} ({isodate})", "The Brief #003 (2026-03-14)"),
    ("en", 3, "{title}, {no} {number}, {volume}", "Gazette — No. 3, March 14, 2026"),
    ("en", None, "{title} {no} {number}", "Gazette — March 14, 2026"),
    ("en", None, "{title} ({date})", "Gazette (March 14, 2026)"),
])
def test_book_title_has_number_and_date(language, number, title_format, expected):
    from newsbook.render.environment import book_title

    issue = _issue(language, number=number, series="The Brief", title_format=title_format)
    assert book_title(issue) == expected
