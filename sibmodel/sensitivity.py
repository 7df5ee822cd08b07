"""Deterministic and probabilistic sensitivity: tornado, switching values, two-way grids, acceptability curves.

Every function evaluates all its input sets in one call of the vectorised model. Inputs are dotted paths of
the case (``outcome.relative_reduction``, ``costs_per_case.0.amount``, ...); figures are the key figures of
``evaluate()`` (default the commissioner's NPV, DKK in the case's price year).
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .case import Case
from .costs import resolve_costs
from .errors import CaseError, Problem
from .montecarlo import acceptability  # noqa: F401  (re-exported: acceptability curves live with the simulation)
from .switching import nearest_crossing
from .vectorised import FIGURES, evaluate_many, input_paths


def _check_figure(figure: str) -> None:
    if figure not in FIGURES:
        raise CaseError(Problem("figure", figure, f"unknown key figure; allowed: {', '.join(FIGURES)}"))


def _check_paths(case: Case, paths: Sequence[str]) -> None:
    allowed = set(input_paths(case))
    bad = [p for p in paths if p not in allowed]
    if bad:
        raise CaseError([Problem(p, "(input)", "not a real-valued input of this case; allowed: " + ", ".join(input_paths(case)))
                         for p in bad])


def _ranges(case: Case, paths: Sequence[str] | None, ranges: Mapping[str, tuple[float, float]] | None,
            low: float, high: float) -> dict[str, tuple[float, float]]:
    """Low and high value of each input: its quantiles ``low``/``high`` if it has a distribution, else the
    range given in ``ranges``."""
    ranges = dict(ranges or {})
    dists = case.distributions
    if paths is None:
        paths = list(dict.fromkeys([*dists, *ranges]))
    _check_paths(case, paths)
    out = {}
    for p in paths:
        if p in ranges:
            lo, hi = ranges[p]
            out[p] = (float(lo), float(hi))
        elif p in dists:
            lo, hi = dists[p].ppf([low, high])
            out[p] = (float(lo), float(hi))
        else:
            raise CaseError(Problem(p, case.get(p), "a point value: give its range in ranges={path: (low, high)}"))
    return out


def _grid_values(case: Case, settings: list[dict[str, float]]) -> dict[str, np.ndarray]:
    """Arrays of input values, one row per setting; inputs a setting leaves out keep their point values."""
    paths = list(dict.fromkeys(p for s in settings for p in s))
    point = {p: float(case.get(p)) for p in paths}
    return {p: np.array([s.get(p, point[p]) for s in settings], dtype=float) for p in paths}


def tornado(case: Case, figure: str = "commissioner_npv", *, low: float = 0.10, high: float = 0.90,
            paths: Sequence[str] | None = None, ranges: Mapping[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """One-way sensitivity: each input at its ``low`` and ``high`` quantile (10th and 90th percentile by
    default; or the values in ``ranges``) with every other input at its point value.

    Returns one row per input, largest swing first: ``input``, ``low_value``, ``high_value``, ``figure_low``,
    ``figure_high``, ``point`` (the figure at point values) and ``swing`` (``|figure_high - figure_low|``).
    """
    _check_figure(figure)
    rng = _ranges(case, paths, ranges, low, high)
    settings = [{}]  # row 0: every input at its point value
    for p, (lo, hi) in rng.items():
        settings += [{p: lo}, {p: hi}]
    values = _grid_values(case, settings)
    f = evaluate_many(case, values, len(settings))[figure]
    rows = [{"input": p, "low_value": lo, "high_value": hi, "figure_low": f[1 + 2 * i], "figure_high": f[2 + 2 * i],
             "point": f[0]} for i, (p, (lo, hi)) in enumerate(rng.items())]
    df = pd.DataFrame(rows, columns=["input", "low_value", "high_value", "figure_low", "figure_high", "point"])
    df["swing"] = (df["figure_high"] - df["figure_low"]).abs()
    df = df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    df.attrs["figure"] = figure
    return df


def plot_tornado(table: pd.DataFrame, ax: Any = None, top: int = 12) -> Any:
    """A tornado chart of :func:`tornado`'s table (matplotlib axes)."""
    import matplotlib.pyplot as plt

    t = table.head(top).iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(t) + 1))
    base = float(t["point"].iloc[0]) if len(t) else 0.0
    y = np.arange(len(t))
    ax.barh(y, t["figure_low"] - base, left=base, color="#c0504d", label="low value")
    ax.barh(y, t["figure_high"] - base, left=base, color="#4f81bd", label="high value")
    ax.axvline(base, color="black", lw=0.8)
    ax.set_yticks(y, t["input"])
    ax.set_xlabel(table.attrs.get("figure", "figure"))
    ax.legend(loc="lower right")
    return ax


def switching_values(case: Case, paths: Sequence[str] | None = None, *,
                     figures: Mapping[str, float] | None = None,
                     ranges: Mapping[str, tuple[float, float]] | None = None, grid: int = 201) -> pd.DataFrame:
    """The value of each input at which a decision flips, every other input at its point value.

    ``figures`` maps key figures to their thresholds; by default ``commissioner_npv: 0`` (the commissioner
    breaks even) and ``investor_npv: 0`` (the investor earns exactly its required return). The search runs
    over ``ranges[path]``, or for an input with a distribution over its 0.1 % to 99.9 % quantiles; the
    crossing nearest the point value is refined with Brent's method. Rows: ``input``, ``figure``,
    ``point_value``, ``switching_value`` (NaN where the figure does not cross its threshold in the range),
    ``holds_when`` (``above``/``below``: the side on which the figure is above the threshold) and, for an
    input with a distribution, ``prob_beyond``: the probability that the input lies on the other side.
    """
    figures = dict(figures or {"commissioner_npv": 0.0, "investor_npv": 0.0})
    for f in figures:
        _check_figure(f)
    rng = _ranges(case, paths, ranges, 0.001, 0.999)
    items = resolve_costs(case)
    settings, spans = [], {}
    for p, (lo, hi) in rng.items():
        xs = np.linspace(lo, hi, grid)
        spans[p] = xs
        settings += [{p: x} for x in xs]
    out = evaluate_many(case, _grid_values(case, settings), len(settings), items=items) if settings else {}
    rows = []
    dists = case.distributions
    for i, (p, xs) in enumerate(spans.items()):
        x0 = float(case.get(p))
        for f, target in figures.items():
            ys = out[f][i * grid: (i + 1) * grid] - target
            g = lambda x, p=p, f=f, target=target: evaluate_many(case, {p: x}, x.size, items=items)[f] - target  # noqa: E731
            value = nearest_crossing(g, xs, ys, x0)
            holds = None
            if not math.isnan(value):
                above = ys[-1] > 0 if ys[-1] != 0 else ys[0] < 0
                holds = "above" if above else "below"
            prob = math.nan
            if p in dists and not math.isnan(value) and not dists[p].is_point:
                cdf = float(dists[p].frozen().cdf(value))
                prob = cdf if holds == "above" else 1.0 - cdf
            rows.append({"input": p, "figure": f, "threshold": target, "point_value": x0, "switching_value": value,
                         "holds_when": holds, "prob_beyond": prob})
    return pd.DataFrame(rows, columns=["input", "figure", "threshold", "point_value", "switching_value",
                                       "holds_when", "prob_beyond"])


def two_way(case: Case, x: str, y: str, x_values: Sequence[float] | None = None,
            y_values: Sequence[float] | None = None, figure: str = "commissioner_npv", n: int = 11) -> pd.DataFrame:
    """Two-way sensitivity: ``figure`` over a grid of two inputs (rows ``y``, columns ``x``), all others at
    point values. Without values, an input with a distribution runs over its 5 % to 95 % quantiles in ``n``
    steps."""
    _check_figure(figure)
    _check_paths(case, [x, y])

    def axis(path: str, values: Sequence[float] | None) -> np.ndarray:
        if values is not None:
            return np.asarray(values, dtype=float)
        d = case.distributions.get(path)
        if d is None:
            raise CaseError(Problem(path, case.get(path), "a point value: give its grid values"))
        return d.ppf(np.linspace(0.05, 0.95, n))

    xs, ys = axis(x, x_values), axis(y, y_values)
    X, Y = np.meshgrid(xs, ys)
    f = evaluate_many(case, {x: X.ravel(), y: Y.ravel()}, X.size)[figure]
    df = pd.DataFrame(f.reshape(X.shape), index=pd.Index(ys, name=y), columns=pd.Index(xs, name=x))
    df.attrs["figure"] = figure
    return df


def plot_acceptability(curve: pd.DataFrame, ax: Any = None, price: float | None = None) -> Any:
    """Both acceptability curves of :func:`acceptability` over the price (matplotlib axes); ``price`` marks the
    contract price."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    ax.plot(curve["price"], curve["prob_commissioner_saves"], label="commissioner saves (NPV > 0)")
    ax.plot(curve["price"], curve["prob_investor_meets_required"], label="investor earns its required return")
    if price is not None:
        ax.axvline(price, color="grey", ls="--", lw=0.8)
    ax.set_ylim(0, 1)
    ax.set_xlabel("price per outcome")
    ax.set_ylabel("probability")
    ax.legend(loc="center right")
    return ax

