"""Test helper: the XHTML content-model rules epubcheck enforces, checked on a cleaned body.

Written from the HTML content models (and what epubcheck 5 reports), independently of
newsbook.model.contentmodel, so that a test does not check the code against itself.
"""

from __future__ import annotations

import re

from lxml import etree

INLINE = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img",
          "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
          "u", "var"}
PHRASING_ONLY = INLINE | {"p", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
PARENTS = {"li": {"ul", "ol"}, "dt": {"dl"}, "dd": {"dl"}, "tr": {"table", "tbody", "thead", "tfoot"},
           "td": {"tr"}, "th": {"tr"}, "caption": {"table"}, "colgroup": {"table"},
           "thead": {"table"}, "tbody": {"table"}, "tfoot": {"table"}, "col": {"colgroup"},
           "figcaption": {"figure"}}
ONLY_CHILDREN = {"ul": {"li"}, "ol": {"li"}, "dl": {"dt", "dd"}, "tr": {"td", "th"},
                 "tbody": {"tr"}, "thead": {"tr"}, "tfoot": {"tr"}, "colgroup": {"col"}}
# caption? colgroup* thead? (tbody* | tr+) tfoot?
TABLE = re.compile(r"(caption,)?(colgroup,)*(thead,)?((tbody,)*|(tr,)+)(tfoot,)?")
DEFINITIONS = re.compile(r"((dt,)+(dd,)+)*")


def violations(root) -> list[str]:
    """Every content-model rule the tree under root breaks, as readable lines (empty: valid)."""
    found = []
    for el in root.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        tag, parent = el.tag, el.getparent()
        kids = [child.tag for child in el]
        where = etree.tostring(el, encoding="unicode", with_tail=False)[:160]
        if tag in PHRASING_ONLY and set(kids) - INLINE:
            found.append(f"block in <{tag}>: {where}")
        if tag in ("a", "dfn") and next(el.iterdescendants(tag), None) is not None:
            found.append(f"<{tag}> in <{tag}>: {where}")
        if tag in PARENTS and parent.tag not in PARENTS[tag]:
            found.append(f"<{tag}> in <{parent.tag}>: {where}")
        if tag in ONLY_CHILDREN and (set(kids) - ONLY_CHILDREN[tag] or _has_text(el)):
            found.append(f"<{tag}> holds {set(kids) - ONLY_CHILDREN[tag] or 'text'}: {where}")
        if tag == "table" and (not TABLE.fullmatch("".join(k + "," for k in kids))
                               or _has_text(el)):
            found.append(f"table parts out of order: {where}")
        if tag == "dl" and not DEFINITIONS.fullmatch("".join(k + "," for k in kids)):
            found.append(f"terms and definitions out of order: {where}")
        if tag == "figure":
            captions = [i for i, k in enumerate(kids) if k == "figcaption"]
            if len(captions) > 1 or captions and (
                    captions[0] not in (0, len(kids) - 1)
                    or captions[0] == 0 and (el.text or "").strip()
                    or captions[0] == len(kids) - 1 and (el[-1].tail or "").strip()):
                found.append(f"figcaption not first or last: {where}")
        if tag == "time" and el.get("datetime") is None and kids:
            found.append(f"<time> without datetime holds elements: {where}")
        if tag == "bdo" and el.get("dir") not in ("ltr", "rtl"):
            found.append(f"<bdo> without dir: {where}")
        if tag == "li" and el.get("value") is not None and parent.tag != "ol":
            found.append(f"value on an item of a <{parent.tag}>: {where}")
    return found


def _has_text(el) -> bool:
    return bool((el.text or "").strip()) or any((child.tail or "").strip() for child in el)


def assert_valid(body: str) -> etree._Element:
    """The body is a well-formed XML fragment that keeps the content models; its tree."""
    root = etree.fromstring(f"<div>{body}</div>")
    broken = violations(root)
    assert not broken, "\n".join(broken[:10]) + f"\n--- body: {body[:2000]}"
    return root
