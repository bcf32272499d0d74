"""The on-disk state in one place: where a project (or an ad-hoc build) keeps its caches."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from newsbook.model.errors import Busy, StateError

try:
    import fcntl
except ImportError:  # Windows: builds are not locked there
    fcntl = None

STATE_DIR = ".newsbook"
LOCK_NAME = "build.lock"


def cache_dir(project_root: Path | None) -> Path:
    """A project's .newsbook/cache, or the user's cache folder for ad-hoc builds."""
    if project_root is not None:
        return project_root / STATE_DIR / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsbook"


def http_cache(project_root: Path | None) -> Path:
    """The SQLite file of the HTTP cache (pages, feeds, images)."""
    return cache_dir(project_root) / "http.sqlite"


@dataclass
class IssueRecord:
    """One built issue as the state file remembers it."""

    number: int
    date: str
    identifier: str
    keys: list[str]
    signatures: list[tuple[int, ...]]


class State:
    """What earlier issues of a project contained: numbers, dates and article keys (SQLite)."""

    def __init__(self, path: Path):
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            connection.executescript(_SCHEMA)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(articles)")}
            if "signature" not in columns:  # a state file from before signatures were kept
                connection.execute("ALTER TABLE articles ADD COLUMN signature BLOB")
        except BaseException:
            connection.close()
            raise
        return connection

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A connection, with SQLite and file errors turned into one clear StateError."""
        try:
            with closing(self._connect()) as db:
                yield db
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise Busy(f"{self.path}: the state file is in use by another program ({exc}); "
                           "try again when it has finished") from None
            raise StateError(f"{self.path}: cannot use the state file ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: the state file is damaged ({exc}). Move it away to "
                             "start a new one (issue numbers and the record of articles already "
                             "carried start over), or put back a backup") from None
        except OSError as exc:
            raise StateError(f"{self.path}: cannot use the state file "
                             f"({exc.strerror or exc})") from None

    def files(self) -> list[Path]:
        """The files the state lives in (the database and its write-ahead log)."""
        return [self.path, self.path.with_name(self.path.name + "-wal")]

    def check(self) -> None:
        """Raise StateError now if the state file is damaged, rather than after a build."""
        if not self.path.exists():
            return
        with self._db() as db:
            result = db.execute("PRAGMA quick_check").fetchone()
        if result is None or result[0] != "ok":
            raise StateError(f"{self.path}: the state file is damaged ({result and result[0]}). "
                             "Move it away to start a new one (issue numbers and the record of "
                             "articles already carried start over), or put back a backup")

    def issues(self) -> list[IssueRecord]:
        """Every recorded issue, by number."""
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT number, date, identifier FROM issues ORDER BY number").fetchall()
            keys: dict[int, list[str]] = {}
            signatures: dict[int, list[tuple[int, ...]]] = {}
            for number, key, sig in db.execute(
                    "SELECT issue, key, signature FROM articles ORDER BY issue, position"):
                keys.setdefault(number, []).append(key)
                signatures.setdefault(number, []).append(_unpack(sig))
        return [IssueRecord(n, d, i, keys.get(n, []), signatures.get(n, [])) for n, d, i in rows]

    def seen_before(self, number: int | None) -> tuple[frozenset[str], tuple[tuple[int, ...], ...]]:
        """Keys and text signatures of what issues other than `number` carried."""
        others = [issue for issue in self.issues() if issue.number != number]
        return (frozenset(k for issue in others for k in issue.keys),
                tuple(s for issue in others for s in issue.signatures if s))

    def next_number(self, issue_date: str) -> int:
        """'auto' numbering: rebuild the last issue when it has the same date, else the next one."""
        issues = self.issues()
        if not issues:
            return 1
        last = issues[-1]
        return last.number if last.date == issue_date else last.number + 1

    def record(self, number: int, issue_date: str, identifier: str, keys: list[str],
               signatures: list[tuple[int, ...]] | None = None) -> None:
        """Remember a built issue, replacing an earlier build of the same number, atomically."""
        with self._db() as db, db:
            db.execute("DELETE FROM articles WHERE issue = ?", (number,))
            db.execute("INSERT OR REPLACE INTO issues (number, date, identifier, built) "
                       "VALUES (?, ?, ?, ?)",
                       (number, issue_date, identifier,
                        datetime.now(timezone.utc).isoformat(timespec="seconds")))
            sigs = signatures or [()] * len(keys)
            db.executemany("INSERT INTO articles (issue, position, key, signature) "
                           "VALUES (?, ?, ?, ?)",
                           [(number, i, key, _pack(sig))
                            for i, (key, sig) in enumerate(zip(keys, sigs))])


_SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS issues (
    number INTEGER PRIMARY KEY, date TEXT NOT NULL, identifier TEXT NOT NULL, built TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    issue INTEGER NOT NULL REFERENCES issues(number), position INTEGER NOT NULL, key TEXT NOT NULL,
    signature BLOB, PRIMARY KEY (issue, position)
);
CREATE INDEX IF NOT EXISTS articles_key ON articles(key);
"""


def _pack(signature: tuple[int, ...]) -> bytes:
    return b"".join(value.to_bytes(8, "big") for value in signature)


def _unpack(blob: bytes | None) -> tuple[int, ...]:
    blob = blob or b""
    return tuple(int.from_bytes(blob[i:i + 8], "big") for i in range(0, len(blob), 8))


def read_stamps(project_root: Path) -> dict[str, dict[str, str]]:
    """What the last build wrote: output path -> {"fingerprint", "sha256"}."""
    import json

    try:
        data = json.loads((project_root / STATE_DIR / "outputs.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: the outputs are simply rebuilt
    return data if isinstance(data, dict) else {}


def write_stamps(project_root: Path, stamps: dict[str, dict[str, str]]) -> None:
    """Remember what this build wrote (atomically: a torn file would only cost a rebuild)."""
    import json
    import os
    import tempfile

    folder = project_root / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".outputs.", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(stamps, handle, indent=1, sort_keys=True)
    os.replace(temp, folder / "outputs.json")


def project_state(project_root: Path) -> State:
    """The state file of a project."""
    return State(project_root / STATE_DIR / "state.sqlite")


@contextmanager
def build_lock(project_root: Path) -> Iterator[Path]:
    """Hold the project's build lock for the block; raise Busy if another build holds it.

    The lock is flock(2) on .newsbook/build.lock: the kernel drops it when the process ends, by
    any means, SIGKILL included, so a killed build never leaves a stale lock behind. The file
    stays (removing it would let a third build lock a new file while the second holds the old).
    """
    path = project_root / STATE_DIR / LOCK_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StateError(f"{path}: cannot create the build lock "
                         f"({exc.strerror or exc})") from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _lock_holder(fd)
                raise Busy(f"{project_root}: another build of this project is running"
                           f"{f' (process {holder})' if holder else ''}; try again when it has "
                           f"finished (lock: {path})") from None
            try:  # who holds the lock, for the message another build shows
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except OSError:
                pass
        yield path
    finally:
        os.close(fd)  # releases the lock


def _lock_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


# --- The extracted-article cache (articlecache.py decides what goes in; this keeps it) ---

ARTICLE_CACHE_NAME = "articles.sqlite"
# Entries no build has used for this long go (with images no entry names any more).
_UNUSED_FOR = 60 * 86400
# A hit refreshes its entry's use time at most this often: a rebuild then writes nothing.
_TOUCH_AFTER = 86400

_ARTICLE_SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY, entry TEXT NOT NULL, blobs TEXT NOT NULL, used INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL);
"""


def article_cache(project_root: Path | None) -> ArticleStore:
    """The article cache of a project (or of ad-hoc builds, in the user's cache folder)."""
    return ArticleStore(cache_dir(project_root) / ARTICLE_CACHE_NAME)


class ArticleStore:
    """Cached articles as JSON text by key, and the image bytes they name, in one SQLite file.

    A cache, not a record: when it is damaged it is started afresh, when it is busy or cannot be
    written the build goes on without it. Either way a note lands in `warnings`, and the worst
    it costs is reading the files again.
    """

    def __init__(self, path: Path):
        self.path = path
        self.warnings: list[str] = []

    def load(self, keys: list[str]) -> dict[str, tuple[str, dict[str, bytes]]]:
        """Entries by key, each with the blobs it names; keys not in the cache are left out."""
        if not keys or not self.path.exists():
            return {}

        def run(db: sqlite3.Connection):
            found: dict[str, tuple[str, str]] = {}
            for chunk in _chunks(sorted(set(keys))):
                marks = ",".join("?" * len(chunk))
                found.update((key, (entry, names)) for key, entry, names in db.execute(
                    f"SELECT key, entry, blobs FROM entries WHERE key IN ({marks})", chunk))
            wanted = sorted({name for _entry, names in found.values() for name in names.split()})
            blobs: dict[str, bytes] = {}
            for chunk in _chunks(wanted):
                marks = ",".join("?" * len(chunk))
                blobs.update(db.execute(f"SELECT name, data FROM blobs WHERE name IN ({marks})",
                                        chunk))
            result = {}
            for key, (entry, names) in found.items():
                mine = {name: blobs[name] for name in names.split() if name in blobs}
                if len(mine) == len(names.split()):  # an entry missing a blob is no entry
                    result[key] = (entry, mine)
            return result

        return self._guard(run, {})

    def save(self, entries: dict[str, tuple[str, dict[str, bytes]]], used: list[str]) -> None:
        """Store new entries with their blobs; mark `used` keys as used now; drop stale ones."""
        import time

        now = int(time.time())

        def run(db: sqlite3.Connection) -> None:
            with db:
                db.executemany("INSERT OR IGNORE INTO blobs (name, data) VALUES (?, ?)",
                               [(name, data) for _e, blobs in entries.values()
                                for name, data in blobs.items()])
                db.executemany("INSERT OR REPLACE INTO entries (key, entry, blobs, used) "
                               "VALUES (?, ?, ?, ?)",
                               [(key, entry, " ".join(sorted(blobs)), now)
                                for key, (entry, blobs) in entries.items()])
                db.executemany("UPDATE entries SET used = ? WHERE key = ? AND used < ?",
                               [(now, key, now - _TOUCH_AFTER) for key in used])
                gone = db.execute("DELETE FROM entries WHERE used < ?", (now - _UNUSED_FOR,))
                if gone.rowcount:
                    named = {name for (names,) in db.execute("SELECT blobs FROM entries")
                             for name in names.split()}
                    db.executemany("DELETE FROM blobs WHERE name = ?",
                                   [(name,) for (name,) in db.execute("SELECT name FROM blobs")
                                    if name not in named])

        if entries or used:
            self._guard(run, None)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            connection.executescript(_ARTICLE_SCHEMA)
        except BaseException:
            connection.close()
            raise
        return connection

    def _guard(self, run, default):
        """Run `run(db)`; a damaged file is replaced by an empty one (once), other trouble skipped."""
        for attempt in (1, 2):
            try:
                with closing(self._connect()) as db:
                    return run(db)
            except sqlite3.OperationalError as exc:
                # Busy past the timeout, read-only, disk full: this build does without the cache.
                self.warnings.append(f"{self.path}: article cache not used ({exc})")
                return default
            except sqlite3.DatabaseError as exc:
                if attempt == 2:
                    break
                self.warnings.append(f"{self.path}: the article cache was damaged ({exc}); "
                                     f"moved to {self.path.name}.damaged and started afresh "
                                     "(articles are read again)")
                try:
                    # Kept, not deleted: a damaged cache is worth a look when it keeps happening.
                    os.replace(self.path, f"{self.path}.damaged")
                    for suffix in ("-wal", "-shm"):
                        Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                except OSError as move_error:
                    self.warnings.append(f"{self.path}: cannot move the damaged article cache "
                                         f"aside ({move_error.strerror})")
                    return default
            except OSError as exc:
                self.warnings.append(f"{self.path}: article cache not used "
                                     f"({exc.strerror or exc})")
                return default
        return default


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """Slices small enough for SQLite's limit on parameters in one statement."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def pdf_part_cache(project_root: Path | None) -> Path:
    """The folder of laid-out PDF parts (runs of articles, front matter, margin layers)."""
    return cache_dir(project_root) / "pdf-parts"
