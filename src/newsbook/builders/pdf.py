"""PDF builder (WeasyPrint), whose fetcher serves only the issue's own resources."""

from __future__ import annotations

import io
import logging

from newsbook.errors import BuildError
from newsbook.model import Issue
from newsbook.render import Theme

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
    """The PDF file for an issue."""
    import weasyprint

    if issue.pdf_variant is not None and issue.pdf_variant not in PDF_VARIANTS:
        raise BuildError(f"unknown PDF variant '{issue.pdf_variant}' "
                         f"(known: {', '.join(PDF_VARIANTS)})")
    html = theme.render("issue.html", issue)
    refused: list[str] = []
    fetcher = make_fetcher(resources(issue, theme), refused)
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
        document.write_pdf(out, pdf_identifier=issue.identifier.encode("utf-8"),
                           pdf_variant=issue.pdf_variant)
    except Exception as exc:  # WeasyPrint raises many kinds; none may escape as a traceback
        raise BuildError(f"PDF rendering failed: {exc.__class__.__name__}: {exc}") from exc
    finally:
        logger.setLevel(previous)
    return out.getvalue()
