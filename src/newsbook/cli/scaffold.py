"""`newsbook init`: a new project folder that builds at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from newsbook.model.errors import NewsbookError

CONFIG = '''# newsbook project. Every key is shown; commented keys show their default.
# Reference: the README's "A project: newsbook.toml".

[issue]
title = "{title}"
# subtitle = "Links worth reading"
# publisher = "Example Press"
language = "en"                  # a BCP 47 tag: labels, dates and hyphenation follow it
# description = "One sentence about this publication."
# date = "2026-11-28"            # default: the day of the build (or SOURCE_DATE_EPOCH)
number = "auto"                  # the next number after the last built issue; or an integer
# volume = 1
# series = "{title}"             # the collection issues belong to (EPUB, calibre, PDF)
# title_format = "{{title}} — {{no}} {{number}}, {{date}}"   # the book's title in a library
# identifier = "urn:uuid:..."    # default: stable, from title, volume and number
# cover = "cover.jpg"            # default: a generated cover

[build]
formats = ["epub", "pdf"]        # and/or "html": one self-contained page
output_dir = "_build"
order = "date"                   # source | date (newest first) | date-asc | title
# page_size = "A4"               # A3 A4 A5 B4 B5 letter legal ledger
# image_size = 1600              # long side of images, in pixels
# since = "7 days"               # leave out older articles (a date or a span)
# until = "2026-12-01"
# undated = "include"            # or "exclude": articles without a date, when a window is set
# max_articles = 50
# include_tags = []
# exclude_tags = []
# sections = ["News", "Notes"]   # the order of sections

# [[sections]]                   # a section chosen by tags, with a limit
# title = "Sport"
# tags = ["sport", "football"]
# max_articles = 5

[[sources]]
path = "articles"
section = "Notes"

# [[sources]]
# feed = "https://example.org/feed.xml"   # or url, urls = [...], links = "links.txt", opml
# section = "Web"
# max_articles = 10
# full_text = "auto"             # fetch the linked page when an entry has only a summary
# since = "7 days"

# [pdf]
# variant = "pdf/ua-1"           # a tagged PDF; or "pdf/a-3u" for archives

# [theme]
# name = "modern"                # or "classic": a newspaper (masthead, two columns in the PDF)
# body_font = "Source Serif Pro" # default: the theme's; or "Source Sans Pro", "Old Standard TT",
# heading_font = "Source Sans Pro"  # "Blankenburg", or "serif" / "sans-serif" (none embedded)
# title_font = "Source Serif Pro"   # the masthead's title
# margins = "22mm 20mm 24mm"     # PDF page margins: one to four lengths (mm cm in pt pc)
# columns = 1                    # PDF text columns, 1 to 3 (classic: 2)
# accent = "#a01c24"             # colours of the cover and the PDF's headings
# ink = "#141418"
# paper = "#f7f4ec"

# [network]
# timeout = 30                   # seconds per URL, whole body and retries included
# deadline = 600                 # budget for all of a build's fetching
# retries = 3
# max_bytes = 20971520
# per_host = 2
# delay = 0                      # seconds between two requests to one host
# workers = 8
'''

ARTICLE = '''---
title: Welcome to {title}
author: The Editors
date: {today}
tags: [welcome]
summary: What this project is and how to build it.
---

This is the first article of your publication. Write articles as Markdown files in the
`articles/` folder, with the front matter above: `title`, `author` (or `authors`), `date`,
`section`, `tags`, `summary`, `lang` and `url` are all understood.

## Building

Run `newsbook build` in this folder. The EPUB and the PDF appear in `_build/`.

## Templates

Copy any file of the built-in theme into `templates/` to change it: `article.xhtml`,
`issue.html`, `epub.css`, `print.css` and the others. A file can also extend the one it
replaces and change only some of its blocks: start it with `{{% extends "!article.xhtml" %}}`.
'''


def init_project(folder: Path, title: str = "My Digest", today: date | None = None) -> list[Path]:
    """Create a project in `folder` (new or empty); returns the files written."""
    if folder.exists() and any(folder.iterdir()):
        raise NewsbookError(f"{folder}: not empty; newsbook init needs a new or empty folder")
    safe_title = title.replace("\\\\", "").replace('"', "'")
    files = {
        folder / "newsbook.toml": CONFIG.format(title=safe_title),
        folder / "articles" / "welcome.md": ARTICLE.format(
            title=safe_title, today=(today or date.today()).isoformat()),
        folder / "templates" / ".keep": "",
    }
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise NewsbookError(f"{folder}: cannot create the project ({exc.strerror})") from None
    return list(files)
