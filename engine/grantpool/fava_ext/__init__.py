"""The grant pool in Fava: Pool, Municipality, Citizen and Findings pages.

Declare it in the books' main file::

    2017-01-01 custom "fava-extension" "grantpool.fava_ext"

The pages read the rules file the books' ``grantpool.plugin`` line names.  Fava's
time filter sets the day the figures are for (the last day of the period), and
its account filter picks the municipalities and citizens shown (and so every
figure the page sums).  On a federation's ledgers (``federated``) a municipality's
own shows that municipality, the pool's own rolls up every entity's books, and the
drill-downs open the ledger holding the postings (``drills``).  The page reads in
the pool's language (``language:`` in the rules file) unless ``?lang=da|en`` asks
another; its words come from the catalogue in ``grantpool.i18n`` (``texts``).  The
citizen page's forms write through the endpoints ``WRITE_ENDPOINTS`` (``writes``: who
may; ``form``, ``entryform``: the checked entries).  This class only adapts Fava's
request to the pure functions in ``pages``, ``summary`` and ``statement``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from fava.core.filters import FilterError
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, current_app, g, request
from markupsafe import Markup

from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules, declared_rules
from grantpool.fava_ext import drills, federated, pages, statement, svg, writes
from grantpool.fava_ext.entryform import KINDS
from grantpool.fava_ext.federated import Place
from grantpool.fava_ext.summary import row_pace, stops
from grantpool.fava_ext.texts import Texts, texts
from grantpool.federation.discover import NotAFederation
from grantpool.figures.levels import PoolFigures, figures
from grantpool.figures.links import links
from grantpool.figures.render import citizen_cap
from grantpool.figures.report import citizen_row
from grantpool.figures.spending import daily_spending
from grantpool.i18n import language
from grantpool.privacy.cpr import looks_like_cpr, redact
from grantpool.rules import engine
from grantpool.rules.spec import RuleSet
from grantpool.rules.yamlsrc import location
from grantpool.web.context import csrf_token, signed_in

# The extension's endpoints that write (POST): the only non-GET requests served.
WRITE_ENDPOINTS = ("purchase", "entry")


class GrantPool(FavaExtensionBase):
    report_title = "Grant pool"
    has_js_module = True

    def __init__(self, ledger: Any, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._figures: dict[tuple[int, datetime.date], PoolFigures] = {}
        self._rules: tuple[int, RuleSet | None, str] | None = None
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._where: federated.Where | None = None

    def after_load_file(self) -> None:
        self._figures.clear()
        self._memo.clear()
        self._rules = None
        self._where = None

    def where(self) -> federated.Where:
        """These books' place in a federation, and on the pool's own the roll-up."""
        if self._where is None:
            self._where = federated.where_of(Path(self.ledger.beancount_file_path))
        return self._where

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A result per loaded books: a reload starts afresh (``after_load_file``)."""
        full = (id(self.ledger.all_entries), *key)
        if full not in self._memo:
            if len(self._memo) > 64:
                self._memo.clear()
            self._memo[full] = compute()
        return self._memo[full]

    def entries(self) -> list[Any]:
        """All of the books' directives (Fava's filters are applied by ``view``)."""
        return list(self.ledger.all_entries)

    # --- what the request asks for -------------------------------------------------
    def view(self) -> pages.View:
        """The as-of day from Fava's time filter (today if there is none, or if Fava
        cannot read it: its own pages then say why) and the account filter."""
        as_of = datetime.date.today()
        try:
            date_range = getattr(g.filtered, "date_range", None)
        except FilterError:
            date_range = None
        if date_range is not None:
            as_of = date_range.end - datetime.timedelta(days=1)
        return pages.View(as_of, request.args.get("account") or None)

    def rules(self) -> tuple[RuleSet | None, str]:
        """The books' rules file, or None and why not."""
        key = id(self.ledger.all_entries)
        if self._rules is None or self._rules[0] != key:
            path = declared_rules(self.ledger.options)
            if path is None:
                self._rules = (key, None, 'The books declare no "grantpool.plugin" rules file.')
            else:
                ruleset, errors = engine.load(Path(path))
                why = "; ".join(f"{location(e.source)}: {e.message}"
                                for e in errors)
                self._rules = (key, ruleset, why)
        return self._rules[1], self._rules[2]

    def levels(self, as_of: datetime.date) -> PoolFigures:
        """The figures as of *as_of*: of these books, or on the pool's own ledger the
        roll-up of every entity's."""
        rolled = self.where().rollup
        if rolled is not None:
            return rolled.figures(as_of)
        key = (id(self.ledger.all_entries), as_of)
        if key not in self._figures:
            self._figures = {key: figures(self.entries(), as_of)}
        return self._figures[key]

    # --- the pages -----------------------------------------------------------------
    def page(self) -> dict[str, Any]:
        """Everything the template shows for the page the request names."""
        ruleset, why = self.rules()
        view = self.view()
        asked = request.args.get("lang")
        tx = texts(language(asked, ruleset.pool.language if ruleset else None),
                   ruleset.pool if ruleset else None)
        place = self.where().place
        shown_page, name = federated.asked(place, request.args.get("page", "pool"),
                                           request.args.get("name", ""))
        base: dict[str, Any] = {"page": shown_page, "view": view,
                                "problem": why, "findings_count": self._count(),
                                "tx": tx, "t": tx.t, "lang": tx.lang,
                                "lang_arg": tx.lang if asked == tx.lang else None,
                                "name": _shown_name(name), "entity": place.kind if place else None,
                                "may_write": writes.may_write(signed_in(), place),
                                "user": user.name if (user := signed_in()) else None,
                                "signout": f"{request.script_root}/signout"}
        if ruleset is None:
            return {**base, "page": "problem"}
        try:
            return self._shown(base, ruleset, view, place, name)
        except (CannotLoad, NoRules, NotAFederation) as exc:  # another entity's books
            return {**base, "page": "problem", "problem": redact(str(exc))}

    def _shown(self, base: dict[str, Any], ruleset: RuleSet, view: pages.View,
               place: Place | None, name: str) -> dict[str, Any]:
        levels = self.levels(view.as_of)
        cap = citizen_cap(ruleset)
        slugs = drills.served(current_app.config["LEDGERS"]) if place else {}
        base |= {"pool": ruleset.pool, "currency": ruleset.pool.currency,
                 "names": sorted(levels.grants), "slugs": slugs,
                 "drill": lambda row, figure: drills.drill(
                     place, slugs, links(row, ruleset.pool, view.as_of)[figure], row.level,
                     figure, row.municipality)}
        handler = {"municipality": self._municipality, "citizen": self._citizen,
                   "findings": self._findings}.get(base["page"], self._pool)
        return handler(base, levels, ruleset, view, cap, name)

    def _pool(self, base: dict[str, Any], levels: PoolFigures, ruleset: RuleSet,
              view: pages.View, cap: Decimal | None, name: str) -> dict[str, Any]:
        data = pages.pool_page(levels, ruleset, view, cap)
        shown = {line.municipality for line in data["municipalities"]}
        rolled = self.where().rollup
        daily = rolled.spending() if rolled else self.memo(
            ("spending",), lambda: daily_spending(self.entries()))
        series = pages.monthly_series(daily, view.as_of, shown)
        period = ruleset.pool.project_period
        tx: Texts = base["tx"]
        return {**base, **data, "page": "pool",
                "sankey": Markup(svg.sankey(data["flows"], ruleset.pool.currency, tx)),
                "chart": Markup(svg.spending_chart(
                    series, period.start, period.end, data["totals"].granted, view.as_of,
                    ruleset.pool.currency, tx))}

    def _municipality(self, base: dict[str, Any], levels: PoolFigures, ruleset: RuleSet,
                      view: pages.View, cap: Decimal | None, name: str) -> dict[str, Any]:
        side = "pool" if self.where().rollup else "municipality"  # whose tranche halves
        data = pages.municipality_page(levels, ruleset, view, name, cap,
                                       self.entries(), side)
        if data is None:
            return {**base, "page": "problem",
                    "problem": base["tx"].t("No municipality '%(name)s'.", name=redact(name)[:40])}
        return {**base, **data, "name": name}

    def _citizen(self, base: dict[str, Any], levels: PoolFigures, ruleset: RuleSet,
                 view: pages.View, cap: Decimal | None, name: str) -> dict[str, Any]:
        found = [c for g in levels.grants.values() for c in g.citizens.values()
                 if c.citizen == name]
        citizen_cap = cap if cap is not None else ruleset.pool.drawing_right
        rows = [citizen_row(c, ruleset.pool, view.as_of, citizen_cap) for c in found]
        if not rows:
            return {**base, "page": "problem",
                    "problem": base["tx"].t("No citizen '%(name)s'.", name=redact(name)[:40])}
        muni = rows[0].municipality or ""
        rolled = self.where().rollup
        if rolled is not None:  # the statement is in the municipality's own books
            lines = statement.statement(rolled.entries_of(muni), muni, name, view.as_of)
            base |= drills.elsewhere(self.where().place, muni, name, base["slugs"])
        else:
            lines = self.memo(("statement", name, view.as_of),
                              lambda: statement.statement(self.entries(), muni, name,
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

    def _findings(self, base: dict[str, Any], levels: PoolFigures, ruleset: RuleSet,
                  view: pages.View, cap: Decimal | None, name: str) -> dict[str, Any]:
        errors = list(self.ledger.errors)
        return {**base, "groups": statement.grouped_findings(errors),
                "loader_errors": statement.loader_errors(errors)}

    @extension_endpoint("purchase", ["POST"])  # type: ignore[arg-type, untyped-decorator]
    def purchase(self) -> Response:
        """Record a purchase from the citizen page's form, checked like the command."""
        return writes.respond("purchase", self.where(), self.ledger, self.rules)

    @extension_endpoint("entry", ["POST"])  # type: ignore[arg-type, untyped-decorator]
    def entry(self) -> Response:
        """Record a budget, commitment, return, moved_out or excluded (``entryform``)."""
        return writes.respond("entry", self.where(), self.ledger, self.rules)

    def writable(self) -> bool:
        """Whether the citizen page offers its forms (``writes.writable``)."""
        return writes.writable(current_app, self.where())

    def csrf_token(self) -> str:
        """The session's CSRF token the forms send back (``X-CSRF-Token``); '' unsigned."""
        return csrf_token()

    def _count(self) -> int:
        return sum(1 for e in self.ledger.errors if getattr(e, "rule", None))


def _shown_name(name: str | None) -> str | None:
    """The page's ``name`` as the page may repeat it (in its links): never a CPR-looking
    number someone typed into the address bar."""
    return None if not name or looks_like_cpr(name) else name
