"""Image captions, photo credits and alt text survive from web pages into EPUB, PDF and HTML."""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from PIL import Image

from conftest import register_epub, run_cli
from newsbook.sources.page.figures import image_captions, join
from webserver import FixtureServer

CAPTION = "The grain pier at low tide, seen from the lighthouse"
CREDIT = "Jane Doe / Harbour Agency"
ALT = "Timber piles of the grain pier"

# Each common way pages mark up an image's caption and credit; {src} is the image's URL.
FORMS = {
    "figcaption": f'<figure><img src="{{src}}" alt="{ALT}"><figcaption>{CAPTION}.'
                  "</figcaption></figure>",
    "nested-credit": f'<figure class="article-image"><img src="{{src}}" alt="{ALT}"><figcaption>'
                     f'<span class="caption-text">{CAPTION}.</span> <span class="credit">{CREDIT}'
                     "</span></figcaption></figure>",
    "wordpress": f'<div id="attachment_12" class="wp-caption aligncenter" style="width: 610px">'
                 f'<img class="size-large wp-image-12" src="{{src}}" alt="{ALT}" width="600" '
                 f'height="400"><p class="wp-caption-text">{CAPTION}. Photo: {CREDIT}</p></div>',
    "caption-div": f'<div class="story-image"><img src="{{src}}" alt="{ALT}"></div>'
                   f'<div class="caption">{CAPTION}.</div>',
    "photo-credit": f'<figure><img src="{{src}}" alt="{ALT}"><figcaption>{CAPTION}.</figcaption>'
                    f'<p class="photo-credit">{CREDIT}</p></figure>',
    "small": f'<div class="photo"><img src="{{src}}" alt="{ALT}"><p class="caption">{CAPTION}.'
             f"</p><small>{CREDIT}</small></div>",
    "picture-lazy": '<figure><picture><source type="image/webp" srcset="{src} 1x">'
                    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="{src}" '
                    'srcset="{src} 600w, {src}?w=1200 1200w" loading="lazy" '
                    f'alt="{ALT}"></picture><figcaption>{CAPTION}. <span class="credit">'
                    f"Photo: {CREDIT}</span></figcaption></figure>",
    "alt-only": f'<p><img src="{{src}}" alt="{ALT}"></p>',
}
WITH_CREDIT = {"nested-credit", "wordpress", "photo-credit", "small", "picture-lazy"}

SENTENCES = [
    "The harbour authority said on Monday that the old grain pier will be rebuilt over the next "
    "two years.",
    "Engineers found that its timber piles had rotted well below the waterline.",
    "Fishermen who moor along the pier will move to a temporary pontoon on the north side.",
    "The authority promised that the pontoon would be ready before the herring season.",
    "The council has set aside four million for the work, with a grant expected from the region.",
    "Residents asked that the pier's iron lamps, installed in 1902, be restored and put back.",
    "The authority said it would consider the request once the new deck is laid.",
    "Boat owners will be told of the new moorings by letter in the coming weeks.",
]


def story(seed: str) -> list[str]:
    """Four paragraphs of their own for each page, so that no two pages are the same story."""
    rng = random.Random(seed)
    words = " ".join(SENTENCES).rstrip(".").replace(",", "").split()
    paragraphs = []
    for _ in range(4):
        rng.shuffle(words)
        paragraphs.append(" ".join(words[:45]).capitalize() + ".")
    return paragraphs


def page(title: str, media: str) -> str:
    """A news page: chrome around an article with the media after its second paragraph."""
    first, second, third, fourth = (f"<p>{p}</p>" for p in story(title))
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title} | Harbour Gazette</title>"
            f'<meta property="og:title" content="{title}"></head><body>'
            "<header><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></header>"
            f"<article><h1>{title}</h1>{first}{second}{media}{third}{fourth}</article>"
            "<footer>© Harbour Gazette</footer></body></html>")


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), colour).save(buffer, "PNG")
    return buffer.getvalue()


def title_of(form: str) -> str:
    return f"Pier story {form.replace('-', ' ')}"


def expected_caption(form: str) -> str:
    return f"{CAPTION}. Photo: {CREDIT}" if form in WITH_CREDIT else f"{CAPTION}."


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_gives_the_image_its_caption_and_credit(form):
    tree = lxml_html.fromstring(page(title_of(form), FORMS[form].format(src="img/pier.png")))
    found = image_captions(tree, "https://gazette.example.com/news/pier")
    if form == "alt-only":
        assert found.by_source == {}
        return
    assert found.by_source["img/pier.png"] == expected_caption(form)
    # trafilatura makes sources absolute when it knows the page's URL
    assert found.by_source["https://gazette.example.com/news/img/pier.png"] == \
        expected_caption(form)


def test_running_text_around_an_image_is_no_caption():
    tree = lxml_html.fromstring(
        "<html><body><div class='content'><p>The pier <img src='icon.png' alt='anchor'> "
        "will be rebuilt over two years, the authority said on Monday.</p>"
        "<p>Work starts in spring. <small>Updated 5pm</small></p></div>"
        "<div class='teasers'><img src='a.png'><span class='caption'>Other story</span>"
        "<img src='b.png'></div></body></html>")
    found = image_captions(tree)
    assert "icon.png" not in found.by_source
    # a placeholder several lazy images show is no one's caption
    tree = lxml_html.fromstring(
        "<html><body>" + "".join(
            f"<figure><img src='blank.gif' data-src='p{i}.jpg'><figcaption>Picture {i}"
            "</figcaption></figure>" for i in range(2)) + "</body></html>")
    found = image_captions(tree)
    assert found.by_source == {"p0.jpg": "Picture 0", "p1.jpg": "Picture 1"}


def test_join_labels_a_bare_credit_only():
    assert join("A caption", "Jane Doe") == "A caption. Photo: Jane Doe"
    assert join("A caption?", "Getty Images") == "A caption? Getty Images"
    assert join("", "Photograph: Jo Bloggs/Reuters") == "Photograph: Jo Bloggs/Reuters"
    assert join("A caption.", "") == "A caption."


@pytest.fixture
def site():
    srv = FixtureServer()
    for number, form in enumerate(sorted(FORMS)):
        srv.add(f"/img/{form}.png", png((40 * number, 120, 200)), content_type="image/png")
        srv.add(f"/news/{form}", page(title_of(form), FORMS[form].format(src=f"/img/{form}.png")))
    yield srv
    srv.stop()


def _figures(root, namespace: str = "") -> list[tuple[str, str]]:
    """(alt, caption) of every <figure> with an image in a parsed document."""
    out = []
    for figure in root.iter(f"{namespace}figure"):
        img = figure.find(f".//{namespace}img")
        caption = figure.find(f"{namespace}figcaption")
        if img is not None and caption is not None:
            out.append((img.get("alt"), " ".join("".join(caption.itertext()).split())))
    return out


def test_captions_credits_and_alt_in_epub_pdf_and_html(tmp_path, site):
    out = tmp_path / "out"
    urls = [site.url(f"/news/{form}") for form in sorted(FORMS)]
    result = run_cli("build", *urls, "--title", "Gazette", "--json",
                     "-o", str(out / "g.epub"), "-o", str(out / "g.pdf"), "-o", str(out / "g.html"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["articles"] == len(FORMS)
    captioned = sorted(set(FORMS) - {"alt-only"})

    # EPUB: each article document has its image in a <figure> with the caption and credit.
    epub = register_epub(out / "g.epub")
    xhtml = "{http://www.w3.org/1999/xhtml}"
    by_title = {}
    with zipfile.ZipFile(epub) as z:
        for name in z.namelist():
            if re.match(r"EPUB/a[0-9a-f]+\.xhtml$", name):
                root = etree.fromstring(z.read(name))
                title = "".join(root.find(f".//{xhtml}h1").itertext())
                by_title[title] = root
    for form in captioned:
        root = by_title[title_of(form)]
        assert _figures(root, xhtml) == [(ALT, expected_caption(form))], form
        # the caption is said once, under the picture, not again as running text
        assert etree.tostring(root, encoding="unicode").count(CAPTION) == 1, form
    alone = by_title[title_of("alt-only")]
    assert [img.get("alt") for img in alone.iter(f"{xhtml}img")] == [ALT]

    # HTML: the same figures, in the one page.
    root = lxml_html.parse(str(out / "g.html")).getroot()
    figures = _figures(root)
    assert sorted(caption for _, caption in figures) == sorted(expected_caption(f) for f in captioned)
    assert {alt for alt, _ in figures} == {ALT}
    assert ALT in [img.get("alt") for img in root.iter("img")]

    # PDF: caption and credit are printed.
    from pypdf import PdfReader

    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out / "g.pdf").pages)
    assert text.count(f"{CAPTION}. Photo: {CREDIT}") == len(WITH_CREDIT)
    assert text.count(CAPTION) == len(captioned)


def test_local_page_keeps_caption_and_credit_once(tmp_path):
    folder = tmp_path / "pages"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "pier.png").write_bytes(png((10, 90, 160)))
    for form in ("small", "caption-div"):
        (folder / f"{form}.html").write_text(page(title_of(form),
                                                  FORMS[form].format(src="img/pier.png")))
    result = run_cli("extract", "--format", "json", str(folder / "small.html"),
                     str(folder / "caption-div.html"), cwd=folder)
    assert result.returncode == 0, result.stderr
    for form, found in zip(("small", "caption-div"), json.loads(result.stdout)):
        root = lxml_html.fragment_fromstring(found["html"], create_parent="div")
        assert _figures(root) == [(ALT, expected_caption(form))]
        assert CAPTION not in found["text"] and "Jane Doe" not in found["text"]
        assert found["text"].count(".") >= 4  # the story itself is all there
