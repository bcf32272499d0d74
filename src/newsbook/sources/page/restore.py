"""What trafilatura drops and the cleaner needs, put back from the page: the ids that pair
footnotes with their references, and the language of code blocks."""

from __future__ import annotations


def restore(page, main) -> None:
    """Put footnote ids and code languages from `page` (the parsed page) back into `main`
    (trafilatura's XML: <ref target>, <item>, <code>)."""
    _footnote_ids(page, main)
    _code_languages(page, main)


def _footnote_ids(page, main) -> None:
    """A link back in a list item names the reference's id; the reference's own link names the
    note's id. Both pairs must be in the page, as model/footnotes.py will check again."""
    links = [ref for ref in main.iter("ref") if (ref.get("target") or "").startswith("#")]
    if not links:
        return
    by_id = {el.get("id"): el for el in page.iter() if isinstance(el.tag, str) and el.get("id")}
    used = {el.get("id") for el in main.iter() if el.get("id")}
    for back in links:
        reference_id = back.get("target")[1:]
        item = next((a for a in back.iterancestors() if a.tag == "item"), None)
        reference = by_id.get(reference_id)
        if item is None or reference is None or reference_id in used:
            continue
        note_id = _note_of(reference, by_id, reference_id)
        if note_id is None or item.get("id") not in (None, note_id) \
                or (item.get("id") is None and note_id in used):
            continue
        ref = next((r for r in links if r.get("target") == f"#{note_id}" and not r.get("id")
                    and item not in r.iterancestors()), None)
        if ref is not None:
            item.set("id", note_id)
            ref.set("id", reference_id)
            used.update((note_id, reference_id))


def _note_of(reference, by_id: dict, reference_id: str) -> str | None:
    """The id of the note a page's reference links to, if that note links back to it."""
    anchors = [reference] if reference.tag == "a" else list(reference.iter("a"))
    for anchor in anchors:
        href = anchor.get("href") or ""
        note = by_id.get(href[1:]) if href.startswith("#") else None
        if note is not None and any(a.get("href") == f"#{reference_id}" for a in note.iter("a")):
            return href[1:]
    return None


def _code_languages(page, main) -> None:
    """A code block's classes, found by the block's text in the page: the cleaner reads its
    language from them (model/codeblocks.py, the one place that knows the class forms)."""
    blocks = list(main.iter("code"))
    if not blocks:
        return
    classes: dict[str, str] = {}
    for pre in page.iter("pre"):
        names = " ".join([pre.get("class") or ""] + [c.get("class") or "" for c in pre.iter("code")])
        if names.strip():
            classes.setdefault(_key("".join(pre.itertext())), " ".join(names.split()))
    for block in blocks:
        found = classes.get(_key("".join(block.itertext())))
        if found:
            block.set("class", found)


def _key(text: str) -> str:
    return " ".join(text.split())
