"""Baseline rates p0 (the share of the target group that ends in the case without the intervention).

From aggregated counts: a proportion with a Wilson interval, written into a case as the Jeffreys posterior
Beta(events + 1/2, n - events + 1/2). From individual (register-like) data with covariates: a binomial GLM,
predicting the baseline for a municipality's own target-group mix with a delta-method interval.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import CaseError, Problem
from ._common import (Estimate, as_frame, beta_dict, check_counts, check_level, new_axes, refuse,
                      require_columns, row_name, table, z_for)


@dataclass(frozen=True, repr=False)
class BaselineRate(Estimate):
    """A baseline rate from counts: ``rate = events / n`` with its Wilson interval.

    With several rows (years, municipalities) the counts are pooled; if the rows differ more than binomial
    noise allows (Pearson chi-square), the effective sample size is divided by the dispersion X^2/(k-1) so
    the distribution is not falsely precise.
    """

    events: float
    n: float
    level: float
    ci: tuple[float, float]
    dispersion: float = 1.0
    rows: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    heterogeneity_pvalue: float | None = None

    paths = ("outcome.baseline_rate",)

    @property
    def rate(self) -> float:
        return self.events / self.n

    @property
    def beta(self) -> tuple[float, float]:
        """Jeffreys posterior Beta(a, b), with counts divided by the dispersion when rows are overdispersed."""
        x, m = self.events / self.dispersion, self.n / self.dispersion
        return x + 0.5, m - x + 0.5

    def summary(self, lang: str = "en") -> pd.DataFrame:
        a, b = self.beta
        pct = f"{self.level:.0%}"
        rows = [
            ("baseline rate (events / n)", "basisrate (hændelser / n)", self.rate, "share"),
            (f"{pct} Wilson interval, low", f"{pct} Wilson-interval, nedre", self.ci[0], "share"),
            (f"{pct} Wilson interval, high", f"{pct} Wilson-interval, øvre", self.ci[1], "share"),
            ("events", "hændelser", self.events, "people"),
            ("people (n)", "personer (n)", self.n, "people"),
            ("beta a", "beta a", a, ""),
            ("beta b", "beta b", b, ""),
        ]
        if self.rows is not None:
            rows += [("rows pooled", "rækker samlet", len(self.rows), "count"),
                     ("dispersion between rows (X^2/df, >= 1)", "dispersion mellem rækker (X^2/df, >= 1)",
                      self.dispersion, ""),
                     ("p-value, rows share one rate", "p-værdi, rækkerne har samme rate", self.heterogeneity_pvalue, "")]
        return table(rows, lang)

    def plot(self, ax: Any = None) -> Any:
        """The beta distribution written into a case, with the Wilson interval (and each pooled row)."""
        from scipy.stats import beta as beta_dist

        fig, ax = new_axes(ax)
        a, b = self.beta
        lo, hi = beta_dist.ppf([0.0005, 0.9995], a, b)
        x = np.linspace(max(lo - (hi - lo) * 0.2, 0), min(hi + (hi - lo) * 0.2, 1), 400)
        ax.plot(x, beta_dist.pdf(x, a, b), color="tab:blue", label=f"Beta({a:.1f}, {b:.1f})")
        ax.axvspan(*self.ci, color="tab:blue", alpha=0.12, label=f"{self.level:.0%} Wilson interval")
        if self.rows is not None:
            r = self.rows
            ax.plot(r["events"] / r["n"], np.zeros(len(r)), "|", color="0.3", ms=14, label="rows")
        ax.set_xlabel("baseline rate p0 (share of the target group)")
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
        return fig

    def distribution(self, path: str = "outcome.baseline_rate") -> dict:
        self._check_path(path)
        a, b = self.beta
        return {"dist": "beta", "a": float(a), "b": float(b)}


def baseline_from_counts(events: Any, n: Any = None, level: float = 0.95) -> BaselineRate:
    """Baseline rate from counts: numbers ``events`` and ``n``, or a table (DataFrame/CSV/mapping) with
    columns ``events`` and ``n`` (one row per year or municipality; rows are pooled)."""
    check_level(level)
    from statsmodels.stats.proportion import proportion_confint

    rows = None
    if n is None:
        df, source = as_frame(events, "counts")
        require_columns(df, ["events", "n"], source, "counts")
        x, m = check_counts(df, "events", "n", source)
        rows = pd.DataFrame({"events": x, "n": m})
    else:
        ev, nn_ = np.atleast_1d(events), np.atleast_1d(n)
        if ev.ndim != 1 or nn_.ndim != 1 or len(ev) != len(nn_):
            raise refuse("events", events, f"events and n must be two numbers or two lists of the same length "
                                           f"(got {len(ev)} and {len(nn_)})")
        df = pd.DataFrame({"events": ev, "n": nn_})
        if len(df) > 1:
            x, m = check_counts(df, "events", "n", None)
            rows = pd.DataFrame({"events": x, "n": m})
        else:
            x, m = _scalar_counts(events, n)
            x, m = np.array([x]), np.array([m])
    ex, nn = float(x.sum()), float(m.sum())
    dispersion, pvalue = 1.0, None
    if rows is not None and len(rows) > 1:
        from scipy.stats import chi2

        p = ex / nn
        if 0.0 < p < 1.0:
            x2 = float(np.sum((x - m * p) ** 2 / (m * p * (1 - p))))
            df_ = len(rows) - 1
            pvalue = float(chi2.sf(x2, df_))
            dispersion = max(1.0, x2 / df_)
    lo, hi = proportion_confint(ex, nn, alpha=1 - level, method="wilson")
    if dispersion > 1.0:  # Wilson interval at the effective sample size
        lo, hi = proportion_confint(ex / dispersion, nn / dispersion, alpha=1 - level, method="wilson")
    return BaselineRate(events=ex, n=nn, level=level, ci=(float(lo), float(hi)), dispersion=dispersion,
                        rows=rows, heterogeneity_pvalue=pvalue)


def _scalar_counts(events: Any, n: Any) -> tuple[float, float]:
    for name, v in (("events", events), ("n", n)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v) \
                or v < 0 or v != round(v):
            raise refuse(name, v, "must be a whole number >= 0 (a count of people)")
    if n == 0:
        raise refuse("n", n, "the number of people must be > 0")
    if events > n:
        raise refuse("events", events, f"more events than people (n = {n}); events must be <= n")
    return float(events), float(n)


# -- register data: binomial GLM --------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False, repr=False)  # holds DataFrames: compared by identity
class RegisterBaseline(Estimate):
    """Baseline rate predicted by a binomial GLM for a target-group mix.

    ``rate`` is the mix-weighted mean predicted probability; ``se`` its delta-method standard error from the
    coefficient covariance; the interval is built on the logit scale and transformed back.
    """

    rate: float
    se: float
    ci: tuple[float, float]
    level: float
    coefficients: pd.DataFrame          # estimate, se, ci_low, ci_high (logit scale), by term
    n: int
    observed_rate: float
    mix_size: float
    results: Any = field(default=None, repr=False, compare=False)   # statsmodels GLMResults
    terms: tuple[str, ...] = ()

    paths = ("outcome.baseline_rate",)

    def summary(self, lang: str = "en") -> pd.DataFrame:
        pct = f"{self.level:.0%}"
        rows = [
            ("baseline rate for the mix (GLM)", "basisrate for sammensætningen (GLM)", self.rate, "share"),
            (f"{pct} interval, low", f"{pct} interval, nedre", self.ci[0], "share"),
            (f"{pct} interval, high", f"{pct} interval, øvre", self.ci[1], "share"),
            ("standard error", "standardfejl", self.se, "share"),
            ("people in the register data", "personer i registerdata", self.n, "people"),
            ("rate in the register data", "rate i registerdata", self.observed_rate, "share"),
            ("people (weight) in the mix", "personer (vægt) i sammensætningen", self.mix_size, "people"),
        ]
        return table(rows, lang)

    def plot(self, ax: Any = None) -> Any:
        """Coefficients (odds ratios) with their intervals, and the predicted baseline in the title."""
        fig, ax = new_axes(ax, (6.4, 0.4 * len(self.coefficients) + 1.8))
        c = self.coefficients.drop(index="const", errors="ignore")
        y = np.arange(len(c))[::-1]
        ax.hlines(y, np.exp(c["ci_low"]), np.exp(c["ci_high"]), color="0.3")
        ax.plot(np.exp(c["estimate"]), y, "s", color="tab:blue")
        ax.axvline(1.0, color="0.5", lw=0.8)
        ax.set_xscale("log")
        ax.set_yticks(y, list(c.index))
        ax.set_xlabel(f"odds ratio ({self.level:.0%} interval)")
        ax.set_title(f"baseline for the mix: {self.rate:.3f} ({self.ci[0]:.3f} to {self.ci[1]:.3f})", fontsize=9)
        return fig

    def distribution(self, path: str = "outcome.baseline_rate") -> dict:
        self._check_path(path)
        return beta_dict(self.rate, self.se, path)


def baseline_from_register(data: Any, outcome: str = "outcome", covariates: Sequence[str] | None = None,
                           mix: Any = None, weight: str | None = None, level: float = 0.95,
                           categorical: Sequence[str] | None = None) -> RegisterBaseline:
    """Fit ``outcome ~ covariates`` as a binomial GLM (logit link) on individual data and predict the baseline
    for ``mix``: a table of the municipality's own target group (one row per person, or one row per group
    with its size in column ``weight``). Without ``mix`` the register's own population is used.

    Text or category columns are dummy-coded (first level is the reference); ``categorical`` forces it for
    numeric codes. Rows with missing values, an outcome other than 0/1, or mix levels the data lack are refused.
    """
    check_level(level)
    df, source = as_frame(data, "register data")
    if covariates is None:
        covariates = [c for c in df.columns if c != outcome and c not in ("person_id", "id")]
    covariates = list(covariates)
    require_columns(df, [outcome, *covariates], source, "register data")
    if len(df) == 0:
        raise refuse("register data", 0, "has no rows", source)
    y = _outcome(df, outcome, source)
    cats = set(categorical or []) | {c for c in covariates if not pd.api.types.is_numeric_dtype(df[c])
                                     or pd.api.types.is_bool_dtype(df[c])}
    levels = {c: sorted(df[c].dropna().unique().tolist(), key=str) for c in cats}
    X = _design(df, covariates, cats, levels, source, "register data")
    import statsmodels.api as sm

    res = sm.GLM(y, X, family=sm.families.Binomial()).fit()
    if mix is None:
        mdf, msource, w = df, source, np.ones(len(df))
    else:
        mdf, msource = as_frame(mix, "mix")
        need = covariates + ([weight] if weight else [])
        require_columns(mdf, need, msource, "mix")
        w = np.ones(len(mdf))
        if weight:
            from ._common import numeric_column

            w = numeric_column(mdf, weight, msource, minimum=0)
            if w.sum() <= 0:
                raise refuse(f"column {weight!r}", float(w.sum()), "the weights of the mix must sum to more than 0", msource)
    Xm = _design(mdf, covariates, cats, levels, msource, "mix")
    beta_hat = res.params.to_numpy()
    cov = res.cov_params().to_numpy()
    eta = Xm.to_numpy() @ beta_hat
    p = 1.0 / (1.0 + np.exp(-eta))
    wn = w / w.sum()
    rate = float(wn @ p)
    grad = (wn * p * (1 - p)) @ Xm.to_numpy()          # d rate / d beta
    se = float(math.sqrt(grad @ cov @ grad))
    z = z_for(level)
    logit = math.log(rate / (1 - rate))
    se_logit = se / (rate * (1 - rate))
    ci = (1 / (1 + math.exp(-(logit - z * se_logit))), 1 / (1 + math.exp(-(logit + z * se_logit))))
    ci_params = res.conf_int(alpha=1 - level)
    coef = pd.DataFrame({"estimate": res.params, "se": res.bse, "ci_low": ci_params[0], "ci_high": ci_params[1]})
    return RegisterBaseline(rate=rate, se=se, ci=ci, level=level, coefficients=coef, n=len(df),
                            observed_rate=float(y.mean()), mix_size=float(w.sum()), results=res,
                            terms=tuple(X.columns))


def _outcome(df: pd.DataFrame, outcome: str, source: str | None) -> np.ndarray:
    values = df[outcome]
    problems = []
    for i, v in enumerate(values.tolist()):
        ok = isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, float, np.integer, np.floating)) and v in (0, 1))
        if not ok:
            problems.append(Problem(f"{row_name(df, i)}.{outcome}", v, "the outcome must be 0 or 1 (or true/false)"))
        if len(problems) >= 5:
            break
    if problems:
        raise CaseError(problems, source)
    y = values.astype(float).to_numpy()
    if y.min() == y.max():
        raise refuse(f"column {outcome!r}", y[0], "every row has the same outcome; a rate model needs both 0s and 1s",
                     source)
    return y


def _design(df: pd.DataFrame, covariates: list[str], cats: set[str], levels: dict[str, list], source: str | None,
            what: str) -> pd.DataFrame:
    """Design matrix: constant, numeric covariates, dummies for categories (reference = first level)."""
    problems = []
    cols: dict[str, np.ndarray] = {"const": np.ones(len(df))}
    for c in covariates:
        s = df[c]
        for i in np.flatnonzero(s.isna().to_numpy())[:5]:
            problems.append(Problem(f"{row_name(df, int(i))}.{c}", None, "value is missing"))
        if c in cats:
            known = levels[c]
            for i, v in enumerate(s.tolist()):
                if pd.notna(v) and v not in known:
                    problems.append(Problem(f"{row_name(df, i)}.{c}", v,
                                            f"a level the register data do not have; known: {', '.join(map(str, known))}"))
                    break
            for lev in known[1:]:
                cols[f"{c}[{lev}]"] = (s == lev).to_numpy(dtype=float)
        else:
            if not pd.api.types.is_numeric_dtype(s):
                problems.append(Problem(f"column {c!r}", str(s.dtype), "must be numeric (or listed in categorical)"))
                continue
            cols[c] = s.to_numpy(dtype=float)
    if problems:
        raise CaseError(problems, source)
    return pd.DataFrame(cols)
