"""The command line as a user meets it: outputs, printed paths, one-line errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, SHARED_SEED, copy_samples, register_epub, run_cli

SCRAPED = """Home
News
Sport
Tuesday, Nov 24, 2026
Edit Content
Reading: Ferry Timetable Changes for Winter
- Advertisement -

Ferry Timetable Changes for Winter

Jonas Berg
Jonas Berg 12 Views

The harbour ferry will run every forty minutes instead of every half hour from December, the operator said on Monday, citing lower demand during the dark months of the year.

Commuters who rely on the early boat will not notice a change, because the first two departures of the morning keep their current times and the last boat still leaves at eleven.

The operator promised to review the timetable in March and to restore the half-hourly service as soon as passenger numbers recover in spring.

Share This Article
- Advertisement -
"""


def _one_line_error(result, code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("newsbook: error: ")
    return lines[0]


def test_build_samples_from_any_folder(tmp_path):
    out = tmp_path / "out"
    result = run_cli("build", str(copy_samples(tmp_path)), "-o", str(out / "x.epub"), "-o", str(out / "x.pdf"),
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(out / "x.epub"), str(out / "x.pdf")]
    assert (out / "x.epub").stat().st_size > 10_000 and (out / "x.pdf").stat().st_size > 10_000
    assert "Traceback" not in result.stderr
    register_epub(out / "x.epub")


def test_project_build_writes_configured_formats(project):
    folder = project("basic")
    result = run_cli("build", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [Path(p).name for p in report["outputs"]] == ["test-gazette-007.epub",
                                                         "test-gazette-007.pdf"]
    assert report["articles"] == 4 and report["sections"] == 2 and report["failures"] == []
    register_epub(Path(report["outputs"][0]))


def test_output_dir_keeps_default_names(project, tmp_path):
    folder = project("basic")
    result = run_cli("build", str(folder), "-d", str(tmp_path / "out"), "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(tmp_path / "out" / "test-gazette-007.epub")]


def test_ad_hoc_build_from_files(tmp_path):
    (tmp_path / "one.md").write_text("# First\n\nSome text.\n")
    (tmp_path / "two.txt").write_text(SCRAPED)
    result = run_cli("build", "one.md", "two.txt", "-o", "digest.epub", "--title", "Digest",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "digest.epub").exists()
    register_epub(tmp_path / "digest.epub")


def test_broken_source_is_skipped_unless_strict(tmp_path):
    (tmp_path / "good.md").write_text("# Good\n\nText.\n")
    (tmp_path / "empty.md").write_text("")
    result = run_cli("build", "good.md", "empty.md", "-o", "x.epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "empty.md" in result.stderr and "warning" in result.stderr
    assert (tmp_path / "x.epub").exists()
    before = (tmp_path / "x.epub").read_bytes()
    strict = run_cli("build", "good.md", "empty.md", "-o", "x.epub", "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert (tmp_path / "x.epub").read_bytes() == before  # the last good output is kept


@pytest.mark.parametrize("args, needle", [
    (["build", "missing.md", "-o", "x.epub"], "missing.md: no such file"),
    (["build", "a.md", "-o", "x.docx"], "cannot tell the format"),
    (["build"], "no newsbook.toml here"),
    (["build", "a.md", "-o", "x.epub", "--since", "last tuesday-ish"],
     "--since must be a date (YYYY-MM-DD) or a span such as \"7 days\", not 'last tuesday-ish'"),
    (["list", "a.md", "--until", "soon"], "--until must be a date"),
    (["build", "a.md", "-o", "x.epub", "--since", "2026-11-27", "--until", "2026-11-20"],
     "the window is reversed: since '2026-11-27' (2026-11-27 00:00 UTC) is not before until "
     "'2026-11-20'"),
    (["list", "a.md", "--since", "3 days", "--until", "10 days"], "the window is reversed"),
])
def test_user_errors_are_one_line_exit_2(tmp_path, args, needle):
    (tmp_path / "a.md").write_text("# A\n\nText.\n")
    (tmp_path / "a.xyz").write_text("text")
    line = _one_line_error(run_cli(*args, cwd=tmp_path), 2)
    assert needle in line


@pytest.mark.parametrize("toml, needle", [
    ('[issue]\ntitle = "T"\ncolour = "red"\n', "unknown key 'issue.colour'"),
    ('[issue]\nnumber = "seven"\n', "'issue.number' must be an integer"),
    ('[build]\nformats = ["docx"]\n', "'build.formats' must be one of"),
    ('[issue\ntitle = "T"\n', "invalid TOML"),
    ('[issue]\ndate = "2026-13-45"\n', "'issue.date' must be a date"),
    ('[[sources]]\npath = "missing-folder"\n', "'sources[1].path': no such file or folder"),
    ('[[sources]]\nlinks = "nope.txt"\n', "'sources[1].links': cannot read"),
    ('[[sources]]\nsection = "X"\n', "sources[1] needs exactly one of path, url"),
])
def test_config_errors_name_file_and_key(tmp_path, toml, needle):
    (tmp_path / "newsbook.toml").write_text(toml)
    line = _one_line_error(run_cli("build", cwd=tmp_path), 2)
    assert needle in line and "newsbook.toml" in line


def test_nothing_readable_is_exit_1_with_the_reason(tmp_path):
    (tmp_path / "a.xyz").write_text("text")
    line = _one_line_error(run_cli("build", "a.xyz", "-o", "x.epub", cwd=tmp_path), 1)
    assert "no reader for '.xyz'" in line and not (tmp_path / "x.epub").exists()


def test_extract_json(tmp_path):
    (tmp_path / "ferry.txt").write_text(SCRAPED)
    (tmp_path / "note.md").write_text("---\ntitle: Note\nauthor: A. Writer\ndate: 2026-11-20\n"
                                      "url: https://example.org/n\nlang: en\n---\n\nHello *there*.\n")
    result = run_cli("extract", "ferry.txt", "note.md", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ferry, note = json.loads(result.stdout)
    assert ferry["title"] == "Ferry Timetable Changes for Winter"
    assert ferry["authors"] == ["Jonas Berg"]
    assert ferry["published"].startswith("2026-11-24")
    paragraphs = ferry["text"].split("\n\n")
    assert len(paragraphs) == 3 and paragraphs[0].startswith("The harbour ferry")
    for chrome in ("Edit Content", "Advertisement", "Reading:", "Views", "Share This Article"):
        assert chrome not in ferry["text"]
    assert set(note) >= {"title", "authors", "published", "url", "site", "language", "text", "html"}
    assert note["url"] == "https://example.org/n" and note["language"] == "en"
    assert note["html"] == "<p>Hello <em>there</em>.</p>\n"


def test_extract_failure_gives_error_object_and_exit_1(tmp_path):
    (tmp_path / "ok.md").write_text("# OK\n\nText.\n")
    result = run_cli("extract", "ok.md", "nope.html", cwd=tmp_path)
    assert result.returncode == 1
    ok, bad = json.loads(result.stdout)
    assert ok["title"] == "OK" and "error" not in ok
    assert bad["source"] == "nope.html" and "no such file" in bad["error"]


@pytest.mark.skipif(not SHARED_SEED.exists(), reason="shared corpus not present")
def test_extract_shared_seed_article():
    result = run_cli("extract", str(SHARED_SEED), "--format", "json")
    assert result.returncode == 0, result.stderr
    (item,) = json.loads(result.stdout)
    assert item["title"] == ("Rare Public Visit: North Korean Officials Make Uncommon "
                             "Appearance in Iran")
    assert item["authors"] == ["Ehabahe Lawani"]
    assert item["published"].startswith("2024-11-23")
    paragraphs = item["text"].split("\n\n")
    body_lines = [line for line in SHARED_SEED.read_text().splitlines() if len(line) > 150]
    assert paragraphs == [line.strip() for line in body_lines]
    for chrome in ("Edit Content", "Advertisement", "Reading:", "Views", "Share This Article"):
        assert chrome not in item["text"]


def test_version_and_help():
    assert run_cli("--version").stdout.startswith("newsbook, version")
    help_text = run_cli("build", "--help").stdout
    assert "Examples:" in help_text and "--output" in help_text


def test_readme_starts_with_the_two_commands():
    head = (REPO / "README.md").read_text().split("\n\n", 3)
    assert "make demo" in "\n".join(head[:3]) and "make test" in "\n".join(head[:3])


def test_a_closed_pipe_is_not_an_error(tmp_path):
    import subprocess
    import sys

    (tmp_path / "a.md").write_text("# A\n\n" + "Text. " * 50 + "\n")
    reader = subprocess.Popen([sys.executable, "-m", "newsbook", "extract", *["a.md"] * 200],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.read(100)
    reader.stdout.close()  # like `| head -c 100`
    stderr = reader.stderr.read().decode()
    assert reader.wait(timeout=60) == 0 and "Traceback" not in stderr and stderr == ""


def test_help_and_cli_import_nothing_heavy():
    import subprocess
    import sys

    heavy = ("weasyprint", "trafilatura", "requests", "ebooklib", "lxml", "PIL", "babel",
             "feedparser", "nh3", "markdown_it", "jinja2", "ftfy", "dateparser")
    code = ("import sys, runpy; sys.argv = ['newsbook', '--help']\n"
            "try:\n    runpy.run_module('newsbook', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            f"print([m for m in {heavy!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_is_taken_before_and_after_the_command(tmp_path, where):
    (tmp_path / "a.md").write_text("# A\n\nText.\n")
    args = ["build", "a.md", "-o", "x.epub", "--since", "nope"]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("newsbook: error: --since")
    assert "Traceback" not in run_cli(*[a for a in args if a != "--debug"], cwd=tmp_path).stderr


def test_list_with_everything_filtered_out_says_so_and_exits_0(project):
    folder = project("basic")
    result = run_cli("list", str(folder), "--since", "2030-01-01")
    assert result.returncode == 0, result.stderr
    head = result.stdout.splitlines()[0]
    assert head == "Test Gazette No. 7: no article matches the window and filters (all 4 left out; why below)"
    assert "published before 2030-01-01" in result.stdout and result.stderr == ""
    report = json.loads(run_cli("list", str(folder), "--since", "2030-01-01", "--json").stdout)
    assert report["issue"] is None and report["included"] == [] and len(report["left_out"]) == 4
    built = run_cli("build", str(folder), "--since", "2030-01-01")
    assert built.returncode == 1 and "nothing was built" in built.stderr  # a build still fails


def _dc_title(epub: Path) -> str:
    import zipfile

    from lxml import etree

    opf = etree.fromstring(zipfile.ZipFile(epub).read("EPUB/content.opf"))
    return opf.findtext(".//{http://purl.org/dc/elements/1.1/}title")


def test_an_ad_hoc_book_is_named_after_its_folder_or_site(tmp_path):
    from webserver import FixtureServer

    notes = tmp_path / "harbour-notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\nText.\n")
    (notes / "b.md").write_text("# B\n\nMore text.\n")
    day = {"SOURCE_DATE_EPOCH": "1796126400", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = run_cli("build", "harbour-notes", "-o", "folder.epub", cwd=tmp_path, env=day)
    assert result.returncode == 0, result.stderr
    assert _dc_title(register_epub(tmp_path / "folder.epub")) == "Harbour Notes — December 1, 2026"
    result = run_cli("build", "harbour-notes/a.md", "harbour-notes/b.md", "-o", "files.epub",
                     cwd=tmp_path, env=day)
    assert _dc_title(register_epub(tmp_path / "files.epub")).startswith("Harbour Notes — ")
    server = FixtureServer()
    try:
        body = "".join(f"<p>Paragraph {i} of a story about the harbour, the ferry and the "
                       "council, long enough to be read as an article.</p>" for i in range(8))
        named = server.add("/story", "<!DOCTYPE html><html lang='en'><head><title>Story</title>"
                           "<meta property='og:site_name' content='Harbour Herald'></head>"
                           f"<body><article><h1>Story</h1>{body}</article></body></html>")
        bare = server.add("/bare", "<!DOCTYPE html><html lang='en'><head><title>Bare</title>"
                          f"</head><body><article><h1>Bare</h1>{body}</article></body></html>")
        result = run_cli("build", named, "harbour-notes/a.md", "-o", "web.epub", cwd=tmp_path,
                         env=day)
        assert result.returncode == 0, result.stderr
        assert _dc_title(register_epub(tmp_path / "web.epub")) == "Harbour Herald — December 1, 2026"
        result = run_cli("build", bare, "-o", "host.epub", cwd=tmp_path, env=day)
        assert result.returncode == 0, result.stderr
        assert _dc_title(register_epub(tmp_path / "host.epub")).startswith("127.0.0.1:")
    finally:
        server.stop()
