"""Charts of a business case, each a matplotlib ``Figure`` (no pyplot state, so safe in apps and batch runs):
savings by year and budget holder, the wrong-pocket split, the price corridor against the contract price, the
investor's cash flow, and several cases side by side.

Money on the axes is in thousands of the case's currency (DKK), in its price year; labels are Danish (``da``)
or English (``en``). In IPython the figures display as PNG, which reads the same in JupyterLab and static HTML.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .case import HOLDERS
from .i18n import label
from .model import Result
from .i18n import HOLDER_COLOURS, PALETTE, check_lang, currency_symbol, fmt_money, fmt_number, fmt_pct, holder_label, localized, text

COLOURS = HOLDER_COLOURS  #: one colour per budget holder (sibmodel.i18n), the same in the app
CORRIDOR, GAP, PRICE, NEUTRAL = PALETTE["corridor"], PALETTE["gap"], PALETTE["line"], PALETTE["neutral"]
DPI = 100


def _t(key: str, lang: str, **kw: str) -> str:
    return text(f"chart.{key}", lang, **kw)


def _thousands(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: fmt_number(v / 1000.0, lang, 0))


def _figure(width: float = 7.5, height: float = 4.0) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def _holder_name(h: str, payers: Sequence[str], lang: str) -> str:
    name = holder_label(h, lang)
    return f"{name} ({_t('payer', lang)})" if h in payers else name


def savings_by_year(result: Result, lang: str = "en") -> Figure:
    """Stacked bars of undiscounted savings by programme year and budget holder, with the intervention cost by
    year as a line (thousand DKK, case price year)."""
    check_lang(lang)
    cur = currency_symbol(result.case.currency, lang)
    df = result.savings_by_year
    cost = result.cash_flows["intervention_cost"].to_numpy()
    nonzero = np.flatnonzero((df.to_numpy().sum(axis=1) != 0) | (cost != 0))
    last = int(nonzero[-1]) + 1 if nonzero.size else len(df)
    years = np.arange(last)
    fig = _figure()
    ax = fig.add_subplot()
    bottom = np.zeros(last)
    payers = result.case.contract.payers
    for h in df.columns:
        v = df[h].to_numpy()[:last]
        if not np.any(v):
            continue
        ax.bar(years, v, bottom=bottom, color=COLOURS.get(h, NEUTRAL), label=_holder_name(h, payers, lang), width=0.75)
        bottom += v
    ax.plot(years, cost[:last], color=PRICE, linestyle="--", marker="o", markersize=3, linewidth=1.2,
            label=_t("cost_line", lang))
    ax.set_xticks(years)
    ax.set_xlabel(_t("year", lang))
    ax.set_ylabel(_t("thousand", lang, cur=cur))
    ax.yaxis.set_major_formatter(_thousands(lang))
    ax.set_title(_t("savings_title", lang), loc="left", fontsize=11)
    fig.legend(frameon=False, fontsize=9, loc="outside lower center", ncol=4)
    _style(ax)
    return fig


def wrong_pocket(result: Result, lang: str = "en") -> Figure:
    """Savings per prevented case (present value) by budget holder, payers in colour and the others hatched,
    with each holder's share: what the paying budget keeps and what falls in other pockets."""
    check_lang(lang)
    cur = currency_symbol(result.case.currency, lang)
    s = result.savings_per_case_by_holder
    payers = result.case.contract.payers
    holders = [h for h in s.index if s[h] != 0 or h in payers]
    total = float(s.sum())
    fig = _figure(7.5, 1.5 + 0.55 * len(holders))
    ax = fig.add_subplot()
    y = np.arange(len(holders))[::-1]
    for yi, h in zip(y, holders):
        v = float(s[h])
        paid = h in payers
        ax.barh(yi, v, color=COLOURS.get(h, NEUTRAL) if paid else "white",
                edgecolor=COLOURS.get(h, NEUTRAL), hatch=None if paid else "///", height=0.6)
        share = fmt_pct(v / total, lang, 0) if total > 0 else "–"
        ax.text(v, yi, f"  {fmt_money(v, lang, result.case.currency)} ({share})", va="center", fontsize=9)
    ax.set_yticks(y, [_holder_name(h, payers, lang) for h in holders])
    ax.set_xlabel(_t("thousand_per_case", lang, cur=cur))
    ax.xaxis.set_major_formatter(_thousands(lang))
    ax.set_xlim(0, max(float(s.max()), 1.0) * 1.45)
    other = float(s[[h for h in s.index if h not in payers]].sum())
    sub = _t("wp_other", lang, x=fmt_money(other, lang, result.case.currency))
    if total > 0:
        sub += f" ({fmt_pct(other / total, lang, 0)})"
    ax.set_title(f"{_t('wp_title', lang)}\n{sub}", loc="left", fontsize=10.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def price_corridor(result: Result, lang: str = "en") -> Figure:
    """The investor's minimum, the commissioner's and the public sector's maximum price per outcome on one
    axis, the corridor between them (green) or the gap that co-funding must close (red), and the contract price."""
    check_lang(lang)
    c = result.case
    cur = currency_symbol(c.currency, lang)
    card = c.contract.rows()
    if len(card) == 1:  # prices per outcome
        money = lambda x: fmt_money(x, lang, c.currency)  # noqa: E731
        rows = [("investor_min", result.investor_min, "D"), ("commissioner_max", result.commissioner_max, "o"),
                ("public_sector_max", result.public_sector_max, "s")]
        price, gap = card[0].price, result.cofunding_per_outcome
    else:  # a rate card of several rows: break-even as a scale of the card (1 = the card as written)
        money = lambda x: fmt_number(x, lang, 3)  # noqa: E731
        rows = [("investor_min_scale", result.investor_min_scale, "D"),
                ("commissioner_max_scale", result.commissioner_max_scale, "o"),
                ("public_sector_max_scale", result.public_sector_max_scale, "s")]
        price = 1.0
        lo_s, hi_s = result.investor_min_scale, result.commissioner_max_scale
        gap = None if lo_s is None or hi_s is None else max(lo_s - hi_s, 0.0)
    fig = _figure(7.5, 3.0)
    ax = fig.add_subplot()
    values = [v for _, v, _ in rows if v is not None] + [price, 0.0]
    lo, hi = min(values), max(values)
    span = max(hi - lo, 1.0 if len(card) == 1 else 0.1)
    lo_i, hi_c = rows[0][1], rows[1][1]
    if lo_i is not None and hi_c is not None:
        ok = lo_i <= hi_c
        a, b = sorted((lo_i, hi_c))
        ax.axvspan(a, b, color=CORRIDOR if ok else GAP, alpha=0.15, linewidth=0)
        text = _t("corridor", lang) if ok else _t("gap" if len(card) == 1 else "gap_scale", lang, x=money(gap))
        ax.text((a + b) / 2, 2.75, text, ha="center", va="bottom", fontsize=9, color=CORRIDOR if ok else GAP)
    for y, (name, v, marker) in zip((2, 1, 0), rows):
        if v is None:
            continue
        ax.plot([v], [y], marker=marker, color=PRICE, markersize=7, linestyle="none")
        ax.text(v, y + 0.18, money(v), ha="center", va="bottom", fontsize=8.5)
    ax.axvline(price, color=PRICE, linestyle="--", linewidth=1.2)
    ax.text(price, -0.75, _t("contract_price" if len(card) == 1 else "card_as_written", lang, x=money(price)),
            ha="center", va="center", fontsize=8.5, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.set_yticks([2, 1, 0], [label(n, lang).split(" (")[0] for n, _, _ in rows])
    ax.set_ylim(-1.1, 3.2)
    ax.set_xlim(lo - 0.12 * span, hi + 0.12 * span)
    if len(card) == 1:
        ax.xaxis.set_major_formatter(_thousands(lang))
        ax.set_xlabel(_t("price_axis", lang, cur=cur))
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt_number(x, lang, 1)))  # 1,5 in Danish
        ax.set_xlabel(_t("scale_axis", lang))
    ax.set_title(_t("corr_title", lang), loc="left", fontsize=11)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return fig


def investor_cash_flow(result: Result, lang: str = "en") -> Figure:
    """The investor's yearly cash flow at the contract price (financed cost out, outcome payments in; bars) and
    its cumulative sum (line), with IRR, money multiple and NPV at the required return (thousand DKK)."""
    check_lang(lang)
    c = result.case
    cur = currency_symbol(c.currency, lang)
    flow = result.cash_flows["investor_cash_flow"].to_numpy()
    nz = np.flatnonzero(flow)
    last = int(nz[-1]) + 1 if nz.size else len(flow)
    flow = flow[:last]
    years = np.arange(last)
    fig = _figure()
    ax = fig.add_subplot()
    ax.bar(years, flow, color=[CORRIDOR if v >= 0 else GAP for v in flow], width=0.6, label=_t("cf_bar", lang))
    ax.plot(years, np.cumsum(flow), color=PRICE, marker="o", markersize=3, linewidth=1.4, label=_t("cf_cum", lang))
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xticks(years)
    ax.set_xlabel(_t("year", lang))
    ax.set_ylabel(_t("thousand", lang, cur=cur))
    ax.yaxis.set_major_formatter(_thousands(lang))
    irr = fmt_pct(result.investor_irr, lang) if result.investor_irr is not None else _t("none", lang)
    moic = fmt_number(result.investor_moic, lang, 2) if result.investor_moic is not None else "–"
    npv = _t("npv", lang, r=fmt_pct(c.contract.real_required_return, lang))
    sub = f"{_t('irr', lang)} {irr}, {_t('moic', lang)} {moic}, {npv} {fmt_money(result.investor_npv, lang, c.currency)}"
    ax.set_title(f"{_t('cf_title', lang)}\n{sub}", loc="left", fontsize=10.5)
    fig.legend(frameon=False, fontsize=9, loc="outside lower center", ncol=2)
    _style(ax)
    return fig


def compare_prices(results: Sequence[Result], lang: str = "en", names: Sequence[str] | None = None) -> Figure:
    """Several cases side by side: for each, a bar from the investor's minimum to the commissioner's maximum
    price (green: corridor; red: gap) and the contract price (x), in thousand DKK per outcome."""
    check_lang(lang)
    names = list(names) if names is not None else [localized(r.case.name, lang) for r in results]
    cur = currency_symbol(results[0].case.currency, lang) if results else ""
    fig = _figure(7.5, 1.8 + 0.6 * len(results))
    ax = fig.add_subplot()
    y = np.arange(len(results))[::-1]
    for yi, r in zip(y, results):
        lo, hi = r.investor_min, r.commissioner_max
        if lo is not None and hi is not None:
            ok = lo <= hi
            ax.plot([lo, hi], [yi, yi], color=CORRIDOR if ok else GAP, linewidth=6, alpha=0.45, solid_capstyle="butt")
            ax.plot([lo], [yi], marker="D", color=PRICE, linestyle="none")
            ax.plot([hi], [yi], marker="o", color=PRICE, linestyle="none")
        if len(r.case.contract.rows()) == 1:   # a card of several rows has no one price (see compare_scales)
            ax.plot([r.case.contract.rows()[0].price], [yi], marker="x", color=PRICE, markersize=9, mew=2,
                    linestyle="none")
    ax.plot([], [], marker="D", color=PRICE, linestyle="none", label=label("investor_min", lang).split(" (")[0])
    ax.plot([], [], marker="o", color=PRICE, linestyle="none", label=label("commissioner_max", lang).split(" (")[0])
    ax.plot([], [], marker="x", color=PRICE, mew=2, linestyle="none", label=label("price", lang))
    ax.set_yticks(y, names)
    ax.xaxis.set_major_formatter(_thousands(lang))
    ax.set_xlabel(_t("price_axis", lang, cur=cur))
    ax.set_title(_t("cmp_prices", lang), loc="left", fontsize=11)
    fig.legend(frameon=False, fontsize=8.5, loc="outside lower center", ncol=3)
    ax.set_ylim(-0.6, len(results) - 0.4)
    _style(ax)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    return fig


def compare_scales(results: Sequence[Result], lang: str = "en", names: Sequence[str] | None = None) -> Figure:
    """Several contracts side by side as scales of their own card (1 = the prices as written, dashed line): a bar
    from the investor's minimum to the commissioner's maximum scale (green: corridor; red: gap), and the public
    sector's maximum scale. Works for one price and for rate cards alike (for one price, scale = price / price
    as written)."""
    check_lang(lang)
    names = list(names) if names is not None else [localized(r.case.name, lang) for r in results]
    fig = _figure(7.5, 1.8 + 0.6 * len(results))
    ax = fig.add_subplot()
    y = np.arange(len(results))[::-1]
    for yi, r in zip(y, results):
        lo, hi, pub = r.investor_min_scale, r.commissioner_max_scale, r.public_sector_max_scale
        if lo is not None and hi is not None:
            ax.plot([lo, hi], [yi, yi], color=CORRIDOR if lo <= hi else GAP, linewidth=6, alpha=0.45,
                    solid_capstyle="butt")
            ax.plot([lo], [yi], marker="D", color=PRICE, linestyle="none")
            ax.plot([hi], [yi], marker="o", color=PRICE, linestyle="none")
        if pub is not None:
            ax.plot([pub], [yi], marker="s", color=NEUTRAL, linestyle="none")
    ax.axvline(1.0, color=PRICE, linestyle="--", linewidth=1.0)
    for name, marker, colour in (("investor_min_scale", "D", PRICE), ("commissioner_max_scale", "o", PRICE),
                                 ("public_sector_max_scale", "s", NEUTRAL)):
        ax.plot([], [], marker=marker, color=colour, linestyle="none", label=label(name, lang))
    ax.plot([], [], color=PRICE, linestyle="--", label=text("cmp.as_written", lang))
    ax.set_yticks(y, names)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_number(v, lang, 1)))
    ax.set_xlabel(_t("scale_axis", lang))
    ax.set_title(text("cmp.scales_title", lang), loc="left", fontsize=11)
    fig.legend(frameon=False, fontsize=8.5, loc="outside lower center", ncol=2)
    ax.set_ylim(-0.6, len(results) - 0.4)
    _style(ax)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    return fig


def net_budget_by_year(result: Result, lang: str = "en") -> Figure:
    """Each budget's effect by programme year (undiscounted, thousand DKK, case price year): bars for the paying
    budget's net (savings minus its outcome payments, own costs and fees), each other holder's savings and each
    co-payer's payments (negative), side by side, and the payer's cumulative net as a line
    (see :func:`sibmodel.tables.net_budget_by_year`)."""
    from .tables import net_budget_names, net_budget_shown

    check_lang(lang)
    cur = currency_symbol(result.case.currency, lang)
    frame = net_budget_shown(result)
    names = net_budget_names(result, lang)
    years = np.arange(len(frame))
    fig = _figure()
    ax = fig.add_subplot()
    width = 0.8 / max(frame.shape[1], 1)
    payers = result.case.contract.payers
    others = iter(("#8a8a8a", "#b07aa1", "#9c755f", "#76b7b2", "#edc948"))
    for i, k in enumerate(frame.columns):
        if k == "payers":
            colour = COLOURS.get(payers[0], NEUTRAL) if len(payers) == 1 else PALETTE["investor"]
        else:
            colour = COLOURS.get(k) or next(others, NEUTRAL)
        ax.bar(years - 0.4 + width * (i + 0.5), frame[k].to_numpy(), width=width, color=colour, label=names[k],
               hatch="//" if k.startswith("co_payer_") else None, edgecolor="white" if k.startswith("co_payer_") else None)
    ax.plot(years, frame["payers"].cumsum().to_numpy(), color=PRICE, marker="o", markersize=3, linewidth=1.2,
            label=f"{names['payers']}, {_t('cf_cum', lang)}")
    ax.axhline(0.0, color=PRICE, linewidth=0.8)
    ax.set_xticks(years)
    ax.set_xlabel(_t("year", lang))
    ax.set_ylabel(text("net.axis", lang, cur=cur))
    ax.yaxis.set_major_formatter(_thousands(lang))
    ax.set_title(text("net.title", lang), loc="left", fontsize=10.5)
    fig.legend(frameon=False, fontsize=8.5, loc="outside lower center", ncol=2)
    _style(ax)
    return fig


def compare_savings(results: Sequence[Result], lang: str = "en", names: Sequence[str] | None = None) -> Figure:
    """Several cases side by side: savings per prevented case (present value) stacked by budget holder."""
    check_lang(lang)
    names = list(names) if names is not None else [localized(r.case.name, lang) for r in results]
    cur = currency_symbol(results[0].case.currency, lang) if results else ""
    fig = _figure(7.5, 1.8 + 0.55 * len(results))
    ax = fig.add_subplot()
    y = np.arange(len(results))[::-1]
    left = np.zeros(len(results))
    for h in HOLDERS:
        v = np.array([float(r.savings_per_case_by_holder.get(h, 0.0)) for r in results])
        if not np.any(v):
            continue
        ax.barh(y, v, left=left, color=COLOURS.get(h, NEUTRAL), height=0.6, label=holder_label(h, lang))
        left += v
    ax.set_yticks(y, names)
    ax.xaxis.set_major_formatter(_thousands(lang))
    ax.set_xlabel(_t("thousand_per_case", lang, cur=cur))
    ax.set_title(_t("cmp_savings", lang), loc="left", fontsize=11)
    fig.legend(frameon=False, fontsize=9, loc="outside lower center", ncol=3)
    _style(ax)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    return fig


# -- uncertainty ------------------------------------------------------------------------------------------------

def npv_distributions(sim, lang: str = "en") -> Figure:
    """Histograms over the draws of a simulation (``sibmodel.simulate``): the commissioner's NPV at the contract
    price and the investor's NPV at its required return (thousand DKK), the point value and the share below 0."""
    check_lang(lang)
    cur = currency_symbol(sim.case.currency, lang)
    fig = _figure(9.0, 3.4)
    axes = fig.subplots(1, 2)
    for ax, name, colour in zip(axes, ("commissioner_npv", "investor_npv"), (COLOURS["kommune"], COLOURS["stat"])):
        v = sim.draws[name].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        ax.hist(v, bins=40, color=colour, alpha=0.85, weights=np.full(v.size, 1.0 / max(v.size, 1)))
        ax.axvline(0, color="#555555", linewidth=0.9)
        point = sim.point.get(name)
        if point is not None:
            ax.axvline(point, color=PRICE, linestyle="--", linewidth=1.2, label=_t("point", lang))
        share = float(np.mean(v < 0)) if v.size else float("nan")
        ax.set_title(f"{label(name, lang)}\n{_t('below_zero', lang, x=fmt_pct(share, lang, 0))}", loc="left", fontsize=10)
        ax.xaxis.set_major_formatter(_thousands(lang))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: fmt_pct(y, lang, 0)))
        ax.set_xlabel(_t("thousand", lang, cur=cur))
        _style(ax)
    axes[0].set_ylabel(_t("draws", lang))
    fig.legend(*axes[0].get_legend_handles_labels(), frameon=False, fontsize=9, loc="outside lower center")
    return fig


def tornado(table, case, lang: str = "en", top: int = 10) -> Figure:
    """A tornado chart of ``sibmodel.tornado(case, figure)``: the figure with each input at its low and high
    value, every other input at its point value; the largest swing on top (thousand DKK)."""
    check_lang(lang)
    from .tables import input_label

    figure = table.attrs.get("figure", "commissioner_npv")
    t = table.head(top).iloc[::-1]
    cur = currency_symbol(case.currency, lang)
    fig = _figure(7.5, 1.6 + 0.42 * max(len(t), 1))
    ax = fig.add_subplot()
    base = float(t["point"].iloc[0]) if len(t) else 0.0
    y = np.arange(len(t))
    ax.barh(y, t["figure_low"] - base, left=base, color=GAP, alpha=0.8, height=0.6, label=_t("low_input", lang))
    ax.barh(y, t["figure_high"] - base, left=base, color=COLOURS["kommune"], alpha=0.8, height=0.6,
            label=_t("high_input", lang))
    ax.axvline(base, color=PRICE, linewidth=1.0)
    ax.set_yticks(y, [input_label(p, lang, case) for p in t["input"]])
    ax.xaxis.set_major_formatter(_thousands(lang))
    ax.set_xlabel(f"{label(figure, lang)} ({_t('thousand', lang, cur=cur)})")
    ax.set_title(_t("tornado_title", lang, f=label(figure, lang)), loc="left", fontsize=10.5)
    fig.legend(frameon=False, fontsize=9, loc="outside lower center", ncol=2)
    _style(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    return fig


def price_grid(case, n: int = 41, upto: float = 2.0) -> np.ndarray:
    """``n`` outcome prices from 0 to ``upto`` times the contract price (DKK per outcome), for acceptability
    curves; the contract price is one of them when ``n`` is odd and ``upto`` is 2."""
    price = float(case.contract.rows()[0].price) or 1.0
    return np.linspace(0.0, upto * price, n)


def scale_grid(n: int = 41, upto: float = 2.0) -> np.ndarray:
    """``n`` scales of a rate card from 0 to ``upto`` (1 = the card as written), for acceptability curves over
    a card of several rows; 1 is one of them when ``n`` is odd and ``upto`` is 2."""
    return np.linspace(0.0, upto, n)


def acceptability(curves, case, lang: str = "en") -> Figure:
    """Acceptability curves (``sibmodel.acceptability``): over the price per outcome (or, for a rate card given as
    ``scales``, the scale of the card), the probability that the commissioner saves and that the investor earns its
    required return; the contract price (or the card as written) dashed."""
    check_lang(lang)
    cur = currency_symbol(case.currency, lang)
    x = curves["scale"] if "scale" in curves else curves["price"]
    fig = _figure(7.5, 3.8)
    ax = fig.add_subplot()
    ax.plot(x, curves["prob_commissioner_saves"], color=COLOURS["kommune"], linewidth=2,
            label=_t("p_comm", lang))
    ax.plot(x, curves["prob_investor_meets_required"], color=COLOURS["stat"], linewidth=2,
            label=_t("p_inv", lang))
    both = np.minimum(curves["prob_commissioner_saves"], curves["prob_investor_meets_required"])
    ax.fill_between(x, 0, both, color=CORRIDOR, alpha=0.12, linewidth=0)
    if "scale" in curves:   # a rate card: over the scale of the card, 1 = as written
        ax.axvline(1.0, color=PRICE, linestyle="--", linewidth=1.1)
        ax.text(1.0, 1.02, _t("card_as_written", lang, x=fmt_number(1.0, lang, 0)), ha="center", va="bottom",
                fontsize=8.5)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_number(v, lang, 1)))
        ax.set_xlabel(_t("scale_axis", lang))
    else:
        price = case.contract.rows()[0].price
        ax.axvline(price, color=PRICE, linestyle="--", linewidth=1.1)
        ax.text(price, 1.02, _t("contract_price", lang, x=fmt_money(price, lang, case.currency)),
                ha="center", va="bottom", fontsize=8.5)
        ax.xaxis.set_major_formatter(_thousands(lang))
        ax.set_xlabel(_t("price_axis", lang, cur=cur))
    ax.set_ylim(0, 1.08)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_pct(v, lang, 0)))
    ax.set_ylabel(_t("probability", lang))
    ax.set_title(_t("accept_title", lang), loc="left", fontsize=11, pad=16)
    fig.legend(frameon=False, fontsize=9, loc="outside lower center", ncol=1)
    _style(ax)
    return fig


def value_of_information(table, case, lang: str = "en") -> Figure:
    """EVPPI by input group and the EVPI (``sibmodel.evppi``) as horizontal bars (thousand DKK)."""
    check_lang(lang)
    from .tables import group_label

    cur = currency_symbol(case.currency, lang)
    t = table.iloc[::-1]
    fig = _figure(7.5, 1.5 + 0.4 * len(t))
    ax = fig.add_subplot()
    y = np.arange(len(t))
    colours = [PRICE if g == "all inputs" else COLOURS["kommune"] for g in t["group"]]
    ax.barh(y, t["evppi"], color=colours, height=0.6)
    for yi, v in zip(y, t["evppi"]):
        ax.text(v, yi, "  " + fmt_money(float(v), lang, case.currency), va="center", fontsize=8.5)
    ax.set_yticks(y, [group_label(g, lang) for g in t["group"]])
    ax.set_xlim(0, max(float(t["evppi"].max()), 1.0) * 1.35)
    ax.xaxis.set_major_formatter(_thousands(lang))
    ax.set_xlabel(_t("voi_axis", lang, cur=cur))
    ax.set_title(_t("voi_title", lang), loc="left", fontsize=11)
    _style(ax)
    ax.grid(axis="y", visible=False)
    return fig


def inline_png() -> None:
    """Let IPython show Figures made without pyplot (these and ``sibmodel.evidence`` plots) as PNG, which reads
    the same in JupyterLab and in static HTML. Called on import; outside IPython it does nothing."""
    try:
        from IPython import get_ipython
        if get_ipython() is None:
            return
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        set_matplotlib_formats("png")
    except ImportError:  # plain Python: nothing to register
        return


inline_png()
