"""Kindle's rules for EPUBs: declared UTF-8, no links to body ids, a valid dc:language, every
img with a src, no WebP; asserted on built books and on the repairs themselves."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOTS, register_epub
from newsbook.builders.kindle import book_language, declared, fix_documents, valid_language

X = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def _manifest(path: Path):
    z = zipfile.ZipFile(path)
    opf_name = etree.fromstring(z.read("META-INF/container.xml")).find(".//{*}rootfile") \
        .get("full-path")
    opf = etree.fromstring(z.read(opf_name))
    base = opf_name.rsplit("/", 1)[0] + "/"
    return z, opf, base


def assert_kindle_safe(path: Path) -> None:
    """Every rule Send to Kindle is known to enforce, checked on the EPUB's own bytes."""
    z, opf, base = _manifest(path)
    language = opf.findtext(".//dc:language", namespaces=OPF)
    assert valid_language(language), language
    items = opf.findall(".//opf:manifest/opf:item", OPF)
    assert not [i for i in items if i.get("media-type") == "image/webp"]
    assert not [i for i in items if i.get("href").lower().endswith(".webp")]
    documents = {base + i.get("href"): z.read(base + i.get("href")) for i in items
                 if i.get("media-type") == "application/xhtml+xml"}
    assert documents
    bodies = {}
    trees = {}
    for name, data in documents.items():
        first = data.split(b"?>", 1)[0].lower()
        assert first.startswith(b"<?xml") and b"encoding=" in first and b"utf-8" in first, name
        trees[name] = etree.fromstring(data)
        body = trees[name].find(f"{X}body")
        if body.get("id"):
            bodies[name] = body.get("id")
    for name, tree in trees.items():
        for img in tree.iter(f"{X}img"):
            assert (img.get("src") or "").strip(), name
        for link in tree.iter(f"{X}a"):
            target, _, fragment = (link.get("href") or "").partition("#")
            if fragment and ":" not in target:
                document = name.rsplit("/", 1)[0] + "/" + target if target else name
                assert bodies.get(document) != fragment, (name, link.get("href"))


def test_built_issue_follows_kindle_rules(basic_build):
    _report, epub, _pdf = basic_build
    assert_kindle_safe(epub)


def test_declaration_added_or_made_utf8():
    assert declared(b"<html/>").startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<html')
    assert declared(b"<?xml version='1.0'?>\n<html/>") == \
        b'<?xml version="1.0" encoding="utf-8"?>\n<html/>'
    assert declared(b'<?xml version="1.0" encoding="ISO-8859-1"?><html/>').count(b"<?xml") == 1
    kept = b"<?xml version='1.0' encoding='UTF-8'?>\n<html/>"
    assert declared(kept) is kept


_PAGE = ('<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>'
         '</head><body{body}><p>{inner}</p></body></html>')


def test_links_to_body_ids_and_imgs_without_src_are_repaired():
    first = _PAGE.format(body=' id="top"', inner='<a href="#top">up</a> <img alt="x"/>after '
                                                  '<img src="images/a.png" alt="a"/>')
    second = _PAGE.format(body="", inner='<a href="first.xhtml#top">back</a> '
                                         '<a href="first.xhtml#other">kept</a> '
                                         '<a href="https://example.org/#top">web</a>')
    untouched = ('<?xml version="1.0" encoding="utf-8"?>\n'
                 + _PAGE.format(body="", inner="plain")).encode()
    fixed = fix_documents({"EPUB/first.xhtml": first.encode(), "EPUB/second.xhtml":
                           second.encode(), "EPUB/third.xhtml": untouched})
    assert fixed["EPUB/third.xhtml"] == untouched
    one = etree.fromstring(fixed["EPUB/first.xhtml"])
    assert fixed["EPUB/first.xhtml"].startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert [a.get("href") for a in one.iter(f"{X}a")] == ["first.xhtml"]
    assert [i.get("src") for i in one.iter(f"{X}img")] == ["images/a.png"]
    assert "after" in "".join(one.itertext())  # the text after a dropped img stays
    two = etree.fromstring(fixed["EPUB/second.xhtml"])
    assert [a.get("href") for a in two.iter(f"{X}a")] == [
        "first.xhtml", "first.xhtml#other", "https://example.org/#top"]


@pytest.mark.parametrize("tag", ["en", "pt-BR", "zh-Hant-TW", "de-CH-1996", "sr-Latn"])
def test_valid_languages_are_kept(tag):
    assert book_language(tag) == (tag, None)


@pytest.mark.parametrize("tag", ["zz", "en_US", "english", "xx-YY", ""])
def test_invalid_languages_fall_back_with_a_warning(tag):
    language, warning = book_language(tag)
    assert language == "en" and "not a valid BCP 47 tag" in warning


def _project(tmp_path: Path, **replacements: str) -> Path:
    folder = tmp_path / "basic"
    shutil.copytree(ROOTS / "basic", folder)
    config = folder / "newsbook.toml"
    text = config.read_text(encoding="utf-8")
    for old, new in replacements.items():
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    return folder


def _build(folder: Path, fmt: str = "epub"):
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"), [fmt])
    report = pipeline.build(plan)
    return report, register_epub(report.outputs[0])


def test_invalid_language_builds_an_english_book_and_warns(tmp_path):
    report, epub = _build(_project(tmp_path, **{'language = "en"': 'language = "zz"'}))
    _z, opf, _base = _manifest(epub)
    assert opf.findtext(".//dc:language", namespaces=OPF) == "en"
    assert any("'zz' is not a valid BCP 47 tag" in w for w in report.warnings)
    assert_kindle_safe(epub)


def test_a_kepub_alone_falls_back_as_the_epub_does(tmp_path):
    report, kepub = _build(_project(tmp_path, **{'language = "en"': 'language = "zz"'}), "kepub")
    assert kepub.name.endswith(".kepub.epub")
    assert any("'zz' is not a valid BCP 47 tag" in w for w in report.warnings)
    with zipfile.ZipFile(kepub) as book:
        langs = {etree.fromstring(book.read(n)).get(XML_LANG) for n in book.namelist()
                 if n.endswith(".xhtml") and not n.endswith("nav.xhtml")}
    assert "en" in langs and "zz" not in langs, langs  # (an article in French keeps its own)


def test_webp_images_and_cover_become_png_or_jpeg(tmp_path):
    from PIL import Image

    folder = _project(tmp_path, **{'number = 7': 'number = 7\ncover = "cover.webp"'})
    # The article's image and the cover, both WebP whatever their names say.
    Image.new("RGB", (40, 30), (200, 30, 30)).save(folder / "images" / "bridge.png", "WEBP")
    Image.new("RGB", (300, 400), (20, 30, 200)).save(folder / "cover.webp", "WEBP")
    _report, epub = _build(folder)
    z, opf, _base = _manifest(epub)
    types = {i.get("media-type") for i in opf.findall(".//opf:manifest/opf:item", OPF)}
    assert "image/png" in types or "image/jpeg" in types
    for name in z.namelist():
        assert not z.read(name).startswith(b"RIFF"), name  # no WebP bytes under any name
    assert_kindle_safe(epub)
