"""Switching values: where a key figure crosses a threshold as one input moves (one search for the whole package).

A figure is evaluated on a grid of the input at once (the vectorised model), the crossing is located on the grid
and refined with Brent's method on the same function.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .pricing import brentq

Figure = Callable[[np.ndarray], np.ndarray]


def _refine(f: Figure, a: float, b: float, xtol: float) -> float:
    g = lambda x: float(f(np.array([x]))[0])  # noqa: E731
    ga, gb = g(a), g(b)
    if ga == 0:
        return a
    if ga * gb > 0 or not (math.isfinite(ga) and math.isfinite(gb)):
        return b   # a jump (e.g. where a figure stops existing), or the grid and one point disagree in the last digits
    return float(brentq(g, a, b, xtol=xtol, rtol=1e-14))


def lowest_safe_value(figure: Figure, lo: float, hi: float, grid: int = 401) -> float | None:
    """Smallest ``x`` in ``[lo, hi]`` from which on ``figure(x) >= 0`` for every larger ``x`` on the grid;
    None where the figure is negative at ``hi``. ``figure`` maps an array of inputs to an array of values."""
    xs = np.linspace(lo, hi, grid)
    ys = figure(xs)
    tol = 1e-9 * max(1.0, float(np.max(np.abs(ys))))
    bad = np.flatnonzero(ys < -tol)
    if bad.size == 0:
        return float(xs[0])
    k = int(bad[-1])
    if k == grid - 1:
        return None
    if ys[k + 1] <= 0:
        return float(xs[k + 1])
    return _refine(figure, float(xs[k]), float(xs[k + 1]), 1e-14)


def nearest_crossing(figure: Figure, xs: np.ndarray, ys: np.ndarray, x0: float) -> float:
    """The value where ``figure`` (already evaluated as ``ys`` on the grid ``xs``, a threshold subtracted) changes
    sign nearest to ``x0``, refined with Brent's method; NaN without a crossing on the grid."""
    s = np.sign(ys)
    cross = np.flatnonzero((s[:-1] * s[1:] < 0) | ((s[:-1] == 0) & (s[1:] != 0)))
    if not cross.size:
        return math.nan
    k = int(cross[np.argmin(np.abs(xs[cross] - x0))])
    if ys[k] == 0:
        return float(xs[k])
    return _refine(figure, float(xs[k]), float(xs[k + 1]), 1e-12 * max(1.0, abs(float(xs[k]))))
