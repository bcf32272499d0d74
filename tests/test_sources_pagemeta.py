"""Page metadata: titles without the site's name, the page's own headline, bylines in every shape."""

from __future__ import annotations

import json

import lxml.html
import pytest

from newsbook.sources.page import pagemeta


def meta_of(head: str = "", body: str = "", url: str | None = "https://www.example-news.org/a/1"
            ) -> pagemeta.PageMeta:
    page = f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>"
    return pagemeta.reconcile(pagemeta.collect(lxml.html.fromstring(page)), url)


STORY = "Harbour ferry returns after a winter of repairs"


@pytest.mark.parametrize("separator", [" | ", " – ", " — ", " - ", " · ", " :: ", " » ", " / ",
                                       "｜", "：", " • "])
@pytest.mark.parametrize("at_start", [False, True])
def test_the_site_name_goes_whatever_the_separator_and_at_either_end(separator, at_start):
    site = "Loopback Times"
    title = f"{site}{separator}{STORY}" if at_start else f"{STORY}{separator}{site}"
    found = meta_of(f"<meta property='og:site_name' content='{site}'>"
                    f"<meta property='og:title' content='{title}'>")
    assert found.title == STORY


@pytest.mark.parametrize("head, url", [
    ("<meta name='application-name' content='Civic Bytes'>", None),
    ('<script type="application/ld+json">' + json.dumps(
        {"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Civic Bytes"}})
     + "</script>", None),
    ("", "https://www.civicbytes.com/2026/12/story"),  # the domain: "CivicBytes.com"
])
def test_the_site_name_is_known_from_every_signal(head, url):
    found = meta_of(f"{head}<title>{STORY} · Civic Bytes</title>", url=url)
    assert found.title == STORY


def test_a_domain_written_as_the_site_name_goes_too():
    found = meta_of(f"<title>{STORY} - CivicBytes.com</title>",
                    url="https://civicbytes.com/story")
    assert found.title == STORY


def test_a_section_name_goes_when_the_rest_is_the_pages_headline():
    found = meta_of(f"<title>{STORY} | Transport | Loopback Times</title>",
                    body=f"<h1>{STORY}</h1><p>Text.</p>")
    assert found.title == STORY


def test_a_colon_inside_the_headline_stays():
    headline = "Harbour: the ferry returns after a winter of repairs"
    found = meta_of(f"<meta property='og:title' content='{headline}'>"
                    "<meta property='og:site_name' content='Loopback Times'>")
    assert found.title == headline


def test_a_title_that_is_only_the_site_name_is_kept_rather_than_emptied():
    found = meta_of("<meta property='og:site_name' content='Loopback Times'>"
                    "<title>Loopback Times</title>")
    assert found.title == "Loopback Times"


def test_the_pages_headline_wins_over_a_reworded_social_card_title():
    found = meta_of("<meta property='og:title' content='Ferry back after repairs'>"
                    "<title>Ferry back after repairs | Loopback Times</title>",
                    body=f"<header><h1>Loopback Times</h1></header><h1>The {STORY.lower()}</h1>")
    assert found.title == f"The {STORY.lower()}"


def test_a_short_h1_label_does_not_replace_the_title():
    found = meta_of(f"<meta property='og:title' content='{STORY}'>",
                    body="<h1>Ferry</h1><p>Text.</p>")
    assert found.title == STORY


def test_json_ld_headline_is_the_publishers_own_and_stays():
    ld = json.dumps({"@type": "NewsArticle", "headline": STORY})
    found = meta_of(f'<script type="application/ld+json">{ld}</script>',
                    body="<h1>Harbour ferry back after repairs, says council</h1>")
    assert found.title == STORY


# -- bylines -----------------------------------------------------------------------------------

@pytest.mark.parametrize("byline, names", [
    ("By Jane Doe", ["Jane Doe"]),
    ("BY JANE DOE", ["Jane Doe"]),
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("Jane Doe, John Roe & Ann Poe", ["Jane Doe", "John Roe", "Ann Poe"]),
    ("By Jane Doe, Staff Writer | May 2, 2024", ["Jane Doe"]),
    ("Jane Doe, Senior Correspondent", ["Jane Doe"]),
    ("By Jane Doe. Photos by John Roe", ["Jane Doe"]),
    ("Von Erika Mustermann", ["Erika Mustermann"]),
    ("Par Jean Dupont", ["Jean Dupont"]),
    ("著者：山田太郎", ["山田太郎"]),
    ("By Jane Doe @janedoe Updated 3 hours ago", ["Jane Doe"]),
])
def test_byline_shapes_are_cleaned_to_names(byline, names):
    found = meta_of(body=f"<article><h1>{STORY}</h1><p class='byline'>{byline}</p>"
                         "<p>Text of the story.</p></article>")
    assert found.authors == names


def test_json_ld_authors_are_kept_as_several():
    ld = json.dumps({"@type": "NewsArticle", "headline": STORY,
                     "author": [{"@type": "Person", "name": "Jane Doe"},
                                {"@type": "Person", "name": "John Roe"}]})
    assert meta_of(f'<script type="application/ld+json">{ld}</script>').authors == [
        "Jane Doe", "John Roe"]


def test_meta_author_and_rel_author_and_itemprop():
    assert meta_of("<meta name='author' content='Jane Doe'>").authors == ["Jane Doe"]
    assert meta_of(body="<p>by <a rel='author' href='/x'>Jane Doe</a></p>").authors == [
        "Jane Doe"]
    assert meta_of(body="<span itemprop='author'><span itemprop='name'>Jane Doe</span>"
                        "</span>").authors == ["Jane Doe"]


def test_a_link_to_the_authors_page_is_a_byline():
    found = meta_of(body="<div class='meta'><a href='/author/180/'>Jane Doe</a></div>"
                         "<p>Text of the story.</p>")
    assert found.authors == ["Jane Doe"]


def test_profile_urls_in_article_author_become_names():
    found = meta_of("<meta property='article:author' content='https://www.example-news.org/"
                    "profile/jane-doe,https://www.example-news.org/profile/john-roe'>")
    assert found.authors == ["Jane Doe", "John Roe"]


def test_a_class_on_body_does_not_make_every_byline_foreign():
    found = meta_of(body="<p>by <a rel='author' href='/people/jane-doe'>Jane Doe</a></p>")
    page = ("<html><body class='layout-no-footer-wide'><p>by <a rel='author' "
            "href='/x'>Jane Doe</a></p></body></html>")
    assert found.authors == ["Jane Doe"]
    assert pagemeta.reconcile(pagemeta.collect(lxml.html.fromstring(page))).authors == [
        "Jane Doe"]


def test_bylines_of_related_articles_are_not_the_authors():
    found = meta_of(body="<article><p>Text of the story.</p></article>"
                         "<aside class='related'><p class='byline'>By John Roe</p></aside>")
    assert found.authors == []


def test_meta_written_with_value_instead_of_content_is_read():
    found = meta_of("<meta name='author' value='Jane Doe'>"
                    f"<meta property='og:title' value='{STORY}'>")
    assert found.authors == ["Jane Doe"] and found.title == STORY


def test_an_element_classed_writer_is_a_byline():
    found = meta_of(body="<div class='headline-inner'><span class='writer'>松村太郎</span>"
                         "<span class='date'>2019年04月13日 09時00分</span></div><p>本文。</p>")
    assert found.authors == ["松村太郎"]


@pytest.mark.parametrize("written", ["2019年2月27日", "2019年02月27日 09時00分", "2019 年 2 月 27 日"])
def test_a_cjk_date_in_the_pages_date_element_is_the_publication_day(written):
    found = meta_of(body=f"<p class='article__readTime date'>{written}</p>"
                         "<p>原文(投稿日：2019/02/16)へのリンク</p>")
    assert found.published is not None and found.published.date().isoformat() == "2019-02-27"


def test_a_date_in_a_related_articles_block_is_not_the_pages():
    found = meta_of(body="<p>Story.</p><aside><span class='date'>2019年02月27日</span></aside>")
    assert found.published is None
