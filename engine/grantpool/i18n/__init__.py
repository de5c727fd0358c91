"""The message catalogue: English msgids, Danish translations in ``da.po``.

Every text a user reads (the Fava pages, the grant accounts, the scheduled mail) is
an English msgid in ``messages.pot``, extracted from the code and the templates by
``grantpool.i18n.extract``; ``da.po`` holds the Danish.  English needs no catalogue:
its texts are the msgids.  The catalogue is read at run time with Babel (which Fava
itself uses), once per process.

A text with figures in it names them, ``"%(count)s citizens"``, and is filled in by
the translator, so that a translation may put them in another order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog


LANGUAGES = ("da", "en")
DEFAULT = "en"
NAMES = {"da": "Dansk", "en": "English"}


def N_(msgid: str) -> str:
    """Mark *msgid* for the catalogue without translating it here."""
    return msgid


def language(asked: str | None, pool_language: str | None = None) -> str:
    """The language to use: *asked* (a page's ``?lang=``, ``--language``) if known,
    else the pool's, else English."""
    for candidate in (asked, pool_language):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> Catalog | None:
    """The catalogue of *lang* (``<lang>.po`` in this package), None for English."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return None
    from babel.messages.pofile import read_po  # noqa: PLC0415 (Babel costs a command 50 ms)

    source = resources.files(__name__).joinpath(f"{lang}.po")
    with source.open("rb") as handle:
        return read_po(handle, locale=lang)


@dataclass(frozen=True)
class Translator:
    """``gettext`` and ``ngettext`` of one language, as a template or code calls them."""

    lang: str
    texts: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)

    def gettext(self, msgid: str, **values: object) -> str:
        found = self.texts.get(msgid)
        text = found if isinstance(found, str) and found else msgid
        return text % values if values else text

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        found = self.texts.get(singular)
        forms = found if isinstance(found, tuple) and all(found) else (singular, plural)
        text = forms[0] if count == 1 else forms[-1]  # da and en: one, other
        return text % {"count": count, **values}

    def has(self, msgid: str) -> bool:
        """Whether the catalogue translates *msgid* (always true for English)."""
        return self.lang == DEFAULT or bool(self.texts.get(msgid))


@lru_cache(maxsize=len(LANGUAGES))
def translator(lang: str) -> Translator:
    """The translator of *lang*; English (the msgids) for a language without catalogue."""
    cat = catalogue(lang)
    if cat is None:
        return Translator(DEFAULT)
    texts: dict[str, str | tuple[str, ...]] = {}
    for message in cat:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        value = message.string
        texts[key] = tuple(value) if isinstance(value, tuple | list) else str(value or "")
    return Translator(lang, texts)


ENGLISH = Translator(DEFAULT)  # the msgids themselves: a default for callers that ask none
