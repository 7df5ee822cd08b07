"""Deterministic evaluation of a case: savings per prevented case, present values, prices, contract cash flows.

All arrays run over programme years ``t = 0 .. T-1``; money is DKK (the case's currency) in the case's price
year, real terms. The equations are in ``docs/model.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .case import Case
from .costs import Catalogue, PriceIndex, ResolvedItem, resolve_costs
from .i18n import label, unit
from .switching import lowest_safe_value
from .vectorised import evaluate_many, timelines

def _switching_relative_reduction(case: Case, items: list[ResolvedItem]) -> float | None:
    """Smallest relative reduction ``rr*`` in [0, 1] from which on the commissioner's NPV at the contract price
    stays >= 0 (for every ``rr >= rr*``); None where even ``rr = 1`` loses money (see
    :func:`sibmodel.switching.lowest_safe_value`)."""
    p0 = case.outcome.p0
    if p0 <= 0:
        return None
    path = "outcome.relative_reduction" if case.outcome.relative_reduction is not None else "outcome.treated_rate"
    to_input = (lambda rr: rr) if path.endswith("relative_reduction") else (lambda rr: p0 * (1.0 - rr))  # noqa: E731

    def figure(rr: np.ndarray) -> np.ndarray:
        return evaluate_many(case, {path: to_input(rr)}, rr.size, items=items)["commissioner_npv"]

    return lowest_safe_value(figure, 0.0, 1.0)


@dataclass(frozen=True)
class Result:
    """Everything ``evaluate`` computes for one case (DKK in the case's price year)."""

    case: Case
    prevented_cases: float
    paid_outcomes: float
    savings_per_case: float
    savings_per_case_by_holder: pd.Series
    pv_savings: float
    pv_savings_by_holder: pd.Series
    pv_cost: float
    commissioner_max: float | None
    public_sector_max: float | None
    investor_min: float | None
    corridor: tuple[float, float] | None
    cofunding_per_outcome: float | None
    total_payments: float
    investor_irr: float | None
    investor_moic: float | None
    investor_npv: float
    payback_year: int | None
    commissioner_npv: float
    switching_relative_reduction: float | None
    savings_by_year: pd.DataFrame
    cash_flows: pd.DataFrame
    items: pd.DataFrame = field(repr=False)
    # design v2: perspectives, the rate card's break-even scales, threshold, co-payers, guarantee
    societal_max: float | None = None
    pv_savings_public: float = 0.0
    benefit_cost_ratio: float | None = None
    public_benefit_cost_ratio: float | None = None
    commissioner_max_scale: float | None = None
    public_sector_max_scale: float | None = None
    societal_max_scale: float | None = None
    investor_min_scale: float | None = None
    corridor_scale: tuple[float, float] | None = None
    break_even_prices: pd.DataFrame | None = field(default=None, repr=False)
    paid_outcomes_by_row: pd.Series | None = field(default=None, repr=False)
    cohorts_paid: float = 1.0
    co_payer_payments: float = 0.0
    guarantee_paid: float = 0.0
    holder_perspectives: pd.Series | None = field(default=None, repr=False)

    @property
    def wrong_pocket_gap(self) -> float | None:
        """``public_sector_max - commissioner_max``: value per outcome that falls to other budgets (DKK)."""
        if self.public_sector_max is None or self.commissioner_max is None:
            return None
        return self.public_sector_max - self.commissioner_max

    def key_figures(self) -> dict[str, Any]:
        """The scalar results by name (holders expanded as ``name_<holder>``)."""
        c = self.case.contract
        out: dict[str, Any] = {
            "prevented_cases": self.prevented_cases,
            "paid_outcomes": self.paid_outcomes,
            "savings_per_case": self.savings_per_case,
            **{f"savings_per_case_{h}": float(v) for h, v in self.savings_per_case_by_holder.items()},
            "pv_savings": self.pv_savings,
            **{f"pv_savings_{h}": float(v) for h, v in self.pv_savings_by_holder.items()},
            "pv_cost": self.pv_cost,
            "commissioner_max": self.commissioner_max,
            "public_sector_max": self.public_sector_max,
            "wrong_pocket_gap": self.wrong_pocket_gap,
            "investor_min": self.investor_min,
            "corridor_low": self.corridor[0] if self.corridor else None,
            "corridor_high": self.corridor[1] if self.corridor else None,
            "cofunding_per_outcome": self.cofunding_per_outcome,
            "price": self.break_even_prices["price"].iloc[0] if len(c.rows()) == 1 else None,
            "total_payments": self.total_payments,
            "investor_irr": self.investor_irr,
            "investor_required_return": c.real_required_return,
            "investor_moic": self.investor_moic,
            "investor_npv": self.investor_npv,
            "payback_year": self.payback_year,
            "commissioner_npv": self.commissioner_npv,
            "switching_relative_reduction": self.switching_relative_reduction,
            "pv_savings_public": self.pv_savings_public,
            "societal_max": self.societal_max,
            "benefit_cost_ratio": self.benefit_cost_ratio,
            "public_benefit_cost_ratio": self.public_benefit_cost_ratio,
            "commissioner_max_scale": self.commissioner_max_scale,
            "public_sector_max_scale": self.public_sector_max_scale,
            "societal_max_scale": self.societal_max_scale,
            "investor_min_scale": self.investor_min_scale,
            "corridor_scale_low": self.corridor_scale[0] if self.corridor_scale else None,
            "corridor_scale_high": self.corridor_scale[1] if self.corridor_scale else None,
            "cohorts_paid": self.cohorts_paid,
            "co_payer_payments": self.co_payer_payments,
            "guarantee_paid": self.guarantee_paid,
        }
        return out

    def summary(self, lang: str | None = None) -> pd.DataFrame:
        """Key figures as a tidy table: name, labels (Danish and English, or one ``lang``), value (unformatted;
        None where a figure does not exist), unit (English without ``lang``). See ``sibmodel.tables`` for the
        formatted table readers see."""
        from .i18n import check_lang

        words = "en" if lang is None else check_lang(lang)
        rows = [
            {"name": k, "label_da": label(k, "da"), "label_en": label(k, "en"), "value": v,
             "unit": unit(k, words, self.case.currency)}
            for k, v in self.key_figures().items()
        ]
        df = pd.DataFrame(rows)
        df["value"] = pd.Series([r["value"] for r in rows], dtype=object)  # None stays None, not NaN
        if lang is None:
            return df
        return df.rename(columns={f"label_{lang}": "label"})[["name", "label", "value", "unit"]]


def _none(x: float) -> float | None:
    """A figure that does not exist is None, never NaN."""
    return None if np.isnan(x) else x


def evaluate(case: Case, catalogue: Catalogue | None = None, index: PriceIndex | None = None) -> Result:
    """Evaluate a case deterministically (point values). Raises :class:`CaseError` for unknown catalogue keys
    or price years the index lacks.

    The arithmetic is the vectorised core's (:mod:`sibmodel.vectorised`) for one draw at the point values."""
    items = resolve_costs(case, catalogue, index)
    f, t = timelines(case, items)
    years = pd.RangeIndex(t["intervention_cost"].size, name="year")
    names = list(t["holders"])
    holders = pd.Index(names, name="holder")
    perspectives = case.holder_perspectives()
    per_case = [f[f"savings_per_case_{h}"] for h in names]
    pv_by_holder = [f[f"pv_savings_{h}"] for h in names]
    corridor = None if np.isnan(f["corridor_low"]) else (f["corridor_low"], f["corridor_high"])
    corridor_scale = None if np.isnan(f["corridor_scale_low"]) else (f["corridor_scale_low"], f["corridor_scale_high"])
    J = t["persistence"].size
    items_df = pd.DataFrame({
        "key": [it.key for it in items],
        "label_da": [it.label_da for it in items],
        "label_en": [it.label_en for it in items],
        "holder": [it.holder for it in items],
        "direction": ["incurred" if it.sign < 0 else "avoided" for it in items],
        "unit_cost": [it.unit_cost for it in items],
        "cashable": [it.cashable for it in items],
        "savings_per_case": [
            float(it.sign * it.unit_cost * it.cashable * np.dot(it.quantity * t["persistence"], t["discount_factor"][:J]))
            for it in items
        ],
        "source": [it.source for it in items],
    })
    rows = case.contract.rows()
    keys = pd.Index([r.key for r in rows], name="row")
    one = len(rows) == 1
    scales = {"commissioner_max": f["commissioner_max_scale"], "public_sector_max": f["public_sector_max_scale"],
              "societal_max": f["societal_max_scale"], "investor_min": f["investor_min_scale"]}
    prices = np.array([r.price for r in rows])
    be = pd.DataFrame({"label": [r.label for r in rows], "pays": [r.pays for r in rows],
                       "year": [r.year for r in rows], "price": prices}, index=keys)
    for name, scale in scales.items():
        # one row: the v1 break-even price (defined even at a price of 0); several: the scale times each price
        be[name] = [f[name]] if one else scale * prices
    be = be.astype({k: float for k in scales}).replace({np.nan: None})
    payback = _none(f["payback_year"])
    return Result(
        case=case,
        prevented_cases=f["prevented_cases"],
        paid_outcomes=f["paid_outcomes"],
        savings_per_case=f["savings_per_case"],
        savings_per_case_by_holder=pd.Series(per_case, index=holders, name="savings_per_case"),
        pv_savings=f["pv_savings"],
        pv_savings_by_holder=pd.Series(pv_by_holder, index=holders, name="pv_savings"),
        pv_cost=f["pv_cost"],
        commissioner_max=_none(f["commissioner_max"]),
        public_sector_max=_none(f["public_sector_max"]),
        investor_min=_none(f["investor_min"]),
        corridor=corridor,
        cofunding_per_outcome=_none(f["cofunding_per_outcome"]),
        total_payments=f["total_payments"],
        investor_irr=_none(f["investor_irr"]),
        investor_moic=_none(f["investor_moic"]),
        investor_npv=f["investor_npv"],
        payback_year=None if payback is None else int(payback),
        commissioner_npv=f["commissioner_npv"],
        switching_relative_reduction=_switching_relative_reduction(case, items),
        savings_by_year=pd.DataFrame(t["savings_by_year"].T, index=years, columns=holders),
        cash_flows=pd.DataFrame({k: t[k] for k in (
            "intervention_cost", "investor_financed", "commissioner_fee", "paid_outcomes", "outcome_payments",
            "investor_cash_flow", "discount_factor", "investor_discount_factor", "co_payer_payments",
            "commissioner_payments", "intermediary_fees_commissioner", "intermediary_fees_investor", "guarantee")},
            index=years),
        items=items_df,
        societal_max=_none(f["societal_max"]),
        pv_savings_public=f["pv_savings_public"],
        benefit_cost_ratio=_none(f["benefit_cost_ratio"]),
        public_benefit_cost_ratio=_none(f["public_benefit_cost_ratio"]),
        commissioner_max_scale=_none(f["commissioner_max_scale"]),
        public_sector_max_scale=_none(f["public_sector_max_scale"]),
        societal_max_scale=_none(f["societal_max_scale"]),
        investor_min_scale=_none(f["investor_min_scale"]),
        corridor_scale=corridor_scale,
        break_even_prices=be,
        paid_outcomes_by_row=pd.Series(t["paid_by_row"].sum(axis=1), index=keys, name="paid_outcomes"),
        cohorts_paid=f["cohorts_paid"],
        co_payer_payments=f["co_payer_payments"],
        guarantee_paid=f["guarantee_paid"],
        holder_perspectives=pd.Series([perspectives[h] for h in names], index=holders, name="perspective"),
    )
