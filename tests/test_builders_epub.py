"""EPUB builder: package metadata, spine, nested navigation, content documents, reproducibility."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from conftest import ROOTS, register_epub

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}


def _open(path: Path):
    z = zipfile.ZipFile(path)
    container = etree.fromstring(z.read("META-INF/container.xml"))
    opf_path = container.find(".//{*}rootfile").get("full-path")
    base = opf_path.rsplit("/", 1)[0] + "/"
    return z, etree.fromstring(z.read(opf_path)), base


def _build(folder: Path, env: dict | None = None) -> Path:
    import os

    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    old = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"), ["epub"])
        return pipeline.build(plan).outputs[0]
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_zip_layout_and_metadata(basic_build):
    _report, epub, _pdf = basic_build
    z, opf, _base = _open(epub)
    first = z.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    meta = opf.find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "Test Gazette — No. 7, March 14, 2026"
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    assert meta.findtext("dc:publisher", namespaces=NS) == "Test Press"
    assert meta.findtext("dc:date", namespaces=NS) == "2026-03-14"
    assert meta.findtext("dc:description", namespaces=NS) == "A small issue built by the tests."
    ident = opf.get("unique-identifier")
    assert meta.find(f"dc:identifier[@id='{ident}']", NS).text.startswith("urn:uuid:")
    creators = [c.text for c in meta.findall("dc:creator", NS)]
    assert {"Ada Lovelace", "Charles Babbage", "Grace Hopper", "Mary Somerville",
            "Émile Zola"} <= set(creators)
    assert len({c.get("id") for c in meta.findall("dc:creator", NS)}) == len(creators)
    modified = meta.find("opf:meta[@property='dcterms:modified']", NS).text
    assert modified.endswith("Z") and len(modified) == 20


def test_spine_and_nested_navigation(basic_build):
    _report, epub, _pdf = basic_build
    z, opf, base = _open(epub)
    manifest = {i.get("id"): i for i in opf.find("opf:manifest", NS)}
    spine = [manifest[r.get("idref")].get("href") for r in opf.find("opf:spine", NS)]
    assert spine[:2] == ["cover.xhtml", "contents.xhtml"]
    assert all(r.get("linear") != "no" for r in opf.find("opf:spine", NS))

    nav_href = next(i.get("href") for i in manifest.values() if i.get("properties") == "nav")
    nav = etree.fromstring(z.read(base + nav_href))
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    sections = toc.findall("x:ol/x:li", NS)
    assert [li.findtext("x:a", namespaces=NS) for li in sections] == ["News", "Notes"]
    news = [a.text for a in sections[0].findall("x:ol/x:li/x:a", NS)]
    notes = [a.text for a in sections[1].findall("x:ol/x:li/x:a", NS)]
    # order = "date": newest first within each section
    assert news == ["Bridge Reopens After Repairs", "Market Moves Indoors for Winter"]
    assert notes == ["Library Extends Opening Hours", "Un café à Zürich, s'il vous plaît"]
    # Every nav target is in the spine, in spine order (NAV-011).
    targets = [a.get("href") for a in toc.iter("{%s}a" % NS["x"])]
    positions = [spine.index(t) for t in targets]
    assert positions == sorted(positions)

    ncx_href = next(i.get("href") for i in manifest.values()
                    if i.get("media-type") == "application/x-dtbncx+xml")
    ncx = etree.fromstring(z.read(base + ncx_href))
    points = ncx.findall("ncx:navMap/ncx:navPoint", NS)
    assert [p.findtext("ncx:navLabel/ncx:text", namespaces=NS) for p in points] == ["News", "Notes"]
    assert len(points[0].findall("ncx:navPoint", NS)) == 2


def test_article_document(basic_build):
    _report, epub, _pdf = basic_build
    z, opf, base = _open(epub)
    manifest = {i.get("href"): i for i in opf.find("opf:manifest", NS)}
    docs = {}
    for href, item in manifest.items():
        if item.get("media-type") == "application/xhtml+xml":
            docs[href] = etree.fromstring(z.read(base + href))
    bridge = next(d for d in docs.values()
                  if d.findtext(".//x:h1", namespaces=NS) == "Bridge Reopens After Repairs")
    byline = "".join(bridge.find(".//x:p[@class='byline']", NS).itertext())
    assert "Ada Lovelace and Charles Babbage" in byline and "March 12, 2026" in byline
    assert bridge.find(".//x:a[@class='source']", NS).get("href") == "https://news.example.org/bridge"
    body = bridge.find(".//x:div[@class='article-body']", NS)
    for tag in ("h2", "ul", "blockquote", "table"):
        assert body.find(f".//x:{tag}", NS) is not None, tag
    img = body.find(".//x:img", NS)
    assert img.get("alt") == "A drawing of the bridge"
    assert img.get("src") in manifest and manifest[img.get("src")].get("media-type") == "image/png"
    # the in-article link points at the heading's (prefixed) id
    link = body.find(".//x:a[@href]", NS).get("href")
    assert body.find(f".//*[@id='{link[1:]}']", NS) is not None
    # the French article carries its own language
    cafe = next(d for d in docs.values() if "Zürich" in (d.findtext(".//x:h1", namespaces=NS) or ""))
    assert cafe.get("lang") == "fr" and cafe.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    # no remote resource anywhere
    for doc in docs.values():
        for el in doc.iter("{%s}img" % NS["x"]):
            assert not el.get("src").startswith(("http:", "https:", "file:", "/"))


def test_cover(basic_build):
    from io import BytesIO

    from PIL import Image

    _report, epub, _pdf = basic_build
    z, opf, base = _open(epub)
    cover = opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    with Image.open(BytesIO(z.read(base + cover.get("href")))) as img:
        assert img.size == (1600, 2560) and img.format == "JPEG"
    page = etree.fromstring(z.read(base + "cover.xhtml"))
    assert page.find(".//x:img", NS).get("src") == cover.get("href")


def test_identifier_stable_and_bytes_reproducible(project):
    first = project("basic")
    a = _build(first, {"SOURCE_DATE_EPOCH": "1773446400"})
    data_a = a.read_bytes()
    b = _build(first, {"SOURCE_DATE_EPOCH": "1773446400"})
    assert b.read_bytes() == data_a
    register_epub(a)
    _z, opf, _ = _open(a)
    assert opf.findtext(".//opf:meta[@property='dcterms:modified']", namespaces=NS) \
        == "2026-03-14T00:00:00Z"
    # without SOURCE_DATE_EPOCH the identifier still stays the same
    c = _build(first)
    ident = lambda p: _open(p)[1].findtext(".//dc:identifier", namespaces=NS)  # noqa: E731
    assert ident(c) == ident(a)


def test_template_override(project):
    folder = project("basic")
    (folder / "templates").mkdir()
    original = (ROOTS.parent.parent / "templates" / "section.xhtml").read_text()
    (folder / "templates" / "section.xhtml").write_text(
        original.replace('<h1 class="section-title">', '<h1 class="section-title custom">'))
    path = _build(folder)
    register_epub(path)
    z, _opf, base = _open(path)
    page = etree.fromstring(z.read(base + "s1.xhtml"))
    assert page.find(".//x:h1", NS).get("class") == "section-title custom"


def _build_issue(issue, folder: Path, name: str) -> Path:
    """Build an Issue straight through the EPUB builder and queue it for epubcheck."""
    from newsbook.builders import epub as epub_builder
    from newsbook.render.environment import Theme

    path = folder / f"{name}.epub"
    path.write_bytes(epub_builder.build(issue, Theme()))
    return register_epub(path)


def _refines(meta, prop: str, target: str) -> list[str]:
    return [m.text for m in meta.findall(f"opf:meta[@property='{prop}'][@refines='#{target}']", NS)]


def test_series_metadata(basic_build, tmp_path):
    from dataclasses import replace

    report, epub, _pdf = basic_build
    # no series configured: the title is the series, the number its position
    meta = _open(epub)[1].find("opf:metadata", NS)
    collection = meta.find("opf:meta[@property='belongs-to-collection']", NS)
    assert collection.text == "Test Gazette"
    assert _refines(meta, "collection-type", collection.get("id")) == ["series"]
    assert _refines(meta, "group-position", collection.get("id")) == ["7"]
    assert meta.find("opf:meta[@name='calibre:series']", NS).get("content") == "Test Gazette"
    assert meta.find("opf:meta[@name='calibre:series_index']", NS).get("content") == "7"

    named = _build_issue(replace(report.issue, series="The Weekly Brief", number=12), tmp_path,
                         "series")
    z, opf, base = _open(named)
    meta = opf.find("opf:metadata", NS)
    collections = meta.findall("opf:meta[@property='belongs-to-collection']", NS)
    assert [c.text for c in collections] == ["The Weekly Brief"]
    ident = collections[0].get("id")
    # the id is unique in the whole package document
    assert len(opf.xpath(f"//*[@id='{ident}']")) == 1
    assert _refines(meta, "collection-type", ident) == ["series"]
    assert _refines(meta, "group-position", ident) == ["12"]
    assert meta.find("opf:meta[@name='calibre:series']", NS).get("content") == "The Weekly Brief"
    assert meta.find("opf:meta[@name='calibre:series_index']", NS).get("content") == "12"
    assert meta.findtext("dc:title", namespaces=NS) == "Test Gazette — No. 12, March 14, 2026"
    # the contents page masthead names the series above the title
    contents = etree.fromstring(z.read(base + "contents.xhtml"))
    masthead = contents.find(".//x:header[@class='masthead']", NS)
    assert masthead.findtext("x:p[@class='masthead-series']", namespaces=NS) == "The Weekly Brief"
    line = "".join(masthead.find("x:p[@class='masthead-line']", NS).itertext())
    assert "No. 12" in line and "March 14, 2026" in line and "Test Press" in line

    unnumbered = _build_issue(replace(report.issue, number=None), tmp_path, "unnumbered")
    meta = _open(unnumbered)[1].find("opf:metadata", NS)
    ident = meta.find("opf:meta[@property='belongs-to-collection']", NS).get("id")
    assert _refines(meta, "collection-type", ident) == ["series"]
    assert _refines(meta, "group-position", ident) == []
    assert meta.find("opf:meta[@name='calibre:series_index']", NS) is None


def test_accessibility_metadata(basic_build):
    _report, epub, _pdf = basic_build
    meta = _open(epub)[1].find("opf:metadata", NS)
    values = {}
    for m in meta.findall("opf:meta[@property]", NS):
        values.setdefault(m.get("property"), []).append(m.text)
    assert values["schema:accessMode"] == ["textual", "visual"]
    assert values["schema:accessModeSufficient"] == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability",
            "alternativeText"} <= set(values["schema:accessibilityFeature"])
    assert values["schema:accessibilityHazard"] == ["none"]
    assert values["schema:accessibilitySummary"][0].startswith("Test Gazette of March 14, 2026")
    assert values["schema:accessibilitySummary"][0].endswith("Every image (1) has a text description.")
    summary = meta.find("opf:meta[@property='schema:accessibilitySummary']", NS)
    assert summary.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    # every image is described: the book claims EPUB Accessibility 1.1, and says who checked
    assert values["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert values["a11y:certifiedBy"] == ["newsbook (automated build checks)"]
    # the language of the package, for its metadata (Ace: epub-lang)
    assert _open(epub)[1].get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_an_image_without_alt_text_withdraws_the_claim(basic_build, tmp_path):
    from dataclasses import replace

    from newsbook.builders.epub import accessibility_warnings

    report, _epub, _pdf = basic_build
    issue = report.issue
    assert issue.images and accessibility_warnings(issue) == []
    undescribed = replace(issue, sections=[
        replace(section, articles=[replace(a, images=[replace(i, alt="") for i in a.images])
                                   for a in section.articles])
        for section in issue.sections])
    meta = _open(_build_issue(undescribed, tmp_path, "no-alt"))[1].find("opf:metadata", NS)
    values = {}
    for m in meta.findall("opf:meta[@property]", NS):
        values.setdefault(m.get("property"), []).append(m.text)
    assert "dcterms:conformsTo" not in values and "a11y:certifiedBy" not in values
    assert "alternativeText" not in values["schema:accessibilityFeature"]
    assert values["schema:accessModeSufficient"] == ["textual,visual"]
    assert values["schema:accessibilitySummary"][0].endswith("Its image has no text description.")
    warning, = accessibility_warnings(undescribed)
    assert warning.startswith("EPUB: 1 of 1 image without a text alternative (alt)")


def test_every_epub_type_has_its_aria_role(basic_build):
    z, opf, base = _open(basic_build[1])
    roles = {"part": "doc-part", "chapter": "doc-chapter", "toc": "doc-toc"}
    seen = set()
    for name in z.namelist():
        if not name.endswith(".xhtml"):
            continue
        for el in etree.fromstring(z.read(name)).iter():
            kind = el.get("{http://www.idpf.org/2007/ops}type")
            if kind in roles and not name.endswith("nav.xhtml"):
                assert el.get("role") == roles[kind], (name, el.tag, kind)
                assert el.tag != "{http://www.w3.org/1999/xhtml}article"  # doc-chapter: not allowed
                seen.add(kind)
    assert seen == {"part", "chapter"}


def test_reading_time_in_byline(basic_build):
    _report, epub, _pdf = basic_build
    z, opf, base = _open(epub)
    manifest = {i.get("id"): i.get("href") for i in opf.find("opf:manifest", NS)}
    found = []
    for ref in opf.find("opf:spine", NS):
        doc = etree.fromstring(z.read(base + manifest[ref.get("idref")]))
        span = doc.find(".//x:p[@class='byline']/x:span[@class='reading-time']", NS)
        if span is not None:
            found.append(span.text)
    assert len(found) == 4 and all(t.endswith(" min read") for t in found)


def _mixed_issue(language: str, other: str):
    from datetime import date, datetime

    from newsbook.model import Article, Issue, Section

    bodies = {"ar": "<p>يعيد الجسر فتح أبوابه بعد الإصلاحات.</p><blockquote><p>اقتباس</p></blockquote>",
              "he": "<p>הגשר נפתח מחדש לאחר תיקונים.</p>",
              "en": "<p>The bridge reopens after repairs.</p><ul><li>one</li></ul>"}
    titles = {"ar": "الجسر يعيد فتح أبوابه", "he": "הגשר נפתח מחדש", "en": "Bridge Reopens"}
    articles = [Article(id=f"a{i}", title=titles[lang], body=bodies[lang], source=f"{i}.md",
                        authors=["Ada Lovelace"], published=datetime(2026, 3, 12), language=lang)
                for i, lang in enumerate((language, other), 1)]
    return Issue(title=titles[language], date=date(2026, 3, 14), language=language,
                 identifier="urn:uuid:3f1c2e4a-0000-5000-8000-000000000001",
                 sections=[Section("S", articles, id="s1")], number=3, publisher="Press")


def test_right_to_left_issue(tmp_path):
    path = _build_issue(_mixed_issue("ar", "en"), tmp_path, "rtl")
    z, opf, base = _open(path)
    assert opf.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    contents = etree.fromstring(z.read(base + "contents.xhtml"))
    assert (contents.get("lang"), contents.get(xml_lang), contents.get("dir")) == ("ar", "ar", "rtl")
    # the masthead speaks Arabic
    assert "العدد 3" in "".join(contents.find(".//x:header", NS).itertext())
    arabic = etree.fromstring(z.read(base + "a1.xhtml"))
    assert arabic.get("dir") == "rtl" and arabic.get("lang") == "ar"
    assert arabic.find(".//x:p[@class='byline']", NS).get("dir") is None  # same language
    # a left-to-right article in a right-to-left issue says so, its byline in the issue's language
    english = etree.fromstring(z.read(base + "a2.xhtml"))
    assert (english.get("lang"), english.get(xml_lang), english.get("dir")) == ("en", "en", "ltr")
    byline = english.find(".//x:p[@class='byline']", NS)
    assert (byline.get("lang"), byline.get(xml_lang), byline.get("dir")) == ("ar", "ar", "rtl")
    # the title of the English article is marked where the Arabic contents list it
    link = contents.find(".//x:a[@href='a2.xhtml']", NS)
    assert (link.get("lang"), link.get("dir")) == ("en", "ltr")
    manifest = {i.get("id"): i for i in opf.find("opf:manifest", NS)}
    nav = etree.fromstring(z.read(base + manifest["nav"].get("href")))
    assert nav.get("lang") == "ar" and nav.find("x:body", NS).get("dir") == "rtl"


def test_right_to_left_article_in_left_to_right_issue(tmp_path):
    path = _build_issue(_mixed_issue("en", "he"), tmp_path, "ltr-he")
    z, opf, base = _open(path)
    assert opf.find("opf:spine", NS).get("page-progression-direction") is None
    assert etree.fromstring(z.read(base + "contents.xhtml")).get("dir") is None
    hebrew = etree.fromstring(z.read(base + "a2.xhtml"))
    assert (hebrew.get("lang"), hebrew.get("dir")) == ("he", "rtl")
    byline = hebrew.find(".//x:p[@class='byline']", NS)
    assert (byline.get("lang"), byline.get("dir")) == ("en", "ltr")
    english = etree.fromstring(z.read(base + "a1.xhtml"))
    assert english.get("dir") is None


def test_palette_on_cover_and_no_cover_option(project):
    from io import BytesIO

    from PIL import Image

    folder = project("basic")
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text() + '\n[theme]\npaper = "#003366"\n')
    z, opf, base = _open(_build(folder))
    cover = opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    with Image.open(BytesIO(z.read(base + cover.get("href")))) as img:
        r, g, b = img.convert("RGB").getpixel((800, 1200))
        assert abs(r - 0x00) < 12 and abs(g - 0x33) < 12 and abs(b - 0x66) < 12
    toml.write_text(toml.read_text() + '\n[epub]\ncover = false\n')
    path = _build(folder)
    register_epub(path)
    z, opf, base = _open(path)
    assert opf.find("opf:manifest/opf:item[@properties='cover-image']", NS) is None
    assert "cover.xhtml" not in z.namelist()[0:0] + [n.split("/")[-1] for n in z.namelist()]
