"""Small SVG pictures drawn on the server: no JavaScript library, works offline.

``sankey`` draws money flowing pool -> municipality -> use; ``spending_chart``
draws cumulative spending by month against the project period.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from html import escape
from typing import Any

from grantpool.fava_ext.texts import FLOW, Texts, flow_order

PALETTE = ("#3d7cc9", "#e0823d", "#4fa36c", "#c2524f", "#8a6cc2", "#b3904f", "#4fa3a3",
           "#c26ca6", "#7f8c2d", "#6c7a89")
WIDTH, HEIGHT, GAP, NODE = 960, 420, 6, 14


LABEL = 17  # the least height a node takes, so that labels do not overlap


def _stack(values: dict[str, Decimal], scale: float, top: float) -> dict[str, float]:
    """The top y of each node, stacked with gaps, each at least a label high."""
    out, y = {}, top
    for name, value in values.items():
        out[name] = y
        y += max(float(value) * scale + GAP, LABEL)
    return out


def _band(x0: float, y0: float, x1: float, y1: float, width: float, color: str,
          title: str) -> str:
    mid = (x0 + x1) / 2
    path = (f"M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f} "
            f"L{x1:.1f},{y1 + width:.1f} C{mid:.1f},{y1 + width:.1f} {mid:.1f},"
            f"{y0 + width:.1f} {x0:.1f},{y0 + width:.1f} Z")
    return (f'<path d="{path}" fill="{color}" fill-opacity="0.35">'
            f"<title>{escape(title)}</title></path>")


def _empty(text: str) -> str:
    return f'<p class="gp-empty">{escape(text)}</p>'


def _ordered(nodes: dict[str, Decimal]) -> dict[str, Decimal]:
    return {key: nodes[key] for key in sorted(nodes, key=flow_order)}


def _name(key: str, tx: Texts) -> str:
    """A node's name: the flow's words, or the category's name from the rules file."""
    return tx.flow(key) if key in FLOW else tx.category(key)


def sankey(edges: list[tuple[str, str, Decimal]], currency: str, tx: Texts) -> str:
    """Three columns: the pool, the municipalities, the uses of their money."""
    middle: dict[str, Decimal] = {}
    right: dict[str, Decimal] = {}
    for source, target, amount in edges:
        if source == "pool":
            middle[target] = middle.get(target, Decimal(0)) + amount
        else:
            right[target] = right.get(target, Decimal(0)) + amount
    total = sum(middle.values(), Decimal(0))
    if not total:
        return _empty(tx.t("No grants awarded yet."))
    gaps = LABEL * max(len(middle), len(right))
    height = 20 + gaps + HEIGHT - 100  # room for the flows beside the labels' room
    scale = (height - 20 - gaps) / float(total)
    xs = (150, WIDTH / 2 - NODE / 2, WIDTH - 230)
    mid_top, right_top = _stack(middle, scale, 10), _stack(_ordered(right), scale, 10)
    aria = escape(tx.t("Money from the pool to municipalities to what it paid for"))
    parts = [f'<svg class="gp-sankey" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{aria}">']
    out_y = {name: y for name, y in mid_top.items()}
    in_y = dict(right_top)
    pool_y = 10.0
    for i, (name, value) in enumerate(middle.items()):
        color = PALETTE[i % len(PALETTE)]
        width = float(value) * scale
        parts.append(_band(xs[0] + NODE, pool_y, xs[1], mid_top[name], width, color,
                           f"{tx.flow('pool')} → {name}: {tx.money(value)} {currency}"))
        pool_y += width
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(middle)}
    for source, target, amount in edges:
        if source == "pool":
            continue
        width = float(amount) * scale
        parts.append(_band(xs[1] + NODE, out_y[source], xs[2], in_y[target], width,
                           colors[source], f"{source} → {_name(target, tx)}: "
                                           f"{tx.money(amount)} {currency}"))
        out_y[source] += width
        in_y[target] += width
    bottom = max([y + max(float(v) * scale + GAP, LABEL) for n, v in middle.items()
                  for y in (mid_top[n],)] + [y + max(float(right[n]) * scale + GAP, LABEL)
                                             for n, y in right_top.items()])
    parts[0] = parts[0].replace(f" {height}\"", f" {bottom + 10:.0f}\"", 1)
    parts.append(_node(xs[0], 10, float(total) * scale, tx.flow("pool"), total, currency,
                       "end", tx))
    parts += [_node(xs[1], mid_top[n], float(v) * scale, n, v, currency, "middle", tx)
              for n, v in middle.items()]
    parts += [_node(xs[2], right_top[n], float(v) * scale, _name(n, tx), v, currency, "start",
                    tx, n) for n, v in _ordered(right).items()]
    parts.append("</svg>")
    return "".join(parts)


def _node(x: float, y: float, height: float, name: str, value: Decimal, currency: str,
          anchor: str, tx: Texts, code: str = "") -> str:
    label_x = {"end": x - 6, "middle": x + NODE + 6, "start": x + NODE + 6}[anchor]
    label_y = y + max(height, 10) / 2 + 4
    if anchor == "middle":
        anchor = "start"
    amount = tx.whole(value)
    hint = f" ({code})" if code and code not in FLOW and code != name else ""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE}" height="{max(height, 1):.1f}" '
            f'class="gp-node"><title>{escape(name + hint)}: {tx.money(value)} {currency}'
            f'</title></rect><text x="{label_x:.1f}" y="{label_y:.1f}" '
            f'text-anchor="{anchor}" class="gp-label">{escape(name)} · {amount}</text>')


def spending_chart(series: list[tuple[datetime.date, Decimal]], start: datetime.date,
                   end: datetime.date, budget: Decimal, as_of: datetime.date,
                   currency: str, tx: Texts) -> str:
    """Cumulative spending by month; the project period shaded; the budget as a line."""
    width, height, left, bottom = 960, 220, 70, 30
    first = min([start] + [d for d, _ in series])
    last = max([end, as_of if as_of < end else end] + [d for d, _ in series])
    days = max((last - first).days, 1)
    top_value = float(max([budget] + [v for _, v in series]) or 1)

    def x(day: datetime.date) -> float:
        return left + (width - left - 10) * (day - first).days / days

    def y(value: Decimal) -> float:
        return 10 + (height - bottom - 10) * (1 - float(value) / top_value)

    def label(x_: float, y_: float, text: str, anchor: str = "start") -> str:
        return (f'<text x="{x_:.1f}" y="{y_:.1f}" text-anchor="{anchor}" class="gp-label">'
                f"{escape(text)}</text>")

    points = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in series)
    aria = escape(tx.t("Spending over time against the project period"))
    parts = [f'<svg class="gp-chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{aria}">',
             f'<rect x="{x(start):.1f}" y="10" width="{x(end) - x(start):.1f}" '
             f'height="{height - bottom - 10}" class="gp-period"/>',
             f'<line x1="{left}" x2="{width - 10}" y1="{y(budget):.1f}" y2="{y(budget):.1f}" '
             f'class="gp-budget"/>',
             label(left + 4, y(budget) + 14,
                   tx.t("granted %(amount)s %(currency)s", amount=tx.whole(budget),
                        currency=currency)),
             label(left - 6, y(Decimal(0)), "0", "end")]
    if points:
        parts.append(f'<polyline points="{points}" class="gp-line"/>')
        last_day, last_value = series[-1]
        above = y(last_value) - 8 if y(last_value) > 30 else y(last_value) + 18
        parts.append(label(x(last_day) - 6, above,
                           tx.t("spent %(amount)s", amount=tx.whole(last_value)), "end"))
    for year in range(first.year + 1, last.year + 1):
        day = datetime.date(year, 1, 1)
        if min(abs(x(day) - x(start)), abs(x(day) - x(end))) < 80:
            continue  # too close to the period's own labels
        parts.append(f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="10" '
                     f'y2="{height - bottom}" class="gp-grid"/>'
                     + label(x(day), height - 10, str(year), "middle"))
    if start <= as_of <= end:
        parts.append(f'<line x1="{x(as_of):.1f}" x2="{x(as_of):.1f}" y1="10" '
                     f'y2="{height - bottom}" class="gp-budget"/>')
    parts.append(label(x(start), height - 10, tx.day(start))
                 + label(x(end), height - 10, tx.day(end), "end"))
    parts.append("</svg>")
    return "".join(parts)


def timeline(lines: list[Any], row: Any, currency: str, tx: Texts,
             stops: list[tuple[datetime.date, str]]) -> str:
    """A citizen's purchases along the budget window, one row per category; the day the
    budget stopped (moved out, excluded) as a marked line."""
    bought = [line for line in lines if line.kind == "purchase"]
    if row.window_start is None or row.window_end is None or not (bought or stops):
        return _empty(tx.t("No purchases yet."))
    categories = sorted({line.category or "?" for line in bought}, key=tx.category)
    width, left, step = 960, 190, 26
    height = 48 + step * max(len(categories), 1)
    days: int = max((row.window_end - row.window_start).days, 1)
    biggest = max([float(-(line.available + line.committed)) for line in bought] + [1.0])

    start: datetime.date = row.window_start

    def x(day: datetime.date) -> float:
        return left + (width - left - 20) * min(max((day - start).days, 0), days) / days

    aria = escape(tx.t("Purchases along the budget window"))
    parts = [f'<svg class="gp-timeline" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{aria}">']
    for i, category in enumerate(categories):
        y = 20 + i * step
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" class="gp-label">'
                     f"<title>{escape(category)}</title>{escape(tx.category(category))}</text>"
                     f'<line x1="{left}" x2="{width - 10}" y1="{y}" y2="{y}" class="gp-grid"/>')
    for line in bought:
        amount = -(line.available + line.committed)
        y = 20 + categories.index(line.category or "?") * step
        radius = 3 + 8 * (float(amount) / biggest) ** 0.5
        parts.append(f'<circle cx="{x(line.date):.1f}" cy="{y}" r="{radius:.1f}" '
                     f'class="gp-dot"><title>{tx.day(line.date)} '
                     f"{escape(tx.category(line.category))}: {tx.money(amount)} {currency}"
                     f"</title></circle>")
    axis = height - 8
    for day, kind in stops:
        text = f"{tx.event(kind)} {tx.day(day)}"
        parts.append(f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="6" y2="{axis - 14}" '
                     f'class="gp-stop" data-stop="{escape(kind)}"><title>{escape(text)}'
                     f'</title></line><text x="{x(day) - 4:.1f}" y="{axis - 16}" '
                     f'text-anchor="end" class="gp-label gp-stop-label">{escape(text)}</text>')
    parts.append(f'<text x="{left}" y="{axis}" class="gp-label">{tx.day(row.window_start)}'
                 f'</text><text x="{width - 10}" y="{axis}" text-anchor="end" '
                 f'class="gp-label">{tx.day(row.window_end)}</text></svg>')
    return "".join(parts)
