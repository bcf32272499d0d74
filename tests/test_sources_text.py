"""Tests for the scraped plain-text reader: the article found among site chrome lines."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from newsbook.errors import SourceError
from newsbook.model import article_id
from newsbook.sources.text import read


def paragraphs(body: str) -> list[str]:
    """The text of every <p> in a body fragment, unescaped."""
    return [unescape(p) for p in re.findall(r"<p>(.*?)</p>", body)]


def write(tmp_path: Path, name: str, lines: list[str]) -> tuple[Path, str]:
    """A scraped-text fixture on disk and its text."""
    text = "\n".join(lines) + "\n"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text


HARBOUR = [
    ("The harbour authority confirmed on Monday that the old pier will close for repairs next spring, "
     "after engineers found corrosion in several of the steel supports beneath the deck."),
    ("Fishermen who use the pier every morning said they had expected the decision for years, but "
     "worried that the work would take longer than the six months the authority has promised."),
    ("The repairs are expected to cost about four million euros, most of which will come from a regional "
     "fund for coastal infrastructure that was set up after the storms of the last decade."),
    ("A temporary landing stage will be built on the eastern side of the harbour so that the ferry to the "
     "islands can keep running while the pier is closed."),
    ("Local shop owners have asked the council to put up signs in the town centre, because they fear that "
     "visitors will assume the whole harbour is shut during the works."),
    ("The authority said it would publish a detailed timetable in January and hold a public meeting before "
     "any work begins."),
]


def test_seed_like_page_with_sticky_header_and_view_counter(tmp_path):
    title = "Harbour Pier To Close For Repairs After Engineers Find Corrosion"
    lines = [
        "Edit Content",
        "Monday, Mar 3, 2025",
        "Edit Content",
        f"Reading: {title}",
        "- Advertisement -",
        "",
        title,
        "",
        "Maren Holt",
        "Maren Holt 42 Views",
        "",
    ]
    for para in HARBOUR:
        lines += [para, ""]
    lines += ["Share This Article", "- Advertisement -"]
    path, text = write(tmp_path, "harbour.txt", lines)

    article = read(path, text)

    assert article.title == title
    assert article.authors == ["Maren Holt"]
    assert article.published == datetime(2025, 3, 3)
    assert paragraphs(article.body) == HARBOUR
    for chrome in ("Edit Content", "Advertisement", "Reading:", "Views", "Share This Article"):
        assert chrome not in article.body
    assert article.id == article_id(str(path), text)
    assert article.source == str(path)
    assert article.language is None


BIKES = [
    ("The city council voted on Tuesday evening to build protected bike lanes along three of the busiest "
     "streets downtown, ending a debate that had lasted for almost two years."),
    ("Supporters of the plan said the lanes would make it safer for children to cycle to school, and "
     "pointed to a sharp rise in accidents involving cyclists since 2021."),
    ("Opponents argued that removing parking spaces would hurt small businesses, although a survey "
     "commissioned by the council found that most shoppers arrive on foot or by bus."),
    "Construction is due to start in April and should be finished before the end of the summer.",
]


def test_byline_reading_time_cookie_banner_and_footer(tmp_path):
    lines = [
        "Skip to content",
        "Home",
        "World",
        "Business",
        "Technology",
        "Subscribe",
        ("We use cookies to improve your experience on our site. By continuing to browse, you agree to our "
         "use of cookies and to our cookie policy, which explains how we store your preferences."),
        "Accept",
        "Local News",
        "City Council Approves Protected Bike Lanes Downtown",
        "By Jane Doe and John Roe",
        "Published Nov 23, 2024 10:15 AM",
        "5 min read",
        *BIKES,
        "Share on Facebook",
        "Share on Twitter",
        "Email",
        "About Us",
        "Contact",
        "Privacy Policy",
        "Terms of Service",
        "© 2024 Example Daily. All rights reserved.",
    ]
    path, text = write(tmp_path, "bikes.txt", lines)

    article = read(path, text)

    assert article.title == "City Council Approves Protected Bike Lanes Downtown"
    assert article.authors == ["Jane Doe", "John Roe"]
    assert article.published == datetime(2024, 11, 23)
    assert paragraphs(article.body) == BIKES
    assert "cookies" not in article.body
    assert "rights reserved" not in article.body


@pytest.mark.parametrize("byline, names", [
    ("By Jane Doe", ["Jane Doe"]),
    ("by: Jane Doe, John Roe", ["Jane Doe", "John Roe"]),
    ("Jane Doe | 5 min read", ["Jane Doe"]),
    ("Jane Doe 1,204 Views", ["Jane Doe"]),
    ("Posted by Jane Doe on November 23, 2024", ["Jane Doe"]),
])
def test_byline_shapes(tmp_path, byline, names):
    lines = ["Home", "Sports", "Weather", "",
             "Volunteers Plant A Thousand Trees Along The River", "", byline, "", *BIKES]
    path, text = write(tmp_path, "trees.txt", lines)

    article = read(path, text)

    assert article.authors == names
    assert article.title == "Volunteers Plant A Thousand Trees Along The River"


def test_related_links_and_teasers_after_the_article_are_dropped(tmp_path):
    lines = [
        "Menu",
        "News",
        "Opinion",
        "Culture",
        "Harbour pier to close for repairs",
        "By Tom Berg",
        "March 3, 2025",
        *HARBOUR[:4],
        "Related Articles",
        "Ferry timetable changes for the winter season",
        "New parking rules in the old town",
        "Council elects a new mayor after a long night of counting",
        "More from Example News",
        "Storm damage closes coastal road",
        "Residents were told to avoid the coastal road after the storm brought down several trees.",
        "Museum reopens after renovation",
        "The town museum has reopened with a new wing dedicated to the history of fishing.",
        "Most Popular",
        "1. Harbour pier to close for repairs",
        "2. Ferry timetable changes for the winter season",
        "Copyright 2025 Example News",
    ]
    path, text = write(tmp_path, "pier.txt", lines)

    article = read(path, text)

    assert article.title == "Harbour pier to close for repairs"
    assert article.authors == ["Tom Berg"]
    assert article.published == datetime(2025, 3, 3)
    assert paragraphs(article.body) == HARBOUR[:4]
    assert "Museum" not in article.body and "Ferry timetable" not in article.body


def test_day_month_year_date_subheading_and_list(tmp_path):
    lines = [
        "Example Gazette",
        "Home | Science | Health",
        "",
        "How the Town Library Doubled Its Readers",
        "Maria Lopez",
        "23 November 2024",
        "",
        ("The town library has doubled the number of regular readers in two years, according to figures "
         "published by the council this week."),
        "",
        ("Librarians credit a series of small changes rather than one big idea, and say other towns could "
         "copy most of them without spending much money."),
        "",
        "What changed",
        "",
        ("The library now opens in the evening on three days a week, and the children's corner was moved "
         "next to the entrance so that parents see it as soon as they arrive."),
        "",
        "The changes that mattered most, according to the staff:",
        "- Longer opening hours in the evening",
        "- A reading club for teenagers",
        "- Free wifi & study desks <upstairs>",
        "",
        "The council has promised to keep the evening hours at least until the end of next year.",
        "",
        "Tags: library, reading, council",
        "Share",
    ]
    path, text = write(tmp_path, "library.txt", lines)

    article = read(path, text)

    assert article.title == "How the Town Library Doubled Its Readers"
    assert article.authors == ["Maria Lopez"]
    assert article.published == datetime(2024, 11, 23)
    assert "<h2>What changed</h2>" in article.body
    assert "<ul>\n<li>Longer opening hours in the evening</li>" in article.body
    assert "<li>Free wifi &amp; study desks &lt;upstairs&gt;</li>\n</ul>" in article.body
    assert paragraphs(article.body)[0].startswith("The town library has doubled")
    assert paragraphs(article.body)[-1].startswith("The council has promised")
    assert "Tags" not in article.body and "Example Gazette" not in article.body


def test_comments_after_the_article_are_dropped(tmp_path):
    lines = [
        "Home",
        "Blog",
        "Why We Moved Our Servers Back On Premises",
        "Posted by Alex Kim on 2024-05-02",
        *BIKES,
        "Leave a Reply",
        "12 Comments",
        "sam_r says:",
        "May 2, 2024 at 9:15 am",
        "This is a really interesting write-up, thanks for sharing the numbers behind the decision.",
        "dev_ops_dan says:",
        "May 2, 2024 at 10:02 am",
        "We did exactly the same thing last year and the savings were even larger than we expected.",
    ]
    path, text = write(tmp_path, "servers.txt", lines)

    article = read(path, text)

    assert article.title == "Why We Moved Our Servers Back On Premises"
    assert article.authors == ["Alex Kim"]
    assert article.published == datetime(2024, 5, 2)
    assert paragraphs(article.body) == BIKES


def test_hard_wrapped_paragraphs_are_joined(tmp_path):
    lines = ["Harbour Pier To Close", ""]
    for para in HARBOUR[:3]:
        words, row = para.split(), ""
        for word in words:
            if len(row) + len(word) > 72:
                lines.append(row.strip())
                row = ""
            row += word + " "
        lines += [row.strip(), ""]
    path, text = write(tmp_path, "wrapped.txt", lines)

    article = read(path, text)

    assert paragraphs(article.body) == HARBOUR[:3]
    assert article.title == "Harbour Pier To Close"


def test_title_falls_back_to_the_file_name(tmp_path):
    path, text = write(tmp_path, "quiet-week_at-the-harbour.txt", HARBOUR)

    article = read(path, text)

    assert article.title == "Quiet week at the harbour"
    assert article.authors == []
    assert article.published is None
    assert paragraphs(article.body) == HARBOUR


def test_menu_only_page_has_no_article(tmp_path):
    lines = ["Home", "News", "Sport", "Weather", "Contact Us", "Privacy Policy", "Log In", "Subscribe",
             "Follow us on Facebook", "© 2024 Example Media. All rights reserved."]
    path, text = write(tmp_path, "menu.txt", lines)

    with pytest.raises(SourceError, match="no article text found"):
        read(path, text)


def test_empty_file_has_no_article(tmp_path):
    path, text = write(tmp_path, "empty.txt", [""])

    with pytest.raises(SourceError, match=re.escape(f"{path}: no article text found")):
        read(path, text)


LINE = st.one_of(
    st.sampled_from(["", "Home", "- Advertisement -", "Share This Article", "By Jane Doe", "23 November 2024",
                     "Reading: A Title", "Jane Doe 10 Views", "Leave a Reply", "© 2024 Example",
                     "- a list item", "A Short Heading", *HARBOUR]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=120),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(LINE, max_size=40))
def test_any_text_gives_a_well_formed_article_or_a_source_error(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("any") / "page.txt"
    text = "\n".join(rows)
    try:
        article = read(path, text)
    except SourceError:
        return
    etree.fromstring(f"<div>{article.body}</div>")  # raises on a malformed fragment
    assert article.title.strip()
    assert "<p>" in article.body
