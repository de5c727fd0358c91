"""Keep the catalogue in step with the code: ``python -m grantpool.i18n.extract``
writes ``messages.pot`` from every text marked in the modules that speak to a reader
(``t("…")``, ``N_("…")`` in Python, ``t("…")`` in the templates) and adds the new
msgids to ``da.po`` untranslated, for a translator to fill in.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
SOURCES = ("fava_ext/*.py", "fava_ext/templates/*.html", "audit/accounts_files.py",
           "i18n/accounts.py", "scheduled/notify.py", "scheduled/mailing.py",
           "entry/entries.py", "entry/route.py")
KEYWORDS = {"t": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
JINJA = "jinja2.ext:babel_extract"
PROJECT = "grantpool"


def sources() -> Iterator[Path]:
    for pattern in SOURCES:
        yield from sorted(PACKAGE.glob(pattern))


def extract() -> Catalog:
    """Every marked text of the sources, with where it occurs."""
    catalog = Catalog(project=PROJECT, fuzzy=False)
    for path in sources():
        method = JINJA if path.suffix == ".html" else "python"
        options = {"trim_blocks": "true", "lstrip_blocks": "true"} if method == JINJA else {}
        for lineno, message, comments, context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=options):
            where = str(path.relative_to(PACKAGE))
            catalog.add(message, locations=[(where, lineno)], auto_comments=comments,
                        context=context,
                        flags=("python-format",) if "%(" in str(message) else ())
    return catalog


def pot_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=88, omit_header=False, sort_output=True,
             include_lineno=False)
    return out.getvalue()


def update(lang: str, template: Catalog) -> Catalog:
    """``<lang>.po`` with the template's msgids: translations kept, new ones empty,
    ones no longer in the code dropped."""
    path = HERE / f"{lang}.po"
    catalog = Catalog(locale=lang, project=PROJECT, fuzzy=False)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    return catalog


def main() -> None:
    template = extract()
    (HERE / "messages.pot").write_bytes(pot_text(template))
    for lang in ("da",):
        catalog = update(lang, template)
        (HERE / f"{lang}.po").write_bytes(pot_text(catalog))
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{lang}.po: {len(catalog)} messages, {len(missing)} untranslated")


if __name__ == "__main__":
    main()
