"""A loopback HTTP server that misbehaves as real hosts do, one path per fault.

It speaks HTTP/1.1 over raw sockets, so it can do what a well-behaved server library will not:
cut a body short, reset mid-body, lie in its headers, trickle, or never answer. Healthy routes
(pages, feeds, images) are served beside the faults, so one server can stand for a whole site.
Used by tests/test_network.py and benchmarks/faults.py; it only ever binds 127.0.0.0/8.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass

FAULTS = {
    "/reset-mid-body": "connection reset in the middle of the body",
    "/short-body": "body shorter than its Content-Length",
    "/bad-gzip": "Content-Encoding: gzip over bytes that are not gzip",
    "/bad-chunked": "a chunked body whose chunk size is not a number",
    "/trickle": "headers, then one byte every `trickle` seconds",
    "/trickle-headers": "the status line and headers one byte at a time",
    "/silent": "accepts the request and never answers",
    "/reset-at-once": "resets the connection before any answer",
    "/garbage": "an answer that is not HTTP at all",
    "/lying-type": "PNG bytes served as text/html",
    "/huge-length": "a Content-Length of 10 GB",
    "/redirect-loop": "a redirect to itself",
    "/status-503": "503 with Retry-After: 1, always",
    "/status-429-long": "429 with a Retry-After of one hour",
    "/empty-200": "200 with an empty body",
}


@dataclass
class Healthy:
    """A route that answers well: its body and type."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"


class FaultServer:
    """Serves healthy routes and every fault in FAULTS on one loopback address and port."""

    def __init__(self, host: str = "127.0.0.1", trickle: float = 2.0):
        self.routes: dict[str, Healthy] = {}
        self.hits: Counter = Counter()
        self.trickle = trickle
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                with server._lock:
                    server._open.add(self.request)
                try:
                    server._serve(self.request)
                except OSError:
                    pass
                finally:
                    with server._lock:
                        server._open.discard(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, 0), Handler)
        self.base = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8"
            ) -> str:
        """Serve `body` well at `path`; returns the full URL."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Healthy(body, content_type)
        return self.url(path)

    def stop(self) -> None:
        """Stop serving and end every connection still open (silent and trickling ones too)."""
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for sock in list(self._open):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    # -- one connection ----------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ", 2)[1].decode("latin-1").split("?")[0]
        with self._lock:
            self.hits[path] += 1
        # A fault owns every path below it too: /reset-mid-body/photo.png resets as well.
        first = "/" + path.strip("/").split("/")[0]
        fault = first if first in FAULTS else None
        if fault is None:
            route = self.routes.get(path)
            if route is None:
                return self._answer(sock, 404, b"not found", "text/plain")
            return self._answer(sock, 200, route.body, route.content_type)
        getattr(self, "_" + fault.strip("/").replace("-", "_"))(sock, path)

    def _answer(self, sock, status: int, body: bytes, content_type: str,
                extra: dict[str, str] | None = None) -> None:
        head = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Fault'}",
                f"Content-Type: {content_type}", f"Content-Length: {len(body)}",
                "Connection: close", *(f"{k}: {v}" for k, v in (extra or {}).items())]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    def _head(self, sock, lines: list[str]) -> None:
        sock.sendall(("\r\n".join(["HTTP/1.1 200 OK", *lines]) + "\r\n\r\n").encode("latin-1"))

    def _reset(self, sock) -> None:
        # RST instead of FIN: the client sees "connection reset by peer".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def _wait(self, seconds: float) -> bool:
        """Sleep unless the server stops meanwhile; False once it has."""
        return not self._stop.wait(seconds)

    def _reset_mid_body(self, sock, path):
        self._head(sock, ["Content-Type: text/html", "Content-Length: 20000"])
        sock.sendall(b"<html><body><p>" + b"words " * 300)
        time.sleep(0.05)
        self._reset(sock)

    def _short_body(self, sock, path):
        self._head(sock, ["Content-Type: text/html", "Content-Length: 20000"])
        sock.sendall(b"<html><body><p>" + b"words " * 300)
        sock.shutdown(socket.SHUT_WR)

    def _bad_gzip(self, sock, path):
        body = b"<html><body><p>this is not gzip at all</p></body></html>"
        self._head(sock, ["Content-Type: text/html", "Content-Encoding: gzip",
                          f"Content-Length: {len(body)}", "Connection: close"])
        sock.sendall(body)

    def _bad_chunked(self, sock, path):
        self._head(sock, ["Content-Type: text/html", "Transfer-Encoding: chunked"])
        sock.sendall(b"10\r\n<html><body><p>a\r\nnot-a-size\r\nrest\r\n0\r\n\r\n")

    def _trickle(self, sock, path):
        self._head(sock, ["Content-Type: text/html", "Content-Length: 100000"])
        for _ in range(100000):
            sock.sendall(b"x")
            if not self._wait(self.trickle):
                return

    def _trickle_headers(self, sock, path):
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"y" * 10000:
            sock.sendall(bytes([byte]))
            if not self._wait(self.trickle):
                return

    def _silent(self, sock, path):
        self._stop.wait(600)

    def _reset_at_once(self, sock, path):
        self._reset(sock)

    def _garbage(self, sock, path):
        sock.sendall(b"\x00\xff this is not a status line\r\n\r\nnor a body")
        sock.shutdown(socket.SHUT_WR)

    def _lying_type(self, sock, path):
        self._answer(sock, 200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "text/html; charset=utf-8")

    def _huge_length(self, sock, path):
        self._head(sock, ["Content-Type: text/html", f"Content-Length: {10 * 1024 ** 3}"])
        sock.sendall(b"<p>" + b"a" * 1000)
        self._stop.wait(5)

    def _redirect_loop(self, sock, path):
        self._answer(sock, 302, b"", "text/plain", {"Location": path})

    def _status_503(self, sock, path):
        self._answer(sock, 503, b"busy", "text/plain", {"Retry-After": "1"})

    def _status_429_long(self, sock, path):
        self._answer(sock, 429, b"slow down", "text/plain", {"Retry-After": "3600"})

    def _empty_200(self, sock, path):
        self._answer(sock, 200, b"", "text/html")


def refused_url(path: str = "/", host: str = "127.0.0.1") -> str:
    """A URL on a loopback port where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    return f"http://{host}:{port}{path}"
