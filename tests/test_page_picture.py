"""scripts/page_picture.py: pages of PDFs rendered side by side into the README's picture."""

import subprocess
import sys
from pathlib import Path

from PIL import Image
from pypdf import PdfWriter

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "page_picture.py"


def _pdf(path: Path, pages: int, width: float = 595, height: float = 842) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width, height)
    with path.open("wb") as out:
        writer.write(out)
    return path


def test_pages_side_by_side_at_the_asked_width(tmp_path):
    a4, letter = _pdf(tmp_path / "a4.pdf", 3), _pdf(tmp_path / "letter.pdf", 1, 612, 792)
    out = tmp_path / "docs" / "picture.png"
    result = subprocess.run([sys.executable, str(SCRIPT), str(out), f"{a4}:1", f"{a4}:3",
                             f"{letter}:1", "--width", "200"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    picture = Image.open(out)
    # Three pages 200 px wide with a 24 px gap around each; as tall as the tallest page.
    width, height = picture.size  # pdfium rounds each page up to whole pixels
    assert 0 <= width - (3 * 200 + 4 * 24) <= 3
    assert 0 <= height - (round(200 * 842 / 595) + 2 * 24) <= 1
    assert picture.getpixel((24 + 100, 24 + 100)) == (255, 255, 255)  # a blank page is white
    assert picture.getpixel((5, 5)) != (255, 255, 255)  # on a background that is not


def test_a_page_that_does_not_exist_is_one_line_on_stderr(tmp_path):
    pdf = _pdf(tmp_path / "one.pdf", 1)
    result = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "x.png"), f"{pdf}:2"],
                            capture_output=True, text=True)
    assert result.returncode == 1 and not (tmp_path / "x.png").exists()
    assert result.stderr.strip() == f"page_picture: {pdf} has 1 pages, not 2"
