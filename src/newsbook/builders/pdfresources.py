"""What a PDF may load: the issue's own resources under a reserved host, and a WeasyPrint
fetcher that serves those and refuses everything else (the single pass and the PDF's parts use
both)."""

from __future__ import annotations

from newsbook.model import Issue
from newsbook.model.images import fit_image
from newsbook.render.environment import Theme

# Resources are addressed under a reserved, never-resolving host; the fetcher answers
# from memory and refuses everything else, so rendering reads no file and makes no request.
BASE_URL = "https://issue.newsbook.invalid/"


def resources(issue: Issue, theme: Theme) -> dict[str, tuple[bytes, str]]:
    """Everything the PDF may load, by URL: the stylesheet and the issue's images (no larger
    than the screen for an e-ink profile)."""
    served = {BASE_URL + "print.css": (theme.resource("print.css"), "text/css")}
    served.update({BASE_URL + name: (data, kind) for name, data, kind in theme.static_files()})
    pixels = theme.settings.pixels  # an e-ink profile's screen
    for image in issue.images:
        data = fit_image(image.data, *pixels) if pixels else image.data
        served[BASE_URL + image.key] = (data, image.media_type)
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
