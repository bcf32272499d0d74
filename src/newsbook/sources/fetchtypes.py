"""What fetching is asked and answers: FetchSettings, Response, the FetchError family, and
the HTTP headers a fetch reads (Retry-After, Content-Type); the client: fetch.py."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime, timezone

from newsbook import __version__
from newsbook.model.errors import SourceError

USER_AGENT = f"newsbook/{__version__} (periodical builder; +https://pypi.org/project/newsbook/)"


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
