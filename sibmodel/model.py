"""Deterministic evaluation of a case: savings per prevented case, present values, prices, contract cash flows.

All arrays run over programme years ``t = 0 .. T-1``; money is DKK (the case's currency) in the case's price
year, real terms. The equations are in ``docs/model.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .case import HOLDERS, Case
from .costs import Catalogue, PriceIndex, ResolvedItem, resolve_costs
from .i18n import label, unit
from .pricing import brentq
from .vectorised import evaluate_many, timelines


def _switching_relative_reduction(case: Case, items: list[ResolvedItem]) -> float | None:
    """Smallest relative reduction ``rr*`` in [0, 1] from which on the commissioner's NPV at the contract price
    stays >= 0 (for every ``rr >= rr*``); None where even ``rr = 1`` loses money.

    The NPV is piecewise linear in ``rr`` (kinks where a cap binds): it is evaluated on a grid of 401 points
    at once and the last crossing refined with Brent's method.
    """
    p0 = case.outcome.p0
    if p0 <= 0:
        return None
    path = "outcome.relative_reduction" if case.outcome.relative_reduction is not None else "outcome.treated_rate"

    def inputs(rr: np.ndarray) -> dict[str, np.ndarray]:
        return {path: rr if path.endswith("relative_reduction") else p0 * (1.0 - rr)}

    grid = np.linspace(0.0, 1.0, 401)
    values = evaluate_many(case, inputs(grid), grid.size, items=items)["commissioner_npv"]
    tol = 1e-9 * max(1.0, float(np.max(np.abs(values))))
    bad = np.flatnonzero(values < -tol)
    if bad.size == 0:
        return 0.0
    k = int(bad[-1])
    if k == grid.size - 1:
        return None
    if values[k + 1] <= 0:
        return float(grid[k + 1])
    f = lambda rr: float(evaluate_many(case, inputs(np.array([rr])), 1, items=items)["commissioner_npv"][0])  # noqa: E731
    fa, fb = f(grid[k]), f(grid[k + 1])
    if fa * fb > 0:  # the grid and the scalar evaluation disagree in the last digits: the grid point stands
        return float(grid[k + 1])
    return float(brentq(f, grid[k], grid[k + 1], xtol=1e-14, rtol=1e-14))


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
            "price": c.price,
            "total_payments": self.total_payments,
            "investor_irr": self.investor_irr,
            "investor_required_return": c.investor_required_return,
            "investor_moic": self.investor_moic,
            "investor_npv": self.investor_npv,
            "payback_year": self.payback_year,
            "commissioner_npv": self.commissioner_npv,
            "switching_relative_reduction": self.switching_relative_reduction,
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
    holders = pd.Index(HOLDERS, name="holder")
    per_case = [f[f"savings_per_case_{h}"] for h in HOLDERS]
    pv_by_holder = [f[f"pv_savings_{h}"] for h in HOLDERS]
    corridor = None if np.isnan(f["corridor_low"]) else (f["corridor_low"], f["corridor_high"])
    J = t["persistence"].size
    items_df = pd.DataFrame({
        "key": [it.key for it in items],
        "label_da": [it.label_da for it in items],
        "label_en": [it.label_en for it in items],
        "holder": [it.holder for it in items],
        "unit_cost": [it.unit_cost for it in items],
        "cashable": [it.cashable for it in items],
        "savings_per_case": [
            float(it.unit_cost * it.cashable * np.dot(it.quantity * t["persistence"], t["discount_factor"][:J]))
            for it in items
        ],
        "source": [it.source for it in items],
    })
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
            "investor_cash_flow", "discount_factor", "investor_discount_factor")}, index=years),
        items=items_df,
    )
