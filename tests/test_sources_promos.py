"""Paragraphs that are only a promo link leave the body; prose with links stays."""

from __future__ import annotations

from lxml import etree

from newsbook.sources import read_file
from newsbook.sources.page import promos


def para(xml: str):
    return etree.fromstring(xml)


def test_link_only_paragraphs_are_promos():
    assert promos.is_promo(para("<p><ref target='/x'>SEAN SPICER ELIMINATED FROM THE SHOW</ref></p>"))
    assert promos.is_promo(para("<p><ref target='/app'>GET THE APP BY CLICKING HERE</ref></p>"))
    assert promos.is_promo(para("<p>Related: <ref target='/y'>7 strange signs of an allergy</ref></p>"))
    assert promos.is_promo(para("<p>(Read also: <ref target='/z'>The actors who will play the "
                                "heroes, with photos</ref>)</p>"))
    assert promos.is_promo(para("<p><hi rend='#b'><ref target='/n'>Subscribe to our newsletter"
                                "</ref></hi></p>"))


def test_prose_addresses_and_images_are_not_promos():
    assert not promos.is_promo(para("<p>The council <ref target='/r'>published a report</ref> on "
                                    "Tuesday that found cracks in three places.</p>"))
    assert not promos.is_promo(para("<p><ref target='https://example.org/r'>https://example.org/r"
                                    "</ref></p>"))
    assert not promos.is_promo(para("<p>Account: <ref target='/u'>@harbour_cook</ref></p>"))
    assert not promos.is_promo(para("<p>Download: <ref target='/d'>https://example.org/d.pdf</ref>"
                                    "</p>"))
    assert not promos.is_promo(para("<p><ref target='/i'><graphic src='a.png'/></ref></p>"))
    assert not promos.is_promo(para("<p>No links at all in this one.</p>"))
    # A label too long to be one: a sentence that happens to end in a link.
    assert not promos.is_promo(para("<p>The full list of the closed stations is published on the "
                                    "trust's website: <ref target='/s'>station list</ref></p>"))


def test_drop_promos_keeps_the_rest_in_order():
    main = etree.fromstring("<main><p>First paragraph of the story.</p><p><ref target='/a'>READ "
                            "MORE ON THIS</ref></p><p>Second paragraph of the story.</p></main>")
    assert promos.drop_promos(main) == ["READ MORE ON THIS"]
    assert [p.text for p in main] == ["First paragraph of the story.",
                                      "Second paragraph of the story."]


def test_promos_leave_a_read_page(tmp_path):
    story = ("<p>The lock keepers of the old canal will hand over their keys next spring, the "
             "waterways trust said, when the last manual gates are replaced along the valley.</p>"
             "<p><a href='/news/other'>CANAL FESTIVAL TICKETS SELL OUT IN AN HOUR</a></p>"
             "<p>Boaters have mixed feelings: the new gates are faster, but the keepers knew every "
             "boat and every family that <a href='/families'>worked the canal</a> for decades.</p>"
             "<p>Related: <a href='/news/locks'>Where the old gates will go</a></p>"
             "<p>A farewell festival is planned for the towpath in April, with music, a boat "
             "parade and an exhibition of photographs from the keepers' own albums.</p>")
    path = tmp_path / "page.html"
    path.write_text("<!DOCTYPE html><html><head><title>Keepers</title></head><body><article>"
                    f"<h1>Keepers</h1>{story}</article></body></html>", encoding="utf-8")
    body = read_file(path).body
    assert "TICKETS SELL OUT" not in body and "Where the old gates" not in body
    assert "worked the canal</a>" in body and "farewell festival" in body


def test_anchors_and_in_page_links_are_not_promos():
    # A book's paragraphs wrapped in name anchors, a footnote link: text of this page.
    assert not promos.is_promo(para("<p><ref>Testing externally visible behavior as a user would "
                                    "see it.</ref></p>"))
    assert not promos.is_promo(para("<p><ref target='#note-3'>See the third note below</ref></p>"))
    assert not promos.is_promo(para("<p><ref target='javascript:void(0);'>Ah Bartleby! Ah "
                                    "humanity</ref>!</p>"))


def test_trailing_calls_to_action_and_credit_lines_go():
    main = etree.fromstring(
        "<main><p>Subscribe to the idea that the canal is worth keeping, the keeper said, and you "
        "will see why people come back every year.</p>"
        "<p>The festival runs until Sunday.</p>"
        "<p>(Reporting by Jo Smith; editing by Sam Lee)</p>"
        "<p>Follow the Canal Desk team on Instagram, Facebook and YouTube.</p>"
        "<p>Have a tip? Jo Smith may be reached at jo@example.com.</p></main>")
    dropped = promos.drop_trailing_calls(main)
    assert len(dropped) == 3
    # The first paragraph says "subscribe" too, but is not among the last blocks.
    assert [p.text[:20] for p in main.iter("p")] == ["Subscribe to the ide", "The festival runs un"]


def test_only_the_last_blocks_are_looked_at():
    paragraphs = "".join(f"<p>Paragraph {n} of the story, plain prose.</p>" for n in range(6))
    main = etree.fromstring(f"<main><p>Sign up for the race was brisk, organisers said.</p>"
                            f"{paragraphs}</main>")
    assert promos.drop_trailing_calls(main) == []
    assert len(main) == 7


def test_trailing_widget_headings_and_story_rails_go():
    main = etree.fromstring(
        "<main><p>The festival runs until Sunday, and the keepers will be there every day.</p>"
        "<head rend='h3'>Canal Newsletter</head><head rend='h4'>The week's stories, every Friday."
        "</head><head rend='h3'>Thanks for signing up!</head>"
        "<head rend='h1'>More stories</head>"
        "<list><item><ref target='/a'>Lock 12 reopens</ref><head rend='h4'>After a year of works"
        "</head></item><item><ref target='/b'>Boat parade route</ref><head rend='h4'>Where to "
        "stand</head></item></list></main>")
    assert promos.drop_trailing_widgets(main) == 5
    assert [e.tag for e in main] == ["p"]


def test_headings_with_pictures_or_lists_under_them_stay():
    main = etree.fromstring(
        "<main><p>Text of the story.</p><head rend='h2'>The gates</head><graphic src='g.jpg'/>"
        "<head rend='h2'>Sources</head><head rend='h3'>Books</head>"
        "<list><item>Canal Life, 1950</item><item><ref target='/x'>The Valley</ref></item></list>"
        "</main>")
    assert promos.drop_trailing_widgets(main) == 0
    assert len(main) == 6


def test_pointer_lines_whose_link_was_lost_are_promos():
    assert promos.is_promo(para("<p><hi rend='#b'>Related: </hi><hi rend='#b'>7 strange signs "
                                "of an allergy</hi></p>"))
    assert promos.is_promo(para("<p>More:</p>"))
    assert promos.is_promo(para("<p>READ MORE: Where the old gates will go</p>"))
    assert not promos.is_promo(para("<p>More than forty boats took part in the parade, more than "
                                    "ever before.</p>"))
    assert not promos.is_promo(para("<p>Related problems: the council also has to fix the "
                                    "towpath, the bridges, the locks and the pumps, all before the "
                                    "festival, and it has not yet said where the money will come "
                                    "from or who will do the work.</p>"))


def test_trailing_copyright_and_source_lines_go():
    main = etree.fromstring("<main><p>The festival runs until Sunday.</p>"
                            "<p>SOURCE: Canal News Agency</p>"
                            "<p>Copyright © 2026 Canal News. All rights reserved.</p></main>")
    assert len(promos.drop_trailing_calls(main)) == 2
    assert [p.text for p in main] == ["The festival runs until Sunday."]


def test_calls_to_action_are_commands_not_prose():
    main = etree.fromstring(
        "<main><p>The festival runs until Sunday.</p>"
        "<p>Residents can sign up at the town hall, and the council did not listen to them.</p>"
        "<p>Follow-up tests are planned for May.</p>"
        "<p>Fans can download the single on Friday.</p></main>")
    assert promos.drop_trailing_calls(main) == []


def test_a_page_of_links_keeps_them():
    main = etree.fromstring("<main><p>This week's reading:</p>"
                            + "".join(f"<p><ref target='/s{n}'>A long story number {n} about the "
                                      f"canal</ref></p>" for n in range(5)) + "</main>")
    assert promos.drop_promos(main) == []
    assert len(main) == 6
