"""A series from one project: moving window, numbering, cross-issue memory, dedup, metadata."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree
from pypdf import PdfReader

from conftest import register_epub, run_cli

WORDS = ("harbour ferry council library market bridge tram museum school garden river square "
         "bakery station theatre festival budget repair volunteer lighthouse").split()


def body(seed: int) -> str:
    """Distinct text per story, so only deliberate copies count as the same story."""
    import random

    rng = random.Random(seed)
    return "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(45)).capitalize() + "."
                       for _ in range(3))


def story(folder: Path, name: str, title: str, day: str, seed: int, url: str | None = None):
    meta = f"title: {title}\ndate: {day}\nauthor: Desk\n" + (f"url: {url}\n" if url else "")
    (folder / f"{name}.md").write_text(f"---\n{meta}---\n\n{body(seed)}\n")


def epoch(day: str) -> str:
    moment = datetime.fromisoformat(day).replace(hour=12, tzinfo=timezone.utc)
    return str(int(moment.timestamp()))


def make_project(tmp_path: Path) -> Path:
    root = tmp_path / "series"
    news, wire = root / "news", root / "wire"
    news.mkdir(parents=True)
    wire.mkdir()
    (root / "newsbook.toml").write_text("""
[issue]
title = "Harbour Weekly"
series = "Harbour Weekly Series"
number = "auto"
language = "en"

[build]
formats = ["epub", "pdf"]
since = "10 days"
order = "date-asc"

[[sources]]
path = "news"
section = "News"

[[sources]]
path = "wire"
section = "Wire"
""")
    # Week 1 (issue on Nov 7): two stories
    story(news, "a", "Ferry Timetable", "2026-11-02", 1, "https://e.org/ferry?utm_source=rss")
    story(news, "b", "Library Hours", "2026-11-05", 2)
    # Week 2 (issue on Nov 14): a new story, the ferry story again through a URL variant
    # in the other source, and a wire copy of a week-2 story under another title and URL
    story(news, "c", "Bridge Repairs", "2026-11-12", 3, "https://e.org/bridge")
    story(wire, "a-copy", "Ferry Timetable (wire)", "2026-11-06", 1, "https://www.e.org/ferry/")
    story(wire, "c-copy", "Repairs to the Bridge", "2026-11-12", 3, "https://wire.example.com/x")
    # Week 3 (issue on Nov 21): one story, and b is outside the window by then
    story(news, "d", "Market Returns", "2026-11-19", 4)
    return root


def build(root: Path, day: str, *args: str) -> dict:
    result = run_cli("build", str(root), "--json", *args, env={"SOURCE_DATE_EPOCH": epoch(day)})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    register_epub(Path(report["outputs"][0]))
    return report


def titles(report: dict) -> list[str]:
    return [a["title"] for a in report["included"]]


def test_three_issue_series(tmp_path):
    root = make_project(tmp_path)
    one = build(root, "2026-11-07")
    assert one["issue"]["number"] == 1
    # the wire copy of the ferry story is dated in week 1 too: same URL, so left out
    assert titles(one) == ["Ferry Timetable", "Library Hours"]
    assert {a["title"]: a["reason"] for a in one["left_out"]} == {
        "Ferry Timetable (wire)": "the same URL as an article before it",
        "Bridge Repairs": "published on or after 2026-11-08",
        "Repairs to the Bridge": "published on or after 2026-11-08",
        "Market Returns": "published on or after 2026-11-08",
    }

    two = build(root, "2026-11-14")
    assert two["issue"]["number"] == 2
    assert titles(two) == ["Bridge Repairs"]
    reasons = {a["title"]: a["reason"] for a in two["left_out"]}
    assert reasons["Library Hours"] == "already in an earlier issue"  # inside the 10-day window
    assert reasons["Ferry Timetable (wire)"] == "already in an earlier issue"  # URL variant
    assert reasons["Repairs to the Bridge"] == 'the same story as "Bridge Repairs"'

    again = build(root, "2026-11-14")  # a rebuild of the same issue is stable
    assert again["issue"]["number"] == 2 and titles(again) == titles(two)
    assert again["issue"]["identifier"] == two["issue"]["identifier"]

    three = build(root, "2026-11-21")
    assert three["issue"]["number"] == 3 and titles(three) == ["Market Returns"]
    assert len({one["issue"]["identifier"], two["issue"]["identifier"],
                three["issue"]["identifier"]}) == 3

    everything = build(root, "2026-11-21", "--include-seen", "--since", "2026-11-01", "-f", "epub")
    assert everything["issue"]["number"] == 3
    assert "Ferry Timetable" in titles(everything)

    # series metadata and contents structure of issue 2, in both formats
    epub, pdf = (Path(p) for p in two["outputs"])
    z = zipfile.ZipFile(epub)
    opf = etree.fromstring(z.read("EPUB/content.opf"))
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    collection = opf.find(".//opf:meta[@property='belongs-to-collection']", ns)
    assert collection.text == "Harbour Weekly Series"
    refines = {m.get("property"): m.text for m in
               opf.findall(f".//opf:meta[@refines='#{collection.get('id')}']", ns)}
    assert refines == {"collection-type": "series", "group-position": "2"}
    calibre = {m.get("name"): m.get("content") for m in opf.findall(".//opf:meta[@name]", ns)}
    assert calibre["calibre:series"] == "Harbour Weekly Series"
    assert calibre["calibre:series_index"] == "2"
    reader = PdfReader(pdf)
    outline = [(o.title if not isinstance(o, list) else [c.title for c in o])
               for o in reader.outline]
    assert outline == ["Contents", "News", ["Bridge Repairs"]]
    assert "Harbour Weekly Series No. 2" in reader.metadata["/Keywords"]
    # each issue has a title of its own (calibre and e-readers list books by it); the series
    # keeps the plain name
    assert dc_title(epub) == reader.metadata.title == "Harbour Weekly — No. 2, November 14, 2026"
    assert dc_title(Path(one["outputs"][0])) == "Harbour Weekly — No. 1, November 7, 2026"
    assert PdfReader(one["outputs"][1]).metadata.title == dc_title(Path(one["outputs"][0]))
    assert two["issue"]["book_title"] == dc_title(epub)


def dc_title(epub: Path) -> str:
    opf = etree.fromstring(zipfile.ZipFile(epub).read("EPUB/content.opf"))
    return opf.findtext(".//{http://purl.org/dc/elements/1.1/}title")


def test_title_format_names_the_books(tmp_path):
    root = make_project(tmp_path)
    config = root / "newsbook.toml"
    config.write_text(config.read_text().replace(
        'number = "auto"', 'number = "auto"\ntitle_format = "{series} {number:03d} ({isodate})"'))
    report = build(root, "2026-11-07", "--theme", "classic")
    epub, pdf = (Path(p) for p in report["outputs"])
    assert dc_title(epub) == PdfReader(pdf).metadata.title == "Harbour Weekly Series 001 (2026-11-07)"
    # the masthead keeps the plain title
    contents = etree.fromstring(zipfile.ZipFile(epub).read("EPUB/contents.xhtml"))
    texts = [t.strip() for t in contents.itertext() if t.strip()]
    assert "Harbour Weekly" in texts and dc_title(epub) not in texts


def test_list_shows_the_next_issue_without_building(tmp_path):
    root = make_project(tmp_path)
    build(root, "2026-11-07")
    result = run_cli("list", str(root), "--json", env={"SOURCE_DATE_EPOCH": epoch("2026-11-14")})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["issue"]["number"] == 2 and titles(report) == ["Bridge Repairs"]
    assert report["outputs"] == [] and not (root / "_build" / "harbour-weekly-002.epub").exists()
    text = run_cli("list", str(root), env={"SOURCE_DATE_EPOCH": epoch("2026-11-14")}).stdout
    assert "Bridge Repairs" in text and "already in an earlier issue" in text


def test_init_scaffolds_a_project_that_builds(tmp_path):
    result = run_cli("init", str(tmp_path / "new"), "--title", "Fresh Digest")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / "templates").is_dir()
    built = run_cli("build", str(tmp_path / "new"))
    assert built.returncode == 0, built.stderr
    epub = tmp_path / "new" / "_build" / "fresh-digest-001.epub"
    assert epub.exists() and epub.with_suffix(".pdf").exists()
    register_epub(epub)
    again = run_cli("init", str(tmp_path / "new"))
    assert again.returncode == 2 and "not empty" in again.stderr


def test_per_source_and_per_section_limits(tmp_path):
    root = tmp_path / "limits"
    (root / "notes").mkdir(parents=True)
    for i in range(5):
        tags = "[sport]" if i % 2 else "[city]"
        (root / "notes" / f"n{i}.md").write_text(
            f"---\ntitle: Note {i}\ndate: 2026-11-{10 + i}\ntags: {tags}\n---\n\n{body(100 + i)}\n")
    (root / "newsbook.toml").write_text("""
[issue]
title = "Limits"
date = "2026-11-20"

[build]
formats = ["epub"]

[[sections]]
title = "Sport"
tags = ["sport"]
max_articles = 1

[[sources]]
path = "notes"
section = "City"
max_articles = 4
""")
    result = run_cli("list", str(root), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # the folder keeps its 4 newest notes; the Sport section (by tag) keeps one of its two
    assert [(a["section"], a["title"]) for a in report["included"]] == [
        ("Sport", "Note 1"), ("City", "Note 2"), ("City", "Note 4")]
    assert {a["title"]: a["reason"] for a in report["left_out"]} == {
        "Note 0": "over the limit of 4 articles of its source",
        "Note 3": "over the limit of section Sport"}
