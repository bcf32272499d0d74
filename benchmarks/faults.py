"""Web faults: a digest of 30 loopback sources, every host healthy, then a third misbehaving.

    .venv/bin/python benchmarks/faults.py                 # the digest, healthy and faulty walls
    .venv/bin/python benchmarks/faults.py --table         # also each fault alone, as a user meets it
    .venv/bin/python benchmarks/faults.py --timeout 10 --format epub pdf

The digest: 15 loopback hosts (127.0.0.11 …), each a site with a feed (three summary-only
entries linking to pages of the site) and a page, every page with two photos of its own host:
30 sources, 60 articles. It is built once with every host healthy and once with five hosts
misbehaving for everything they serve (nothing listening, never answering, trickling one byte at
a time, resetting mid-body, 503 for ever), with the same request deadline (--timeout). Printed
side by side: wall, exit code, articles in the book, warnings; then whether the faulty build kept
every article of the healthy hosts and finished within the healthy wall plus one request deadline.

--table: each fault of issue 14's table alone — one good local file beside the faulty source
(`newsbook build URL local.md -o x.epub`) with the default deadline (30 s), damaged caches of a
project, and signals during the PDF — with the exit code, the wall time and the first warning.
Nothing here reaches beyond 127.0.0.0/8 (tests/faultserver.py).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
import generate  # noqa: E402
from faultserver import FaultServer, refused_url  # noqa: E402

NEWSBOOK = [sys.executable, "-m", "newsbook"]
HOSTS = 15
# How the misbehaving hosts fail, one way each, for every path they serve.
MODES = ["refused", "/silent", "/trickle", "/reset-mid-body", "/status-503"]


@dataclass
class Outcome:
    """What one build gave: exit code, wall seconds, the JSON report (if any) and stderr."""

    code: int
    wall: float
    report: dict | None
    stderr: str

    @property
    def titles(self) -> list[str]:
        return [a["title"] for a in self.report["included"]] if self.report else []

    @property
    def notes(self) -> list[str]:
        if not self.report:
            return [line for line in self.stderr.splitlines() if line.strip()]
        return ([f["reason"] for f in self.report["failures"]] + self.report["warnings"])


def run(args: list[str], env: dict | None = None, limit: float = 900) -> Outcome:
    """One `python -m newsbook` command with --json; its outcome."""
    started = time.perf_counter()
    result = subprocess.run([*NEWSBOOK, *args], capture_output=True, text=True, timeout=limit,
                            env={**os.environ, **(env or {})})
    wall = time.perf_counter() - started
    try:
        report = json.loads(result.stdout) if result.stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    return Outcome(result.returncode, wall, report, result.stderr)


def png(seed: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    rng = random.Random(seed)
    Image.new("RGB", (320, 200), tuple(rng.randrange(256) for _ in range(3))).save(buffer, "PNG")
    return buffer.getvalue()


def page_html(index: int, images: list[str]) -> tuple[str, str]:
    """A news page (title, HTML) of generated text, with its photos."""
    title, day, paragraphs = generate.article(10_000 + index, words=500)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    figures = "".join(f'<figure><img src="{src}" alt="Photo {n} of story {index}">'
                      f"<figcaption>Photo {n}</figcaption></figure>"
                      for n, src in enumerate(images))
    return title, (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                   f"<title>{title}</title><meta property='article:published_time' "
                   f"content='{day}T08:00:00Z'></head><body><article><h1>{title}</h1>"
                   f"{body[:len(body) // 2]}{figures}{body[len(body) // 2:]}</article></body></html>")


def feed_xml(site: str, entries: list[tuple[str, str, str]]) -> str:
    """RSS of summary-only entries (title, link, day)."""
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{day}</pubDate><description>A short summary of {title}.</description></item>"
        for title, link, day in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{site}</title><link>{site}</link>{items}</channel></rss>")


class Site:
    """One loopback host: a feed of three linked pages and one page, two photos a page."""

    def __init__(self, number: int, server: FaultServer | None, mode: str | None):
        self.number, self.mode = number, mode
        self.host = f"127.0.0.{11 + number}"
        self.titles: list[str] = []
        if mode == "refused":
            self.base = refused_url("", self.host)
        else:
            prefix = mode or ""  # a fault owns every path below it on the fault server
            self.base = server.base + prefix
        self.sources: list[str] = []
        for kind in ("feed", "page"):
            stories = range(3) if kind == "feed" else range(3, 4)
            links = []
            for story in stories:
                index = number * 10 + story
                images = [f"{self.base}/img/{index}-{n}.png" for n in range(2)]
                title, html = page_html(index, images)
                self.titles.append(title)
                link = f"{self.base}/story/{index}"
                links.append((title, link, "Tue, 01 Dec 2026 08:00:00 GMT"))
                if server is not None and mode is None:
                    server.add(f"/story/{index}", html)
                    for n, src in enumerate(images):
                        server.add(src[len(server.base):], png(index * 2 + n), "image/png")
            if kind == "feed":
                url = f"{self.base}/feed.xml"
                if server is not None and mode is None:
                    server.add("/feed.xml", feed_xml(f"Site {number}", links),
                               "application/rss+xml")
                self.sources.append(url)
            else:
                self.sources.append(links[0][1])


def digest(faulty: bool, timeout: float, formats: list[str], folder: Path,
           trickle: float) -> tuple[Outcome, list[Site]]:
    """Serve the 15 sites (five misbehaving when `faulty`) and build the digest from them."""
    servers, sites = [], []
    try:
        for number in range(HOSTS):
            mode = MODES[number % len(MODES)] if faulty and number % 3 == 0 else None
            server = None if mode == "refused" else FaultServer(f"127.0.0.{11 + number}",
                                                                trickle=trickle)
            if server is not None:
                servers.append(server)
            sites.append(Site(number, server, mode))
        sources = [url for site in sites for url in site.sources]
        out = folder / ("faulty" if faulty else "healthy")
        outputs = [arg for fmt in formats for arg in ("-o", str(out / f"digest.{fmt}"))]
        env = {"XDG_CACHE_HOME": str(folder / f"cache-{faulty}")}  # no cache across the runs
        outcome = run(["build", *sources, *outputs, "--json", "--timeout", f"{timeout:g}",
                       "--title", "Loopback Digest"], env)
    finally:
        for server in servers:
            server.stop()
    return outcome, sites


def run_digest(timeout: float, formats: list[str], trickle: float) -> int:
    with tempfile.TemporaryDirectory(prefix="newsbook-faults-") as tmp:
        folder = Path(tmp)
        healthy, _ = digest(False, timeout, formats, folder, trickle)
        faulty, sites = digest(True, timeout, formats, folder, trickle)
    print(f"digest of {HOSTS * 2} sources on {HOSTS} loopback hosts, formats {formats}, "
          f"request deadline {timeout:g} s; load average {os.getloadavg()[0]:.2f}")
    print(f"  {'':34} {'wall s':>8} {'exit':>5} {'articles':>9} {'notes':>6}")
    for label, outcome in (("every host healthy", healthy),
                           (f"{sum(1 for s in sites if s.mode)} of {HOSTS} hosts misbehaving",
                            faulty)):
        print(f"  {label:34} {outcome.wall:8.2f} {outcome.code:5d} {len(outcome.titles):9d} "
              f"{len(outcome.notes):6d}")
    wanted = {t for site in sites if not site.mode for t in site.titles}
    missing = wanted - set(faulty.titles)
    bound = healthy.wall + timeout
    print(f"  faulty wall {faulty.wall:.2f} s against healthy + one deadline {bound:.2f} s: "
          f"{'within' if faulty.wall <= bound else 'OVER'}")
    print(f"  articles of the healthy hosts in the faulty book: {len(wanted) - len(missing)} "
          f"of {len(wanted)}" + (f"; missing: {sorted(missing)}" if missing else ""))
    print("  what the faulty build said (one line each):")
    for note in faulty.notes:
        print(f"    {note[:150]}")
    for site in sites:
        if site.mode:
            print(f"  host {site.host}: {site.mode.strip('/')}")
    ok = healthy.code == 0 and faulty.code == 0 and not missing and faulty.wall <= bound
    return 0 if ok else 1


# -- each fault alone (--table) ---------------------------------------------------------------

LOCAL = "---\ntitle: The Local Article\ndate: 2026-12-01\n---\n\nA local article, always there.\n"


def table(trickle: float) -> None:
    server = FaultServer(trickle=trickle)
    tmp = Path(tempfile.mkdtemp(prefix="nbf-"))  # short: the fork server's socket lives in it
    try:
        local = tmp / "local.md"
        local.write_text(LOCAL)
        photo = server.add("/good.png", png(1), "image/png")
        _, story = page_html(1, [photo, server.url("/reset-mid-body/photo.png")])
        server.add("/story", story)
        faults = ["/reset-mid-body", "/short-body", "/bad-gzip", "/trickle", "/silent"]
        server.add("/feed.xml", feed_xml("Faulty", [(f"Entry {p}", server.url(p),
                                                     "Tue, 01 Dec 2026 08:00:00 GMT")
                                                    for p in faults]), "application/rss+xml")
        dead = refused_url("")
        _, gallery = page_html(2, [f"{dead}/img{n}.png" for n in range(60)])
        server.add("/gallery", gallery)
        rows = [("connection reset mid-body", server.url("/reset-mid-body")),
                ("body shorter than Content-Length", server.url("/short-body")),
                ("gzip header over bytes not gzip", server.url("/bad-gzip")),
                ("a page whose image resets", server.url("/story")),
                ("feed linking to the pages above", server.url("/feed.xml")),
                (f"trickle: a byte every {trickle:g} s", server.url("/trickle")),
                ("accepts, never answers", server.url("/silent")),
                ("60 images on a refusing host", server.url("/gallery"))]
        print(f"each fault beside one local file: newsbook build URL local.md -o x.epub --json "
              f"(default deadline 30 s)")
        print(f"  {'fault':40} {'exit':>4} {'wall s':>7} {'book':>5}  first warning")
        for n, (label, url) in enumerate(rows):
            outcome = run(["build", url, str(local), "-o", str(tmp / f"x{n}.epub"), "--json"],
                          {"XDG_CACHE_HOME": str(tmp / f"cache{n}")})
            notes = outcome.notes
            print(f"  {label:40} {outcome.code:4d} {outcome.wall:7.2f} {len(outcome.titles):5d}  "
                  f"{(notes[0] if notes else '-')[:110]}"
                  + (f" (+{len(notes) - 1} more)" if len(notes) > 1 else ""))
        caches(server, tmp)
        signals(tmp)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def caches(server: FaultServer, tmp: Path) -> None:
    """A project with one page and one note, built, its caches damaged, built again."""
    _, html = page_html(3, [])
    url = server.add("/cached", html)
    garbage = b"SQLite format 3\x00" + bytes(range(256)) * 64
    for name in ("http.sqlite", "articles.sqlite"):
        folder = tmp / f"proj-{name}"
        (folder / "notes").mkdir(parents=True)
        (folder / "newsbook.toml").write_text(
            f'[issue]\ntitle = "Cache"\n\n[build]\nformats = ["epub"]\n\n'
            f'[[sources]]\nurl = "{url}"\n\n[[sources]]\npath = "notes"\n')
        (folder / "notes" / "n.md").write_text(LOCAL)
        first = run(["build", str(folder), "--json"])
        assert first.code == 0, first.stderr
        (folder / ".newsbook" / "cache" / name).write_bytes(garbage)
        (folder / "notes" / "n.md").write_text(LOCAL + "\nEdited.\n")
        outcome = run(["build", str(folder), "--json", "--include-seen"])
        notes = [n for n in outcome.notes if "cache" in n]
        print(f"  {name + ' overwritten with garbage':40} {outcome.code:4d} "
              f"{outcome.wall:7.2f} {len(outcome.titles):5d}  {(notes or ['-'])[0][:110]}")


def signals(tmp: Path) -> None:
    """SIGKILL and SIGINT to a build while its PDF workers render: what is left, what is said."""
    folder = tmp / "big"
    generate.write(folder / "articles", 60)
    (folder / "newsbook.toml").write_text('[issue]\ntitle = "Big"\n\n[build]\nformats = '
                                          '["pdf"]\n')
    for sig, label in ((signal.SIGKILL, "kill -9 during the PDF"),
                       (signal.SIGINT, "Ctrl-C during the PDF")):
        temp = Path(tempfile.mkdtemp(prefix="nbt-"))
        shutil.rmtree(folder / ".newsbook", ignore_errors=True)
        env = {**os.environ, "TMPDIR": str(temp)}
        started = time.perf_counter()
        process = subprocess.Popen([*NEWSBOOK, "build", str(folder)], env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        while not any(p.name.startswith("newsbook-pdf-") for p in temp.rglob("*")):
            if process.poll() is not None or time.perf_counter() - started > 300:
                break
            time.sleep(0.01)
        signalled = time.perf_counter()
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=120)
        stopped = time.perf_counter() - signalled
        time.sleep(1)  # the killed build's children end a moment after it
        left = sorted(p.name for p in temp.iterdir())
        subprocess.run([*NEWSBOOK, "--version"], env=env, capture_output=True)
        after = sorted(p.name for p in temp.iterdir())
        lines = [line for line in stderr.splitlines() if line.strip()]
        print(f"  {label:40} {process.returncode:4d} {stopped:7.2f} {'-':>5}  "
              f"stderr {lines!r:.60}; left in TMPDIR: {len(left)}, after the next run: "
              f"{len(after)}")
        shutil.rmtree(temp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="request deadline of both digest builds (seconds)")
    parser.add_argument("--format", nargs="+", default=["epub"], choices=["epub", "pdf"])
    parser.add_argument("--trickle", type=float, default=2.0,
                        help="seconds between the bytes of a trickling server")
    parser.add_argument("--table", action="store_true", help="also each fault alone")
    args = parser.parse_args()
    if args.table:
        table(args.trickle)
        print()
    return run_digest(args.timeout, args.format, args.trickle)


if __name__ == "__main__":
    sys.exit(main())
