"""What a reader of a business case reads, written from the numbers (Danish or English): the inputs as a table,
the key figures as formatted text, cases side by side, and a short conclusion.

Money is in the case's currency (DKK by default) and price year, present values discounted to programme start
(savings per prevented case: to the start of the case). Nothing here computes the model: it formats ``evaluate()``.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import pandas as pd

from .case import Case
from .labels import HOLDER_LABELS, label, unit
from .model import Result

LANGS = ("da", "en")


def check_lang(lang: str) -> str:
    """``lang`` if it is ``"da"`` or ``"en"``; else a ValueError naming the value and what is allowed."""
    if lang not in LANGS:
        raise ValueError(f"lang = {lang!r}: allowed: 'da' (Danish), 'en' (English)")
    return lang


# -- numbers -------------------------------------------------------------------------------------------------

def fmt_number(x: float | None, lang: str = "en", decimals: int = 0) -> str:
    """A number with thousands separators: ``1,234.5`` (en) or ``1.234,5`` (da); ``–`` for None/NaN."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    text = f"{float(x):,.{decimals}f}"
    if text in ("-0", "-0." + "0" * decimals):
        text = text[1:]
    if lang == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text.replace("-", "−")


def currency_symbol(currency: str = "DKK", lang: str = "en") -> str:
    """How a currency is written: ``kr.`` in Danish for DKK, else its code."""
    return "kr." if lang == "da" and currency == "DKK" else currency


def fmt_money(x: float | None, lang: str = "en", currency: str = "DKK", decimals: int = 0) -> str:
    """An amount of money: ``DKK 136,783`` (en) or ``136.783 kr.`` (da); ``–`` for None."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    number = fmt_number(x, lang, decimals)
    return f"{number} {currency_symbol(currency, lang)}" if lang == "da" else f"{currency} {number}"


def fmt_pct(x: float | None, lang: str = "en", decimals: int = 1) -> str:
    """A share or rate as a percentage: ``7.0 %`` (en) or ``7,0 %`` (da); ``–`` for None."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{fmt_number(100.0 * x, lang, decimals)} %"


def fmt_value(x: Any, unit_text: str, lang: str = "en") -> str:
    """A key figure formatted by its unit (from :func:`sibmodel.labels.unit`)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if unit_text in ("per year", "share"):
        return fmt_pct(x, lang, 1)
    if unit_text == "times":
        return fmt_number(x, lang, 2)
    if unit_text in ("cases", "outcomes"):
        return fmt_number(x, lang, 1)
    if unit_text == "programme year":
        return str(int(x))
    return fmt_number(x, lang, 0)


_UNITS = {
    "cases": {"da": "sager", "en": "cases"},
    "outcomes": {"da": "resultater", "en": "outcomes"},
    "per year": {"da": "pr. år", "en": "per year"},
    "times": {"da": "gange", "en": "times"},
    "share": {"da": "andel", "en": "share"},
    "programme year": {"da": "programår", "en": "programme year"},
    "{cur} per case": {"da": "{cur} pr. sag", "en": "{cur} per case"},
    "{cur} per outcome": {"da": "{cur} pr. resultat", "en": "{cur} per outcome"},
    "{cur}": {"da": "{cur}", "en": "{cur}"},
    "people": {"da": "personer", "en": "people"},
    "years": {"da": "år", "en": "years"},
    "{cur} per participant": {"da": "{cur} pr. deltager", "en": "{cur} per participant"},
    "{cur} per year": {"da": "{cur} pr. år", "en": "{cur} per year"},
}


def unit_text(name: str, currency: str = "DKK", lang: str = "en") -> str:
    """The unit of a result name in words of ``lang`` (``kr. pr. resultat``, ``DKK per outcome``)."""
    raw = unit(name, "{cur}")
    return _UNITS.get(raw, {"da": raw, "en": raw})[lang].format(cur=currency_symbol(currency, lang))


def holder_label(holder: str, lang: str = "en") -> str:
    """The name of a budget holder in ``lang`` (``kommune``/``municipality``)."""
    return HOLDER_LABELS.get(holder, {}).get(lang, holder)


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
        elif isinstance(v, int) and not isinstance(v, bool):
            out[k] = int(v)
        else:
            f = float(v)
            out[k] = float(f"{f:.{digits}g}") + 0.0 if math.isfinite(f) else None
    return out


def key_figures_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """The key figures with labels, formatted values and units in ``lang``, indexed by result name."""
    check_lang(lang)
    cur = result.case.currency
    rows = []
    for name, value in result.key_figures().items():
        u = unit(name, "{cur}")
        rows.append({"name": name, "label": label(name, lang), "value": fmt_value(value, u, lang),
                     "unit": unit_text(name, cur, lang)})
    head = {"da": ("Nøgletal", "Værdi", "Enhed"), "en": ("Key figure", "Value", "Unit")}[lang]
    return (pd.DataFrame(rows).set_index("name")
            .rename(columns={"label": head[0], "value": head[1], "unit": head[2]}))


def comparison_table(results: Sequence[Result], lang: str = "en", names: Sequence[str] | None = None) -> pd.DataFrame:
    """Key figures of several cases side by side (formatted text): one row per figure, one column per case.

    Figures that are empty for every case (such as a budget holder no case touches) are left out.
    """
    check_lang(lang)
    if not results:
        raise ValueError("results: give at least one evaluated case")
    names = list(names) if names is not None else [r.case.name for r in results]
    if len(names) != len(results):
        raise ValueError(f"names: {len(names)} names for {len(results)} results")
    figures = [r.key_figures() for r in results]
    keys = [k for k in figures[0] if any(f.get(k) not in (None, 0, 0.0) for f in figures)]
    currencies = {r.case.currency for r in results}
    cur = currencies.pop() if len(currencies) == 1 else "{cur}"
    unit_col = {"da": "Enhed", "en": "Unit"}[lang]
    data = {{"da": "Nøgletal", "en": "Key figure"}[lang]: [label(k, lang) for k in keys]}
    for n, f, r in zip(names, figures, results):
        data[n] = [fmt_value(f.get(k), unit(k, "{cur}"), lang) for k in keys]
    data[unit_col] = [unit_text(k, cur, lang) for k in keys]
    return pd.DataFrame(data, index=pd.Index(keys, name="name"))


# -- inputs --------------------------------------------------------------------------------------------------

_INPUTS: dict[str, tuple[str, str, str]] = {
    # dotted path: (Danish, English, unit)
    "price_year": ("Prisår", "Price year", ""),
    "discounting": ("Diskontering", "Discounting", ""),
    "cohort.participants": ("Deltagere pr. programår", "Participants by programme year", "people"),
    "outcome.baseline_rate": ("Andel med udfaldet uden indsats (p0)", "Rate without the intervention (p0)", "share"),
    "outcome.relative_reduction": ("Relativ reduktion", "Relative reduction", "share"),
    "outcome.treated_rate": ("Andel med udfaldet med indsats (p1)", "Rate with the intervention (p1)", "share"),
    "outcome.onset_lag_years": ("År fra indskrivning til besparelser", "Years from enrolment to savings", "years"),
    "outcome.horizon_years": ("År med konsekvenser pr. sag", "Years of consequences per case", "years"),
    "outcome.drop_off": ("Årligt tilbagefald", "Yearly drop-off", "share"),
    "outcome.persistence": ("Andel der stadig er forebygget, pr. år", "Share still prevented, by year", "share"),
    "adjustments.attribution": ("Attribution", "Attribution", "share"),
    "adjustments.displacement": ("Fortrængning", "Displacement", "share"),
    "adjustments.optimism_bias": ("Optimismekorrektion", "Optimism bias", "share"),
    "intervention.cost_per_participant": ("Omkostning pr. deltager", "Cost per participant", "{cur} per participant"),
    "intervention.delivery_years": ("År indsatsen varer", "Delivery years", "years"),
    "intervention.fixed_cost_per_year": ("Faste omkostninger pr. programår", "Fixed cost by programme year", "{cur} per year"),
    "contract.metric": ("Der betales for", "Paid outcome", ""),
    "contract.price": ("Pris pr. resultat", "Price per outcome", "{cur} per outcome"),
    "contract.payment_lag_years": ("År fra indskrivning til betaling", "Years from enrolment to payment", "years"),
    "contract.cap": ("Loft over betalinger (udiskonteret)", "Cap on payments (undiscounted)", "{cur}"),
    "contract.payers": ("Betalere", "Payers", ""),
    "contract.investor_share": ("Investors andel af finansieringen", "Investor's share of the financing", "share"),
    "contract.investor_required_return": ("Investors krævede afkast", "Investor's required return", "per year"),
}

_METRICS = {"prevented_case": {"da": "forebygget sag", "en": "prevented case"},
            "success": {"da": "succes (deltager uden udfaldet)", "en": "success (participant without the outcome)"}}


_IN_UNIT = {"mean", "sd", "low", "high", "min", "max", "mode", "median", "lower", "upper", "loc", "scale"}


def _fmt_input(value: Any, unit_key: str, lang: str, currency: str) -> str:
    if isinstance(value, dict):  # a distribution as written in the case file: location and spread in the field's unit
        inner = ", ".join(f"{k} {_fmt_input(v, unit_key if k in _IN_UNIT else '', lang, currency)}"
                          for k, v in value.items() if k != "dist")
        return f"{value.get('dist', '')}({inner})"
    if isinstance(value, list):
        return "; ".join(_fmt_input(v, unit_key, lang, currency) for v in value) if lang == "da" else \
            ", ".join(_fmt_input(v, unit_key, lang, currency) for v in value)
    if isinstance(value, bool) or value is None:
        return "–" if value is None else str(value)
    if isinstance(value, str):
        return value
    if unit_key in ("share", "per year"):
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
    for path, (da, en, u) in _INPUTS.items():
        node: Any = data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None and path not in ("contract.cap",):
            continue
        if path == "contract.metric":
            shown = _METRICS.get(node, {}).get(lang, str(node))
        elif path == "contract.payers":
            shown = ", ".join(holder_label(h, lang) for h in node)
        elif path == "price_year":
            shown = str(node)
        elif path == "discounting" and isinstance(node, (int, float)):
            shown = fmt_pct(node, lang, 2)
        else:
            shown = _fmt_input(node, u, lang, cur)
        rows.append({"path": path, "label": da if lang == "da" else en, "value": shown,
                     "unit": _UNITS[u][lang].format(cur=currency_symbol(cur, lang)) if u else ""})
    head = {"da": ("Input", "Værdi", "Enhed"), "en": ("Input", "Value", "Unit")}[lang]
    return (pd.DataFrame(rows).set_index("path")
            .rename(columns={"label": head[0], "value": head[1], "unit": head[2]}))


def costs_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """The cost items of one case: label, budget holder, unit cost, cashable share, savings per prevented case
    (present value) and source."""
    check_lang(lang)
    items = result.items
    cur = currency_symbol(result.case.currency, lang)
    head = {"da": ("Omkostning", "Budget", f"Enhedspris ({cur})", "Realiserbar andel",
                   f"Besparelse pr. sag, nutidsværdi ({cur})", "Kilde"),
            "en": ("Cost", "Budget holder", f"Unit cost ({cur})", "Cashable share",
                   f"Savings per case, present value ({cur})", "Source")}[lang]
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
    names.update({"total": "i alt" if lang == "da" else "total",
                  "cost": "indsatsens omkostninger" if lang == "da" else "intervention cost"})
    out = frame.map(lambda v: fmt_number(v, lang, 0)).rename(columns=names)
    out.index.name = "programår" if lang == "da" else "programme year"
    out.columns.name = None
    return out


_FLOWS = {
    "intervention_cost": ("indsatsens omkostninger", "intervention cost"),
    "investor_financed": ("finansieret af investor", "financed by the investor"),
    "commissioner_fee": ("betalt direkte af betaler", "paid directly by the payer"),
    "paid_outcomes": ("betalte resultater (antal)", "paid outcomes (number)"),
    "outcome_payments": ("resultatbetalinger", "outcome payments"),
    "investor_cash_flow": ("investors pengestrøm", "investor's cash flow"),
}


def cash_flow_table(result: Result, lang: str = "en") -> pd.DataFrame:
    """The contract's cash flows by programme year at the contract price (undiscounted, case currency and price
    year) and the investor's cumulative cash flow, up to the last year with a non-zero value."""
    check_lang(lang)
    cf = result.cash_flows[list(_FLOWS)]
    cf = cf.assign(cumulative=cf["investor_cash_flow"].cumsum())
    cf = cf.iloc[: _last_active(cf.drop(columns="cumulative"))]
    out = pd.DataFrame({
        col: [fmt_number(v, lang, 1 if col == "paid_outcomes" else 0) for v in cf[col]] for col in cf.columns
    }, index=cf.index)
    names = {k: v[0 if lang == "da" else 1] for k, v in _FLOWS.items()}
    names["cumulative"] = "investors akkumulerede pengestrøm" if lang == "da" else "investor's cumulative cash flow"
    out = out.rename(columns=names)
    out.index.name = "programår" if lang == "da" else "programme year"
    return out


def title(case: Case, lang: str = "en") -> str:
    """A one-line Markdown heading of a case: name, currency, price year, discounting."""
    check_lang(lang)
    rate = (fmt_pct(case.discounting, lang, 2) if isinstance(case.discounting, (int, float))
            else str(case.discounting))
    if lang == "da":
        return f"**{case.name}** · {currency_symbol(case.currency, lang)} i {case.price_year}-priser · diskontering: {rate}"
    return f"**{case.name}** · {case.currency} at {case.price_year} prices · discounting: {rate}"


# -- uncertainty -----------------------------------------------------------------------------------------------

_ITEM_FIELDS = {"amount": ("enhedspris", "unit cost"), "quantity": ("mængde pr. sag", "quantity per case"),
                "cashable": ("realiserbar andel", "cashable share")}
_PROBABILITIES = {
    "prob_commissioner_saves": ("Sandsynlighed for at betaler sparer", "Probability that the commissioner saves"),
    "prob_investor_loss": ("Sandsynlighed for at investor taber penge", "Probability that the investor loses money"),
    "prob_investor_below_required": ("Sandsynlighed for at investor får under sit krævede afkast",
                                     "Probability that the investor earns less than its required return"),
    "prob_corridor": ("Sandsynlighed for en priskorridor", "Probability that a price corridor exists"),
    "prob_threshold_met": ("Sandsynlighed for at et hold når tærsklen", "Probability that a cohort meets the threshold"),
}


def input_label(path: str, lang: str = "en", case: Case | None = None) -> str:
    """A reader's name for an input given by its dotted path (``outcome.relative_reduction`` -> Relative
    reduction; ``costs_per_case.0.quantity`` -> the item's label and field; ``measured_rate.1`` -> evaluation)."""
    da = lang == "da"
    if path in _INPUTS:
        return _INPUTS[path][0 if da else 1]
    parts = path.split(".")
    if parts[0] == "measured_rate":
        return f"Målt rate, indskrivningsår {parts[1]}" if da else f"Measured rate, enrolment year {parts[1]}"
    if len(parts) >= 2 and parts[-1].isdigit() and ".".join(parts[:-1]) in _INPUTS:
        base = _INPUTS[".".join(parts[:-1])][0 if da else 1]
        return f"{base}, {'år' if da else 'year'} {parts[-1]}"
    if parts[0] == "costs_per_case" and len(parts) >= 3 and parts[1].isdigit():
        name = f"{'omkostning' if da else 'cost item'} {parts[1]}"
        if case is not None and int(parts[1]) < len(case.costs_per_case):
            item = case.costs_per_case[int(parts[1])]
            name = item.label or item.item or name
        field = _ITEM_FIELDS.get(parts[2], (parts[2], parts[2]))[0 if da else 1]
        year = f" ({'år' if da else 'year'} {parts[3]})" if len(parts) > 3 else ""
        return f"{name}: {field}{year}"
    return path


def _input_unit(path: str) -> str:
    """The unit key of an input path (for formatting its values)."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in _INPUTS:
            return _INPUTS[key][2]
    if parts[0] == "measured_rate" or path.endswith(".cashable"):
        return "share"
    if parts[0] == "costs_per_case" and len(parts) > 2 and parts[2] == "amount":
        return "{cur}"
    return ""


def fmt_input_value(x: float | None, path: str, lang: str = "en", currency: str = "DKK") -> str:
    """A value of the input at ``path`` in that input's unit (shares as percentages, money with separators)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    u = _input_unit(path)
    if u in ("share", "per year"):
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
        spec = {k: v for k, v in d.spec.items()}
        rows.append({"path": path, "label": input_label(path, lang, case),
                     "dist": _fmt_input(spec, _input_unit(path), lang, case.currency),
                     "mean": fmt_input_value(d.mean, path, lang, case.currency),
                     "p10": fmt_input_value(lo, path, lang, case.currency),
                     "p90": fmt_input_value(hi, path, lang, case.currency)})
    head = {"da": ["Input", "Fordeling", "Middelværdi", "10 %-fraktil", "90 %-fraktil"],
            "en": ["Input", "Distribution", "Mean", "10th percentile", "90th percentile"]}[lang]
    df = pd.DataFrame(rows, columns=["path", "label", "dist", "mean", "p10", "p90"]).set_index("path")
    df.columns = head
    return df


SIMULATED = ("commissioner_npv", "commissioner_max", "investor_min", "investor_npv", "investor_irr", "investor_moic",
             "prevented_cases", "paid_outcomes", "total_payments")


def simulation_table(sim: Any, lang: str = "en", figures: Sequence[str] = SIMULATED) -> pd.DataFrame:
    """A simulation as a reader's table: the decision probabilities, then each key figure's point value
    (``evaluate()`` at the inputs' means), mean and 5th/50th/95th percentiles over the draws (formatted)."""
    check_lang(lang)
    cur = sim.case.currency
    rows = [{"name": k, "label": _PROBABILITIES[k][0 if lang == "da" else 1], "point": "", "mean": fmt_pct(v, lang),
             "p5": "", "p50": "", "p95": "", "unit": ""} for k, v in sim.probabilities().items()]
    pct = sim.percentiles((5, 50, 95))
    for name in figures:
        if name not in pct.index:
            continue
        u = unit(name, "{cur}")
        r = pct.loc[name]
        rows.append({"name": name, "label": label(name, lang), "point": fmt_value(sim.point.get(name), u, lang),
                     **{k: fmt_value(float(r[c]), u, lang) for k, c in
                        (("mean", "mean"), ("p5", "p5"), ("p50", "p50"), ("p95", "p95"))},
                     "unit": unit_text(name, cur, lang)})
    head = {"da": ["Størrelse", "Punktværdi", "Middel / sandsynlighed", "5 %", "50 %", "95 %", "Enhed"],
            "en": ["Figure", "Point value", "Mean / probability", "5 %", "50 %", "95 %", "Unit"]}[lang]
    df = pd.DataFrame(rows).set_index("name")
    df.columns = head
    return df


def switching_table(table: pd.DataFrame, case: Case, lang: str = "en") -> pd.DataFrame:
    """Switching values (``sibmodel.switching_values``) for a reader: for each input and decision, the point
    value, the value at which the decision flips, and the probability that the input lies beyond it."""
    check_lang(lang)
    what = {"commissioner_npv": ("betaler går i nul", "commissioner breaks even"),
            "investor_npv": ("investor får sit krævede afkast", "investor earns its required return")}
    rows = []
    for _, r in table.iterrows():
        p = r["input"]
        rows.append({
            "input": input_label(p, lang, case),
            "decision": what.get(r["figure"], (r["figure"], r["figure"]))[0 if lang == "da" else 1],
            "point": fmt_input_value(r["point_value"], p, lang, case.currency),
            "switch": fmt_input_value(r["switching_value"], p, lang, case.currency)
            if not (isinstance(r["switching_value"], float) and math.isnan(r["switching_value"]))
            else ("ingen i intervallet" if lang == "da" else "none in the range"),
            "prob": fmt_pct(r["prob_beyond"], lang) if r.get("prob_beyond") == r.get("prob_beyond") else "–",
        })
    head = {"da": ["Input", "Beslutning", "Punktværdi", "Skifteværdi", "Sandsynlighed for at ligge på den anden side"],
            "en": ["Input", "Decision", "Point value", "Switching value", "Probability of lying beyond it"]}[lang]
    df = pd.DataFrame(rows, columns=["input", "decision", "point", "switch", "prob"])
    df.columns = head
    return df


_GROUPS = {"effect": ("effekt og basisrate", "effect and baseline"), "persistence": ("varighed", "persistence"),
           "adjustments": ("justeringer", "adjustments"), "unit_costs": ("enhedspriser og mængder", "unit costs and quantities"),
           "intervention_cost": ("indsatsens omkostninger", "intervention cost"), "cohort": ("kohorte", "cohort"),
           "contract": ("kontrakt", "contract"), "discounting": ("diskontering", "discounting"),
           "evaluation_noise": ("evalueringsstøj", "evaluation noise"), "all inputs": ("alle input (EVPI)", "all inputs (EVPI)")}


def group_label(group: str, lang: str = "en") -> str:
    """A reader's name for an input group of ``sibmodel.evppi``."""
    return _GROUPS.get(group, (group, group))[0 if lang == "da" else 1]


def evppi_table(table: pd.DataFrame, case: Case, lang: str = "en") -> pd.DataFrame:
    """Value of information by input group (``sibmodel.evppi``), formatted: DKK per programme and share of EVPI."""
    check_lang(lang)
    cur = case.currency
    head = {"da": ["Inputgruppe", f"Værdi af perfekt information ({currency_symbol(cur, lang)})", "Andel af EVPI"],
            "en": ["Input group", f"Value of perfect information ({cur})", "Share of EVPI"]}[lang]
    return pd.DataFrame({head[0]: [group_label(g, lang) for g in table["group"]],
                         head[1]: [fmt_number(v, lang, 0) for v in table["evppi"]],
                         head[2]: [fmt_pct(v, lang, 0) for v in table["share_of_evpi"]]})


def uncertainty_conclusion(sim: Any, evppi: pd.DataFrame | None = None, lang: str = "en") -> str:
    """A short conclusion (Markdown bullets) from a simulation and, optionally, its EVPPI table."""
    check_lang(lang)
    da = lang == "da"
    pr = sim.probabilities()
    cur = sim.case.currency
    payers = _join([_definite(h, lang) for h in sim.case.contract.payers], lang)
    payers = payers if da else "the " + payers
    lines = [
        (f"Over {fmt_number(sim.n, lang)} trækninger sparer {payers} penge i {fmt_pct(pr['prob_commissioner_saves'], lang, 0)} "
         f"af tilfældene ved kontraktens pris; investor taber penge i {fmt_pct(pr['prob_investor_loss'], lang, 0)} og "
         f"når ikke sit krævede afkast i {fmt_pct(pr['prob_investor_below_required'], lang, 0)}.")
        if da else
        (f"Over {fmt_number(sim.n, lang)} draws, {payers} saves money in {fmt_pct(pr['prob_commissioner_saves'], lang, 0)} "
         f"of cases at the contract price; the investor loses money in {fmt_pct(pr['prob_investor_loss'], lang, 0)} and "
         f"falls short of its required return in {fmt_pct(pr['prob_investor_below_required'], lang, 0)}."),
        (f"En priskorridor findes i {fmt_pct(pr['prob_corridor'], lang, 0)} af trækningerne." if da else
         f"A price corridor exists in {fmt_pct(pr['prob_corridor'], lang, 0)} of the draws."),
    ]
    if evppi is not None and len(evppi):
        total = float(evppi["evppi"].iloc[-1])
        groups = evppi.iloc[:-1]
        if total > 0 and len(groups):
            top = groups.sort_values("evppi", ascending=False).iloc[0]
            lines.append(
                (f"Perfekt information om alle input er højst {fmt_money(total, lang, cur)} værd for beslutningen; "
                 f"mest værd er viden om {group_label(top['group'], lang)} ({fmt_money(top['evppi'], lang, cur)}).")
                if da else
                (f"Perfect information on every input is worth at most {fmt_money(total, lang, cur)} to the decision; "
                 f"most valuable is knowledge of the {group_label(top['group'], lang)} "
                 f"({fmt_money(top['evppi'], lang, cur)})."))
        else:
            lines.append("Usikkerheden ændrer ikke beslutningen: mere viden har ingen værdi for den." if da else
                         "The uncertainty does not change the decision: more evidence has no value for it.")
    return "\n".join(f"- {line}" for line in lines)


# -- conclusion ----------------------------------------------------------------------------------------------

def _join(words: Iterable[str], lang: str) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {'og' if lang == 'da' else 'and'} {words[-1]}"


def _definite(holder: str, lang: str) -> str:
    """``kommunen`` (da) or ``municipality`` (en, after "the")."""
    if lang == "da":
        return {"kommune": "kommunen", "region": "regionen", "stat": "staten"}.get(holder, holder)
    return holder_label(holder, lang)


def _payers(result: Result, lang: str) -> str:
    names = _join([_definite(h, lang) for h in result.case.contract.payers], lang)
    return names if lang == "da" else "the " + names


def conclusion(result: Result, lang: str = "en") -> str:
    """A short conclusion (Markdown bullet points) written from the numbers of one evaluated case."""
    check_lang(lang)
    r, c = result, result.case
    cur = c.currency
    m = lambda x: fmt_money(x, lang, cur)  # noqa: E731
    pct = lambda x, d=1: fmt_pct(x, lang, d)  # noqa: E731
    da = lang == "da"
    payers = _payers(r, lang)
    Payers = payers[0].upper() + payers[1:]
    plural = len(c.contract.payers) > 1
    lines: list[str] = []

    # 1. Who saves.
    total = r.savings_per_case
    shares = {h: v / total for h, v in r.savings_per_case_by_holder.items() if total > 0 and v > 0}
    split = _join([f"{pct(s, 0)} {'til' if da else 'to the'} {_definite(h, lang)}" for h, s in shares.items()], lang)
    J = c.outcome.horizon_years
    if da:
        lines.append(f"En forebygget sag sparer den offentlige sektor **{m(total)}** i nutidsværdi over {J} år"
                     + (f" ({split})." if split else "."))
    else:
        lines.append(f"One prevented case saves the public sector **{m(total)}** in present value over {J} years"
                     + (f" ({split})." if split else "."))

    # 2. The two break-even prices.
    ri = pct(c.contract.investor_required_return)
    if r.commissioner_max is not None and r.investor_min is not None:
        if da:
            lines.append(f"{Payers} kan højst betale **{m(r.commissioner_max)}** pr. resultat og stadig gå i nul på "
                         f"{'egne budgetter' if plural else 'eget budget'}; investor skal have mindst "
                         f"**{m(r.investor_min)}** pr. resultat for at få sit krævede afkast på {ri} om året.")
        else:
            lines.append(f"{Payers} can pay at most **{m(r.commissioner_max)}** per outcome and still break even on "
                         f"{'their own budgets' if plural else 'its own budget'}; the investor needs at least "
                         f"**{m(r.investor_min)}** per outcome to earn its required {ri} a year.")
    else:
        lines.append("Kontrakten betaler ikke for nogen resultater, så der er ingen break-even-priser." if da else
                     "The contract pays for no outcomes, so there are no break-even prices.")

    # 3. Corridor or gap, and the wrong pocket.
    gap = r.wrong_pocket_gap
    if r.corridor is not None:
        lo, hi = r.corridor
        lines.append(f"**Der er en priskorridor** fra {m(lo)} til {m(hi)} pr. resultat: en pris heri holder både "
                     f"betaler og investor skadesløse." if da else
                     f"**A price corridor exists** from {m(lo)} to {m(hi)} per outcome: a price inside it leaves "
                     f"both the payer and the investor whole.")
    elif r.cofunding_per_outcome is not None:
        cf = r.cofunding_per_outcome
        if gap is not None and gap > 0:
            covered = gap >= cf
            if da:
                tail = (f"Andre offentlige budgetter sparer {m(gap)} pr. resultat, nok til at dække hullet, hvis de "
                        f"medfinansierer." if covered else
                        f"Selv de besparelser, der falder i andre offentlige budgetter ({m(gap)} pr. resultat), "
                        f"dækker ikke hullet.")
            else:
                tail = (f"Other public budgets save {m(gap)} per outcome, enough to close the gap if they co-fund."
                        if covered else
                        f"Even the savings that fall to other public budgets ({m(gap)} per outcome) do not close it.")
        else:
            tail = ""
        lines.append((f"**Der er ingen priskorridor**: investor skal have {m(cf)} mere pr. resultat, end "
                      f"{payers} kan betale. {tail}" if da else
                      f"**No price corridor exists**: the investor needs {m(cf)} more per outcome than {payers} "
                      f"can pay. {tail}").rstrip())

    # 4. At the contract price.
    price = c.contract.price
    if r.commissioner_max is not None and r.investor_min is not None:
        if r.corridor is not None and r.investor_min <= price <= r.commissioner_max:
            where = "ligger i korridoren" if da else "lies inside the corridor"
        elif price > r.commissioner_max and price < r.investor_min:
            where = ("er over betalers højeste og under investors laveste pris" if da else
                     "is above the payer's maximum and below the investor's minimum")
        elif price > r.commissioner_max:
            where = "er over betalers højeste pris" if da else "is above the payer's maximum"
        else:
            where = "er under investors laveste pris" if da else "is below the investor's minimum"
        moic = fmt_number(r.investor_moic, lang, 2) if r.investor_moic is not None else "–"
        if da:
            inv = (f"investors interne rente er {pct(r.investor_irr)} om året" if r.investor_irr is not None
                   else "investor har ingen intern rente")
        else:
            inv = (f"the investor's internal rate of return is {pct(r.investor_irr)} a year" if r.investor_irr is not None
                   else "the investor has no internal rate of return")
        capped = c.contract.cap is not None and r.total_payments < price * r.paid_outcomes * (1 - 1e-12)
        cap_note = ((" Loftet på betalingerne begrænser, hvad der betales." if da else
                     " The cap limits what is paid.") if capped else "")
        if da:
            lines.append(f"Kontraktens pris på {m(price)} {where}.{cap_note} Ved den pris er betalers "
                         f"nettonutidsværdi {m(r.commissioner_npv)}, og {inv} (pengemultiplikator {moic}).")
        else:
            lines.append(f"The contract price of {m(price)} {where}.{cap_note} At that price the payers' net present "
                         f"value is {m(r.commissioner_npv)}, and {inv} (money multiple {moic}).")

    # 5. How much effect the payer needs.
    s = r.switching_relative_reduction
    assumed = pct(c.outcome.relative_reduction if c.outcome.relative_reduction is not None
                  else 1.0 - c.outcome.p1 / c.outcome.p0 if c.outcome.p0 > 0 else None, 0)
    if s is None:
        lines.append(f"Selv en fuld effekt ville ikke få {payers} til at gå i nul ved kontraktens pris." if da else
                     f"Even a complete effect would not let {payers} break even at the contract price.")
    else:
        lines.append(f"{Payers} går i nul ved kontraktens pris, når den relative reduktion er mindst {pct(s, 0)} "
                     f"(casen antager {assumed})." if da else
                     f"{Payers} {'break' if plural else 'breaks'} even at the contract price from a relative reduction "
                     f"of {pct(s, 0)} (the case assumes {assumed}).")
    if c.contract.metric == "success":
        lines.append("Kontrakten betaler for succeser, dvs. også for deltagere, der ville have klaret sig uden "
                     "indsatsen (dødvægt)." if da else
                     "The contract pays for successes, so it also pays for participants who would have done well "
                     "without the intervention (deadweight).")
    return "\n".join(f"- {line}" for line in lines)
