"""chainloader.py and render.Theme's chain: project over theme over built-in, and "!name" extends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsbook.model import Article, Issue, Section, ThemeOptions
from newsbook.model.errors import BuildError, ConfigError
from newsbook.render.environment import Theme, builtin_templates


def _issue() -> Issue:
    article = Article(id="a1", title="The Bridge", body="<p>Body text.</p>", source="a.md",
                      section="News", summary="A short summary.")
    return Issue(title="Chain Gazette", date=date(2026, 3, 14), language="en",
                 identifier="urn:uuid:1", number=3, volume=2, publisher="Chain Press",
                 sections=[Section("News", [article], id="s1")])


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_chain_order_project_theme_base(tmp_path):
    project = _write(tmp_path / "templates", {"print.css": "/* project */"})
    base = builtin_templates()
    assert Theme().folders == [base]
    assert Theme(options=ThemeOptions(name="classic")).folders == [base / "themes" / "classic",
                                                                    base]
    classic = Theme(project, ThemeOptions(name="classic"))
    assert classic.folders == [project, base / "themes" / "classic", base]
    # a missing project folder is simply not in the chain
    assert Theme(tmp_path / "nothing").folders == [base]


def test_lookup_takes_the_first_folder_that_has_the_file(tmp_path):
    project = _write(tmp_path / "templates", {"print.css": "/* project print */",
                                              "fonts/Extra.ttf": "font bytes"})
    classic = Theme(project, ThemeOptions(name="classic"))
    # project over theme: the project's print.css replaces the classic one wholesale
    assert classic.resource("print.css") == b"/* project print */"
    # theme over base: classic has its own epub.css (which includes the base's)
    css = classic.resource("epub.css").decode()
    assert "classic: a newspaper" in css and "nav.contents" in css
    # base when neither has it; static files come through the same chain
    assert classic.resource("fonts/Extra.ttf") == b"font bytes"
    assert classic.resource("fonts/OldStandard-Regular.ttf")[:4] == b"\x00\x01\x00\x00"
    # the masthead partial: classic's in the classic theme, the base one otherwise
    assert 'masthead-classic' in classic.render("contents.xhtml", _issue())
    assert 'masthead-classic' not in Theme(project).render("contents.xhtml", _issue())
    with pytest.raises(BuildError, match="theme file not found: nothing.ttf"):
        classic.resource("nothing.ttf")


def test_project_template_overrides_theme_template(tmp_path):
    project = _write(tmp_path / "templates", {
        "_masthead.html": '<header class="project-masthead">{{ issue.title }}</header>\n'})
    html = Theme(project, ThemeOptions(name="classic")).render("issue.html", _issue())
    assert 'class="project-masthead"' in html and "masthead-classic" not in html


def test_bang_extends_three_levels(tmp_path):
    # project issue.html extends classic's, which extends the built-in one
    project = _write(tmp_path / "templates", {"issue.html": (
        '{% extends "!issue.html" %}\n'
        '{% block contents %}<p id="project-note">Read me first.</p>\n{{ super() }}{% endblock %}\n')})
    html = Theme(project, ThemeOptions(name="classic")).render("issue.html", _issue())
    assert 'id="project-note"' in html                   # the project's block
    assert 'class="front front-classic"' in html          # classic's front page block
    assert 'class="contents-title"' in html               # super(): the base's contents block
    assert '<article class="article" id="a1"' in html     # the base's sections
    assert html.index("project-note") < html.index("contents-title")
    # the same project file over the modern theme extends the base directly
    modern = Theme(project).render("issue.html", _issue())
    assert 'id="project-note"' in modern and "front-classic" not in modern
    assert 'class="front"' in modern


def test_bang_extends_skips_levels_without_the_template(tmp_path):
    # classic has no article.xhtml: "!article.xhtml" from the project reaches the base
    project = _write(tmp_path / "templates", {"article.xhtml": (
        '{% extends "!article.xhtml" %}\n'
        '{% block title %}Story: {{ super() }}{% endblock %}\n')})
    issue = _issue()
    xhtml = Theme(project, ThemeOptions(name="classic")).render(
        "article.xhtml", issue, article=issue.articles[0])
    assert "<title>Story: The Bridge</title>" in xhtml
    assert '<h1 class="article-title">The Bridge</h1>' in xhtml


def test_bang_include_in_stylesheets(tmp_path):
    project = _write(tmp_path / "templates", {"print.css": (
        '{% include "!print.css" %}\n.project-rule { color: red; }\n')})
    css = Theme(project, ThemeOptions(name="classic")).resource("print.css").decode()
    # project, then classic (its own rules), then the base it includes
    assert css.index("@page") < css.index("classic: a newspaper") < css.index(".project-rule")


def test_bang_with_nothing_below_is_a_one_line_error(tmp_path):
    project = _write(tmp_path / "templates", {
        "mine.html": '{% extends "!mine.html" %}\n',
        "broken.html": "{% if %}\n"})
    theme = Theme(project, ThemeOptions(name="classic"))
    with pytest.raises(BuildError) as info:
        theme.render("mine.html", _issue())
    message = str(info.value)
    assert "\n" not in message and "mine.html" in message and "further down" in message
    with pytest.raises(BuildError, match=r"broken.html \(project\) \(line 1\)"):
        theme.render("broken.html", _issue())


def test_names_cannot_leave_the_theme_folders(tmp_path):
    (tmp_path / "secret.html").write_text("secret", encoding="utf-8")
    project = _write(tmp_path / "templates", {"peek.html": '{% include "../secret.html" %}\n'})
    with pytest.raises(BuildError):
        Theme(project).render("peek.html", _issue())


def test_unknown_theme_is_a_config_error():
    with pytest.raises(ConfigError, match=r"unknown theme 'fancy' \(known: modern, classic\)"):
        Theme(options=ThemeOptions(name="fancy"))


def test_autoescape_in_stylesheets(tmp_path):
    project = _write(tmp_path / "templates", {"epub.css": "/* {{ '<b>' }} */\n"})
    assert Theme(project).resource("epub.css") == b"/* &lt;b&gt; */\n"
