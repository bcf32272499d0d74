"""`newsbook send`: mail books to an e-reader address; also the delivery step of `build --send`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

SEND_EPILOG = """\b
Examples:
  export NEWSBOOK_SMTP_PASSWORD=...            # or keep it in the keyring: [deliver] keyring
  newsbook send _build/brief-001.epub --to me@kindle.com
  newsbook send brief.epub --to me@kindle.com --from me@example.org \\
      --smtp-host smtp.example.org --username me --service kindle

The mail server and sender come from the [deliver] table of the project's newsbook.toml
(the one in this folder, or --project); options override it.
"""


@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--to", "to", multiple=True, metavar="ADDRESS",
              help="Recipient, e.g. your Send-to-Kindle address; repeatable.")
@click.option("--from", "sender", metavar="ADDRESS", help="Sender (must be approved by Kindle).")
@click.option("--smtp-host", "host", metavar="HOST", help="SMTP server.")
@click.option("--port", type=click.IntRange(1, 65535),
              help="SMTP port (default 587, or 465 with --ssl).")
@click.option("--username", help="SMTP login; the password is read from $NEWSBOOK_SMTP_PASSWORD.")
@click.option("--password-env", metavar="NAME",
              help="Environment variable holding the password (default NEWSBOOK_SMTP_PASSWORD).")
@click.option("--starttls/--no-starttls", default=None,
              help="Upgrade the connection with STARTTLS (default: on).")
@click.option("--ssl/--no-ssl", "use_ssl", default=None,
              help="Implicit TLS from the first byte (port 465) instead of STARTTLS.")
@click.option("--service", type=click.Choice(["kindle", "generic"]),
              help="Size limit of the receiving service (kindle: 50 MB, generic: 25 MB).")
@click.option("--max-size", type=click.FloatRange(min=0, min_open=True), metavar="MB",
              help="Refuse files larger than this, in MB (overrides --service).")
@click.option("--subject", help="Mail subject (default: the file name).")
@click.option("-p", "--project", type=click.Path(path_type=Path, file_okay=False),
              help="Project whose [deliver] settings to use (default: this folder's).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--json", "as_json", is_flag=True, help="Print what was sent as JSON.")
def send(files, to, sender, host, port, username, password_env, starttls, use_ssl, service,
         max_size, subject, project, quiet, as_json) -> None:
    """Mail books (EPUB, PDF) to an address, the way Kindle and other readers receive them."""
    from newsbook import deliver
    from newsbook.build import schema as schema_mod

    settings = _project_settings(project)
    overrides = {"to": list(to), "sender": sender, "host": host, "port": port,
                 "username": username, "password_env": password_env, "starttls": starttls,
                 "ssl": use_ssl, "service": service,
                 "max_size": int(max_size * schema_mod.MB) if max_size else None}
    settings = replace(settings, **{k: v for k, v in overrides.items() if v not in (None, [])})
    sent = deliver.send(list(files), settings, subject)
    report(sent, quiet, as_json)


def _project_settings(project: Path | None):
    """[deliver] of the given project, or of the one in this folder; defaults without one."""
    from newsbook.build import config as config_mod
    from newsbook.build import schema
    from newsbook.build.schema import DeliverSettings
    from newsbook.model.errors import ConfigError

    path = config_mod.find_config(project or Path("."))
    if path is None:
        if project is not None:
            raise ConfigError(f"{project}: no {schema.CONFIG_NAME} there")
        return DeliverSettings()
    return config_mod.load(path).deliver or DeliverSettings()


def report(sent, quiet: bool, as_json: bool) -> None:
    """Say what was sent: one line a book, or JSON."""
    if as_json:
        click.echo(json.dumps([{"path": str(s.path), "bytes": s.bytes, "to": s.to,
                                "server": s.server} for s in sent], indent=2))
    elif not quiet:
        from newsbook.deliver import human_size

        for s in sent:
            click.echo(f"sent {s.path} ({human_size(s.bytes)}) to {', '.join(s.to)} via {s.server}")


def after_build(plan, built, send_flag: bool | None) -> list:
    """The delivery step of a build: with --send, or [deliver] after_build for new outputs.

    Returns what was sent (empty when nothing is to be sent); raises DeliveryError.
    """
    from newsbook import builders, deliver

    settings = plan.deliver
    if send_flag is False or (send_flag is None and not (settings and settings.after_build)):
        return []
    if settings is None:
        raise deliver.DeliveryError("--send needs a [deliver] table in the project's "
                                    "newsbook.toml (to, from, host)")
    if send_flag is None and built.up_to_date:
        return []  # an automatic send mails new issues only, not the same book again
    # By format, not by suffix: a KEPUB's name ends in .epub too.
    paths = [p for p in built.outputs if builders.format_for(p) in settings.formats]
    if not paths:
        raise deliver.DeliveryError(f"nothing to send: the build wrote no "
                                    f"{' or '.join(settings.formats)} ([deliver] formats)")
    issue = built.issue
    subject = None
    if issue is not None:
        from newsbook.render.environment import book_title

        subject = book_title(issue)  # the book's own title: number and date
        paths = _in_parts(plan, issue, paths, settings)
    return deliver.send(paths, settings, subject)


def _in_parts(plan, issue, paths: list, settings) -> list:
    """The outputs to mail, each one over the mail limit replaced by its parts (written)."""
    from newsbook import deliver
    from newsbook.build.output import write_atomic
    from newsbook.build.state import cache_dir
    from newsbook.render.environment import Theme

    mailed = []
    for path in paths:
        if not path.is_file() or path.stat().st_size <= settings.limit:
            mailed.append(path)  # small enough (a missing file is reported by send)
            continue
        theme = Theme(plan.templates, plan.settings.theme,
                      compiled=cache_dir(plan.project) / "templates")
        if issue.cover is None:  # an up-to-date build drew none: the parts get theirs
            from dataclasses import replace

            from newsbook.render import cover

            issue = replace(issue, cover=cover.issue_cover(issue, plan.cover))
        for part, data in deliver.in_parts(path, issue, theme, settings.limit):
            write_atomic(part, data)
            mailed.append(part)
    return mailed
