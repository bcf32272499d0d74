"""Delivery: mail a built book to an e-reader's address (Send to Kindle and the like) over SMTP.

The message is built with the standard library (EmailMessage) and sent with smtplib, with
STARTTLS by default. The password comes from an environment variable or the system keyring
(the `keyring` package, when installed), never from newsbook.toml.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from newsbook.build.schema import MB, SERVICE_LIMITS, DeliverSettings
from newsbook.model.errors import NewsbookError

if TYPE_CHECKING:
    import smtplib

    from newsbook.model import Issue
    from newsbook.render.environment import Theme


MEDIA_TYPES = {".epub": "application/epub+zip", ".pdf": "application/pdf",
               ".html": "text/html", ".htm": "text/html", ".mobi": "application/x-mobipocket-ebook",
               ".azw3": "application/vnd.amazon.ebook", ".txt": "text/plain"}


class DeliveryError(NewsbookError):
    """The book was not sent: too large, or the mail server refused or could not be reached."""

    # The command was well-formed; the mail did not go. Same family as "nothing built".
    exit_code = 1


@dataclass
class Sent:
    """One book mailed: the file, its size, the recipients and the server's host."""

    path: Path
    bytes: int
    to: list[str]
    server: str


def media_type(path: Path) -> str:
    """The MIME type an e-reader service expects for a book file."""
    known = MEDIA_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


# What Send to Kindle converts (its help page); MOBI and AZW3 have been refused since 2022.
KINDLE_TYPES = frozenset({"application/epub+zip", "application/pdf", "text/html", "text/plain",
                          "application/msword", "application/rtf", "image/jpeg", "image/png",
                          "image/gif", "image/bmp",
                          "application/vnd.openxmlformats-officedocument."
                          "wordprocessingml.document"})
_EPUB_MAGIC = b"PK\x03\x04"


def check_size(path: Path, size: int, settings: DeliverSettings) -> None:
    """Refuse a file past the service's limit before any connection is made."""
    if size > settings.limit:
        what = (f"the {settings.service} limit" if settings.max_size is None
                else "the configured max_size")
        # One book a mail already; a book past the limit must be built smaller, in parts.
        raise DeliveryError(f"{path}: {human_size(size)} is over {what} of {human_size(settings.limit)}; "
                            "not sent (`newsbook build --send` mails an issue this large in parts; "
                            "or build fewer articles, [build] max_articles, or smaller images, "
                            "[build] image_size)")


def in_parts(path: Path, issue: Issue, theme: Theme, limit: int) -> list[tuple[Path, bytes]]:
    """An issue whose book is over the mail limit built again as parts under it, each a whole
    book ("Title (1/3)"), written beside it as NAME-part1.epub and so on."""
    import math
    from dataclasses import replace

    from newsbook import builders
    from newsbook.model.split import split_issue

    from newsbook.render.environment import book_title

    builder = builders.get_builder(builders.format_for(path))
    whole = book_title(issue).replace("{", "{{").replace("}", "}}")
    count = 2
    while True:
        parts = split_issue(issue, count)
        # Each part's title is the book's with "(1/3)": a format with no fields left in it.
        parts = [replace(part, title_format=f"{whole} ({index}/{len(parts)})")
                 for index, part in enumerate(parts, 1)]
        books = [(path.with_name(f"{path.stem}-part{index}{path.suffix}"),
                  builder.build(part, theme)) for index, part in enumerate(parts, 1)]
        largest = max(len(data) for _, data in books)
        if largest <= limit:
            return books
        if len(parts) >= len(issue.articles):
            raise DeliveryError(f"{path}: one article alone makes a book of {human_size(largest)}, "
                                f"over the limit of {human_size(limit)}; not sent (build it with "
                                "smaller images, [build] image_size)")
        # Parts shrink about in proportion to their number.
        count = max(count + 1, math.ceil(count * largest / limit))


def check_book(path: Path, data: bytes, settings: DeliverSettings) -> None:
    """Refuse, before mailing, what the service would bounce: an empty file, one whose bytes
    are not what its type says (the attachment's MIME type comes from the name), a type the
    service does not take, or one past the size limit."""
    if not data:
        raise DeliveryError(f"{path}: the file is empty; not sent")
    kind = media_type(path)
    if settings.service == "kindle" and kind not in KINDLE_TYPES:
        raise DeliveryError(f"{path}: Send to Kindle does not take {path.suffix or 'this'} "
                            f"files ({kind}); send the EPUB or the PDF")
    if kind == "application/epub+zip" and not _is_epub(data):
        raise DeliveryError(f"{path}: not an EPUB (a zip whose first entry names "
                            "application/epub+zip); not sent")
    if kind == "application/pdf" and not data.lstrip(b"\0\t\n\f\r ")[:5] == b"%PDF-":
        raise DeliveryError(f"{path}: not a PDF (no %PDF- header); not sent")
    check_size(path, len(data), settings)


def _is_epub(data: bytes) -> bool:
    """The OCF container's signature: a zip whose first, stored entry is `mimetype`."""
    # Local file header: name length at 26, extra length at 28, the name from 30 (APPNOTE 4.3.7).
    if len(data) < 38 or not data.startswith(_EPUB_MAGIC):
        return False
    name_length = int.from_bytes(data[26:28], "little")
    extra_length = int.from_bytes(data[28:30], "little")
    start = 30 + name_length + extra_length
    return (data[30:30 + name_length] == b"mimetype"
            and data[start:start + 20] == b"application/epub+zip")


def make_message(path: Path, data: bytes, settings: DeliverSettings,
                 subject: str | None = None):
    """The mail: a short text part and the book attached under its own name and MIME type."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.to)
    message["Subject"] = subject or path.stem
    message["Date"] = formatdate(localtime=True)
    domain = settings.sender.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(f"{path.name}, sent by newsbook.\n")
    maintype, _, subtype = media_type(path).partition("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
    return message


def password(settings: DeliverSettings) -> str | None:
    """The SMTP password: from the environment variable, else the keyring, else None."""
    value = os.environ.get(settings.password_env)
    if value:
        return value
    if settings.keyring and settings.username:
        try:
            import keyring
        except ImportError:
            raise DeliveryError("[deliver] keyring is set but the keyring package is not "
                                "installed (pip install keyring)") from None
        try:
            value = keyring.get_password(settings.keyring, settings.username)
        except Exception as exc:  # noqa: BLE001 - backends raise their own kinds
            raise DeliveryError(f"cannot read the keyring ({type(exc).__name__}: {exc})") from None
        if value:
            return value
    return None


def validate(settings: DeliverSettings) -> None:
    """Everything a send needs is there; the messages say which key or option to set."""
    if not settings.to:
        raise DeliveryError("no recipient: give --to ADDRESS or set [deliver] to")
    if not settings.sender:
        raise DeliveryError("no sender: give --from ADDRESS or set [deliver] from "
                            "(Kindle accepts only senders approved in its settings)")
    if not settings.host:
        raise DeliveryError("no mail server: give --smtp-host HOST or set [deliver] host")
    if settings.service not in SERVICE_LIMITS:
        raise DeliveryError(f"unknown service {settings.service!r} "
                            f"(known: {', '.join(SERVICE_LIMITS)})")
    for address in [*settings.to, settings.sender]:
        if "@" not in address or any(c in address for c in "\r\n,<>\" "):
            raise DeliveryError(f"{address!r} is not a mail address")


def send(paths: list[Path], settings: DeliverSettings, subject: str | None = None) -> list[Sent]:
    """Mail each book in its own message (services take one book per mail) over one connection."""
    # The network modules load only to send: a build that shows a file size needs none.
    import smtplib
    import socket
    import ssl

    validate(settings)
    books = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DeliveryError(f"{path}: cannot read ({exc.strerror})") from None
        check_book(path, data, settings)  # every file, before any is sent
        books.append((path, data))
    secret = password(settings)
    if settings.username and secret is None:
        where = f"${settings.password_env}"
        if settings.keyring:
            where += f" or the keyring (keyring set {settings.keyring} {settings.username})"
        raise DeliveryError(f"no password for {settings.username}: set {where}")
    host = settings.host
    port = settings.port or (465 if settings.ssl else 587)
    sent = []
    try:
        with _connect(host, port, settings) as smtp:
            if settings.username:
                smtp.login(settings.username, secret)
            for path, data in books:
                message = make_message(path, data, settings, subject)
                smtp.send_message(message, from_addr=settings.sender, to_addrs=settings.to)
                sent.append(Sent(path, len(data), list(settings.to), f"{host}:{port}"))
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{host}:{port} refused the login of {settings.username}: "
                            f"{_reply(exc)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = "; ".join(f"{addr} ({_reply_of(code, text)})"
                            for addr, (code, text) in exc.recipients.items())
        raise DeliveryError(f"{host}:{port} refused the recipient {refused}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(f"{host}:{port} refused the sender {settings.sender}: "
                            f"{_reply(exc)}") from None
    except smtplib.SMTPDataError as exc:
        raise DeliveryError(f"{host}:{port} refused the message: {_reply(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{host}:{port}: {exc}") from None
    except smtplib.SMTPServerDisconnected as exc:
        raise DeliveryError(f"{host}:{port} closed the connection ({exc or 'no reason given'})"
                            ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{host}:{port}: {_reply(exc)}") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{host}:{port}: {exc}") from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(f"TLS with {host}:{port} failed: {exc.verify_message} "
                            "(a private relay's CA can be given as [deliver] cafile)") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with {host}:{port} failed: {exc.reason or exc}") from None
    except socket.gaierror as exc:
        raise DeliveryError(f"cannot find the mail server {host} ({exc.strerror})") from None
    except TimeoutError:
        raise DeliveryError(f"{host}:{port} did not answer within {settings.timeout:g} s") from None
    except OSError as exc:
        raise DeliveryError(f"cannot connect to {host}:{port} "
                            f"({exc.strerror or type(exc).__name__})") from None
    return sent


def _connect(host: str, port: int, settings: DeliverSettings) -> smtplib.SMTP:
    """An SMTP session, encrypted unless the config says starttls = false on plain SMTP."""
    import smtplib
    import ssl

    context = ssl.create_default_context(cafile=str(settings.cafile) if settings.cafile else None)
    if settings.ssl:
        return smtplib.SMTP_SSL(host, port, timeout=settings.timeout, context=context)
    smtp = smtplib.SMTP(host, port, timeout=settings.timeout)
    try:
        if settings.starttls:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise DeliveryError(f"{host}:{port} does not offer STARTTLS; not sending the "
                                    "password in clear (set [deliver] starttls = false only for "
                                    "a relay on a trusted network)")
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _reply_of(exc.smtp_code, exc.smtp_error)


def _reply_of(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"


def human_size(size: int) -> str:
    """Bytes as the unit a person reads: 51.2 MB, 830 KB."""
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"
