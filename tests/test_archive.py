"""newsbook archive: a year of weekly issues on a local pool and on a Dask cluster, identical;
resumable after a kill; only changed issues rebuilt; sources attached to the PDF/A files."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import register_epub, run_cli

DC = "http://purl.org/dc/elements/1.1/"
EPOCH = "1735689600"  # 2025-01-01: every file's own date is clamped to it
ENV = {"SOURCE_DATE_EPOCH": EPOCH}
WORDS = ("harbour ferry council budget school river bridge market library museum train "
         "station weather garden festival election court hospital road factory farm theatre "
         "report vote plan season mayor district port island street park archive").split()


# A one-page print template (the project's own, sent to the workers with each job): the PDF
# renders dominate an archive's time, and the built-in theme's cover and contents pages triple it.
COMPACT_ISSUE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8" /><title>{{ issue.title }} {{ labels.issue }} {{ issue.number }}</title>
<style>@page { size: A5; margin: 1cm; } body { font: 9pt "DejaVu Serif", serif; }</style></head>
<body>
<h1>{{ issue.title }}, {{ labels.issue }} {{ issue.number }}</h1>
{% for article in issue.articles %}
<article id="{{ article.id }}"><h2>{{ article.title }}</h2>{{ body(article) }}</article>
{% endfor %}
</body>
</html>
"""


def make_project(folder: Path, weeks: int, start: date = date(2025, 1, 1),
                 compact: bool = True) -> Path:
    """A project of dated articles, one a week (two in every fifth week: Markdown and HTML),
    plus an undated note that belongs to no period."""
    articles = folder / "articles"
    articles.mkdir(parents=True)
    config = '[issue]\ntitle = "The Weekly Ledger"\nlanguage = "en"\n'
    if compact:
        config += "[epub]\ncover = false\n"
        (folder / "templates").mkdir()
        (folder / "templates" / "issue.html").write_text(COMPACT_ISSUE, encoding="utf-8")
    (folder / "newsbook.toml").write_text(config, encoding="utf-8")
    for week in range(weeks):
        day = start + timedelta(days=7 * week)
        rng = random.Random(week)
        text = " ".join(rng.choice(WORDS) for _ in range(60))
        (articles / f"{day.isoformat()}-story.md").write_text(
            f"---\ntitle: Week {week + 1} story\ndate: {day.isoformat()}\n"
            f"url: https://ledger.example/{week + 1}\nauthor: Desk {week % 3}\n---\n\n"
            f"{text.capitalize()}.\n\nMore: *{rng.choice(WORDS)}*.\n", encoding="utf-8")
        if week % 5 == 2:
            (articles / f"{day.isoformat()}-feature.html").write_text(
                f"<!DOCTYPE html><html lang='en'><head><title>Feature {week + 1}</title>"
                f"<meta name='date' content='{(day + timedelta(days=1)).isoformat()}'></head>"
                f"<body><article><h1>Feature {week + 1}</h1>"
                + "".join(f"<p>{' '.join(rng.choice(WORDS) for _ in range(40))}.</p>"
                          for _ in range(3))
                + "</article></body></html>", encoding="utf-8")
    (articles / "undated-note.md").write_text("# A note without a date\n\nIt fits no week.\n",
                                              encoding="utf-8")
    return folder


def archive_cli(project: Path, out: Path, *extra: str, first="2025-01-01", last="2025-12-31"):
    return run_cli("archive", str(project), "--from", first, "--to", last, "--every", "week",
                   "-d", str(out), "--json", *extra, env=ENV)


def files_of(manifest: dict) -> dict[str, dict]:
    return {item["path"]: item for issue in manifest["issues"] for item in issue["files"]}


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """A year of weekly articles archived with the local pool (2 processes)."""
    root = tmp_path_factory.mktemp("archive-year")
    project = make_project(root / "ledger", weeks=52)
    out = root / "local"
    result = archive_cli(project, out, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    return project, out, json.loads(result.stdout)


def test_a_year_of_weekly_issues(year):
    project, out, report = year
    manifest = json.loads((out / "archive.json").read_text())
    issues = manifest["issues"]
    assert len(issues) == 52 and len(report["built"]) == 52 and not report["failed"]
    # Numbered in period order from the first week, one issue per ISO week of 2025.
    assert [i["number"] for i in issues] == list(range(1, 53))
    assert [i["period"]["label"] for i in issues] == [f"2025-W{n:02d}" for n in range(1, 53)]
    assert issues[0]["period"] == {"label": "2025-W01", "start": "2024-12-30", "end": "2025-01-05"}
    # The range ends in 2026-W01, which has no article: skipped and recorded.
    assert manifest["empty"] == ["2026-W01"] and report["empty"] == ["2026-W01"]
    assert report["undated"] == ["articles/undated-note.md"]
    for issue in issues:
        assert issue["date"] == issue["period"]["end"]
        assert {f["format"] for f in issue["files"]} == {"epub", "pdf"}
        for article in issue["articles"]:
            assert issue["period"]["start"] <= article["published"][:10] <= issue["period"]["end"]
            source = project / article["source"]
            assert source.is_file() and article["retrieved"]
    third = issues[2]  # week 3 has a Markdown story and an HTML feature
    assert [a["source"] for a in third["articles"]] == [
        "articles/2025-01-15-feature.html", "articles/2025-01-15-story.md"]
    assert third["articles"][1]["url"] == "https://ledger.example/3"
    # The manifest tells the truth about the files on disk.
    for path, item in files_of(manifest).items():
        data = (out / path).read_bytes()
        import hashlib

        assert len(data) == item["bytes"] and hashlib.sha256(data).hexdigest() == item["sha256"]
    for issue in (issues[0], issues[2], issues[-1]):
        register_epub(out / issue["files"][0]["path"])


def test_index_page_links_every_issue(year):
    _project, out, _report = year
    manifest = json.loads((out / "archive.json").read_text())
    page = etree.parse(str(out / "index.html"), etree.HTMLParser())
    links = {a.get("href") for a in page.iter("a")}
    assert set(files_of(manifest)) <= links
    rows = page.xpath("//tbody/tr")
    assert len(rows) == 52 and rows[0].get("id") == "issue-2025-W01"
    assert "https://ledger.example/1" in links


def test_pdf_is_pdf_a_3u_with_the_sources_attached(year):
    project, out, _report = year
    manifest = json.loads((out / "archive.json").read_text())
    issue = manifest["issues"][2]
    pdf = out / next(f["path"] for f in issue["files"] if f["format"] == "pdf")
    reader = PdfReader(pdf)
    attachments = reader.attachments
    assert len(attachments) == len(issue["articles"]) == 2
    for article in issue["articles"]:
        original = (project / article["source"]).read_bytes()
        assert attachments[article["attachment"]] == [original]
    catalog = reader.trailer["/Root"]
    kinds = {}
    for spec in catalog["/AF"]:
        spec = spec.get_object()
        assert spec["/AFRelationship"] == "/Source" and spec["/UF"] == spec["/F"]
        stream = spec["/EF"]["/F"].get_object()
        assert stream["/Params"]["/ModDate"] == "D:20250101000000Z"  # clamped to the epoch
        assert stream["/Params"]["/Size"] == len(stream.get_data())
        kinds[str(spec["/F"])] = stream["/Subtype"]
    assert kinds == {"2025-01-15-feature.html": "/text/html",
                     "2025-01-15-story.md": "/text/markdown"}
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp
    assert "<pdfaSchema:namespaceURI>" in xmp  # custom properties come with their schema
    root = etree.fromstring(xmp.encode("utf-8"))
    ns = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
          "nb": "https://newsbook.invalid/ns/archive/1.0/"}
    locations = root.xpath("//nb:sourceLocations/rdf:Seq/rdf:li/text()", namespaces=ns)
    dates = root.xpath("//nb:retrievalDates/rdf:Seq/rdf:li/text()", namespaces=ns)
    assert locations == [a["source"] for a in issue["articles"]]
    assert dates == ["2025-01-01T00:00:00Z"] * 2
    urls = root.xpath("//nb:articleURLs/rdf:Seq/rdf:li", namespaces=ns)
    assert [u.text for u in urls] == [None, "https://ledger.example/3"]  # the HTML names none
    assert "https://ledger.example/3" in root.xpath("//dc:relation/rdf:Bag/rdf:li/text()",
                                                    namespaces={**ns, "dc": DC})
    assert reader.metadata.title == "The Weekly Ledger No. 3"


def test_dask_cluster_builds_the_same_archive(year, tmp_path):
    distributed = pytest.importorskip("distributed")
    project, local, _report = year
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        result = archive_cli(project, tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["executor"].startswith("Dask cluster") and len(report["built"]) == 52
    manifest = (tmp_path / "dask" / "archive.json").read_bytes()
    assert manifest == (local / "archive.json").read_bytes()
    for path in files_of(json.loads(manifest)):
        assert (tmp_path / "dask" / path).read_bytes() == (local / path).read_bytes(), path
    assert (tmp_path / "dask" / "index.html").read_bytes() == (local / "index.html").read_bytes()


def test_changing_one_article_rebuilds_only_its_issue(year, tmp_path):
    project, local, _report = year
    # A copy elsewhere: paths in the archive are relative, so the copy is up to date as is.
    shutil.copytree(project, tmp_path / "ledger")
    shutil.copytree(local, tmp_path / "out")
    project, out = tmp_path / "ledger", tmp_path / "out"
    again = archive_cli(project, out)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["built"] == [] and len(report["up_to_date"]) == 52
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    story = project / "articles" / "2025-03-05-story.md"
    story.write_text(story.read_text().replace("More:", "More, corrected:"))
    changed = archive_cli(project, out)
    report = json.loads(changed.stdout)
    assert report["built"] == ["2025-W10"] and len(report["up_to_date"]) == 51
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    touched = {name for name in after if after[name] != before.get(name)}
    assert touched == {"the-weekly-ledger-2025-W10.epub", "the-weekly-ledger-2025-W10.pdf",
                       "archive.json", "index.html"}
    manifest = json.loads((out / "archive.json").read_text())
    week10 = next(i for i in manifest["issues"] if i["period"]["label"] == "2025-W10")
    attached = PdfReader(out / week10["files"][1]["path"]).attachments
    assert attached["2025-03-05-story.md"] == [story.read_bytes()]


def test_killed_run_resumes_without_rebuilding_finished_issues(tmp_path):
    from newsbook.archive import manifest as records

    project = make_project(tmp_path / "ledger", weeks=10)
    out = tmp_path / "out"
    kill_after_three_issues(project, out)
    # What the killed run left: every recorded issue is on disk as recorded.
    state = records.load(out)
    assert records.verify(state, out) == []
    done = set(state.issues)
    assert 3 <= len(done) < 10
    stamps = {item["path"]: (out / item["path"]).stat().st_mtime_ns
              for label in done for item in state.issues[label]["files"]}
    result = archive_cli(project, out, first="2025-01-01", last="2025-03-11")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["up_to_date"]) == done
    assert set(report["built"]) == {f"2025-W{n:02d}" for n in range(1, 11)} - done
    for path, stamp in stamps.items():
        assert (out / path).stat().st_mtime_ns == stamp, f"{path} was rebuilt"
    manifest = json.loads((out / "archive.json").read_text())
    assert [i["number"] for i in manifest["issues"]] == list(range(1, 11))
    assert not list(out.glob(".*.part")) and not (out / records.JOURNAL).read_bytes()
    # A rebuild of every issue (the template changed), killed: archive.json by itself, journal
    # aside, names only files that are on disk with the bytes it says.
    template = project / "templates" / "issue.html"
    template.write_text(template.read_text().replace("<h2>", "<h2>Revised: "))
    kill_after_three_issues(project, out)
    raw = json.loads((out / "archive.json").read_text())
    for path, item in files_of(raw).items():
        assert records.file_ok(out / path, item), path


def kill_after_three_issues(project: Path, out: Path) -> None:
    """Run the archive in a subprocess and SIGKILL it (and its workers) once it has reported
    three issues built (it reports each after recording it)."""
    command = [sys.executable, "-m", "newsbook", "archive", str(project), "--from", "2025-01-01",
               "--to", "2025-03-11", "--every", "week", "-d", str(out), "--jobs", "1"]
    process = subprocess.Popen(command, env={**os.environ, **ENV}, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in process.stderr:  # ends early only if the process does
        seen.append(line)
        if sum(": built (" in s for s in seen) == 3:
            break
    os.killpg(process.pid, signal.SIGKILL)  # the CLI and its worker processes, mid-run
    process.wait()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "".join(seen)


class FlakyExecutor:
    """Runs builds in this process, except that one period's worker "dies"."""

    description = "in-process (one worker lost)"

    def __init__(self, lost: str):
        self.lost = lost

    def run(self, fn, items):
        for item in items:
            if item.label == self.lost:
                yield item, RuntimeError("worker lost")
            else:
                yield item, fn(item)

    def close(self):
        pass


def test_failed_issue_is_reported_and_retried(tmp_path, monkeypatch):
    from newsbook.archive.run import archive
    from newsbook.build.config import load

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = make_project(tmp_path / "ledger", weeks=3, compact=False)
    out = tmp_path / "out"
    config = load(project / "newsbook.toml")
    report = archive(config, date(2025, 1, 1), date(2025, 1, 19), "week", output_dir=out,
                     formats=["epub"], executor=FlakyExecutor("2025-W02"))
    assert report.built == ["2025-W01", "2025-W03"]
    assert list(report.failed) == ["2025-W02"] and "worker lost" in report.failed["2025-W02"]
    manifest = json.loads((out / "archive.json").read_text())
    assert [i["period"]["label"] for i in manifest["issues"]] == ["2025-W01", "2025-W03"]
    assert manifest["failed"][0]["period"] == "2025-W02"
    assert not (out / "the-weekly-ledger-2025-W02.epub").exists()
    retry = archive(config, date(2025, 1, 1), date(2025, 1, 19), "week", output_dir=out,
                    formats=["epub"], executor=FlakyExecutor("none"))
    assert retry.built == ["2025-W02"] and retry.up_to_date == ["2025-W01", "2025-W03"]
    manifest = json.loads((out / "archive.json").read_text())
    assert manifest["failed"] == [] and [i["number"] for i in manifest["issues"]] == [1, 2, 3]
    register_epub(out / "the-weekly-ledger-2025-W02.epub")


def test_tampered_file_is_rebuilt_and_emptied_period_removed(tmp_path, monkeypatch):
    from newsbook.archive.run import archive
    from newsbook.build.config import load

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = make_project(tmp_path / "ledger", weeks=3)
    out = tmp_path / "out"
    config = load(project / "newsbook.toml")
    run = lambda: archive(config, date(2025, 1, 1), date(2025, 1, 19), "week",  # noqa: E731
                          output_dir=out, formats=["epub"], executor=FlakyExecutor("none"))
    run()
    epub = out / "the-weekly-ledger-2025-W01.epub"
    epub.write_bytes(epub.read_bytes() + b"x")
    (project / "articles" / "2025-01-15-story.md").unlink()
    (project / "articles" / "2025-01-15-feature.html").unlink()
    report = run()
    assert report.repaired == ["2025-W01"] and report.built == ["2025-W01"]
    assert report.removed == ["2025-W03"] and report.empty == ["2025-W03"]
    assert not (out / "the-weekly-ledger-2025-W03.epub").exists()
    manifest = json.loads((out / "archive.json").read_text())
    assert [i["period"]["label"] for i in manifest["issues"]] == ["2025-W01", "2025-W02"]
    # A new title renames the files: the old ones go once the manifest no longer names them.
    toml = project / "newsbook.toml"
    toml.write_text(toml.read_text().replace("The Weekly Ledger", "The Ledger"))
    config = load(toml)
    assert run().built == ["2025-W01", "2025-W02"]
    assert sorted(p.name for p in out.glob("*.epub")) == ["the-ledger-2025-W01.epub",
                                                          "the-ledger-2025-W02.epub"]


def test_user_errors_are_one_line(tmp_path):
    project = make_project(tmp_path / "ledger", weeks=1)
    cases = [
        (["archive", str(project), "--from", "2025-02-01", "--to", "2025-01-01", "--every",
          "week"], "before --from"),
        (["archive", str(tmp_path), "--from", "2025-01-01", "--to", "2025-01-02", "--every",
          "day"], "no newsbook.toml"),
        (["archive", str(project), "--from", "2025-01-01", "--to", "2025-01-02", "--every",
          "fortnight"], "fortnight"),
    ]
    for args, message in cases:
        result = run_cli(*args)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
    out = tmp_path / "out"
    first = archive_cli(project, out, "--jobs", "1", "-f", "epub", first="2025-01-01",
                        last="2025-01-05")
    assert first.returncode == 0, first.stderr
    other = run_cli("archive", str(project), "--from", "2025-01-01", "--to", "2025-01-05",
                    "--every", "day", "-d", str(out))
    assert other.returncode == 2 and "one issue a week" in other.stderr
    earlier = archive_cli(project, out, first="2024-12-01", last="2025-01-05")
    assert earlier.returncode == 2 and "numbered from 2025-W01" in earlier.stderr


def test_periods():
    from newsbook.archive.periods import ordinal, parse_label, period_of, periods

    weeks = periods(date(2025, 12, 25), date(2026, 1, 6), "week")
    assert [p.label for p in weeks] == ["2025-W52", "2026-W01", "2026-W02"]
    assert weeks[1].start == date(2025, 12, 29) and weeks[1].last_day == date(2026, 1, 4)
    months = periods(date(2024, 1, 31), date(2024, 3, 1), "month")
    assert [(p.label, p.last_day.day) for p in months] == [("2024-01", 31), ("2024-02", 29),
                                                          ("2024-03", 31)]
    days = periods(date(2024, 2, 28), date(2024, 3, 1), "day")
    assert [p.label for p in days] == ["2024-02-28", "2024-02-29", "2024-03-01"]
    assert ordinal(months[0], months[2], "month") == 3
    assert ordinal(weeks[0], weeks[2], "week") == 3
    for period in weeks + months + days:
        every = {7: "week", 1: "day"}.get((period.end - period.start).days, "month")
        assert parse_label(period.label, every) == period == period_of(period.last_day, every)


def test_feed_and_page_sources_come_from_the_cache(tmp_path):
    from webserver import FixtureServer

    server = FixtureServer()
    paragraphs = "".join(f"<p>{' '.join(random.Random(n).choice(WORDS) for _ in range(50))}.</p>"
                         for n in range(3))
    feed = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Port Wire</title><link>{base}/</link><description>News</description>"
            + "".join(f"<item><title>Wire {n}</title><link>{{base}}/wire/{n}</link>"
                      f"<guid>{{base}}/wire/{n}</guid>"
                      f"<pubDate>{day} Jan 2025 09:00:00 +0000</pubDate>"
                      f"<description><![CDATA[{paragraphs.replace('<p>', f'<p>{n} ', 1)}]]>"
                      "</description></item>" for n, day in ((1, "02"), (2, "09")))
            + "</channel></rss>").replace("{base}", server.base)
    feed_url = server.add("/feed.xml", feed, content_type="application/rss+xml")
    page = ("<!DOCTYPE html><html lang='en'><head><title>Harbour page</title>"
            "<meta property='article:published_time' content='2025-01-15T08:00:00Z'></head>"
            f"<body><article><h1>Harbour page</h1>{paragraphs}</article></body></html>")
    page_url = server.add("/harbour.html", page)
    project = tmp_path / "web"
    project.mkdir()
    (project / "newsbook.toml").write_text(
        f'[issue]\ntitle = "Wire Archive"\n[epub]\ncover = false\n'
        f'[[sources]]\nfeed = "{feed_url}"\nfull_text = false\n'
        f'[[sources]]\nurl = "{page_url}"\n', encoding="utf-8")
    (project / "templates").mkdir()
    (project / "templates" / "issue.html").write_text(COMPACT_ISSUE, encoding="utf-8")
    out = tmp_path / "out"
    try:
        first = archive_cli(project, out, "--online", "--jobs", "1", first="2025-01-01",
                            last="2025-01-19")
    finally:
        server.stop()
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["built"] == ["2025-W01", "2025-W02", "2025-W03"]
    manifest = json.loads((out / "archive.json").read_text())
    entries = {i["period"]["label"]: i for i in manifest["issues"]}
    wire = entries["2025-W01"]["articles"][0]
    assert wire["url"] == f"{server.base}/wire/1" and wire["attachment"] == "feed.xml"
    assert wire["retrieved"]
    harbour = entries["2025-W03"]["articles"][0]
    assert harbour["source"] == page_url and harbour["attachment"] == "harbour.html"
    pdf = out / entries["2025-W03"]["files"][1]["path"]
    assert PdfReader(pdf).attachments["harbour.html"] == [page.encode("utf-8")]
    pdf = out / entries["2025-W02"]["files"][1]["path"]
    assert PdfReader(pdf).attachments["feed.xml"] == [feed.encode("utf-8")]
    # Offline (the default), with the server gone: everything from the cache, nothing rebuilt.
    again = archive_cli(project, out, first="2025-01-01", last="2025-01-19")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["up_to_date"] == ["2025-W01", "2025-W02", "2025-W03"]
    assert json.loads((out / "archive.json").read_text()) == manifest


def test_unreachable_scheduler_is_a_user_error():
    pytest.importorskip("distributed")
    from newsbook.archive.executors import DaskExecutor
    from newsbook.model.errors import NewsbookError

    with pytest.raises(NewsbookError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=1)


def test_monthly_archive(tmp_path):
    project = make_project(tmp_path / "ledger", weeks=9)  # 1 January to 26 February
    out = tmp_path / "out"
    result = run_cli("archive", str(project), "--from", "2025-01-01", "--to", "2025-03-31",
                     "--every", "month", "-d", str(out), "-f", "epub", "--json", "--jobs", "1",
                     env=ENV)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["built"] and sorted(report["built"]) == ["2025-01", "2025-02"]
    assert report["empty"] == ["2025-03"]
    manifest = json.loads((out / "archive.json").read_text())
    january, february = manifest["issues"]
    assert (january["number"], february["number"]) == (1, 2)
    assert january["period"] == {"label": "2025-01", "start": "2025-01-01", "end": "2025-01-31"}
    assert len(january["articles"]) == 6  # five stories and the feature of 15 January
    assert all(a["published"].startswith("2025-02") for a in february["articles"])
    assert [f["format"] for f in january["files"]] == ["epub"]
    register_epub(out / january["files"][0]["path"])


def crash_in_one_period(job):
    """A build that kills its worker process for one period (as the OOM killer would)."""
    from newsbook.archive.worker import build_issue

    if job.label == "2025-W02":
        os._exit(1)
    return build_issue(job)


def test_a_dying_worker_fails_only_its_issue(tmp_path, monkeypatch):
    from newsbook.archive.executors import LocalExecutor

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = make_project(tmp_path / "ledger", weeks=4)
    jobs = plan_jobs(project, date(2025, 1, 1), date(2025, 1, 26))
    executor = LocalExecutor(2)
    try:
        outcomes = {job.label: result for job, result in executor.run(crash_in_one_period, jobs)}
    finally:
        executor.close()
    assert sorted(outcomes) == ["2025-W01", "2025-W02", "2025-W03", "2025-W04"]
    assert isinstance(outcomes.pop("2025-W02"), Exception)
    assert all(result.error is None and set(result.files) == {"epub", "pdf"}
               for result in outcomes.values())


def plan_jobs(project: Path, first: date, last: date):
    from newsbook.archive.plan import plan_archive
    from newsbook.build.config import load

    return plan_archive(load(project / "newsbook.toml"), first, last, "week",
                        output_dir=project / "out", jobs=1).jobs
