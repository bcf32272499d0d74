"""Themes: selection and options in the config, fonts embedded in EPUB and PDF, the classic layout."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import register_epub, run_cli
from newsbook.build import config as config_mod
from newsbook.build import pipeline
from newsbook.build import plan as plan_mod
from newsbook.builders import pdf as pdf_builder
from newsbook.model import ThemeOptions
from newsbook.model.errors import ConfigError
from newsbook.render.environment import Theme
from newsbook.render.themes import FAMILIES, resolve

OPF = {"opf": "http://www.idpf.org/2007/opf"}
SENTENCE = ("The council met on Tuesday evening to hear the plans for the river walk, and the "
            "stallholders asked for longer opening hours through the winter months. ")


def _project(folder: Path, theme: str = "", paragraphs: int = 24) -> Path:
    """A project with one long article (it fills several columns) and a short one."""
    (folder / "articles").mkdir(parents=True)
    body = "\n\n".join(SENTENCE * 4 for _ in range(paragraphs))
    (folder / "articles" / "long.md").write_text(
        "---\ntitle: The Long Report\nauthor: Ada Lovelace\ndate: 2026-03-12\n"
        f"summary: Everything the council said.\n---\n\n{body}\n", encoding="utf-8")
    (folder / "articles" / "short.md").write_text(
        "---\ntitle: A Short Note\ndate: 2026-03-11\n---\n\nOne paragraph only.\n",
        encoding="utf-8")
    (folder / "newsbook.toml").write_text(
        '[issue]\ntitle = "Theme Gazette"\ndate = "2026-03-14"\nnumber = 4\nvolume = 2\n'
        'publisher = "Theme Press"\n\n[build]\norder = "date"\n\n'
        f"[[sources]]\npath = \"articles\"\nsection = \"Town\"\n\n[theme]\n{theme}\n",
        encoding="utf-8")
    return folder


def _pdf_serves_fonts() -> bool:
    from test_chainloader import _issue

    if not callable(getattr(pdf_builder, "resources", None)):
        return True  # a builder without resources(): the PDF tests below check it by its output
    return any(url.endswith(".ttf") for url in pdf_builder.resources(_issue(), Theme()))


# Whether builders/pdf.py itself serves the theme's fonts, read before any test patches it.
PDF_SERVES_FONTS = _pdf_serves_fonts()
PDF_RESOURCES = getattr(pdf_builder, "resources", None)


@pytest.fixture(scope="module")
def fonts_served():
    """builders/pdf.py serving the theme's fonts: the one line it gains at merge, else added here."""
    pdf = pdf_builder
    with pytest.MonkeyPatch.context() as patch:
        if not PDF_SERVES_FONTS:
            original = pdf.resources

            def resources(issue, theme):
                served = original(issue, theme)
                served.update({pdf.BASE_URL + name: (data, media_type)
                               for name, data, media_type in theme.static_files()})
                return served

            patch.setattr(pdf, "resources", resources)
        yield


def _build(folder: Path, theme: str = "", **plan_options) -> list[Path]:
    """The project built (EPUB and PDF unless told), EPUBs queued for epubcheck."""
    project = _project(folder, theme)
    plan = plan_mod.plan_project(config_mod.load(project / "newsbook.toml"), **plan_options)
    outputs = pipeline.build(plan).outputs
    for path in outputs:
        if path.suffix == ".epub":
            register_epub(path)
    return outputs


@pytest.fixture(scope="module")
def classic(tmp_path_factory, fonts_served):
    return _build(tmp_path_factory.mktemp("classic") / "p", 'name = "classic"')


@pytest.fixture(scope="module")
def modern(tmp_path_factory, fonts_served):
    return _build(tmp_path_factory.mktemp("modern") / "p")


# -- config -------------------------------------------------------------------------------------

def _parse(theme: str):
    return config_mod.parse(__import__("tomllib").loads(f"[theme]\n{theme}"), Path("/p/newsbook.toml"))


def test_config_theme_options():
    config = _parse('name = "classic"\nbody_font = "Source Serif Pro"\nmargins = "20mm 15mm"\n'
                    'columns = 3\naccent = "#123456"')
    assert config.theme == ThemeOptions(name="classic", body_font="Source Serif Pro",
                                        margins="20mm 15mm", columns=3)
    assert config.palette.accent == "#123456"
    assert _parse("").theme == ThemeOptions()
    settings = resolve(config.theme)
    assert (settings.body_font, settings.heading_font, settings.title_font) == (
        "Source Serif Pro", "Old Standard TT", "Blankenburg")  # the rest: classic's defaults


@pytest.mark.parametrize("line, message", [
    ('name = "fancy"', r"'theme.name' must be one of \['modern', 'classic'\], not 'fancy'"),
    ('name = 2', r"'theme.name' must be one of"),
    ('body_font = "Comic Sans"', r"'theme.body_font' must be one of \['Source Serif Pro'"),
    ('title_font = "blankenburg"', r"'theme.title_font' must be one of"),
    ('margins = "20"', r"'theme.margins' must be one to four CSS lengths"),
    ('margins = "1cm; color: red"', r"'theme.margins' must be one to four CSS lengths"),
    ('margins = "1mm 1mm 1mm 1mm 1mm"', r"'theme.margins' must be one to four CSS lengths"),
    ('margins = "-5mm"', r"'theme.margins' must be one to four CSS lengths"),
    ('columns = 0', r"'theme.columns' must be from 1 to 3, not 0"),
    ('columns = 4', r"'theme.columns' must be from 1 to 3, not 4"),
    ('columns = "2"', r"'theme.columns' must be a number of columns"),
    ('columns = true', r"'theme.columns' must be a number of columns"),
    ('accent = "red"', r"'theme.accent' must be a colour"),
    ('font = "x"', r"unknown key 'theme.font'"),
])
def test_config_rejects_bad_theme_options(line, message):
    with pytest.raises(ConfigError, match=message) as info:
        _parse(line)
    assert "\n" not in str(info.value) and str(info.value).startswith("/p/newsbook.toml: ")


def test_cli_unknown_theme_is_one_line_exit_2(tmp_path):
    project = _project(tmp_path / "p", 'name = "fancy"')
    result = run_cli("build", str(project))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "theme.name" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("build", str(_project(tmp_path / "q")), "--theme", "fancy")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'fancy' is not one of 'modern', 'classic'" in result.stderr


def test_theme_options_reach_the_stylesheets():
    css = Theme(options=ThemeOptions(margins="30mm 12mm", columns=3,
                                     heading_font="Old Standard TT")).resource("print.css").decode()
    assert "margin: 30mm 12mm;" in css
    assert re.search(r"\.section \{ columns: 3;", css)
    assert 'font-family: "Old Standard TT", serif; hyphens: none;' in css
    assert 'src: url("fonts/OldStandard-Bold.ttf") format("truetype")' in css
    # single column by default in the modern theme; no font embedded for generic families
    plain = Theme(options=ThemeOptions(body_font="serif", heading_font="sans-serif",
                                       title_font="serif"))
    assert "columns:" not in plain.resource("print.css").decode().split(".article + .article")[1]
    assert "@font-face" not in plain.resource("epub.css").decode()
    assert plain.static_files() == []


def test_static_files_are_the_fonts_in_use():
    names = [name for name, _data, _type in Theme(options=ThemeOptions(name="classic")).static_files()]
    assert names == ["fonts/OldStandard-Regular.ttf", "fonts/OldStandard-Italic.ttf",
                     "fonts/OldStandard-Bold.ttf", "fonts/Blankenburg_UNZ1A.ttf"]
    for _name, data, media_type in Theme().static_files():
        assert media_type == "font/ttf" and data[:4] == b"\x00\x01\x00\x00"


def test_shipped_fonts_have_their_licences():
    from newsbook.render.environment import builtin_templates

    fonts = builtin_templates() / "fonts"
    shipped = {face.file for family in FAMILIES.values() for face in family.faces}
    assert shipped == {p.name for p in fonts.glob("*.ttf")}
    for licence in fonts.glob("OFL-*.txt"):
        assert "SIL OPEN FONT LICENSE" in licence.read_text(encoding="utf-8").upper()
    assert len(list(fonts.glob("OFL-*.txt"))) == 4


# -- EPUB ---------------------------------------------------------------------------------------

def _epub_parts(path: Path):
    archive = zipfile.ZipFile(path)
    opf = etree.fromstring(archive.read("EPUB/content.opf"))
    items = {i.get("href"): i.get("media-type") for i in opf.iterfind(".//opf:item", OPF)}
    return archive, items


@pytest.mark.parametrize("which, families", [
    ("modern", ["Source Serif Pro", "Source Sans Pro"]),
    ("classic", ["Old Standard TT", "Blankenburg"]),
])
def test_epub_embeds_the_theme_fonts(which, families, request):
    epub, _pdf = request.getfixturevalue(which)
    archive, items = _epub_parts(epub)
    css = archive.read("EPUB/style/epub.css").decode()
    fonts = {href: kind for href, kind in items.items() if href.startswith("style/fonts/")}
    expected = {f"style/fonts/{face.file}" for family in families for face in FAMILIES[family].faces}
    assert set(fonts) == expected and set(fonts.values()) == {"font/ttf"}
    # every @font-face url() points at a manifest item, relative to the stylesheet
    urls = re.findall(r'url\("([^"]+)"\)', css)
    assert {"style/" + url for url in urls} == expected
    for family in families:
        assert f'font-family: "{family}"' in css
    assert "specified-fonts" in archive.read(
        "META-INF/com.apple.ibooks.display-options.xml").decode()


def test_classic_epub_single_column_with_classic_typography(classic):
    epub, _pdf = classic
    archive, _items = _epub_parts(epub)
    css = archive.read("EPUB/style/epub.css").decode()
    assert "columns" not in css  # e-readers paginate one column
    assert "classic: a newspaper" in css and "nav.contents" in css  # classic over the base
    contents = archive.read("EPUB/contents.xhtml").decode()
    assert 'class="masthead masthead-classic"' in contents
    assert "Theme Press" in contents and "Vol. 2, No. 4" in contents


def test_epub_without_embedded_fonts(tmp_path):
    (epub,) = _build(tmp_path / "p", 'body_font = "serif"\nheading_font = "sans-serif"\n'
                                     'title_font = "serif"', formats=["epub"])
    archive, items = _epub_parts(epub)
    assert not [href for href in items if href.startswith("style/fonts/")]
    assert "META-INF/com.apple.ibooks.display-options.xml" not in archive.namelist()


# -- PDF ----------------------------------------------------------------------------------------

def _embedded_fonts(reader: PdfReader) -> dict[str, set[str]]:
    """BaseFont name -> the FontFile keys of its descriptor, over every page."""
    found: dict[str, set[str]] = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            keys = set(descriptor.get_object()) if descriptor is not None else set()
            found[str(font["/BaseFont"])] = {k for k in keys if k.startswith("/FontFile")}
    return found


def _lines(page) -> list[tuple[float, float, str, str]]:
    """(x, y, text, font) of each text run on a page, in PDF points from the bottom left."""
    runs = []

    def visit(text, cm, tm, font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((x, y, text.strip(), str(font.get("/BaseFont", "")) if font else ""))

    page.extract_text(visitor_text=visit)
    return runs


def _article_page(reader: PdfReader, title: str) -> int:
    for item in reader.outline:
        if isinstance(item, list):
            for child in item:
                if not isinstance(child, list) and child.title == title:
                    return reader.get_destination_page_number(child)
    raise AssertionError(f"{title} not in the outline")


def _body_starts(page) -> list[float]:
    """x of the text runs in the page's body (running heads and folio left out)."""
    height = float(page.mediabox.height)
    return [x for x, y, _t, _f in _lines(page) if 80 < y < height - 80]


@pytest.mark.parametrize("which, families", [
    ("modern", ["Source-Serif-Pro", "Source-Sans-Pro"]),
    ("classic", ["Old-Standard-TT", "Blankenburg"]),
])
def test_pdf_embeds_the_theme_fonts(which, families, request):
    _epub, pdf = request.getfixturevalue(which)
    fonts = _embedded_fonts(PdfReader(pdf))
    for family in families:
        used = [name for name in fonts if family in name]
        assert used, f"{family} not used in {sorted(fonts)}"
        assert all(fonts[name] & {"/FontFile2", "/FontFile3"} for name in used)


def test_pdf_builder_serves_the_theme_fonts():
    from test_chainloader import _issue

    if PDF_RESOURCES is None:
        pytest.skip("builders/pdf.py has no resources(): the PDF tests above check its output")
    if not PDF_SERVES_FONTS:
        pytest.skip("builders/pdf.py does not serve theme.static_files() yet: its one-line "
                    "change lands at merge (the PDF tests above add it meanwhile)")
    theme = Theme(options=ThemeOptions(name="classic"))
    served = PDF_RESOURCES(_issue(), theme)
    for name, data, media_type in theme.static_files():
        assert served[pdf_builder.BASE_URL + name] == (data, media_type)


def test_classic_pdf_sets_articles_in_two_columns(classic):
    _epub, pdf = classic
    reader = PdfReader(pdf)
    page = reader.pages[_article_page(reader, "The Long Report")]
    width = float(page.mediabox.width)
    starts = _body_starts(page)
    left = [x for x in starts if x < width * 0.3]
    right = [x for x in starts if width * 0.5 < x < width * 0.6]
    assert len(left) > 10 and len(right) > 10, starts
    # the long article continues in two columns on the next page too
    following = _body_starts(reader.pages[_article_page(reader, "The Long Report") + 1])
    assert [x for x in following if width * 0.5 < x < width * 0.6]


def test_modern_pdf_is_single_column(modern):
    _epub, pdf = modern
    reader = PdfReader(pdf)
    # The page after its first: its body alone (articles follow one another, so the first
    # page may hold the end of another and the byline's runs).
    page = reader.pages[_article_page(reader, "The Long Report") + 1]
    width = float(page.mediabox.width)
    starts = _body_starts(page)
    assert len(starts) > 20
    assert not [x for x in starts if x > width * 0.3], starts


def test_classic_pdf_masthead(classic):
    _epub, pdf = classic
    front = PdfReader(pdf).pages[0]
    runs = _lines(front)
    title = [(y, font) for _x, y, text, font in runs if "Theme Gazette" in text]
    assert title and all("Blankenburg" in font for _y, font in title)
    # the title stands above the dateline, which carries volume, number, date and publisher
    text = front.extract_text()
    for part in ("Vol. 2, No. 4", "March 14, 2026", "Theme Press", "The Long Report"):
        assert part.upper() in text.upper(), part
    dateline = [y for _x, y, t, _f in runs if t.upper().startswith("VOL. 2")]
    assert dateline and max(y for y, _f in title) > dateline[0]


def test_pdf_columns_and_margins_options(tmp_path, fonts_served):
    (pdf,) = _build(tmp_path / "p", 'name = "classic"\ncolumns = 3\nmargins = "30mm"',
                    formats=["pdf"])
    reader = PdfReader(pdf)
    page = reader.pages[_article_page(reader, "The Long Report")]
    width = float(page.mediabox.width)
    starts = _body_starts(page)
    margin, gap = 30 / 25.4 * 72, 6 / 25.4 * 72  # 30mm margins, the theme's 6mm column gap
    column = (width - 2 * margin - 2 * gap) / 3
    for index in range(3):
        left = margin + index * (column + gap)
        assert len([x for x in starts if left - 0.5 < x < left + 0.5]) > 5, (index, starts)
    assert min(starts) == pytest.approx(margin, abs=0.5)


def test_cli_theme_option_overrides_the_config(tmp_path, fonts_served):
    project = _project(tmp_path / "p")
    result = run_cli("build", str(project), "--theme", "classic", "-f", "epub")
    assert result.returncode == 0, result.stderr
    epub = register_epub(Path(result.stdout.strip()))
    contents = zipfile.ZipFile(epub).read("EPUB/contents.xhtml").decode()
    assert "masthead-classic" in contents
    # the theme is part of what the outputs depend on: switching back rebuilds them
    again = run_cli("build", str(project), "-f", "epub")
    assert "up to date" not in again.stderr
    assert "masthead-classic" not in zipfile.ZipFile(epub).read("EPUB/contents.xhtml").decode()


# -- the generated cover ------------------------------------------------------------------------

def test_cover_uses_the_theme_fonts_when_they_can_write_the_text():
    from newsbook.render.cover import _font

    blackletter = _font(100, bold=True, family="Blankenburg", text="The Weekly Gazette")
    assert Path(blackletter.path).name == "Blankenburg_UNZ1A.ttf"
    bold = _font(60, bold=True, family="Source Serif Pro", text="Un café à Zürich")
    assert Path(bold.path).name == "SourceSerifPro-Bold.ttf"
    # a script the face lacks falls back to the system's DejaVu, as do the generic families
    assert "DejaVu" in Path(_font(100, family="Blankenburg", text="الجريدة").path).name
    assert "DejaVu" in Path(_font(60, family="serif", text="News").path).name


def test_every_shipped_face_writes_printable_ascii():
    """cover._font takes ASCII titles as writable by any shipped face without reading its map."""
    from newsbook.render.cover import _characters
    from newsbook.render.environment import builtin_templates
    from newsbook.render.themes import FAMILIES

    ascii_ = {ord(c) for c in map(chr, range(0x20, 0x7F))} - {0x20}
    for family in FAMILIES.values():
        for face in family.faces:
            assert ascii_ <= _characters(str(builtin_templates() / "fonts" / face.file)), face


def test_cover_differs_by_theme():
    from newsbook.render.cover import make_cover
    from test_chainloader import _issue

    covers = {}
    for name in ("modern", "classic"):
        issue = _issue()
        issue.theme = ThemeOptions(name=name)
        covers[name] = make_cover(issue, "March 14, 2026", "No. 3").data
    assert covers["modern"] != covers["classic"]


def test_classic_right_to_left(tmp_path, fonts_served):
    folder = tmp_path / "p"
    (folder / "articles").mkdir(parents=True)
    (folder / "articles" / "a.md").write_text(
        "---\ntitle: הגשר נפתח מחדש\ndate: 2026-03-12\n---\n\n"
        + "הגשר הישן נפתח מחדש ביום חמישי לאחר שמונה חודשים של תיקונים. " * 30 + "\n",
        encoding="utf-8")
    (folder / "newsbook.toml").write_text(
        '[issue]\ntitle = "עיתון הבדיקה"\nlanguage = "he"\ndate = "2026-03-14"\nnumber = 2\n'
        'publisher = "Press"\n\n[theme]\nname = "classic"\n', encoding="utf-8")
    epub, pdf = pipeline.build(plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"))).outputs
    register_epub(epub)
    runs = _lines(PdfReader(pdf).pages[0])
    issue_x = [x for x, _y, text, _f in runs if text == "גיליון"]
    publisher_x = [x for x, _y, text, _f in runs if text == "PRESS"]
    # the dateline mirrored: the issue number at the right, the publisher at the left
    assert issue_x and publisher_x and issue_x[0] > publisher_x[0], runs


def test_cli_theme_for_an_ad_hoc_build(tmp_path):
    article = tmp_path / "note.md"
    article.write_text("---\ntitle: A Note\n---\n\nSome text.\n", encoding="utf-8")
    out = tmp_path / "note.epub"
    result = run_cli("build", str(article), "-o", str(out), "--theme", "classic")
    assert result.returncode == 0, result.stderr
    archive, items = _epub_parts(register_epub(out))
    assert "masthead-classic" in archive.read("EPUB/contents.xhtml").decode()
    assert "style/fonts/Blankenburg_UNZ1A.ttf" in items
