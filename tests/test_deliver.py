"""Mailing books: against a real SMTP server (aiosmtpd) the test starts on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import register_epub, run_cli
from newsbook.build import config as config_mod
from newsbook.build.schema import DeliverSettings
from newsbook.deliver import DeliveryError, make_message, media_type, send

USER, SECRET = "reader", "correct horse battery staple"


@dataclass
class Inbox:
    """What the server received: one (envelope sender, recipients, parsed message) per mail."""

    mails: list = field(default_factory=list)
    refuse: set = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == USER.encode() and auth_data.password == SECRET.encode()
    return AuthResult(success=ok, handled=False)  # False: the server answers 235 or 535


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(tmp_path):
    """Start SMTP servers on 127.0.0.1: smtp(tls=..., auth=...) -> (inbox, port, ca_file)."""
    from aiosmtpd.controller import Controller

    started = []

    def start(tls: bool = False, auth: bool = False, implicit: bool = False):
        inbox = Inbox()
        options = {}
        ca_file = None
        if tls or implicit:
            import trustme

            ca = trustme.CA()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1").configure_cert(context)
            ca_file = tmp_path / f"ca-{len(started)}.pem"
            ca.cert_pem.write_to_path(str(ca_file))
            if implicit:
                options.update(ssl_context=context)
            else:
                options.update(tls_context=context, require_starttls=True)
        if auth:
            options.update(authenticator=_authenticator, auth_required=True,
                           auth_require_tls=tls)
        controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **options)
        controller.start()
        started.append(controller)
        return inbox, controller.port, ca_file

    yield start
    for controller in started:
        controller.stop()


def _epub_bytes(payload: bytes) -> bytes:
    """An OCF zip (mimetype first, stored) carrying `payload` as a stored entry."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("EPUB/payload.bin", payload)
    return out.getvalue()


@pytest.fixture
def book(tmp_path) -> Path:
    """A small EPUB container with every byte value in it, so that any mangling shows."""
    path = tmp_path / "Die Zeitung – Nr. 1.epub"
    path.write_bytes(_epub_bytes(bytes(range(256)) * 40 + b"PK\x03\x04 end"))
    return path


def _settings(port: int, **options) -> DeliverSettings:
    base = dict(to=["me@kindle.example"], sender="me@example.org", host="127.0.0.1", port=port,
                starttls=False, timeout=10)
    return DeliverSettings(**{**base, **options})


def _attachment(message):
    parts = list(message.iter_attachments())
    assert len(parts) == 1
    return parts[0]


def test_plain_send_delivers_the_attachment_intact(smtp, book):
    inbox, port, _ = smtp()
    sent = send([book], _settings(port), subject="The Brief No. 1")
    assert [s.path for s in sent] == [book] and sent[0].bytes == book.stat().st_size
    (sender, recipients, message), = inbox.mails
    assert sender == "me@example.org" and recipients == ["me@kindle.example"]
    assert message["Subject"] == "The Brief No. 1"
    part = _attachment(message)
    assert part.get_content_type() == "application/epub+zip"
    assert part.get_filename() == book.name  # non-ASCII names survive (RFC 2231)
    assert part.get_content() == book.read_bytes()


def test_starttls_with_login(smtp, book, monkeypatch):
    inbox, port, ca_file = smtp(tls=True, auth=True)
    monkeypatch.setenv("NEWSBOOK_SMTP_PASSWORD", SECRET)
    send([book], _settings(port, starttls=True, cafile=ca_file, username=USER))
    assert _attachment(inbox.mails[0][2]).get_content() == book.read_bytes()


def test_implicit_tls(smtp, book, tmp_path):
    inbox, port, ca_file = smtp(implicit=True)
    pdf = tmp_path / "second.pdf"
    pdf.write_bytes(b"%PDF-1.7 " + bytes(range(256)))
    send([book, pdf], _settings(port, ssl=True, cafile=ca_file))
    # One book a mail: Send to Kindle converts one attachment per message.
    assert [_attachment(m).get_filename() for *_, m in inbox.mails] == [book.name, "second.pdf"]
    assert _attachment(inbox.mails[1][2]).get_content_type() == "application/pdf"
    assert _attachment(inbox.mails[1][2]).get_content() == pdf.read_bytes()


def test_wrong_password_is_one_clear_error(smtp, book, monkeypatch):
    inbox, port, ca_file = smtp(tls=True, auth=True)
    monkeypatch.setenv("NEWSBOOK_SMTP_PASSWORD", "wrong")
    with pytest.raises(DeliveryError, match=r"refused the login of reader: 535"):
        send([book], _settings(port, starttls=True, cafile=ca_file, username=USER))
    assert inbox.mails == []


def test_untrusted_certificate_fails_before_the_password_goes(smtp, book, monkeypatch):
    inbox, port, _ = smtp(tls=True, auth=True)
    monkeypatch.setenv("NEWSBOOK_SMTP_PASSWORD", SECRET)
    with pytest.raises(DeliveryError, match=r"TLS with 127.0.0.1:\d+ failed: .*certificate"):
        send([book], _settings(port, starttls=True, username=USER))
    assert inbox.mails == []


def test_server_without_starttls_is_refused(smtp, book):
    inbox, port, _ = smtp()
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send([book], _settings(port, starttls=True))
    assert inbox.mails == []


def test_password_from_the_keyring(smtp, book, monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            return {("newsbook-smtp", USER): SECRET}.get((service, username))

        def set_password(self, service, username, password):
            raise NotImplementedError

        def delete_password(self, service, username):
            raise NotImplementedError

    monkeypatch.delenv("NEWSBOOK_SMTP_PASSWORD", raising=False)
    inbox, port, ca_file = smtp(tls=True, auth=True)
    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        send([book], _settings(port, starttls=True, cafile=ca_file, username=USER,
                               keyring="newsbook-smtp"))
    finally:
        keyring.set_keyring(previous)
    assert len(inbox.mails) == 1


def test_missing_password_names_where_to_put_it(book, monkeypatch):
    monkeypatch.delenv("NEWSBOOK_SMTP_PASSWORD", raising=False)
    with pytest.raises(DeliveryError, match=r"no password for reader: set \$NEWSBOOK_SMTP_PASSWORD"):
        send([book], _settings(_free_port(), username=USER))


def test_size_limit_refuses_before_connecting(smtp, tmp_path):
    inbox, port, _ = smtp()
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-" + b"0" * 30_000)
    with pytest.raises(DeliveryError, match=r"big.pdf: 29 KB is over the configured max_size "
                                            r"of 20 KB; not sent"):
        send([big], _settings(port, max_size=20 * 1024))
    assert inbox.mails == []


@pytest.mark.parametrize(("name", "data", "service", "message"), [
    ("empty.epub", b"", "kindle", r"empty.epub: the file is empty; not sent"),
    ("empty.pdf", b"", "generic", r"empty.pdf: the file is empty; not sent"),
    ("renamed.epub", b"%PDF-1.7 a PDF named .epub", "kindle", r"renamed.epub: not an EPUB"),
    ("plain.epub", b"PK\x03\x04" + b"\0" * 60, "generic", r"plain.epub: not an EPUB"),
    ("renamed.pdf", _epub_bytes(b"x"), "kindle", r"renamed.pdf: not a PDF"),
    ("old.mobi", b"BOOKMOBI" * 10, "kindle", r"old.mobi: Send to Kindle does not take .mobi"),
])
def test_what_the_service_would_bounce_is_refused_before_connecting(smtp, tmp_path, name, data,
                                                                     service, message):
    inbox, port, _ = smtp()
    good = tmp_path / "good.pdf"
    good.write_bytes(b"%PDF-1.7 fine")
    path = tmp_path / name
    path.write_bytes(data)
    # The good file is listed first: nothing is mailed unless every file passes.
    with pytest.raises(DeliveryError, match=message):
        send([good, path], _settings(port, service=service))
    assert inbox.mails == []


def test_a_mobi_still_goes_to_a_generic_address(smtp, tmp_path):
    inbox, port, _ = smtp()
    path = tmp_path / "old.mobi"
    path.write_bytes(b"BOOKMOBI" * 10)
    send([path], _settings(port))
    assert _attachment(inbox.mails[0][2]).get_content_type() == "application/x-mobipocket-ebook"


def test_a_built_epub_goes_to_kindle_with_its_type(smtp, tmp_path):
    inbox, port, _ = smtp()
    source = tmp_path / "note.md"
    source.write_text("---\ntitle: A note\n---\n\nShort text.\n", encoding="utf-8")
    result = run_cli("build", str(source), "-o", str(tmp_path / "note.epub"), "-q")
    assert result.returncode == 0, result.stderr
    register_epub(tmp_path / "note.epub")
    send([tmp_path / "note.epub"], _settings(port, service="kindle"))
    part = _attachment(inbox.mails[0][2])
    assert part.get_content_type() == "application/epub+zip"
    assert part.get_content() == (tmp_path / "note.epub").read_bytes()
    body = inbox.mails[0][2].get_body(preferencelist=("plain",)).get_content()
    assert body.strip()  # a mail with an empty body is refused by some relays


def test_kindle_limit_is_50_mb(tmp_path):
    from newsbook.build.schema import MB
    from newsbook.deliver import check_size

    settings = DeliverSettings(service="kindle")
    check_size(tmp_path / "a.epub", 50 * MB, settings)
    with pytest.raises(DeliveryError, match="over the kindle limit of 50.0 MB"):
        check_size(tmp_path / "a.epub", 50 * MB + 1, settings)


def test_refused_recipient(smtp, book):
    inbox, port, _ = smtp()
    inbox.refuse.add("nobody@kindle.example")
    with pytest.raises(DeliveryError,
                       match=r"refused the recipient nobody@kindle.example \(550 5.1.1"):
        send([book], _settings(port, to=["nobody@kindle.example"]))


def test_connection_refused(book):
    with pytest.raises(DeliveryError, match=r"cannot connect to 127.0.0.1:\d+ \(Connection refused\)"):
        send([book], _settings(_free_port()))


def test_media_types_and_message_headers(tmp_path):
    assert media_type(Path("a.EPUB")) == "application/epub+zip"
    assert media_type(Path("a.pdf")) == "application/pdf"
    assert media_type(Path("a.unknownext")) == "application/octet-stream"
    message = make_message(tmp_path / "x.pdf", b"%PDF-1.7", _settings(25))
    assert message["From"] == "me@example.org" and message["To"] == "me@kindle.example"
    assert _attachment(message).get_content_type() == "application/pdf"


def test_deliver_table_in_config(tmp_path):
    path = tmp_path / "newsbook.toml"
    path.write_text('[deliver]\nto = "me@kindle.com"\nfrom = "me@example.org"\n'
                    'host = "smtp.example.org"\nservice = "kindle"\nmax_size = 1.5\n'
                    'cafile = "ca.pem"\nafter_build = true\n', encoding="utf-8")
    settings = config_mod.load(path).deliver
    assert settings.to == ["me@kindle.com"] and settings.sender == "me@example.org"
    assert settings.limit == int(1.5 * 1024 * 1024) and settings.after_build
    assert settings.cafile == tmp_path.resolve() / "ca.pem"
    path.write_text('[deliver]\nservice = "nook"\n', encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match="deliver.service"):
        config_mod.load(path)
    path.write_text('[deliver]\npassword = "x"\n', encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match="unknown key 'deliver.password'"):
        config_mod.load(path)


# The command line -------------------------------------------------------------------------


def test_send_command_errors_are_one_line(tmp_path, book):
    result = run_cli("send", str(book), "--to", "me@kindle.example", "--from", "me@example.org",
                     "--smtp-host", "127.0.0.1", "--port", str(_free_port()), "--no-starttls",
                     cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("newsbook: error: cannot connect to 127.0.0.1:")
    assert len(result.stderr.strip().splitlines()) == 1
    result = run_cli("send", str(book), "--to", "me@kindle.example", cwd=tmp_path)
    assert result.returncode == 1 and "no sender" in result.stderr


def test_send_command_uses_the_project_config(smtp, tmp_path, book):
    inbox, port, _ = smtp()
    (tmp_path / "newsbook.toml").write_text(
        f'[deliver]\nto = ["a@kindle.example", "b@kindle.example"]\nfrom = "me@example.org"\n'
        f'host = "127.0.0.1"\nport = {port}\nstarttls = false\n', encoding="utf-8")
    result = run_cli("send", str(book), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sent = json.loads(result.stdout)
    assert sent[0]["to"] == ["a@kindle.example", "b@kindle.example"]
    assert inbox.mails[0][1] == ["a@kindle.example", "b@kindle.example"]


def test_build_sends_after_build_when_configured(smtp, project):
    inbox, port, _ = smtp()
    folder = project("basic")
    config = folder / "newsbook.toml"
    config.write_text(config.read_text(encoding="utf-8") +
                      f'\n[deliver]\nto = "me@kindle.example"\nfrom = "me@example.org"\n'
                      f'host = "127.0.0.1"\nport = {port}\nstarttls = false\n'
                      f'after_build = true\nservice = "kindle"\n', encoding="utf-8")
    result = run_cli("build", "-f", "epub", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    epub = Path(report["outputs"][0])
    register_epub(epub)
    assert report["sent"] == [str(epub)]
    (_, _, message), = inbox.mails
    assert _attachment(message).get_content() == epub.read_bytes()
    assert message["Subject"].startswith(report["issue"]["title"])
    # Nothing changed: the same book is not mailed again by after_build; --send forces it.
    result = run_cli("build", "-f", "epub", cwd=folder)
    assert result.returncode == 0 and len(inbox.mails) == 1
    result = run_cli("build", "-f", "epub", "--send", cwd=folder)
    assert result.returncode == 0 and len(inbox.mails) == 2


def test_build_send_failure_reports_the_build_then_one_error(project):
    folder = project("basic")
    config = folder / "newsbook.toml"
    config.write_text(config.read_text(encoding="utf-8") +
                      f'\n[deliver]\nto = "me@kindle.example"\nfrom = "me@example.org"\n'
                      f'host = "127.0.0.1"\nport = {_free_port()}\nstarttls = false\n'
                      f'max_size = 0.001\n', encoding="utf-8")
    result = run_cli("build", "-f", "epub", "--send", cwd=folder)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip().endswith(".epub")  # the book was built all the same
    register_epub(Path(result.stdout.strip()))
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("newsbook: error: ")
    # Split into parts as far as it goes, one article a book, and each still over 1 KB.
    assert "one article alone makes a book of" in result.stderr
    assert "over the limit of 1 KB; not sent" in result.stderr
    assert not list(folder.rglob("*-part*.epub"))


def test_build_send_mails_an_issue_over_the_limit_in_parts(smtp, project):
    from newsbook.build.schema import MB

    import random

    from PIL import Image

    inbox, port, _ = smtp()
    folder = project("basic")
    # Two articles with a photo each that does not compress: they outweigh the cover and fonts
    # every part carries.
    for seed, name in enumerate(["bridge.png", "noise.png"]):
        pixels = random.Random(seed).randbytes(300 * 300 * 3)
        Image.frombytes("RGB", (300, 300), pixels).save(folder / "images" / name)
    (folder / "articles" / "notes" / "photo.md").write_text(
        "---\ntitle: A photo\ndate: 2026-03-10\n---\n\n![Noise](../../images/noise.png)\n",
        encoding="utf-8")
    result = run_cli("build", "-f", "epub", "--json", cwd=folder)
    whole = Path(json.loads(result.stdout)["outputs"][0])
    limit = whole.stat().st_size * 0.8  # the whole book is over, its halves are not
    config = folder / "newsbook.toml"
    config.write_text(config.read_text(encoding="utf-8") +
                      f'\n[deliver]\nto = "me@kindle.example"\nfrom = "me@example.org"\n'
                      f'host = "127.0.0.1"\nport = {port}\nstarttls = false\n'
                      f'service = "kindle"\nmax_size = {limit / MB}\n', encoding="utf-8")
    # Up to date: the book is not built again, its parts are (with a cover of their own).
    result = run_cli("build", "-f", "epub", "--send", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    sent = [Path(p) for p in json.loads(result.stdout)["sent"]]
    assert len(sent) >= 2 and len(inbox.mails) == len(sent)
    assert [p.name for p in sent] == [f"{whole.stem}-part{i}.epub" for i in range(1, len(sent) + 1)]
    titles, articles = [], []
    for path, (_, _, message) in zip(sent, inbox.mails):
        register_epub(path)
        part = _attachment(message)
        assert part.get_content() == path.read_bytes() and len(path.read_bytes()) <= limit
        assert part.get_content_type() == "application/epub+zip"
        with zipfile.ZipFile(path) as book:
            opf = book.read("EPUB/content.opf").decode("utf-8")
            titles.append(opf.split("<dc:title>")[1].split("</dc:title>")[0])
            articles += sorted(n for n in book.namelist() if n.startswith("EPUB/a"))
            assert "EPUB/cover.xhtml" in book.namelist()
    assert titles == [f"{titles[0].rsplit(' (', 1)[0]} ({i}/{len(sent)})"
                      for i in range(1, len(sent) + 1)]
    with zipfile.ZipFile(whole) as book:
        assert sorted(articles) == sorted(n for n in book.namelist() if n.startswith("EPUB/a"))
        opf = book.read("EPUB/content.opf").decode("utf-8")
        assert titles[0].startswith(opf.split("<dc:title>")[1].split("</dc:title>")[0] + " (1/")
