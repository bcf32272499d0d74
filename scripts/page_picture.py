"""Render pages of a built PDF to PNG images (the README's picture of the sample issue)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def render_pages(pdf: Path, pages: list[int], width: int) -> list:
    """PIL images of the given 1-based pages, each `width` pixels wide."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        images = []
        for number in pages:
            if not 1 <= number <= len(document):
                raise ValueError(f"{pdf} has {len(document)} pages, not {number}")
            page = document[number - 1]
            scale = width / page.get_width()
            images.append(page.render(scale=scale).to_pil().convert("RGB"))
        return images
    finally:
        document.close()


def side_by_side(images: list, gap: int = 24, background: str = "#d9d6cf"):
    """One picture of pages next to each other on a neutral background."""
    from PIL import Image

    height = max(image.height for image in images)
    total = sum(image.width for image in images) + gap * (len(images) + 1)
    canvas = Image.new("RGB", (total, height + 2 * gap), background)
    x = gap
    for image in images:
        canvas.paste(image, (x, gap))
        x += image.width + gap
    return canvas


def main(argv: list[str] | None = None) -> int:
    """Command line: page_picture.py PDF OUT.png --pages 1 3 --width 600."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pdf", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, nargs="+", default=[1])
    parser.add_argument("--width", type=int, default=600, help="pixels per page")
    args = parser.parse_args(argv)
    try:
        picture = side_by_side(render_pages(args.pdf, args.pages, args.width))
    except (OSError, ValueError) as exc:
        print(f"page_picture: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    picture.save(args.out, optimize=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
