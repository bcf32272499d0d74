"""The only network code: one HTTP client with timeouts, retries, limits and an on-disk cache."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from newsbook import __version__
from newsbook.errors import SourceError

USER_AGENT = f"newsbook/{__version__} (periodical builder; +https://pypi.org/project/newsbook/)"
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(SourceError):
    """A URL could not be fetched; the message names the URL and the reason."""


@dataclass(frozen=True)
class FetchSettings:
    """Limits and politeness of the fetcher (config [fetch])."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5  # seconds; doubles on each retry
    max_redirects: int = 5
    max_bytes: int = 20 * 1024 * 1024
    per_host: int = 2  # concurrent requests to one host
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


class _BodyTooLarge(Exception):
    pass


def _adapter(settings: FetchSettings):
    """An HTTPAdapter that retries politely and never reads more than max_bytes of a body."""
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    class LimitedAdapter(HTTPAdapter):
        def send(self, request, **kwargs):
            kwargs["stream"] = True  # read the body ourselves, up to the limit
            response = super().send(request, **kwargs)
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > settings.max_bytes:
                response.close()
                raise _BodyTooLarge(int(length))
            chunks, size = [], 0
            for chunk in response.raw.stream(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > settings.max_bytes:  # also catches decompression bombs
                    response.close()
                    raise _BodyTooLarge(size)
                chunks.append(chunk)
            response._content = b"".join(chunks)
            response._content_consumed = True
            return response

    retry = Retry(total=settings.retries, connect=settings.retries, read=settings.retries,
                  status=settings.retries, redirect=settings.max_redirects,
                  backoff_factor=settings.backoff, status_forcelist=_RETRY_STATUS,
                  allowed_methods=frozenset({"GET", "HEAD"}), raise_on_status=False,
                  respect_retry_after_header=True)
    return LimitedAdapter(max_retries=retry, pool_maxsize=max(settings.workers, 4))


class Fetcher:
    """Fetches http(s) URLs through an on-disk cache; safe to use from many threads."""

    def __init__(self, cache_file: Path | None, settings: FetchSettings | None = None):
        self.settings = settings or FetchSettings()
        self._cache_file = cache_file
        self._session = None  # made on first use: builds from local files never touch the net
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Semaphore] = {}

    def _open(self):
        """The HTTP session, created on first use (thread-safe)."""
        with self._lock:
            if self._session is None:
                self._session = self._make_session()
            return self._session

    def _make_session(self):
        import requests
        import requests_cache

        if self._cache_file is not None:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            # Everything is stored; a response without freshness information is stale at once,
            # so the next build revalidates it (ETag/Last-Modified) or fetches it again, while
            # --offline (only_if_cached + stale_if_error) still answers from the stored copy.
            session = requests_cache.CachedSession(
                str(self._cache_file), backend="sqlite", expire_after=timedelta(seconds=1),
                cache_control=True, stale_if_error=self.settings.offline,
                allowable_codes=(200, 203, 300, 301, 308), allowable_methods=("GET",))
            session.settings.only_if_cached = self.settings.offline
        else:
            session = requests.Session()
        session.max_redirects = self.settings.max_redirects
        session.headers["User-Agent"] = self.settings.user_agent
        session.headers["Accept-Encoding"] = "gzip, deflate, br"
        adapter = _adapter(self.settings)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def close(self) -> None:
        """Release connections and the cache file."""
        if self._session is not None:
            self._session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _host_slot(self, url: str) -> threading.Semaphore:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = threading.Semaphore(self.settings.per_host)
            return self._hosts[host]

    def get(self, url: str) -> Response:
        """Fetch one URL; raises FetchError with the reason."""
        import requests

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError(f"{url}: only http and https URLs are fetched")
        if self.settings.offline and self._cache_file is None:
            raise FetchError(f"{url}: offline, and there is no cache")
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        try:
            session = self._open()
            with self._host_slot(url):
                response = session.get(url, timeout=timeout)
        except _BodyTooLarge as exc:
            raise FetchError(f"{url}: body larger than the {self.settings.max_bytes} byte limit "
                             f"({exc.args[0]} bytes)") from None
        except requests.TooManyRedirects:
            raise FetchError(f"{url}: more than {self.settings.max_redirects} redirects "
                             "(a redirect loop?)") from None
        except requests.exceptions.RetryError as exc:
            raise FetchError(f"{url}: gave up after {self.settings.retries} retries "
                             f"({_reason(exc)})") from None
        except requests.Timeout:
            raise FetchError(f"{url}: timed out (connect {self.settings.connect_timeout:g} s, "
                             f"read {self.settings.read_timeout:g} s)") from None
        except requests.ConnectionError as exc:
            raise FetchError(f"{url}: connection failed ({_reason(exc)})") from None
        except requests.RequestException as exc:
            raise FetchError(f"{url}: {exc.__class__.__name__}: {exc}") from None
        from_cache = bool(getattr(response, "from_cache", False))
        if self.settings.offline and response.status_code == 504 and from_cache:
            raise FetchError(f"{url}: offline, and not in the cache")
        if response.status_code >= 400:
            raise FetchError(f"{url}: HTTP {response.status_code} {response.reason or ''}".rstrip())
        media_type, charset = _content_type(response.headers.get("Content-Type"))
        return Response(url=response.url, content=response.content, media_type=media_type,
                        charset=charset, from_cache=from_cache)

    def get_many(self, urls: list[str],
                 on_done: Callable[[], None] | None = None) -> dict[str, Response | FetchError]:
        """Fetch URLs in parallel (per-host limits apply); results by URL, in no particular order.

        `on_done` is called (in this thread) as each result is taken, for progress reports.
        """
        unique = list(dict.fromkeys(urls))
        if not unique:
            return {}

        def one(url: str) -> Response | FetchError:
            try:
                return self.get(url)
            except FetchError as exc:
                return exc

        results: dict[str, Response | FetchError] = {}
        with ThreadPoolExecutor(max_workers=min(self.settings.workers, len(unique))) as pool:
            for url, answer in zip(unique, pool.map(one, unique)):
                results[url] = answer
                if on_done is not None:
                    on_done()
        return results


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    """('text/html', 'utf-8') from a Content-Type header."""
    if not header:
        return None, None
    from email.message import Message

    message = Message()
    message["Content-Type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), (str(charset).strip().lower() if charset else None)


def _reason(exc: Exception) -> str:
    """The innermost cause of a requests/urllib3 error, in a few words."""
    inner = exc
    while True:
        nxt = getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if nxt is None or nxt is inner or isinstance(nxt, str):
            break
        inner = nxt
        if isinstance(inner, (ConnectionResetError, ConnectionRefusedError, TimeoutError)):
            break
    text = str(inner).split(": ", 1)[-1] if str(inner) else inner.__class__.__name__
    return text[:160]
