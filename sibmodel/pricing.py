"""Contract arithmetic over yearly cash flows: capped payments, IRR and payback, one series or many draws at once.

Pure functions on numpy arrays indexed by programme year (``t = 0`` the first year); money in DKK of the
case's price year.
"""
from __future__ import annotations

import numpy as np


def cap_payments(payments: np.ndarray, cap: float | None) -> np.ndarray:
    """Payments by year with the total capped at ``cap``; the latest payments are cut first."""
    if cap is None:
        return payments
    return np.diff(np.minimum(np.cumsum(payments), cap), prepend=0.0)


def irr(flows: np.ndarray) -> float | None:
    """Internal rate of return of yearly cash flows, or None where none exists.

    Solves ``sum_t flows[t] / (1 + r)**t = 0`` for ``r > -1``. Flows that change sign once have one root,
    found by :func:`irr_many`; otherwise through the roots of the polynomial in ``1/(1+r)``, and with several
    real roots the one closest to zero (as numpy-financial does).
    """
    flows = np.asarray(flows, dtype=float)
    if not (np.any(flows > 0) and np.any(flows < 0)):
        return None
    nz = np.flatnonzero(flows)
    if np.count_nonzero(np.diff(np.sign(flows[nz]))) == 1:  # one sign change: one root, found robustly
        r = float(irr_many(flows[None, :])[0])
        return None if r != r else r
    return _irr_roots(flows)


def _irr_roots(flows: np.ndarray) -> float | None:
    """IRR through the polynomial roots (the root closest to zero), polished by Newton steps."""
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


def _irr_roots_many(rows: np.ndarray) -> np.ndarray:
    """:func:`_irr_roots` for many rows at once: batched eigenvalues of the companion matrices (rows grouped
    by their first and last nonzero year), the real positive root closest to zero, batched Newton polish."""
    out = np.full(rows.shape[0], np.nan)
    nonzero = rows != 0
    first = np.argmax(nonzero, axis=1)
    last = rows.shape[1] - 1 - np.argmax(nonzero[:, ::-1], axis=1)
    for a, b in set(zip(first.tolist(), last.tolist())):
        idx = np.flatnonzero((first == a) & (last == b))
        tr = rows[idx, a: b + 1]
        m, d = tr.shape[0], tr.shape[1] - 1
        p = tr[:, ::-1] / np.abs(tr).max(axis=1, keepdims=True)   # highest power first, as np.roots takes it
        comp = np.zeros((m, d, d))
        with np.errstate(all="ignore"):  # a tiny leading coefficient overflows; eigvals then falls back
            comp[:, 0, :] = -p[:, 1:] / p[:, :1]
        if d > 1:
            comp[:, np.arange(1, d), np.arange(d - 1)] = 1.0
        try:
            with np.errstate(all="ignore"):
                roots = np.linalg.eigvals(comp)
        except np.linalg.LinAlgError:
            for k, i in enumerate(idx):
                r = _irr_roots(rows[i])
                out[i] = np.nan if r is None else r
            continue
        scale = np.maximum(1.0, np.abs(roots).max(axis=1, keepdims=True))
        ok = (np.abs(roots.imag) <= 1e-10 * scale) & (roots.real > 0)
        with np.errstate(all="ignore"):
            rates = np.where(ok, 1.0 / roots.real - 1.0, np.inf)
        pick = np.argmin(np.abs(rates), axis=1)
        r = rates[np.arange(m), pick]
        has = ok.any(axis=1)
        r = np.where(has, r, np.nan)
        t = np.arange(d + 1, dtype=float)
        active = np.flatnonzero(has)
        with np.errstate(all="ignore"):
            for _ in range(50):
                if active.size == 0:
                    break
                ra = r[active]
                disc = (1.0 + ra)[:, None] ** -t
                f = (tr[active] * disc).sum(axis=1)
                fp = -(tr[active] * t * disc / (1.0 + ra)[:, None]).sum(axis=1)
                step = f / fp
                stop = ~np.isfinite(step) | (ra - step <= -1)
                ra = np.where(stop, ra, ra - step)
                r[active] = ra
                stop |= np.abs(step) < 1e-13 * np.maximum(1.0, np.abs(ra))  # quadratic: already converged
                active = active[~stop]
        out[idx] = r
    return out


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


# -- over many draws at once (rows = draws, columns = programme years) ---------------------------------


def irr_many(flows: np.ndarray, max_iter: int = 200) -> np.ndarray:
    """IRR of each row of ``flows`` (draws x years), NaN where none exists; agrees with :func:`irr`.

    Rows whose nonzero flows change sign once have exactly one IRR (Descartes' rule of signs); so do cubics
    with three sign changes and a negative discriminant. They are solved all at once in ``g = log(1 + r)``,
    ``x = 1/(1 + r)``, with ``P`` the NPV polynomial (Horner over years): four Newton steps from the exact IRR of
    a two-point flow with the same totals and mean times, then, for rows not yet settled, a safeguarded Newton
    iteration that keeps a bracket (``P`` is of one sign on each side of its single root) and bisects where a
    step leaves it. Rows with several real roots possible are solved through the eigenvalues of their
    companion matrices (batched), taking the real root closest to zero as numpy-financial does; so are rows
    whose IRR lies beyond ``exp(+-G) - 1`` with ``G = min(30, 700 / years)``.
    """
    c = np.atleast_2d(np.asarray(flows, dtype=float))
    n = c.shape[0]
    out = np.full(n, np.nan)
    used = np.flatnonzero(np.any(c != 0, axis=0))
    if n == 0 or used.size == 0:
        return out
    # years x draws: reductions over the (short) year axis are then fast
    cT = np.ascontiguousarray(c[:, used[0]: used[-1] + 1].T)  # leading zeros shift time only; trailing add nothing
    T = cT.shape[0]
    last, first, k = np.zeros(n), np.zeros(n), np.zeros(n)   # k: first year of the second sign block
    changes = np.zeros(n, dtype=int)
    for t in range(T):
        s = np.sign(cT[t])
        flip = s * last < 0
        k[flip & (changes == 0)] = t
        changes += flip
        first = np.where(first == 0, s, first)
        last = np.where(s != 0, s, last)
    one = np.flatnonzero(changes == 1)
    several = np.flatnonzero(changes > 1)
    if T == 4 and several.size:
        # a cubic in x = 1/(1+r) with three sign changes and a negative discriminant has one real root, so one
        # IRR: the bracketed Newton iteration below finds it as for one sign change
        q = cT[:, several] / np.abs(cT[:, several]).max(axis=0)
        d0, c1, b2, a3 = q
        disc = 18 * a3 * b2 * c1 * d0 - 4 * b2**3 * d0 + b2**2 * c1**2 - 4 * a3 * c1**3 - 27 * a3**2 * d0**2
        single = (changes[several] == 3) & (disc < -1e-9)
        one = np.sort(np.concatenate([one, several[single]]))
        several = several[~single]
    if several.size:
        out[several] = _irr_roots_many(c[several])
    if one.size == 0:
        return out
    all_one = one.size == n
    cc = (cT if all_one else cT[:, one]) * -(first if all_one else first[one])  # outflows first: h decreasing
    k = k if all_one else k[one]
    cc /= np.abs(cc).max(axis=0)
    G = min(30.0, 700.0 / T)
    t = np.arange(T, dtype=float)[:, None]
    pos, neg = np.maximum(cc, 0.0), np.maximum(-cc, 0.0)
    P, N = pos.sum(axis=0), neg.sum(axis=0)
    with np.errstate(all="ignore"):
        g = np.log(P / N) / np.maximum((pos * t).sum(axis=0) / P - (neg * t).sum(axis=0) / N, 1e-9)
    g = np.clip(np.nan_to_num(g), -0.99 * G, 0.99 * G)
    lo, hi = np.full(one.size, -G), np.full(one.size, G)

    def newton_step(gv: np.ndarray, rows: np.ndarray, kv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.exp(-gv)
        p = np.zeros(gv.size)
        dp = np.zeros(gv.size)
        for row in rows[::-1]:
            dp = dp * x + p
            p = p * x + row
        return p, p / (x * dp - kv * p)

    # fast path: a few plain Newton steps for all rows; rows that have not settled inside the bracket start
    # again from g0 in the safeguarded loop below
    g0 = g.copy()
    with np.errstate(all="ignore"):
        for _ in range(4):
            g = g + newton_step(g, cc, k)[1]
        _, step = newton_step(g, cc, k)
        settled = np.isfinite(step) & (np.abs(step) <= 1e-10 * np.maximum(1.0, np.abs(g))) & (np.abs(g + step) < G)
    g = np.where(settled, g + step, g0)
    active = np.flatnonzero(~settled)
    sub, ka = cc[:, active], k[active]
    with np.errstate(all="ignore"):
        for _ in range(max_iter if active.size else 0):
            ga = g[active]
            x = np.exp(-ga)
            p = np.zeros(active.size)
            dp = np.zeros(active.size)
            for row in sub[::-1]:
                dp = dp * x + p
                p = p * x + row
            l, h = lo[active], hi[active]
            l = np.where(p > 0, ga, l)
            h = np.where(p < 0, ga, h)
            lo[active], hi[active] = l, h
            new = ga + p / (x * dp - ka * p)
            done = (p == 0) | (np.abs(new - ga) <= 1e-10 * np.maximum(1.0, np.abs(ga))) | (h - l < 1e-14)  # next error ~ step**2
            bad = ~done & (~np.isfinite(new) | (new <= l) | (new >= h))
            new = np.where(bad, 0.5 * (l + h), new)
            g[active] = np.where(p == 0, ga, new)
            if done.all():
                break
            keep = ~done
            active, sub, ka = active[keep], sub[:, keep], ka[keep]
    out[one] = np.expm1(g)
    for i in one[np.abs(g) >= G * (1 - 1e-9)]:   # the root lies beyond the bracket: solve this row alone
        r = _irr_roots(c[i])
        out[i] = np.nan if r is None else r
    return out


def payback_many(flows: np.ndarray) -> np.ndarray:
    """:func:`payback_year` of each row of ``flows`` (draws x years) as floats, NaN for None."""
    c = np.atleast_2d(np.asarray(flows, dtype=float))
    n, T = c.shape
    cum = np.cumsum(c, axis=1)
    tol = 1e-9 * np.maximum(1.0, np.max(np.abs(cum), axis=1))
    neg = cum < -tol[:, None]
    any_neg = neg.any(axis=1)
    last = T - 1 - np.argmax(neg[:, ::-1], axis=1)
    out = np.where(any_neg, np.where(last + 1 < T, last + 1.0, np.nan), 0.0)
    return np.where((c < 0).any(axis=1), out, np.nan)


def brentq(f, a: float, b: float, **kwargs) -> float:
    """scipy's Brent root finder, imported when first needed (scipy.optimize is slow to import)."""
    from scipy.optimize import brentq as _brentq

    return _brentq(f, a, b, **kwargs)
