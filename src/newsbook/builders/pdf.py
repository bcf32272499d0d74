"""PDF builder (WeasyPrint), whose fetcher serves only the issue's own resources."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from newsbook.model import Issue
from newsbook.model.errors import BuildError
from newsbook.render.environment import Theme

if TYPE_CHECKING:
    from newsbook.speed.pdfparts import PdfStats

# The variants an Issue may ask for: tagged PDF/UA-1, or archival PDF/A-3u.
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3u")
# Resources are addressed under a reserved, never-resolving host; the fetcher answers
# from memory and refuses everything else, so rendering reads no file and makes no request.
BASE_URL = "https://issue.newsbook.invalid/"


def resources(issue: Issue, theme: Theme) -> dict[str, tuple[bytes, str]]:
    """Everything the PDF may load, by URL: the stylesheet and the issue's images."""
    served = {BASE_URL + "print.css": (theme.resource("print.css"), "text/css")}
    served.update({BASE_URL + name: (data, kind) for name, data, kind in theme.static_files()})
    for image in issue.images:
        served[BASE_URL + image.key] = (image.data, image.media_type)
    return served


def make_fetcher(served: dict[str, tuple[bytes, str]], refused: list[str]):
    """A WeasyPrint URL fetcher limited to `served`; refused URLs are recorded."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class IssueFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url in served:
                data, media_type = served[url]
                return URLFetcherResponse(url, body=data, headers={"Content-Type": media_type})
            refused.append(url)
            raise ValueError(f"newsbook serves only the issue's own resources: {url}")

    # Should anything reach WeasyPrint's own opener, it may open no scheme and follow no redirect.
    return IssueFetcher(allowed_protocols=(), allow_redirects=False)


def build(issue: Issue, theme: Theme) -> bytes:
    """The PDF file for an issue, laid out in one pass."""
    return build_with_stats(issue, theme)[0]


# Below this many articles one pass beats starting processes and merging parts.
MIN_PARALLEL_ARTICLES = 12


def start_workers(jobs: int, variant: str | None = None, outputs: list[Path] = ()) -> None:
    """Before a build reads its sources: start what the parallel path's workers fork from.

    WeasyPrint's import then runs in another process while the sources are read. Not when
    every PDF output exists already: that rebuild may well find it up to date, and the
    workers' server then starts only if a PDF is laid out.
    """
    pdfs = [path for path in outputs if path.suffix.lower() == ".pdf"]
    if jobs > 1 and variant is None and not (pdfs and all(path.exists() for path in pdfs)):
        from newsbook.speed.pdfparts import pool

        pool.start()


def build_with_stats(issue: Issue, theme: Theme, jobs: int = 1,
                     cache: Path | None = None) -> tuple[bytes, PdfStats]:
    """The PDF file for an issue and how it was made.

    With jobs > 1 (or a cache holding most of the issue) the issue is laid out in parts in
    parallel and merged (builders/pdfparts); parts are cached in `cache`. The single pass is
    used for small issues, for the PDF/UA and PDF/A variants (their tagged structure and
    metadata are not merged), and for stylesheets a split layout cannot reproduce.
    """
    from newsbook.speed.pdfparts import PdfStats, Unsplittable, render_parallel

    if issue.pdf_variant is not None and issue.pdf_variant not in PDF_VARIANTS:
        raise BuildError(f"unknown PDF variant '{issue.pdf_variant}' "
                         f"(known: {', '.join(PDF_VARIANTS)})")
    html = theme.render("issue.html", issue)
    served = resources(issue, theme)
    identifier = issue.identifier.encode("utf-8")
    reason = ""
    if issue.pdf_variant is not None:
        reason = f"{issue.pdf_variant} is written in one pass"
    elif len(issue.articles) < MIN_PARALLEL_ARTICLES:
        reason = f"fewer than {MIN_PARALLEL_ARTICLES} articles"
    else:
        try:
            result = render_parallel(html, served, identifier, jobs, cache,
                                     only_if_cached=jobs <= 1)
        except Unsplittable as exc:
            reason = f"single pass: {exc}"
        except BuildError:
            raise
        except Exception as exc:  # WeasyPrint and pikepdf raise many kinds; none may escape
            raise BuildError(f"PDF rendering failed: {exc.__class__.__name__}: {exc}") from exc
        else:
            if result is not None:
                return result
            reason = "one job and little cached"
    return _single_pass(html, served, identifier, issue.pdf_variant), PdfStats(reason=reason)


def _single_pass(html: str, served: dict, identifier: bytes, variant: str | None) -> bytes:
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
        # A variant brings its own defaults (tags for UA, sRGB output intent for A); the
        # identifier keeps /ID stable, so equal input gives equal bytes.
        document.write_pdf(out, pdf_identifier=identifier, pdf_variant=variant)
    except Exception as exc:  # WeasyPrint raises many kinds; none may escape as a traceback
        raise BuildError(f"PDF rendering failed: {exc.__class__.__name__}: {exc}") from exc
    finally:
        logger.setLevel(previous)
    return out.getvalue()
