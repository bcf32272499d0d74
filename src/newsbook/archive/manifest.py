"""archive.json and its journal: what the archive folder holds, always true to the files.

Files land first (atomically), then the record of them; an issue about to be rebuilt leaves
the manifest before its files are replaced. Each finished issue is appended to a
journal (.newsbook/archive-journal.jsonl, one fsync'd line) at once; the manifest itself, which
grows with the archive, is rewritten atomically every few seconds and at the end, and the journal
is emptied after it. A run that starts replays the journal into the manifest, then checks every
listed file (size and SHA-256) and forgets issues whose files are missing or changed, so they are
built again: whatever happened before (a kill, a full disk, a hand edit), the manifest written
next lists only files that are there with the bytes it names.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from newsbook.model.errors import NewsbookError

MANIFEST = "archive.json"
INDEX = "index.html"
JOURNAL = Path(".newsbook") / "archive-journal.jsonl"
FORMAT = 1  # the manifest's own version


@dataclass
class Manifest:
    """The archive's record: issues by period label, failures, empty periods."""

    title: str = ""
    language: str = "en"
    every: str | None = None
    origin: str | None = None  # the label of the period numbered 1
    issues: dict[str, dict] = field(default_factory=dict)
    failed: dict[str, dict] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)

    def as_json(self) -> bytes:
        """The manifest file's bytes: sorted, so equal archives give equal manifests."""
        data = {
            "format": FORMAT,
            "title": self.title,
            "language": self.language,
            "every": self.every,
            "origin": self.origin,
            "issues": [self.issues[label] for label in sorted(self.issues)],
            "empty": sorted(self.empty),
            "failed": [{"period": label, **self.failed[label]} for label in sorted(self.failed)],
        }
        return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


class ManifestError(NewsbookError):
    """archive.json cannot be read as a manifest."""


def load(folder: Path) -> Manifest:
    """The folder's manifest with its journal replayed (an empty one for a new archive)."""
    path = folder / MANIFEST
    manifest = Manifest()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = None
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{path}: not a readable archive manifest ({exc}); move it away "
                            "to rebuild the archive's record (issues are rebuilt)") from None
    if data is not None:
        if not isinstance(data, dict) or not isinstance(data.get("issues"), list):
            raise ManifestError(f"{path}: not an archive manifest (no issue list); move it "
                                "away to rebuild the archive's record")
        manifest.title = data.get("title") or ""
        manifest.language = data.get("language") or "en"
        manifest.every = data.get("every")
        manifest.origin = data.get("origin")
        manifest.issues = {entry["period"]["label"]: entry for entry in data["issues"]}
        manifest.failed = {item["period"]: {k: v for k, v in item.items() if k != "period"}
                           for item in data.get("failed", [])}
        manifest.empty = list(data.get("empty", []))
    for record in read_journal(folder):
        apply(manifest, record)
    return manifest


def apply(manifest: Manifest, record: dict) -> None:
    """One journal record: an issue built, failed, or removed."""
    label = record["label"]
    if "entry" in record:
        manifest.issues[label] = record["entry"]
        manifest.failed.pop(label, None)
    elif "failed" in record:
        manifest.failed[label] = record["failed"]
    elif record.get("removed"):
        manifest.issues.pop(label, None)
        manifest.failed.pop(label, None)
    for key in ("every", "origin", "title"):
        if record.get(key):
            setattr(manifest, key, record[key])


def read_journal(folder: Path) -> list[dict]:
    """The journal's complete records; a line torn by a crash is ignored."""
    try:
        lines = (folder / JOURNAL).read_bytes().splitlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "label" in record:
            records.append(record)
    return records


def verify(manifest: Manifest, folder: Path) -> list[str]:
    """Forget issues whose files are missing or not the bytes recorded; returns their labels."""
    dropped = []
    for label, entry in list(manifest.issues.items()):
        if not all(file_ok(folder / item["path"], item) for item in entry.get("files", [])):
            del manifest.issues[label]
            dropped.append(label)
    return dropped


def file_ok(path: Path, item: dict) -> bool:
    """The file is there with the size and SHA-256 a manifest entry names."""
    try:
        if path.stat().st_size != item.get("bytes"):
            return False
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == item.get("sha256")


class Journal:
    """Appends one line per finished issue, flushed to disk before the next step."""

    def __init__(self, folder: Path):
        self.path = folder / JOURNAL
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, record: dict) -> None:
        """Write one record and fsync it."""
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        data = line.encode("utf-8")
        while data:
            data = data[os.write(self._fd, data):]
        os.fsync(self._fd)

    def clear(self) -> None:
        """Empty the journal once the manifest holds everything in it."""
        os.ftruncate(self._fd, 0)
        os.fsync(self._fd)

    def close(self) -> None:
        """Close the journal file."""
        os.close(self._fd)


def file_entry(folder: Path, path: Path, fmt: str, data: bytes) -> dict:
    """A file as a manifest lists it: name relative to the archive, size and SHA-256."""
    return {"path": path.relative_to(folder).as_posix(), "format": fmt, "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}
