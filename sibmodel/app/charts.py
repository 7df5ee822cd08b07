"""The app's charts as small self-contained SVG (no JavaScript, no CDN, text in the page's language).

SVG written directly renders in well under a millisecond per chart, so the charts follow a slider at once;
matplotlib took about 45 ms per PNG chart on this machine (see docs/app.md). Amounts are DKK (the case's
currency) in the case's price year.
"""
from __future__ import annotations

import math
from html import escape

import numpy as np

from ..i18n import HOLDER_COLOURS, PALETTE
from ..model import Result
from .texts import fmt_money, fmt_number, holder_text, t

W, H = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 78, 30, 44, 36
COLORS = dict(HOLDER_COLOURS)  #: one colour per budget holder, shared with notebooks and report
POS, NEG, LINE = PALETTE["corridor"], PALETTE["gap"], PALETTE["line"]
CHAR_W = 6.6  #: a generous width of one character at font-size 11 (px), to keep labels inside the chart


def text_width(text: str, size: float = 11) -> float:
    """An upper estimate of the width (px) of ``text`` in the charts' sans-serif font at ``size``."""
    return len(text) * CHAR_W * size / 11


def _money_unit(cur: str, lang: str, per: str = "outcome") -> str:
    """The unit of an amount axis: ``kr. pr. resultat`` / ``DKK per outcome``."""
    sym = "kr." if lang == "da" and cur == "DKK" else cur
    words = {"outcome": ("pr. resultat", "per outcome"), "": ("", "")}[per][0 if lang == "da" else 1]
    return f"{sym} {words}".strip()


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering ``[lo, hi]`` (1, 2, 2.5, 5 times a power of ten)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, v = [], start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < hi:
        ticks.append(ticks[-1] + step)
    return ticks


def _short_money(v: float, lang: str) -> str:
    """Axis label: 1.2 mio. / 1.2m, 350 t. / 350k."""
    a = abs(v)
    if a >= 1e6:
        return fmt_number(v / 1e6, lang, 1) + (" mio." if lang == "da" else "m")
    if a >= 1e3:
        return fmt_number(v / 1e3, lang, 0) + (" t." if lang == "da" else "k")
    return fmt_number(v, lang, 0)


def _frame(title: str, name: str, body: list[str], height: int = H) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="sib-chart" data-chart="{name}" viewBox="0 0 {W} {height}" '
            f'width="100%" style="max-width:{W}px" role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">')
    return head + f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>' + "".join(body) + "</svg>"


def _y_axis(lo: float, hi: float, lang: str) -> tuple[list[str], callable]:
    ticks = nice_ticks(min(lo, 0.0), max(hi, 0.0))
    y0, y1 = ticks[0], ticks[-1]
    scale = lambda v: TOP + (H - TOP - BOTTOM) * (y1 - v) / (y1 - y0)  # noqa: E731
    out = []
    for tick in ticks:
        y = scale(tick)
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_short_money(tick, lang))}</text>')
    out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{scale(0):.1f}" y2="{scale(0):.1f}" stroke="#888"/>')
    return out, scale


def _x_labels(n: int, lang: str) -> tuple[list[str], float, callable]:
    width = (W - LEFT - RIGHT) / max(n, 1)
    x = lambda i: LEFT + i * width  # noqa: E731
    every = max(1, math.ceil(n / 15))
    out = [f'<text x="{x(i) + width / 2:.1f}" y="{H - BOTTOM + 14}" text-anchor="middle">{i}</text>'
           for i in range(0, n, every)]
    out.append(f'<text x="{(LEFT + W - RIGHT) / 2:.1f}" y="{H - 6}" text-anchor="middle">{escape(t("year", lang))}</text>')
    return out, width, x


def savings_chart(result: Result, lang: str) -> str:
    """Stacked bars: undiscounted savings by programme year and budget holder."""
    df = result.savings_by_year
    values = df.to_numpy(dtype=float)
    n = values.shape[0]
    axis, scale = _y_axis(0.0, float(values.sum(axis=1).max(initial=0.0)), lang)
    xs, width, x = _x_labels(n, lang)
    body = axis + xs
    for i in range(n):
        base = 0.0
        for j, holder in enumerate(df.columns):
            v = values[i, j]
            if v <= 0:
                continue
            y_top, y_bot = scale(base + v), scale(base)
            body.append(f'<rect x="{x(i) + width * 0.15:.1f}" y="{y_top:.1f}" width="{width * 0.7:.1f}" '
                        f'height="{max(y_bot - y_top, 0.5):.1f}" fill="{COLORS.get(holder, "#777")}">'
                        f'<title>{i}: {escape(holder_text(result.case, holder, lang))} {escape(fmt_money(v, lang, result.case.currency))}</title></rect>')
            base += v
    lx = W - RIGHT - 250
    for k, holder in enumerate(df.columns):
        body.append(f'<rect x="{lx + k * 85}" y="{TOP - 20}" width="10" height="10" fill="{COLORS.get(holder, "#777")}"/>'
                    f'<text x="{lx + k * 85 + 14}" y="{TOP - 11}">{escape(holder_text(result.case, holder, lang))}</text>')
    return _frame(t("ch_savings", lang), "savings", body)


def corridor_chart(result: Result, lang: str) -> str:
    """A price line: investor minimum, commissioner maximum, public-sector maximum and the contract price.

    For a rate card of several rows the line is in factors on the card: the break-even scales and the card as
    written (1)."""
    cur, height = result.case.currency, 150
    scale = len(result.case.contract.rows()) > 1
    if scale:
        marks = [(t("investor_min_short", lang), result.investor_min_scale, "#6a1b9a"),
                 (t("commissioner_max_short", lang), result.commissioner_max_scale, COLORS["kommune"]),
                 (t("public_max_short", lang), result.public_sector_max_scale, "#00838f"),
                 (t("card_short", lang), 1.0, LINE)]
        value_text = lambda v: fmt_number(v, lang, 2)  # noqa: E731
        tick_text = lambda v: fmt_number(v, lang, 0 if float(v).is_integer() else 2)  # noqa: E731
        imin, cmax = result.investor_min_scale, result.commissioner_max_scale
    else:
        marks = [(t("investor_min_short", lang), result.investor_min, "#6a1b9a"),
                 (t("commissioner_max_short", lang), result.commissioner_max, COLORS["kommune"]),
                 (t("public_max_short", lang), result.public_sector_max, "#00838f"),
                 (t("price_short", lang), result.case.contract.rows()[0].price, LINE)]
        value_text = lambda v: fmt_money(v, lang, cur)  # noqa: E731
        tick_text = lambda v: _short_money(v, lang)  # noqa: E731
        imin, cmax = result.investor_min, result.commissioner_max
    known = [v for _, v, _ in marks if v is not None and math.isfinite(v)]
    ticks = nice_ticks(min([0.0, *known]), max([1.0, *known]))
    lo, hi = ticks[0], ticks[-1]
    sx = lambda v: LEFT + (W - LEFT - RIGHT) * (v - lo) / (hi - lo)  # noqa: E731
    axis_y = 100
    body = [f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{axis_y}" y2="{axis_y}" stroke="#888"/>']
    labels: list[str] = []
    for tick in ticks:
        body.append(f'<line x1="{sx(tick):.1f}" x2="{sx(tick):.1f}" y1="{axis_y}" y2="{axis_y + 4}" stroke="#888"/>'
                    f'<text x="{sx(tick):.1f}" y="{axis_y + 16}" text-anchor="middle">{escape(tick_text(tick))}</text>')
    if imin is not None and cmax is not None:
        a, b = sorted((imin, cmax))
        color, kind = (POS, "corridor") if imin <= cmax else (NEG, "gap")
        body.append(f'<rect class="sib-{kind}" x="{sx(a):.1f}" y="{axis_y - 18}" width="{max(sx(b) - sx(a), 1):.1f}" '
                    f'height="18" fill="{color}" fill-opacity="0.25"/>')
    # one row per mark, in order of value; each label kept inside the chart: right of its line where it fits,
    # else left of it, else against the edge; a white halo keeps it readable where another mark's line crosses
    shown = sorted([(v, label, color, k) for k, (label, v, color) in enumerate(marks) if v is not None], key=lambda m: m[0])
    for row, (value, label, color, k) in enumerate(shown):
        xv, ty = sx(value), 34 + 14 * row
        text = f"{label}: {value_text(value)}"
        width = text_width(text)
        if xv + 4 + width <= W - 4:
            tx, anchor = xv + 4, "start"
        elif xv - 4 - width >= 4:
            tx, anchor = xv - 4, "end"
        else:
            tx, anchor = max(4.0, W - 4 - width), "start"
        dash = ' stroke-dasharray="4 3"' if k == 3 else ""
        body.append(f'<line x1="{xv:.1f}" x2="{xv:.1f}" y1="{ty + 3}" y2="{axis_y}" stroke="{color}" stroke-width="2"{dash}/>')
        labels.append(f'<text class="sib-mark" x="{tx:.1f}" y="{ty}" text-anchor="{anchor}" fill="{color}" stroke="white" '
                      f'stroke-width="3" paint-order="stroke">{escape(text)}</text>')
    body += labels
    unit = t("scale_unit", lang) if scale else _money_unit(cur, lang)
    body.append(f'<text x="{(LEFT + W - RIGHT) / 2:.1f}" y="{axis_y + 34}" text-anchor="middle">{escape(unit)}</text>')
    return _frame(t("ch_corridor_scale" if scale else "ch_corridor", lang), "corridor", body, height)


def cash_chart(result: Result, lang: str) -> str:
    """Bars: the investor's yearly cash flow (negative while it finances); a line: the cumulative position."""
    flow = result.cash_flows["investor_cash_flow"].to_numpy(dtype=float)
    cum = np.cumsum(flow)
    n = flow.size
    axis, scale = _y_axis(float(min(flow.min(initial=0), cum.min(initial=0))), float(max(flow.max(initial=0), cum.max(initial=0))), lang)
    xs, width, x = _x_labels(n, lang)
    body = axis + xs
    cur = result.case.currency
    for i, v in enumerate(flow):
        if v == 0:
            continue
        y_a, y_b = sorted((scale(v), scale(0)))
        body.append(f'<rect x="{x(i) + width * 0.2:.1f}" y="{y_a:.1f}" width="{width * 0.6:.1f}" height="{max(y_b - y_a, 0.5):.1f}" '
                    f'fill="{POS if v > 0 else NEG}"><title>{i}: {escape(fmt_money(v, lang, cur))}</title></rect>')
    points = " ".join(f"{x(i) + width / 2:.1f},{scale(c):.1f}" for i, c in enumerate(cum))
    body.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="1.5"/>')
    body.append(f'<line x1="{W - RIGHT - 110}" x2="{W - RIGHT - 90}" y1="{TOP - 15}" y2="{TOP - 15}" stroke="{LINE}" stroke-width="1.5"/>'
                f'<text x="{W - RIGHT - 86}" y="{TOP - 11}">{escape(t("cumulative", lang))}</text>')
    return _frame(t("ch_cash", lang), "cash", body)


def bar_chart(title: str, name: str, labels: list[str], values: list[float], lang: str, percent: bool = True) -> str:
    """Horizontal bars with labels (probabilities as percentages by default); used by the uncertainty panel."""
    height = 40 + 22 * len(labels)
    vmax = max([abs(v) for v in values] + [1e-12]) if not percent else 1.0
    body = []
    for k, (label, v) in enumerate(zip(labels, values)):
        y = 28 + 22 * k
        width = (W - 380) * abs(v) / vmax
        text = fmt_number(100 * v, lang, 0) + " %" if percent else _short_money(v, lang)
        body.append(f'<text x="4" y="{y + 12}">{escape(label)}</text>'
                    f'<rect x="340" y="{y}" width="{width:.1f}" height="15" fill="{COLORS["kommune"]}"/>'
                    f'<text x="{344 + width:.1f}" y="{y + 12}" class="sib-value" data-value="{v!r}">{escape(text)}</text>')
    return _frame(title, name, body, height)


def tornado_chart(table, labels: dict[str, str], lang: str, title: str, axis: str = "") -> str:
    """One-way sensitivity: for each input a bar from the figure at its low value to the figure at its high value,
    around the point value (a vertical line); ``table`` as ``sibmodel.sensitivity.tornado`` returns it."""
    rows = table.head(10)
    height = 76 + 24 * len(rows)
    values = [*rows["figure_low"], *rows["figure_high"], float(rows["point"].iloc[0]) if len(rows) else 0.0]
    ticks = nice_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]
    x0 = 230
    sx = lambda v: x0 + (W - x0 - RIGHT) * (v - lo) / (hi - lo)  # noqa: E731
    body = []
    for k, row in enumerate(rows.itertuples()):
        y = 30 + 24 * k
        a, b = sorted((row.figure_low, row.figure_high))
        name = str(labels.get(row.input, row.input))
        short = name if text_width(name) <= x0 - 10 else name[: int((x0 - 10) / CHAR_W) - 1] + "…"
        body.append(f'<text x="4" y="{y + 12}">{escape(short)}<title>{escape(name)}</title></text>'
                    f'<rect x="{sx(a):.1f}" y="{y}" width="{max(sx(b) - sx(a), 1):.1f}" height="16" fill="{COLORS["kommune"]}">'
                    f'<title>{escape(_short_money(row.figure_low, lang))} … {escape(_short_money(row.figure_high, lang))}</title></rect>')
    if len(rows):
        xp = sx(float(rows["point"].iloc[0]))
        body.append(f'<line x1="{xp:.1f}" x2="{xp:.1f}" y1="26" y2="{height - 46}" stroke="{LINE}"/>')
    for tick in ticks:
        body.append(f'<text x="{sx(tick):.1f}" y="{height - 30}" text-anchor="middle">{escape(_short_money(tick, lang))}</text>')
    body.append(f'<text class="sib-axis-x" x="{(x0 + W - RIGHT) / 2:.1f}" y="{height - 10}" text-anchor="middle">'
                f'{escape(axis or _money_unit("DKK", lang, ""))}</text>')
    return _frame(title, "tornado", body, height)


def acceptability_chart(curve, price: float, lang: str, title: str, names: tuple[str, str], currency: str = "DKK",
                        scale: bool = False) -> str:
    """Acceptability curves: probability (0-100 %) against the outcome price, for the commissioner and the investor;
    the contract price as a dashed line. ``curve`` as ``Simulation.acceptability`` returns it (its ``price``
    column). With ``scale`` the x axis is a factor on the rate card and ``price`` is the card as written (1)."""
    prices = curve["price"].to_numpy(dtype=float)
    lo, hi = 0.0, float(max(prices.max(initial=1.0), price, 1.0))
    ticks = nice_ticks(lo, hi)
    hi = ticks[-1]
    sx = lambda v: LEFT + (W - LEFT - RIGHT) * (v - lo) / (hi - lo)  # noqa: E731
    sy = lambda p: TOP + (H - TOP - BOTTOM) * (1 - p)  # noqa: E731
    body = []
    for p in (0, 0.25, 0.5, 0.75, 1.0):
        body.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{sy(p):.1f}" y2="{sy(p):.1f}" stroke="#ddd"/>'
                    f'<text x="{LEFT - 6}" y="{sy(p) + 4:.1f}" text-anchor="end">{fmt_number(100 * p, lang)} %</text>')
    for tick in ticks:
        tick_text = fmt_number(tick, lang, 0 if float(tick).is_integer() else 2) if scale else _short_money(tick, lang)
        body.append(f'<text x="{sx(tick):.1f}" y="{H - BOTTOM + 14}" text-anchor="middle">{escape(tick_text)}</text>')
    for col, color, name in (("prob_commissioner_saves", COLORS["kommune"], names[0]),
                             ("prob_investor_meets_required", "#6a1b9a", names[1])):
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(prices, curve[col].to_numpy(dtype=float)))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"><title>{escape(name)}</title></polyline>')
    body.append(f'<line x1="{sx(price):.1f}" x2="{sx(price):.1f}" y1="{TOP}" y2="{H - BOTTOM}" stroke="{LINE}" stroke-dasharray="4 3"/>')
    x_axis = (("Faktor på prislisten (1 = som skrevet)" if lang == "da" else "Factor on the rate card (1 = as written)") if scale
              else ("Pris pr. resultat" if lang == "da" else "Price per outcome") + f" ({_money_unit(currency, lang, '')})")
    y_axis = "Sandsynlighed for gevinst (%)" if lang == "da" else "Probability of gain (%)"
    body.append(f'<text class="sib-axis-x" x="{(LEFT + W - RIGHT) / 2:.1f}" y="{H - 6}" text-anchor="middle">{escape(x_axis)}</text>'
                f'<text class="sib-axis-y" transform="translate(12 {(TOP + H - BOTTOM) / 2:.1f}) rotate(-90)" text-anchor="middle">'
                f'{escape(y_axis)}</text>')
    for k, (color, name) in enumerate(((COLORS["kommune"], names[0]), ("#6a1b9a", names[1]))):
        body.append(f'<rect x="{LEFT + 250 * k}" y="{TOP - 20}" width="10" height="10" fill="{color}"/>'
                    f'<text x="{LEFT + 250 * k + 14}" y="{TOP - 11}">{escape(name)}</text>')
    return _frame(title, "acceptability", body)


def budget_chart(result: Result, lang: str) -> str:
    """Lines: each budget's effect by programme year, undiscounted (the payer's net after outcome payments and
    fees, the other holders' savings, the co-payers' payments), as in :func:`sibmodel.tables.net_budget_by_year`."""
    from ..i18n import text
    from ..tables import net_budget_names, net_budget_shown

    frame = net_budget_shown(result)
    values = frame.to_numpy(dtype=float)
    n = values.shape[0]
    axis, scale = _y_axis(float(values.min(initial=0.0)), float(values.max(initial=0.0)), lang)
    xs, width, x = _x_labels(n, lang)
    body = axis + xs
    names, cur = net_budget_names(result, lang), result.case.currency
    payers = result.case.contract.payers  # the payers' colour as in the notebooks' chart
    payer_colour = COLORS.get(payers[0], "#777") if len(payers) == 1 else PALETTE["investor"]
    for k, column in enumerate(frame.columns):
        colour = payer_colour if column == "payers" else COLORS.get(column, "#777")
        dash = ' stroke-dasharray="5,3"' if column.startswith("co_payer") else ""
        points = [(x(i) + width / 2, scale(v)) for i, v in enumerate(values[:, k])]
        body.append(f'<polyline class="sib-budget-line" data-column="{escape(column)}" points="'
                    + " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
                    + f'" fill="none" stroke="{colour}" stroke-width="{2.5 if column == "payers" else 1.5}"{dash}/>')
        body += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{colour}"><title>{i}: {escape(names[column])} '
                 f'{escape(fmt_money(float(values[i, k]), lang, cur))}</title></circle>' for i, (a, b) in enumerate(points)]
        y = H + 6 + 14 * k
        body.append(f'<line x1="{LEFT}" x2="{LEFT + 20}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" stroke-width="2"{dash}/>'
                    f'<text x="{LEFT + 26}" y="{y}">{escape(names[column])}</text>')
    return _frame(text("net.title", lang), "budgets", body, height=H + 14 * len(frame.columns) + 8)
