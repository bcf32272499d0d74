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


def test_mojibake_repaired_in_undeclared_text():
    broken = "Le café de la gare est fermé depuis l’été".encode("utf-8").decode("latin-1")
    assert decode(broken.encode("utf-8")) == "Le café de la gare est fermé depuis l’été"


def test_correct_text_left_alone():
    for text in ("Zürich, Łódź, São Paulo — «ça va»", "日本語のテキスト", "Ελληνικά κείμενα",
                 "naïve café résumé ½ °C ±3"):
        assert decode(text.encode("utf-8")) == text


def test_page_declaring_latin1_but_serving_utf8():
    page = '<meta charset="iso-8859-1"><p>Dvořák in Zürich</p>'.encode("utf-8")
    assert "Dvořák in Zürich" in decode(page, html=True)


def test_declared_charset_trusted_for_legacy_bytes():
    page = '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis"><p>東京の天気</p>'
    assert "東京の天気" in decode(page.encode("shift_jis"), html=True)


def test_legacy_asian_encodings_detected():
    for encoding, text in (("shift_jis", "日本語のテキストです。東京都の天気は晴れです。今日はとても良い日です。"),
                           ("gb2312", "这是中文文本。北京今天天气很好，我们去公园散步吧。"),
                           ("cp1251", "Это русский текст. Сегодня в Москве хорошая погода.")):
        assert decode(text.encode(encoding)) == text, encoding
