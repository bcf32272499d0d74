"""An article body as plain text, blocks on their own lines: what selection compares and
`newsbook extract --format text` prints."""

from __future__ import annotations

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "dt", "dd",
           "figcaption", "caption", "div", "table", "ul", "ol", "dl", "figure", "hr"}


def plain_text(xhtml: str) -> str:
    """The text of a sanitized body: one block a paragraph, separated by blank lines."""
    from lxml import html as lxml_html

    if not xhtml.strip():
        return ""
    root = lxml_html.fragment_fromstring(xhtml, create_parent="div")
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            blocks.append(text)
        current.clear()

    def walk(el) -> None:
        if el.tag == "figcaption":
            # A caption belongs with its picture, which plain text does not show.
            current.append(el.tail or "")
            return
        block = el.tag in _BLOCKS
        if block:
            flush()
        if el.tag == "br":
            current.append(" ")
        elif el.tag in ("td", "th"):
            current.append(" ")
        current.append(el.text or "")
        for child in el:
            walk(child)
        if block:
            flush()
        current.append(el.tail or "")

    current.append(root.text or "")
    for child in root:
        walk(child)
    flush()
    return "\n\n".join(blocks)
