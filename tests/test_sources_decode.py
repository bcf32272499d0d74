"""Decoding source bytes: BOMs, declared charsets, legacy encodings, newlines, control chars."""

from __future__ import annotations

import codecs

from newsbook.sources.decode import decode


def test_utf8_bom_and_crlf():
    assert decode(codecs.BOM_UTF8 + "é\r\nb\rc".encode()) == "é\nb\nc"


def test_utf16_bom():
    assert decode(codecs.BOM_UTF16_LE + "Łódź".encode("utf-16-le")) == "Łódź"


def test_declared_html_charset():
    data = '<meta charset="windows-1252"><p>caf\xe9 \x93quoted\x94</p>'.encode("latin-1")
    assert "café “quoted”" in decode(data, html=True)


def test_undeclared_legacy_encoding_is_detected():
    text = ("Le café de la gare est fermé depuis l'été dernier, mais la boulangerie à côté "
            "reste ouverte et très fréquentée par les élèves du lycée voisin.")
    assert decode(text.encode("cp1252")) == text


def test_control_characters_dropped():
    assert decode(b"a\x00b\x0bc\x1fd\tok") == "abcd\tok"
