"""The headline said once: a heading opening the body that repeats the title goes.

The book prints each article's title above its body; pages, Markdown files and feed entries
often open their text with the same headline as an <h1> or <h2>, give or take the site's name
("Pier to be rebuilt | Gazette"), a date or punctuation.
"""

from __future__ import annotations

import html
import re
from difflib import SequenceMatcher

from newsbook.sources.page.signals import norm

# A title's parts: "Headline | Site", "Site - Headline", "Headline: the kicker".
_SEPARATOR = re.compile(r"\s+[|\-–—·•:»/]\s+|\s*\|\s*")
# Text this alike (difflib's ratio, by characters) is the same headline written twice.
NEAR = 0.85
# A headline inside a longer title (or the other way) counts from this many words.
_MIN_WORDS = 3
# Only what opens the body: a heading after this many elements is a section heading.
_LEAD = 3


def same_headline(heading: str | None, title: str | None) -> bool:
    """Whether a heading is the title, or the title with a site name, a date or a few
    characters more or less."""
    a = norm(heading)
    if not a:
        return False
    for candidate in [title or "", *_SEPARATOR.split(title or "")]:
        b = norm(candidate)
        if not b:
            continue
        if a == b:
            return True
        short, long = sorted((a, b), key=len)
        if len(short.split()) >= _MIN_WORDS and (long.startswith(short + " ")
                                                 or long.endswith(" " + short)) \
                and len(short) >= 0.5 * len(long):
            return True
        if SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR:
            return True
    return False


def drop_title_heading(fragment: str, title: str | None) -> str:
    """An HTML fragment without a leading <h1>/<h2> that repeats the title (else unchanged)."""
    if not title or not re.search(r"<h[12]\b", fragment[:4000], re.IGNORECASE):
        return fragment
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment
    if (root.text or "").strip():
        return fragment
    for index, child in enumerate(root):
        if index >= _LEAD or not isinstance(child.tag, str):
            break
        if child.tag in ("h1", "h2"):
            if not same_headline(child.text_content(), title):
                break
            tail = child.tail
            previous = child.getprevious()
            child.getparent().remove(child)
            if tail and tail.strip():
                if previous is None:
                    root.text = (root.text or "") + tail
                else:
                    previous.tail = (previous.tail or "") + tail
            return html.escape(root.text or "", quote=False) + "".join(
                lxml_html.tostring(c, encoding="unicode") for c in root)
        if " ".join(child.text_content().split()):
            break  # text before the heading: it does not open the body
    return fragment
