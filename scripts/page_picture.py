"""Render pages of built PDFs side by side into one PNG (the README's picture of the samples)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def render_page(pdf: Path, number: int, width: int):
    """A PIL image of one 1-based page of a PDF, `width` pixels wide."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        if not 1 <= number <= len(document):
            raise ValueError(f"{pdf} has {len(document)} pages, not {number}")
        page = document[number - 1]
        return page.render(scale=width / page.get_width()).to_pil().convert("RGB")
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


def _page_spec(value: str) -> tuple[Path, int]:
    path, _, number = value.rpartition(":")
    if not path or not number.isdigit():
        raise argparse.ArgumentTypeError(f"expected FILE.pdf:PAGE, not {value!r}")
    return Path(path), int(number)


def main(argv: list[str] | None = None) -> int:
    """Command line: page_picture.py OUT.png FILE.pdf:PAGE... [--width PIXELS]."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("pages", type=_page_spec, nargs="+", metavar="FILE.pdf:PAGE")
    parser.add_argument("--width", type=int, default=600, help="pixels per page")
    args = parser.parse_args(argv)
    try:
        picture = side_by_side([render_page(pdf, n, args.width) for pdf, n in args.pages])
    except Exception as exc:  # pypdfium2 raises its own PdfiumError for unreadable files
        print(f"page_picture: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    picture.save(args.out, optimize=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
