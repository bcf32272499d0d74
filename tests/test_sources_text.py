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

from newsbook.model import article_id
from newsbook.model.errors import SourceError
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


def scraped_mojibake(text: str) -> str:
    """Text as a naive scraper saves it: UTF-8 read as Latin-1, whitespace (NBSP, NEL too) collapsed."""
    return "\n".join(" ".join(line.split()) for line in text.encode("utf-8").decode("latin-1").split("\n"))


RUSSIAN = [
    ("Городской совет во вторник одобрил строительство новых велосипедных дорожек на трёх улицах в центре, "
     "хотя спор об этом проекте длился почти два года."),
    ("Сторонники плана говорят, что дорожки сделают поездки в школу безопаснее, и напоминают о росте числа "
     "аварий с участием велосипедистов."),
    ("Противники считают, что исчезновение парковочных мест навредит магазинам, хотя опрос показал, что "
     "большинство покупателей до сих пор приходит пешком."),
]
KOREAN = [
    "시의회는 화요일 저녁 도심의 가장 붐비는 세 거리에 보호 자전거 도로를 만들기로 의결했다. 이 결정으로 거의 2년 동안 이어진 논쟁이 끝났다.",
    "계획을 지지하는 사람들은 자전거 도로가 아이들의 통학을 더 안전하게 만들 것이라고 말했다. 전문가들도 사고가 줄어들 것이라고 전망했다.",
    "반대하는 사람들은 주차 공간이 사라지면 작은 가게들이 피해를 볼 것이라고 주장했지만, 조사에 따르면 대부분의 손님은 걸어서 온다.",
]


@pytest.mark.parametrize("title, body", [("Новые велосипедные дорожки в центре", RUSSIAN),
                                         ("도심에 자전거 도로 생긴다", KOREAN)])
def test_mojibake_with_collapsed_nbsp_and_nel_bytes_is_repaired(tmp_path, title, body):
    # Cyrillic "х" and Hangul "전" hold the bytes 0x85/0xa0, which the scraper turned into plain spaces.
    from newsbook.sources.decode import decode

    raw = scraped_mojibake("\n".join(["Home", "News", title, *body, "Share"]))
    assert "Ð" in raw or "ì" in raw
    path, text = write(tmp_path, "page.txt", [decode(raw.encode("utf-8"))])

    article = read(path, text)

    assert article.title == title
    # A word space the lost byte swallowed comes back only after a stop word ("сих пор"), not everywhere.
    assert [p.replace(" ", "") for p in paragraphs(article.body)] == [p.replace(" ", "") for p in body]
    assert "до сих пор" in article.body or "전문가들도" in article.body


def test_latin_text_that_only_looks_like_mojibake_is_left_alone(tmp_path):
    lines = ["Notícias", "A IRMÃ DE JOÃO", "Ã venda: é o que é, disse ela à entrada do mercado.",
             *HARBOUR]
    path, text = write(tmp_path, "pt.txt", lines)

    article = read(path, text)

    assert paragraphs(article.body) == ["Ã venda: é o que é, disse ela à entrada do mercado.", *HARBOUR]
    assert article.title == "A IRMÃ DE JOÃO"


def test_short_lines_between_paragraphs_are_kept_but_shouted_calls_to_action_dropped(tmp_path):
    lines = ["Home", "Reviews", "What Visitors Said About The Harbour Festival",
             HARBOUR[0], "– Ma** Ho**", HARBOUR[1], "Tickets: 12 €", HARBOUR[2],
             "GET THE APP FOR MORE STORIES LIKE THIS", HARBOUR[3], "Share"]
    path, text = write(tmp_path, "festival.txt", lines)

    body = read(path, text).body

    assert paragraphs(body) == [HARBOUR[0], "– Ma** Ho**", HARBOUR[1], "Tickets: 12 €", HARBOUR[2], HARBOUR[3]]


def test_footer_blurb_after_related_links_and_newsletter_is_not_the_article(tmp_path):
    footer = [("The information provided on this website is for general purposes only and was written for "
               "readers living in the country where the company is registered, not for any other market."),
              ("Consult your physician before beginning any exercise program or diet, and stop right away if "
               "you feel faint, dizzy or in pain, or if you are short of breath at any time.")]
    lines = ["Home", "Blog", "Harbour Pier To Close For Repairs", "By Tom Berg", *HARBOUR[:3],
             "Related Articles", "Ferry timetable changes", "Museum reopens", "Facebook", "Instagram",
             "Join our newsletter", "Facebook", "Instagram", "Join our newsletter", *footer]
    path, text = write(tmp_path, "footer.txt", lines)

    assert paragraphs(read(path, text).body) == HARBOUR[:3]


def test_photo_gallery_inside_the_article_does_not_split_it(tmp_path):
    gallery = ["Photo: Jane Roe, AP", "Image 1 of 4", "Caption", "Close", "Image 1 of 4",
               "Photo: Jane Roe, AP", "1 / 4", "Back to Gallery", "Photo: Jane Roe, AP"]
    lines = ["Home", "Harbour Pier To Close For Repairs", *HARBOUR[:3], *gallery, *HARBOUR[3:]]
    path, text = write(tmp_path, "gallery.txt", lines)

    assert paragraphs(read(path, text).body)[0] == HARBOUR[0]
    assert paragraphs(read(path, text).body)[-1] == HARBOUR[-1]


@pytest.mark.parametrize("about", ["About Tom Berg", "Über Moritz Bachmann", "À propos de Marie Curie"])
def test_author_box_after_the_article_ends_it(tmp_path, about):
    bio = ("Tom writes about harbours, ferries and the people who work on them, and has covered the coast "
           "for the paper since he moved to the town in the spring of 2009.")
    lines = ["Home", "Harbour Pier To Close For Repairs", *HARBOUR, about, bio]
    path, text = write(tmp_path, "bio.txt", lines)

    assert paragraphs(read(path, text).body) == HARBOUR


@pytest.mark.parametrize("body, dateline, expected", [
    (HARBOUR, "05/10/2018", datetime(2018, 5, 10)),  # American English: month first
    ([("Il consiglio comunale ha approvato martedì sera la costruzione di piste ciclabili protette lungo "
       "tre delle strade più trafficate del centro, dopo un dibattito durato quasi due anni."),
      ("I sostenitori del piano hanno detto che le piste renderanno più sicuro per i bambini andare a "
       "scuola in bicicletta, e hanno ricordato il forte aumento degli incidenti.")],
     "05/10/2018", datetime(2018, 10, 5)),
    ([("A prefeitura confirmou na segunda-feira que o velho cais será fechado para reparos na próxima "
       "primavera, depois que engenheiros encontraram corrosão em vários dos suportes de aço."),
      ("Os pescadores que usam o cais todas as manhãs disseram que esperavam a decisão havia anos, mas "
       "temem que a obra demore mais do que os seis meses prometidos.")],
     "05/10/2018 - Publicado por: Clarissa Borba", datetime(2018, 10, 5)),
])
def test_slash_dates_follow_the_page_language(tmp_path, body, dateline, expected):
    lines = ["Home", "Harbour Pier To Close For Repairs", dateline, *body]
    path, text = write(tmp_path, "date.txt", lines)

    assert read(path, text).published == expected


def test_bare_name_the_article_talks_about_is_a_tag_not_the_author(tmp_path):
    body = [("South Korea has unveiled a plan to help its solar industry cut the cost of modules and raise "
             "their efficiency over the next five years."), *HARBOUR[:2]]
    lines = ["Home", "Utility-scale PV", "South Korea’s roadmap to drive down solar costs", "South Korea", *body]
    path, text = write(tmp_path, "tag.txt", lines)

    article = read(path, text)

    assert article.authors == []
    assert article.title == "South Korea’s roadmap to drive down solar costs"


def test_short_menu_entry_printed_twice_is_not_the_title(tmp_path):
    menu = ["Contacts", "Advertising", "Contest Rules"]
    lines = ["Home", *menu, "Beauty News", "Model Says She Fears Growing Old In Public", *HARBOUR[:3], *menu]
    path, text = write(tmp_path, "menu-title.txt", lines)

    assert read(path, text).title == "Model Says She Fears Growing Old In Public"
