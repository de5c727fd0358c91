"""The long tables of the pages, rendered in Python: a national municipality's 1,020
citizens and the pool's 98 municipalities.  Each row is what the template's loop
printed, cell for cell (``html``'s pieces, every value escaped)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from grantpool.fava_ext.html import Html
from grantpool.fava_ext.summary import GrantLine
from grantpool.figures.report import Row


def _cell(key: str, value: Any, shown: Markup) -> str:
    return f'    <td class="gp-n" data-value="{escape(value)}" data-key="{key}">{shown}</td>\n'


def citizen_rows(h: Html, citizens: list[Row], paces: dict[str, Any],
                 days_left: dict[str, int], stops: dict[str, Any]) -> Markup:
    """The municipality page's citizens' table body."""
    t, day = h.tx.t, h.tx.day
    labels = {"granted": t("Granted"), "committed": t("Committed"), "spent": t("Spent"),
              "returned": t("Returned to the grant"), "remaining": t("Remaining")}
    out = []
    for c in citizens:
        pid = escape(c.citizen)
        linked = h.links(c)
        cells = "".join(_cell(key, getattr(c, key), h.linked(
            labels[key], getattr(c, key), linked[key], c.level, key, c.municipality))
            for key in labels)
        pc = paces.get(c.citizen or "")
        left = days_left.get(c.citizen or "")
        out.append(
            f'  <tr data-citizen="{pid}">\n'
            f'    <td class="gp-nowrap"><a href="{escape(h.here("citizen", c.citizen))}">'
            f'{pid}</a></td>\n{cells}'
            f'    <td class="gp-nowrap" data-value="{escape(c.share_of_cap)}">'
            f'{h.bar(c.share_of_cap)}</td>\n'
            f'    <td data-value="{escape(pc.ahead if pc else -999)}">{h.pace(pc)}</td>\n'
            f'    <td class="gp-nowrap gp-window" data-value="{escape(c.window_start or "")}">'
            f'{escape(day(c.window_start))} \u2013<br>{escape(day(c.window_end))}</td>\n'
            f'    <td class="gp-n" data-value="{escape(-1 if left is None else left)}">'
            f'{escape("" if left is None else left)}</td>\n'
            f'    <td>{h.status(c.status, stops.get(c.citizen or "", ()))}</td>\n'
            f'  </tr>\n')
    return Markup("".join(out))


def municipality_rows(h: Html, lines: list[GrantLine], paces: dict[str, Any]) -> Markup:
    """The pool page's municipalities' table body."""
    t = h.tx.t
    labels = {"granted": t("Granted"), "spent": t("Spent"), "committed": t("Committed"),
              "returned": t("Returned"), "kept": t("Kept")}
    out = []
    for line in lines:
        r = line.row
        name = escape(r.municipality)
        linked = h.links(r)
        values = {"granted": r.granted, "spent": r.spent, "committed": r.committed,
                  "returned": line.returned, "kept": line.kept}
        cells = "".join(_cell(key, values[key], h.linked(
            labels[key], values[key], linked[key], r.level, key, r.municipality))
            for key in labels)
        pc = paces.get(line.municipality)
        out.append(
            f'  <tr data-municipality="{name}">\n'
            f'    <td><a href="{escape(h.here("municipality", r.municipality))}">{name}</a>'
            f'</td>\n{cells}{_cell("remaining", r.remaining, h.money(r.remaining))}'
            f'    <td data-value="{escape(r.share_of_cap)}">'
            f'{h.pace(pc) if pc else h.bar(r.share_of_cap)}</td>\n'
            f'    <td>{h.status(r.status)}</td>\n'
            f'  </tr>\n')
    return Markup("".join(out))
