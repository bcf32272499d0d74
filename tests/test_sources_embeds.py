"""Embedded posts a story quotes stay in its body as block quotes."""

from __future__ import annotations

from lxml import html

from newsbook.sources import read_file
from newsbook.sources.page import embeds

STORY = ("<p>The county's new road-safety campaign drew ridicule online within hours of its launch "
         "on Monday, with residents mocking its slogan and its price.</p>{embed}"
         "<p>The transport office defended the campaign, saying that people talking about it was "
         "exactly what a safety message needs, and that it would run until the spring.</p>"
         "<p>The campaign cost the county just under half a million, most of it on television "
         "advertising during the football season, according to the council's own figures.</p>")
TWEET = ('<div class="social-embed"><blockquote class="twitter-tweet" data-lang="en">'
         '<p lang="en">Half a million for a slogan my nephew could have written for free '
         '<a href="https://t.co/x">https://t.co/x</a></p>— A Resident (@resident) '
         '<a href="https://twitter.com/resident/status/1">March 2, 2026</a></blockquote>'
         '<script async src="https://platform.twitter.com/widgets.js"></script></div>')


def test_embedded_post_lifted_out_of_its_wrappers():
    tree = html.fromstring(f"<html><body><article>{STORY.format(embed=TWEET)}</article></body></html>")
    assert embeds.lift(tree) == 1
    quote = tree.find(".//blockquote")
    assert quote.getparent().tag == "article" and not quote.attrib
    assert tree.find(".//div[@class='social-embed']") is None


def test_a_wrapper_with_more_text_than_the_post_stays():
    box = ('<div class="social-box"><p>Share this story with your friends and family on every '
           'network you use, and follow us for more.</p>' + TWEET + '</div>')
    tree = html.fromstring(f"<html><body><article>{box}</article></body></html>")
    embeds.lift(tree)
    assert tree.find(".//blockquote").getparent().get("class") == "social-box"


def test_ordinary_block_quotes_are_left_alone():
    tree = html.fromstring("<html><body><div class='embed'><blockquote class='pull'>A quote."
                           "</blockquote></div></body></html>")
    assert embeds.lift(tree) == 0
    assert tree.find(".//blockquote").get("class") == "pull"


def test_quoted_post_in_the_read_body(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<!DOCTYPE html><html><head><title>Slogan</title></head><body><article>"
                    f"<h1>Slogan</h1>{STORY.format(embed=TWEET)}</article></body></html>",
                    encoding="utf-8")
    body = read_file(path).body
    assert "<blockquote>" in body and "Half a million for a slogan" in body
    assert "defended the campaign" in body and "widgets.js" not in body
