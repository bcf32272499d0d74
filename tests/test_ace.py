"""Ace by DAISY on the EPUBs the suite built, in one run at the end; any violation fails.

Ace takes a second or so per document (a headless Chromium runs axe on each), and the suite
builds a hundred books that mostly differ in their words. So every book is reduced to its
features: each element's name with its attribute names and the values Ace judges (epub:type,
role, lang, dir, class, table headers, whether an alt is empty), its stylesheets and package
metadata. Ace checks the few books that between them have every feature of all the books.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import BUILT_EPUBS, inaccessible_copy
from newsbook.builders import ace

ACE = ace.find_ace()
_EPUB_NS = "{http://www.idpf.org/2007/ops}"
# Attribute values that change what Ace says; any other value is only the book's content.
_VALUES = {"type", "role", "lang", "dir", "scope", "colspan", "rowspan", "headers", "class"}


def features(path: Path) -> set[str]:
    """What makes two books different to Ace: markup, styles and package metadata, not words."""
    parts: set[str] = set()
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            data = book.read(name)
            if name.endswith(".css"):
                parts.add("css " + hashlib.sha256(data).hexdigest())
            elif name.endswith((".xhtml", ".opf")):
                try:
                    root = etree.fromstring(data)
                except etree.XMLSyntaxError:
                    parts.add("malformed " + name)
                    continue
                parts.update(_elements(root, name.endswith(".opf")))
    return parts


def _elements(root, package: bool):
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        attributes = []
        for key, value in sorted(el.attrib.items()):
            local = etree.QName(key).localname
            if local in _VALUES or (package and local == "property"):
                attributes.append(f"{local}={value}")
            elif local == "alt":
                attributes.append("alt" if value.strip() else "alt=")
            else:
                attributes.append(local)
        yield f"{etree.QName(el).localname} {' '.join(attributes)}"


def representatives(paths: list[Path]) -> list[Path]:
    """Few books that between them show every feature any of the books has: greedily, the
    book bringing the most features not yet covered per document Ace must load."""
    found = {}
    for path in paths:
        with zipfile.ZipFile(path) as book:
            documents = sum(name.endswith(".xhtml") for name in book.namelist())
        found[path] = (features(path), max(documents, 1))
    covered: set[str] = set()
    chosen = []
    while found:
        best = max(found, key=lambda p: len(found[p][0] - covered) / found[p][1])
        if not found[best][0] - covered:
            break
        covered |= found.pop(best)[0]
        chosen.append(best)
    return chosen


def _report(results: dict[Path, ace.AceResult]) -> str:
    lines = []
    for path, result in results.items():
        if result.error is not None:
            lines.append(f"{path}: Ace could not check it: {result.error}")
        for v in result.violations:
            lines.append(f"{path}: {v}")
    return "\n".join(lines)


def test_features_ignore_words_but_not_markup(tmp_path):
    def book(name: str, body: str) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("EPUB/a.xhtml", f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{body}'
                                       "</body></html>")
        return path

    words = book("a.epub", '<p>One story.</p><img src="x.png" alt="A harbour"/>')
    other_words = book("b.epub", '<p>Another.</p><img src="y.png" alt="A ferry"/>')
    no_alt = book("c.epub", '<p>One story.</p><img src="x.png" alt=""/>')
    role = book("d.epub", '<section role="doc-chapter"><p>One story.</p></section>')
    bare = book("e.epub", "<section><p>One story.</p></section>")
    assert features(words) == features(other_words)
    assert len({frozenset(features(p)) for p in (words, no_alt, role, bare)}) == 4
    # the first two books have the same features: one stands for both
    chosen = representatives([words, other_words, no_alt, role, bare])
    assert len(chosen) == 4 and other_words not in chosen


READING_MATTER = """---
title: What the harbour ferries carry
date: 2026-03-12
---

Ferries carried more bikes than cars last month.[^1] The table and the script say how many.

## Counts

| Month | Bikes | Cars |
|-------|------:|-----:|
| Jan   | 1,204 |  980 |

```python
bikes = sum(day.bikes for day in january)
```

![A ferry at the quay, its deck full of bicycles](ferry.png)

[^1]: Counted at the Port Halden quay.
"""


@pytest.mark.parametrize("theme", ["modern", "classic"])
def test_footnotes_code_tables_and_images_are_built_for_ace(theme, tmp_path):
    """A book with what articles carry besides paragraphs, queued for Ace (and epubcheck)."""
    from PIL import Image

    from conftest import register_epub
    from newsbook.build import pipeline
    from newsbook.build.plan import plan_sources

    (tmp_path / "ferries.md").write_text(READING_MATTER, encoding="utf-8")
    Image.new("RGB", (60, 40), "teal").save(tmp_path / "ferry.png")
    out = tmp_path / f"ferries-{theme}.epub"
    plan = plan_sources([str(tmp_path / "ferries.md")], outputs=[out], theme=theme)
    report = pipeline.build(plan)
    assert report.outputs == [out] and not report.warnings, report.warnings
    with zipfile.ZipFile(register_epub(out)) as book:
        body = b"".join(book.read(n) for n in book.namelist() if n.endswith(".xhtml"))
    assert all(tag in body for tag in (b"<table", b"<pre", b"<img", b'href="#'))


# CI installs Ace (make test runs scripts/ace.sh): there a missing Ace is a failure, not a skip.
@pytest.mark.skipif(ACE.missing is not None and not os.environ.get("CI"), reason=ACE.missing or "")
@pytest.mark.epubcheck_batch
def test_every_built_epub_passes_ace(basic_build, tmp_path):
    assert ACE.missing is None, ACE.missing
    built = list(dict.fromkeys(p for p in BUILT_EPUBS if p.exists()))
    # NEWSBOOK_ACE_ALL=1 checks every book rather than the ones standing for all (minutes more).
    paths = built if os.environ.get("NEWSBOOK_ACE_ALL") else representatives(built)
    assert paths, "no EPUB was built"
    # A control: a book Ace must fault (no language on the package, a part without its role),
    # or a clean result means nothing.
    control = inaccessible_copy(basic_build[1], tmp_path / "faulty.epub")
    missing = tmp_path / "missing.epub"
    results = ace.run(paths + [control, missing])
    faulted = results.pop(control)
    assert {v.rule for v in faulted.violations} >= {"epub-lang", "epub-type-has-matching-role"}
    assert results.pop(missing).error  # a book Ace could not open is not a pass
    bad = {p: r for p, r in results.items() if r.violations or r.error is not None}
    assert not bad, f"Ace on {len(paths)} books standing for the {len(built)} built:\n" \
                    + _report(bad)


def test_a_missing_part_of_ace_is_named():
    found = ace.Ace("/usr/bin/node", Path("/opt/ace"), "/usr/bin/chromium")
    assert found.missing is None
    assert "not installed" in ace.Ace("/usr/bin/node", None, "/usr/bin/chromium").missing
    assert "Node" in ace.Ace(None, Path("/opt/ace"), "/usr/bin/chromium").missing
    assert "Chromium" in ace.Ace("/usr/bin/node", Path("/opt/ace"), None).missing
    with pytest.raises(RuntimeError, match="Chromium"):
        ace.run([Path("book.epub")], ace.Ace("/usr/bin/node", Path("/opt/ace"), None))
