"""Closures by month as a bar chart: server-rendered SVG, no script, nothing from another origin.

:func:`closures_chart` draws the rows of the ``closures_by_month`` canned query (one row per month, a
count per kind of event) as stacked bars, one per month from the first to the last month with an event
(empty months stay visible as gaps), with a legend and a ``<title>`` on every bar segment (a tooltip,
and what a screen reader reads). It draws every count column the query returns except ``month`` and
``accounts``, so a kind the query gains is drawn without a change here. Every label is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

# kind column -> (label, colour); a column not listed gets its own name and a grey
KINDS: dict[str, tuple[str, str]] = {
    "closure": ("关停 closure", "#b2182b"),
    "stop_updating": ("停更 stops updating", "#ef8a62"),
    "merger": ("合并 merger", "#8073ac"),
    "migration": ("迁移 migration", "#2166ac"),
    "suspension": ("暂停 suspension", "#fdb863"),
    "seen_closed": ("平台显示已关停 seen closed", "#67001f"),
    "seen_migrated": ("平台显示已迁移 seen moved", "#4393c3"),
    "reported": ("报道所称 reported by news", "#8c8c8c"),  # accounts a report says closed (claims)
}
OTHER_COLOUR = "#999999"
NOT_KINDS = ("month", "accounts")
MONTH = re.compile(r"(\d{4})-(\d{2})")
MAX_MONTHS = 60  # the newest five years; older months are summed in the caption
WIDTH, HEIGHT = 760, 250
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 40  # plot margins
MAX_BAR = 56  # a few months are not drawn as walls


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    (year, month), out = first, []
    while (year, month) <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def series(rows: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str], dict[str, dict[str, int]]]:
    """(months in order, kind columns, {month: {kind: count}}) from the query's rows."""
    counts: dict[str, dict[str, int]] = {}
    kinds: list[str] = []
    for item in rows:
        match = MONTH.fullmatch(str(item.get("month") or ""))
        if not match:
            continue
        for column, value in item.items():
            if column in NOT_KINDS or not isinstance(value, int) or isinstance(value, bool):
                continue
            if column not in kinds:
                kinds.append(column)
            month = counts.setdefault(match.group(0), {})
            month[column] = month.get(column, 0) + value
    kinds = [k for k in kinds if any(month.get(k) for month in counts.values())]  # drawn only when it happened
    if not counts:
        return [], kinds, counts
    first, last = min(counts), max(counts)
    months = _months((int(first[:4]), int(first[5:])), (int(last[:4]), int(last[5:])))
    return months, kinds, counts


def closures_chart(rows: Iterable[Mapping[str, Any]], link: str | None = None) -> Markup:
    """The SVG (or a sentence when there is nothing to draw); ``link`` is where the bars' data is."""
    months, kinds, counts = series(rows)
    if not months:
        return Markup('<p class="ga-chart-empty">没有记录到关停 No closure recorded yet.</p>')
    older = months[:-MAX_MONTHS]
    months = months[-MAX_MONTHS:]
    totals = {m: sum(counts.get(m, {}).values()) for m in months}
    top = max(max(totals.values()), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(months)
    bar = min(max(step * 0.75, 1.0), MAX_BAR)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ga-chart" id="closures-chart" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT + 22 * ((len(kinds) + 3) // 4)}" '
             f'aria-labelledby="closures-chart-title">',
             f'<title id="closures-chart-title">每月关停 Closures by month, {escape(months[0])} – '
             f'{escape(months[-1])}</title>']
    for tick in sorted({0, top // 2, top}):  # the count axis
        y = TOP + plot_h - plot_h * tick / top
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="ga-grid"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="ga-axis">{tick}</text>')
    label_every = max(1, len(months) // 12)
    for i, month in enumerate(months):
        x = LEFT + i * step + (step - bar) / 2
        y = TOP + plot_h
        for kind in kinds:
            n = counts.get(month, {}).get(kind, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            name, colour = KINDS.get(kind, (kind, OTHER_COLOUR))
            parts.append(f'<rect class="ga-bar" data-month="{escape(month)}" data-kind="{escape(kind)}" '
                         f'x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                         f'<title>{escape(month)} · {escape(name)}: {n}</title></rect>')
        if i % label_every == 0 or i == len(months) - 1:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                         f'class="ga-axis">{escape(month)}</text>')
    for i, kind in enumerate(kinds):  # the legend, four to a line
        name, colour = KINDS.get(kind, (kind, OTHER_COLOUR))
        x, y = LEFT + (i % 4) * 180, HEIGHT + 22 * (i // 4) - 4
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 17}" y="{y}" class="ga-legend">{escape(name)}</text>')
    parts.append("</svg>")
    caption = f"{len(months)} months"
    if older:
        caption += f"; {sum(sum(counts.get(m, {}).values()) for m in older)} events before {escape(months[0])} not drawn"
    more = Markup(' · <a href="{}">the numbers 数据</a>').format(link) if link else ""
    return Markup('<figure class="ga-figure">{}<figcaption>{}{}</figcaption></figure>').format(
        Markup("".join(parts)), caption, more)
