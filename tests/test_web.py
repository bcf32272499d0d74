"""Web sources end to end: pages, feeds, OPML and images from a real server on 127.0.0.1."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from conftest import register_epub, run_cli
from webserver import FixtureServer

PARAGRAPHS = [
    "The harbour authority confirmed on Monday that the new ferry terminal will open in spring, "
    "two months later than planned, after engineers found that the old pier needed more work.",
    "Passengers will be able to buy tickets at machines inside the hall, and the waiting room "
    "will stay open until the last boat of the evening has left for the islands.",
    "Local businesses welcomed the news, saying that the terminal would bring more visitors to "
    "the old town, where several cafés and a bookshop have opened in the last year.",
    "The authority said it would publish the new timetable in February, once the operators have "
    "agreed how many crossings they can run during the first weeks of the season.",
]


def story(title: str) -> list[str]:
    """Paragraphs of their own for each page, so that no two pages are the same story."""
    import random

    rng = random.Random(title)
    words = " ".join(PARAGRAPHS).rstrip(".").replace(",", "").split()
    paragraphs = []
    for _ in range(4):
        rng.shuffle(words)
        paragraphs.append(" ".join(words[:40]).capitalize() + ".")
    return [PARAGRAPHS[0]] + paragraphs


def page(title: str, author: str, day: str, extra: str = "", charset: str | None = "utf-8") -> str:
    """A news page with site chrome around the article."""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>" for p in story(title))
    return (f"<!DOCTYPE html><html lang=\"en\"><head>{meta}<title>{title} | Harbour News</title>"
            f'<meta name="author" content="{author}">'
            f'<meta property="og:title" content="{title}">'
            f'<meta property="og:site_name" content="Harbour News">'
            f'<meta property="article:published_time" content="{day}T08:00:00Z"></head><body>'
            '<nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>'
            f"<article><h1>{title}</h1>{body}{extra}</article>"
            "<footer>© Harbour News. All rights reserved.</footer></body></html>")


def image_bytes(fmt: str, size=(320, 200), mode="RGB", frames: int = 1) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new(mode, size, (40 * i % 255, 90, 160)[:len(mode)] if mode != "L" else 128)
              for i in range(frames)]
    if frames > 1:
        images[0].save(buffer, fmt, save_all=True, append_images=images[1:], duration=100)
    else:
        images[0].save(buffer, fmt)
    return buffer.getvalue()


def rss(base: str, items: list[tuple[str, str, str, str]]) -> str:
    """An RSS 2.0 feed: (title, link path, date, description) per item."""
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{link}</link><pubDate>{d}</pubDate>"
        f"<description>{desc}</description><category>Harbour</category></item>"
        for t, link, d, desc in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Harbour News</title><link>{base}/</link>{entries}</channel></rss>")


@pytest.fixture
def site():
    """The fixture web site: pages with images, feeds, OPML, and faults."""
    srv = FixtureServer()
    b = srv.base
    images = ('<figure><img src="/img/photo.jpg" alt="The pier"><figcaption>The old pier.'
              '</figcaption></figure><p><img src="/img/chart.png" alt="Chart"></p>'
              '<p><img data-src="/img/lazy.webp" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
              'alt="Lazy"></p><p><img src="/img/cmyk.jpg" alt="Print"></p>'
              '<p><img src="/img/anim.gif" alt="Anim"></p><p><img src="/img/huge.png" alt="Huge">'
              '</p><p><img src="/img/missing.png" alt="Gone"></p>')
    srv.add("/news/terminal", page("Ferry Terminal Opens in Spring", "Ada Quay", "2026-11-20",
                                   images))
    srv.add("/news/market", page("Market Returns to the Square", "Ben Stall", "2026-11-21"))
    srv.add("/news/latin1", page("Café Owners Celebrate", "Zoë Brûlée", "2026-11-22",
                                 charset=None).encode("cp1252"),
            content_type="text/html; charset=windows-1252")
    srv.add("/news/nocharset", page("Über den Hafen", "Jürgen Möller", "2026-11-22",
                                    charset=None).encode("utf-8"), content_type="text/html")
    srv.add("/news/wrongcharset", page("Smörgåsbord Night at the Depot", "Åsa Ek", "2026-11-22",
                                       charset=None).encode("utf-8"),
            content_type="text/html; charset=iso-8859-1")  # says Latin-1, sends UTF-8
    srv.add("/img/photo.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    srv.add("/img/chart.png", image_bytes("PNG", size=(330, 220)), content_type="image/png")
    srv.add("/img/lazy.webp", image_bytes("WEBP", size=(300, 210)), content_type="image/webp")
    srv.add("/img/cmyk.jpg", image_bytes("JPEG", size=(310, 190), mode="CMYK"), content_type="image/jpeg")
    srv.add("/img/anim.gif", image_bytes("GIF", size=(200, 100), mode="P", frames=3), content_type="image/gif")
    srv.add("/img/huge.png", image_bytes("PNG", size=(4000, 3000)), content_type="image/png")
    srv.add("/feed.xml", rss(b, [
        ("Ferry Terminal Opens in Spring", "/news/terminal", "Fri, 20 Nov 2026 08:00:00 GMT",
         "The terminal opens in spring."),
        ("Market Returns to the Square", "/news/market", "Sat, 21 Nov 2026 08:00:00 GMT",
         "A short summary."),
        ("Old News", "/news/old", "Mon, 02 Nov 2026 08:00:00 GMT", "Too old for the window."),
    ]), content_type="application/rss+xml")
    srv.add("/broken-feed.xml", rss(b, [("Kept Despite Errors", "/news/market",
                                          "Sat, 21 Nov 2026 08:00:00 GMT", "x")])
            .replace("</channel>", "<item><title>unclosed</channel>"),
            content_type="application/rss+xml")
    srv.add("/flaky", page("Second Time Lucky", "Cy Retry", "2026-11-23"), fail_first=1)
    srv.add("/down", "x", fail_first=99)
    # Far beyond the projects' 5 s timeout, which leaves a loaded machine room for the rest.
    srv.add("/slow", page("Too Slow", "Dee Lay", "2026-11-23"), delay=20)
    srv.add("/reset", "x", reset=True)
    srv.add("/loop", "x", redirect="/loop")
    srv.add("/big", "<p>" + "x" * 300_000 + "</p>")
    srv.add("/not-xml", "this is not XML at all {[", content_type="application/rss+xml")
    yield srv
    srv.stop()


def project(tmp_path: Path, site: FixtureServer, sources: str) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir(exist_ok=True)
    (folder / "newsbook.toml").write_text(f"""
[issue]
title = "Web Test"
date = "2026-11-28"
number = 1

[build]
formats = ["epub", "pdf"]

[fetch]
timeout = 5
retries = 1
max_bytes = 200000

{sources.replace("{base}", site.base)}
""")
    return folder


def build(folder: Path, *args: str):
    result = run_cli("build", str(folder), "--json", *args)
    assert "Traceback" not in result.stderr
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def epub_articles(path: Path) -> dict[str, str]:
    """Article title -> XHTML of each article document in an EPUB."""
    import re

    z = zipfile.ZipFile(path)
    out = {}
    for name in z.namelist():
        if re.match(r"EPUB/a[0-9a-f]+\.xhtml$", name):
            text = z.read(name).decode()
            title = re.search(r'<h1 class="article-title">(.*?)</h1>', text).group(1)
            out[title] = text
    return out


def test_feed_build_then_offline_rebuild(tmp_path, site):
    folder = project(tmp_path, site, """
[[sources]]
feed = "{base}/feed.xml"
section = "Harbour"
since = "2026-11-10"
""")
    result, report = build(folder)
    assert result.returncode == 0, result.stderr
    epub = Path(report["outputs"][0])
    register_epub(epub)
    articles = epub_articles(epub)
    assert set(articles) == {"Ferry Terminal Opens in Spring", "Market Returns to the Square"}
    terminal = articles["Ferry Terminal Opens in Spring"]
    assert "engineers found that the old pier" in terminal  # full text fetched from the page
    assert "Ada Quay" in terminal
    z = zipfile.ZipFile(epub)
    pictures = sorted(n for n in z.namelist() if n.startswith("EPUB/images/") and "cover" not in n)
    assert len(pictures) == 6  # photo, chart, lazy WebP, CMYK, animated GIF, huge; not the 404
    for name in pictures:
        with Image.open(io.BytesIO(z.read(name))) as img:
            assert img.format in ("JPEG", "PNG") and max(img.size) <= 1600 and img.mode != "CMYK"
    assert "The old pier." in terminal  # caption kept
    import re

    for text in articles.values():  # every image is inside the book
        assert all(src.startswith("images/") for src in re.findall(r'<img[^>]* src="([^"]*)"', text))
    assert any("missing.png" in w and "404" in w for w in report["warnings"])

    before = {t: a for t, a in articles.items()}
    site.stop()
    again, report2 = build(folder, "--offline")
    assert again.returncode == 0, again.stderr
    epub2 = Path(report2["outputs"][0])
    assert epub_articles(epub2) == before
    assert sorted(n for n in zipfile.ZipFile(epub2).namelist() if "images/" in n) == \
        sorted(n for n in z.namelist() if "images/" in n)


def test_second_build_downloads_nothing_unchanged(tmp_path, site):
    folder = project(tmp_path, site, """
[[sources]]
url = "{base}/news/market"
""")
    assert build(folder)[0].returncode == 0
    import time

    time.sleep(1.1)
    assert build(folder)[0].returncode == 0
    assert site.hits["/news/market"] == 2 and site.full["/news/market"] == 1


@pytest.mark.parametrize("path, reason", [
    ("/news/missing", "HTTP 404"),
    ("/down", "HTTP 500"),
    # The read timeout or the whole-request limit, whichever a loaded machine reaches first.
    ("/slow", ("timed out", "no answer in time")),
    ("/reset", "connection failed"),
    ("/loop", "redirects"),
    ("/big", "byte limit"),
    ("/not-xml", "not a feed"),
])
def test_faults_are_reported_and_the_rest_is_built(tmp_path, site, path, reason):
    folder = project(tmp_path, site, f"""
[[sources]]
url = "{{base}}/news/market"

[[sources]]
{"feed" if path == "/not-xml" else "url"} = "{{base}}{path}"
""")
    result, report = build(folder)
    assert result.returncode == 0, result.stderr
    assert [f["source"] for f in report["failures"]] == [site.url(path)]
    reasons = reason if isinstance(reason, tuple) else (reason,)
    assert any(r in report["failures"][0]["reason"] for r in reasons)
    assert set(epub_articles(Path(report["outputs"][0]))) == {"Market Returns to the Square"}
    strict = run_cli("build", str(folder), "--strict")
    assert strict.returncode == 1 and any(r in strict.stderr for r in reasons)


def test_retry_after_500_and_charsets(tmp_path, site):
    folder = project(tmp_path, site, """
[[sources]]
urls = ["{base}/flaky", "{base}/news/latin1", "{base}/news/nocharset", "{base}/news/wrongcharset"]
""")
    result, report = build(folder)
    assert result.returncode == 0, result.stderr
    assert report["failures"] == []
    epub = Path(report["outputs"][0])
    register_epub(epub)
    titles = set(epub_articles(epub))
    assert titles == {"Second Time Lucky", "Café Owners Celebrate", "Über den Hafen",
                      "Smörgåsbord Night at the Depot"}
    text = "".join(epub_articles(epub).values())
    assert "Zoë Brûlée" in text and "Jürgen Möller" in text and "Åsa Ek" in text


def test_malformed_feed_gives_what_it_can_with_a_warning(tmp_path, site):
    folder = project(tmp_path, site, """
[[sources]]
feed = "{base}/broken-feed.xml"
full_text = false
""")
    result, report = build(folder)
    assert result.returncode == 0, result.stderr
    assert "Kept Despite Errors" in epub_articles(Path(report["outputs"][0]))
    assert any("broken-feed.xml" in w for w in report["warnings"])


def test_ad_hoc_build_from_urls(tmp_path, site):
    result = run_cli("build", site.url("/feed.xml"), site.url("/news/latin1"), "-o", "web.epub",
                     cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    titles = set(epub_articles(tmp_path / "web.epub"))
    assert "Ferry Terminal Opens in Spring" in titles and "Old News" in titles
    assert "Café Owners Celebrate" in titles
    register_epub(tmp_path / "web.epub")


def test_opml_and_json_feed(tmp_path, site):
    site.add("/feed.json", json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Harbour JSON",
        "items": [{"id": "1", "url": site.url("/news/json-one"), "title": "Lighthouse Repainted",
                   "content_html": "".join(f"<p>{p}</p>" for p in PARAGRAPHS),
                   "date_published": "2026-11-24T10:00:00Z",
                   "authors": [{"name": "Eve Paint"}], "tags": ["works"]}]}),
        content_type="application/feed+json")
    site.add("/subs.opml", f"""<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head>
<body><outline text="Local"><outline type="rss" text="RSS" xmlUrl="{site.url('/feed.xml')}"/>
</outline><outline text="Works"><outline type="rss" text="JSON" xmlUrl="{site.url('/feed.json')}"/>
</outline></body></opml>""", content_type="text/x-opml")
    folder = project(tmp_path, site, """
[[sources]]
opml = "{base}/subs.opml"
max_articles = 1
""")
    result, report = build(folder)
    assert result.returncode == 0, result.stderr
    epub = Path(report["outputs"][0])
    register_epub(epub)
    articles = epub_articles(epub)
    assert set(articles) == {"Ferry Terminal Opens in Spring", "Lighthouse Repainted"}
    assert "Eve Paint" in articles["Lighthouse Repainted"]
    nav = zipfile.ZipFile(epub).read("EPUB/nav.xhtml").decode()
    assert nav.index("Local") < nav.index("Works")  # sections from the OPML folders, in order


def test_extract_a_url(tmp_path, site):
    result = run_cli("extract", site.url("/news/market"), site.url("/news/missing"),
                     env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 1
    page, missing = json.loads(result.stdout)
    assert page["title"] == "Market Returns to the Square" and page["authors"] == ["Ben Stall"]
    assert page["text"].startswith("The harbour authority confirmed")
    assert "HTTP 404" in missing["error"]
