"""Promotional link paragraphs inside an extracted body: "READ MORE: <headline>" and the like.

News CMSs put links to other articles, apps and newsletters between the paragraphs of a story,
each as a paragraph of its own that is nothing but the link ("SEAN SPICER ELIMINATED FROM ...",
"GET THE APP BY CLICKING HERE", "Related: <headline>"). Prose links words inside sentences; a
paragraph that is only a link, perhaps after a short label, is a pointer elsewhere, which a
reader of the book meets as a stray headline. A bare URL or address is kept: the text says
where to go, and is often what the article means to give ("Download: https://...").

The end of a story collects the same pushes as sentences ("Follow us on Instagram", "Subscribe to
our newsletter", "Have a tip? Reach the reporter at ..."): short blocks among the last few that
call the reader to act are dropped too (English wording: other languages keep theirs), and so
are the widgets after the last paragraph: headings with nothing under them, lists of other stories.
"""

from __future__ import annotations

import re

from newsbook.sources.page.captions import remove_keeping_tail

# At most this share of a body's text goes as promos.
MAX_SHARE = 0.5
# The share of a paragraph's letters that a promo's link(s) carry.
LINKED_SHARE = 0.9
# "Related:", "Read more -", "(See also:" before the link: a short label ending the unlinked text.
_LABEL = re.compile(r"[\W_]*\w[\w ]{0,24}?\s*[:\-–—|»>]+[\W_]*", re.UNICODE)
_ADDRESS = re.compile(r"\S*[/@.]\S*")
# "Click to tweet" boxes link a quote of the article itself to a share form: content, not a promo.
_SHARE = re.compile(r"/(?:share|sharer|intent)\b|[?&](?:text|status)=", re.IGNORECASE)


# A call to action: the reader is told to subscribe, follow, listen, download, sign up, write in.
# The verbs count only as commands, opening a sentence: at the end of a story "residents can
# sign up at the town hall" or "the council did not listen to them" is prose.
_NETWORKS = r"(?:facebook|twitter|x|instagram|youtube|linkedin|tiktok|threads|bluesky|mastodon)"
_CALL = re.compile(
    r"(?:^|(?<=[.!?:;])\s)\W*(?:subscribe|sign up|download (?:our|the)|get the latest|"
    r"listen (?:to|live|now|here|back)|watch (?:live|now|here)|"
    rf"follow\s+(?:us|me|@\w+|(?:[\w.'’-]+\s+){{1,7}}on\s+{_NETWORKS}))\b"
    r"|\b(?:click here|reach (?:the )?(?:reporters?|authors?|writers?)|"
    r"contact (?:the )?(?:reporters?|authors?)|have a (?:news )?tip|may be reached at)\b"
    # an agency's credit line: "(Reporting by A; editing by B)", "SOURCE: Agency"
    r"|^\W*(?:(?:additional |further )?reporting|writing|editing|compiled|produced) by\b"
    r"|^\W*sources?\s*:"
    # the site's copyright notice
    r"|\bcopyright\b|[©ⓒ]|\ball rights reserved\b",
    re.IGNORECASE)
# A pointer to other stories whose link the extractor lost: "Related: <headline>", "More:".
_POINTER = re.compile(r"\W*(?:related(?: articles?| stories| coverage| content| reading)?|"
                      r"read (?:more|also|next)|see also|also read|more|recommended|"
                      r"watch|listen)\s*[:|»>]", re.IGNORECASE)
_POINTER_LENGTH = 150
# Only near the end, where the pushes gather: inside a story such words are prose.
TAIL_BLOCKS = 4
_SHORT = 300
_TAIL_TAGS = ("p", "head", "item", "quote")


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _goes_elsewhere(ref) -> bool:
    """A link to another page: anchors without a target, in-page links (#note) and script
    handlers (a page's pop-up annotations) are not."""
    target = (ref.get("target") or "").strip().lower()
    return bool(target) and not target.startswith(("#", "javascript:"))


def is_promo(paragraph) -> bool:
    """Whether a <p> of trafilatura's XML is only a link to elsewhere (perhaps after a label),
    or a short "Related: <headline>" pointer whose link the extractor dropped."""
    if paragraph.find(".//graphic") is not None:
        return False
    text = " ".join("".join(paragraph.itertext()).split())
    if len(text) <= _POINTER_LENGTH and _POINTER.match(text):
        return True
    refs = [ref for ref in paragraph.iter("ref") if _goes_elsewhere(ref)]
    if not refs:
        return False
    if not text or _ADDRESS.fullmatch(text):
        return False
    if any(_SHARE.search(ref.get("target")) for ref in refs):
        return False
    links = [" ".join("".join(ref.itertext()).split()) for ref in refs]
    if all(_ADDRESS.fullmatch(link) or link.startswith("@") for link in links if link):
        return False  # "Account: @name", "Download: https://...": the text is the address
    linked = "".join(links)
    total, in_links = _letters(text), _letters(linked)
    if not total or not in_links:
        return False
    if in_links >= LINKED_SHARE * total:
        return True
    unlinked = _unlinked_text(paragraph)
    return bool(_LABEL.fullmatch(unlinked)) and in_links >= 2 * _letters(unlinked)


def _unlinked_text(paragraph) -> str:
    """The paragraph's text outside its links, in order."""
    parts = [paragraph.text or ""]

    def walk(element) -> None:
        for child in element:
            if child.tag != "ref" or not _goes_elsewhere(child):
                parts.append(child.text or "")
                walk(child)
            parts.append(child.tail or "")
    walk(paragraph)
    return " ".join("".join(parts).split())


def drop_promos(main) -> list[str]:
    """Remove promo link paragraphs from trafilatura's <main>, in place; their texts."""
    doomed = [p for p in main.iter("p") if is_promo(p)]
    dropped = [" ".join("".join(p.itertext()).split()) for p in doomed]
    # A page that is mostly links (a link roundup, an index) is what the reader came for.
    if sum(len(t) for t in dropped) > MAX_SHARE * len(" ".join("".join(main.itertext()).split())):
        return []
    for paragraph in doomed:
        if paragraph.getparent() is not None:
            remove_keeping_tail(paragraph, empty_parents=("list",))
    return dropped


def drop_trailing_calls(main) -> list[str]:
    """Remove the short calls to action among the last blocks of trafilatura's <main>; their texts."""
    blocks = [b for b in main.iter(*_TAIL_TAGS)
              if not any(True for _ in b.iterdescendants(*_TAIL_TAGS))]
    dropped = []
    for block in blocks[-TAIL_BLOCKS:]:
        text = " ".join("".join(block.itertext()).split())
        if text and len(text) < _SHORT and block.find(".//graphic") is None and _CALL.search(text):
            dropped.append(text)
            remove_keeping_tail(block, empty_parents=("list",))
    return dropped


def _is_teaser_list(element) -> bool:
    """A list of other stories: each item a link to elsewhere with a heading (headline + dek)."""
    items = [i for i in element if i.tag == "item"]
    return bool(items) and all(
        i.find(".//head") is not None
        and any(_goes_elsewhere(r) for r in i.iter("ref")) for i in items)


def drop_trailing_widgets(main) -> int:
    """Remove, after the story's last paragraph, lists of other stories and headings with
    nothing under them (newsletter boxes, "more stories" rails); how many elements.

    In a story a heading has text or a picture under it before the next heading of its rank; a
    run of bare headings at the end is a widget's labels ("Newsletter", "Thanks for signing up!").
    """
    while len(main) == 1 and main[0].tag == "div" and not (main.text or "").strip():
        main = main[0]
    run = []
    for element in reversed(main):
        if element.tag in ("head", "list") or _only_images(element):
            run.append(element)
        else:
            break
    run.reverse()
    gone = [e.tag == "list" and _is_teaser_list(e) for e in run]
    for index in reversed(range(len(run))):
        if run[index].tag != "head":
            continue
        rank = _rank(run[index])
        under = False
        for later in range(index + 1, len(run)):
            if run[later].tag == "head" and _rank(run[later]) <= rank:
                break
            if not gone[later] and run[later].tag != "head":
                under = True
                break
        gone[index] = not under
    for element, drop in zip(run, gone):
        if drop:
            remove_keeping_tail(element, empty_parents=("list",))
    return sum(gone)


def _rank(head) -> int:
    rend = head.get("rend") or "h2"
    return int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1].isdigit() else 2


def _only_images(element) -> bool:
    if element.tag == "graphic":
        return not (element.tail or "").strip()
    return (element.find(".//graphic") is not None and not "".join(element.itertext()).strip()
            and not (element.tail or "").strip())
