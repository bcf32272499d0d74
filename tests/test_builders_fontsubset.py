"""Fonts subset for the EPUB: the characters a book shows, shaping features and licence names
kept, reproducible bytes, small books."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from conftest import ROOTS, register_epub, run_cli
from newsbook.builders.fontsubset import BASELINE, characters, subset_font

FONTS = ROOTS.parents[1] / "templates" / "fonts"


def _font(data: bytes) -> TTFont:
    return TTFont(io.BytesIO(data), recalcTimestamp=False)


def _features(font: TTFont, table: str) -> set[str]:
    if table not in font:
        return set()
    return {r.FeatureTag for r in font[table].table.FeatureList.FeatureRecord}


def test_characters_of_text_attributes_styles_and_both_cases():
    page = ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
            '<body><p>ß\u00e9t\u00e9 <img src="a.png" alt="\u0416"/>tail\u0101</p></body></html>')
    found = characters([page.encode()], ["\u2116"], ['q::before { content: "\u00a7"; }'])
    for char in "ßéÉ\u0416\u0436\u0101\u0100\u2116\u00a7":
        assert char in found, char
    assert set(BASELINE) <= set(found)
    assert "\n" not in found and "\x85" not in found
    assert found == "".join(sorted(set(found)))  # one canonical string: one cache key


def test_subset_keeps_the_text_the_features_and_the_licence():
    original = (FONTS / "SourceSerifPro-Regular.ttf").read_bytes()
    text = "".join(sorted(set(BASELINE + "Un café à Zürich — «fi» ffl")))
    data = subset_font(original, text)
    full, cut = _font(original), _font(data)
    assert len(data) < len(original) / 3
    wanted = {ord(c) for c in text} & set(full.getBestCmap())
    assert set(cut.getBestCmap()) == wanted  # every character the font has, nothing more
    assert "kern" in _features(cut, "GPOS") and "liga" in _features(cut, "GSUB")
    for name_id in (0, 1, 13, 14):  # copyright, family, licence and its URL
        assert cut["name"].getDebugName(name_id) == full["name"].getDebugName(name_id)
    assert cut["head"].modified == full["head"].modified  # no build time in the bytes
    assert subset_font(original, text) == data


def test_subsets_are_cached_on_disk_by_font_and_text(tmp_path):
    import newsbook.builders.fontsubset as fontsubset

    original = (FONTS / "Blankenburg_UNZ1A.ttf").read_bytes()
    first = subset_font(original, BASELINE, tmp_path)
    assert len(list(tmp_path.glob("*.font"))) == 1
    fontsubset._memo.clear()
    (cached,) = tmp_path.glob("*.font")
    assert subset_font(original, BASELINE, tmp_path) == first == cached.read_bytes()
    subset_font(original, BASELINE + "\u00e9", tmp_path)  # another text: another entry
    assert len(list(tmp_path.glob("*.font"))) == 2


def _epub_fonts(path: Path) -> dict[str, bytes]:
    z = zipfile.ZipFile(path)
    return {n: z.read(n) for n in z.namelist() if n.endswith((".ttf", ".otf"))}


def test_built_book_fonts_cover_its_text(basic_build):
    _report, epub, _pdf = basic_build
    z = zipfile.ZipFile(epub)
    shown = characters([z.read(n) for n in z.namelist() if n.endswith(".xhtml")])
    fonts = _epub_fonts(epub)
    assert fonts
    for name, data in fonts.items():
        original = _font((FONTS / name.rsplit("/", 1)[-1]).read_bytes())
        has = set(original.getBestCmap())
        needed = {ord(c) for c in shown} & has
        assert needed <= set(_font(data).getBestCmap()), name
        assert len(data) < len((FONTS / name.rsplit("/", 1)[-1]).read_bytes()) / 2, name


@pytest.mark.parametrize("theme", ["modern", "classic"])
def test_one_article_book_is_small_and_reproducible(tmp_path, theme):
    source = ROOTS / "basic" / "articles" / "notes" / "cafe.md"
    env = {"SOURCE_DATE_EPOCH": "1765000000", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    books = []
    for run in (1, 2):  # the second from the subset cache
        out = tmp_path / f"{run}.epub"
        result = run_cli("build", str(source), "-o", str(out), "--theme", theme, "-q", env=env)
        assert result.returncode == 0, result.stderr
        books.append(out.read_bytes())
    assert books[0] == books[1]
    assert len(books[0]) <= 200 * 1024
    assert list((tmp_path / "cache").rglob("*.font"))
    register_epub(tmp_path / "1.epub")
