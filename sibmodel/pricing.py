"""Contract arithmetic over yearly cash flows: IRR and payback, one series or many draws at once.

Pure functions on numpy arrays indexed by programme year (``t = 0`` the first year); money in DKK of the
case's price year.
"""
from __future__ import annotations

import numpy as np


def irr(flows: np.ndarray) -> float | None:
    """Internal rate of return of yearly cash flows, or None where none exists.

    Solves ``sum_t flows[t] / (1 + r)**t = 0`` for ``r > -1``; with several real roots, the one closest to zero
    (as numpy-financial does). Time and memory are linear in the number of years (see :func:`irr_many`).
    """
    flows = np.asarray(flows, dtype=float)
    if flows.ndim != 1 or not (np.any(flows > 0) and np.any(flows < 0)):
        return None
    r = float(irr_many(flows[None, :])[0])
    return None if r != r else r


#: Rows of several sign changes up to this many years (first to last nonzero) are solved exactly through the
#: eigenvalues of their companion matrix (at most 16 x 16); longer rows by the bracketed scan.
EIGEN_YEARS = 16

#: The scan's grid in ``g = log(1 + r)``: steps of 0.01 within +-1, 0.1 within +-8, 1 within +-40
#: (``r`` from ``-1 + 4e-18`` to ``2e17``).
_GRID = np.unique(np.concatenate([np.linspace(-1, 1, 201), np.linspace(1, 8, 71), -np.linspace(1, 8, 71),
                                  np.linspace(8, 40, 33), -np.linspace(8, 40, 33)]))


def _weights(g: np.ndarray, T: int) -> np.ndarray:
    """Discount weights ``exp(-g t)`` for ``g >= 0`` and ``exp(g (T - 1 - t))`` for ``g < 0`` (shape
    ``g.shape + (T,)``): the NPV at ``g = log(1 + r)`` times a positive factor, with every weight at most 1 so
    that nothing overflows."""
    t = np.arange(T, dtype=float)
    g = np.asarray(g, dtype=float)[..., None]
    return np.exp(np.where(g >= 0, -g * t, g * (T - 1 - t)))


def _npv_scaled(cT: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The scaled NPV (see :func:`_weights`) of column ``j`` of ``cT`` (years x rows) at ``g[j]``."""
    return np.einsum("jt,tj->j", _weights(g, cT.shape[0]), cT)


#: Rows x years handled at once by the scan (bounds its working memory to some 100 MB).
_SCAN_BLOCK = 2_000_000


def _irr_scan(rows: np.ndarray, max_iter: int = 200) -> np.ndarray:
    """IRR of each row (draws x years) by a bracketed search, NaN where none is found: the NPV's sign on a
    fixed grid in ``g = log(1 + r)`` (:data:`_GRID`), then regula falsi in the sign change nearest zero on each
    side, and the root with the smaller ``|r|``. Time and memory linear in the years (about 400 NPVs a row).
    Two roots closer than the grid step can be missed (they would be a near-double root)."""
    c = np.atleast_2d(np.asarray(rows, dtype=float))
    m = c.shape[0]
    out = np.full(m, np.nan)
    if m == 0:
        return out
    block = max(1, _SCAN_BLOCK // max(c.shape[1], _GRID.size))
    if m > block:
        for start in range(0, m, block):
            out[start: start + block] = _irr_scan(c[start: start + block], max_iter)
        return out
    scale = np.abs(c).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    cT = np.ascontiguousarray((c / scale).T)
    with np.errstate(all="ignore"):
        s = np.sign(_weights(_GRID, cT.shape[0]) @ cT)                      # (K, m)
    K = _GRID.size
    zero = int(np.searchsorted(_GRID, 0.0))                                  # _GRID[zero] == 0
    change = (s[:-1] * s[1:] < 0) | (s[:-1] == 0)                            # root in [g_k, g_k+1)
    change[-1] |= s[-1] == 0
    idx = np.arange(K - 1)[:, None]
    # the interval nearest zero from above and from below
    above = np.where(change & (idx >= zero), idx, K).min(axis=0)
    below = np.where(change & (idx < zero), idx, -1).max(axis=0)
    k = np.concatenate([above, below])
    col = np.concatenate([np.arange(m), np.arange(m)])
    has = (k >= 0) & (k < K - 1)
    k, col = k[has], col[has]
    if k.size == 0:
        return out
    g = _refine(cT[:, col], _GRID[k], _GRID[k + 1], max_iter)
    r = np.expm1(g)
    for i in np.argsort(np.abs(r), kind="stable")[::-1]:   # the smallest |r| of each row is written last
        out[col[i]] = r[i]
    out[~((c > 0).any(axis=1) & (c < 0).any(axis=1))] = np.nan  # no IRR without flows of both signs
    return out


def _refine(cT: np.ndarray, lo: np.ndarray, hi: np.ndarray, max_iter: int) -> np.ndarray:
    """The root in ``[lo, hi]`` (in ``g``) of each column's scaled NPV, which changes sign there (or is zero at
    ``lo``): the Illinois variant of regula falsi, which keeps the bracket and converges superlinearly."""
    with np.errstate(all="ignore"):
        flo = _npv_scaled(cT, lo)
        fhi = _npv_scaled(cT, hi)
        done = flo == 0
        hi = np.where(done, lo, hi)
        side = np.zeros(lo.size)
        last = np.full(lo.size, np.inf)
        for _ in range(max_iter):
            x = (lo * fhi - hi * flo) / (fhi - flo)
            done |= (hi - lo <= 4e-16 * np.maximum(1.0, np.abs(lo))) | (np.abs(x - last) <= 1e-15 * np.maximum(1.0, np.abs(x)))
            if np.all(done):
                break
            last = x
            bad = ~np.isfinite(x) | (x <= lo) | (x >= hi)
            x = np.where(bad, 0.5 * (lo + hi), x)
            fx = _npv_scaled(cT, x)
            left = fx * flo > 0                      # the root is in [x, hi]
            lo, flo = np.where(left, x, lo), np.where(left, fx, flo)
            hi, fhi = np.where(left, hi, x), np.where(left, fhi, fx)
            # Illinois: halve the value at the end that stays twice in a row
            fhi = np.where(left & (side > 0), 0.5 * fhi, fhi)
            flo = np.where(~left & (side < 0), 0.5 * flo, flo)
            side = np.where(left, 1.0, -1.0)
            done |= fx == 0
            lo = np.where(fx == 0, x, lo)
            hi = np.where(fx == 0, x, hi)
        x = (lo * fhi - hi * flo) / (fhi - flo)
        return np.where(np.isfinite(x) & (x >= lo) & (x <= hi), x, 0.5 * (lo + hi))


def _irr_roots_many(rows: np.ndarray) -> np.ndarray:
    """IRR of short rows of several sign changes (at most :data:`EIGEN_YEARS` years): batched eigenvalues of
    the companion matrices (rows grouped by their first and last nonzero year), the real positive root closest
    to zero, batched Newton polish."""
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
            out[idx] = _irr_scan(rows[idx])
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
    step leaves it. Rows with several real roots possible take the real root closest to zero, as
    numpy-financial does: up to :data:`EIGEN_YEARS` years through the eigenvalues of their companion matrices
    (batched), longer ones by a bracketed scan of the NPV's sign (:func:`_irr_scan`), as are rows whose IRR lies
    beyond ``exp(+-G) - 1`` with ``G = min(30, 700 / years)``. Time and memory are linear in the years.
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
        span = (T if T <= EIGEN_YEARS else _spans(c[several]))
        short = several[np.asarray(span) <= EIGEN_YEARS] if T > EIGEN_YEARS else several
        long = np.setdiff1d(several, short)
        if short.size:
            out[short] = _irr_roots_many(c[short])
        if long.size:
            out[long] = _irr_scan(c[long])
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
            new = np.where(bad, 0.5 * (l + h), np.where(done, np.clip(np.nan_to_num(new, nan=ga), l, h), new))
            g[active] = np.where(p == 0, ga, new)
            if done.all():
                break
            keep = ~done
            active, sub, ka = active[keep], sub[:, keep], ka[keep]
    out[one] = np.expm1(g)
    beyond = one[np.abs(g) >= G * (1 - 1e-9)]   # the root lies beyond the bracket: the scan finds it
    if beyond.size:
        out[beyond] = _irr_scan(c[beyond])
    return out


def _spans(rows: np.ndarray) -> np.ndarray:
    """Years from the first to the last nonzero flow of each row (inclusive)."""
    nonzero = rows != 0
    first = np.argmax(nonzero, axis=1)
    last = rows.shape[1] - 1 - np.argmax(nonzero[:, ::-1], axis=1)
    return last - first + 1


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
