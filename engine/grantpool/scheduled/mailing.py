"""Who gets what, and remembering each mail the moment the server accepts it.

Each finding is owed to its *targets*: ``municipality:<name>`` when its municipality has
recipients, ``ministry`` when the ministry has.  A finding is new while a target is still
owed; a message that the server accepts is written to ``mailed.json`` at once, so after a
failure half-way only what was not delivered is sent on the next run.  When the run
failed, the ministry gets a message saying why (on every failed run).
"""

from __future__ import annotations

import smtplib
from pathlib import Path

from beancount.parser import parser

from grantpool.books.opening import declared_rules
from grantpool.federation.discover import find
from grantpool.i18n import ENGLISH, Translator, language, translator
from grantpool.rules.yamlsrc import load_yaml
from grantpool.scheduled import notify, state
from grantpool.scheduled.config import Mail, Schedule
from grantpool.scheduled.notify import MissingCredentials, Outgoing
from grantpool.scheduled.outcome import Noticed, Outcome, one_line, reason

MINISTRY, NOBODY = "ministry", "none"


def targets(n: Noticed, mail: Mail | None) -> set[str]:
    owed = set()
    if mail is not None and n.municipality and mail.municipalities.get(n.municipality):
        owed.add(f"municipality:{n.municipality}")
    if mail is not None and mail.ministry:
        owed.add(MINISTRY)
    return owed or {NOBODY}


def pool_language(ledger: Path) -> str:
    """The language of the pool the books' main file declares (``language:`` in the
    ``pool`` section of its rules file, read even when the rest of that file is bad);
    English when it cannot be read (the run reports why elsewhere).  Of a federation
    (its folder or consolidated main file), the pool's own main file is read."""
    federation = find(ledger)
    if federation is not None and federation.pool is not None:
        ledger = federation.pool.main
    try:
        _, _, options = parser.parse_file(str(ledger))
        rules = declared_rules(options)
        doc, _ = load_yaml(rules) if rules is not None else (None, [])
    except (OSError, ValueError):
        return language(None)
    pool = doc.get("pool") if isinstance(doc, dict) else None
    return language(None, pool.get("language") if isinstance(pool, dict) else None)


def plan(mail: Mail | None, noticed: list[Noticed], sent: state.Sent,
         books: str, t: Translator = ENGLISH) -> tuple[list[Noticed], list[Outgoing]]:
    """The new findings, and the messages that carry them (municipalities first), in
    *t*'s language."""
    owed = {id(n): targets(n, mail) - sent.get(n.key, set()) for n in noticed}
    new = [n for n in noticed if owed[id(n)]]
    if mail is None:
        return new, []
    out = []
    for muni in sorted({n.municipality for n in new if n.municipality}):
        mine = [n for n in new if f"municipality:{muni}" in owed[id(n)]]
        if mine:
            subject = t.ngettext("%(count)s new finding for %(municipality)s",
                                 "%(count)s new findings for %(municipality)s", len(mine),
                                 municipality=muni)
            out.append(Outgoing(mail.municipalities[muni], f"[grantpool] {subject}",
                                notify.body([n.finding for n in mine], books, t),
                                f"municipality:{muni}", tuple(n.key for n in mine)))
    every = [n for n in new if MINISTRY in owed[id(n)]]
    if every:
        subject = t.ngettext("%(count)s new finding", "%(count)s new findings", len(every))
        out.append(Outgoing(mail.ministry, f"[grantpool] {subject}",
                            notify.body([n.finding for n in every], books, t), MINISTRY,
                            tuple(n.key for n in every)))
    return new, out


def failure_notice(mail: Mail | None, schedule: Schedule, ledger: Path,
                   outcome: Outcome) -> list[Outgoing]:
    if mail is None or not mail.ministry or not outcome.failures:
        return []
    t = translator(pool_language(ledger))
    subject = one_line("[grantpool] " + t("the daily run failed: %(reason)s",
                                          reason=outcome.failures[0]), 150)
    return [Outgoing(mail.ministry, subject, notify.failure_body(
        outcome.failures, str(ledger), str(schedule.state), t))]


def mail_new(schedule: Schedule, ledger: Path, outcome: Outcome) -> None:
    """Mail what is new (if the state folder can remember it) and the failure notice."""
    sent = state.mailed(schedule.state) if outcome.state_ok else {}
    if outcome.checked:  # forget what is gone: it is mailed again if it comes back
        current = {n.key for n in outcome.noticed}
        sent = {k: v for k, v in sent.items() if k in current}
    t = translator(pool_language(ledger)) if schedule.mail is not None else ENGLISH
    outcome.new, out = plan(schedule.mail, outcome.noticed, sent, str(ledger), t)
    for n in outcome.new:  # nobody to tell: known from now on
        if targets(n, schedule.mail) == {NOBODY}:
            sent.setdefault(n.key, set()).add(NOBODY)
    if not outcome.state_ok:
        out = []  # not remembered, they would go out again on every run
    out = failure_notice(schedule.mail, schedule, ledger, outcome) + out  # the alarm first
    memory = Memory(schedule.state, sent, outcome)
    if schedule.mail is not None and out:
        try:
            notify.send(schedule.mail, out, memory.accepted)
        except (OSError, smtplib.SMTPException, MissingCredentials) as exc:
            outcome.mail_error = reason(exc)
    if outcome.state_ok:
        memory.save()


class Memory:
    """``mailed.json``, rewritten the moment the server accepts a message."""

    def __init__(self, folder: Path, sent: state.Sent, outcome: Outcome) -> None:
        self.folder, self.sent, self.outcome = folder, sent, outcome

    def accepted(self, item: Outgoing, refused: dict[str, tuple[int, bytes]]) -> bool:
        """Remember *item* as sent; False (stop sending) if that cannot be written."""
        self.outcome.mailed += 1
        if refused:
            self.outcome.mail_error = one_line(
                f"the server refused {', '.join(sorted(refused))} for '{item.subject}'")
        if item.target is None:
            return True
        for key in item.keys:
            self.sent.setdefault(key, set()).add(item.target)
        return self.save()

    def save(self) -> bool:
        try:
            state.remember(self.folder, self.sent)
        except OSError as exc:
            self.outcome.state_ok = False
            self.outcome.fail(reason(exc, f"{self.folder}/mailed.json cannot be written; "
                                          f"mail stopped so that nothing is sent twice"))
            return False
        return True
