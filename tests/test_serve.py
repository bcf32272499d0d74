"""newsbook serve: a real server on 127.0.0.1, real files changed, the served page polled."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import html5lib
import pytest

from conftest import REPO, ROOTS

TIMEOUT = 90  # seconds to wait for a rebuild: generous, the machine is shared


def wait_for(condition, what: str, timeout: float = TIMEOUT):
    """Poll until condition() is truthy (and return it); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def get(url: str, headers: dict | None = None, method: str = "GET"):
    """(status, body bytes) of a request, errors included."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def status(preview) -> dict:
    return json.loads(get(preview.url + "__newsbook__/status")[1])


@pytest.fixture
def served(project):
    """The basic project served on a free loopback port; yields (folder, preview, results)."""
    from newsbook.serve import Preview

    folder = project("basic")
    results = []
    preview = Preview(folder, port=0, on_build=results.append)
    with preview:
        wait_for(lambda: status(preview)["version"] >= 1, "the first build")
        yield folder, preview, results
    assert not [t for t in threading.enumerate() if t.name.startswith("newsbook-")]


def page_with(preview, text: str) -> bytes | None:
    code, body = get(preview.url)
    return body if code == 200 and text.encode() in body else None


def test_serves_the_issue_with_reload_script(served):
    folder, preview, results = served
    assert preview.url.startswith("http://127.0.0.1:") and preview.loopback
    code, body = get(preview.url)
    assert code == 200
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(body)
    titles = [h.text for h in doc.iter("h2") if h.get("class") == "article-title"]
    assert "Bridge Reopens After Repairs" in titles
    scripts = list(doc.iter("script"))
    assert len(scripts) == 1 and "/__newsbook__/status" in scripts[0].text
    assert results[0].ok and results[0].articles == 4 and results[0].changed == []
    # nothing is written into the project by previewing
    assert not (folder / "_build").exists()
    assert get(preview.url + "index.html")[0] == 200
    assert get(preview.url, method="HEAD") == (200, b"")
    assert get(preview.url + "nothing-here")[0] == 404
    # a page elsewhere reaching the loopback server through DNS rebinding gets nothing
    assert get(preview.url, headers={"Host": "attacker.example:80"})[0] == 403


def test_rebuilds_on_source_template_and_config_change(served):
    folder, preview, results = served
    # a source
    article = folder / "articles" / "notes" / "cafe.md"
    article.write_text(article.read_text() + "\nUne phrase toute neuve.\n")
    wait_for(lambda: page_with(preview, "Une phrase toute neuve."), "the changed article")
    assert any(article in r.changed for r in results)
    # a new template overriding the built-in one
    original = (REPO / "templates" / "web.html").read_text()
    (folder / "templates").mkdir()
    (folder / "templates" / "web.html").write_text(
        original.replace('<main>', '<main class="custom-main">'))
    wait_for(lambda: page_with(preview, 'class="custom-main"'), "the template override")
    # a stylesheet of the project's own
    (folder / "templates" / "screen.css").write_text("body { color: rebeccapurple; }\n")
    wait_for(lambda: page_with(preview, "rebeccapurple"), "the project stylesheet")
    # the config
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text().replace('title = "Test Gazette"', 'title = "Evening Post"'))
    wait_for(lambda: page_with(preview, "<title>Evening Post"), "the new title")


def test_failed_rebuild_keeps_last_good_page(served):
    folder, preview, results = served
    toml = folder / "newsbook.toml"
    good = toml.read_text()
    before = status(preview)["version"]
    toml.write_text(good + "\n[build\n")  # invalid TOML
    state = wait_for(lambda: (s := status(preview))["version"] > before and s["error"] and s,
                     "the failed rebuild")
    assert "invalid TOML" in state["error"] and not state["ok"]
    code, body = get(preview.url)
    assert code == 200 and b"Bridge Reopens After Repairs" in body  # the last good build
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(body)
    alert = [d for d in doc.iter("div") if d.get("role") == "alert"]
    assert alert and "invalid TOML" in "".join(alert[0].itertext())
    assert not results[-1].ok and "invalid TOML" in results[-1].error
    assert results[-1].summary(folder).startswith("newsbook.toml changed: error: ")
    assert results[-1].summary(folder).endswith("(serving the last good build)")
    # a template error is reported the same way, and the page still served
    toml.write_text(good)
    wait_for(lambda: status(preview)["ok"], "the repaired config")
    (folder / "templates").mkdir()
    (folder / "templates" / "web.html").write_text("{% if %}")
    wait_for(lambda: (status(preview)["error"] or "").startswith("template web.html"),
             "the template error")
    assert get(preview.url)[0] == 200
    (folder / "templates" / "web.html").unlink()
    wait_for(lambda: status(preview)["ok"], "the repaired template")
    assert b'role="alert"' not in get(preview.url)[1]


def test_first_build_failing_then_fixed(project):
    from newsbook.serve import Preview

    folder = project("basic")
    shutil.rmtree(folder / "articles")
    (folder / "articles" / "news").mkdir(parents=True)
    (folder / "articles" / "notes").mkdir()
    results = []
    with Preview(folder, port=0, on_build=results.append) as preview:
        wait_for(lambda: status(preview)["error"], "the failed first build")
        code, body = get(preview.url)
        assert code == 503 and b"no sources to read" in body
        assert "until a build succeeds" in results[-1].summary(folder)
        assert b"/__newsbook__/status" in body  # it reloads once the build succeeds
        (folder / "articles" / "news" / "new.md").write_text("# At Last\n\nSome text.\n")
        wait_for(lambda: page_with(preview, "At Last"), "the first good build")


def test_watches_sources_outside_the_project(project, tmp_path):
    from newsbook.serve import Preview

    folder = project("basic")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "far.md").write_text("# Far Away\n\nText.\n")
    toml = folder / "newsbook.toml"
    toml.write_text(toml.read_text() + f'\n[[sources]]\npath = "{elsewhere}"\nsection = "Far"\n')
    with Preview(folder, port=0) as preview:
        wait_for(lambda: page_with(preview, "Far Away"), "the first build")
        (elsewhere / "far.md").write_text("# Farther Still\n\nText.\n")
        wait_for(lambda: page_with(preview, "Farther Still"), "the outside change")


def test_output_and_state_folders_are_not_watched(tmp_path):
    from watchfiles import Change

    from newsbook.build import config as config_mod
    from newsbook.serve import ignored_paths, watch_filter

    shutil.copytree(ROOTS / "basic", tmp_path / "p")
    root = (tmp_path / "p").resolve()
    config = config_mod.load(root / "newsbook.toml")
    keep = watch_filter(lambda: ignored_paths(root, config))
    assert keep(Change.modified, str(root / "articles" / "news" / "bridge.md"))
    assert keep(Change.modified, str(root / "templates" / "_masthead.html"))
    assert keep(Change.modified, str(root / "newsbook.toml"))
    assert not keep(Change.modified, str(root / "_build" / "test-gazette-007.pdf"))
    assert not keep(Change.added, str(root / ".newsbook" / "cache" / "http.sqlite"))
    assert not keep(Change.modified, str(root / "articles" / ".bridge.md.swp"))


def test_no_reload_option_and_errors(project):
    from newsbook.model.errors import NewsbookError
    from newsbook.serve import Preview

    folder = project("basic")
    with Preview(folder, port=0, live_reload=False) as preview:
        wait_for(lambda: page_with(preview, "Bridge"), "the first build")
        assert b"<script" not in get(preview.url)[1]
        with pytest.raises(NewsbookError, match="cannot listen"):
            Preview(folder, port=preview.port)
    with pytest.raises(NewsbookError, match="not a project folder"):
        Preview(folder / "articles", port=0)
    # stopped: the port no longer answers
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", preview.port), timeout=5).close()


def test_cli_serve_and_ctrl_c(project):
    folder = project("basic")
    # Ctrl-C must reach it however the suite was started: a suite run in the background
    # (`make test &`, nohup) ignores SIGINT, and a child inherits that.
    process = subprocess.Popen([sys.executable, "-m", "newsbook", "serve", str(folder),
                                "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=lambda: signal.signal(  # noqa: PLW1509
                                   signal.SIGINT, signal.SIG_DFL))
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr.read()
        wait_for(lambda: page_with(type("P", (), {"url": url}), "Bridge Reopens"), "the page")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130
        err = process.stderr.read()
        assert "built in" in err and err.rstrip().endswith("newsbook: interrupted")
        assert "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_cli_serve_user_errors(tmp_path):
    from conftest import run_cli

    result = run_cli("serve", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "not a project folder" in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        shutil.copytree(ROOTS / "basic", tmp_path / "p")
        result = run_cli("serve", str(tmp_path / "p"), "--port", str(taken.getsockname()[1]))
    assert result.returncode == 2 and "cannot listen" in result.stderr
    assert "--port 0" in result.stderr
