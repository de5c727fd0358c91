"""Fava's ``url_for`` for the thousands of links of one page, at string-formatting cost.

A national municipality's page links some 5,000 figures; Fava's ``url_for`` builds each
through Werkzeug's router (and its cache of 2,048 is too small to help).  ``Urls``
asks Fava's own ``url_for`` once for each *shape* of link (endpoint and the names of
the values given), with a placeholder for each value, and from then on puts each
link's values in their places, quoted as Werkzeug quotes them: a path segment as its
converters do, a query value as its ``urlencode`` does.  So every link is the one
Fava's ``url_for`` gives, with what it adds itself (the ledger's slug, the request's
``time``, ``filter``, ``account``, ``conversion`` and ``interval`` unless given),
in the same order.  ``tests/test_fava_urls.py`` compares the two.

One ``Urls`` serves one request (the request's filters are in its shapes).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, quote_plus

from fava.application import url_for

# Werkzeug 3's safe characters: a path segment (``BaseConverter.to_url``) and a query
# string (``werkzeug.urls._urlencode``, ``urlencode``'s default ``quote_plus``).
PATH_SAFE = "!$&'()*+,/:;=@"
QUERY_SAFE = "!$'()*,/:;?@"


def _path(value: object) -> str:
    return quote(str(value), safe=PATH_SAFE)


def _query(value: object) -> str:
    return quote_plus(str(value), safe=QUERY_SAFE)


def _slot(index: int) -> str:
    """A placeholder that no quoting changes and no real value holds."""
    return f"gpslot{index}x7q3zk"


# A shape: the literal pieces around the values, and how each value is quoted (None: the
# shape could not be split, so each link asks Fava's url_for itself).
Shape = tuple[tuple[str, ...], tuple[tuple[str, Callable[[object], str]], ...]] | None


class Urls:
    """Fava's ``url_for``, one shape of link built once (see the module's text)."""

    def __init__(self) -> None:
        self._shapes: dict[tuple[str, tuple[str, ...]], Shape] = {}
        self._quoted: dict[tuple[str, Callable[[object], str]], str] = {}

    def __call__(self, endpoint: str, **values: object) -> str:
        given = {key: value for key, value in values.items() if value is not None}
        key = (endpoint, tuple(given))
        if key not in self._shapes:
            self._shapes[key] = _shape(endpoint, key[1])
        shape = self._shapes[key]
        if shape is None:
            return url_for(endpoint, **{k: str(v) for k, v in given.items()})
        pieces, slots = shape
        out = [pieces[0]]
        memo = self._quoted
        for (name, quoted), piece in zip(slots, pieces[1:], strict=True):
            value = str(given[name])
            if (value, quoted) not in memo:
                memo[value, quoted] = quoted(value)
            out.append(memo[value, quoted])
            out.append(piece)
        return "".join(out)


def _shape(endpoint: str, names: tuple[str, ...]) -> Shape:
    """Fava's link for *endpoint* with a placeholder for each of *names*, cut at them."""
    built = url_for(endpoint, **{name: _slot(i) for i, name in enumerate(names)})
    query_at = built.find("?")
    found = []
    for i, name in enumerate(names):
        at = built.find(_slot(i))
        if at < 0 or built.count(_slot(i)) != 1:
            return None
        quoted = _query if 0 <= query_at < at else _path
        found.append((at, name, quoted))
    found.sort()
    pieces, start = [], 0
    for at, name, _ in found:
        pieces.append(built[start:at])
        start = at + len(_slot(names.index(name)))
    pieces.append(built[start:])
    return tuple(pieces), tuple((name, quoted) for _, name, quoted in found)
