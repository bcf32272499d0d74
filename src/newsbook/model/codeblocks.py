"""Code blocks highlighted with Pygments, in the language their source names (never guessed).

A block is <pre>, or <pre><code>; its language comes from a class its source gave it:
"language-python" (Markdown fences, most sites, highlight.js), "lang-python", or pandoc's
"sourceCode python". Pygments' guess_lexer is not asked: it is wrong too often on short code.
The block's text is lexed again, whatever spans the page had, into <span class="k">… with
Pygments' own short token classes, which the themes' stylesheets colour (style_css()).
"""

from __future__ import annotations

import functools
import re

_CLASS = re.compile(r"^(?:language|lang)-([A-Za-z0-9_+#.-]{1,40})$")
# Larger blocks stay plain: lexing is linear, but a megabyte of spans is no use to a reader.
MAX_HIGHLIGHTED = 100_000


def languages(root) -> dict:
    """The language each <pre> under `root` names, by element, read from the classes the
    sanitizer carried on <pre> and <code> (they are removed after)."""
    found = {}
    for pre in root.iter("pre"):
        code = _code_of(pre)
        classes = (pre.get("class") or "").split() + \
            ((code.get("class") or "").split() if code is not None else [])
        for index, name in enumerate(classes):
            match = _CLASS.match(name)
            if match:
                found[pre] = match.group(1).lower()
                break
            if name == "sourceCode" and index + 1 < len(classes) \
                    and classes[index + 1] != "sourceCode":
                found[pre] = classes[index + 1].lower()
                break
    return found


def highlight(found: dict) -> None:
    """Highlight each block of `found` (languages()) whose language Pygments knows."""
    from lxml import etree

    for pre, language in found.items():
        lexer = _lexer(language)
        if lexer is None:
            continue
        code = _code_of(pre)
        if code is None:  # a bare <pre>: the code element is added, as Markdown writes it
            code = etree.Element("code")
            code.text, pre.text = _text(pre), None
            for child in list(pre):
                pre.remove(child)
            pre.append(code)
        text = _text(code)
        if len(text) > MAX_HIGHLIGHTED:
            continue
        for child in list(code):
            code.remove(child)
        code.text = None
        code.set("class", f"language-{language}")
        last = None
        for css, value in _tokens(lexer, text):
            if not css:
                if last is None:
                    code.text = (code.text or "") + value
                else:
                    last.tail = (last.tail or "") + value
                continue
            last = etree.SubElement(code, "span", {"class": css})
            last.text = value


def _code_of(pre):
    """The <code> that is all of a <pre>, if it is."""
    children = [child for child in pre if isinstance(child.tag, str)]
    if len(children) == 1 and children[0].tag == "code" and not (pre.text or "").strip() \
            and not (children[0].tail or "").strip():
        return children[0]
    return None


def _text(element) -> str:
    """The text of a block, with a line break for each <br> (some sites break lines so)."""
    parts = [element.text or ""]
    for child in element.iterdescendants():
        if child.tag == "br":
            parts.append("\n")
        elif isinstance(child.tag, str):
            parts.append(child.text or "")
        parts.append(child.tail or "")
    return "".join(parts)


@functools.lru_cache(maxsize=64)
def _lexer(language: str):
    """Pygments' lexer for a language name or alias, or None for one it does not know."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        # The text as it is: no newlines stripped or added, tabs left to the stylesheet.
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def _tokens(lexer, text: str):
    """(css class, text) runs: Pygments' tokens with neighbours of one class merged; the
    class is "" for plain text and white space, which need no span."""
    from pygments.token import STANDARD_TYPES, Whitespace

    runs: list[tuple[str, str]] = []
    for ttype, value in lexer.get_tokens(text):
        while ttype not in STANDARD_TYPES:
            ttype = ttype.parent
        css = "" if ttype is Whitespace else STANDARD_TYPES[ttype]
        if runs and runs[-1][0] == css:
            runs[-1] = (css, runs[-1][1] + value)
        else:
            runs.append((css, value))
    return runs


_NO_BOXES = re.compile(r"\s*(?:background-color|border)\s*:[^;}]*;?")


def style_css(style: str, scope: str = "pre") -> str:
    """A Pygments style's rules for the token classes under `scope`, without the background
    colours and borders it may give a token (they vanish or glare on e-ink)."""
    from pygments.formatters import HtmlFormatter

    rules = []
    for rule in HtmlFormatter(style=style).get_token_style_defs(scope):
        rule = _NO_BOXES.sub(" ", rule)
        if not re.search(r"\{\s*\}", rule):
            rules.append(rule)
    return "\n".join(rules) + "\n"
