"""A real HTTP server on 127.0.0.1 for tests: fixture pages, feeds, images and faults."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Route:
    """What the server answers for one path."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: bool = True  # send an ETag and answer If-None-Match with 304
    fail_first: int = 0  # answer 500 this many times before succeeding
    delay: float = 0.0  # seconds before the headers
    reset: bool = False  # drop the connection without an answer
    redirect: str | None = None
    gzip: bool = False
    headers: dict[str, str] = field(default_factory=dict)


class FixtureServer:
    """Serves a dict of routes; counts requests per path (and 200s actually sent)."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.hits: Counter = Counter()
        self.full: Counter = Counter()  # responses that carried a body (not 304)
        self.inflight = 0
        self.max_inflight = 0  # the most requests handled at the same time
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with server._lock:
                    server.inflight += 1
                    server.max_inflight = max(server.max_inflight, server.inflight)
                try:
                    self._answer()
                finally:
                    with server._lock:
                        server.inflight -= 1

            def _answer(self):
                path = self.path
                with server._lock:
                    server.hits[path] += 1
                    count = server.hits[path]
                route = server.routes.get(path)
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                if route.reset:
                    # RST instead of FIN: the client sees "connection reset by peer".
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    # Closing the socket alone leaves its fd open under rfile/wfile and the
                    # handler waiting for a next request: end the connection for real.
                    self.close_connection = True
                    self.rfile.close()
                    self.wfile.close()
                    self.connection.close()
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.redirect:
                    self.send_response(302)
                    self.send_header("Location", route.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if count <= route.fail_first:
                    return self._send(500, b"try later", "text/plain")
                tag = '"%s"' % hashlib.sha256(route.body).hexdigest()[:16]
                if route.etag and self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = route.body
                extra = dict(route.headers)
                if route.etag:
                    extra["ETag"] = tag
                if route.gzip:
                    body = gzip.compress(body)
                    extra["Content-Encoding"] = "gzip"
                with server._lock:
                    server.full[path] += 1
                self._send(route.status, body, route.content_type, extra)

            def _send(self, status, body, content_type, extra=None):
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str = b"", **options) -> str:
        """Serve `body` at `path`; returns the full URL."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **options)
        return self.url(path)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
