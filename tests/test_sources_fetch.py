"""The fetcher against a real server on 127.0.0.1: cache, revalidation, offline, and every fault."""

from __future__ import annotations

import time

import pytest

from newsbook.sources.fetch import Fetcher
from newsbook.sources.fetchtypes import FetchError, FetchSettings

from webserver import FixtureServer

FAST = FetchSettings(connect_timeout=2, timeout=2, retries=2, backoff=0.01,
                     max_bytes=50_000)


@pytest.fixture
def server():
    srv = FixtureServer()
    yield srv
    srv.stop()


def test_get_and_content_type(server, tmp_path):
    url = server.add("/a", "<p>héllo</p>", content_type="text/html; charset=ISO-8859-1")
    with Fetcher(tmp_path / "cache.sqlite", FAST) as fetcher:
        response = fetcher.get(url)
    assert response.content == "<p>héllo</p>".encode()
    assert (response.media_type, response.charset) == ("text/html", "iso-8859-1")


def test_second_fetch_revalidates_instead_of_downloading(server, tmp_path):
    url = server.add("/page", "<p>same</p>")
    with Fetcher(tmp_path / "cache.sqlite", FAST) as fetcher:
        fetcher.get(url)
    time.sleep(1.1)  # past the one-second freshness of responses without Cache-Control
    with Fetcher(tmp_path / "cache.sqlite", FAST) as fetcher:
        again = fetcher.get(url)
    assert again.content == b"<p>same</p>"
    assert server.hits["/page"] == 2 and server.full["/page"] == 1  # the second was a 304


def test_offline_answers_from_cache_only(server, tmp_path):
    url = server.add("/kept", "kept", etag=False)
    with Fetcher(tmp_path / "cache.sqlite", FAST) as fetcher:
        fetcher.get(url)
    server.stop()
    time.sleep(1.1)
    offline = FetchSettings(offline=True)
    with Fetcher(tmp_path / "cache.sqlite", offline) as fetcher:
        assert fetcher.get(url).content == b"kept"
        with pytest.raises(FetchError, match="offline, and not in the cache"):
            fetcher.get(url.replace("/kept", "/never"))


def test_gzip_body(server, tmp_path):
    url = server.add("/z", "compressed " * 100, gzip=True)
    with Fetcher(None, FAST) as fetcher:
        assert fetcher.get(url).content == ("compressed " * 100).encode()


def test_retry_after_500_then_success(server):
    url = server.add("/flaky", "finally", fail_first=2, etag=False)
    with Fetcher(None, FAST) as fetcher:
        assert fetcher.get(url).content == b"finally"
    assert server.hits["/flaky"] == 3


@pytest.mark.parametrize("path, options, reason", [
    ("/missing", None, "HTTP 404"),
    ("/down", {"fail_first": 99}, "HTTP 500"),
    ("/slow", {"delay": 4.0}, "timed out"),
    ("/reset", {"reset": True}, "connection failed"),
    ("/loop", {"redirect": "/loop"}, "redirects"),
    ("/big", {"body": b"x" * 60_000}, "larger than the 50000 byte limit"),
    ("/bomb", {"body": b"\0" * 5_000_000, "gzip": True}, "larger than the 50000 byte limit"),
])
def test_faults_raise_fetch_error_with_reason(server, path, options, reason):
    if options is not None:
        server.add(path, **{"body": b"x", **options})
    with Fetcher(None, FAST) as fetcher:
        with pytest.raises(FetchError) as info:
            fetcher.get(server.url(path))
    assert reason in str(info.value) and server.url(path) in str(info.value)


def test_only_http_and_https():
    with Fetcher(None, FAST) as fetcher:
        for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)", "http://"):
            with pytest.raises(FetchError, match="only http and https"):
                fetcher.get(url)


def test_get_many_in_parallel_with_per_host_limit(server):
    urls = [server.add(f"/p{i}", f"page {i}", delay=0.3) for i in range(6)]
    settings = FetchSettings(per_host=3, workers=8, retries=0, timeout=5)
    with Fetcher(None, settings) as fetcher:
        results = fetcher.get_many(urls + [server.url("/nope")])
    assert [results[u].content for u in urls] == [f"page {i}".encode() for i in range(6)]
    assert isinstance(results[server.url("/nope")], FetchError)
    assert server.max_inflight == 3  # in parallel, but never more than per_host at one host


def test_user_agent_names_newsbook(server):
    seen = {}

    url = server.add("/ua", "x")
    with Fetcher(None, FAST) as fetcher:
        fetcher._open().hooks["response"].append(
            lambda r, *a, **k: seen.update(ua=r.request.headers["User-Agent"]))
        fetcher.get(url)
    assert seen["ua"].startswith("newsbook/")
