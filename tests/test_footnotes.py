"""Footnotes: found by their links both ways, asides with roles in every format, popups in
the EPUB, no links back in print."""

from __future__ import annotations

import re
import zipfile

from lxml import etree

from newsbook.model import Article
from newsbook.model.clean import clean_article
from newsbook.render.notes import epub_notes
from newsbook.sources.markdown import render_markdown

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def _clean(body: str, article_id: str = "a1") -> etree._Element:
    article, _warnings = clean_article(Article(id=article_id, title="t", body=body, source="x.md"))
    return etree.fromstring(f"<div>{article.body}</div>")


def test_markdown_footnotes_become_asides_with_roles():
    root = _clean(render_markdown("Text[^a] and more[^b], again[^a].\n\n[^a]: First note.\n"
                                  "[^b]: Second *note*.\n\n    Its second paragraph.\n"))
    refs = root.findall(".//a[@role='doc-noteref']")
    assert [r.get("href") for r in refs] == ["#a1-fn1", "#a1-fn2", "#a1-fn1"]
    assert [r.text for r in refs] == ["1", "2", "1"]  # not "[1]" or "[1:1]"
    box = root.find("div[@class='footnotes']")
    asides = box.findall("aside")
    assert [a.get("id") for a in asides] == ["a1-fn1", "a1-fn2"]
    assert all(a.get("role") == "doc-footnote" for a in asides)
    assert box.find("hr") is not None and root.find("hr") is None  # the rule went with them
    assert root.find(".//ol") is None
    first = asides[0].find("p")
    assert first.find("span[@class='footnote-label']").text == "1."
    assert "".join(first.itertext()).startswith("1. First note.")
    assert len(asides[1].findall("p")) == 2
    backs = root.findall(".//a[@role='doc-backlink']")
    assert len(backs) == 3 and all(b.text == "↩︎" for b in backs)
    # Every link still resolves.
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert all(a.get("href")[1:] in ids for a in root.iter("a")
               if a.get("href", "").startswith("#"))


def test_wiki_and_python_markdown_shapes_are_footnotes_too():
    wiki = _clean('<p>Claim<sup id="cite_ref-1"><a href="#cite_note-1">[1]</a></sup></p>'
                  '<ol class="references"><li id="cite_note-1"><span><a href="#cite_ref-1">^</a>'
                  '</span> <span>The source.</span></li></ol>')
    assert wiki.find(".//a[@role='doc-noteref']").text == "1"
    aside = wiki.find(".//aside[@role='doc-footnote']")
    assert aside.get("id") == "a1-cite_note-1" and "The source." in "".join(aside.itertext())
    pymd = _clean('<p>Claim<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup></p>'
                  '<div class="footnote"><hr /><ol><li id="fn:1"><p>Note.&#160;<a '
                  'class="footnote-backref" href="#fnref:1">&#8617;</a></p></li></ol></div>')
    assert pymd.find(".//aside[@role='doc-footnote']") is not None
    assert pymd.find(".//a[@role='doc-backlink']") is not None


def test_a_list_that_is_not_all_notes_stays_a_list():
    # A table of contents links to its items, but nothing links back: no footnotes.
    root = _clean('<ol><li><a href="#one">One</a></li></ol><h2 id="one">One</h2>'
                  '<p>See<a href="#n1" id="r1">1</a> and item two.</p>'
                  '<ol><li id="n1">A note <a href="#r1">back</a></li><li>not a note</li></ol>')
    assert root.find(".//aside") is None and len(root.findall("ol")) == 2
    assert root.find(".//a[@role]") is None


def test_epub_notes_type_the_notes_and_drop_the_links_back():
    root = _clean(render_markdown("Text[^a].\n\n[^a]: A note.\n"))
    body = etree.tostring(root, encoding="unicode")[5:-6]
    epub = etree.fromstring(
        f'<div xmlns:epub="http://www.idpf.org/2007/ops">{epub_notes(body)}</div>')
    ref = epub.find(".//a[@role='doc-noteref']")
    assert ref.get(EPUB_TYPE) == "noteref"
    assert epub.find(".//aside").get(EPUB_TYPE) == "footnote"
    assert epub.find(".//a[@role='doc-backlink']") is None
    assert "↩" not in "".join(epub.itertext())
    assert "".join(epub.find(".//aside/p").itertext()) == "1. A note."
    # Text that only looks like the markup is left alone.
    plain = '<p>role="doc-noteref" &lt;a role="doc-backlink"&gt;x&lt;/a&gt;</p>'
    assert epub_notes(plain) == plain


def test_built_books_show_notes_as_each_format_should(reading_build):
    import pypdf

    book = zipfile.ZipFile(reading_build["epub"])
    article = next(etree.fromstring(book.read(n)) for n in book.namelist()
                   if n.endswith(".xhtml") and b"Menabrea" in book.read(n))
    refs = article.findall(".//x:a[@epub:type='noteref']", NS)
    assert len(refs) == 3 and all(r.get("role") == "doc-noteref" for r in refs)
    for ref in refs:
        target = article.find(f".//x:aside[@id='{ref.get('href')[1:]}']", NS)
        assert target.get(EPUB_TYPE) == "footnote" and target.get("role") == "doc-footnote"
    assert article.find(".//x:a[@role='doc-backlink']", NS) is None
    assert "↩" not in "".join(article.itertext())

    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(reading_build["pdf"]).pages)
    assert "Menabrea" in text and "↩" not in text

    html = reading_build["html"].read_text(encoding="utf-8")
    # The web page keeps its links back (the stylesheet hides them when printed).
    assert len(re.findall(r'<a [^>]*role="doc-backlink"', html)) == 3
    assert "epub:type" not in html
