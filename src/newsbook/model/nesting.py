"""What article markup may cost: nesting depth and reopened formatting, before the HTML5 parser
and after it."""

from __future__ import annotations

import re
from collections import Counter

from newsbook.model.contentmodel import PHRASING, accepts_text

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}


def too_deep(fragment: str, limit: int) -> bool:
    """Whether an HTML fragment nests elements deeper than `limit` (libxml2's reading of it).

    libxml2 is quick and close enough to tell: the HTML5 parser is what must not see thousands
    of levels (its scope checks are quadratic in depth: 20,000 nested blocks take seconds).
    """
    if fragment.count("<") <= limit:
        return False  # too few tags to nest that deep
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser()
    root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=parser)
    if any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
        return True  # libxml2 stopped at depth 255
    return bool(root.xpath("boolean(//*[count(ancestor::*) > $limit])", limit=limit))


_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
# The elements the HTML5 parser reopens after a block has closed them ("formatting elements").
_FORMATTING = frozenset({"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small",
                         "strike", "strong", "tt", "u"})
# Elements it may have to recreate; a few hundred thousand take a second.
_REOPEN_BUDGET = 100_000


def reopens_too_much(fragment: str) -> bool:
    """Whether the HTML5 parser might spend quadratic work reopening formatting elements.

    It reopens every formatting element left open (in a closed paragraph, say) wherever text
    follows: "<p><b id=1>x<p><b id=2>x…" grows quadratically, 4,000 tags into millions of
    elements. Each tag is taken as a place where all formatting elements not yet closed are
    reopened: an upper bound on the parser's work, cheap to count.
    """
    if fragment.count("<") ** 2 <= _REOPEN_BUDGET:
        return False  # too few tags to add up to the budget
    unclosed: Counter = Counter()
    work = left_open = 0
    for match in _TAG.finditer(fragment):
        name = match[2].lower()
        if name not in _FORMATTING:
            work += left_open
            if work > _REOPEN_BUDGET:
                return True
        elif not match[1]:
            unclosed[name] += 1
            left_open += 1
        elif unclosed[name]:
            unclosed[name] -= 1
            left_open -= 1
    return False


def balanced(fragment: str) -> str:
    """The fragment as libxml2 reads it, written back: every element closed where it ends."""
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    text = (root.text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def flatten_source(fragment: str, limit: int, drop_with_content: set[str]) -> str:
    """HTML text re-emitted with no element deeper than `limit` (deeper tags go, text stays).

    Elements in `drop_with_content` go with their content, so that it cannot surface as text.
    """
    import html
    from collections import Counter
    from html.parser import HTMLParser

    out: list[str] = []
    # Open elements as (name, emitted, dropped-with-content); counts make end tags O(1) to match.
    stack: list[tuple[str, bool, bool]] = []
    open_names: Counter = Counter()
    state = {"emitted": 0, "skip": 0}

    def start(tag: str, attrs, void: bool) -> None:
        if void or tag in _VOID:
            if not state["skip"] and state["emitted"] < limit and tag not in drop_with_content:
                out.append(_tag(tag, attrs, html))
            return
        dropped = bool(state["skip"]) or tag in drop_with_content
        emitted = not dropped and state["emitted"] < limit
        stack.append((tag, emitted, dropped))
        open_names[tag] += 1
        state["emitted"] += emitted
        state["skip"] += dropped
        if emitted:
            out.append(_tag(tag, attrs, html))

    class Flattener(HTMLParser):
        def handle_starttag(self, tag, attrs):
            start(tag, attrs, False)

        def handle_startendtag(self, tag, attrs):
            start(tag, attrs, True)

        def handle_endtag(self, tag):
            if not open_names[tag]:
                return  # a stray end tag
            while stack:
                name, emitted, dropped = stack.pop()
                open_names[name] -= 1
                state["emitted"] -= emitted
                state["skip"] -= dropped
                if emitted:
                    out.append(f"</{name}>")
                if name == tag:
                    break

        def handle_data(self, data):
            if not state["skip"]:
                out.append(html.escape(data, quote=False))

    parser = Flattener(convert_charrefs=True)
    parser.feed(fragment)
    parser.close()
    out.extend(f"</{name}>" for name, emitted, _ in reversed(stack) if emitted)
    return "".join(out)


def _tag(tag: str, attrs, html) -> str:
    rendered = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs)
    return f"<{tag}{rendered}>"


def flatten_tree(root, limit: int) -> bool:
    """Unwrap what is nested deeper than `limit` below root, keeping its text; True if any was.

    The text lands in the first element on the way down that may hold text, so a list, table
    or row at the limit keeps its items, rows and cells (at most three levels past the limit).
    """
    from lxml import etree

    flattened = False
    stack = [(root, 0)]
    while stack:  # iterative: the tree may be deeper than Python's recursion limit
        el, depth = stack.pop()
        if depth >= limit and len(el) and accepts_text(el.tag):
            for inner in el.iterdescendants():
                if inner.tag not in PHRASING or inner.tag == "br":
                    inner.tail = " " + (inner.tail or "")  # blocks' words stay apart
            etree.strip_tags(el, "*")
            flattened = True
            continue
        stack.extend((child, depth + 1) for child in el)
    return flattened
