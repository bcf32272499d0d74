"""Pages without an article are skipped with a reason; a headline is not printed twice."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from conftest import register_epub, run_cli
from newsbook.sources.feed import Feed, FeedEntry
from newsbook.sources.feedentry import entry_article
from newsbook.sources.page.headline import drop_title_heading, same_headline
from webserver import FixtureServer

HEADER = ("<header><a href='/'><img src='/logo.png' alt='Harbour Gazette'></a><nav><ul>"
          + "".join(f"<li><a href='/{s.lower()}'>{s}</a></li>"
                    for s in ("Home", "News", "Sport", "Weather", "Contact us"))
          + "</ul></nav></header>")
FOOTER = ("<footer><p>© 2026 Harbour Gazette. All rights reserved.</p><ul>"
          "<li><a href='/privacy'>Privacy policy</a></li><li><a href='/terms'>Terms of use</a>"
          "</li></ul></footer>")
LOGIN_BOX = ("<form class='login' action='/login'><input type='email' name='e'>"
             "<input type='password' name='p'><button>Log in</button></form>")


def page(title: str, main: str, header: str = HEADER) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"</head><body>{header}<main>{main}</main>{FOOTER}</body></html>")


# Real short articles: a 60-word brief, one whose title says "error", one on a site whose
# header has a sign-in box and whose text is about logging in.
BRIEFS = {
    "fog": page("Ferry delayed by fog | Harbour Gazette",
                "<article><h1>Ferry delayed by fog</h1><p>The morning ferry to the islands left "
                "two hours late on Tuesday after thick fog closed the harbour mouth. The operator "
                "said the afternoon crossings ran on time and that passengers who missed their "
                "connections could change their tickets free of charge at the terminal desk until "
                "Friday, or on the phone line, which opens at eight.</p></article>"),
    "census": page("Error in census count | Harbour Gazette",
                   "<article><h1>Error in census count</h1><p>The town council said an error in "
                   "last year's census count left out about four hundred residents of the new "
                   "flats by the marina. The corrected figure, published on Wednesday, brings the "
                   "population to just over twelve thousand and could mean a larger grant from the "
                   "county next year, the treasurer said.</p></article>"),
    "permits": page("New parking permits | Harbour Gazette",
                    "<article><h1>New parking permits</h1><p>Residents of the old town can now "
                    "apply for parking permits online. The council said applicants must log in to "
                    "their account on its website and upload a proof of address; permits will be "
                    "posted within ten days and cost forty pounds a year, the same as last year."
                    "</p></article>", header=HEADER + LOGIN_BOX),
}
# Pages without an article, and the reason each must give.
NOT_ARTICLES = {
    "navbar": ("<html><head><title>Chrome only</title></head><body><nav><a href='/'>Home</a>"
               "</nav></body></html>", "only navigation links"),
    "section": (page("News | Harbour Gazette", "<h1>News</h1><ul>" + "".join(
        f"<li><a href='/news/{i}'>Harbour story number {i}: the pier, the ferry and the town</a>"
        "</li>" for i in range(15)) + "</ul>"), "only navigation links"),
    "not-found": (page("Page not found | Harbour Gazette",
                       "<h1>Page not found</h1><p>Sorry, the page you were looking for could not "
                       "be found. It may have been moved or deleted.</p><p>Go to the <a href='/'>"
                       "homepage</a> or try searching.</p><form><input type='search' name='q'>"
                       "<button>Search</button></form><h2>Popular stories</h2><ul>" + "".join(
                           f"<li><a href='/news/{i}'>Popular harbour story {i}</a></li>"
                           for i in range(5)) + "</ul>"), "error page"),
    "oops": (page("404", "<div class='error'><h1>404</h1><p>Oops! That page can’t be found.</p>"
                         "</div>"), "error page"),
    "login": (page("Sign in | Harbour Gazette",
                   "<h1>Sign in</h1><form action='/login' method='post'><label>Email address "
                   "<input type='email' name='email'></label><label>Password <input "
                   "type='password' name='password'></label><button>Sign in</button></form>"
                   "<p><a href='/forgot'>Forgot your password?</a></p><p>Don't have an account? "
                   "<a href='/register'>Register now</a>.</p>"), "sign-in or subscription"),
    "paywall": (page("Old grain pier to be rebuilt | Harbour Gazette",
                     "<article><h1>Old grain pier to be rebuilt</h1><p class='lede'>The harbour "
                     "authority said on Monday that the old grain pier will be rebuilt.</p>"
                     "<div class='paywall'><h2>Subscribe to continue reading</h2><p>Get unlimited "
                     "access to the Harbour Gazette for £1 a week.</p><p><a href='/subscribe'>"
                     "Subscribe now</a></p><p>Already a subscriber? <a href='/login'>Log in</a>"
                     "</p></div></article>"), "sign-in or subscription"),
}


@pytest.fixture
def site():
    srv = FixtureServer()
    for name, html in BRIEFS.items():
        srv.add(f"/news/{name}", html)
    for name, (html, _) in NOT_ARTICLES.items():
        srv.add(f"/page/{name}", html)  # all served with HTTP 200
    yield srv
    srv.stop()


def test_build_skips_pages_without_an_article_with_a_reason(tmp_path, site):
    urls = [site.url(f"/news/{n}") for n in BRIEFS] + [site.url(f"/page/{n}") for n in NOT_ARTICLES]
    out = tmp_path / "digest.epub"
    result = run_cli("build", *urls, "-o", str(out), "--title", "Digest", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    register_epub(out)
    assert sorted(a["url"] for a in report["included"]) == sorted(
        site.url(f"/news/{n}") for n in BRIEFS)
    reasons = {f["source"]: f["reason"] for f in report["failures"]}
    assert set(reasons) == {site.url(f"/page/{n}") for n in NOT_ARTICLES}
    for name, (_, why) in NOT_ARTICLES.items():
        reason = reasons[site.url(f"/page/{name}")]
        assert why in reason and "\n" not in reason, (name, reason)
        assert reason.startswith(site.url(f"/page/{name}") + ": no article")
    # the skipped sources are named on stderr too, one line each
    assert all(site.url(f"/page/{n}") in result.stderr for n in NOT_ARTICLES)
    # and --strict refuses the build
    strict = run_cli("build", *urls, "-o", str(tmp_path / "strict.epub"), "--strict")
    assert strict.returncode != 0 and not (tmp_path / "strict.epub").exists()


def test_extract_local_files(tmp_path):
    for name, html in BRIEFS.items():
        (tmp_path / f"{name}.html").write_text(html)
    for name, (html, _) in NOT_ARTICLES.items():
        (tmp_path / f"{name}.html").write_text(html)
    names = [*BRIEFS, *NOT_ARTICLES]
    result = run_cli("extract", "--format", "json", *[f"{n}.html" for n in names], cwd=tmp_path)
    assert result.returncode == 1  # some sources failed
    found = dict(zip(names, json.loads(result.stdout)))
    for name in BRIEFS:
        assert "error" not in found[name], found[name]
        assert len(found[name]["text"].split()) >= 45  # the whole brief
        # the headline is the title, not the body's first line
        assert not found[name]["text"].startswith(found[name]["title"].split(" |")[0])
    for name, (_, why) in NOT_ARTICLES.items():
        assert why in found[name]["error"] and found[name]["error"].startswith(f"{name}.html: ")


def test_page_wrapped_in_a_form_or_with_chrome_classes_is_an_article(tmp_path):
    # ASP.NET pages wrap everything in one <form>; WordPress names the body "comments-open".
    text = BRIEFS["fog"].replace("<body>", "<body class='single-post comments-open'>"
                                           "<form id='aspnetForm' method='post'>")
    text = text.replace("</body>", "</form></body>")
    (tmp_path / "webforms.html").write_text(text)
    result = run_cli("extract", "--format", "json", "webforms.html", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "thick fog closed the harbour mouth" in json.loads(result.stdout)[0]["text"]


@pytest.mark.parametrize("heading, title, same", [
    ("Pier to be rebuilt", "Pier to be rebuilt", True),
    ("Pier ‘to be rebuilt’, says Authority", "Pier 'to be rebuilt', says authority", True),
    ("Old grain pier to be rebuilt", "Old grain pier to be rebuilt | Harbour Gazette", True),
    ("Old grain pier to be rebuilt", "Harbour Gazette - Old grain pier to be rebuilt", True),
    ("Old grain pier to be rebuilt by 2027", "Old grain pier to be rebuilt", True),
    ("What happens next", "Old grain pier to be rebuilt", False),
    ("Pier", "Pier to be rebuilt over two years, council says", False),
    ("This is a long title with a colon: But the final text here is different",
     "This is a long title with a colon: Hello there", False),
])
def test_same_headline(heading, title, same):
    assert same_headline(heading, title) is same


def test_drop_title_heading_only_where_the_body_opens():
    body = "<h2>Pier to be rebuilt</h2><p>Text.</p><h2>What next</h2><p>More.</p>"
    assert drop_title_heading(body, "Pier to be rebuilt | Gazette") == \
        "<p>Text.</p><h2>What next</h2><p>More.</p>"
    assert drop_title_heading(body, "What next") == body  # a section heading stays
    later = "<p>Intro.</p><h1>Pier to be rebuilt</h1><p>Text.</p>"
    assert drop_title_heading(later, "Pier to be rebuilt") == later
    assert drop_title_heading("<h3>Pier to be rebuilt</h3><p>x</p>", "Pier to be rebuilt") == \
        "<h3>Pier to be rebuilt</h3><p>x</p>"


def test_markdown_and_feed_entries_do_not_repeat_the_title(tmp_path):
    (tmp_path / "note.md").write_text("---\ntitle: Lamp restored\n---\n\n# Lamp restored\n\n"
                                      "The iron lamp at the end of the pier shines again.\n")
    result = run_cli("extract", "--format", "json", "note.md", cwd=tmp_path)
    (note,) = json.loads(result.stdout)
    assert note["title"] == "Lamp restored"
    assert note["text"] == "The iron lamp at the end of the pier shines again."
    entry = FeedEntry(title="Lamp restored", link="https://notes.example.org/lamp",
                      content_html="<h1>Lamp restored</h1><p>The lamp shines again.</p>")
    article = entry_article(entry, Feed(title="Notes", link=None, language=None), "feed.xml")
    assert article.body == "<p>The lamp shines again.</p>"


def test_built_article_does_not_start_with_its_headline(tmp_path, site):
    out = tmp_path / "fog.epub"
    result = run_cli("build", site.url("/news/fog"), "-o", str(out), "--title", "Fog")
    assert result.returncode == 0, result.stderr
    register_epub(out)
    with zipfile.ZipFile(out) as z:
        (doc,) = [z.read(n).decode() for n in z.namelist()
                  if n.startswith("EPUB/a") and n.endswith(".xhtml")]
    assert doc.count("Ferry delayed by fog") == 2  # the <title> and the article's <h1>
    body = doc.split('<div class="article-body">', 1)[1]
    assert body.lstrip().startswith("<p>The morning ferry")
