"""The only network code: one HTTP client with deadlines, retries, host health and an on-disk cache.

Every way a fetch can fail — reset, short body, bad content encoding, TLS, DNS, refused, redirect
loop, too large, timeout, a damaged cache — ends as a `FetchError` with a one-line reason, so a
caller handles one exception per source or image and no network failure is an internal error.
"""

from __future__ import annotations

import http.client
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from newsbook.sources import transport
from newsbook.sources.fetchtypes import (
    FetchError,
    FetchSettings,
    HostDown,
    Response,
    _content_type,
    _plural,
    _retry_after,
)
from newsbook.sources.transport import Failed

# 500 is retried too: many sites answer a passing overload with it, and one retry is cheap.
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class Fetcher:
    """Fetches http(s) URLs through an on-disk cache; safe to use from many threads."""

    def __init__(self, cache_file: Path | None, settings: FetchSettings | None = None):
        self.settings = settings or FetchSettings()
        self.warnings: list[str] = []  # about the fetcher itself (the cache), once each
        self._cache_file = cache_file
        self._session = None  # made on first use: builds from local files never touch the net
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._last_start: dict[str, float] = {}
        self._failures: Counter = Counter()  # host -> failed connections in a row
        self._down: dict[str, str] = {}  # host -> why it is no longer asked
        self._skipped: Counter = Counter()  # (host, what) -> requests not made
        self._guards: set[transport.Guard] = set()
        self._aborted = False
        self._budget_end = (time.monotonic() + self.settings.deadline
                            if self.settings.deadline else None)

    # -- the session and its cache --------------------------------------------------------

    def _open(self):
        """The HTTP session, created on first use (thread-safe)."""
        with self._lock:
            if self._session is None:
                self._session = self._make_session()
            return self._session

    def _make_session(self):
        import requests

        session = None
        if self._cache_file is not None and self._cache_usable():
            import requests_cache

            # Everything is stored; a response without freshness information is stale at once,
            # so the next build revalidates it (ETag/Last-Modified) or fetches it again, while
            # --offline (only_if_cached + stale_if_error) still answers from the stored copy.
            try:
                session = requests_cache.CachedSession(
                    str(self._cache_file), backend="sqlite", expire_after=timedelta(seconds=1),
                    cache_control=True, stale_if_error=self.settings.offline,
                    allowable_codes=(200, 203, 300, 301, 308), allowable_methods=("GET",))
                session.settings.only_if_cached = self.settings.offline
            except (sqlite3.Error, OSError) as exc:
                self.warnings.append(f"HTTP cache {self._cache_file} cannot be used "
                                     f"({transport.reason(exc)}): fetching without it")
                session = None
        if session is None:
            session = requests.Session()
        session.max_redirects = self.settings.max_redirects
        session.headers["User-Agent"] = self.settings.user_agent
        session.headers["Accept-Encoding"] = "gzip, deflate, br"
        adapter = transport.adapter(self.settings.max_bytes, self.settings.workers)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def _cache_usable(self) -> bool:
        """Check the cache file before threads share it: a damaged one is moved aside (it holds
        only copies of what the web has), a locked one is left alone and not used this time."""
        path = self._cache_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.warnings.append(f"HTTP cache folder {path.parent} cannot be made "
                                 f"({exc.strerror}): fetching without a cache")
            return False
        if not path.exists():
            return True
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
            try:
                result = db.execute("PRAGMA quick_check").fetchone()
            finally:
                db.close()
            if result and result[0] == "ok":
                return True
            problem = str(result[0] if result else "empty answer")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                self.warnings.append(f"HTTP cache {path} is locked by another process: "
                                     "fetching without it this time")
                return False
            problem = str(exc)
        except sqlite3.DatabaseError as exc:
            problem = str(exc)
        aside = path.with_name(path.name + ".damaged")
        try:
            path.replace(aside)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError as exc:
            self.warnings.append(f"HTTP cache {path} is damaged ({problem}) and cannot be moved "
                                 f"aside ({exc.strerror}): fetching without it")
            return False
        self.warnings.append(f"HTTP cache {path} was damaged ({problem}): moved to {aside.name}, "
                             "a new one is started")
        return True

    def _drop_cache(self, exc: Exception) -> None:
        """A cache that fails in use: the rest of the build fetches without it."""
        import requests

        with self._lock:
            if isinstance(self._session, requests.Session) and hasattr(self._session, "cache"):
                self.warnings.append(f"HTTP cache {self._cache_file} failed "
                                     f"({transport.reason(exc)}): "
                                     "fetching without it")
                self._cache_file = None
                self._session = self._make_session()

    def close(self) -> None:
        """Release connections and the cache file."""
        if self._session is not None:
            try:
                self._session.close()
            except (sqlite3.Error, OSError):
                pass

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            self.abort()
        self.close()

    def abort(self) -> None:
        """End every request under way (their sockets are shut) and refuse new ones: an
        interrupted build must not wait for servers."""
        with self._lock:
            self._aborted = True
            guards = list(self._guards)
        for guard in guards:
            guard.fire()

    # -- hosts ----------------------------------------------------------------------------

    def _slot(self, host: str) -> threading.Semaphore:
        with self._lock:
            if host not in self._slots:
                self._slots[host] = threading.Semaphore(self.settings.per_host)
            return self._slots[host]

    def _host_failed(self, host: str, reason: str, url: str, what: str) -> None:
        """Count a failed connection; raises HostDown if the host was given up on meanwhile.

        Requests already under way when a host is marked down fail too; they are counted with
        the skipped ones, so that the first `host_failures` failures are the only ones reported.
        """
        with self._lock:
            if host in self._down:
                self._skipped[(host, what)] += 1
                raise HostDown(f"{url}: not fetched, host {host} is unreachable "
                               f"({self._down[host]})", host)
            self._failures[host] += 1
            if self._failures[host] >= self.settings.host_failures:
                self._down[host] = reason

    def _host_answered(self, host: str) -> None:
        with self._lock:
            self._failures.pop(host, None)

    def _check_host(self, host: str, url: str, what: str) -> None:
        with self._lock:
            reason = self._down.get(host)
            if reason is not None:
                self._skipped[(host, what)] += 1
        if reason is not None:
            raise HostDown(f"{url}: not fetched, host {host} is unreachable ({reason})", host)

    def notes(self) -> list[str]:
        """One line per host given up on, with what was not asked of it because of that."""
        lines = []
        with self._lock:
            for (host, what), count in sorted(self._skipped.items()):
                lines.append(f"{count} {_plural(what, count)} from host {host} skipped: "
                             f"unreachable ({self._down[host]})")
        return lines

    # -- fetching -------------------------------------------------------------------------

    def get(self, url: str, what: str = "request") -> Response:
        """Fetch one URL within the request's deadline; raises FetchError with the reason.

        `what` names the kind of thing fetched ("image", "page") in the notes about hosts.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError(f"{url}: only http and https URLs are fetched")
        if self.settings.offline and self._cache_file is None:
            raise FetchError(f"{url}: offline, and there is no cache")
        host = parts.netloc.lower()
        self._check_host(host, url, what)
        session = self._open()
        slot = self._slot(host)
        if not self._wait_for(slot, url):
            raise FetchError(f"{url}: not fetched, the build's network deadline "
                             f"({self.settings.deadline:g} s) passed")
        try:
            return self._get(session, url, host, what)
        finally:
            slot.release()

    def _wait_for(self, slot: threading.Semaphore, url: str) -> bool:
        """Take a slot at the host, waiting no longer than the build's budget allows."""
        while True:
            if self._aborted:
                raise FetchError(f"{url}: not fetched, the build was interrupted")
            left = None if self._budget_end is None else self._budget_end - time.monotonic()
            if left is not None and left <= 0:
                return False
            # Short waits, so that an interrupt or the budget is noticed while queued.
            if slot.acquire(timeout=0.5 if left is None else min(0.5, left)):
                return True

    def _get(self, session, url: str, host: str, what: str) -> Response:
        start = time.monotonic()
        end = start + self.settings.timeout
        budget = self._budget_end is not None and self._budget_end < end
        if budget:
            end = self._budget_end
        attempt, failure = 0, None
        while True:
            self._check_host(host, url, what)
            self._be_polite(host)
            left = end - time.monotonic()
            if left <= 0 or self._aborted:
                if failure is not None:  # the last try's reason says more than the clock
                    raise FetchError(f"{url}: {failure} (after {attempt} tries, no time left)")
                raise FetchError(self._out_of_time(url, start, budget))
            try:
                response = self._attempt(session, url, left)
            except Failed as caught:
                failure = caught  # the except clause unbinds its own name
                if failure.host_fault:
                    self._host_failed(host, str(failure), url, what)
                if self._aborted:
                    raise FetchError(f"{url}: not fetched, the build was interrupted") from None
                if failure.timed_out:
                    if not budget:  # a host that cannot answer in time is as good as down
                        self._host_failed(host, f"no answer within {self.settings.timeout:g} s",
                                          url, what)
                    raise FetchError(self._out_of_time(url, start, budget)) from None
                if not failure.retry or attempt >= self.settings.retries:
                    tries = f" (after {attempt + 1} tries)" if attempt else ""
                    raise FetchError(f"{url}: {failure}{tries}") from None
            else:
                self._host_answered(host)
                status = response.status_code
                if status in _RETRY_STATUS and attempt < self.settings.retries:
                    wait = _retry_after(response.headers.get("Retry-After"))
                    if wait is not None and wait > min(self.settings.retry_after_max,
                                                       end - time.monotonic()):
                        raise FetchError(f"{url}: HTTP {status}, and the server asks to wait "
                                         f"{wait:g} s (more than the deadline allows)")
                    failure = Failed(f"HTTP {status}", retry=True, wait=wait)
                else:
                    return self._answer(url, response, attempt + 1)
            pause = failure.wait if failure.wait is not None else self.settings.backoff * 2 ** attempt
            if time.monotonic() + pause >= end:
                raise FetchError(f"{url}: {failure} (no time left to try again)")
            self._sleep(pause)
            attempt += 1

    def _out_of_time(self, url: str, start: float, budget: bool) -> str:
        if budget:
            return (f"{url}: not fetched within the build's network deadline "
                    f"({self.settings.deadline:g} s)")
        return f"{url}: timed out after {time.monotonic() - start:.0f} s (limit " \
               f"{self.settings.timeout:g} s for the whole request)"

    def _sleep(self, seconds: float) -> None:
        """Sleep, ending early when the build is interrupted."""
        end = time.monotonic() + seconds
        while not self._aborted and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))

    def _be_polite(self, host: str) -> None:
        if self.settings.delay <= 0:
            return
        with self._lock:
            last = self._last_start.get(host)
            now = time.monotonic()
            start = now if last is None else max(now, last + self.settings.delay)
            self._last_start[host] = start
        self._sleep(start - now)

    def _attempt(self, session, url: str, left: float):
        """One request under a wall-clock guard; every failure becomes a Failed."""
        import requests

        guard = transport.Guard(left)
        with self._lock:
            self._guards.add(guard)
        transport.current.guard = guard
        try:
            response = session.get(url, timeout=(min(self.settings.connect_timeout, left), left))
            if guard.fired:
                # Headers cut off by the guard read as if they had ended: whatever arrived is
                # not the whole answer.
                raise Failed("timed out", timed_out=True)
            return response
        except Failed as failure:
            raise (Failed("timed out", timed_out=True) if guard.fired else failure) from None
        except requests.TooManyRedirects:
            raise Failed(f"more than {self.settings.max_redirects} redirects "
                          "(a redirect loop?)") from None
        except sqlite3.Error as exc:
            self._drop_cache(exc)
            raise Failed("the HTTP cache failed", retry=True) from None
        except requests.RequestException as exc:
            if guard.fired:
                raise Failed("timed out", timed_out=True) from None
            raise transport.classify(exc, self.settings.connect_timeout) from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            # What requests leaves unwrapped (a header it cannot parse, a socket error while
            # the cache revalidates): still this one URL's failure, never the build's.
            raise (Failed("timed out", timed_out=True) if guard.fired
                   else Failed(transport.reason(exc))) from None
        finally:
            transport.current.guard = None
            guard.done()
            with self._lock:
                self._guards.discard(guard)

    def _answer(self, url: str, response, tries: int = 1) -> Response:
        from_cache = bool(getattr(response, "from_cache", False))
        if self.settings.offline and response.status_code == 504 and from_cache:
            raise FetchError(f"{url}: offline, and not in the cache")
        if response.status_code >= 400:
            after = f" (after {tries} tries)" if tries > 1 else ""
            raise FetchError(f"{url}: HTTP {response.status_code} "
                             f"{response.reason or ''}".rstrip() + after)
        media_type, charset = _content_type(response.headers.get("Content-Type"))
        return Response(url=response.url, content=response.content, media_type=media_type,
                        charset=charset, from_cache=from_cache)

    def get_many(self, urls: list[str], on_done: Callable[[], None] | None = None,
                 what: str = "request") -> dict[str, Response | FetchError]:
        """Fetch URLs in parallel (per-host limits apply); results by URL, in no particular order.

        `on_done` is called (in this thread) as each result is taken, for progress reports.
        An interrupt (Ctrl-C, SIGTERM) ends every request under way before it propagates.
        """
        unique = list(dict.fromkeys(urls))
        if not unique:
            return {}

        def one(url: str) -> Response | FetchError:
            try:
                return self.get(url, what)
            except FetchError as exc:
                return exc

        results: dict[str, Response | FetchError] = {}
        pool = ThreadPoolExecutor(max_workers=min(self.settings.workers, len(unique)))
        try:
            for url, answer in zip(unique, pool.map(one, unique)):
                results[url] = answer
                if on_done is not None:
                    on_done()
        except BaseException:
            self.abort()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        return results
