"""Sanitized article trees held to the XHTML content models epubcheck enforces, text and links kept.

The HTML5 tree builder (html5ever, inside nh3) already closes a paragraph at a block, moves
stray content out of tables, drops stray cell tags and untangles misnested formatting. What it
leaves is a valid HTML DOM but not a valid EPUB content document: blocks inside inline elements,
headings or <pre>; links inside links; list items, definitions and table parts out of place;
table parts out of order; captions anywhere. normalize() fixes these by each element's content
model, the way the tree builder reopens formatting elements: nothing a reader sees is dropped.
"""

from __future__ import annotations

# Phrasing elements of the sanitizer's allowlist. <a>, <del> and <ins> are transparent in HTML
# (flow content where their parent allows it); holding them to phrasing everywhere is always
# valid and needs no context.
PHRASING = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Blocks whose own content is phrasing only.
PHRASING_BLOCKS = HEADINGS | {"p", "pre"}
# Where a block has to move out from under one of these, the element is applied again inside
# the block, around its text: its look belongs to the text (a heading, preformatted text,
# emphasis, a link). A paragraph is only closed, as the HTML5 parser closes an open <p>.
_REAPPLIED = PHRASING | HEADINGS | {"pre"}
# Elements that may not contain another of their kind (interactive content in <a>).
_NOT_NESTED = frozenset({"a", "dfn"})
# Containers of particular children only, never text.
_NO_TEXT = frozenset({"ul", "ol", "dl", "table", "tbody", "thead", "tfoot", "tr", "colgroup"})
_VOID = frozenset({"br", "hr", "img", "col"})
_ROW_GROUPS = frozenset({"tbody", "thead", "tfoot"})
_CELLS = frozenset({"td", "th"})
_ROW_PARTS = _CELLS | {"tr"}
# Where each table part belongs; anywhere else its tags go and its content stays.
_TABLE_PARENTS = {"caption": {"table"}, "colgroup": {"table"}, "thead": {"table"},
                  "tbody": {"table"}, "tfoot": {"table"}, "tr": {"table"} | _ROW_GROUPS,
                  "td": {"tr"}, "th": {"tr"}, "col": {"colgroup"}}


def accepts_text(tag: str) -> bool:
    """Whether an element may hold text (and so phrasing content)."""
    return tag not in _NO_TEXT and tag not in _VOID


def normalize(root) -> None:
    """Restructure the tree under root, in place, until every element fits its content model."""
    # Descendants before their ancestors (reversed document order): an element is looked at
    # once everything inside it is phrasing-clean, so only its own children need checking.
    for el in reversed(list(root.iterdescendants())):
        if (el.tag in PHRASING or el.tag in PHRASING_BLOCKS) and any(
                _conflicts(el, child) for child in el):
            _distribute(el)
    # Parents before their children: a container's children are sorted out before each child
    # checks where it stands. Elements unwrapped on the way have no parent and are skipped.
    for el in list(root.iterdescendants()):
        parent = el.getparent()
        if parent is None:
            continue
        tag = el.tag
        if tag in ("ul", "ol"):
            _list_items(el)
        elif tag == "dl":
            _definitions(el)
        elif tag == "table":
            _table(el)
        elif tag in _ROW_GROUPS:
            _rows(el)
        elif tag == "tr":
            _cells(el)
        elif tag == "figure":
            _figure(el)
        if tag == "li" and parent.tag not in ("ul", "ol"):
            _wrap_run(el, ("li",), "ul")
        elif tag in ("dt", "dd") and parent.tag != "dl":
            _definitions(_wrap_run(el, ("dt", "dd"), "dl"))
        elif tag in _TABLE_PARENTS and parent.tag not in _TABLE_PARENTS[tag]:
            if tag in _CELLS:
                el.tail = " " + (el.tail or "")  # cells' words stay apart
            _replace(el, _take_content(el))
        elif tag == "figcaption" and parent.tag != "figure":
            el.tag = "div"


# --- phrasing content -------------------------------------------------------------------------

def _conflicts(el, node) -> bool:
    """Whether `node` may not stand inside `el` as it is."""
    if node.tag not in PHRASING:
        return True
    return el.tag in _NOT_NESTED and (
        node.tag == el.tag or next(node.iterdescendants(el.tag), None) is not None)


class _Copies:
    """The element itself for the first run of content it wraps, then copies without its id."""

    def __init__(self, el):
        self.el, self.used = el, False

    def wrap(self, items: list) -> object:
        if self.used:
            attrib = {k: v for k, v in self.el.attrib.items() if k != "id"}
            wrapper = self.el.makeelement(self.el.tag, attrib)
        else:
            wrapper, self.used = self.el, True
        _fill(wrapper, items)
        return wrapper


def _distribute(el) -> None:
    """Split el around its conflicting children, re-applying it inside them where it belongs."""
    parent, tail, el.tail = el.getparent(), el.tail, None
    index, previous = parent.index(el), el.getprevious()
    items = _take_content(el)
    parent.remove(el)  # it comes back as the first of its copies
    pieces = _wrap_runs(items, el, _Copies(el), wrap=True)
    _insert(parent, index, previous, pieces + ([tail] if tail else []))


def _push_into(block, el, copies: _Copies) -> None:
    """Apply el again inside `block` (which had to leave it) around each run that may hold it."""
    if el.tag in _NOT_NESTED and block.tag == el.tag:
        return  # the inner link is the one its text follows
    # Text a list, table or row holds moves into an item or cell later (normalize()), still
    # wrapped; a heading or <pre> does not go inside a paragraph or another heading.
    wrap = block.tag not in _VOID and (el.tag in PHRASING or (
        block.tag not in PHRASING and block.tag not in PHRASING_BLOCKS))
    _fill(block, _wrap_runs(_take_content(block), el, copies, wrap))


def _wrap_runs(items: list, el, copies: _Copies, wrap: bool) -> list:
    """Items with each run of content el may hold wrapped in (a copy of) el, if `wrap`."""
    out: list = []
    run: list = []

    def flush() -> None:
        if wrap and any(not isinstance(i, str) or i.strip() for i in run):
            out.append(copies.wrap(list(run)))
        else:
            out.extend(run)
        run.clear()

    for item in items:
        if isinstance(item, str) or not _conflicts(el, item):
            run.append(item)
            continue
        flush()
        if el.tag in _REAPPLIED:
            _push_into(item, el, copies)
        out.append(item)
    flush()
    return out


# --- containers -------------------------------------------------------------------------------

def _list_items(el) -> None:
    """A list holds only items: anything else joins the item before it, or a new first item."""
    out: list = []
    item = None
    for node in _take_content(el):
        if isinstance(node, str) and not node.strip():
            out.append(node)
        elif not isinstance(node, str) and node.tag == "li":
            item = node
            out.append(node)
        else:
            if item is None:
                item = el.makeelement("li", {})
                out.append(item)
            _fill(item, [node])  # a nested list written straight into its parent list
    _fill(el, out)


def _definitions(dl) -> None:
    """A list of terms and definitions: (dt+ dd+)*, anything else inside the definition before it."""
    nodes: list = []
    for node in _take_content(dl):
        if not isinstance(node, str) and node.tag == "div":
            nodes.extend(_take_content(node))  # a group of terms: its terms join the list
        else:
            nodes.append(node)
    out: list = []
    last = None
    for node in nodes:
        if not isinstance(node, str) and node.tag in ("dt", "dd"):
            last = node
            out.append(node)
        elif isinstance(node, str) and not node.strip():
            out.append(node)
        else:
            if last is None:
                last = dl.makeelement("dd", {})
                out.append(last)
            _fill(last, [node])
    elements = [node for node in out if not isinstance(node, str)]
    if elements and elements[0].tag == "dd":
        out.insert(0, dl.makeelement("dt", {}))  # a definition needs a term before it
    if elements and elements[-1].tag == "dt":
        out.append(dl.makeelement("dd", {}))  # and a term a definition after it
    _fill(dl, out)


def _table(table) -> None:
    """caption, colgroups, thead, bodies, tfoot, in that order; anything else before the table."""
    captions, colgroups, heads, bodies, feet, outside, made = [], [], [], [], [], [], []
    loose_rows = None
    for node in _take_content(table):
        if isinstance(node, str):
            if node.strip():
                outside.append(node)
            continue
        tag = node.tag
        if tag not in _ROW_PARTS:
            loose_rows = None
        if tag == "caption":
            captions.append(node)
        elif tag == "colgroup":
            for inner in _take_content(node):
                if not isinstance(inner, str) and inner.tag == "col":
                    _fill(node, [inner])
                elif not isinstance(inner, str) or inner.strip():
                    outside.append(inner)
            if len(node):
                node.attrib.pop("span", None)  # a colgroup spans its cols, or has a span
            colgroups.append(node)
        elif tag == "col":
            colgroups.append(_wrapped(table, "colgroup", [node]))
        elif tag == "thead":
            heads.append(node)
        elif tag == "tbody":
            bodies.append(node)
        elif tag == "tfoot":
            feet.append(node)
        elif tag in _ROW_PARTS:
            if loose_rows is None:
                loose_rows = table.makeelement("tbody", {})
                bodies.append(loose_rows)
                made.append(loose_rows)
            _fill(loose_rows, [node])
        else:
            outside.append(node)
    if len(captions) > 1:
        for extra in captions[1:]:
            _fill(captions[0], [" "] + _take_content(extra))
    for extra in heads[1:] + feet[:-1]:
        extra.tag = "tbody"
    _fill(table, captions[:1] + colgroups + heads + bodies + feet)
    for body in made:
        _rows(body)  # new elements are not in normalize()'s list
    if outside:
        parent = table.getparent()
        _insert(parent, parent.index(table), table.getprevious(), outside)


def _rows(group) -> None:
    """A row group holds rows: cells and anything else outside a row go into a new row."""
    out: list = []
    made: list = []
    for node in _take_content(group):
        if isinstance(node, str) and not node.strip():
            continue
        if not isinstance(node, str) and node.tag == "tr":
            out.append(node)
            continue
        if not made or out[-1] is not made[-1]:
            made.append(group.makeelement("tr", {}))
            out.append(made[-1])
        _fill(made[-1], [node])
    _fill(group, out)
    for row in made:
        _cells(row)  # new elements are not in normalize()'s list


def _cells(row) -> None:
    """A row holds cells: anything else goes into a new cell."""
    out: list = []
    cell = None
    for node in _take_content(row):
        if isinstance(node, str) and not node.strip():
            continue
        if not isinstance(node, str) and node.tag in _CELLS:
            cell = None
            out.append(node)
            continue
        if cell is None:
            cell = row.makeelement("td", {})
            out.append(cell)
        _fill(cell, [node])
    _fill(row, out)


def _figure(figure) -> None:
    """At most one caption, first or last: any other figcaption becomes a plain block."""
    captions = [child for child in figure if child.tag == "figcaption"]
    if not captions:
        return
    first, last = figure[0], figure[-1]
    keep = None
    if captions[0] is first and not (figure.text or "").strip():
        keep = first
    elif captions[-1] is last and not (last.tail or "").strip():
        keep = last
    for caption in captions:
        if caption is not keep:
            caption.tag = "div"


def _wrap_run(el, tags: tuple[str, ...], wrapper: str):
    """el and the siblings after it with these tags (whitespace between) inside a new element."""
    parent = el.getparent()
    run = [el]
    while not (run[-1].tail or "").strip():
        following = run[-1].getnext()
        if following is None or following.tag not in tags:
            break
        run.append(following)
    tail, run[-1].tail = run[-1].tail, None
    index, previous = parent.index(el), el.getprevious()
    for node in run:
        parent.remove(node)
    new = _wrapped(parent, wrapper, run)
    _insert(parent, index, previous, [new] + ([tail] if tail else []))
    return new


# --- tree surgery -----------------------------------------------------------------------------

def _take_content(el) -> list:
    """Detach and return el's content: strings (text, tails) and child elements, in order."""
    items: list = [el.text] if el.text else []
    el.text = None
    for child in list(el):
        tail, child.tail = child.tail, None
        el.remove(child)
        items.append(child)
        if tail:
            items.append(tail)
    return items


def _fill(el, items: list) -> None:
    """Append strings and elements to el's content."""
    _insert(el, len(el), el[-1] if len(el) else None, items)


def _insert(parent, index: int, previous, items: list) -> None:
    """Put strings and elements into parent at index, after `previous` (None: at the start)."""
    for item in items:
        if isinstance(item, str):
            if previous is None:
                parent.text = (parent.text or "") + item
            else:
                previous.tail = (previous.tail or "") + item
        else:
            parent.insert(index, item)
            index += 1
            previous = item


def _wrapped(near, tag: str, items: list):
    """A new element holding items."""
    new = near.makeelement(tag, {})
    _fill(new, items)
    return new


def _replace(el, items: list) -> None:
    """el replaced in its parent by items (its tail kept after them)."""
    parent, tail = el.getparent(), el.tail
    index, previous = parent.index(el), el.getprevious()
    parent.remove(el)
    _insert(parent, index, previous, items + ([tail] if tail else []))
