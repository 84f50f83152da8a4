"""Small inline SVG charts for the review index: no chart library, no network, text escaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

BAR_COLOUR = "#457b9d"
MAX_BARS = 20  # a horizontal chart shows the largest counts; the rest are summed as "other"
MAX_COLUMNS = 90  # a day chart shows the latest days


def bar_chart(counts: Sequence[tuple[str, int]], *, width: int = 360, row: int = 18) -> Markup:
    """Horizontal bars, largest first; past ``MAX_BARS`` the rest are one "other" bar."""
    items = sorted(counts, key=lambda kv: (-kv[1], kv[0]))
    if len(items) > MAX_BARS:
        items = items[:MAX_BARS - 1] + [("other", sum(n for _, n in items[MAX_BARS - 1:]))]
    if not items:
        return Markup('<p class="nc-small">nothing selected</p>')
    label_width, top = 150, max(n for _, n in items) or 1
    bar_space = width - label_width - 50
    rows = []
    for k, (label, n) in enumerate(items):
        y = k * row
        length = max(1, round(bar_space * n / top))
        rows.append(Markup(
            '<g class="nc-bar" data-label="{label}" data-count="{n}"><title>{label}: {n}</title>'
            '<text x="{lx}" y="{ty}" text-anchor="end" font-size="11">{short}</text>'
            '<rect x="{bx}" y="{ry}" width="{length}" height="{h}" fill="{colour}"></rect>'
            '<text x="{nx}" y="{ty}" font-size="11">{n}</text></g>').format(
            label=label, n=n, lx=label_width - 6, ty=y + row - 5, short=_short(label),
            bx=label_width, ry=y + 2, length=length, h=row - 4, colour=BAR_COLOUR,
            nx=label_width + length + 4))
    height = len(items) * row
    return Markup('<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img">'
                  ).format(w=width, h=height) + Markup("").join(rows) + Markup("</svg>")


def day_chart(counts: Sequence[tuple[str, int]], *, height: int = 120, column: int = 8) -> Markup:
    """Columns per day (``YYYY-MM-DD``) in date order, the latest ``MAX_COLUMNS`` days; the
    first and last day are written under the axis."""
    items = sorted(counts)[-MAX_COLUMNS:]
    if not items:
        return Markup('<p class="nc-small">no dated claims</p>')
    top = max(n for _, n in items) or 1
    plot = height - 20
    columns = []
    for k, (day, n) in enumerate(items):
        length = max(1, round(plot * n / top))
        columns.append(Markup(
            '<rect class="nc-day" data-day="{day}" data-count="{n}" x="{x}" y="{y}" width="{w}" '
            'height="{length}" fill="{colour}"><title>{day}: {n}</title></rect>').format(
            day=day, n=n, x=k * column, y=plot - length, w=column - 1, length=length,
            colour=BAR_COLOUR))
    width = max(len(items) * column, 160)
    axis = Markup('<text x="0" y="{y}" font-size="10">{first}</text>'
                  '<text x="{w}" y="{y}" font-size="10" text-anchor="end">{last}</text>').format(
        y=height - 4, first=items[0][0], last=items[-1][0], w=width)
    return (Markup('<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img">'
                   ).format(w=width, h=height) + Markup("").join(columns) + axis + Markup("</svg>"))


def _short(label: str, limit: int = 20) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"

