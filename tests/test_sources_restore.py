"""What extraction drops, put back from the page: footnote ids and code languages."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from newsbook.model.clean import clean_article
from newsbook.sources import html

_PROSE = "<p>" + "Words that make this paragraph read as the article's own text. " * 3 + "</p>"


def _page(body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><title>Notes</title></head><body><article>'
            f"<h1>Notes</h1>{body}</article></body></html>")


def _read_and_clean(tmp_path: Path, body: str):
    path = tmp_path / "page.html"
    path.write_text(_page(body), encoding="utf-8")
    article, _warnings = clean_article(html.read(path, path.read_text(encoding="utf-8")))
    return etree.fromstring(f"<div>{article.body}</div>")


def test_footnotes_of_a_static_site_page_are_footnotes_after_extraction(tmp_path):
    # Hugo's (goldmark's) shape: ids on the <sup> and the <li>, dropped by trafilatura.
    root = _read_and_clean(tmp_path, (
        '<p>A claim that needs a source.<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" '
        'role="doc-noteref">1</a></sup> The claim goes on for a while longer here.</p>'
        + _PROSE + _PROSE +
        '<div class="footnotes" role="doc-endnotes"><hr><ol><li id="fn:1"><p>The source.&#160;'
        '<a href="#fnref:1" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a>'
        '</p></li></ol></div>'))
    ref = root.find(".//a[@role='doc-noteref']")
    aside = root.find(".//aside[@role='doc-footnote']")
    assert ref is not None and aside is not None
    assert ref.get("href") == "#" + aside.get("id")
    back = aside.find(".//a[@role='doc-backlink']")
    assert back.get("href") == "#" + ref.get("id")


def test_a_list_without_links_back_gets_no_ids(tmp_path):
    root = _read_and_clean(tmp_path, (
        '<p>See <a href="#part-2">the second part</a> of this article, which follows.</p>'
        + _PROSE + '<ol><li id="part-1">One part of a list.</li><li id="part-2">Another part.</li>'
        '</ol>' + _PROSE))
    assert root.find(".//aside") is None
    assert not [el for el in root.iter("li") if el.get("id")]


def test_a_code_block_keeps_the_language_the_page_gave_it(tmp_path):
    root = _read_and_clean(tmp_path, (
        _PROSE + '<pre><code class="hljs language-python">import os\nprint(os.sep)\n</code></pre>'
        + _PROSE + '<pre><code>import os\nplain()\n</code></pre>' + _PROSE))
    first, second = root.findall(".//pre")
    assert first.find("code").get("class") == "language-python"
    assert first.find(".//span[@class='kn']").text == "import"
    assert second.find(".//span") is None  # no class in the page, no guess


def test_a_pandoc_page_names_its_code_language_as_pandoc_writes_it(tmp_path):
    root = _read_and_clean(tmp_path, (
        _PROSE + '<div class="sourceCode" id="cb1"><pre class="sourceCode python"><code '
        'class="sourceCode python">import os\nprint(os.sep)\n</code></pre></div>'
        + _PROSE + '<pre class="wp-block-code"><code class="hljs">import os\nplain()\n</code></pre>'
        + _PROSE))
    first, second = root.findall(".//pre")
    assert first.find(".//span[@class='kn']").text == "import"
    assert second.find(".//span") is None and second.get("class") is None
    assert all(el.get("class") is None for el in second.iter("code"))
