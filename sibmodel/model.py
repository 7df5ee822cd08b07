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
from .discount import discount_factors
from .labels import label, unit
from .pricing import break_even_price, brentq, cap_payments, constant_factors, irr, payback_year, present_value


@dataclass(frozen=True)
class _Arrays:
    """The numbers a case stands on, ready for vectorised evaluation."""

    participants: np.ndarray      # (E,) enrolled per programme year
    p0: float
    adjustment: float             # attribution * (1 - displacement) * (1 - optimism_bias)
    lag: int                      # onset lag L
    flows: np.ndarray             # (H, J) cost per case by holder and relative year, times persistence
    persistence: np.ndarray       # (J,) probability a prevented case is still prevented in relative year j
    horizon: int                  # T, number of programme years on the timeline
    cost: np.ndarray              # (T,) intervention cost by programme year
    df: np.ndarray                # (T,) public discount factors
    df_investor: np.ndarray       # (T,) investor discount factors
    payers: np.ndarray            # (H,) bool
    metric: str
    price: float
    payment_lag: int
    cap: float | None
    share: float


def _arrays(case: Case, items: list[ResolvedItem]) -> _Arrays:
    o, iv, c = case.outcome, case.intervention, case.contract
    J, L, E = o.horizon_years, o.onset_lag_years, len(case.cohort.participants)
    participants = np.asarray(case.cohort.participants, dtype=float)
    fixed = np.asarray(iv.fixed_cost_per_year if isinstance(iv.fixed_cost_per_year, list)
                       else [iv.fixed_cost_per_year] * E, dtype=float)
    T = max(E + L + J - 1, E - 1 + iv.delivery_years, E + c.payment_lag_years, fixed.size)

    if o.persistence is not None:
        persistence = np.zeros(J)
        persistence[: len(o.persistence)] = o.persistence
    else:
        persistence = (1.0 - (o.drop_off or 0.0)) ** np.arange(J)

    unit = np.zeros((len(HOLDERS), J))
    for it in items:
        unit[HOLDERS.index(it.holder)] += it.unit_cost * it.cashable * it.quantity

    cost = np.zeros(T)
    per_year = participants * iv.cost_per_participant / iv.delivery_years
    for d in range(iv.delivery_years):
        cost[d: d + E] += per_year
    cost[: fixed.size] += fixed
    return _Arrays(
        participants=participants, p0=o.p0, adjustment=case.adjustments.factor, lag=L,
        flows=unit * persistence, persistence=persistence, horizon=T, cost=cost,
        df=discount_factors(case.discounting, T), df_investor=constant_factors(c.investor_required_return, T),
        payers=np.isin(HOLDERS, c.payers), metric=c.metric, price=c.price, payment_lag=c.payment_lag_years,
        cap=c.cap, share=c.investor_share,
    )


def _savings_by_year(a: _Arrays, p1: float) -> np.ndarray:
    """(H, T) undiscounted savings by holder and programme year: prevented[e] * flows[h, t - e - L]."""
    prevented = a.participants * (a.p0 - p1) * a.adjustment
    E, J = prevented.size, a.flows.shape[1]
    out = np.zeros((a.flows.shape[0], a.horizon))
    for h in range(a.flows.shape[0]):
        out[h, a.lag: a.lag + E + J - 1] = np.convolve(prevented, a.flows[h])
    return out


def _paid_by_year(a: _Arrays, p1: float) -> np.ndarray:
    per = (a.p0 - p1) if a.metric == "prevented_case" else (1.0 - p1)
    paid = np.zeros(a.horizon)
    paid[a.payment_lag: a.payment_lag + a.participants.size] = a.participants * per
    return paid


def _commissioner_npv(a: _Arrays, p1: float) -> float:
    savings = _savings_by_year(a, p1)[a.payers].sum(axis=0)
    payments = cap_payments(a.price * _paid_by_year(a, p1), a.cap)
    fee = (1.0 - a.share) * a.cost
    return present_value(savings - payments - fee, a.df)


def _switching_relative_reduction(a: _Arrays) -> float | None:
    """Smallest relative reduction ``rr*`` in [0, 1] from which on the commissioner's NPV at the contract price
    stays >= 0 (for every ``rr >= rr*``); None where even ``rr = 1`` loses money.

    The NPV is piecewise linear in ``rr`` (kinks where a cap binds): it is evaluated on a grid of 401 points
    at once and the last crossing refined with Brent's method.
    """
    if a.p0 <= 0:
        return None
    grid = np.linspace(0.0, 1.0, 401)
    p1 = a.p0 * (1.0 - grid)
    # Savings are proportional to rr (p0 - p1 = p0 * rr); payments are capped row by row.
    pv_savings_full = float(_savings_by_year(a, 0.0)[a.payers].sum(axis=0) @ a.df)
    per = np.outer(a.p0 - p1 if a.metric == "prevented_case" else 1.0 - p1, a.participants)
    paid = np.zeros((grid.size, a.horizon))
    paid[:, a.payment_lag: a.payment_lag + a.participants.size] = per
    payments = a.price * paid
    if a.cap is not None:
        payments = np.diff(np.minimum(np.cumsum(payments, axis=1), a.cap), axis=1, prepend=0.0)
    values = grid * pv_savings_full - payments @ a.df - present_value((1.0 - a.share) * a.cost, a.df)
    tol = 1e-9 * max(1.0, float(np.max(np.abs(values))))
    bad = np.flatnonzero(values < -tol)
    if bad.size == 0:
        return 0.0
    k = int(bad[-1])
    if k == grid.size - 1:
        return None
    if values[k + 1] <= 0:
        return float(grid[k + 1])
    f = lambda rr: _commissioner_npv(a, a.p0 * (1.0 - rr))  # noqa: E731
    if f(grid[k]) * f(grid[k + 1]) > 0:  # NPV within rounding of 0 (e.g. at the break-even price): no finer root
        return float(grid[k + 1])
    return float(brentq(f, grid[k], grid[k + 1], xtol=1e-14, rtol=1e-14))


@dataclass(frozen=True)
class Result:
    """Everything ``evaluate`` computes for one case (DKK in the case's price year). See DESIGN "Results"."""

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
        """Key figures as a tidy table: name, labels (Danish and English, or one ``lang``), value, unit."""
        rows = [
            {"name": k, "label_da": label(k, "da"), "label_en": label(k, "en"), "value": v,
             "unit": unit(k, self.case.currency)}
            for k, v in self.key_figures().items()
        ]
        df = pd.DataFrame(rows)
        df["value"] = pd.Series([r["value"] for r in rows], dtype=object)  # None stays None, not NaN
        if lang is None:
            return df
        if lang not in ("da", "en"):
            raise ValueError(f"lang = {lang!r}: allowed: 'da', 'en'")
        return df.rename(columns={f"label_{lang}": "label"})[["name", "label", "value", "unit"]]


def evaluate(case: Case, catalogue: Catalogue | None = None, index: PriceIndex | None = None) -> Result:
    """Evaluate a case deterministically (point values). Raises :class:`CaseError` for unknown catalogue keys
    or price years the index lacks."""
    items = resolve_costs(case, catalogue, index)
    a = _arrays(case, items)
    p1 = case.outcome.p1
    T = a.horizon
    years = pd.RangeIndex(T, name="year")

    savings = _savings_by_year(a, p1)
    pv_by_holder = savings @ a.df
    per_case = a.flows @ a.df[: a.flows.shape[1]]
    paid = _paid_by_year(a, p1)
    payments = cap_payments(a.price * paid, a.cap)
    financed = a.share * a.cost
    fee = a.cost - financed
    investor = payments - financed

    pv_paid = present_value(paid, a.df)
    pv_fee = present_value(fee, a.df)
    commissioner_max = break_even_price(float(pv_by_holder[a.payers].sum()), pv_fee, pv_paid)
    public_sector_max = break_even_price(float(pv_by_holder.sum()), pv_fee, pv_paid)
    pv_financed_ri = present_value(financed, a.df_investor)
    investor_min = break_even_price(pv_financed_ri, 0.0, present_value(paid, a.df_investor))
    if investor_min is not None:
        investor_min = max(investor_min, 0.0) + 0.0
    corridor = cofunding = None
    if investor_min is not None and commissioner_max is not None:
        if investor_min <= commissioner_max:
            corridor, cofunding = (investor_min, commissioner_max), 0.0
        else:
            cofunding = investor_min - commissioner_max

    financed_total = float(financed.sum())
    items_df = pd.DataFrame({
        "key": [it.key for it in items],
        "label_da": [it.label_da for it in items],
        "label_en": [it.label_en for it in items],
        "holder": [it.holder for it in items],
        "unit_cost": [it.unit_cost for it in items],
        "cashable": [it.cashable for it in items],
        "savings_per_case": [
            float(it.unit_cost * it.cashable * np.dot(it.quantity * a.persistence, a.df[: a.persistence.size]))
            for it in items
        ],
        "source": [it.source for it in items],
    })
    return Result(
        case=case,
        prevented_cases=float(a.participants.sum() * (a.p0 - p1) * a.adjustment),
        paid_outcomes=float(paid.sum()),
        savings_per_case=float(per_case.sum()),
        savings_per_case_by_holder=pd.Series(per_case, index=pd.Index(HOLDERS, name="holder"), name="savings_per_case"),
        pv_savings=float(pv_by_holder.sum()),
        pv_savings_by_holder=pd.Series(pv_by_holder, index=pd.Index(HOLDERS, name="holder"), name="pv_savings"),
        pv_cost=present_value(a.cost, a.df),
        commissioner_max=commissioner_max,
        public_sector_max=public_sector_max,
        investor_min=investor_min,
        corridor=corridor,
        cofunding_per_outcome=cofunding,
        total_payments=float(payments.sum()),
        investor_irr=irr(investor),
        investor_moic=float(payments.sum()) / financed_total if financed_total > 0 else None,
        investor_npv=present_value(investor, a.df_investor),
        payback_year=payback_year(investor),
        commissioner_npv=_commissioner_npv(a, p1),
        switching_relative_reduction=_switching_relative_reduction(a),
        savings_by_year=pd.DataFrame(savings.T, index=years, columns=pd.Index(HOLDERS, name="holder")),
        cash_flows=pd.DataFrame({
            "intervention_cost": a.cost,
            "investor_financed": financed,
            "commissioner_fee": fee,
            "paid_outcomes": paid,
            "outcome_payments": payments,
            "investor_cash_flow": investor,
            "discount_factor": a.df,
            "investor_discount_factor": a.df_investor,
        }, index=years),
        items=items_df,
    )

