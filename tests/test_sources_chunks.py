"""A story split into body chunks with adverts between them is read whole."""

from __future__ import annotations

from lxml import html

from newsbook.sources import read_file
from newsbook.sources.page import chunks

PARAGRAPHS = [
    "The ferry company will replace its three oldest boats by next summer, its chief executive "
    "told shareholders on Thursday, after a year of breakdowns and cancelled crossings.",
    "The new boats are electric and will charge at both piers during the ten minutes they wait "
    "for passengers, which the company says will halve its fuel bill within five years.",
    "Crews have been trained on a borrowed boat since January, and the first of the new fleet "
    "is due to arrive from the yard in the north at the end of March, weather permitting.",
    "Passenger groups welcomed the news but asked for the timetable to be published before the "
    "boats arrive, so that commuters can plan for the weeks when only two boats will run.",
    "The council, which owns both piers, has agreed to pay for the chargers, though it has not "
    "said how much they will cost or whether the money comes from this year's budget.",
    "A final decision on the fourth boat, which would allow a crossing every quarter hour, will "
    "be taken in the autumn once the first three have been in service for a few months.",
]


def chunked_page(second_class: str = "story__body body") -> str:
    first = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])
    second = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:])
    return ("<!DOCTYPE html><html><head><title>New ferries</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            "<main><article><h1>New ferries</h1><div class='story__chunks'>"
            f"<div class='grid narrow'><div class='story__body body'>{first}</div>"
            "<div class='grid__aside'></div></div>"
            "<div class='ad-slot'><div class='ad'>Advertisement</div></div>"
            f"<div class='grid narrow'><div class='{second_class}'>{second}</div>"
            "<div class='grid__aside'></div></div>"
            "</div></article></main><footer>Ferry News</footer></body></html>")


def test_continuation_found_next_to_the_first_chunk():
    tree = html.fromstring(chunked_page())
    found = chunks.continuation(tree, PARAGRAPHS[:3])
    assert found is not None
    container, rest = found
    assert container.get("class") == "story__body body" and len(rest) == 1
    chunks.merge(container, rest)
    assert [p.text for p in container.iter("p")] == PARAGRAPHS


def test_no_continuation_without_a_chunk_of_the_same_class():
    tree = html.fromstring(chunked_page(second_class="teaser"))
    assert chunks.continuation(tree, PARAGRAPHS[:3]) is None


def test_no_continuation_for_text_not_in_the_page():
    tree = html.fromstring(chunked_page())
    assert chunks.continuation(tree, ["Some other text " * 10]) is None


def test_a_chunked_story_is_read_whole(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(chunked_page(), encoding="utf-8")
    body = read_file(path).body
    for paragraph in PARAGRAPHS:
        assert paragraph[:60] in body
    assert "Advertisement" not in body
