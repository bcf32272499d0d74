"""Join the laid-out parts into one PDF (pikepdf): pages, margin layer, outline, anchors, links."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass


@dataclass
class Piece:
    """A rendered part: its PDF, how many of its pages are content, and their description."""

    pdf: bytes
    info: dict


def merge(front: Piece, body: list[Piece], layers: list[Piece], identifier: bytes,
          outline: list) -> bytes:
    """One PDF: the front's pages then every part's, each under its margin layer page.

    The front's document gives the metadata (title, authors, keywords, dates, language);
    named destinations and links between parts are rebuilt over all pages, the way
    WeasyPrint builds them for one document; `outline` is the bookmark tree of all pages
    (work.outline).
    """
    import pikepdf

    out = pikepdf.open(io.BytesIO(front.pdf))
    content = len(front.info["pages"])
    for _ in range(len(out.pages) - content):  # the stub pages that only numbered the contents
        del out.pages[content]
    for name in ("/Outlines", "/Names"):
        if name in out.Root:
            del out.Root[name]
    sources = [pikepdf.open(io.BytesIO(piece.pdf)) for piece in body]
    with warnings.catch_warnings():
        # pikepdf warns that named destinations are not carried over: they are rebuilt below.
        warnings.simplefilter("ignore", getattr(pikepdf, "PageCopyWarning", UserWarning))
        for source, piece in zip(sources, body):
            out.pages.extend(source.pages[:len(piece.info["pages"])])
    described = [page for piece in [front, *body] for page in piece.info["pages"]]
    if len(out.pages) != len(described):
        raise AssertionError(f"merged {len(out.pages)} pages, described {len(described)}")

    # The margin layer: each of its pages drawn over the matching page, as a form XObject.
    layer_sources = [pikepdf.open(io.BytesIO(piece.pdf)) for piece in layers]
    layer_pages = [page for source in layer_sources for page in source.pages]
    if len(layer_pages) != len(out.pages):
        raise AssertionError(f"{len(layer_pages)} margin pages for {len(out.pages)} pages")
    for number, (page, layer) in enumerate(zip(out.pages, layer_pages), 1):
        # Like Page.add_overlay, with a name of our own: its random names would make every
        # build's bytes differ. Pages of a part share one resource dictionary: names differ.
        form = out.copy_foreign(layer.as_form_xobject())
        name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(f"/NbMargins{number}"))
        page.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(out, b"\nQ\nq " + bytes(name.unparse()) + b" Do Q\n"))

    # Anchors: the first of each name wins, over the whole document (WeasyPrint's rule).
    offsets, start = [], 0
    for piece in [front, *body]:
        offsets.append(start)
        start += len(piece.info["pages"])
    names: dict[str, tuple[int, float, float]] = {}
    for piece, offset in zip([front, *body], offsets):
        for name, (index, x, y) in piece.info["anchors"].items():
            names.setdefault(name, (offset + index, x, y))
    if names:
        array = pikepdf.Array()
        for name in sorted(names):
            index, x, y = names[name]
            array.append(pikepdf.String(name))
            array.append(pikepdf.Array([out.pages[index].obj, pikepdf.Name.XYZ, x, y, 0]))
        out.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=array))

    # Links from one part to an anchor in another, as WeasyPrint writes links within one.
    for page, info in zip(out.pages, described):
        for target, rect in info["links"]:
            if target not in names:
                continue  # WeasyPrint drops links to missing anchors too
            annot = out.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array(rect),
                BS=pikepdf.Dictionary(W=0), Dest=pikepdf.String(target)))
            if "/Annots" not in page.obj:
                page.obj.Annots = pikepdf.Array()
            page.obj.Annots.append(annot)

    if outline:
        _write_outline(out, outline)

    # /ID: the identifier (as the single pass writes it), then one derived from the
    # content, so that equal input gives equal bytes.
    buffer = io.BytesIO()
    out.trailer.ID = pikepdf.Array([pikepdf.String(identifier), pikepdf.String(identifier)])
    out.save(buffer, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             deterministic_id=True, fix_metadata_version=False)
    for source in [*sources, *layer_sources, out]:
        source.close()
    return buffer.getvalue()


def _write_outline(pdf, tree) -> None:
    """/Outlines from WeasyPrint's bookmark tree: (label, (page, x, y), children, state)."""
    import pikepdf

    def add(items, parent) -> int:
        made, count = [], len(items)
        for label, (page, x, y), children, state in items:
            item = pdf.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(label),
                Dest=pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0]),
                Parent=parent))
            below = add(children, item) if children else 0
            item.Count = -below if state == "closed" else below
            if state != "closed":
                count += below
            if made:
                item.Prev = made[-1]
                made[-1].Next = item
            made.append(item)
        if made:
            parent.First = made[0]
            parent.Last = made[-1]
        return count

    outlines = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    outlines.Count = add(tree, outlines)
    pdf.Root.Outlines = outlines
