"""The only network code: one HTTP client with deadlines, retries, host health and an on-disk cache.

Every way a fetch can fail — reset, short body, bad content encoding, TLS, DNS, refused, redirect
loop, too large, timeout, a damaged cache — ends as a `FetchError` with a one-line reason, so a
caller handles one exception per source or image and no network failure is an internal error.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from newsbook import __version__
from newsbook.errors import SourceError

USER_AGENT = f"newsbook/{__version__} (periodical builder; +https://pypi.org/project/newsbook/)"
# 500 is retried too: many sites answer a passing overload with it, and one retry is cheap.
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(SourceError):
    """A URL could not be fetched; the message names the URL and the reason."""


class HostDown(FetchError):
    """Not asked at all: its host failed to answer earlier in this build."""

    def __init__(self, message: str, host: str):
        super().__init__(message)
        self.host = host


@dataclass(frozen=True)
class FetchSettings:
    """Limits and politeness of the fetcher (config [network])."""

    timeout: float = 30.0  # wall clock for one URL: connect and whole body, retries included
    connect_timeout: float = 10.0
    deadline: float | None = None  # wall clock for all of a build's fetching
    retries: int = 3
    backoff: float = 0.5  # seconds; doubles on each retry
    retry_after_max: float = 60.0  # a longer Retry-After is not waited for
    max_redirects: int = 5
    max_bytes: int = 20 * 1024 * 1024
    per_host: int = 2  # concurrent requests to one host
    delay: float = 0.0  # seconds between the starts of two requests to one host
    host_failures: int = 2  # failed connections after which a host is not asked again
    workers: int = 8  # concurrent requests overall
    user_agent: str = USER_AGENT
    offline: bool = False  # answer from the cache only


@dataclass(frozen=True)
class Response:
    """What a fetch returns: final URL, body and its declared type."""

    url: str
    content: bytes
    media_type: str | None
    charset: str | None
    from_cache: bool


class _Failed(Exception):
    """One attempt failed: the reason, whether trying again may help, and whether the host
    itself did not answer (which counts towards marking it down)."""

    def __init__(self, reason: str, retry: bool = False, host_fault: bool = False,
                 wait: float | None = None, timed_out: bool = False):
        super().__init__(reason)
        self.retry, self.host_fault, self.wait = retry, host_fault, wait
        self.timed_out = timed_out


class _Guard:
    """A wall-clock limit on one request: when it passes, the request's sockets are shut down,
    which ends any blocked read at once — requests' own timeouts are per read, so a server that
    trickles one byte at a time would otherwise hold a request for ever."""

    def __init__(self, seconds: float):
        self.fired = False
        self._connections: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self.fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, connection) -> None:
        with self._lock:
            self._connections.append(connection)
            fired = self.fired
        if fired:
            _shut(connection)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def done(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._connections.clear()


def _shut(connection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            # The plain socket's shutdown: SSLSocket's own would drop its SSL state under a
            # thread that is reading.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


_current = threading.local()  # the guard of the request this thread is making


def _guarded_pools():
    """Connection pools that put every connection a request uses under its thread's guard."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def watched(cls, connection_cls):
        class Pool(cls):
            ConnectionCls = connection_cls

            def _get_conn(self, timeout=None):
                connection = super()._get_conn(timeout)
                guard = getattr(_current, "guard", None)
                if guard is not None:
                    guard.watch(connection)
                return connection

        return Pool

    return {"http": watched(HTTPConnectionPool, HTTPConnection),
            "https": watched(HTTPSConnectionPool, HTTPSConnection)}


def _adapter(settings: FetchSettings):
    """An HTTPAdapter that reads bodies itself: never more than max_bytes, every failure of the
    body turned into one reason; retries are the fetcher's, which knows the deadline."""
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import HTTPError as Urllib3Error

    pools = _guarded_pools()

    class LimitedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, *args, **kwargs):
            manager = super().proxy_manager_for(*args, **kwargs)
            manager.pool_classes_by_scheme = pools
            return manager

        def send(self, request, **kwargs):
            kwargs["stream"] = True  # read the body ourselves, up to the limit
            response = super().send(request, **kwargs)
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > settings.max_bytes:
                response.close()
                raise _Failed(_too_large(int(length), settings))
            chunks, size = [], 0
            try:
                for chunk in response.raw.stream(64 * 1024, decode_content=True):
                    size += len(chunk)
                    if size > settings.max_bytes:  # also catches decompression bombs
                        raise _Failed(_too_large(size, settings))
                    chunks.append(chunk)
            except (Urllib3Error, http.client.HTTPException, OSError) as exc:
                raise _body_failure(exc, size) from None
            finally:
                if size > settings.max_bytes or not response.raw.closed:
                    response.close()
            response._content = b"".join(chunks)
            response._content_consumed = True
            return response

    return LimitedAdapter(max_retries=0, pool_maxsize=max(settings.workers, 4))


def _too_large(size: int, settings: FetchSettings) -> str:
    return f"body larger than the {settings.max_bytes} byte limit ({size} bytes)"


def _body_failure(exc: Exception, received: int) -> _Failed:
    """Why reading a body failed, in a few words; a cut body may well arrive whole next time."""
    from urllib3.exceptions import DecodeError, ReadTimeoutError

    if isinstance(exc, DecodeError):
        return _Failed(f"the body is not the encoding its headers claim ({_reason(exc)})")
    if isinstance(exc, (ReadTimeoutError, TimeoutError)):
        return _Failed("timed out while reading the body", retry=True)
    after = f" after {received} bytes" if received else ""
    return _Failed(f"the body was cut off{after} ({_reason(exc)})", retry=True)


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
        self._guards: set[_Guard] = set()
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
                                     f"({_reason(exc)}): fetching without it")
                session = None
        if session is None:
            session = requests.Session()
        session.max_redirects = self.settings.max_redirects
        session.headers["User-Agent"] = self.settings.user_agent
        session.headers["Accept-Encoding"] = "gzip, deflate, br"
        adapter = _adapter(self.settings)
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
                self.warnings.append(f"HTTP cache {self._cache_file} failed ({_reason(exc)}): "
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
            except _Failed as caught:
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
                    failure = _Failed(f"HTTP {status}", retry=True, wait=wait)
                else:
                    return self._answer(url, response)
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
        """One request under a wall-clock guard; every failure becomes a _Failed."""
        import requests

        guard = _Guard(left)
        with self._lock:
            self._guards.add(guard)
        _current.guard = guard
        try:
            response = session.get(url, timeout=(min(self.settings.connect_timeout, left), left))
            if guard.fired:
                # Headers cut off by the guard read as if they had ended: whatever arrived is
                # not the whole answer.
                raise _Failed("timed out", timed_out=True)
            return response
        except _Failed as failure:
            raise (_Failed("timed out", timed_out=True) if guard.fired else failure) from None
        except requests.TooManyRedirects:
            raise _Failed(f"more than {self.settings.max_redirects} redirects "
                          "(a redirect loop?)") from None
        except sqlite3.Error as exc:
            self._drop_cache(exc)
            raise _Failed("the HTTP cache failed", retry=True) from None
        except requests.RequestException as exc:
            if guard.fired:
                raise _Failed("timed out", timed_out=True) from None
            raise _classify(exc, self.settings) from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            # What requests leaves unwrapped (a header it cannot parse, a socket error while
            # the cache revalidates): still this one URL's failure, never the build's.
            raise (_Failed("timed out", timed_out=True) if guard.fired else _Failed(_reason(exc))) from None
        finally:
            _current.guard = None
            guard.done()
            with self._lock:
                self._guards.discard(guard)

    def _answer(self, url: str, response) -> Response:
        from_cache = bool(getattr(response, "from_cache", False))
        if self.settings.offline and response.status_code == 504 and from_cache:
            raise FetchError(f"{url}: offline, and not in the cache")
        if response.status_code >= 400:
            raise FetchError(f"{url}: HTTP {response.status_code} {response.reason or ''}".rstrip())
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


def _classify(exc: Exception, settings: FetchSettings) -> _Failed:
    """A requests exception as a reason, retryable or not, the host's fault or not."""
    import requests
    from urllib3.exceptions import NameResolutionError

    reason = _reason(exc)
    inner = _innermost(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return _Failed(f"TLS failed ({reason})")
    if isinstance(exc, requests.ConnectTimeout):
        return _Failed(f"could not connect within {settings.connect_timeout:g} s", retry=True,
                       host_fault=True)
    if isinstance(exc, requests.ReadTimeout):
        return _Failed("no answer in time", retry=True)
    if isinstance(inner, NameResolutionError) or isinstance(inner, socket.gaierror) \
            or "Name or service not known" in reason or "resolve" in reason.lower():
        return _Failed(f"the host name does not resolve ({reason})", host_fault=True)
    if isinstance(inner, http.client.BadStatusLine) and not isinstance(
            inner, http.client.RemoteDisconnected):
        return _Failed("the answer is not HTTP")
    if isinstance(inner, ConnectionRefusedError) or "refused" in reason.lower():
        return _Failed("connection refused", host_fault=True)
    if isinstance(exc, requests.ConnectionError):
        return _Failed(f"connection failed ({reason})", retry=True)
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidHeader)):
        return _Failed(f"{exc.__class__.__name__}: {reason}")
    return _Failed(f"{exc.__class__.__name__}: {reason}", retry=True)


def _retry_after(header: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date); None without one."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        moment = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    """('text/html', 'utf-8') from a Content-Type header."""
    if not header:
        return None, None
    from email.message import Message

    message = Message()
    message["Content-Type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), (str(charset).strip().lower() if charset else None)


def _plural(what: str, count: int) -> str:
    return what if count == 1 else f"{what}s"


def _innermost(exc: BaseException) -> BaseException:
    """The deepest cause of a requests/urllib3 error."""
    inner = exc
    for _ in range(10):
        nxt = getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if nxt is None or nxt is inner or isinstance(nxt, str):
            break
        inner = nxt
        if isinstance(inner, (ConnectionResetError, ConnectionRefusedError, TimeoutError,
                              socket.gaierror)):
            break
    return inner


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, in a few words."""
    inner = _innermost(exc)
    text = str(inner).split(": ", 1)[-1] if str(inner) else inner.__class__.__name__
    return " ".join(text.split())[:160]
