"""Extraction quality and speed: newsbook against trafilatura, side by side, on a corpus with ground truth.

Corpus layout (the one of ../shared/corpus; any corpus laid out the same way works):
  aeb/ground-truth.json            {id: {"articleBody": ..., "url": ...}}
  aeb/html/<id>.html               the pages
  readability/<name>/source.html   pages with expected-metadata.json (title, byline)
  readability/kinds.json           optional: {name: "real" | "synthetic"}; only real pages count
  split.json                       optional: {"aeb": {"dev": [...], ...}, "readability": {...}}

Usage:
  .venv/bin/python benchmarks/extraction.py ../shared/corpus            # all three, dev subset
  .venv/bin/python benchmarks/extraction.py CORPUS --subset all --worst 5
Bodies are scored as in the article-extraction-benchmark: 4-gram shingle precision and recall per
page, averaged, F1 of the means. "aeb-text" flattens each page to its visible text, one block a
line (the shape of a scraped-text source), and scores the body found in that text.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

TOKEN = re.compile(r"\w+", re.UNICODE)
BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
         "header", "footer", "nav", "aside", "blockquote", "pre", "figcaption", "ul", "ol", "table",
         "main", "form", "dd", "dt", "title"}


def shingles(text: str, n: int = 4) -> Counter:
    """Word 4-grams of a text, counted."""
    toks = TOKEN.findall(text or "")
    return Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i:i + n])


def page_scores(truth: str, found: str) -> tuple[float, float]:
    """Precision and recall of one page's extracted body."""
    t, p = shingles(truth), shingles(found)
    tp = sum(min(t[k], p[k]) for k in t.keys() & p.keys())
    fp, fn = sum(p.values()) - tp, sum(t.values()) - tp
    precision = 1.0 if fp == fn == 0 else (tp / (tp + fp) if tp + fp else 0.0)
    recall = 1.0 if fp == fn == 0 else (tp / (tp + fn) if tp + fn else 0.0)
    return precision, recall


def visible_text(data: bytes) -> str:
    """A page flattened the way a naive scraper saves it: each visible block on its own line."""
    import lxml.html

    root = lxml.html.fromstring(data)
    for bad in root.xpath("//script|//style|//noscript|//template|//svg|//head"):
        bad.drop_tree()
    out: list[str] = []
    cur: list[str] = []

    def flush() -> None:
        line = " ".join("".join(cur).split())
        if line:
            out.append(line)
        cur.clear()

    def walk(el) -> None:
        if not isinstance(el.tag, str):
            cur.append(el.tail or "")
            return
        block = el.tag in BLOCK
        if block:
            flush()
        cur.append(el.text or "")
        for child in el:
            walk(child)
        if block:
            flush()
        cur.append(el.tail or "")

    walk(root)
    flush()
    return "\n".join(out) + "\n"


def norm(text: str | None) -> str:
    return " ".join(TOKEN.findall((text or "").lower()))


def newsbook_extract(path: Path) -> dict:
    from newsbook.build.extract import extract_one
    from newsbook.model.errors import NewsbookError

    try:
        return extract_one(path)
    except NewsbookError:
        return {"text": "", "title": None, "authors": []}


def trafilatura_extract(path: Path, as_text: bool) -> dict:
    import html

    import trafilatura

    raw = path.read_text(encoding="utf-8", errors="replace")
    if as_text:
        raw = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>"
                                       for line in raw.splitlines()) + "</body></html>"
    document = trafilatura.bare_extraction(raw, with_metadata=True)
    found = document.as_dict() if document is not None else {}
    return {"text": found.get("text") or "", "title": found.get("title"),
            "authors": [found["author"]] if found.get("author") else []}


def load(root: Path, corpus: str, subset: str) -> list[dict]:
    """The cases of one corpus: path, id, and ground truth."""
    split_file = root / "split.json"
    split = json.loads(split_file.read_text()) if split_file.exists() else {}
    key = "aeb" if corpus.startswith("aeb") else corpus

    def wanted(ids):
        chosen = split.get(key, {}).get(subset) if subset != "all" else None
        if isinstance(chosen, dict):  # readability splits its ids into real / synthetic
            chosen = [i for group in chosen.values() for i in group]
        return [i for i in ids if chosen is None or i in set(chosen)]

    if key == "aeb":
        truth = json.loads((root / "aeb" / "ground-truth.json").read_text())
        return [{"id": i, "path": root / "aeb" / "html" / f"{i}.html",
                 "body": truth[i]["articleBody"]}
                for i in wanted(sorted(truth)) if (root / "aeb" / "html" / f"{i}.html").exists()]
    kinds_file = root / "readability" / "kinds.json"
    kinds = json.loads(kinds_file.read_text()) if kinds_file.exists() else {}
    cases = []
    for folder in wanted(sorted(p.name for p in (root / "readability").iterdir() if p.is_dir())):
        if kinds.get(folder, "real") != "real":  # hand-made test pages carry no real metadata
            continue
        meta = json.loads((root / "readability" / folder / "expected-metadata.json").read_text())
        cases.append({"id": folder, "path": root / "readability" / folder / "source.html",
                      "title": meta.get("title"), "byline": meta.get("byline")})
    return cases


def run(cases: list[dict], extract) -> tuple[list[dict], float, float]:
    """Extract every case; wall and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    results = [extract(c["path"]) for c in cases]
    return results, time.perf_counter() - wall, time.process_time() - cpu


def summarize(corpus: str, cases: list[dict], results: list[dict]) -> str:
    if corpus.startswith("aeb"):
        scores = [page_scores(c["body"], r.get("text") or "") for c, r in zip(cases, results)]
        p = statistics.mean(s[0] for s in scores)
        r = statistics.mean(s[1] for s in scores)
        f = 2 * p * r / (p + r) if p + r else 0.0
        return f"F1={f:.3f} precision={p:.3f} recall={r:.3f}"
    titles = [norm(c["title"]) == norm(r.get("title")) for c, r in zip(cases, results) if c["title"]]
    bylines = []
    for c, r in zip(cases, results):
        if c["byline"]:
            found = norm(", ".join(r.get("authors") or []))
            bylines.append(bool(found) and (found in norm(c["byline"]) or norm(c["byline"]) in found))
    return (f"title_exact={statistics.mean(titles):.3f} "
            f"byline_match={statistics.mean(bylines) if bylines else 0:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="corpus folder (e.g. ../shared/corpus)")
    parser.add_argument("--corpus", choices=["aeb", "aeb-text", "readability"], action="append")
    parser.add_argument("--subset", default="dev", choices=["dev", "holdout", "all"])
    parser.add_argument("--worst", type=int, default=0, help="list the N weakest aeb pages")
    args = parser.parse_args()
    # Import both libraries before timing: the comparison is of extraction, not start-up.
    import trafilatura  # noqa: F401

    import newsbook.sources.html  # noqa: F401
    import newsbook.sources.text  # noqa: F401

    for corpus in args.corpus or ["aeb", "aeb-text", "readability"]:
        cases = load(args.root, corpus, args.subset)
        if not cases:
            print(f"{corpus}: no cases under {args.root}", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            if corpus == "aeb-text":
                for case in cases:
                    flat = Path(tmp) / f"{case['id'][:16]}.txt"
                    flat.write_text(visible_text(case["path"].read_bytes()), encoding="utf-8")
                    case["path"] = flat
            ours, wall, cpu = run(cases, newsbook_extract)
            theirs, t_wall, t_cpu = run(cases, lambda p: trafilatura_extract(p, corpus == "aeb-text"))
        print(f"{corpus}/{args.subset} pages={len(cases)}")
        print(f"  newsbook     {summarize(corpus, cases, ours)}  wall={wall:.2f}s cpu={cpu:.2f}s")
        print(f"  trafilatura  {summarize(corpus, cases, theirs)}  wall={t_wall:.2f}s cpu={t_cpu:.2f}s")
        print(f"  time ratio newsbook/trafilatura = {wall / t_wall:.2f}")
        if args.worst and corpus.startswith("aeb"):
            ranked = sorted((2 * p * r / (p + r) if p + r else 0.0, c["id"])
                            for c, (p, r) in ((c, page_scores(c["body"], o.get("text") or ""))
                                              for c, o in zip(cases, ours)))
            for f1, ident in ranked[:args.worst]:
                print(f"    worst {f1:.3f} {ident}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
