"""Deterministic synthetic articles for speed measurements: Markdown, HTML and scraped text."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = ("the harbour council ferry library market bridge tram museum school garden river square "
         "bakery station theatre festival budget repair volunteer lighthouse report week city "
         "people said new old year plan work open time public local morning evening street "
         "because after before during around between under over with without about against "
         "engineers residents visitors traders teachers students readers writers musicians "
         "announced explained suggested expected described welcomed questioned promised").split()


def paragraph(rng: random.Random, words: int) -> str:
    """A paragraph of sentences of 8–22 words."""
    out, left = [], words
    while left > 0:
        n = min(left, rng.randint(8, 22))
        sentence = " ".join(rng.choice(WORDS) for _ in range(n))
        out.append(sentence.capitalize() + rng.choice([".", ".", ".", "?", "!"]))
        left -= n
    return " ".join(out)


def article(index: int, words: int = 900) -> tuple[str, str, list[str]]:
    """Title, date and paragraphs of article number `index` (the same every time)."""
    rng = random.Random(index)
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).title()
    day = f"2026-11-{1 + index % 28:02d}"
    paragraphs = [paragraph(rng, rng.randint(60, 140)) for _ in range(words // 100)]
    return title, day, paragraphs


def write(folder: Path, count: int, kinds: tuple[str, ...] = ("md",)) -> list[Path]:
    """Write `count` articles into `folder`, cycling through the given kinds (md, html, txt)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        title, day, paragraphs = article(i)
        kind = kinds[i % len(kinds)]
        path = folder / f"{i:05d}.{kind}"
        if kind == "md":
            body = "\n\n".join(paragraphs[:3] + [f"## {title.split()[0]} and more"]
                               + paragraphs[3:] + ["- one point\n- another point"])
            path.write_text(f"---\ntitle: \"{title}\"\ndate: {day}\nauthor: Writer {i % 17}\n"
                            f"---\n\n{body}\n", encoding="utf-8")
        elif kind == "html":
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            path.write_text(f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                            f"<title>{title} | Bench Times</title>"
                            f"<meta property='og:title' content='{title}'>"
                            f"<meta name='author' content='Writer {i % 17}'></head><body>"
                            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
                            f"<h1>{title}</h1>{body}</article><footer>© Bench Times</footer>"
                            f"</body></html>", encoding="utf-8")
        else:
            lines = ["Home", "News", "Sport", f"Reading: {title}", "- Advertisement -", "",
                     title, "", f"Writer {i % 17}", f"Writer {i % 17} 12 Views", ""]
            lines += [p + "\n" for p in paragraphs] + ["Share This Article", "- Advertisement -"]
            path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", "--count", type=int, default=100)
    parser.add_argument("--kinds", default="md", help="comma-separated: md,html,txt")
    args = parser.parse_args()
    write(args.folder, args.count, tuple(args.kinds.split(",")))


if __name__ == "__main__":
    main()
