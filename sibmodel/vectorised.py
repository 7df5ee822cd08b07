"""The deterministic model over many input sets at once: arrays of draws, no Python loop per draw.

:func:`evaluate_many` takes a case and, for any of its real-valued inputs (dotted paths such as
``outcome.baseline_rate`` or ``costs_per_case.0.amount``), an array of values, one per draw; every other input
keeps its point value. It returns each key figure of :meth:`sibmodel.model.Result.key_figures` as an array
over draws (NaN where the scalar result is None). Arrays over years are laid out years x draws so that sums
over the short year axis are fast. Money is DKK (the case's currency) in the case's price year.
Draw by draw the figures equal ``evaluate()`` (the tests check this to 1e-9).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .case import HOLDERS, Case
from .costs import ResolvedItem, resolve_costs
from .discount import discount_factors
from .errors import CaseError, Problem
from .pricing import irr_many, payback_many

#: Key figures computed for every draw (``Result.key_figures`` without ``switching_relative_reduction``).
FIGURES: tuple[str, ...] = (
    "prevented_cases", "paid_outcomes", "savings_per_case", *(f"savings_per_case_{h}" for h in HOLDERS),
    "pv_savings", *(f"pv_savings_{h}" for h in HOLDERS), "pv_cost", "commissioner_max", "public_sector_max",
    "wrong_pocket_gap", "investor_min", "corridor_low", "corridor_high", "cofunding_per_outcome", "price",
    "total_payments", "investor_irr", "investor_required_return", "investor_moic", "investor_npv",
    "payback_year", "commissioner_npv",
)


def input_paths(case: Case) -> list[str]:
    """Every real-valued input of the case that may vary over draws (dotted paths)."""
    o, iv, c = case.outcome, case.intervention, case.contract
    paths = [f"cohort.participants.{e}" for e in range(len(case.cohort.participants))]
    paths += ["outcome.baseline_rate"]
    paths += ["outcome.relative_reduction"] if o.relative_reduction is not None else ["outcome.treated_rate"]
    if o.persistence is not None:
        paths += [f"outcome.persistence.{j}" for j in range(len(o.persistence))]
    elif o.drop_off is not None:
        paths += ["outcome.drop_off"]
    paths += [f"adjustments.{k}" for k in ("attribution", "displacement", "optimism_bias")]
    for i, ci in enumerate(case.costs_per_case):
        if ci.amount is not None:
            paths.append(f"costs_per_case.{i}.amount")
        if isinstance(ci.quantity, list):
            paths += [f"costs_per_case.{i}.quantity.{j}" for j in range(len(ci.quantity))]
        else:
            paths.append(f"costs_per_case.{i}.quantity")
        paths.append(f"costs_per_case.{i}.cashable")
    paths.append("intervention.cost_per_participant")
    if isinstance(iv.fixed_cost_per_year, list):
        paths += [f"intervention.fixed_cost_per_year.{k}" for k in range(len(iv.fixed_cost_per_year))]
    else:
        paths.append("intervention.fixed_cost_per_year")
    if not isinstance(case.discounting, str):
        paths.append("discounting")
    paths += ["contract.price"] + (["contract.cap"] if c.cap is not None else [])
    paths += ["contract.investor_share", "contract.investor_required_return"]
    return paths


def evaluate_many(case: Case, values: Mapping[str, Any] | None = None, n: int | None = None, *,
                  measured_rate: np.ndarray | None = None,
                  items: list[ResolvedItem] | None = None) -> dict[str, np.ndarray]:
    """Key figures for ``n`` draws at once.

    ``values`` maps dotted input paths to arrays of shape ``(n,)`` (or scalars). ``measured_rate``, shape
    ``(E, n)``, is the rate of the costly outcome *measured* in each enrolment year's treated cohort (evaluation
    noise): payments follow it, savings follow the true rate. Without it, payments follow the true rate.
    Payments never go below zero (a contract pays nothing for a measured effect below zero).
    """
    return _evaluate(case, values, n, measured_rate, items, tables=False)[0]


def timelines(case: Case, items: list[ResolvedItem] | None = None) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Point values: the key figures (NaN where none exists) and the arrays over years behind them.

    The arrays: ``savings_by_year`` (H, T), ``intervention_cost``, ``investor_financed``, ``commissioner_fee``,
    ``paid_outcomes``, ``outcome_payments``, ``investor_cash_flow``, ``discount_factor``,
    ``investor_discount_factor`` (T,), and ``persistence`` (J,). Money in DKK of the case's price year.
    """
    figures, tables = _evaluate(case, None, 1, None, items, tables=True)
    return {k: float(v[0]) for k, v in figures.items()}, tables


def _evaluate(case: Case, values: Mapping[str, Any] | None, n: int | None, measured_rate: np.ndarray | None,
              items: list[ResolvedItem] | None, tables: bool) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    values = dict(values or {})
    allowed = set(input_paths(case))
    unknown = [p for p in values if p not in allowed]
    if unknown:
        raise CaseError([Problem(p, "(draws)", "not a real-valued input of this case; allowed: " + ", ".join(sorted(allowed)))
                         for p in unknown])
    if n is None:
        sizes = {np.size(v) for v in values.values() if np.ndim(v)} | ({measured_rate.shape[1]} if measured_rate is not None else set())
        n = max(sizes) if sizes else 1
    items = items if items is not None else resolve_costs(case)

    def P(path: str, point: float) -> np.ndarray:
        """Values of one input over draws: shape (n,) if it varies, else (1,) (broadcasts)."""
        v = values.get(path)
        if v is None:
            return np.array([float(point)])
        return np.broadcast_to(np.asarray(v, dtype=float), (n,))

    def varies(*prefixes: str) -> bool:
        return any(k.startswith(prefixes) for k in values)

    def stack(arrays: list[np.ndarray]) -> np.ndarray:
        return np.stack(np.broadcast_arrays(*arrays))

    o, iv, c = case.outcome, case.intervention, case.contract
    H = len(HOLDERS)
    J, L, E, D = o.horizon_years, o.onset_lag_years, len(case.cohort.participants), iv.delivery_years
    participants = stack([P(f"cohort.participants.{e}", x) for e, x in enumerate(case.cohort.participants)])  # (E, n|1)
    if isinstance(iv.fixed_cost_per_year, list):
        fixed = stack([P(f"intervention.fixed_cost_per_year.{k}", x) for k, x in enumerate(iv.fixed_cost_per_year)])
    else:
        fixed = np.repeat(P("intervention.fixed_cost_per_year", iv.fixed_cost_per_year)[None, :], E, axis=0)
    F = fixed.shape[0]
    T = max(E + L + J - 1, E - 1 + D, E + c.payment_lag_years, F)

    # persistence (J, n|1) and consequence costs per case by holder and relative year (H, J, n|1);
    # width 1 where nothing in them varies over draws
    if o.persistence is not None:
        persistence = np.zeros((J, n if varies("outcome.persistence.") else 1))
        for j, x in enumerate(o.persistence):
            persistence[j] = P(f"outcome.persistence.{j}", x)
    elif "outcome.drop_off" in values:
        persistence = np.ones((J, n))
        keep = 1.0 - P("outcome.drop_off", 0.0)
        for j in range(1, J):
            persistence[j] = persistence[j - 1] * keep
    else:
        persistence = ((1.0 - (o.drop_off or 0.0)) ** np.arange(J))[:, None]
    unit = np.zeros((H, J, n if varies("costs_per_case.") else 1))
    for i, (ci, it) in enumerate(zip(case.costs_per_case, items)):
        uc = P(f"costs_per_case.{i}.amount", it.unit_cost) if ci.amount is not None else np.array([it.unit_cost])
        w = uc * P(f"costs_per_case.{i}.cashable", it.cashable)
        if isinstance(ci.quantity, list):
            q = np.zeros((J, unit.shape[2]))
            for j, x in enumerate(ci.quantity):
                q[j] = P(f"costs_per_case.{i}.quantity.{j}", x)
        else:
            mask = (np.arange(J) < (J if ci.years is None else min(ci.years, J))).astype(float)
            q = mask[:, None] * P(f"costs_per_case.{i}.quantity", ci.quantity)[None, :]
        unit[HOLDERS.index(it.holder)] += w[None, :] * q
    flows = unit * persistence[None]

    # intervention cost by programme year (T, n)
    cost = np.zeros((T, max(participants.shape[1], fixed.shape[1], n if "intervention.cost_per_participant" in values else 1)))
    per_year = participants * P("intervention.cost_per_participant", iv.cost_per_participant) / D
    for d in range(D):
        cost[d: d + E] += per_year
    cost[:F] += fixed

    # discount factors (T, n) or (T, 1)
    if isinstance(case.discounting, str) or "discounting" not in values:
        df = discount_factors(case.discounting, T)[:, None]
    else:
        r = P("discounting", case.discounting)
        growth = np.cumprod(np.broadcast_to(1.0 + r, (max(T - 1, 0), n)), axis=0)
        df = np.concatenate((np.ones((1, n)), 1.0 / growth))[:T]
    ri = P("contract.investor_required_return", c.investor_required_return)
    if "contract.investor_required_return" in values:
        dfi = np.ones((T, n))
        step = 1.0 / (1.0 + ri)
        for t in range(1, T):
            dfi[t] = dfi[t - 1] * step
    else:
        dfi = ((1.0 + ri[0]) ** -np.arange(T, dtype=float))[:, None]

    # outcome and prevented cases
    p0 = P("outcome.baseline_rate", o.baseline_rate)
    if o.treated_rate is not None:
        p1 = P("outcome.treated_rate", o.treated_rate)
    else:
        p1 = p0 * (1.0 - P("outcome.relative_reduction", o.relative_reduction))
    adj = (P("adjustments.attribution", case.adjustments.attribution)
           * (1.0 - P("adjustments.displacement", case.adjustments.displacement))
           * (1.0 - P("adjustments.optimism_bias", case.adjustments.optimism_bias)))
    prevented = participants * (p0 - p1) * adj                                        # (E, n)

    dfs = df
    per_case = (flows * df[None, :J]).sum(axis=1)                                     # (H, n|1)
    pv_h = np.zeros((H, n))
    for e in range(E):
        pv_h += prevented[e] * (flows * df[None, L + e: L + e + J]).sum(axis=1)

    # what the contract pays for: the true rate, or the measured one
    rate = p1[None, :] if measured_rate is None else np.asarray(measured_rate, dtype=float)
    per = (p0[None, :] - rate) if c.metric == "prevented_case" else (1.0 - rate)
    per = np.broadcast_to(per, (E, n))
    paid = np.zeros((T, n))
    lag = c.payment_lag_years
    paid[lag: lag + E] = participants * np.maximum(per, 0.0)
    price = P("contract.price", c.price)
    payments = price * paid
    if c.cap is not None:
        cap = P("contract.cap", c.cap)
        payments = np.diff(np.minimum(np.cumsum(payments, axis=0), cap), axis=0, prepend=0.0)
    share = P("contract.investor_share", c.investor_share)
    financed = share * cost
    fee = cost - financed
    investor = payments - financed

    payers = np.isin(HOLDERS, c.payers)
    pv_paid = (paid * dfs).sum(axis=0)
    pv_fee = (fee * dfs).sum(axis=0)
    pv_payers = pv_h[payers].sum(axis=0)
    pv_all = pv_h.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ok = pv_paid > 0
        commissioner_max = np.where(ok, (pv_payers - pv_fee) / pv_paid, np.nan)
        public_sector_max = np.where(ok, (pv_all - pv_fee) / pv_paid, np.nan)
        pv_paid_ri = (paid * dfi).sum(axis=0)
        investor_min = np.where(pv_paid_ri > 0, (financed * dfi).sum(axis=0) / pv_paid_ri, np.nan)
        investor_min = np.maximum(investor_min, 0.0) + 0.0
        financed_total = financed.sum(axis=0)
        total_payments = payments.sum(axis=0)
        moic = np.where(financed_total > 0, total_payments / financed_total, np.nan)
    # a ratio over a vanishing denominator has no finite value: it does not exist (NaN, None in a Result);
    # below 1e300 their differences (wrong-pocket gap, co-funding) stay finite too
    commissioner_max, public_sector_max, investor_min, moic = (
        np.where(np.abs(a) < 1e300, a, np.nan) for a in (commissioner_max, public_sector_max, investor_min, moic))
    exists = investor_min <= commissioner_max            # False where either is NaN
    both = np.isfinite(investor_min) & np.isfinite(commissioner_max)

    out: dict[str, np.ndarray] = {
        "prevented_cases": participants.sum(axis=0) * (p0 - p1) * adj,
        "paid_outcomes": paid.sum(axis=0),
        "savings_per_case": per_case.sum(axis=0),
        **{f"savings_per_case_{h}": per_case[k] for k, h in enumerate(HOLDERS)},
        "pv_savings": pv_all,
        **{f"pv_savings_{h}": pv_h[k] for k, h in enumerate(HOLDERS)},
        "pv_cost": (cost * dfs).sum(axis=0),
        "commissioner_max": commissioner_max,
        "public_sector_max": public_sector_max,
        "wrong_pocket_gap": public_sector_max - commissioner_max,
        "investor_min": investor_min,
        "corridor_low": np.where(exists, investor_min, np.nan),
        "corridor_high": np.where(exists, commissioner_max, np.nan),
        "cofunding_per_outcome": np.where(both, np.where(exists, 0.0, investor_min - commissioner_max), np.nan),
        "price": np.array(price, dtype=float),
        "total_payments": total_payments,
        "investor_irr": irr_many(investor.T),
        "investor_required_return": np.array(ri, dtype=float),
        "investor_moic": moic,
        "investor_npv": (investor * dfi).sum(axis=0),
        "payback_year": payback_many(investor.T),
        "commissioner_npv": pv_payers - (payments * dfs).sum(axis=0) - pv_fee,
    }
    figures = {k: v if v.shape == (n,) else np.broadcast_to(v, (n,)).copy() for k, v in out.items()}
    if not tables:
        return figures, None
    first = lambda a: np.broadcast_to(a, (a.shape[0], n))[:, 0].copy()  # noqa: E731  (years x draws -> draw 0)
    savings = np.zeros((H, T))
    for e in range(E):
        savings[:, L + e: L + e + J] += prevented[e, 0] * flows[:, :, 0]
    return figures, {
        "savings_by_year": savings,
        "intervention_cost": first(cost), "investor_financed": first(financed), "commissioner_fee": first(fee),
        "paid_outcomes": first(paid), "outcome_payments": first(payments), "investor_cash_flow": first(investor),
        "discount_factor": first(dfs), "investor_discount_factor": first(dfi), "persistence": first(persistence),
    }
