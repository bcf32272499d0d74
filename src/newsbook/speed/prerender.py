"""The issue's article pages rendered, and its cover drawn, on worker processes side by side.

An EPUB is a page per article: with a cover to draw beside a few dozen of them, or with
hundreds, rendering on --jobs processes beats doing it in turn (worth_it weighs it), the
packaging staying in the build process. The workers are forked once the issue is assembled,
so they start with it (and with the templates the first page compiled here) rather than
having them pickled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsbook.model import Image, Issue
from newsbook.render.environment import Theme

# What a page costs to render, the cover to draw (Pillow loaded), and a pool of workers to
# start, feed and end, in ms on a 2-core machine: with a cover to draw, a pool pays from a few
# dozen articles on; without, past a few hundred.
PAGE_MS, COVER_MS, POOL_MS = 0.4, 60.0, 20.0
ARTICLE_TEMPLATE = "article.xhtml"


@dataclass
class Rendered:
    """EPUB documents by file name (articles, contents, sections), and the cover when one
    was asked for."""

    pages: dict[str, str] = field(default_factory=dict)
    cover: Image | None = None


def worth_it(issue: Issue, jobs: int, drawing: bool) -> bool:
    """Whether the issue's pages (and its cover, when `drawing`) are done sooner on `jobs`
    processes than in this one."""
    from newsbook.speed import workers

    if jobs <= 1 or not workers.available():
        return False
    pages = len(issue.articles) * PAGE_MS
    cover = COVER_MS if drawing else 0.0
    alone = pages + cover
    # The cover takes one worker; the pages share what is left (the first page is done here).
    together = max(cover, pages / (jobs - 1 if drawing else jobs)) + POOL_MS
    return together < alone


def render_pages(issue: Issue, theme: Theme, jobs: int,
                 cover: tuple[str, str] | None = None) -> Rendered:
    """Every article's page (article.xhtml), rendered on `jobs` processes, and the contents and
    section pages here meanwhile; with `cover` given as (date text, number text), the cover
    drawn by a worker too."""
    from newsbook.speed import workers

    articles = issue.articles
    result = Rendered()
    # The first page here: its templates are compiled once, before the fork, for every worker.
    result.pages[f"{articles[0].id}.xhtml"] = theme.render(ARTICLE_TEMPLATE, issue,
                                                           article=articles[0])
    ids = [a.id for a in articles[1:]]
    # A few chunks per worker even out pages of different lengths; the cover goes first, as
    # the longest single task.
    size = max(1, -(-len(ids) // (jobs * 3)))
    with workers.pool(jobs, issue=issue, theme=theme) as pool:
        drawn = pool.submit(_draw_cover, *cover) if cover is not None else None
        chunks = [pool.submit(_render_chunk, ids[i:i + size]) for i in range(0, len(ids), size)]
        # Meanwhile this process renders the few pages that are not articles.
        result.pages["contents.xhtml"] = theme.render("contents.xhtml", issue)
        for section in issue.sections:
            result.pages[f"{section.id}.xhtml"] = theme.render("section.xhtml", issue,
                                                               section=section)
        for chunk in chunks:
            result.pages.update(chunk.result())
        result.cover = drawn.result() if drawn is not None else None
    return result


def _render_chunk(ids: list[str]) -> dict[str, str]:
    """In a worker: the pages of these articles."""
    from newsbook.speed.workers import GIVEN

    issue, theme = GIVEN["issue"], GIVEN["theme"]
    wanted = set(ids)
    return {f"{a.id}.xhtml": theme.render(ARTICLE_TEMPLATE, issue, article=a)
            for a in issue.articles if a.id in wanted}


def _draw_cover(date_text: str, number_text: str) -> Image:
    """In a worker: the generated cover of the issue."""
    from newsbook.render.cover import make_cover
    from newsbook.speed.workers import GIVEN

    return make_cover(GIVEN["issue"], date_text, number_text)
