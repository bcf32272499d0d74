"""What a worker process does: lay out one part with WeasyPrint and describe its pages."""

from __future__ import annotations

import io
import logging
from urllib.parse import urljoin

# The resources, set once per worker process by the pool's initializer; a render in
# the calling process passes them directly.
_SERVED: dict[str, tuple[bytes, str]] = {}


class Styles:
    """Parsed stylesheets, and the fonts and counter styles they registered, kept for reuse.

    One per worker process: parsing the theme's stylesheet and loading its fonts cost about
    as much as laying out a page, for each of a worker's documents.
    """

    def __init__(self):
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        self.fonts = FontConfiguration()
        self.counters = CounterStyle()
        self.sheets: dict = {}

    def get(self, sheet: tuple[str, str], fetcher, served: dict) -> list:
        """The parsed stylesheet as a one-item list, or none (as WeasyPrint skips it)."""
        import weasyprint
        from weasyprint.urls import URLFetchingError

        from newsbook.builders.pdfresources import BASE_URL

        if sheet not in self.sheets:
            kind, value = sheet
            options = {"url_fetcher": fetcher, "font_config": self.fonts,
                       "counter_style": self.counters}
            if kind == "text":
                parsed = [weasyprint.CSS(string=value, base_url=BASE_URL, **options)]
            else:
                url = urljoin(BASE_URL, value)
                try:
                    # Only CSS is a stylesheet (WeasyPrint checks the type of a linked one).
                    parsed = ([weasyprint.CSS(url=url, **options)]
                              if served.get(url, (b"", ""))[1] == "text/css" else [])
                except URLFetchingError:
                    parsed = []
            self.sheets[sheet] = parsed
        return self.sheets[sheet]


_STYLES: list[Styles] = []  # the worker's, made by the initializer
SCALE = 0.75  # PDF points per CSS pixel, as WeasyPrint writes pages at zoom 1


def init_worker(served: dict[str, tuple[bytes, str]], scratch: str) -> None:
    """Pool initializer: the resources every render may load, the folder for temporary
    files; die with the build."""
    import os
    import tempfile

    from newsbook.speed import workers

    workers.detach(os.getppid())  # its parent is the fork server (pool.py)
    _exit_with_build()
    _SERVED.clear()
    _SERVED.update(served)
    # WeasyPrint copies the fonts of a font configuration into a temporary folder that only
    # its finalizer removes, which a worker's exit does not run: the build's own temporary
    # folder holds them, and the build removes it.
    tempfile.tempdir = scratch
    _STYLES[:] = [Styles()]


def _exit_with_build() -> None:
    """End this worker as soon as the build process that asked for it ends, even by SIGKILL.

    A worker's parent is the fork server, which lives as long as any worker holds its
    "alive" pipe: without this, a killed build would leave both waiting for each other.
    """
    import multiprocessing
    import os
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is None:
        return

    def watch() -> None:
        wait([sentinel])  # readable once the build process has ended
        os._exit(1)

    threading.Thread(target=watch, name="newsbook-build-watch", daemon=True).start()


def render(html: str, skip: int = 0, tail: int = 0,
           served: dict[str, tuple[bytes, str]] | None = None,
           draw: bool = True, sheets: tuple[tuple[str, str], ...] = ()) -> tuple[bytes, dict]:
    """Lay out a document; the PDF of its pages from `skip` on, and what the merge needs.

    The last `tail` pages are not content: they are written (so that links to anchors on
    them survive) but not described, and the merge drops them. Without `draw` only the
    description is made (the PDF is empty). `sheets` are stylesheets taken out of the
    document (split.Sheet), parsed once per worker.
    """
    import weasyprint

    from newsbook.builders.pdfresources import BASE_URL, make_fetcher

    refused: list[str] = []
    resources = served if served is not None else _SERVED
    fetcher = make_fetcher(resources, refused)
    styles = _STYLES[0] if served is None and _STYLES else None
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        options = {}
        if sheets:
            styles = styles or Styles()
            options = {"stylesheets": [css for sheet in sheets
                                       for css in styles.get(sheet, fetcher, resources)],
                       "font_config": styles.fonts, "counter_style": styles.counters}
        document = weasyprint.HTML(string=html, base_url=BASE_URL,
                                   url_fetcher=fetcher).render(**options)
        pages = document.pages[skip:]
        info = describe(pages, len(pages) - tail)
        info["breaks_before"] = bool(pages) and _breaks_before(pages[0])
        out = io.BytesIO()
        if draw:
            (document.copy(pages) if skip else document).write_pdf(out)
    finally:
        logger.setLevel(previous)
    return out.getvalue(), info


def describe(pages, keep: int) -> dict:
    """Per page: size, page name, named strings set, anchors, bookmarks, unresolved links."""
    anchors: dict[str, tuple[int, float, float]] = {}
    described = []
    for index, page in enumerate(pages):
        box = page._page_box  # WeasyPrint 70: the laid-out page; its type holds the page name
        strings = []
        for child in box.descendants():
            # As WeasyPrint collects them for the margin boxes: in tree order, page by page.
            if child.string_set and child.string_set != "none":
                strings.extend((name, text) for name, text in child.string_set)
        height = page.height
        for name, (x, y, _w, _h) in page.anchors.items():
            anchors.setdefault(name, (index, x * SCALE, (height - y) * SCALE))
        described.append({
            "height": height,
            "name": box.page_type.name or "",
            "strings": strings,
            "bookmarks": [(level, label, (x, y), state)
                          for level, label, (x, y), state in page.bookmarks],
            "links": [(target, [rect[0] * SCALE, (height - rect[1]) * SCALE,
                                rect[2] * SCALE, (height - rect[3]) * SCALE])
                      for kind, target, rect, _box in page.links if kind == "internal"],
        })
    local = set(anchors)
    for page in described:
        # Links to anchors of this document WeasyPrint wrote itself; the others the merge adds.
        page["links"] = [(t, r) for t, r in page["links"] if t not in local]
    return {"pages": described[:keep], "anchors": {name: list(a) for name, a in anchors.items()
                                                   if a[0] < keep},
            "extra_pages": len(described) - keep}


_FORCED = ("page", "left", "right", "recto", "verso")


def _breaks_before(page) -> bool:
    """Whether the element marked as the part's start, on this page, forces a page break."""
    from newsbook.speed.pdfparts.split import START_MARK

    box, started = page._page_box.children[0], False  # the root box, then first children
    while box is not None:
        element = getattr(box, "element", None)
        started = started or (element is not None and element.get(START_MARK) is not None)
        if started and box.style["break_before"] in _FORCED:
            return True
        box = next((c for c in getattr(box, "children", ()) if c.is_in_normal_flow()), None)
    return False


def outline(pages: list[dict]) -> list:
    """The bookmark tree of described pages in order, by WeasyPrint's own algorithm.

    Runs in a worker, so that the build process never imports WeasyPrint: nodes are
    (label, (page index, x, y), children, state), with x and y in PDF points.
    """
    from types import SimpleNamespace

    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    root: list = []
    skipped: list = []
    last_by_depth = [root]
    previous = 0
    for number, info in enumerate(pages):
        page = SimpleNamespace(bookmarks=[(level, label, tuple(xy), state)
                                          for level, label, xy, state in info["bookmarks"]],
                               height=info["height"])
        matrix = Matrix(a=SCALE, d=-SCALE, f=info["height"] * SCALE)
        previous = make_page_bookmark_tree(page, skipped, last_by_depth, previous, number, matrix)
    return root
