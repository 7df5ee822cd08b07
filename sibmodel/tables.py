"""The tables a reader of a business case sees (Danish or English), formatted from ``evaluate()`` and
``simulate()``: key figures, cases side by side, inputs, cost items, savings and cash flows by year, and the
uncertainty tables; plus the command line's text table (:func:`render_table`).

Money is in the case's currency (DKK by default) and price year, present values discounted to programme start.
Words and number formats come from :mod:`sibmodel.i18n`; nothing here computes the model.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import pandas as pd

from .case import Case
from .i18n import (MISSING, check_lang, currency_symbol, discount_label, fmt_money, fmt_number, fmt_pct, fmt_value,
                   holder_label, is_missing, label, localized, text, unit, unit_code, unit_text)
from .model import Result


def case_name(case: Case, lang: str) -> str:
    """The case's name in ``lang`` (a case may give it in both languages)."""
    return localized(case.name, lang)


# -- key figures ---------------------------------------------------------------------------------------------

def key_figures(result: Result, digits: int = 12) -> dict[str, Any]:
    """The scalar results as JSON-safe values (floats to ``digits`` significant digits, None for none/NaN):
    the machine-readable record a notebook displays and batch runs read back."""
    out: dict[str, Any] = {}
    for k, v in result.key_figures().items():
        if v is None:
            out[k] = None
        elif isinstance(v, (bool, str)):
            out[k] = v
        elif isinstance(v, int):
            out[k] = int(v)
        else:
            f = float(v)
            out[k] = float(f"{f:.{digits}g}") + 0.0 if math.isfinite(f) else None
    return out


def key_figures_table(result: Result, lang: str = "en", all_figures: bool = False) -> pd.DataFrame:
    """The key figures with labels, formatted values and units in ``lang``, indexed by result name: those a reader
    needs (:func:`shown_figures`: a card of several rows without the per-outcome prices it does not have), or
    every one with ``all_figures``."""
    check_lang(lang)
    cur = result.case.currency
    figs = result.key_figures() if all_figures else shown_figures(result)
    rows = [{"name": k, "label": label(k, lang), "value": fmt_value(v, k, lang, cur), "unit": unit(k, lang, cur)}
            for k, v in figs.items()]
    head = [text(f"table.{k}", lang) for k in ("key_figure", "value", "unit")]
    return (pd.DataFrame(rows).set_index("name")
            .rename(columns=dict(zip(("label", "value", "unit"), head))))


def render_table(result: Result, lang: str = "en") -> str:
    """The key figures as a plain-text table for the command line: a heading line (name, currency, price year,
    discount rate) and one line per figure with its label, value and unit, all in ``lang``."""
    check_lang(lang)
    c = result.case
    cur = c.currency
    rows = [(label(k, lang), fmt_value(v, k, lang, cur), "" if unit_code(k) == "share" else unit(k, lang, cur))
            for k, v in result.key_figures().items()]
    width = max(len(r[0]) for r in rows)
    vwidth = max(14, max(len(r[1]) for r in rows))
    head = text("table.cli_head", lang, name=case_name(c, lang), cur=currency_symbol(cur, lang), year=c.price_year,
                disc=discount_label(c.discounting, lang))
    return "\n".join([head] + [f"  {a:<{width}}  {b:>{vwidth}}  {u}".rstrip() for a, b, u in rows])


def comparison_table(results: Sequence[Result], lang: str = "en", names: Sequence[str] | None = None) -> pd.DataFrame:
    """Key figures of several cases side by side (formatted text): one row per figure, one column per case.

    Figures that are empty for every case (such as a budget holder no case touches) are left out.
    """
    check_lang(lang)
    if not results:
        raise ValueError("results: give at least one evaluated case")
    names = list(names) if names is not None else [case_name(r.case, lang) for r in results]
    if len(names) != len(results):
        raise ValueError(f"names: {len(names)} names for {len(results)} results")
    figures = [r.key_figures() for r in results]
    keys = [k for k in figures[0] if any(f.get(k) not in (None, 0, 0.0) for f in figures)]
    currencies = {r.case.currency for r in results}
    cur = currencies.pop() if len(currencies) == 1 else "{cur}"
    data = {text("table.key_figure", lang): [label(k, lang) for k in keys]}
    for n, f, r in zip(names, figures, results):
        data[n] = [fmt_value(f.get(k), k, lang, r.case.currency) for k in keys]
    data[text("table.unit", lang)] = [unit(k, lang, cur) if cur != "{cur}" else unit_text(unit_code(k), lang, "")
                                      for k in keys]
    return pd.DataFrame(data, index=pd.Index(keys, name="name"))


# -- inputs --------------------------------------------------------------------------------------------------

#: Inputs shown in the inputs table, in this order (dotted paths of the case).
INPUTS = ("price_year", "discounting", "cohort.participants", "outcome.baseline_rate", "outcome.relative_reduction",
          "outcome.treated_rate", "outcome.onset_lag_years", "outcome.horizon_years", "outcome.drop_off",
          "outcome.persistence", "adjustments.attribution", "adjustments.displacement", "adjustments.optimism_bias",
          "intervention.cost_per_participant", "intervention.delivery_years", "intervention.fixed_cost_per_year",
          "contract.metric", "contract.price", "contract.payment_lag_years", "contract.cap", "contract.payers",
          "contract.investor_share", "contract.investor_required_return")

_IN_UNIT = {"mean", "sd", "low", "high", "min", "max", "mode", "median", "lower", "upper", "loc", "scale"}


def _fmt_input(value: Any, code: str, lang: str) -> str:
    if isinstance(value, dict):  # a distribution as written in the case file: location and spread in the field's unit
        inner = ", ".join(f"{k} {_fmt_input(v, code if k in _IN_UNIT else 'none', lang)}"
                          for k, v in value.items() if k != "dist")
        return f"{value.get('dist', '')}({inner})"
    if isinstance(value, list):
        return ("; " if lang == "da" else ", ").join(_fmt_input(v, code, lang) for v in value)
    if isinstance(value, bool) or value is None:
        return MISSING if value is None else text("word.yes" if value else "word.no", lang)
    if isinstance(value, str):
        return value
    if code in ("share", "per_year"):
        return fmt_pct(value, lang, 1)
    if float(value).is_integer():
        return fmt_number(value, lang, 0)
    return fmt_number(value, lang, 4 if abs(value) < 1 else 2)


def inputs_table(case: Case, lang: str = "en") -> pd.DataFrame:
    """The case's inputs (except the cost items, see :func:`costs_table`) with labels, formatted values and
    units, indexed by their dotted path (the key that ``Case.update`` and notebook ``overrides`` take).
    An uncertain input shows its distribution, e.g. ``beta(mean 22.8 %, sd 3.0 %)``."""
    check_lang(lang)
    cur = case.currency
    data = case.to_dict()  # distributions as written (their spec), not their means
    rows = []
    for path in INPUTS:
        node: Any = data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None and path != "contract.cap":
            continue
        code = unit_code(path)
        if path == "contract.metric":
            shown = text(f"metric.{node}", lang)
        elif path == "contract.payers":
            shown = ", ".join(holder_label(h, lang) for h in node)
        elif path == "price_year":
            shown = str(node)
        elif path == "discounting":
            shown = discount_label(node, lang)
        else:
            shown = _fmt_input(node, code, lang)
        rows.append({"path": path, "label": label(path, lang), "value": shown,
                     "unit": unit_text(code, lang, cur)})
    head = [text(f"table.{k}", lang) for k in ("input", "value", "unit")]
    return (pd.DataFrame(rows).set_index("path")
            .rename(columns=dict(zip(("label", "value", "unit"), head))))


def costs_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """The cost items of one case: label, budget holder, unit cost, cashable share, savings per prevented case
    (present value) and source."""
    check_lang(lang)
    items = result.items
    cur = currency_symbol(result.case.currency, lang)
    head = [text(f"table.{k}", lang, cur=cur) for k in ("cost", "holder", "unit_cost", "cashable", "per_case", "source")]
    return pd.DataFrame({
        head[0]: items[f"label_{lang}"].tolist(),
        head[1]: [holder_label(h, lang) for h in items["holder"]],
        head[2]: [fmt_number(v, lang, 0) for v in items["unit_cost"]],
        head[3]: [fmt_pct(v, lang, 0) for v in items["cashable"]],
        head[4]: [fmt_number(v, lang, 0) for v in items["savings_per_case"]],
        head[5]: items["source"].fillna("").tolist(),
    }, index=pd.Index(items["key"].tolist(), name="item"))


def _last_active(frame: pd.DataFrame) -> int:
    """Number of leading programme years up to the last year with any non-zero value."""
    active = (frame.to_numpy() != 0).any(axis=1).nonzero()[0]
    return int(active[-1]) + 1 if active.size else len(frame)


def savings_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """Undiscounted savings by programme year and budget holder for the whole cohort, their total and the
    intervention cost (formatted, case currency and price year), up to the last year with a non-zero value."""
    check_lang(lang)
    sav = result.savings_by_year
    sav = sav.loc[:, [h for h in sav.columns if (sav[h] != 0).any()]]
    cost = result.cash_flows["intervention_cost"]
    frame = pd.concat([sav, sav.sum(axis=1).rename("total"), cost.rename("cost")], axis=1)
    frame = frame.iloc[: _last_active(frame)]
    names = {h: holder_label(h, lang) for h in sav.columns}
    names.update({"total": text("flow.total", lang), "cost": text("flow.cost", lang)})
    out = frame.map(lambda v: fmt_number(v, lang, 0)).rename(columns=names)
    out.index.name = text("table.programme_year", lang)
    out.columns.name = None
    return out


FLOWS = ("intervention_cost", "investor_financed", "commissioner_fee", "paid_outcomes", "outcome_payments",
         "investor_cash_flow")


def cash_flow_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """The contract's cash flows by programme year at the contract price (undiscounted, case currency and price
    year) and the investor's cumulative cash flow, up to the last year with a non-zero value."""
    check_lang(lang)
    cf = result.cash_flows[list(FLOWS)]
    cf = cf.assign(cumulative=cf["investor_cash_flow"].cumsum())
    cf = cf.iloc[: _last_active(cf.drop(columns="cumulative"))]
    out = pd.DataFrame({
        col: [fmt_number(v, lang, 1 if col == "paid_outcomes" else 0) for v in cf[col]] for col in cf.columns
    }, index=cf.index)
    out = out.rename(columns={k: text(f"flow.{k}", lang) for k in cf.columns})
    out.index.name = text("table.programme_year", lang)
    return out


def title(case: Case, lang: str = "en") -> str:
    """A one-line Markdown heading of a case: name, currency, price year, discounting. The name is escaped
    (HTML and Markdown), so it stays text."""
    check_lang(lang)
    return text("table.title", lang, name=markdown_text(case_name(case, lang)),
                cur=markdown_text(currency_symbol(case.currency, lang)), year=case.price_year,
                disc=markdown_text(discount_label(case.discounting, lang)))


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]"})


def markdown_text(value: str) -> str:
    """User text made inert in Markdown: HTML escaped and Markdown's special characters backslash-escaped,
    so a case name such as ``[x](javascript:...)`` or ``<img onerror=...>`` shows as written, never as a link
    or markup."""
    import html

    return html.escape(str(value), quote=True).translate(_MD_SPECIAL)


# -- uncertainty -----------------------------------------------------------------------------------------------

def input_label(path: str, lang: str = "en", case: Case | None = None) -> str:
    """A reader's name for an input given by its dotted path (``outcome.relative_reduction`` -> Relative
    reduction; ``costs_per_case.0.quantity`` -> the item's label and field; ``measured_rate.1`` -> evaluation)."""
    check_lang(lang)
    parts = path.split(".")
    if parts[0] == "measured_rate" and len(parts) == 2:
        return text("input.measured_rate", lang, n=parts[1])
    try:
        return label(path, lang)
    except KeyError:
        pass
    if len(parts) >= 2 and parts[-1].isdigit():
        try:
            return f"{label('.'.join(parts[:-1]), lang)}, {text('item_field.year', lang, n=parts[-1])}"
        except KeyError:
            pass
    if parts[0] == "costs_per_case" and len(parts) >= 3 and parts[1].isdigit():
        name = text("item_field.cost_item", lang, n=parts[1])
        if case is not None and int(parts[1]) < len(case.costs_per_case):
            item = case.costs_per_case[int(parts[1])]
            name = item.label or item.item or name
        field = text(f"item_field.{parts[2]}", lang) if f"item_field.{parts[2]}" in _catalogue() else parts[2]
        year = f" ({text('item_field.year', lang, n=parts[3])})" if len(parts) > 3 else ""
        return f"{name}: {field}{year}"
    return path


def _catalogue() -> dict:
    from .i18n import catalogue

    return catalogue()


def _input_unit(path: str) -> str:
    """The unit code of an input path (for formatting its values)."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        try:
            return unit_code(".".join(parts[:n]))
        except KeyError:
            continue
    if parts[0] == "measured_rate" or path.endswith(".cashable"):
        return "share"
    if parts[0] == "costs_per_case" and len(parts) > 2 and parts[2] == "amount":
        return "money"
    return "none"


def fmt_input_value(x: float | None, path: str, lang: str = "en", currency: str = "DKK") -> str:
    """A value of the input at ``path`` in that input's unit (shares as percentages, money with separators)."""
    if is_missing(x):
        return MISSING
    if _input_unit(path) in ("share", "per_year"):
        return fmt_pct(x, lang, 1)
    if abs(x) >= 100 or float(x).is_integer():
        return fmt_number(x, lang, 0)
    return fmt_number(x, lang, 3)


def distributions_table(case: Case, lang: str = "en") -> pd.DataFrame:
    """The uncertain inputs of a case: label, distribution as written, mean and 10th/90th percentiles (in each
    input's unit), indexed by dotted path."""
    check_lang(lang)
    rows = []
    for path, d in case.distributions.items():
        lo, hi = (float(v) for v in d.ppf([0.1, 0.9]))
        rows.append({"path": path, "label": input_label(path, lang, case),
                     "dist": _fmt_input(dict(d.spec), _input_unit(path), lang),
                     "mean": fmt_input_value(d.mean, path, lang, case.currency),
                     "p10": fmt_input_value(lo, path, lang, case.currency),
                     "p90": fmt_input_value(hi, path, lang, case.currency)})
    df = pd.DataFrame(rows, columns=["path", "label", "dist", "mean", "p10", "p90"]).set_index("path")
    df.columns = [text(f"table.{k}", lang) for k in ("input", "distribution", "mean", "p10", "p90")]
    return df


#: Key figures a simulation table shows by default.
SIMULATED = ("commissioner_npv", "commissioner_max", "investor_min", "investor_npv", "investor_irr", "investor_moic",
             "prevented_cases", "paid_outcomes", "total_payments")


def simulation_table(sim: Any, lang: str = "en", figures: Sequence[str] = SIMULATED) -> pd.DataFrame:
    """A simulation as a reader's table: the decision probabilities, then each key figure's point value
    (``evaluate()`` at the inputs' means), mean and 5th/50th/95th percentiles over the draws (formatted)."""
    check_lang(lang)
    cur = sim.case.currency
    if is_card(sim.case) and tuple(figures) == SIMULATED:   # a card of several rows: its scales, not prices
        figures = tuple({"commissioner_max": "commissioner_max_scale", "investor_min": "investor_min_scale"}.get(f, f)
                        for f in figures)
    rows = [{"name": k, "label": label(k, lang), "point": "", "mean": fmt_pct(v, lang),
             "p5": "", "p50": "", "p95": "", "unit": ""} for k, v in sim.probabilities().items()]
    pct = sim.percentiles((5, 50, 95))
    for name in figures:
        if name not in pct.index:
            continue
        r = pct.loc[name]
        rows.append({"name": name, "label": label(name, lang), "point": fmt_value(sim.point.get(name), name, lang, cur),
                     **{k: fmt_value(float(r[k]), name, lang, cur) for k in ("mean", "p5", "p50", "p95")},
                     "unit": unit(name, lang, cur)})
    df = pd.DataFrame(rows).set_index("name")
    df.columns = [text("table.figure", lang), text("table.point", lang), text("table.mean_or_probability", lang),
                  "5 %", "50 %", "95 %", text("table.unit", lang)]
    return df


def switching_table(table: pd.DataFrame, case: Case, lang: str = "en") -> pd.DataFrame:
    """Switching values (``sibmodel.switching_values``) for a reader: for each input and decision, the point
    value, the value at which the decision flips, and the probability that the input lies beyond it."""
    check_lang(lang)
    rows = []
    for _, r in table.iterrows():
        p = r["input"]
        key = f"decision.{r['figure']}"
        rows.append({
            "input": input_label(p, lang, case),
            "decision": text(key, lang) if key in _catalogue() else r["figure"],
            "point": fmt_input_value(r["point_value"], p, lang, case.currency),
            "switch": (text("table.none_in_range", lang) if is_missing(r["switching_value"])
                       else fmt_input_value(r["switching_value"], p, lang, case.currency)),
            "prob": fmt_pct(r.get("prob_beyond"), lang),
        })
    df = pd.DataFrame(rows, columns=["input", "decision", "point", "switch", "prob"])
    df.columns = [text(f"table.{k}", lang) for k in ("input", "decision", "point", "switching_value", "prob_beyond")]
    return df


def group_label(group: str, lang: str = "en") -> str:
    """A reader's name for an input group of ``sibmodel.evppi``."""
    key = f"group.{group}"
    return text(key, lang) if key in _catalogue() else group


def evppi_table(table: pd.DataFrame, case: Case, lang: str = "en") -> pd.DataFrame:
    """Value of information by input group (``sibmodel.evppi``), formatted: money per programme and share of EVPI."""
    check_lang(lang)
    cur = currency_symbol(case.currency, lang)
    head = [text("table.input_group", lang), text("table.evppi", lang, cur=cur), text("table.share_of_evpi", lang)]
    return pd.DataFrame({head[0]: [group_label(g, lang) for g in table["group"]],
                         head[1]: [fmt_number(v, lang, 0) for v in table["evppi"]],
                         head[2]: [fmt_pct(v, lang, 0) for v in table["share_of_evpi"]]})


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A cell for a CSV file or spreadsheet: text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading ``'`` so no spreadsheet reads it as a formula (OWASP CSV injection); numbers and other
    values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# -- rate cards, the deal's terms, perspectives ------------------------------------------------------------------

def is_card(case: Case) -> bool:
    """True for a rate card of several rows (break-even is then a scale of the card; the v1 prices are None)."""
    return len(case.contract.rows()) > 1


def headline_figures(result: Result) -> list[str]:
    """The four figures a reader sees first: for one price the break-even prices, for a card of several rows the
    break-even scales of the card."""
    if is_card(result.case):
        return ["savings_per_case", "commissioner_max_scale", "investor_min_scale", "investor_irr"]
    return ["savings_per_case", "commissioner_max", "investor_min", "investor_irr"]


def shown_figures(result: Result) -> dict[str, Any]:
    """The key figures a reader's table shows: all of them, except that a card of several rows leaves out the
    per-outcome prices (None for a card; its scales speak) and a contract without a threshold, co-payers or a
    guarantee leaves out their figures."""
    figs = result.key_figures()
    c = result.case.contract
    drop: set[str] = set()
    if is_card(result.case):
        drop |= {"commissioner_max", "public_sector_max", "wrong_pocket_gap", "investor_min", "corridor_low",
                 "corridor_high", "cofunding_per_outcome", "price", "societal_max"}
    if c.threshold is None:
        drop.add("cohorts_paid")
    if not c.co_payers:
        drop.add("co_payer_payments")
    if c.guarantee is None:
        drop.add("guarantee_paid")
    return {k: v for k, v in figs.items() if k not in drop}


def _pays(row: Any, lang: str) -> str:
    key = "pays_prevented_v1" if row.pays == "prevented" and not row.sustained else f"pays_{row.pays}"
    return text(f"card.{key}", lang)


def break_even_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """The rate card and its break-even prices by row: label, what the row pays for, the year it is measured and
    the year it is paid (relative to enrolment), its price, the outcomes it pays (undiscounted, all cohorts) and
    the commissioner's, public sector's and society's maximum and the investor's minimum price of that row (the
    break-even scale of the card times the row's price; for one row the v1 break-even prices). Money in the
    case's currency and price year, formatted in ``lang``."""
    check_lang(lang)
    c = result.case
    cur = currency_symbol(c.currency, lang)
    be = result.break_even_prices
    lag = c.contract.payment_lag_years
    by_row = result.paid_outcomes_by_row
    rows = c.contract.rows()
    money = lambda v: fmt_number(v, lang, 0)  # noqa: E731
    data = {
        text("card.row", lang): [localized(r.label, lang) or label("price", lang) for r in rows],
        text("card.pays", lang): [_pays(r, lang) for r in rows],
        text("card.year", lang): [str(r.year) for r in rows],
        text("card.paid_in", lang): [str(r.year + lag) for r in rows],
        text("card.price", lang, cur=cur): [money(r.price) for r in rows],
        text("card.paid_outcomes", lang): [fmt_number(float(by_row[r.key]), lang, 1) for r in rows],
    }
    for k in ("commissioner_max", "public_sector_max", "societal_max", "investor_min"):
        data[text(f"card.{k}", lang, cur=cur)] = [money(v) for v in be[k]]
    return pd.DataFrame(data, index=pd.Index([r.key for r in rows], name="row"))


def scales_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """The break-even scales of the card (1 = the prices as written) with labels, formatted, by result name."""
    check_lang(lang)
    names = ("commissioner_max_scale", "public_sector_max_scale", "societal_max_scale", "investor_min_scale",
             "corridor_scale_low", "corridor_scale_high")
    figs = result.key_figures()
    head = [text(f"table.{k}", lang) for k in ("key_figure", "value")]
    return pd.DataFrame({head[0]: [label(n, lang) for n in names],
                         head[1]: [fmt_number(figs[n], lang, 3) for n in names]}, index=pd.Index(names, name="name"))


def contract_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """The deal's terms beyond the card's prices, one line each (formatted in ``lang``): payers, co-payers and
    their shares, the payers' share, the payment lag, the threshold (and how many cohorts meet it), the caps,
    fees (total undiscounted), the first-loss guarantee (and what it pays out), the investor's share and required
    return."""
    check_lang(lang)
    c = result.case
    k = c.contract
    cur = c.currency
    m = lambda v: fmt_money(v, lang, cur)  # noqa: E731
    rows: list[tuple[str, str]] = [(text("card.payers", lang), ", ".join(holder_label(h, lang) for h in k.payers))]
    for cp in k.co_payers or []:
        rows.append((text("card.co_payer", lang, name=cp.name),
                     text("card.co_payer_value", lang, share=fmt_pct(cp.share, lang, 0),
                          kind=text("card.public" if cp.public else "card.private", lang))))
    if k.co_payers:
        rows.append((text("card.payers_share", lang), fmt_pct(1 - k.co_payer_share, lang, 0)))
    rows.append((text("card.payment_lag", lang), text("card.lag_years", lang, n=k.payment_lag_years)))
    if k.threshold is not None:
        rows.append((text("card.threshold", lang), f"{fmt_pct(k.threshold, lang, 0)}; "
                     + text("card.cohorts_paid", lang, x=fmt_pct(result.cohorts_paid, lang, 0))))
    if k.cap is not None:
        rows.append((text("card.cap", lang), m(k.cap)))
    if k.cap_per_participant is not None:
        rows.append((text("card.cap_per_participant", lang), m(k.cap_per_participant)))
    for f in k.fees or []:
        amounts = f.amount if isinstance(f.amount, list) else [f.amount] * len(c.cohort.participants)
        rows.append((text("card.fee", lang, name=f.label or "–", who=text(f"card.{f.paid_by}", lang)),
                     text("card.fee_total", lang, x=m(sum(amounts)))))
    if k.guarantee is not None:
        rows.append((text("card.guarantee", lang, by=k.guarantee.by or text("card.third_party", lang)),
                     text("card.guarantee_value", lang, x=m(k.guarantee.amount), paid=m(result.guarantee_paid))))
    rows.append((text("card.investor_share", lang), fmt_pct(k.investor_share, lang, 0)))
    rows.append((text("card.required_return", lang), fmt_pct(k.investor_required_return, lang, 1)))
    return pd.DataFrame(rows, columns=[text("card.term", lang), text("table.value", lang)])


def perspectives_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """Savings by holder and perspective (public, participant, others): per prevented case and for the whole
    programme (present values), then the public sector's and all perspectives' totals with their benefit-cost
    ratios (PV savings over the intervention's PV cost) and maximum payment (break-even price for one row,
    scale of the card for several)."""
    check_lang(lang)
    r = result
    cur = currency_symbol(r.case.currency, lang)
    persp = r.holder_perspectives
    card = is_card(r.case)
    n0 = lambda v: fmt_number(v, lang, 0)  # noqa: E731
    heads = [text("table.holder", lang), text("card.perspective", lang), text("card.per_case", lang, cur=cur),
             text("card.pv", lang, cur=cur), text("card.bcr", lang), text("card.max_price_or_scale", lang)]
    rows = []
    for h in r.pv_savings_by_holder.index:
        p = "public" if persp is None else str(persp[h])
        rows.append([holder_label(h, lang), text(f"card.perspective_{p}", lang) if p in ("public", "participant", "others") else p,
                     n0(float(r.savings_per_case_by_holder[h])), n0(float(r.pv_savings_by_holder[h])), "", ""])
    fmt_max = (lambda v: fmt_number(v, lang, 3)) if card else n0  # noqa: E731
    public_max = r.public_sector_max_scale if card else r.public_sector_max
    all_max = r.societal_max_scale if card else r.societal_max
    public = [h for h in r.pv_savings_by_holder.index if persp is None or persp[h] == "public"]
    rows.append([text("card.public_total", lang), text("card.perspective_public", lang),
                 n0(float(r.savings_per_case_by_holder[public].sum())), n0(r.pv_savings_public),
                 fmt_number(r.public_benefit_cost_ratio, lang, 2), fmt_max(public_max)])
    rows.append([text("card.all_total", lang), "", n0(r.savings_per_case), n0(r.pv_savings),
                 fmt_number(r.benefit_cost_ratio, lang, 2), fmt_max(all_max)])
    return pd.DataFrame(rows, columns=heads, index=pd.Index(list(r.pv_savings_by_holder.index) + ["public", "all"],
                                                            name="holder"))


# -- the budgets by year (the council's view) ---------------------------------------------------------------------

def net_budget_by_year(result: Result, components: bool = False) -> pd.DataFrame:
    """Each budget's effect by programme year, undiscounted, in the case's currency and price year (DKK):

    - ``payers``: the paying budgets' savings minus their share of the outcome payments (after co-payers), the
      part of the intervention cost they pay directly (``commissioner_fee``) and the intermediary fees they pay;
    - one column per other holder (kommune, region, stat, declared and non-public holders): its savings;
    - ``co_payer_<i>``: minus co-payer ``i``'s share of the outcome payments.

    Discounted with ``cash_flows["discount_factor"]`` the ``payers`` column sums to ``commissioner_npv``.
    ``components=True`` puts the payers' ``payer_savings``, ``payer_payments`` and ``payer_fees`` (both <= 0)
    before ``payers``."""
    cf = result.cash_flows
    sav = result.savings_by_year
    c = result.case.contract
    payer_savings = sav[[h for h in sav.columns if h in c.payers]].sum(axis=1)
    payments = -cf["commissioner_payments"]
    fees = -(cf["commissioner_fee"] + cf["intermediary_fees_commissioner"])
    out = pd.DataFrame(index=sav.index)
    if components:
        out["payer_savings"], out["payer_payments"], out["payer_fees"] = payer_savings, payments, fees
    out["payers"] = payer_savings + payments + fees
    for h in sav.columns:
        if h not in c.payers:
            out[h] = sav[h]
    for i, cp in enumerate(c.co_payers or []):
        out[f"co_payer_{i}"] = -cp.share * cf["outcome_payments"]
    return out


def net_budget_names(result: Result, lang: str = "en") -> dict[str, str]:
    """Readers' names of the columns of :func:`net_budget_by_year` in ``lang``."""
    check_lang(lang)
    c = result.case.contract
    who = ", ".join(holder_label(h, lang) for h in c.payers)
    who = who[:1].upper() + who[1:]
    names = {"payers": text("net.payers", lang, who=who), "payer_savings": text("net.payer_savings", lang, who=who),
             "payer_payments": text("net.payer_payments", lang, who=who),
             "payer_fees": text("net.payer_fees", lang, who=who)}
    for h in result.savings_by_year.columns:
        name = holder_label(h, lang)
        names[h] = text("net.holder", lang, who=name[:1].upper() + name[1:])
    for i, cp in enumerate(c.co_payers or []):
        names[f"co_payer_{i}"] = text("net.co_payer", lang, name=cp.name)
    return names


def net_budget_shown(result: Result, components: bool = False) -> pd.DataFrame:
    """:func:`net_budget_by_year` as tables and charts show it: columns that are zero throughout left out (the
    payers' net always kept), up to the last year with a non-zero value."""
    frame = net_budget_by_year(result, components=components)
    frame = frame.loc[:, [k for k in frame.columns if k == "payers" or (frame[k] != 0).any()]]
    return frame.iloc[: _last_active(frame)]


def net_budget_table(result: Result, lang: str = "en", components: bool = True) -> pd.DataFrame:
    """:func:`net_budget_shown` for a reader (formatted, whole currency units) with a total row (undiscounted)."""
    check_lang(lang)
    frame = net_budget_shown(result, components=components)
    total = frame.sum(axis=0).rename(text("flow.total", lang))
    frame = pd.concat([frame, total.to_frame().T])
    out = frame.map(lambda v: fmt_number(v, lang, 0)).rename(columns=net_budget_names(result, lang))
    out.index.name = text("table.programme_year", lang)
    return out
