"""Up-to-date checks: the full one (the fingerprint of the issue as read), and the quick one,
from file stats alone, for a rebuild with nothing changed.

A project build records, per command line, the stats of every local file and folder the issue
was made from (sources, images, config, templates, state) and of the outputs it left, with what
the command printed. Running the same command again with every stat unchanged, on the same day,
prints that again without loading anything heavy, the way make and ninja decide from mtimes.
Anything else (a stat differs, a remote source, a new day) takes the full path, whose own
fingerprint check then decides. Only os, json and hashlib here: this runs before click loads.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from typing import TYPE_CHECKING

from newsbook import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from newsbook.model import Issue
    from newsbook.render.environment import Theme

STATE_DIR = ".newsbook"  # state.STATE_DIR, not imported: that module loads sqlite3
FILE_NAME = "quick.json"
MAX_ENTRIES = 16  # command lines remembered per project (formats, folders, flags)
# The environment a build's result or printing depends on, besides files.
_ENV = ("SOURCE_DATE_EPOCH", "NO_COLOR", "TZ")
_FORMAT = 1


def command_key(argv: list[str], cwd: str) -> str:
    """What identifies a command line: its words, the folder it ran in, version and env."""
    env = sorted((k, v) for k, v in os.environ.items() if k in _ENV or k.startswith("NEWSBOOK_"))
    raw = json.dumps([_FORMAT, __version__, cwd, list(argv), env], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _row(path: str) -> list:
    try:
        st = os.stat(path)
    except OSError:
        return ["-", path]
    if stat.S_ISDIR(st.st_mode):
        return ["d", path, st.st_mtime_ns]
    # ctime too: a copy that keeps the mtime (cp -p, rsync) still changes it.
    return ["f", path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def snapshot(paths: list[str]) -> list[list]:
    """Stat rows for files, folders (walked: every folder and file under them) and absences.

    Hidden and underscore folders are skipped, as the source readers skip them; a file or
    folder added anywhere changes its parent folder's row.
    """
    rows: dict[str, list] = {}  # by path: a source is listed and also found in its folder
    for path in map(os.path.abspath, paths):
        if path in rows:
            continue
        rows[path] = _row(path)
        if rows[path][0] != "d":
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            rows.setdefault(folder, _row(folder))
            for name in sorted(files):
                file = os.path.join(folder, name)
                if file not in rows:
                    rows[file] = _row(file)
    return list(rows.values())


def unchanged(rows: list[list]) -> bool:
    """Every row still describes its path."""
    return all(_row(row[1]) == row for row in rows)


def record(project: str, argv: list[str], cwd: str, inputs: list[str], outputs: list[str],
           day: str, stdout: str, stderr: str, stderr_plain: str) -> None:
    """Remember a command line's inputs, outputs and printed answer (replacing older entries).

    Nothing is remembered while an input is "racy" (git's word): on a file system that keeps
    whole seconds, a file changed again within the second of its last change would keep its
    stats, so its stats prove nothing until that second is over.
    """
    path = os.path.join(project, STATE_DIR, FILE_NAME)
    entries = _load(path)
    entries.pop(command_key(argv, cwd), None)
    rows = snapshot(inputs)
    if not _racy(rows):
        entries[command_key(argv, cwd)] = {
            "day": day, "inputs": rows, "outputs": snapshot(outputs),
            "stdout": stdout, "stderr": stderr, "stderr_plain": stderr_plain}
    kept = dict(list(entries.items())[-MAX_ENTRIES:])  # insertion order: the newest last
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump(kept, handle, ensure_ascii=False)
        os.replace(temp, path)
    except OSError:
        # Only a shortcut is lost: the next rebuild takes the full path.
        try:
            os.unlink(temp)
        except OSError:
            pass


def _racy(rows: list[list]) -> bool:
    """A file stamped in whole seconds (a coarse file system) within the last two."""
    import time

    recent = time.time_ns() - 2 * 10**9
    return any(row[0] == "f" and row[3] % 10**9 == 0 and row[3] >= recent for row in rows)


def answer(argv: list[str], cwd: str, today: str, colour: bool) -> tuple[str, str] | None:
    """(stdout, stderr) of `newsbook build ARGV` when nothing it depends on changed, else None."""
    key = command_key(argv, cwd)
    for project in _candidates(argv, cwd):
        entry = _load(os.path.join(project, STATE_DIR, FILE_NAME)).get(key)
        if entry is None:
            continue
        if entry.get("day") != today or not (unchanged(entry["outputs"])
                                             and unchanged(entry["inputs"])):
            return None
        return entry["stdout"], entry["stderr"] if colour else entry["stderr_plain"]
    return None


def _candidates(argv: list[str], cwd: str) -> list[str]:
    """Folders the command may build: the working folder and any word naming a project."""
    words = [w for w in argv[1:] if not w.startswith("-")]
    found = [cwd] if os.path.isfile(os.path.join(cwd, "newsbook.toml")) else []
    for word in words:
        folder = os.path.join(cwd, word)
        if os.path.isfile(os.path.join(folder, "newsbook.toml")):
            found.append(os.path.abspath(folder))
    return found


def _load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def fingerprint(issue: Issue, theme: Theme, fmt: str, cover: str | None = None) -> str:
    """Everything an output depends on: code version, theme files, the issue and its articles.

    `cover` stands for the cover when the issue has none yet (see cover.cover_source).
    """
    from newsbook.clock import source_date_epoch

    digest = hashlib.sha256()

    def add(*values) -> None:
        for value in values:
            digest.update(value if isinstance(value, bytes) else str(value).encode("utf-8"))
            digest.update(b"\0")

    add(__version__, fmt, source_date_epoch())  # it changes the dates written inside
    add(theme.files_digest)
    meta = {k: v for k, v in vars(issue).items() if k not in ("sections", "cover")}
    add(repr(sorted(meta.items(), key=lambda kv: kv[0])))
    for section in issue.sections:
        add(section.id, section.title)
        for a in section.articles:
            add(a.id, a.title, a.body, a.authors, a.published, a.url, a.site, a.language,
                a.summary, a.section, a.tags, [image.key for image in a.images])
    if cover is not None:
        add(cover)
    elif issue.cover is not None:
        add(hashlib.sha256(issue.cover.data).hexdigest())
    return digest.hexdigest()


def unchanged_output(path: Path, print_: str, stamps: dict) -> bool:
    """The file is there, untouched since we wrote it, and would be written the same."""
    stamp = stamps.get(str(path))
    if not stamp or stamp.get("fingerprint") != print_ or not path.is_file():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == stamp.get("sha256")
