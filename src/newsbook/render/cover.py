"""The issue's cover: the configured image, or one drawn with the publication title, issue
number, date and the top headlines (and kept in the article cache for the next build)."""

from __future__ import annotations

import hashlib
import io
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from newsbook.model import Image, Issue
from newsbook.model.errors import BuildError
from newsbook.model.images import ImageRefused, normalize_image
from newsbook.render.environment import builtin_templates, labels_for, long_date
from newsbook.render.themes import face_file, resolve

if TYPE_CHECKING:
    from newsbook.build.state import ArticleStore

WIDTH, HEIGHT = 1600, 2560


def _rgb(colour: str) -> tuple[int, int, int]:
    """'#a01c24' -> (160, 28, 36)."""
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@lru_cache(maxsize=16)
def _characters(path: str) -> frozenset[int]:
    """The code points a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())


@lru_cache(maxsize=64)
def _font(size: int, bold: bool = False, serif: bool = True, family: str | None = None,
          text: str = ""):
    """The theme's `family` when it can write all of `text`, else DejaVu, else Pillow's default.

    Kept once loaded: Pillow finds a font by name by walking the system's font folders.
    """
    from PIL import ImageFont

    file = face_file(family, bold) if family else None
    if file is not None:
        path = builtin_templates() / "fonts" / file
        # A blackletter or Latin-only face has no Arabic or CJK: those titles keep DejaVu.
        # Every shipped face has all of printable ASCII (tests/test_cover.py checks), so
        # only other text needs the font's character map (fontTools: ~15 ms a font).
        if text.isascii() and text.isprintable() or \
                all(ord(c) in _characters(str(path)) for c in text if not c.isspace()):
            return ImageFont.truetype(str(path), size)
    family = "DejaVuSerif" if serif else "DejaVuSans"
    name = f"{family}-Bold.ttf" if bold else f"{family}.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return ImageFont.load_default(size)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Greedy word wrap by measured width."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=font) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
    return lines


def inputs_digest(issue: Issue, date_text: str, number_text: str) -> str:
    """A hash of everything make_cover() draws from, so a drawn cover can be reused.

    Keep in step with make_cover: its title, subtitle, facts, publisher, colours, and the
    section titles with (at most) their first two headlines.
    """
    from newsbook import __version__

    drawn = (__version__, WIDTH, HEIGHT, issue.title, issue.subtitle, issue.publisher,
             issue.palette, issue.theme, date_text, number_text,
             [(s.title, [a.title for a in s.articles[:2]]) for s in issue.sections])
    return hashlib.sha256(repr(drawn).encode("utf-8")).hexdigest()


def make_cover(issue: Issue, date_text: str, number_text: str) -> Image:
    """Draw the cover as a 1600×2560 JPEG (the size Kindle recommends)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    INK, PAPER, ACCENT = (_rgb(c) for c in (issue.palette.ink, issue.palette.paper,  # noqa: N806
                                             issue.palette.accent))
    # The theme's own fonts, so the cover matches the book (classic: a blackletter nameplate).
    theme = resolve(issue.theme)
    title, body, heading = theme.title_font, theme.body_font, theme.heading_font
    img = PILImage.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(img)
    margin = 120
    inner = WIDTH - 2 * margin
    draw.rectangle([0, 0, WIDTH, 36], fill=ACCENT)

    y = 220
    size = 180
    title_font = _font(size, bold=True, family=title, text=issue.title)
    lines = _wrap(draw, issue.title, title_font, inner)
    while (len(lines) > 3 or any(draw.textlength(ln, font=title_font) > inner for ln in lines)) \
            and size > 70:
        size -= 10
        title_font = _font(size, bold=True, family=title, text=issue.title)
        lines = _wrap(draw, issue.title, title_font, inner)
    for line in lines:
        draw.text((WIDTH / 2, y), line, font=title_font, fill=INK, anchor="mt")
        y += int(size * 1.15)
    if issue.subtitle:
        sub_font = _font(60, family=body, text=issue.subtitle)
        for line in _wrap(draw, issue.subtitle, sub_font, inner)[:2]:
            y += 20
            draw.text((WIDTH / 2, y), line, font=sub_font, fill=INK, anchor="mt")
            y += 70
    y += 50
    draw.line([margin, y, WIDTH - margin, y], fill=INK, width=6)
    y += 30
    facts = " · ".join(t for t in (number_text, date_text) if t)
    draw.text((WIDTH / 2, y), facts.upper(), font=_font(48, serif=False, family=heading,
                                                        text=facts.upper()),
              fill=INK, anchor="mt")
    y += 90
    draw.line([margin, y, WIDTH - margin, y], fill=INK, width=2)

    y += 110
    for section in issue.sections:
        if y > HEIGHT - 400 or not section.articles:
            break
        label_font = _font(40, bold=True, serif=False, family=heading, text=section.title.upper())
        draw.text((margin, y), section.title.upper(), font=label_font, fill=ACCENT)
        y += 70
        for article in section.articles[:2]:
            head_font = _font(64, bold=True, family=body, text=article.title)
            wrapped = _wrap(draw, article.title, head_font, inner)
            if len(wrapped) > 3:
                wrapped = wrapped[:3]
                wrapped[-1] = textwrap.shorten(wrapped[-1] + " …", width=len(wrapped[-1]),
                                               placeholder=" …")
            if y + len(wrapped) * 80 > HEIGHT - 300:
                break
            for line in wrapped:
                draw.text((margin, y), line, font=head_font, fill=INK)
                y += 80
            y += 30
        y += 50
    if issue.publisher:
        draw.text((WIDTH / 2, HEIGHT - 160), issue.publisher,
                  font=_font(44, serif=False, family=heading, text=issue.publisher),
                  fill=INK, anchor="mt")
    draw.rectangle([0, HEIGHT - 36, WIDTH, HEIGHT], fill=ACCENT)

    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=88, optimize=True)
    data = buffer.getvalue()
    key = f"images/cover-{hashlib.sha256(data).hexdigest()[:12]}.jpg"
    return Image(key=key, media_type="image/jpeg", data=data, alt=issue.title)


def issue_cover(issue: Issue, path: Path | None, store: ArticleStore | None = None):
    """The configured cover image, or one drawn for this issue (kept in `store` if given)."""
    image, drawing = plan_cover(issue, path, store)
    if drawing is None:
        return image
    return keep_cover(make_cover(issue, *drawing[:2]), drawing[2], store)


def plan_cover(issue: Issue, path: Path | None, store: ArticleStore | None = None
                ) -> tuple[Image | None, tuple[str, str, str] | None]:
    """The cover when it needs no drawing (configured, or drawn before and kept in `store`),
    else what to draw it with: (date text, number text, cache key)."""
    if path is not None:
        try:
            image = normalize_image(path.read_bytes(), issue.title, max_side=2560)
        except OSError as exc:
            raise BuildError(f"{path}: cannot read the cover image ({exc.strerror})") from None
        except ImageRefused as exc:
            raise BuildError(f"{path}: {exc}") from None
        key = image.key.replace("images/", "images/cover-")
        return type(image)(key=key, media_type=image.media_type, data=image.data,
                           alt=image.alt), None
    labels = labels_for(issue.language)
    number = f"{labels['issue']} {issue.number}" if issue.number is not None else ""
    when = long_date(issue.date, issue.language)
    # Drawing costs about as much as a tenth of an EPUB build: a cover drawn from the same
    # title, date and headlines before is taken from the cache.
    key = "cover:" + inputs_digest(issue, when, number)
    if store is not None:
        for text, blobs in store.load([key]).values():
            name = text.strip('"')
            if name in blobs:
                return Image(key=name, media_type="image/jpeg", data=blobs[name],
                             alt=issue.title), None
    return None, (when, number, key)


def keep_cover(image: Image, key: str, store: ArticleStore | None) -> Image:
    """A drawn cover, kept in `store` (when given) for the next build."""
    if store is not None:
        store.save({key: (f'"{image.key}"', {image.key: image.data})}, [])
    return image


def cover_source(path: Path | None) -> str:
    """What the cover is made from, for the fingerprint: its file's hash, or drawn by newsbook."""
    if path is None:
        return "drawn"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"  # never up to date: the build then reports why
