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

from .case import Case, real_rate
from .holders import HOLDERS
from .costs import ResolvedItem, resolve_costs
from .discount import discount_factors
from .errors import CaseError, Problem
from .pricing import irr_many, payback_many
from .rates import relative_reduction, treated_rate  # noqa: F401  (re-exported)

#: Key figures computed for every draw (``Result.key_figures`` without ``switching_relative_reduction``); a case
#: with holders beyond kommune, region and stat adds ``savings_per_case_<h>`` and ``pv_savings_<h>`` for each
#: (see :func:`figure_names`).
FIGURES: tuple[str, ...] = (
    "prevented_cases", "paid_outcomes", "savings_per_case", *(f"savings_per_case_{h}" for h in HOLDERS),
    "pv_savings", *(f"pv_savings_{h}" for h in HOLDERS), "pv_cost", "commissioner_max", "public_sector_max",
    "wrong_pocket_gap", "investor_min", "corridor_low", "corridor_high", "cofunding_per_outcome", "price",
    "total_payments", "investor_irr", "investor_required_return", "investor_moic", "investor_npv",
    "payback_year", "commissioner_npv",
    # design v2: perspectives, the card's break-even scales, threshold, co-payers, guarantee
    "pv_savings_public", "societal_max", "benefit_cost_ratio", "public_benefit_cost_ratio",
    "commissioner_max_scale", "public_sector_max_scale", "societal_max_scale", "investor_min_scale",
    "corridor_scale_low", "corridor_scale_high", "cohorts_paid", "co_payer_payments", "guarantee_paid",
)


def figure_names(case: Case, items: list[ResolvedItem] | None = None) -> tuple[str, ...]:
    """:data:`FIGURES` plus the per-holder figures of holders beyond kommune, region and stat in this case."""
    names = case.holder_names(None if items is None else [it.holder for it in items])
    extra = [h for h in names if h not in HOLDERS]
    return FIGURES + tuple(f"savings_per_case_{h}" for h in extra) + tuple(f"pv_savings_{h}" for h in extra)


#: A measured relative reduction meets the threshold if it is at least ``threshold - THRESHOLD_TOL`` (so that a
#: reduction equal to the threshold on paper is not lost to rounding).
THRESHOLD_TOL = 1e-12


def cap_total(payments: np.ndarray, cap: Any) -> np.ndarray:
    """Payments by year (years x draws) with the total capped at ``cap``: the latest payments are cut first."""
    return np.diff(np.minimum(np.cumsum(payments, axis=0), cap), axis=0, prepend=0.0)


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
    if c.outcomes is None:
        paths.append("contract.price")
    else:
        for i, r in enumerate(c.outcomes):
            paths.append(f"contract.outcomes.{i}.price")
            if r.pays == "own":
                paths += [f"contract.outcomes.{i}.treated_rate"] + (
                    [f"contract.outcomes.{i}.baseline_rate"] if r.baseline_rate is not None else [])
    paths += ["contract.threshold"] if c.threshold is not None else []
    paths += ["contract.cap"] if c.cap is not None else []
    paths += ["contract.cap_per_participant"] if c.cap_per_participant is not None else []
    paths += ["contract.guarantee.amount"] if c.guarantee is not None else []
    paths += ["contract.investor_share", "contract.investor_required_return"]
    return paths


def evaluate_many(case: Case, values: Mapping[str, Any] | None = None, n: int | None = None, *,
                  measured_rate: np.ndarray | None = None, items: list[ResolvedItem] | None = None,
                  scale: Any = None) -> dict[str, np.ndarray]:
    """Key figures for ``n`` draws at once.

    ``values`` maps dotted input paths to arrays of shape ``(n,)`` (or scalars). ``measured_rate``, shape
    ``(E, n)``, is the rate of the costly outcome *measured* in each enrolment year's treated cohort (evaluation
    noise): payments and the threshold follow it, savings follow the true rate. Without it, payments follow the
    true rate. Payments never go below zero (a contract pays nothing for a measured effect below zero).
    ``scale`` (a number or an array over draws) multiplies every price of the card (acceptability over the
    card's scale); the break-even scales stay relative to the card as written.
    """
    return _evaluate(case, values, n, measured_rate, items, tables=False, scale=scale)[0]


def timelines(case: Case, items: list[ResolvedItem] | None = None) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Point values: the key figures (NaN where none exists) and the arrays over years behind them.

    The arrays: ``savings_by_year`` (H, T) with ``holders`` (their names), ``intervention_cost``,
    ``investor_financed``, ``commissioner_fee``, ``paid_outcomes``, ``outcome_payments``, ``investor_cash_flow``,
    ``discount_factor``, ``investor_discount_factor``, ``co_payer_payments``, ``commissioner_payments``,
    ``intermediary_fees_commissioner``, ``intermediary_fees_investor``, ``guarantee`` (T,), ``paid_by_row``
    (K, T) and ``persistence`` (J,). Money in DKK of the case's price year.
    """
    figures, tables = _evaluate(case, None, 1, None, items, tables=True)
    return {k: float(v[0]) for k, v in figures.items()}, tables


def _evaluate(case: Case, values: Mapping[str, Any] | None, n: int | None, measured_rate: np.ndarray | None,
              items: list[ResolvedItem] | None, tables: bool,
              scale: Any = None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    values = dict(values or {})
    allowed = set(input_paths(case))
    unknown = [p for p in values if p not in allowed]
    if unknown:
        raise CaseError([Problem(p, "(draws)", "not a real-valued input of this case; allowed: " + ", ".join(sorted(allowed)))
                         for p in unknown])
    if n is None:
        sizes = {np.size(v) for v in values.values() if np.ndim(v)} | ({measured_rate.shape[1]} if measured_rate is not None else set())
        sizes |= {np.size(scale)} if np.ndim(scale) else set()
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
    names = case.holder_names([it.holder for it in items])
    perspective = case.holder_perspectives()
    public = np.array([perspective[h] == "public" for h in names])
    H = len(names)
    rows = c.rows()
    K = len(rows)
    J, L, E, D = o.horizon_years, o.onset_lag_years, len(case.cohort.participants), iv.delivery_years
    lag = c.payment_lag_years
    participants = stack([P(f"cohort.participants.{e}", x) for e, x in enumerate(case.cohort.participants)])  # (E, n|1)
    if isinstance(iv.fixed_cost_per_year, list):
        fixed = stack([P(f"intervention.fixed_cost_per_year.{k}", x) for k, x in enumerate(iv.fixed_cost_per_year)])
    else:
        fixed = np.repeat(P("intervention.fixed_cost_per_year", iv.fixed_cost_per_year)[None, :], E, axis=0)
    F = fixed.shape[0]
    fee_rows = [(f.paid_by, np.asarray(f.amount if isinstance(f.amount, list) else [f.amount] * E, dtype=float))
                for f in c.fees or []]
    last_row_year = max(r.year for r in rows)
    T = max(E + L + J - 1, E - 1 + D, E + lag + last_row_year, F, *(len(a) for _, a in fee_rows))

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
        unit[names.index(it.holder)] += it.sign * w[None, :] * q
    flows = unit * persistence[None]

    # intervention cost by programme year (T, n)
    cost = np.zeros((T, max(participants.shape[1], fixed.shape[1], n if "intervention.cost_per_participant" in values else 1)))
    per_year = participants * P("intervention.cost_per_participant", iv.cost_per_participant) / D
    for d in range(D):
        cost[d: d + E] += per_year
    cost[:F] += fixed
    fees = {who: np.zeros((T, 1)) for who in ("commissioner", "investor")}
    for who, amounts in fee_rows:
        fees[who][: amounts.size, 0] += amounts

    # discount factors (T, n) or (T, 1)
    if isinstance(case.discounting, str) or "discounting" not in values:
        df = discount_factors(case.discounting, T)[:, None]
    else:
        r = P("discounting", case.discounting)
        growth = np.cumprod(np.broadcast_to(1.0 + r, (max(T - 1, 0), n)), axis=0)
        df = np.concatenate((np.ones((1, n)), 1.0 / growth))[:T]
    ri = real_rate(P("contract.investor_required_return", c.investor_required_return), c)  # real terms
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
        p1 = treated_rate(p0, P("outcome.relative_reduction", o.relative_reduction))
    adj = (P("adjustments.attribution", case.adjustments.attribution)
           * (1.0 - P("adjustments.displacement", case.adjustments.displacement))
           * (1.0 - P("adjustments.optimism_bias", case.adjustments.optimism_bias)))
    prevented = participants * (p0 - p1) * adj                                        # (E, n)

    dfs = df
    per_case = (flows * df[None, :J]).sum(axis=1)                                     # (H, n|1)
    pv_h = np.zeros((H, n))
    for e in range(E):
        pv_h += prevented[e] * (flows * df[None, L + e: L + e + J]).sum(axis=1)

    # the rate card: what each row pays for, per participant of each cohort, in the year it is paid.
    # Payments and the threshold follow the measured rate (the true one without evaluation noise).
    rate = np.broadcast_to(p1[None, :] if measured_rate is None else np.asarray(measured_rate, dtype=float), (E, n))
    if c.threshold is not None:
        met = (relative_reduction(p0[None, :], rate) >= P("contract.threshold", c.threshold)[None, :] - THRESHOLD_TOL)
    else:
        met = np.ones((E, 1), dtype=bool)
    paid_k = np.zeros((K, T, n))
    for k, row in enumerate(rows):
        Pk = persistence[row.year] if row.sustained and row.pays != "own" else 1.0
        if row.pays == "prevented":
            per = (p0[None, :] - rate) * Pk
        elif row.pays == "success":
            per = 1.0 - p0[None, :] + (p0[None, :] - rate) * Pk
        else:
            tr = P(f"contract.outcomes.{row.index}.treated_rate", row.treated_rate)
            base = P(f"contract.outcomes.{row.index}.baseline_rate", row.baseline_rate)
            per = np.broadcast_to((tr - base) if row.paid_for == "improvement" else tr, (1, n))
        start = row.year + lag
        paid_k[k, start: start + E] = participants * np.maximum(per, 0.0) * met
    paid = paid_k.sum(axis=0)                                                          # (T, n)
    mult = np.array([1.0]) if scale is None else np.broadcast_to(np.asarray(scale, dtype=float), (n,))
    prices = np.stack([np.broadcast_to(P(r.price_path, r.price), (n,)) for r in rows])  # (K, n), as written
    card = (prices[:, None, :] * paid_k).sum(axis=0)                                   # (T, n), uncapped
    if c.cap_per_participant is not None:
        # rows nested in time: a row pays only what the cap leaves after the rows measured before it
        cap_pp = P("contract.cap_per_participant", c.cap_per_participant)
        order = sorted(range(K), key=lambda k: rows[k].year)
        used = np.zeros(n)
        effective = np.zeros_like(prices)
        for k in order:
            effective[k] = np.clip(cap_pp - used, 0.0, prices[k] * mult)
            used = used + prices[k] * mult
    else:
        effective = prices * mult
    payments = (effective[:, None, :] * paid_k).sum(axis=0)
    if c.cap is not None:
        payments = cap_total(payments, P("contract.cap", c.cap))
    s_all, s_priv = c.co_payer_share, c.private_co_payer_share
    share = P("contract.investor_share", c.investor_share)
    financed = share * cost
    fee = cost - financed
    fee_com, fee_inv = fees["commissioner"], fees["investor"]
    investor = payments - financed - fee_inv
    guarantee = np.zeros_like(investor)
    if c.guarantee is not None:
        loss = np.maximum(-investor.sum(axis=0), 0.0)
        # paid in the contract's last payment year (the last cohort's last row), when the loss is known
        guarantee[E - 1 + lag + last_row_year] = np.minimum(loss, P("contract.guarantee.amount", c.guarantee.amount))
        investor = investor + guarantee

    payers = np.isin(names, c.payers)
    pv_paid = (paid * dfs).sum(axis=0)
    pv_fee = (fee * dfs).sum(axis=0) + (fee_com * dfs).sum(axis=0)
    pv_payers = pv_h[payers].sum(axis=0)
    pv_public = pv_h[public].sum(axis=0)
    pv_all = pv_h.sum(axis=0)
    pv_cost = (cost * dfs).sum(axis=0)
    V, Vi = (card * dfs).sum(axis=0), (card * dfi).sum(axis=0)
    pv_invested_ri = ((financed + fee_inv) * dfi).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        okV = V > 0
        com_scale = np.where(okV, (pv_payers - pv_fee) / ((1.0 - s_all) * V), np.nan)
        pub_scale = np.where(okV, (pv_public - pv_fee) / ((1.0 - s_priv) * V), np.nan)
        soc_scale = np.where(okV, (pv_all - pv_fee) / V, np.nan)
        inv_scale = np.maximum(np.where(Vi > 0, pv_invested_ri / Vi, np.nan), 0.0) + 0.0
        if K == 1:   # one row: break-even prices per outcome, as in v1 (defined even at a price of 0)
            ok = pv_paid > 0
            commissioner_max = np.where(ok, (pv_payers - pv_fee) / ((1.0 - s_all) * pv_paid), np.nan)
            public_sector_max = np.where(ok, (pv_public - pv_fee) / ((1.0 - s_priv) * pv_paid), np.nan)
            societal_max = np.where(ok, (pv_all - pv_fee) / pv_paid, np.nan)
            pv_paid_ri = (paid * dfi).sum(axis=0)
            investor_min = np.maximum(np.where(pv_paid_ri > 0, pv_invested_ri / pv_paid_ri, np.nan), 0.0) + 0.0
            price = prices[0] * mult
        else:
            commissioner_max = public_sector_max = societal_max = investor_min = price = np.full(n, np.nan)
        invested_total = (financed + fee_inv).sum(axis=0)
        total_payments = payments.sum(axis=0)
        moic = np.where(invested_total > 0, (total_payments + guarantee.sum(axis=0)) / invested_total, np.nan)
        bcr = np.where(pv_cost > 0, pv_all / pv_cost, np.nan)
        pbcr = np.where(pv_cost > 0, pv_public / pv_cost, np.nan)
        finite = lambda a: np.where(np.isfinite(a), a, np.nan)  # noqa: E731  (a ratio over a vanishing value)
        com_scale, pub_scale, soc_scale, inv_scale = map(finite, (com_scale, pub_scale, soc_scale, inv_scale))
        commissioner_max, public_sector_max, societal_max, investor_min = map(
            finite, (commissioner_max, public_sector_max, societal_max, investor_min))
    # a ratio over a vanishing denominator has no finite value: it does not exist (NaN, None in a Result);
    # below 1e300 their differences (wrong-pocket gap, co-funding) stay finite too
    commissioner_max, public_sector_max, societal_max, investor_min, moic = (
        np.where(np.abs(a) < 1e300, a, np.nan) for a in (commissioner_max, public_sector_max, societal_max, investor_min, moic))
    com_scale, pub_scale, soc_scale, inv_scale = (
        np.where(np.abs(a) < 1e300, a, np.nan) for a in (com_scale, pub_scale, soc_scale, inv_scale))
    exists = investor_min <= commissioner_max            # False where either is NaN
    both = np.isfinite(investor_min) & np.isfinite(commissioner_max)
    exists_s = inv_scale <= com_scale

    out: dict[str, np.ndarray] = {
        "prevented_cases": participants.sum(axis=0) * (p0 - p1) * adj,
        "paid_outcomes": paid.sum(axis=0),
        "savings_per_case": per_case.sum(axis=0),
        **{f"savings_per_case_{h}": per_case[k] for k, h in enumerate(names)},
        "pv_savings": pv_all,
        **{f"pv_savings_{h}": pv_h[k] for k, h in enumerate(names)},
        "pv_cost": pv_cost,
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
        "commissioner_npv": pv_payers - (1.0 - s_all) * (payments * dfs).sum(axis=0) - pv_fee,
        "pv_savings_public": pv_public,
        "societal_max": societal_max,
        "benefit_cost_ratio": bcr,
        "public_benefit_cost_ratio": pbcr,
        "commissioner_max_scale": com_scale,
        "public_sector_max_scale": pub_scale,
        "societal_max_scale": soc_scale,
        "investor_min_scale": inv_scale,
        "corridor_scale_low": np.where(exists_s, inv_scale, np.nan),
        "corridor_scale_high": np.where(exists_s, com_scale, np.nan),
        "cohorts_paid": np.broadcast_to(met, (E, n)).mean(axis=0),
        "co_payer_payments": s_all * total_payments,
        "guarantee_paid": guarantee.sum(axis=0),
    }
    for h in HOLDERS:   # the public holders are always reported
        out.setdefault(f"savings_per_case_{h}", np.zeros(1))
        out.setdefault(f"pv_savings_{h}", np.zeros(1))
    figures = {k: v if v.shape == (n,) else np.broadcast_to(v, (n,)).copy() for k, v in out.items()}
    if not tables:
        return figures, None
    first = lambda a: np.broadcast_to(a, (a.shape[0], n))[:, 0].copy()  # noqa: E731  (years x draws -> draw 0)
    savings = np.zeros((H, T))
    for e in range(E):
        savings[:, L + e: L + e + J] += prevented[e, 0] * flows[:, :, 0]
    return figures, {
        "holders": np.array(names, dtype=object),
        "savings_by_year": savings,
        "intervention_cost": first(cost), "investor_financed": first(financed), "commissioner_fee": first(fee),
        "paid_outcomes": first(paid), "outcome_payments": first(payments), "investor_cash_flow": first(investor),
        "discount_factor": first(dfs), "investor_discount_factor": first(dfi), "persistence": first(persistence),
        "co_payer_payments": s_all * first(payments), "commissioner_payments": (1.0 - s_all) * first(payments),
        "intermediary_fees_commissioner": first(fee_com), "intermediary_fees_investor": first(fee_inv),
        "guarantee": first(guarantee), "paid_by_row": paid_k[:, :, 0].copy(),
    }
