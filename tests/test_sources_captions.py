"""Caption blocks in an extracted body go with their image, and out of the plain text."""

from __future__ import annotations

from lxml import etree

from newsbook.build.extract import extract_one
from newsbook.model.plaintext import plain_text
from newsbook.sources import read_file
from newsbook.sources.page import captions

STORY = ("<p>The lock keepers of the old canal will hand over their keys next spring, the waterways "
         "trust said, when the last manual gates are replaced by electric ones along the valley.</p>"
         "<p>Boaters have mixed feelings: the new gates are faster, but the keepers knew every boat "
         "and every family that worked the canal, and the trust has not said who will help now.</p>"
         "<p>A farewell festival is planned for the towpath in April, with music, a boat parade and "
         "an exhibition of photographs from the keepers' own albums, some of them a century old.</p>")


def page(media: str, after: str = "") -> str:
    """An article page with media markup between its first and second paragraphs."""
    first, rest = STORY.split("</p>", 1)
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Keepers</title>"
            "</head><body><nav><a href='/'>Home</a></nav><article><h1>Keepers</h1>"
            f"{first}</p>{media}{rest}{after}</article><footer>Canal News</footer></body></html>")


def read(tmp_path, html: str):
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    return read_file(path), extract_one(path)


def test_caption_box_after_an_image_becomes_its_figcaption(tmp_path):
    media = ('<div class="inline-image"><img src="https://img.example.com/lock.jpg" alt="A lock">'
             '<div class="image-caption"><p>A keeper opens the upper gate at Lock 12, Tuesday, '
             'March 3. (Photo: Canal Trust)</p></div></div>')
    article, extracted = read(tmp_path, page(media))
    assert "<figcaption>A keeper opens the upper gate at Lock 12" in article.body
    assert article.body.count("A keeper opens the upper gate") == 1
    assert "A keeper opens" not in extracted["text"]  # plain text shows no picture
    assert "lock keepers of the old canal" in extracted["text"]
    assert "A farewell festival" in extracted["text"]


def test_caption_without_an_image_is_dropped(tmp_path):
    # A video player's caption box: the book has no video to go with it.
    media = ('<div class="media"><div class="caption"><p>The last keeper of the valley locks '
             'tells his story, filmed at Lock 12 in March.</p></div></div>')
    article, extracted = read(tmp_path, page(media))
    assert "last keeper of the valley" not in article.body
    assert "Boaters have mixed feelings" in extracted["text"]


def test_figcaption_kept_in_html_left_out_of_plain_text(tmp_path):
    media = ('<figure><img src="https://img.example.com/gate.jpg" alt="Gate">'
             '<figcaption>The electric gate being fitted at Lock 3.</figcaption></figure>')
    article, extracted = read(tmp_path, page(media))
    assert "<figcaption>The electric gate being fitted at Lock 3.</figcaption>" in article.body
    assert "electric gate being fitted" not in extracted["text"]
    assert "Boaters have mixed feelings" in extracted["text"]


def test_plain_text_leaves_figcaptions_out_keeps_the_rest():
    body = ("<p>Before.</p><figure><img src='a.png' alt=''/><figcaption>Caption.</figcaption>"
            "</figure><p>After.</p>")
    assert plain_text(body) == "Before.\n\nAfter."


def test_covered_by_one_or_several_captions():
    texts = ["jane doe speaks at a rally tuesday", "photo ap"]
    assert captions.covered("Jane Doe speaks at a rally, Tuesday.", texts)
    assert captions.covered("Jane Doe speaks at a rally, Tuesday.Photo: AP", texts)
    assert not captions.covered("Jane Doe speaks at a rally, Tuesday, and then left.", texts)
    assert not captions.covered("", texts)


def test_caption_texts_from_boxes_but_not_from_wrappers():
    from lxml import html

    tree = html.fromstring(
        "<html><body><article class='has-caption'><p>" + "Long text. " * 80 + "</p>"
        "<figure><img src='x.png'><figcaption>A figcaption.</figcaption></figure>"
        "<span class='wp-caption-text'>A WordPress caption.</span>"
        "<p class='photo-credit'>Photo: Jo Smith</p></article></body></html>")
    found = captions.caption_texts(tree)
    assert set(found) == {"a figcaption", "a wordpress caption", "photo jo smith"}


def test_block_echoing_the_alt_text_is_a_caption():
    main = etree.fromstring(
        "<main><p>Some running text of the story that stays where it is.</p>"
        "<list><item><graphic src='g.jpg' alt='Jane Doe waves to supporters in Columbia, S.C. "
        "Photo: AP'/> Jane Doe waves to supporters in Columbia, S.C.</item></list>"
        "<p>More running text.</p></main>")
    known: dict[str, str] = {}
    captions.attach(main, [], known)
    assert known == {"g.jpg": "Jane Doe waves to supporters in Columbia, S.C."}
    assert ["".join(p.itertext()) for p in main.iter("p")] == [
        "Some running text of the story that stays where it is.", "More running text."]
    assert not (main.find(".//item").text or "").strip() and not main.find(".//graphic").tail
    assert main.find(".//graphic") is not None  # the image stays


def test_paragraph_after_an_image_that_is_no_caption_stays():
    main = etree.fromstring(
        "<main><graphic src='g.jpg' alt='A lock'/><p>The lock keepers will hand over their keys "
        "next spring, the trust said.</p></main>")
    known: dict[str, str] = {}
    captions.attach(main, ["a keeper at lock 12"], known)
    assert known == {} and main.find("p") is not None


def test_credit_lines_go_with_the_image_or_go():
    assert captions.is_credit("Image copyright Getty Images")
    assert captions.is_credit("Photo: Jo Smith, AP")
    assert captions.is_credit("Foto: LA NACION")
    assert not captions.is_credit("Video shows the moment the gate opened.")
    assert not captions.is_credit("Photography was his first love, long before the canal.")
    main = etree.fromstring(
        "<main><graphic src='g.jpg' alt='A singer'/>Image copyright Getty Images"
        "<p>The row looks like it is coming to an end, the label said.</p>"
        "<p>Photo: Jo Smith</p><p>The end.</p></main>")
    known: dict[str, str] = {}
    captions.attach(main, [], known)
    assert known == {"g.jpg": "Image copyright Getty Images"}
    assert main.find("graphic").tail is None
    assert [p.text for p in main.iter("p")] == [
        "The row looks like it is coming to an end, the label said.", "The end."]


def test_a_page_told_in_captions_keeps_them():
    main = etree.fromstring("<main><p>Short intro.</p><p>The first lock at dawn, with the keeper "
                            "at the gate.</p><p>The second lock at noon, boats waiting.</p></main>")
    captions.attach(main, ["the first lock at dawn with the keeper at the gate",
                           "the second lock at noon boats waiting"], {})
    assert len(main) == 3


def test_a_caption_box_title_line_is_part_of_the_caption():
    from lxml import html

    tree = html.fromstring("<html><body><div class='caption'><h2>Keeper tells his story</h2>"
                           "<p>The last keeper of the valley locks, filmed in March.</p></div>"
                           "</body></html>")
    texts = captions.caption_texts(tree)
    assert captions.covered("Keeper tells his story", texts)
    assert captions.covered("The last keeper of the valley locks, filmed in March.", texts)
    assert not captions.covered("Keeper", texts)  # too short to tell


def test_captioned_images_in_paragraphs_and_lists_make_a_valid_epub(tmp_path):
    import zipfile

    from conftest import register_epub
    from PIL import Image

    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan

    (tmp_path / "articles").mkdir()
    for name in ("lock.png", "gate.png"):
        Image.new("RGB", (60, 40), "green").save(tmp_path / "articles" / name)
    media = ('<p><img src="lock.png" alt="A lock"></p><div class="image-caption"><p>A keeper '
             'opens the upper gate at Lock 12, Tuesday. (Photo: Canal Trust)</p></div>'
             '<ul class="gallery"><li><img src="gate.png" alt="The new electric gate being fitted '
             'at Lock 3 on Monday"> The new electric gate being fitted at Lock 3 on Monday</li></ul>')
    (tmp_path / "articles" / "keepers.html").write_text(page(media), encoding="utf-8")
    (tmp_path / "newsbook.toml").write_text(
        '[issue]\ntitle = "Canal Weekly"\nlanguage = "en"\ndate = "2026-03-14"\n\n'
        '[build]\nformats = ["epub"]\noutput_dir = "_build"\n\n'
        '[[sources]]\npath = "articles"\nsection = "News"\n', encoding="utf-8")
    report = pipeline.build(plan.plan_project(config_mod.load(tmp_path / "newsbook.toml")))
    epub = register_epub(report.outputs[0])
    with zipfile.ZipFile(epub) as z:
        chapter = next(z.read(n).decode() for n in z.namelist()
                       if n.endswith(".xhtml") and "lock keepers" in z.read(n).decode())
    assert chapter.count("<figcaption>") == 2
    assert "A keeper opens the upper gate" in chapter and "electric gate being fitted" in chapter
