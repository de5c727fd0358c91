"""Mail over SMTP: one message per recipient group, only what is new to them."""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage

from grantpool.audit.findings import Finding
from grantpool.scheduled.config import Mail


def body(findings: list[Finding], books: str) -> str:
    lines = [f"New findings in {books}:", ""]
    for f in findings:
        lines.append(f"- {f.severity} [{f.rule}] {f.message}")
        lines.append(f"  {f.filename}:{f.lineno}")
    lines += ["", "Sent by grantpool scheduled; a finding is mailed once, when it first appears."]
    return "\n".join(lines)


def send(mail: Mail, batches: list[tuple[tuple[str, ...], str, str]]) -> int:
    """Send each (recipients, subject, text); returns how many were sent.

    Raises ``OSError`` or ``smtplib.SMTPException`` when the server cannot be
    reached or refuses: the caller records it and sends nothing as sent.
    """
    if not batches:
        return 0
    with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as server:
        if mail.starttls:
            server.starttls()
        user = os.environ.get(mail.username_env or "") if mail.username_env else None
        if user:
            server.login(user, os.environ.get(mail.password_env or "", ""))
        for recipients, subject, text in batches:
            message = EmailMessage()
            message["From"] = mail.sender
            message["To"] = ", ".join(recipients)
            message["Subject"] = subject
            message.set_content(text)
            server.send_message(message)
    return len(batches)
