"""Contract arithmetic over yearly cash flows: present values, capped payments, IRR, payback, break-even prices.

Pure functions on numpy arrays indexed by programme year (``t = 0`` the first year); money in DKK of the
case's price year.
"""
from __future__ import annotations

import numpy as np


def present_value(flows: np.ndarray, factors: np.ndarray) -> float:
    """Sum of ``flows[t] * factors[t]``."""
    return float(np.dot(flows, factors))


def constant_factors(rate: float, years: int) -> np.ndarray:
    """Discount factors ``(1 + rate) ** -t`` for ``t = 0 .. years-1``."""
    return (1.0 + rate) ** -np.arange(years, dtype=float)


def cap_payments(payments: np.ndarray, cap: float | None) -> np.ndarray:
    """Payments by year with the total capped at ``cap``; the latest payments are cut first."""
    if cap is None:
        return payments
    return np.diff(np.minimum(np.cumsum(payments), cap), prepend=0.0)


def break_even_price(pv_value: float, pv_cost: float, pv_outcomes: float) -> float | None:
    """The price per outcome at which ``pv_value - pv_cost - price * pv_outcomes == 0``; None with no outcomes."""
    if pv_outcomes <= 0:
        return None
    return (pv_value - pv_cost) / pv_outcomes


def irr(flows: np.ndarray) -> float | None:
    """Internal rate of return of yearly cash flows, or None where none exists.

    Solves ``sum_t flows[t] / (1 + r)**t = 0`` for ``r > -1`` through the roots of the polynomial in
    ``1/(1+r)``; with several real roots, the one closest to zero (as numpy-financial does).
    """
    flows = np.asarray(flows, dtype=float)
    if not (np.any(flows > 0) and np.any(flows < 0)):
        return None
    nz = np.flatnonzero(flows)
    trimmed = flows[nz[0]: nz[-1] + 1]  # leading zeros shift time only; trailing zeros add nothing
    try:
        with np.errstate(all="ignore"):
            roots = np.roots(trimmed[::-1] / np.max(np.abs(trimmed)))
    except np.linalg.LinAlgError:  # ill-conditioned polynomial: fall back to bisection
        return _irr_bisect(trimmed)
    scale = max(1.0, float(np.max(np.abs(roots)))) if roots.size else 1.0
    real = roots[(np.abs(roots.imag) <= 1e-10 * scale) & (roots.real > 0)].real
    if real.size == 0:
        return None
    rates = 1.0 / real - 1.0
    r = float(rates[np.argmin(np.abs(rates))])
    t = np.arange(trimmed.size)
    with np.errstate(all="ignore"):  # near r = -1 the powers overflow; then the root estimate stands
        for _ in range(50):  # polish with Newton steps on the flows
            d = (1.0 + r) ** -t
            f = np.dot(trimmed, d)
            fp = -np.dot(trimmed * t, d / (1.0 + r))
            step = f / fp
            if not np.isfinite(step) or r - step <= -1:
                break
            r -= step
            if abs(step) < 1e-15 * max(1.0, abs(r)):
                break
    return r


def _irr_bisect(flows: np.ndarray, lo: float = -0.999999, hi: float = 1e6) -> float | None:
    """IRR by bisection in ``log(1 + r)`` on a wide bracket; None without a sign change there."""
    t = np.arange(flows.size)
    def npv(g: float) -> float:
        with np.errstate(all="ignore"):
            return float(np.dot(flows, np.exp(-g * t)))
    a, b = np.log1p(lo), np.log1p(hi)
    fa, fb = npv(a), npv(b)
    if not (np.isfinite(fa) and np.isfinite(fb)) or fa * fb > 0:
        return None
    for _ in range(200):
        m = 0.5 * (a + b)
        fm = npv(m)
        if fm == 0 or b - a < 1e-15:
            break
        a, b, fa = (m, b, fm) if fa * fm > 0 else (a, m, fa)
    return float(np.expm1(0.5 * (a + b)))


def payback_year(flows: np.ndarray) -> int | None:
    """First programme year from which the cumulative cash flow stays >= 0, after an outlay; else None."""
    flows = np.asarray(flows, dtype=float)
    if not np.any(flows < 0):
        return None
    cum = np.cumsum(flows)
    tol = 1e-9 * max(1.0, float(np.max(np.abs(cum))))
    negative = np.flatnonzero(cum < -tol)
    if negative.size == 0:  # an outlay too small to register against the inflows
        return 0
    last = int(negative[-1])
    return last + 1 if last + 1 < flows.size else None
