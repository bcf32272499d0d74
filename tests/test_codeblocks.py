"""Code blocks: highlighted in the language the source names, boxed in every format."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree

from newsbook.model import Article
from newsbook.model.clean import clean_article
from newsbook.model.codeblocks import style_css
from newsbook.sources.markdown import render_markdown

X = "{http://www.w3.org/1999/xhtml}"


def _clean(body: str) -> etree._Element:
    article, _warnings = clean_article(Article(id="a1", title="t", body=body, source="x.md"))
    return etree.fromstring(f"<div>{article.body}</div>")


def _classes(pre) -> dict[str, str]:
    return {span.text: span.get("class") for span in pre.iter("span")}


def test_a_fenced_block_is_highlighted_in_its_language_and_keeps_its_text():
    source = 'def f(x):\n    return x < 2  # small & "quoted"\n'
    root = _clean(render_markdown(f"```python\n{source}```\n"))
    pre = root.find("pre")
    code = pre.find("code")
    assert code.get("class") == "language-python"
    classes = _classes(pre)
    assert classes["def"] == "k" and classes["return"] == "k"
    assert classes["f"] == "nf" and classes['# small & "quoted"'] == "c1"
    assert "".join(code.itertext()) == source


@pytest.mark.parametrize("body, language", [
    ('<pre class="language-js"><code>var x = 1;</code></pre>', "js"),
    ('<pre><code class="lang-rust">fn main() {}</code></pre>', "rust"),
    ('<pre class="sourceCode bash"><code class="sourceCode bash">echo hi</code></pre>', "bash"),
    # A page's own highlighting is replaced: its spans lost their classes in the sanitizer.
    ('<pre><code class="hljs language-python"><span class="hljs-keyword">import</span> os'
     '</code></pre>', "python"),
])
def test_the_language_comes_from_the_classes_pages_use(body, language):
    pre = _clean(body).find("pre")
    assert pre.find("code").get("class") == f"language-{language}"
    assert any(cls in ("k", "kd", "kn", "nb", "kw") for cls in _classes(pre).values())
    assert pre.get("class") is None  # nothing else the page said survives


def test_no_language_no_guess_and_unknown_languages_stay_plain():
    for body in (render_markdown("```\nimport os\nprint(os.sep)\n```\n"),
                 render_markdown("```nosuchlanguage\nimport os\n```\n"),
                 '<pre class="highlight">import os</pre>'):
        pre = _clean(body).find("pre")
        assert pre.find(".//span") is None and "import os" in "".join(pre.itertext())
        assert pre.find("code") is None or pre.find("code").get("class") is None


def test_line_breaks_written_as_br_stay_line_breaks():
    pre = _clean('<pre><code class="language-python">x = 1<br>y = 2</code></pre>').find("pre")
    assert "".join(pre.itertext()) == "x = 1\ny = 2"
    assert pre.find(".//br") is None


def test_style_css_has_no_backgrounds_or_borders_for_e_ink():
    bw = style_css("bw")
    assert "pre .k { font-weight: bold }" in bw and "font-style: italic" in bw
    assert "color" not in bw
    default = style_css("default")
    assert re.search(r"pre \.k \{ color: #[0-9A-Fa-f]+; font-weight: bold \}", default)
    for css in (bw, default):
        assert "background" not in css and "border" not in css
        assert not re.search(r"\{\s*\}", css)


def _rules(css: str, selector: str) -> str:
    """Every declaration given to exactly `selector`, joined."""
    return " ".join(m.group(1) for m in re.finditer(
        rf"(?:^|\}})\s*{re.escape(selector)}\s*\{{([^}}]*)\}}", css, re.M))


def test_built_books_box_and_highlight_code_in_every_format(reading_build):
    import pypdf

    book = zipfile.ZipFile(reading_build["epub"])
    article = next(etree.fromstring(book.read(n)) for n in book.namelist()
                   if n.endswith(".xhtml") and b"weave" in book.read(n))
    code = article.find(f".//{X}pre/{X}code[@class='language-python']")
    assert code.find(f"{X}span[@class='k']").text == "def"
    css = book.read("EPUB/style/epub.css").decode()
    boxed = _rules(css, "pre")
    assert "border:" in boxed and "pre-wrap" in boxed and "padding:" in boxed
    assert "pre .k { font-weight: bold }" in css and "pre .c1 { font-style: italic }" in css

    html = reading_build["html"].read_text(encoding="utf-8")
    assert '<span class="k">def</span>' in html and re.search(r"pre \.k \{ color:", html)
    assert "border:" in _rules(html, "pre")

    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(reading_build["pdf"]).pages)
    # The long line wraps inside its box rather than running off the page.
    start, end = text.index("this_is_a_very_long_line"), text.index("arguments_still)")
    assert "\n" in text[start:end]


def test_print_stylesheets_box_and_wrap_code():
    from newsbook.render.environment import Theme
    from newsbook.model import ThemeOptions

    for name in ("modern", "classic"):
        css = Theme(options=ThemeOptions(name=name)).resource("print.css").decode()
        boxed = _rules(css, "pre")
        assert "border:" in boxed and "white-space: pre-wrap" in boxed
        assert "overflow-wrap: break-word" in boxed
        assert re.search(r'a\[role="doc-backlink"\] \{ display: none; \}', css)
        assert "pre .k {" in css


def test_an_unknown_style_in_a_theme_is_a_one_line_error(tmp_path):
    from newsbook.model.errors import BuildError
    from newsbook.render.environment import Theme

    (tmp_path / "epub.css").write_text('{{ code_css("no-such-style") }}', encoding="utf-8")
    with pytest.raises(BuildError, match="no style 'no-such-style'"):
        Theme(tmp_path).resource("epub.css")
