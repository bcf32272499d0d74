"""PDF builder (WeasyPrint), whose fetcher serves only the issue's own resources."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsbook.builders.pdfresources import BASE_URL, make_fetcher, resources
from newsbook.model import Issue
from newsbook.model.errors import BuildError
from newsbook.render.environment import Theme

if TYPE_CHECKING:
    from collections.abc import Callable

    # The parallel path's strategy (speed/pdfparts.InParts): the PDF and how it was made, or
    # why the single pass must do.
    ParallelRenderer = Callable[[str, dict, bytes], "tuple[bytes, PdfStats] | str"]

# The variants an Issue may ask for: tagged PDF/UA-1, or archival PDF/A-3u.
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3u")
# Below this many articles one pass beats starting processes and merging parts.
MIN_PARALLEL_ARTICLES = 12


@dataclass
class PdfStats:
    """How a PDF was made: which path, and what the part cache gave."""

    parallel: bool = False
    reason: str = ""  # why the single pass was used, when it was
    hit: int = 0  # parts (front matter, runs of articles) taken from the cache
    rendered: int = 0  # parts laid out by this build
    layers_hit: int = 0  # margin layers taken from the cache
    layers_rendered: int = 0
    rendered_parts: list[str] = field(default_factory=list)  # "front", or a part's first article


def build(issue: Issue, theme: Theme) -> bytes:
    """The PDF file for an issue, laid out in one pass."""
    return build_with_stats(issue, theme)[0]


def build_with_stats(issue: Issue, theme: Theme,
                     parallel: ParallelRenderer | None = None) -> tuple[bytes, PdfStats]:
    """The PDF file for an issue and how it was made.

    With a `parallel` renderer (the build passes speed.pdfparts.InParts) the issue may be laid
    out in parts in parallel and merged; it answers with a reason instead when the single
    pass must do. The single pass is used for small issues, for tagged PDFs (the default) and
    the PDF/UA and PDF/A variants (their structure and metadata are not merged), for articles
    that follow one another on the page (the default article_break), and for stylesheets a
    split layout cannot reproduce.
    """
    if issue.pdf_variant is not None and issue.pdf_variant not in PDF_VARIANTS:
        raise BuildError(f"unknown PDF variant '{issue.pdf_variant}' "
                         f"(known: {', '.join(PDF_VARIANTS)})")
    html = theme.render("issue.html", issue)
    served = resources(issue, theme)
    identifier = issue.identifier.encode("utf-8")
    reason = (one_pass_reason(issue.pdf_variant, issue.pdf_tags, theme.settings.article_break)
              or (len(issue.articles) < MIN_PARALLEL_ARTICLES
                  and f"fewer than {MIN_PARALLEL_ARTICLES} articles")
              or (parallel is None and "no parallel renderer") or "")
    if not reason:
        try:
            result = parallel(html, served, identifier)
        except BuildError:
            raise
        except Exception as exc:  # WeasyPrint and pikepdf raise many kinds; none may escape
            raise BuildError(f"PDF rendering failed: {exc.__class__.__name__}: {exc}") from exc
        if not isinstance(result, str):
            return result
        reason = result
    data = _single_pass(html, served, identifier, issue.pdf_variant, issue.pdf_tags)
    return data, PdfStats(reason=reason)


def one_pass_reason(variant: str | None, tags: bool, article_break: str) -> str:
    """Why these PDF settings are laid out in one pass whatever the issue's length, or ""."""
    if variant is not None:
        return f"{variant} is written in one pass"
    if tags:
        # The parts' structure trees are not merged (speed/pdfparts/merge.py): one document
        # tags it all.
        return "a tagged PDF is written in one pass"
    if article_break != "page":
        # Parts start on a new page; articles that run on from the page before do not.
        return "articles follow one another on the page"
    return ""


def _single_pass(html: str, served: dict, identifier: bytes, variant: str | None,
                 tags: bool = True) -> bytes:
    """The whole issue in one WeasyPrint document."""
    import weasyprint

    refused: list[str] = []
    fetcher = make_fetcher(served, refused)
    # WeasyPrint logs every CSS property it does not support and every refused URL as
    # warnings on its own logger; they are not the user's concern.
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        out = io.BytesIO()
        # A variant brings its own defaults (tags for UA, sRGB output intent for A); tags
        # come with the structure tree, /Lang from <html lang>, /MarkInfo and DisplayDocTitle.
        # The identifier keeps /ID stable, so equal input gives equal bytes.
        document.write_pdf(out, pdf_identifier=identifier, pdf_variant=variant,
                           pdf_tags=tags)
    except Exception as exc:  # WeasyPrint raises many kinds; none may escape as a traceback
        raise BuildError(f"PDF rendering failed: {exc.__class__.__name__}: {exc}") from exc
    finally:
        logger.setLevel(previous)
    return out.getvalue()
