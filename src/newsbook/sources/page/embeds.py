"""Posts a story quotes (tweets, Instagram posts) stay in its body.

A platform's embed code is a `<blockquote class="twitter-tweet">` holding the post's text, which
the page's script would turn into a card. Pages wrap it in boxes named "social", "embed" or
"share", and extractors drop those as share bars, losing the very posts a story is about. Here
each embedded post becomes a plain block quote in place of its wrappers, as a reader without the
script sees it.
"""

from __future__ import annotations

import re

# The embed codes the platforms hand out: their blockquote's class.
_EMBED_CLASS = re.compile(r"\b(?:twitter-tweet|twitter-video|instagram-media|tiktok-embed|"
                          r"bluesky-embed|reddit-card|mastodon-embed|text-post-media)\b")
# A wrapper is the post's own box when it adds no more than this much text (a "View on X" link).
_WRAPPER_SLACK = 40
_NEVER_LIFTED_PAST = {"body", "html", "main", "article"}


def lift(tree) -> int:
    """Replace each embedded post's wrappers by the post as a plain <blockquote>; how many."""
    posts = [bq for bq in tree.iter("blockquote") if _EMBED_CLASS.search(bq.get("class") or "")]
    for post in posts:
        size = len(post.text_content())
        outer = post
        parent = post.getparent()
        while (parent is not None and parent.tag not in _NEVER_LIFTED_PAST
               and parent.getparent() is not None
               and len(parent.text_content()) <= size + _WRAPPER_SLACK):
            outer, parent = parent, parent.getparent()
        for name in list(post.attrib):
            del post.attrib[name]  # its class marks it as a widget to extractors
        if outer is not post:
            tail = outer.tail
            outer.getparent().replace(outer, post)
            post.tail = tail
    return len(posts)
