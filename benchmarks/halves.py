"""Extraction measured honestly: the dev corpus split in two halves by a fixed seed, both scored.

    .venv/bin/python benchmarks/halves.py ../shared/corpus             # every corpus, both halves
    .venv/bin/python benchmarks/halves.py ../shared/corpus --corpora postlight --worst 5

A rule is written looking at half A only and kept only if it also helps half B (and all of dev).
The halves are made by `random.Random(SEED)` over each corpus's sorted dev ids, so they never
change between sessions. Each figure comes from ../shared/tools/eval_extract.py, run on a
corpus root of symbolic links whose split.json names half A "dev" and half B "holdout";
trafilatura alone is scored in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SEED = 15  # issue 15: fixed once, never tuned
CORPORA = ["aeb", "aeb-text", "readability", "postlight"]
VENV_BIN = Path(sys.executable).parent


def halves(ids: list[str]) -> tuple[list[str], list[str]]:
    """Half A and half B of a list of ids, the same every time."""
    ordered = sorted(ids)
    random.Random(SEED).shuffle(ordered)
    middle = len(ordered) // 2
    return sorted(ordered[:middle]), sorted(ordered[middle:])


def split_root(corpus: Path, into: Path, whole: bool = False) -> Path:
    """A corpus root whose "dev" is half A and "holdout" half B (or all of dev, twice)."""
    split = json.loads((corpus / "split.json").read_text())
    new = {}
    for name, parts in split.items():
        dev = parts["dev"]
        if isinstance(dev, dict):  # readability: {"real": [...], "synthetic": [...]}
            a, b = {}, {}
            for kind, ids in dev.items():
                a[kind], b[kind] = (ids, ids) if whole else halves(ids)
        else:
            a, b = (dev, dev) if whole else halves(dev)
        new[name] = {"dev": a, "holdout": b}
    into.mkdir(parents=True, exist_ok=True)
    for entry in corpus.iterdir():
        if entry.name != "split.json" and not (into / entry.name).exists():
            (into / entry.name).symlink_to(entry.resolve())
    (into / "split.json").write_text(json.dumps(new))
    return into


def score(tool: Path, root: Path, corpus: str, subset: str, baseline: bool, worst: int) -> str:
    """The summary line of one eval_extract.py run (and its worst pages when asked)."""
    command = [sys.executable, str(tool), corpus, subset, "--root", str(root)]
    if baseline:
        command += ["--baseline", "trafilatura"]
    else:
        command += ["--cmd", f"{VENV_BIN / 'newsbook'} extract --format json"]
    if worst:
        command += ["--worst", str(worst)]
    result = subprocess.run(command, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 or not lines:
        return f"failed: {result.stderr.strip()[-300:]}"
    if worst and not baseline:
        print("\n".join(lines[:-1]))
    return lines[-1]


def figures(line: str) -> str:
    """The measures of a summary line, without the corpus name and counts."""
    return " ".join(part for part in line.split() if re.match(r"[A-Za-z_0-9]+=", part)
                    and not part.startswith(("n=", "pages=")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--corpora", nargs="+", default=CORPORA, choices=CORPORA)
    parser.add_argument("--tool", type=Path,
                        help="eval_extract.py (default: CORPUS/../tools/eval_extract.py)")
    parser.add_argument("--no-baseline", action="store_true", help="skip trafilatura")
    parser.add_argument("--worst", type=int, default=0)
    args = parser.parse_args()
    tool = args.tool or args.corpus.resolve().parent / "tools" / "eval_extract.py"
    with tempfile.TemporaryDirectory(prefix="newsbook-halves-") as tmp:
        split = split_root(args.corpus.resolve(), Path(tmp) / "halves")
        whole = split_root(args.corpus.resolve(), Path(tmp) / "whole", whole=True)
        print(f"dev split by random.Random({SEED}); half A tuned on, half B judged on")
        for corpus in args.corpora:
            for label, root, subset in (("A", split, "dev"), ("B", split, "holdout"),
                                        ("dev", whole, "dev")):
                mine = figures(score(tool, root, corpus, subset, False, args.worst))
                line = f"{corpus:12} {label:4} newsbook    {mine}"
                if not args.no_baseline:
                    theirs = figures(score(tool, root, corpus, subset, True, 0))
                    line += f"\n{'':17} trafilatura {theirs}"
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
