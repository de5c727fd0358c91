"""Each page's data, from the figures and the books the extension (``GrantPool``) gives:
the pool, a municipality, a citizen, the findings.  The figures pages compute are kept
per figures object (``GrantPool.memo``): a page viewed again is only rendered again.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app, request
from markupsafe import Markup

from grantpool.fava_ext import drills, pages, served, statement, svg, tables
from grantpool.fava_ext.entryform import KINDS
from grantpool.fava_ext.federated import Rollup
from grantpool.fava_ext.summary import row_pace, stops
from grantpool.fava_ext.texts import Texts
from grantpool.figures.levels import PoolFigures
from grantpool.figures.report import citizen_row
from grantpool.figures.spending import daily_spending
from grantpool.privacy.cpr import redact
from grantpool.rules.spec import RuleSet

if TYPE_CHECKING:
    from grantpool.fava_ext import GrantPool

Page = dict[str, Any]


def pool(ext: GrantPool, base: Page, levels: PoolFigures, ruleset: RuleSet,
         view: pages.View, cap: Decimal | None, name: str) -> Page:
    data = ext.memo(("pool", view, cap), lambda: pages.pool_page(levels, ruleset, view, cap),
                    (levels, ruleset))
    shown = frozenset(line.municipality for line in data["municipalities"])
    rolled = ext.where().rollup
    daily = rolled.spending() if rolled else ext.memo(
        ("spending",), lambda: daily_spending(ext.entries()))
    series = ext.memo(("series", view.as_of, shown),
                      lambda: pages.monthly_series(daily, view.as_of, shown), (daily,))
    period = ruleset.pool.project_period
    tx: Texts = base["tx"]
    return {**base, **data, "page": "pool",
            "municipality_rows": tables.municipality_rows(
                base["h"], data["municipalities"], data["paces"]),
            "sankey": Markup(svg.sankey(data["flows"], ruleset.pool.currency, tx)),
            "chart": Markup(svg.spending_chart(
                series, period.start, period.end, data["totals"].granted, view.as_of,
                ruleset.pool.currency, tx))}


def municipality(ext: GrantPool, base: Page, levels: PoolFigures, ruleset: RuleSet,
                 view: pages.View, cap: Decimal | None, name: str) -> Page:
    side = "pool" if ext.where().rollup else "municipality"  # whose tranche halves
    data = ext.memo(("municipality", view, name, cap, side),
                    lambda: pages.municipality_page(levels, ruleset, view, name, cap,
                                                    ext.entries(), side),
                    (levels, ruleset))
    if data is None:
        return {**base, "page": "problem",
                "problem": base["tx"].t("No municipality '%(name)s'.", name=redact(name)[:40])}
    rows = tables.citizen_rows(base["h"], data["citizens"], data["paces"],
                               data["days_left"], data["stops"])
    return {**base, **data, "name": name, "citizen_rows": rows}


def citizen(ext: GrantPool, base: Page, levels: PoolFigures, ruleset: RuleSet,
            view: pages.View, cap: Decimal | None, name: str) -> Page:
    found = [c for g in levels.grants.values() for c in g.citizens.values()
             if c.citizen == name]
    citizen_cap = cap if cap is not None else ruleset.pool.drawing_right
    rows = [citizen_row(c, ruleset.pool, view.as_of, citizen_cap) for c in found]
    if not rows:
        return {**base, "page": "problem",
                "problem": base["tx"].t("No citizen '%(name)s'.", name=redact(name)[:40])}
    muni = rows[0].municipality or ""
    rolled = ext.where().rollup
    if rolled is not None:  # the statement is in the municipality's own books
        lines = statement.statement(own_entries(ext, rolled, muni), muni,
                                    name, view.as_of)
        base |= drills.elsewhere(ext.where().place, muni, name, base["slugs"])
    else:
        lines = ext.memo(("statement", name, view.as_of),
                         lambda: statement.statement(ext.entries(), muni, name,
                                                     view.as_of))
    stopped = stops(found[0].events, view.as_of)
    recorded = statement.recorded(request.args.get("recorded", ""), lines)
    done = statement.entered(request.args.get("entered", ""), lines, stopped, KINDS)
    return {**base, "row": rows[0], "name": name, "lines": lines, "stops": stopped,
            "rows": statement.with_stops(lines, stopped), "recorded": recorded,
            "entered": done, "kinds": KINDS,
            "pace": row_pace(rows[0], view.as_of),
            "categories": statement.by_category(lines),
            "timeline": Markup(svg.timeline(lines, rows[0], ruleset.pool.currency,
                                            base["tx"], stopped))}


def own_entries(ext: GrantPool, rolled: Rollup, muni: str) -> list[Any]:
    """Municipality *muni*'s own entries: from its ledger when this Fava serves it
    (``served.served_entries``), else loaded on their own by the roll-up."""
    place = ext.where().place
    entity = place.federation.municipality(muni) if place else None
    found = served.served_entries()(entity) if entity is not None else None
    return found if found is not None else rolled.entries_of(muni)


def findings(ext: GrantPool, base: Page, levels: PoolFigures, ruleset: RuleSet,
             view: pages.View, cap: Decimal | None, name: str) -> Page:
    errors = list(ext.ledger.errors)
    return {**base, "groups": statement.grouped_findings(errors),
            "loader_errors": statement.loader_errors(errors),
            "municipalities": _municipalities_findings(ext, base["slugs"])}


def _municipalities_findings(ext: GrantPool, slugs: dict[Path, str]) -> list[Page]:
    """On the pool's own ledger: each municipality's own findings, from its ledger as
    this Fava serves it (reloaded first if its files changed, as Fava does before a
    request to it), for the municipalities the user may read (``slugs``: the served
    ledgers the user sees).  Elsewhere: none (a municipality's books are its own)."""
    place = ext.where().place
    if place is None or place.kind != "pool":
        return []
    out = []
    for entity in place.federation.municipalities:
        slug = slugs.get(entity.main.resolve())
        if slug is None:
            continue
        ledger = current_app.config["LEDGERS"][slug]
        ledger.changed()
        errors = list(ledger.errors)
        groups = statement.grouped_findings(errors)
        out.append({"name": entity.name, "slug": slug, "groups": groups,
                    "count": sum(len(items) for by in groups.values() for items in by.values())})
    return out
