"""Historical counterfactual: forecast a yearly series with a statsmodels time-series model.

For a contract that pays on a fall against history (for example fewer repeat shelter stays than the
municipality's own trend predicts), the forecast with its prediction interval is the counterfactual.
Models: exponential smoothing in state-space form (``ETSModel``: level only, additive trend, damped trend)
or ARIMA; ``model="auto"`` takes the ETS variant with the lowest AICc.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CaseError, Problem
from ._common import Estimate, as_frame, beta_dict, check_level, new_axes, refuse, require_columns, table, z_for

ETS_VARIANTS = {"ets-level": (None, False), "ets-trend": ("add", False), "ets-damped": ("add", True)}
MODELS = (*ETS_VARIANTS, "arima", "auto")
MIN_YEARS = 8


@dataclass(frozen=True, eq=False, repr=False)  # holds pandas objects: compared by identity
class Counterfactual(Estimate):
    """The forecast of a yearly series: ``forecast`` has columns mean, sd, lower, upper by year."""

    history: pd.Series
    forecast: pd.DataFrame
    model: str
    level: float
    aicc: float
    candidates: dict[str, float] = field(default_factory=dict)    # AICc of each ETS variant tried (auto)
    results: Any = field(default=None, repr=False, compare=False)

    paths = ("outcome.baseline_rate",)

    @property
    def is_rate(self) -> bool:
        return bool(((self.history >= 0) & (self.history <= 1)).all())

    def fall(self, observed: Any) -> pd.DataFrame:
        """Observed values against the counterfactual: the fall (forecast - observed), the relative fall, and
        the probability of a value this low or lower without any change (one-sided, normal forecast error)."""
        from scipy.stats import norm

        obs = pd.Series(observed, dtype=float) if not isinstance(observed, pd.Series) else observed.astype(float)
        obs.index = obs.index.astype(int)
        unknown = [y for y in obs.index if y not in self.forecast.index]
        if unknown:
            raise refuse("observed", unknown[0], f"a year outside the forecast ({self.forecast.index.min()}-"
                                                 f"{self.forecast.index.max()})")
        f = self.forecast.loc[obs.index]
        out = pd.DataFrame({"observed": obs, "counterfactual": f["mean"], "fall": f["mean"] - obs,
                            "relative_fall": (f["mean"] - obs) / f["mean"],
                            "p_value": norm.cdf((obs - f["mean"]) / f["sd"])})
        out.index.name = "year"
        return out

    def summary(self, lang: str = "en") -> pd.DataFrame:
        first = self.forecast.index[0]
        f = self.forecast.loc[first]
        pct = f"{self.level:.0%}"
        rows = [
            ("model", "model", self.model, ""),
            ("years of history", "års historik", len(self.history), "count"),
            ("last observed year", "sidste observerede år", int(self.history.index[-1]), ""),
            ("last observed value", "sidste observerede værdi", float(self.history.iloc[-1]), ""),
            (f"forecast for {first}", f"fremskrivning for {first}", f["mean"], ""),
            (f"{pct} prediction interval, low", f"{pct} prædiktionsinterval, nedre", f["lower"], ""),
            (f"{pct} prediction interval, high", f"{pct} prædiktionsinterval, øvre", f["upper"], ""),
            (f"forecast for {self.forecast.index[-1]}", f"fremskrivning for {self.forecast.index[-1]}",
             self.forecast["mean"].iloc[-1], ""),
            ("AICc", "AICc", self.aicc, ""),
        ]
        return table(rows, lang)

    def plot(self, ax: Any = None, observed: Any = None) -> Any:
        """History, forecast and prediction band (and observed values, if given)."""
        fig, ax = new_axes(ax)
        ax.plot(self.history.index, self.history.to_numpy(), "o-", color="0.2", ms=3, label="history")
        f = self.forecast
        ax.plot(f.index, f["mean"], "o--", color="tab:blue", ms=3, label=f"counterfactual ({self.model})")
        ax.fill_between(f.index, f["lower"], f["upper"], color="tab:blue", alpha=0.15,
                        label=f"{self.level:.0%} prediction interval")
        if observed is not None:
            obs = pd.Series(observed, dtype=float)
            ax.plot(obs.index.astype(int), obs.to_numpy(), "s", color="tab:red", label="observed")
        ax.set_xlabel("year")
        ax.legend(fontsize=8)
        return fig

    def distribution(self, path: str = "outcome.baseline_rate", year: int | None = None) -> dict:
        """A beta distribution with the forecast mean and sd of ``year`` (default: the first forecast year)."""
        self._check_path(path)
        if not self.is_rate:
            raise refuse("history", float(self.history.max()), "the series is not a rate (values between 0 and 1): "
                                                               "forecast events / people, or pass denominator=")
        year = int(self.forecast.index[0] if year is None else year)
        if year not in self.forecast.index:
            raise refuse("year", year, f"must be a forecast year ({self.forecast.index.min()}-{self.forecast.index.max()})")
        f = self.forecast.loc[year]
        return beta_dict(float(f["mean"]), float(f["sd"]), path)

    def to_case(self, case: Any, path: str | None = None, year: int | None = None) -> Any:
        path = path or self.paths[0]
        return case.update({path: self.distribution(path, year)})


def _series(data: Any, value: str | None, denominator: str | None) -> pd.Series:
    if isinstance(data, pd.Series):
        s = data.copy()
        source = None
        df = None
    else:
        df, source = as_frame(data, "history")
        require_columns(df, ["year"], source, "history")
        if value is None:
            others = [c for c in df.columns if c != "year"]
            if len(others) != 1:
                raise refuse("value", None, f"name the column to forecast (value=...); columns: {', '.join(others)}",
                             source)
            value = others[0]
        require_columns(df, [value] + ([denominator] if denominator else []), source, "history")
        s = pd.Series(df[value].to_numpy(), index=df["year"].to_numpy(), name=value)
    problems = []
    try:
        years = np.asarray(s.index, dtype=float)
    except (TypeError, ValueError):
        raise refuse("year", list(s.index)[:3], "years must be whole numbers") from None
    if np.any(years != np.round(years)):
        problems.append(Problem("year", [str(y) for y in s.index], "years must be whole numbers"))
    vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    for y, v, raw in zip(s.index, vals, s.tolist()):
        if not np.isfinite(v):
            problems.append(Problem(f"year {y}", raw, "value is missing or not a number"))
        elif v < 0:
            problems.append(Problem(f"year {y}", raw, "must be >= 0 (a count or a rate)"))
    if problems:
        raise CaseError(problems)
    if denominator:
        den = pd.to_numeric(df[denominator], errors="coerce").to_numpy(dtype=float)
        for y, d, v in zip(s.index, den.tolist(), vals.tolist()):
            if not np.isfinite(d) or d <= 0:
                problems.append(Problem(f"year {y}.{denominator}", d, "must be a number of people above 0"))
            elif v > d:
                problems.append(Problem(f"year {y}.{value}", v, f"more events than people ({denominator} = {d:g})"))
        if problems:
            raise CaseError(problems)
        vals = vals / den
    s = pd.Series(vals, index=years.astype(int), name=s.name).sort_index()
    if s.index.has_duplicates:
        raise refuse("year", int(s.index[s.index.duplicated()][0]), "appears twice; give one value per year")
    gaps = np.flatnonzero(np.diff(s.index) != 1)
    if len(gaps):
        raise refuse("year", int(s.index[gaps[0] + 1]), f"the series has a gap after {s.index[gaps[0]]}: "
                                                        "give every year (a yearly series without holes)")
    if len(s) < MIN_YEARS:
        raise refuse("history", len(s), f"needs at least {MIN_YEARS} years to fit and check a forecast model")
    return s


def historical_counterfactual(history: Any, horizon: int = 3, model: str = "auto", level: float = 0.95,
                              value: str | None = None, denominator: str | None = None,
                              arima_order: tuple[int, int, int] = (0, 1, 1)) -> Counterfactual:
    """Forecast a yearly series ``horizon`` years ahead with prediction intervals.

    ``history``: a Series indexed by year, or a table (DataFrame/CSV/mapping) with ``year`` and the ``value``
    column (with ``denominator``, the rate value/denominator is forecast). ``model``: auto (lowest AICc of the
    ETS variants), ets-level, ets-trend, ets-damped, or arima (``arima_order``, with drift when d = 1).
    Prediction intervals condition on the fitted parameters (statsmodels' state-space intervals).
    """
    check_level(level)
    if model not in MODELS:
        raise refuse("model", model, f"must be one of {', '.join(MODELS)}")
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 30:
        raise refuse("horizon", horizon, "must be a whole number of years from 1 to 30")
    s = _series(history, value, denominator)
    y = pd.Series(s.to_numpy(dtype=float), index=pd.period_range(str(s.index[0]), periods=len(s), freq="Y"))
    candidates: dict[str, float] = {}
    if model == "arima":
        from statsmodels.tsa.arima.model import ARIMA

        trend = "t" if arima_order[1] == 1 else ("c" if arima_order[1] == 0 else "n")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ARIMA(y, order=arima_order, trend=trend).fit()
        name = f"ARIMA{tuple(arima_order)}" + (" with drift" if trend == "t" else "")
    else:
        names = list(ETS_VARIANTS) if model == "auto" else [model]
        fits = {n: _fit_ets(y, *ETS_VARIANTS[n]) for n in names}
        candidates = {n: float(r.aicc) for n, r in fits.items()}
        name = min(candidates, key=candidates.get)
        res = fits[name]
    pred = res.get_prediction(start=len(y), end=len(y) + horizon - 1)
    mean = np.asarray(pred.predicted_mean, dtype=float)
    var = pred.forecast_variance if hasattr(pred, "forecast_variance") else pred.var_pred_mean
    sd = np.sqrt(np.asarray(var, dtype=float))
    z = z_for(level)
    years = np.arange(s.index[-1] + 1, s.index[-1] + 1 + horizon)
    fc = pd.DataFrame({"mean": mean, "sd": sd, "lower": mean - z * sd, "upper": mean + z * sd},
                      index=pd.Index(years, name="year"))
    return Counterfactual(history=s, forecast=fc, model=name, level=level, aicc=float(res.aicc),
                          candidates=candidates, results=res)


def _fit_ets(y: np.ndarray, trend: str | None, damped: bool) -> Any:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ETSModel(y, error="add", trend=trend, damped_trend=damped).fit(disp=False)
