"""Parallel PDF (builders/pdfparts): the same book as the single pass, and the part cache."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOTS = Path(__file__).parent / "roots"

WORDS = ("harbour council ferry library market bridge tram museum school garden river square "
         "bakery station theatre festival budget repair volunteer lighthouse report week city "
         "people said new old year plan work open time public local morning evening street "
         "engineers residents visitors traders teachers students announced explained").split()
# Small parts, so that a short issue is cut in many places (the real size is ~4 articles).
PART_WEIGHT = 5000


def _filler(folder: Path, section: str, count: int, seed: int) -> None:
    """Deterministic articles of a few hundred words, some long enough to span pages."""
    rng = random.Random(seed)
    for i in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 6))).title()
        paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))).capitalize()
                      + "." for _ in range(rng.randint(4, 14))]
        (folder / section / f"{i + 1:02d}-{section}.md").write_text(
            f"---\ntitle: \"{title}\"\nauthors: [Writer {i % 5}]\ndate: 2026-03-{1 + i:02d}\n"
            f"---\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def _long_project(folder: Path) -> Path:
    shutil.copytree(ROOTS / "long", folder)
    _filler(folder / "articles", "world", 9, seed=1)
    _filler(folder / "articles", "notes", 6, seed=2)
    return folder


def _build(folder: Path, jobs: int):
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod

    plan = plan_mod.plan_project(config_mod.load(folder / "newsbook.toml"))
    plan.jobs = jobs
    report = pipeline.build(plan)
    return report, report.outputs[0]


def _rebuild(folder: Path, jobs: int = 2):
    """Build again, past the up-to-date check (the PDF itself must be made again)."""
    (folder / ".newsbook" / "outputs.json").unlink(missing_ok=True)
    return _build(folder, jobs)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The same issue built in one pass (1 job, empty cache) and in parts (2 jobs)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("newsbook.speed.pdfparts.PART_WEIGHT", PART_WEIGHT)
        single = _build(_long_project(tmp_path_factory.mktemp("single") / "long"), jobs=1)
        parallel = _build(_long_project(tmp_path_factory.mktemp("parallel") / "long"), jobs=2)
    return single, parallel


def _outline(reader: PdfReader):
    """[(depth, title, page (1-based), left, top)] in document order."""
    def walk(items, depth=0):
        out = []
        for item in items:
            if isinstance(item, list):
                out.extend(walk(item, depth + 1))
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item) + 1,
                            round(float(item.left), 1), round(float(item.top), 1)))
        return out
    return walk(reader.outline)


def _links(reader: PdfReader):
    """{(page, rect, target page, target top)} of every internal link."""
    named = reader.named_destinations
    out = set()
    for number, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                dest = named[str(annot["/Dest"])]
                out.add((number, tuple(round(float(v)) for v in annot["/Rect"]),
                         reader.get_destination_page_number(dest) + 1, round(float(dest.top))))
    return out


def test_paths_taken(both):
    (single_report, _), (parallel_report, _) = both
    assert not single_report.pdf_parallel
    assert parallel_report.pdf_parallel
    assert parallel_report.pdf_chunks_hit == 0
    assert parallel_report.pdf_chunks_rendered >= 5  # several runs of articles and the front


def test_same_pages_outline_and_links(both):
    (_, single_pdf), (_, parallel_pdf) = both
    one, two = PdfReader(single_pdf), PdfReader(parallel_pdf)
    assert len(one.pages) == len(two.pages) > 17
    assert [tuple(p.mediabox) for p in one.pages] == [tuple(p.mediabox) for p in two.pages]
    outline = _outline(one)
    assert outline == _outline(two)
    assert [t for d, t, *_ in outline if d == 0] == ["Contents", "World", "Notes"]
    assert len([t for d, t, *_ in outline if d == 1]) == 17
    links = _links(one)
    assert links == _links(two)
    # the contents and the front page link to every article, across parts
    article_pages = {p for d, _t, p, *_ in outline if d == 1}
    assert article_pages <= {target for _p, _r, target, _top in links}


def test_same_text_on_every_page(both):
    """Body, running heads and page numbers: word for word the same on each page."""
    (_, single_pdf), (_, parallel_pdf) = both
    for number, (a, b) in enumerate(zip(PdfReader(single_pdf).pages,
                                        PdfReader(parallel_pdf).pages), 1):
        assert sorted(a.extract_text().split()) == sorted(b.extract_text().split()), number


def test_contents_numbers_footers_and_running_heads(both):
    _, (_, pdf) = both
    reader = PdfReader(pdf)
    outline = _outline(reader)
    contents = reader.pages[outline[0][2] - 1].extract_text()
    articles = [(t, p) for d, t, p, *_ in outline if d == 1]
    for title, page in articles:
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.M)
        assert match and int(match.group(1)) == page, title
    ends = [p for _t, p in articles[1:]] + [len(reader.pages) + 1]
    for (title, start), end in zip(articles, ends):
        for number in range(start, end):
            text = reader.pages[number - 1].extract_text()
            lines = [line.strip() for line in text.splitlines()]
            assert str(number) in lines, number  # the footer counts on across parts
            assert "Long Gazette" in text and title in text, number  # the running head
    assert "Long Gazette" not in reader.pages[0].extract_text().splitlines()[1:]


def test_metadata_kept(both):
    (_, single_pdf), (_, parallel_pdf) = both
    one, two = PdfReader(single_pdf), PdfReader(parallel_pdf)
    assert dict(one.metadata) == dict(two.metadata)
    assert two.metadata.title == "Long Gazette — No. 3, March 21, 2026"
    assert "Ada Lovelace" in two.metadata.author
    assert two.metadata.subject == "An issue of many articles built by the tests."
    assert two.trailer["/Root"]["/Lang"] == one.trailer["/Root"]["/Lang"] == "en"
    assert two.trailer["/ID"][0] == one.trailer["/ID"][0]


@pytest.fixture
def cached(tmp_path, monkeypatch):
    """A long project built once in parts, and its first report."""
    monkeypatch.setattr("newsbook.speed.pdfparts.PART_WEIGHT", PART_WEIGHT)
    folder = _long_project(tmp_path / "long")
    report, _pdf = _build(folder, jobs=2)
    return folder, report


def _parts(report) -> int:
    return report.pdf_chunks_hit + report.pdf_chunks_rendered


def test_unchanged_rebuild_hits_every_part(cached):
    folder, first = cached
    report, pdf = _rebuild(folder)
    assert report.pdf_parallel and report.pdf_chunks_rendered == 0
    assert report.pdf_chunks_hit == first.pdf_chunks_rendered
    assert len(PdfReader(pdf).pages) > 17
    # one job is enough to merge what is cached: the parts path is still taken
    report, _ = _rebuild(folder, jobs=1)
    assert report.pdf_parallel and report.pdf_chunks_rendered == 0


def test_parallel_build_is_reproducible(cached):
    from newsbook.build.state import pdf_part_cache

    folder, _first = cached
    pdf = folder / "_build" / "long-gazette-003.pdf"
    before = pdf.read_bytes()
    shutil.rmtree(pdf_part_cache(folder))
    report, pdf = _rebuild(folder)
    assert report.pdf_chunks_hit == 0 and pdf.read_bytes() == before


def test_article_edit_renders_its_part_and_the_front(cached):
    folder, first = cached
    article = folder / "articles" / "world" / "03-world.md"
    text = article.read_text(encoding="utf-8")
    words = text.split("---\n", 2)[2].split()
    article.write_text(text.replace(f" {words[5]} ", f" {words[5].upper()} ", 1),
                       encoding="utf-8")
    report, pdf = _rebuild(folder)
    assert report.pdf_chunks_rendered == 2  # the edited article's part, and the contents
    assert report.pdf_chunks_hit == _parts(first) - 2
    assert words[5].upper() in "".join(p.extract_text() for p in PdfReader(pdf).pages)


def test_metadata_change_renders_only_the_front(cached):
    folder, first = cached
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text().replace("An issue of many", "An issue of very many"))
    report, pdf = _rebuild(folder)
    assert report.pdf_chunks_rendered == 1
    assert report.pdf_chunks_hit == _parts(first) - 1
    assert PdfReader(pdf).metadata.subject == "An issue of very many articles built by the tests."


def test_setting_change_renders_everything(cached):
    folder, first = cached
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text().replace('output_dir = "_build"',
                                             'output_dir = "_build"\npage_size = "A5"'))
    report, pdf = _rebuild(folder)
    assert report.pdf_chunks_hit == 0 and report.pdf_chunks_rendered >= 5
    box = PdfReader(pdf).pages[5].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)


def test_template_change_renders_everything(cached):
    from newsbook.render.environment import builtin_templates

    folder, first = cached
    (folder / "templates").mkdir()
    css = (builtin_templates() / "print.css").read_text()
    (folder / "templates" / "print.css").write_text(css.replace("font-size: 10.5pt",
                                                                "font-size: 11pt"))
    report, _pdf = _rebuild(folder)
    assert report.pdf_chunks_hit == 0 and report.pdf_chunks_rendered >= 5


def test_damaged_cache_entry_is_rendered_again(cached):
    from newsbook.build.state import pdf_part_cache

    folder, first = cached
    entries = sorted(pdf_part_cache(folder).glob("*.pdf"))
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:200])  # torn
    report, pdf = _rebuild(folder)
    assert report.pdf_chunks_hit == 0
    assert len(PdfReader(pdf).pages) > 17


def test_variants_and_side_dependent_css_use_one_pass(cached):
    from newsbook.render.environment import builtin_templates

    folder, _first = cached
    toml = folder / "newsbook.toml"
    original = toml.read_text()
    toml.write_text(original + '\n[pdf]\nvariant = "pdf/ua-1"\n')
    report, pdf = _rebuild(folder)
    assert not report.pdf_parallel
    assert "/StructTreeRoot" in PdfReader(pdf).trailer["/Root"]
    toml.write_text(original)
    (folder / "templates").mkdir()
    css = (builtin_templates() / "print.css").read_text()
    (folder / "templates" / "print.css").write_text(css + "\n@page :left { margin-left: 30mm; }\n")
    report, _pdf = _rebuild(folder)
    assert not report.pdf_parallel


def test_split_keeps_cuts_when_one_article_changes():
    from newsbook.speed.pdfparts.split import split_issue

    def issue(bodies):
        articles = "".join(f'<article class="article" id="a{i}"><h2>Title {i}</h2>'
                           f"<p>{body}</p></article>" for i, body in enumerate(bodies))
        return (f"<!DOCTYPE html><html lang='en'><head><title>T</title></head><body>"
                f"<section class='front'><a href='#a0'>x</a></section>"
                f"<section class='section' id='s'>{articles}</section></body></html>")

    bodies = ["word " * 400 for _ in range(30)]
    before = split_issue(issue(bodies), 4000)
    bodies[12] = bodies[12].replace("word", "WORD", 1)
    after = split_issue(issue(bodies), 4000)
    assert [p.ids for p in before.parts] == [p.ids for p in after.parts]
    assert sum(a.html != b.html for a, b in zip(before.parts, after.parts)) == 1
    assert before.front_refs == ["a0"]


def test_articles_running_on_use_one_pass(cached):
    """A theme whose articles do not start on a new page cannot be laid out in parts."""
    from newsbook.render.environment import builtin_templates

    folder, _first = cached
    (folder / "templates").mkdir()
    css = (builtin_templates() / "print.css").read_text()
    (folder / "templates" / "print.css").write_text(
        css.replace(".article + .article { break-before: page; }", ""))
    report, pdf = _rebuild(folder)
    assert not report.pdf_parallel
    outline = _outline(PdfReader(pdf))
    starts = [p for d, _t, p, *_ in outline if d == 1]
    assert len(set(starts)) < len(starts)  # articles share pages, as the theme asks


def test_split_refuses_what_it_cannot_reproduce():
    from newsbook.speed.pdfparts.split import Unsplittable, check_css, split_issue

    article = "<article id='a'><h2>A</h2><p>x</p></article>"
    with pytest.raises(Unsplittable):  # no front matter
        split_issue(f"<html><head></head><body><section>{article}</section></body></html>", 100)
    with pytest.raises(Unsplittable):  # an article outside a section
        split_issue(f"<html><head></head><body><nav></nav><section>{article}</section>"
                    f"{article}</body></html>", 100)
    for css in ("@page :left { margin: 1cm }", "h2 { break-before: right }",
                "@page { @bottom-center { content: counter(page) ' / ' counter(pages) } }",
                "li { counter-increment: item }"):
        with pytest.raises(Unsplittable):
            check_css([css])
    check_css(["p { text-align: left } /* :left */", "@page :first { margin: 1cm }"])


def test_build_process_never_imports_weasyprint(tmp_path):
    """Workers fork from a server that imports WeasyPrint; the build process itself does not."""
    import subprocess
    import sys

    folder = _long_project(tmp_path / "long")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from newsbook.build import config, pipeline, plan as plan_mod\n"
        "import newsbook.speed.pdfparts as parts\n"
        f"parts.PART_WEIGHT = {PART_WEIGHT}\n"
        f"plan = plan_mod.plan_project(config.load(Path({str(folder / 'newsbook.toml')!r})))\n"
        "plan.jobs = 2\n"
        "report = pipeline.build(plan)\n"
        "print(report.pdf_parallel, report.pdf_chunks_rendered, 'weasyprint' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    parallel, rendered, imported = result.stdout.split()
    assert parallel == "True" and int(rendered) > 3
    assert imported == "False"
    assert len(PdfReader(folder / "_build" / "long-gazette-003.pdf").pages) > 17


def test_workers_are_started_before_the_sources_are_read(tmp_path, monkeypatch):
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod
    from newsbook.speed import shortcuts

    calls = []
    monkeypatch.setattr(shortcuts, "start_pdf_workers",
                        lambda jobs, variant, outputs: calls.append(("start", jobs)))
    real_prepare = pipeline.prepare
    monkeypatch.setattr(pipeline, "prepare",
                        lambda *a, **k: calls.append(("read", None)) or real_prepare(*a, **k))
    plan = plan_mod.plan_project(config_mod.load(_long_project(tmp_path / "long")
                                                 / "newsbook.toml"))
    plan.jobs = 3
    pipeline.build(plan)
    assert calls == [("start", 3), ("read", None)]


def test_a_misjudged_front_is_laid_out_again_with_its_layers(cached, monkeypatch):
    """Layers laid out from a wrong idea of the front matter are not used: same book."""
    from newsbook.speed import pdfparts

    folder, _first = cached
    expected = [page.extract_text() for page in
                PdfReader(folder / "_build" / "long-gazette-003.pdf").pages]
    real = pdfparts._front_hint

    def one_page_too_many(hint):
        pages = real(hint)
        assert pages, "the first build left the front's pages in the cache"
        return [*pages, {**pages[-1], "strings": [["article-title", "Nowhere"]]}]

    monkeypatch.setattr(pdfparts, "_front_hint", one_page_too_many)
    report, pdf = _rebuild(folder)
    assert report.pdf_parallel
    assert [page.extract_text() for page in PdfReader(pdf).pages] == expected


def _issue(head: str, body_extra: str = "") -> str:
    articles = "".join(f"<article id='a{i}'><h2>A{i}</h2><p>x</p></article>" for i in range(3))
    return (f"<!DOCTYPE html><html><head>{head}</head><body><nav><a href='#a1'>A1</a></nav>"
            f"<section class='section'>{articles}</section>{body_extra}</body></html>")


def test_stylesheets_are_taken_out_of_the_documents_in_order():
    from newsbook.speed.pdfparts.split import LAYER_CSS, NO_MARGINS_CSS, split_issue

    head = ("<style>@page { size: A5 }</style><link rel='stylesheet' href='print.css'>"
            "<link rel='icon' href='x.png'><style type='text/x-other'>ignored</style>")
    split = split_issue(_issue(head), 10, detach=True)
    assert split.sheets == (("text", "@page { size: A5 }"), ("url", "print.css"),
                            ("text", NO_MARGINS_CSS))
    assert split.layer_sheets == (*split.sheets[:2], ("text", LAYER_CSS))
    for html in [*(p.html for p in split.parts), split.front_html_parts[0], split.layer_head]:
        assert "size: A5" not in html and "print.css" not in html and "content: none" not in html
        assert "x.png" in html  # not a stylesheet: stays
    # without detach, every document keeps its own
    kept = split_issue(_issue(head), 10)
    assert kept.sheets == () and all("print.css" in p.html for p in kept.parts)


@pytest.mark.parametrize("head, body_extra", [
    ("<link rel='stylesheet' href='print.css' media='print'>", ""),
    ("<style>p { color: red }</style>", "<style>p { color: blue }</style>"),
    ("<style>@layer base { p { color: red } }</style>", ""),
    ("<base href='https://elsewhere.invalid/'><style>p { color: red }</style>", ""),
])
def test_stylesheets_stay_where_moving_them_could_change_the_cascade(head, body_extra):
    from newsbook.speed.pdfparts.split import split_issue

    split = split_issue(_issue(head, body_extra), 10, detach=True)
    assert split.sheets == () and split.layer_sheets == ()
    assert all("<style" in p.html or "<link" in p.html for p in split.parts)


def test_workers_leave_no_temporary_files(tmp_path):
    """WeasyPrint copies a worker's fonts into a temporary folder: the build's, removed after."""
    from newsbook.builders.pdf import BASE_URL
    from newsbook.speed.pdfparts import PartCache, _Runner

    font = (ROOTS.parent.parent / "templates" / "fonts" / "SourceSerifPro-Regular.ttf")
    served = {BASE_URL + "f.ttf": (font.read_bytes(), "font/ttf")}
    sheets = (("text", '@font-face { font-family: "T"; src: url("f.ttf") } p { font: 9pt T }'),)
    with _Runner(served, 2, PartCache(None), [], sheets) as runner:
        piece, _hit = runner.submit("part", "<p>Hello</p>")[1].result()
        assert piece.info["pages"]
        scratch = Path(runner.scratch.name)
        assert [p.name[:11] for p in scratch.iterdir()] == ["weasyprint-"]
    assert not scratch.exists()


def test_workers_start_early_only_when_a_pdf_will_be_laid_out(tmp_path, monkeypatch):
    from newsbook.speed import shortcuts
    from newsbook.speed.pdfparts import pool

    started = []
    monkeypatch.setattr(pool, "start", lambda: started.append(True))
    built, missing = tmp_path / "built.pdf", tmp_path / "new.pdf"
    built.write_bytes(b"%PDF-")
    for jobs, variant, outputs, expected in [
            (2, None, [missing], True),
            (2, None, [built, missing], True),
            (2, None, [built, tmp_path / "built.epub"], False),  # may well be up to date
            (1, None, [missing], False),  # one job: the single pass
            (2, "pdf/a-3u", [missing], False)]:  # variants are laid out in one pass
        started.clear()
        shortcuts.start_pdf_workers(jobs, variant, outputs)
        assert started == ([True] if expected else []), (jobs, variant, outputs)
