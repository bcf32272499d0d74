"""OPML subscription lists: nested folders, duplicates, URL schemes, errors, hostile XML."""

from __future__ import annotations

import time

import pytest

from newsbook.model.errors import SourceError
from newsbook.sources.opml import Subscription, parse_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Loose" type="rss" xmlUrl="https://loose.example.com/feed"/>
    <outline text="News" title="News">
      <outline text="Herald" title="The Herald" type="rss" xmlUrl="https://herald.example.com/rss"
               htmlUrl="https://herald.example.com/"/>
      <outline text="Tech">
        <outline text="Blog" type="rss" xmlUrl="http://blog.example.org/atom.xml"/>
        <outline text="Blog again" type="rss" xmlUrl="HTTP://Blog.Example.org/atom.xml"/>
      </outline>
      <outline text="After the subfolder" xmlurl="https://after.example.net/f?a=1&amp;b=2"/>
    </outline>
    <outline text="Herald twice" xmlUrl="https://herald.example.com/rss"/>
    <outline text="Local" xmlUrl="file:///etc/passwd"/>
    <outline text="FTP" xmlUrl="ftp://ftp.example.com/feed"/>
    <outline text="Script" xmlUrl="javascript:alert(1)"/>
    <outline text="Just a link" type="link" url="https://example.com/page"/>
  </body>
</opml>"""


def test_nested_folders_flattened_in_order():
    subs = parse_opml(NESTED, "feeds.opml")
    assert subs == [
        Subscription("https://loose.example.com/feed", "Loose", None),
        Subscription("https://herald.example.com/rss", "The Herald", "News"),
        Subscription("http://blog.example.org/atom.xml", "Blog", "Tech"),
        Subscription("https://after.example.net/f?a=1&b=2", "After the subfolder", "News"),
    ]


def test_duplicates_and_non_http_dropped():
    urls = [s.url for s in parse_opml(NESTED, "feeds.opml")]
    assert len(urls) == len(set(urls)) == 4
    assert not any(u.startswith(("file:", "ftp:", "javascript:")) for u in urls)


def test_opml_1_with_bare_ampersand():
    data = (b'<?xml version="1.0"?><opml version="1.0"><body>'
            b'<outline title="Q" xmlUrl="http://q.example.com/rss?x=1&y=2"/></body></opml>')
    assert parse_opml(data, "old.opml") == [
        Subscription("http://q.example.com/rss?x=1&y=2", "Q", None)]


@pytest.mark.parametrize("data, reason", [
    (b"<html><body><p>hello</p></body></html>", "root element is <html>"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "root element is <rss>"),
    (b"", "empty"),
    (b"\x00\x01\x02 not xml at all", "not OPML"),
])
def test_not_opml(data, reason):
    with pytest.raises(SourceError, match=reason) as info:
        parse_opml(data, "list.opml")
    assert str(info.value).startswith("list.opml: ")


def test_opml_without_feeds():
    data = b'<opml version="2.0"><body><outline text="Empty folder"/></body></opml>'
    with pytest.raises(SourceError, match="without feeds"):
        parse_opml(data, "empty.opml")
    only_local = b'<opml version="2.0"><body><outline xmlUrl="file:///x"/></body></opml>'
    with pytest.raises(SourceError, match="1 non-http"):
        parse_opml(only_local, "local.opml")


def test_xxe_does_not_read_files(tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-SECRET-OPML")
    for layout in ('<outline text="a &x;" xmlUrl="https://e.example/f"/>',
                   '<outline text="a" title="&x;" xmlUrl="https://e.example/f"/>&x;'):
        data = (f'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY x SYSTEM "{canary.as_uri()}">]>'
                f'<opml version="2.0"><body>{layout}</body></opml>').encode()
        try:
            result = repr(parse_opml(data, "evil.opml"))
        except SourceError as exc:
            result = str(exc)
        assert "CANARY-SECRET" not in result


def test_billion_laughs_refused_quickly():
    lines = ['<!ENTITY x "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1) if i > 1 else "&x;") * 10}">'
        for i in range(1, 10)]
    data = ('<?xml version="1.0"?><!DOCTYPE opml [' + "".join(lines) + ']><opml><body>'
            '<outline text="&lol9;" xmlUrl="https://e.example/f"/></body></opml>').encode()
    start = time.monotonic()
    try:
        result = repr(parse_opml(data, "laughs.opml"))
    except SourceError as exc:
        result = str(exc)
    assert time.monotonic() - start < 2
    assert len(result) < 5000
