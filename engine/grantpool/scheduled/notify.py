"""Mail over SMTP: one message per recipient group, only what is new to them.

The connection is verified TLS (``tls: starttls`` or ``ssl``; ``none`` only to a loopback
host, see ``config``), the credentials come from the environment variables the schedule
names, and each message carries ``Date`` and ``Message-ID``.  ``send`` reports each
message the moment the server has accepted it, so the caller can remember it at once.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from grantpool.audit.findings import Finding
from grantpool.i18n import ENGLISH, N_, Translator
from grantpool.scheduled.config import Mail

SEVERITY = {"error": N_("error"), "warning": N_("warning")}


class MissingCredentials(Exception):
    """The schedule names an environment variable for a credential that is not set."""


@dataclass(frozen=True)
class Outgoing:
    """A message to send; *target* and *keys* are what to remember once it is accepted."""

    to: tuple[str, ...]
    subject: str
    text: str
    target: str | None = None
    keys: tuple[str, ...] = ()


def body(findings: list[Finding], books: str, t: Translator = ENGLISH) -> str:
    """The findings' mail, its own words in *t*'s language (the findings' messages are
    the rules engine's)."""
    lines = [t("New findings in %(books)s:", books=books), ""]
    for f in findings:
        lines.append(f"- {t(SEVERITY.get(f.severity, f.severity))} [{f.rule}] {f.message}")
        lines.append(f"  {f.filename}:{f.lineno}")
    lines += ["", t("Sent by grantpool scheduled; a finding is mailed once, when it first "
                    "appears.")]
    return "\n".join(lines)


def failure_body(reasons: list[str], books: str, state: str,
                 t: Translator = ENGLISH) -> str:
    lines = [t("The daily run of grantpool scheduled on %(books)s did not do the whole job:",
               books=books), ""]
    lines += [f"- {r}" for r in reasons]
    lines += ["", t("The run exited 2; its status is in %(state)s/status.json.", state=state),
              t("This mail is sent on every run that fails, until the cause is mended.")]
    return "\n".join(lines)


def credentials(mail: Mail) -> tuple[str, str] | None:
    """``(user, password)`` from the environment, or None when the schedule names none."""
    if not mail.username_env:
        return None
    names = [mail.username_env, mail.password_env or ""]
    missing = [n for n in names if not n or not os.environ.get(n)]
    if missing:
        shown = ", ".join(n or "password_env" for n in missing)
        raise MissingCredentials(f"{shown} not set in the environment: pass the SMTP "
                                 f"credentials (EnvironmentFile= or the env file)")
    return os.environ[names[0]], os.environ[names[1]]


def message(mail: Mail, item: Outgoing) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail.sender
    msg["To"] = ", ".join(item.to)
    msg["Subject"] = item.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("grantpool", domain=mail.sender.rpartition("@")[2] or None)
    msg.set_content(item.text)
    return msg


def connect(mail: Mail) -> smtplib.SMTP:
    """An SMTP session, TLS verified against the system's CAs (or ``ca_file``)."""
    if mail.tls == "none":
        return smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
    context = ssl.create_default_context(
        cafile=str(mail.ca_file) if mail.ca_file else None)
    if mail.tls == "ssl":
        return smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout, context=context)
    server = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
    try:
        server.starttls(context=context)
    except BaseException:
        server.close()
        raise
    return server


Accepted = Callable[[Outgoing, dict[str, tuple[int, bytes]]], bool]


def send(mail: Mail, outgoing: list[Outgoing], accepted: Accepted) -> int:
    """Send each message; after each the server accepts, call ``accepted(item, refused)``
    (the recipients it refused); stop when that returns False.  Returns how many were sent.

    Raises ``MissingCredentials`` before connecting, ``OSError`` (``ssl.SSLError`` for a
    certificate that does not verify) or ``smtplib.SMTPException`` when the server cannot
    be reached or refuses.
    """
    if not outgoing:
        return 0
    login = credentials(mail)
    sent = 0
    with connect(mail) as server:
        if login is not None:
            server.login(*login)
        for item in outgoing:
            refused = server.send_message(message(mail, item))
            sent += 1
            if not accepted(item, refused):
                break
    return sent
