"""Footnotes as an EPUB shows them: popups by epub:type, without the links back."""

from __future__ import annotations

import re

# The body is lxml's serialization: in text and attribute values every < and > is escaped, and
# every " in a value too, so a match here is a start tag and its own attribute.
_NOTEREF = re.compile(r'(<a\b[^<>]*?) role="doc-noteref"')
_FOOTNOTE = re.compile(r'(<aside\b[^<>]*?) role="doc-footnote"')
# A link back holds no other link (an <a> cannot), so the first </a> closes it.
_BACKLINK = re.compile(r'[ \t]*<a\b[^<>]* role="doc-backlink"[^<>]*>.*?</a>', re.S)


def epub_notes(body: str) -> str:
    """An article body with its notes typed for EPUB readers' popups (noteref, footnote) and
    no links back: a popup has nowhere to go back from, and would show the ↩ in the note."""
    if 'role="doc-' not in body:
        return body
    body = _NOTEREF.sub(r'\1 epub:type="noteref" role="doc-noteref"', body)
    body = _FOOTNOTE.sub(r'\1 epub:type="footnote" role="doc-footnote"', body)
    return _BACKLINK.sub("", body)
