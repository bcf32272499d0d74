"""The fetcher's wire: one HTTP attempt under a wall-clock guard, its body read within a size
limit, and every way it can fail turned into one `Failed` reason (fetch.py decides what to do
with it: retry, give up, mark the host down)."""

from __future__ import annotations

import http.client
import socket
import threading

class Failed(Exception):
    """One attempt failed: the reason, whether trying again may help, and whether the host
    itself did not answer (which counts towards marking it down)."""

    def __init__(self, reason: str, retry: bool = False, host_fault: bool = False,
                 wait: float | None = None, timed_out: bool = False):
        super().__init__(reason)
        self.retry, self.host_fault, self.wait = retry, host_fault, wait
        self.timed_out = timed_out


class Guard:
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
            shut(connection)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            connections = list(self._connections)
        for connection in connections:
            shut(connection)

    def done(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._connections.clear()


def shut(connection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            # The plain socket's shutdown: SSLSocket's own would drop its SSL state under a
            # thread that is reading.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


current = threading.local()  # the guard of the request this thread is making


def guarded_pools():
    """Connection pools that put every connection a request uses under its thread's guard."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def watched(cls, connection_cls):
        class Pool(cls):
            ConnectionCls = connection_cls

            def _get_conn(self, timeout=None):
                connection = super()._get_conn(timeout)
                guard = getattr(current, "guard", None)
                if guard is not None:
                    guard.watch(connection)
                return connection

        return Pool

    return {"http": watched(HTTPConnectionPool, HTTPConnection),
            "https": watched(HTTPSConnectionPool, HTTPSConnection)}


def adapter(max_bytes: int, workers: int):
    """An HTTPAdapter that reads bodies itself: never more than max_bytes, every failure of the
    body turned into one reason; retries are the fetcher's, which knows the deadline."""
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import HTTPError as Urllib3Error

    pools = guarded_pools()

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
            if length.isdigit() and int(length) > max_bytes:
                response.close()
                raise Failed(too_large(int(length), max_bytes))
            chunks, size = [], 0
            try:
                for chunk in response.raw.stream(64 * 1024, decode_content=True):
                    size += len(chunk)
                    if size > max_bytes:  # also catches decompression bombs
                        raise Failed(too_large(size, max_bytes))
                    chunks.append(chunk)
            except (Urllib3Error, http.client.HTTPException, OSError) as exc:
                raise body_failure(exc, size) from None
            finally:
                if size > max_bytes or not response.raw.closed:
                    response.close()
            response._content = b"".join(chunks)
            response._content_consumed = True
            return response

    return LimitedAdapter(max_retries=0, pool_maxsize=max(workers, 4))


def too_large(size: int, max_bytes: int) -> str:
    return f"body larger than the {max_bytes} byte limit ({size} bytes)"


def body_failure(exc: Exception, received: int) -> Failed:
    """Why reading a body failed, in a few words; a cut body may well arrive whole next time."""
    from urllib3.exceptions import DecodeError, ReadTimeoutError

    if isinstance(exc, DecodeError):
        return Failed(f"the body is not the encoding its headers claim ({reason(exc)})")
    if isinstance(exc, (ReadTimeoutError, TimeoutError)):
        return Failed("timed out while reading the body", retry=True)
    after = f" after {received} bytes" if received else ""
    return Failed(f"the body was cut off{after} ({reason(exc)})", retry=True)


def classify(exc: Exception, connect_timeout: float) -> Failed:
    """A requests exception as a reason, retryable or not, the host's fault or not."""
    import requests
    from urllib3.exceptions import NameResolutionError

    why = reason(exc)
    inner = innermost(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return Failed(f"TLS failed ({why})")
    if isinstance(exc, requests.ConnectTimeout):
        return Failed(f"could not connect within {connect_timeout:g} s", retry=True,
                       host_fault=True)
    if isinstance(exc, requests.ReadTimeout):
        return Failed("no answer in time", retry=True)
    if isinstance(inner, NameResolutionError) or isinstance(inner, socket.gaierror) \
            or "Name or service not known" in why or "resolve" in why.lower():
        return Failed(f"the host name does not resolve ({why})", host_fault=True)
    if isinstance(inner, http.client.BadStatusLine) and not isinstance(
            inner, http.client.RemoteDisconnected):
        return Failed("the answer is not HTTP")
    if isinstance(inner, ConnectionRefusedError) or "refused" in why.lower():
        return Failed("connection refused", host_fault=True)
    if isinstance(exc, requests.ConnectionError):
        return Failed(f"connection failed ({why})", retry=True)
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidHeader)):
        return Failed(f"{exc.__class__.__name__}: {why}")
    return Failed(f"{exc.__class__.__name__}: {why}", retry=True)


def innermost(exc: BaseException) -> BaseException:
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


def reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, in a few words."""
    inner = innermost(exc)
    text = str(inner).split(": ", 1)[-1] if str(inner) else inner.__class__.__name__
    return " ".join(text.split())[:160]
