"""The terminal around a build: help with examples, --version, colours, progress, JSON, completion."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import register_epub, run_cli
from newsbook import __version__
from newsbook.cli.commands import main
from newsbook.cli.terminal import Progress, paint


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    assert main.commands, "no commands registered"
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert re.search(r"^\s*Examples?:", result.output, re.M), f"{name}: no example"
        assert re.search(rf"^\s+newsbook {name}\b", result.output, re.M), f"{name}: no example"


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"newsbook, version {__version__}"


def test_help_imports_no_heavy_module():
    # `newsbook --help` stays fast because the CLI imports only click at start.
    code = ("import sys, newsbook.cli.commands; print(' '.join(sorted({m.split('.')[0] for m in "
            "sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    heavy = {"weasyprint", "ebooklib", "lxml", "pypdf", "smtplib", "trafilatura", "requests",
             "jinja2", "PIL", "keyring"}
    assert not loaded & heavy, loaded & heavy


def test_no_color_turns_colours_off(monkeypatch, tmp_path):
    missing = str(tmp_path / "missing.pdf")
    runner = CliRunner()
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in paint("x", "red")
    coloured = runner.invoke(main, ["check", missing], color=True)
    assert coloured.exit_code == 1 and "\x1b[31m" in coloured.output
    monkeypatch.setenv("NO_COLOR", "1")
    assert paint("x", "red") == "x"
    plain = runner.invoke(main, ["check", missing], color=True)
    assert plain.exit_code == 1 and "\x1b[" not in plain.output
    assert plain.output.startswith("FAILED")


def test_progress_is_silent_when_stderr_is_not_a_terminal(project):
    folder = project("basic")
    result = run_cli("build", "-f", "epub", cwd=folder)
    assert result.returncode == 0, result.stderr
    register_epub(Path(result.stdout.strip()))
    assert "\r" not in result.stderr and "reading" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # the summary alone
    assert re.fullmatch(r"built 4 articles in 2 sections · EPUB \d+ KB", result.stderr.strip())


def test_progress_bars_on_a_terminal(project):
    folder = project("basic")
    primary, secondary = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    proc = subprocess.Popen([sys.executable, "-m", "newsbook", "build", "-f", "pdf"], cwd=folder,
                            env=env, stdout=subprocess.PIPE, stderr=secondary)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    out, _ = proc.communicate(timeout=300)
    os.close(primary)
    stderr = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, stderr
    for stage in ("reading", "cleaning", "rendering"):
        assert stage in stderr, stderr
    assert "4/4" in stderr and "1/1" in stderr  # four sources read, one output rendered
    assert out.decode().strip().endswith(".pdf")  # stdout stays the list of files


def test_progress_callback_disabled_draws_nothing(capsys):
    with Progress(enabled=False) as progress:
        progress("reading", 1, 2)
    assert capsys.readouterr().err == ""


def test_build_json_summary_and_verbose(project):
    folder = project("basic")
    result = run_cli("build", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    epub, pdf = data["files"]
    register_epub(Path(epub["path"]))
    from pypdf import PdfReader

    assert pdf["pages"] == len(PdfReader(pdf["path"]).pages) and "pages" not in epub
    assert data["sent"] == []
    # Rebuilt with nothing changed: -v lists every article, the summary says up to date.
    result = run_cli("build", "-v", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "  + [News] Bridge Reopens After Repairs" in result.stderr
    summary = result.stderr.strip().splitlines()[-1]
    # The rebuild took every article from the article cache, and says so.
    assert re.fullmatch(rf"built 4 articles in 2 sections \(4 from the article cache, 0 read\) · "
                        rf"{pdf['pages']} pages · EPUB \d+ KB, "
                        r"PDF \d+ KB · up to date, nothing rebuilt", summary), summary


@pytest.mark.parametrize("args", [["init", "{tmp}/new", "--json"], ["list", "{root}", "--json"],
                                  ["extract", "{root}/articles/news/bridge.md"]])
def test_json_output_parses(project, tmp_path, args):
    folder = project("basic")
    args = [a.format(tmp=tmp_path, root=folder) for a in args]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


def test_shell_completion_script():
    script = Path(sys.executable).parent / "newsbook"
    if not script.exists():
        pytest.skip("the newsbook entry point is not installed")
    result = subprocess.run([str(script)], env={**os.environ, "_NEWSBOOK_COMPLETE": "bash_source"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "_newsbook_completion" in result.stdout and "complete " in result.stdout
    words = subprocess.run([str(script)], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "_NEWSBOOK_COMPLETE": "bash_complete",
                                "COMP_WORDS": "newsbook ch", "COMP_CWORD": "1"})
    assert "plain,check" in words.stdout.split()


def test_error_prefix_is_red_unless_no_color(monkeypatch, tmp_path):
    runner = CliRunner()
    monkeypatch.delenv("NO_COLOR", raising=False)
    args = ["send", str(tmp_path / "a.epub"), "--to", "me@kindle.example"]
    coloured = runner.invoke(main, args, color=True)
    assert coloured.exit_code == 1 and "\x1b[31m" in coloured.stderr
    monkeypatch.setenv("NO_COLOR", "yes")
    plain = runner.invoke(main, args, color=True)
    assert plain.stderr.startswith("newsbook: error: no sender") and "\x1b[" not in plain.stderr


def test_collect_reports_progress_of_every_stage(tmp_path):
    """The callback sees each source read, each linked page and image fetched, in order."""
    from newsbook.build.collect import SourceSpec, collect
    from newsbook.sources.fetch import Fetcher
    from newsbook.sources.fetchtypes import FetchSettings

    from webserver import FixtureServer

    server = FixtureServer()
    try:
        base = server.base
        png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
               b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
               b"\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
        server.add("/pic.png", png, content_type="image/png")
        for name in ("one", "two"):
            server.add(f"/{name}", f"<html><head><title>Story {name}</title></head><body>"
                                   f"<article><h1>Story {name}</h1><p>{'Words here. ' * 40}</p>"
                                   f'<p><img src="/pic.png" alt="x"></p></article></body></html>')
        items = "".join(f"<item><title>Story {n}</title><link>{base}/{n}</link>"
                        f"<description>short</description></item>" for n in ("one", "two"))
        server.add("/feed.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>F'
                                f"</title>{items}</channel></rss>",
                   content_type="application/rss+xml")
        local = tmp_path / "a.md"
        local.write_text("# A local note\n\nText.\n", encoding="utf-8")
        calls = []
        with Fetcher(tmp_path / "cache.sqlite", FetchSettings(retries=0)) as fetcher:
            result = collect([SourceSpec("path", str(local)), SourceSpec("feed", f"{base}/feed.xml")],
                             fetcher, progress=lambda *call: calls.append(call))
    finally:
        server.stop()
    assert len(result.articles) == 3, result.failures
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == ["reading", "fetching pages", "fetching images"]
    for stage, total in (("reading", 2), ("fetching pages", 2), ("fetching images", 1)):
        counts = [(done, t) for s, done, t in calls if s == stage]
        assert counts == [(n, total) for n in range(1, total + 1)], (stage, counts)
