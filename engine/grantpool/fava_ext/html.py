"""The pieces a page prints many times, as escaped HTML: an amount, a figure linked to
its postings, a share-of-cap bar, a pace, a status.

They were the template's macros; a national municipality's page prints some 10,000 of
them, and a Jinja macro call costs more than the text it makes.  Each function gives
exactly what its macro gave.  Every text and value goes through ``escape`` (the
figures, the words of the catalogue, the links), so nothing reaches the page unescaped.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from markupsafe import Markup, escape

from grantpool.fava_ext.drills import Drills
from grantpool.fava_ext.summary import Pace
from grantpool.fava_ext.texts import Texts
from grantpool.fava_ext.urls import Urls
from grantpool.figures.links import Link
from grantpool.figures.links import links as links_of
from grantpool.figures.report import Row
from grantpool.rules.pooldef import PoolDef

HUNDRED = Decimal(100)
ASKED = object()  # ``here``'s language: the one the page was asked in


class Html:
    """The page's pieces in its language (*tx*), its links built by *urls* and opened
    in the ledger *drills* picks; figures are linked as of *as_of* (*pool*: the rules
    file's pool, None when there is none: then no page links a figure)."""

    def __init__(self, tx: Texts, urls: Urls, drills: Drills, pool: PoolDef | None,
                 as_of: datetime.date, lang_arg: str | None) -> None:
        self.tx, self.urls, self.drills = tx, urls, drills
        self.pool, self.as_of, self.lang_arg = pool, as_of, lang_arg
        self._titles: dict[str, str] = {}
        self._percent: dict[str, str] = {}

    def here(self, page: str, name: str | None = None, lang: object = ASKED) -> str:
        """This extension's *page* (the template's ``here``), in *lang* if given, else
        the language the page was asked in."""
        return self.urls("extension_report", extension_name="GrantPool", page=page,
                         name=name, lang=self.lang_arg if lang is ASKED else lang)

    def percent(self, value: Decimal) -> str:
        key = str(value)
        if key not in self._percent:
            self._percent[key] = self.tx.percent(value)
        return self._percent[key]

    def money(self, value: Decimal) -> Markup:
        return Markup(f'<span class="gp-num">{escape(self.tx.money(value))}</span>')

    def linked(self, label: str, value: Decimal, link: Link, level: str, figure: str,
               municipality: str | None) -> Markup:
        """*value* linked to the postings behind it (*link*, in the ledger that holds
        them); *label* names the figure in the link's title."""
        drill = self.drills.drill(link, level, figure, municipality)
        if label not in self._titles:
            self._titles[label] = str(escape(self.tx.t("%(figure)s: the transactions",
                                                        figure=label)))
        href = escape(self.urls(drill.endpoint, **drill.params()))
        return Markup(f'<a class="gp-drill" href="{href}" title="{self._titles[label]}">'
                      f'{self.money(value)}</a>')

    def figure(self, label: str, value: Decimal, row: Row, name: str) -> Markup:
        """*row*'s figure *name*, linked (the long tables make each row's links once
        and call ``linked``)."""
        return self.linked(label, value, self.links(row)[name], row.level, name,
                           row.municipality)

    def links(self, row: Row) -> dict[str, Link]:
        """Each figure of *row* and where its postings are (``figures.links``)."""
        assert self.pool is not None, "figures are shown only with a rules file"
        return links_of(row, self.pool, self.as_of)

    def bar(self, share: Decimal) -> Markup:
        shown = escape(self.percent(share))
        title = escape(self.tx.t("%(share)s of the cap", share=self.percent(share)))
        level = " gp-over" if share > 100 else " gp-near" if share >= 80 else ""
        return Markup(f'<span class="gp-bar" title="{title}"><span class="gp-bar-fill{level}"'
                      f' style="width: {escape(min(share, HUNDRED))}%"></span></span>'
                      f'<span class="gp-num">{shown}</span>')

    def pace(self, pc: Pace | None) -> Markup:
        if not pc:
            return Markup('<span class="gp-note">\u2013</span>')
        tx = self.tx
        title = escape(tx.t(
            "%(used)s of the money used, %(elapsed)s of the time passed: %(judgement)s",
            used=self.percent(pc.used), elapsed=self.percent(pc.elapsed),
            judgement=tx.pace(pc.judgement)))
        return Markup(
            f'<span class="gp-pace gp-pace-{escape(pc.judgement)}" data-used="{escape(pc.used)}"'
            f' data-elapsed="{escape(pc.elapsed)}" title="{title}"><span class="gp-pace-bar">'
            f'<span class="gp-pace-used" style="width: {escape(min(pc.used, HUNDRED))}%"></span>'
            f'<span class="gp-pace-time" style="left: {escape(min(pc.elapsed, HUNDRED))}%">'
            f'</span></span><span class="gp-num">{escape(tx.whole(pc.used))}&nbsp;% / '
            f'{escape(tx.whole(pc.elapsed))}&nbsp;%</span></span>')

    def status(self, code: str, stops: Iterable[tuple[datetime.date, str]] = ()) -> Markup:
        out = [f'<span class="gp-status gp-status-{escape(code)}" title="{escape(code)}">'
               f'{escape(self.tx.status(code))}</span>']
        out += [f' <span class="gp-stop-date" data-stop="{escape(kind)}">'
                f'{escape(self.tx.day(day))}</span>' for day, kind in stops]
        return Markup("".join(out))

    def category(self, code: str) -> Markup:
        return Markup(f'<span class="gp-category" title="{escape(code)}">'
                      f'{escape(self.tx.category(code))}</span>')
