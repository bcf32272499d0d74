"""Preview: build a project's HTML issue, serve it on loopback, rebuild it when its files change.

The page is built in memory (no output file, no state recorded) by the same code as
`newsbook build -f html`. A watcher (watchfiles: inotify/FSEvents/kqueue, polling where
those are missing) rebuilds on any change in the project folder — sources, templates,
newsbook.toml — and in sources kept elsewhere; a rebuild that fails keeps the last good page
in service and shows the error above it. Served pages (never built files) carry a small
script that reloads them when a rebuild finished.
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from newsbook.model.errors import ConfigError, NewsbookError

logger = logging.getLogger(__name__)

STATUS_PATH = "/__newsbook__/status"
# Changes closer together than this are one rebuild (an editor's save is several events).
DEBOUNCE_MS = 200
# How often the watcher wakes without changes, to notice a stop or a changed watch list.
TICK_MS = 300
# Asked of the browser: poll for a newer build every second; keep the reader's place.
RELOAD_SCRIPT = """<script>
(function () {
  var version = %d, key = "newsbook-scroll", saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.addEventListener("load", function () { window.scrollTo(0, +saved); });
  }
  setInterval(function () {
    fetch("%s", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.version !== version) {
        sessionStorage.setItem(key, String(window.scrollY));
        location.reload();
      }
    }).catch(function () {});
  }, 1000);
})();
</script>
"""
_BANNER_STYLE = ("position:sticky;top:0;z-index:9;margin:0 0 1rem;padding:.75rem 1rem;"
                 "background:#fff3f3;color:#7a0010;border:2px solid #c00;font:14px/1.4 sans-serif")
_BODY = re.compile(rb"<body\b[^>]*>", re.I)


@dataclass
class BuildResult:
    """One finished build attempt, as reported to the caller."""

    version: int  # build attempts finished so far, this one included
    ok: bool
    seconds: float
    changed: list[Path] = field(default_factory=list)  # what triggered it (empty: the first)
    articles: int = 0
    sections: int = 0
    size: int = 0  # bytes of the page
    error: str | None = None
    internal: bool = False  # the error is a bug, not the project's
    serving: bool = False  # a good page is in service (this one, or an earlier one)
    warnings: list[str] = field(default_factory=list)

    def summary(self, root: Path) -> str:
        """One line for people: what changed, and what the build gave or why it failed."""
        names = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p)
                 for p in self.changed]
        cause = (f"{', '.join(names[:3])}{' …' if len(names) > 3 else ''} changed: "
                 if names else "")
        if self.ok:
            return (f"{cause}built in {self.seconds:.1f} s: {self.articles} "
                    f"article{'s' * (self.articles != 1)}, {self.size // 1024} kB")
        kind = "internal error" if self.internal else "error"
        keeping = ("serving the last good build" if self.serving
                   else "the page shows the error until a build succeeds")
        return f"{cause}{kind}: {self.error} ({keeping})"


def build_page(project: Path, offline: bool = False):
    """The project's issue as one HTML page, built in memory: (page bytes, report, config)."""
    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod
    from newsbook.build import report as report_mod
    from newsbook.build import schema
    from newsbook.builders import html as html_builder
    from newsbook.render.environment import Theme

    config = config_mod.load(project / schema.CONFIG_NAME)
    plan = plan_mod.plan_project(config, formats=["html"], offline=offline)
    report = report_mod.Report()
    issue = pipeline.prepare(plan, report)
    page = html_builder.build(issue, Theme(plan.templates, issue.theme))
    report.warnings[:0] = [f"skipped {failure.reason}" for failure in report.failures]
    return page, report, config


def watched_paths(root: Path, config=None) -> list[Path]:
    """What a preview watches: the project folder, and local sources and cover outside it."""
    paths = [root]
    if config is not None:
        locations = [Path(s.location) for s in config.sources if "://" not in s.location]
        if config.cover is not None:
            locations.append(config.cover)
        for path in locations:
            path = path.resolve()
            if path.exists() and not any(path.is_relative_to(p) for p in paths):
                paths.append(path)
    return paths


def ignored_paths(root: Path, config=None) -> list[Path]:
    """What a preview does not watch: the project's state and caches, and its output folder."""
    ignored = [root / ".newsbook"]
    if config is not None:
        ignored.append((root / config.output_dir).resolve())
    return ignored


def watch_filter(ignored: Callable[[], list[Path]]):
    """A watchfiles filter: editor and VCS noise out, and everything under `ignored()` now."""
    from watchfiles import DefaultFilter

    default = DefaultFilter()

    def keep(change, path: str) -> bool:
        if not default(change, path):
            return False
        target = Path(path)
        return not any(target == i or target.is_relative_to(i) for i in ignored())

    return keep


class Preview:
    """A running preview of one project: an HTTP server and a watcher, each in a thread."""

    def __init__(self, project: Path, host: str = "127.0.0.1", port: int = 8000,
                 offline: bool = False, live_reload: bool = True,
                 on_build: Callable[[BuildResult], None] | None = None):
        from newsbook.build import config as config_mod
        from newsbook.build import schema

        self.root = Path(project).resolve()
        if config_mod.find_config(self.root) is None:
            raise ConfigError(f"{project}: not a project folder (no {schema.CONFIG_NAME})")
        self.offline = offline
        self.live_reload = live_reload
        self.on_build = on_build
        self._lock = threading.Lock()
        self._page: bytes | None = None  # the last good build
        self._version = 0
        self._error: str | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._config = None
        self._server = _make_server(self, host, port)
        self.host, self.port = host, self._server.server_address[1]

    @property
    def url(self) -> str:
        """Where the preview is served."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def loopback(self) -> bool:
        """Whether only this machine can reach the preview."""
        return _is_loopback(self.host)

    def start(self) -> Preview:
        """Serve at once (a "building" page at first), then build and watch in the background."""
        self._threads = [
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                             name="newsbook-http", daemon=True),
            threading.Thread(target=self._watch, name="newsbook-watch", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def wait(self) -> None:
        """Block until stop() is called (Ctrl-C raises KeyboardInterrupt here, as usual)."""
        while not self._stop.wait(1.0):
            pass

    def stop(self) -> None:
        """Stop watching and serving; returns once both threads have ended."""
        self._stop.set()
        if self._threads:
            self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def status(self) -> dict:
        """The state of the builds, as the status endpoint reports it."""
        with self._lock:
            return {"version": self._version, "ok": self._page is not None and not self._error,
                    "error": self._error}

    def page(self) -> tuple[HTTPStatus, bytes]:
        """The page to serve now: the last good build (with the error above it, if the last
        rebuild failed), else a page that says why there is none yet."""
        with self._lock:
            page, version, error = self._page, self._version, self._error
        script = (RELOAD_SCRIPT % (version, STATUS_PATH)).encode() if self.live_reload else b""
        if page is None:
            message = (f"<p>The build failed:</p><pre>{html.escape(error)}</pre>" if error
                       else "<p>Building the issue…</p>")
            body = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<title>newsbook preview</title>\n</head>\n<body>\n"
                    f"{message}\n").encode() + script + b"</body>\n</html>\n"
            return HTTPStatus.SERVICE_UNAVAILABLE, body
        if error:
            banner = (f'<div role="alert" style="{_BANNER_STYLE}"><strong>The last rebuild '
                      f"failed; this is the last good build.</strong>"
                      f'<pre style="white-space:pre-wrap;margin:.5em 0 0">{html.escape(error)}'
                      "</pre></div>\n").encode()
            match = _BODY.search(page)
            if match:
                page = page[:match.end()] + b"\n" + banner + page[match.end():]
        if script:
            end = page.lower().rfind(b"</body>")
            page = page[:end] + script + page[end:] if end >= 0 else page + script
        return HTTPStatus.OK, page

    def rebuild(self, changed: list[Path] | None = None) -> BuildResult:
        """Build the page again; on failure the last good page stays in service."""
        started = time.monotonic()
        try:
            page, report, config = build_page(self.root, self.offline)
        except NewsbookError as exc:
            return self._finish(None, str(exc), False, started, changed)
        except Exception as exc:  # noqa: BLE001 - a bug must not take the preview down
            logger.debug("rebuild failed", exc_info=True)
            return self._finish(None, f"{type(exc).__name__}: {exc}", True, started, changed)
        self._config = config
        return self._finish((page, report), None, False, started, changed)

    def _finish(self, built, error, internal, started, changed) -> BuildResult:
        with self._lock:
            if built is not None:
                self._page = built[0]
            self._error = error
            self._version += 1
            version, serving = self._version, self._page is not None
        result = BuildResult(version=version, ok=built is not None, serving=serving,
                             seconds=time.monotonic() - started, changed=list(changed or []),
                             error=error, internal=internal)
        if built is not None:
            page, report = built
            result.size, result.articles, result.sections = (len(page), report.articles,
                                                             report.sections)
            result.warnings = list(report.warnings)
        if self.on_build is not None:
            self.on_build(result)
        return result

    def _watch(self) -> None:
        """The watcher thread: should watching itself fail, the page says so."""
        try:
            self._watch_and_build()
        except Exception as exc:  # noqa: BLE001 - reported, not raised into a dead thread
            logger.debug("watching failed", exc_info=True)
            self._finish(None, f"watching for changes stopped: {type(exc).__name__}: {exc}",
                         True, time.monotonic(), [])

    def _watch_and_build(self) -> None:
        """Watch, build, repeat: the watcher runs before each build, so no change is missed."""
        import watchfiles

        first = True
        polling = False
        while not self._stop.is_set():
            paths = watched_paths(self.root, self._config)
            try:
                # The filter reads the config as it is at each change: no restart for that.
                changes = watchfiles.watch(
                    *paths, watch_filter=watch_filter(
                        lambda: ignored_paths(self.root, self._config)), debounce=DEBOUNCE_MS,
                    step=50, rust_timeout=TICK_MS, yield_on_timeout=True,
                    stop_event=self._stop, force_polling=polling or None)
                next(changes, None)  # the watcher is live from here on
            except OSError as exc:  # e.g. the inotify watch limit: poll instead
                if polling:
                    raise
                logger.warning("watching for changes by polling (%s)", exc)
                polling = True
                continue
            try:
                if first:
                    self.rebuild()
                    first = False
                else:
                    self.rebuild([])  # the watch list changed: what happened meanwhile counts
                for batch in changes:
                    if batch:
                        changed = sorted({Path(path) for _change, path in batch})
                        self.rebuild(changed)
                    if watched_paths(self.root, self._config) != paths:
                        break  # the config names other places: watch those
            finally:
                changes.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    """The HTTP server, listening already; a port in use is the user's error."""
    import socket

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        daemon_threads = True

        def handle_error(self, request, client_address) -> None:
            # A browser that goes away mid-page (a reload) is no error worth a traceback.
            logger.debug("request from %s failed", client_address, exc_info=True)

    try:
        return Server((host, port), _handler(preview))
    except OSError as exc:
        raise NewsbookError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                            + (" (try another --port, or --port 0 for any free one)"
                               if port else "")) from None


def _handler(preview: Preview):
    """A request handler serving the preview's page and its status, and nothing else."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "newsbook-preview"

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            self._respond(head=False)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(head=True)

        def _respond(self, head: bool) -> None:
            # A page on another site may reach a loopback server by DNS rebinding; the Host
            # header then names that site, and gets nothing.
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
            if preview.loopback and host and not (_is_loopback(host)
                                                   or host == preview.host.lower()):
                return self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain", head)
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                status, body = preview.page()
                return self._send(status, body, "text/html; charset=utf-8", head)
            if path == STATUS_PATH:
                body = json.dumps(preview.status()).encode()
                return self._send(HTTPStatus.OK, body, "application/json", head)
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", head)

        def _send(self, status, body: bytes, media_type: str, head: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base's name
            logger.debug("%s %s", self.address_string(), format % args)

    return Handler
