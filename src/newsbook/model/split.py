"""An issue cut into parts of about equal weight, for mail services that take one book a mail
up to a size (Send to Kindle: 50 MB): each part a whole book with an identifier of its own."""

from __future__ import annotations

import uuid
from dataclasses import replace

from newsbook.model import Article, Issue, Section

# Parts get identifiers of their own (a reader's library keeps them apart), derived from the
# issue's so that the same issue always splits into the same books.
_NAMESPACE = uuid.UUID("0b6f5c8e-3a41-5d2c-8f17-5e9a2c4d7b30")


def weight(article: Article) -> int:
    """What an article adds to a book, in bytes before compression: its text and its images."""
    return len(article.body.encode("utf-8")) + sum(len(image.data) for image in article.images)


def split_issue(issue: Issue, parts: int) -> list[Issue]:
    """The issue as `parts` books (fewer when it has fewer articles), articles in reading order
    and sections kept, each part as heavy as the others as far as whole articles allow."""
    articles = issue.articles
    parts = max(1, min(parts, len(articles)))
    if parts == 1:
        return [issue]
    groups = _groups(articles, parts)
    return [_part(issue, set(map(id, group)), index, len(groups))
            for index, group in enumerate(groups, 1)]


def _groups(articles: list[Article], parts: int) -> list[list[Article]]:
    """Consecutive runs of articles, a new one started once a run reaches its share."""
    weights = [weight(article) for article in articles]
    remaining = sum(weights)
    groups: list[list[Article]] = [[]]
    load = 0
    for position, (article, size) in enumerate(zip(articles, weights)):
        left = len(articles) - position  # articles not yet placed, this one included
        share = remaining / (parts - len(groups) + 1)
        # Start the next part when this one has its share, or when each part still to come
        # needs one of the articles left.
        if groups[-1] and len(groups) < parts and (load + size / 2 > share
                                                   or left <= parts - len(groups)):
            remaining -= load
            groups.append([])
            load = 0
        groups[-1].append(article)
        load += size
    return groups


def _part(issue: Issue, chosen: set[int], index: int, count: int) -> Issue:
    sections = [replace(section, articles=[a for a in section.articles if id(a) in chosen])
                for section in issue.sections]
    kept: list[Section] = [section for section in sections if section.articles]
    identifier = uuid.uuid5(_NAMESPACE, f"{issue.identifier}\0{index}\0{count}")
    # The title stays the issue's (the builder of the parts names them); so does the series,
    # so that the parts sit together in a library.
    return replace(issue, sections=kept, identifier=f"urn:uuid:{identifier}")
