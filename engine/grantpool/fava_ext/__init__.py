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
request to each page's data (``views``, from the pure functions in ``pages``,
``summary`` and ``statement``); the pieces a page prints many times and its links are
made in Python (``html``, ``tables``, ``urls``), not by Jinja macros and Fava's
``url_for`` per link: a national municipality's page prints some 10,000 of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fava.core.filters import FilterError
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, current_app, g, request

from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules, declared_rules
from grantpool.fava_ext import drills, federated, pages, served, views, writes
from grantpool.fava_ext.federated import Place
from grantpool.fava_ext.html import Html
from grantpool.fava_ext.texts import texts
from grantpool.fava_ext.urls import Urls
from grantpool.federation.discover import NotAFederation
from grantpool.figures.levels import PoolFigures, figures
from grantpool.figures.render import citizen_cap
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
        self.loaded: served.LoadRecord | None = None  # set by each load's end

    def after_load_file(self) -> None:
        self._figures.clear()
        self._memo.clear()
        self._rules = None
        self._where = None
        # What this load read, and its files as they are once it is done: the pool's
        # ledger uses these entries only while the files are still so (``served.served_entries``).
        self.loaded = served.LoadRecord(
            served.files_stamp(self.ledger.options["include"]), self.ledger.all_entries,
            served.readable(self.ledger.load_errors))

    def where(self) -> federated.Where:
        """These books' place in a federation, and on the pool's own the roll-up."""
        if self._where is None:
            self._where = federated.where_of(Path(self.ledger.beancount_file_path))
        return self._where

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any],
             sources: tuple[Any, ...] = ()) -> Any:
        """A result per loaded books (a reload starts afresh: ``after_load_file``) and
        per *sources*, the objects it is made from (the figures, the rules): kept with
        it and compared by identity, so a new roll-up or rules file is never missed."""
        full = (id(self.ledger.all_entries), *key, *(id(s) for s in sources))
        hit = self._memo.get(full)
        if hit is None or any(a is not b for a, b in zip(hit[0], sources, strict=True)):
            if len(self._memo) > 64:
                self._memo.clear()
            hit = (sources, compute())
            self._memo[full] = hit
        return hit[1]

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
            return rolled.figures(as_of, served.served_entries(), self.rules()[0])
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
        slugs = drills.served(current_app.config["LEDGERS"]) if place else {}
        lang_arg = tx.lang if asked == tx.lang else None
        html = Html(tx, Urls(), drills.Drills(place, slugs),
                    ruleset.pool if ruleset else None, view.as_of, lang_arg)
        base: dict[str, Any] = {"page": shown_page, "view": view, "h": html, "slugs": slugs,
                                "problem": why, "findings_count": self._count(),
                                "tx": tx, "t": tx.t, "lang": tx.lang,
                                "lang_arg": lang_arg,
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
        base |= {"pool": ruleset.pool, "currency": ruleset.pool.currency,
                 "names": sorted(levels.grants)}
        handler = {"municipality": views.municipality, "citizen": views.citizen,
                   "findings": views.findings}.get(base["page"], views.pool)
        return handler(self, base, levels, ruleset, view, cap, name)

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
