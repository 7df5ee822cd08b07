"""Historical counterfactual: forecast intervals against the textbook variance formulas, bad series refused."""
from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from sibmodel import Case, CaseError
from sibmodel.evidence import historical_counterfactual
from tests.conftest import BASE, ROOT

HISTORY = ROOT / "data" / "synthetic" / "shelter_history.csv"


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return pd.read_csv(HISTORY)


def test_random_walk_with_drift_forecast_by_hand(history):
    """ARIMA(0,1,0) with drift: mean = last + h * drift, variance h * sigma^2 (parameters held fixed)."""
    c = historical_counterfactual(history, value="repeat_stays", model="arima", arima_order=(0, 1, 0), horizon=4)
    drift, sigma2 = c.results.params
    last = float(history["repeat_stays"].iloc[-1])
    h = np.arange(1, 5)
    np.testing.assert_allclose(c.forecast["mean"], last + h * drift, rtol=1e-9)
    np.testing.assert_allclose(c.forecast["sd"], np.sqrt(h * sigma2), rtol=1e-6)
    z = norm.ppf(0.975)
    np.testing.assert_allclose(c.forecast["upper"] - c.forecast["lower"], 2 * z * np.sqrt(h * sigma2), rtol=1e-6)
    assert list(c.forecast.index) == [2025, 2026, 2027, 2028]
    assert c.model == "ARIMA(0, 1, 0) with drift"


def test_simple_exponential_smoothing_variance_by_hand(history):
    """ETS(A,N,N): variance sigma^2 (1 + (h - 1) alpha^2) (Hyndman et al. 2008, Table 6.1, class 1); the level
    is the last smoothed value, so every horizon has the same mean."""
    c = historical_counterfactual(history, value="repeat_stays", model="ets-level", horizon=3, level=0.9)
    alpha = float(c.results.params.iloc[0])
    sigma2 = float(c.results.mse)
    h = np.arange(1, 4)
    np.testing.assert_allclose(c.forecast["sd"] ** 2, sigma2 * (1 + (h - 1) * alpha ** 2), rtol=1e-6)
    assert c.forecast["mean"].nunique() == 1
    level = float(np.asarray(c.results.level)[-1])
    assert c.forecast["mean"].iloc[0] == pytest.approx(level, rel=1e-9)
    z = norm.ppf(0.95)
    np.testing.assert_allclose(c.forecast["upper"], c.forecast["mean"] + z * c.forecast["sd"], rtol=1e-12)


def test_auto_takes_the_lowest_aicc(history):
    c = historical_counterfactual(history, value="repeat_stays")
    assert set(c.candidates) == {"ets-level", "ets-trend", "ets-damped"}
    assert c.model == min(c.candidates, key=c.candidates.get)
    assert c.aicc == pytest.approx(min(c.candidates.values()))


def test_fall_against_the_counterfactual(history):
    c = historical_counterfactual(history, value="repeat_stays", horizon=2)
    f = c.forecast
    out = c.fall({2025: 150, 2026: 160})
    assert out.loc[2025, "fall"] == pytest.approx(f.loc[2025, "mean"] - 150)
    assert out.loc[2026, "relative_fall"] == pytest.approx((f.loc[2026, "mean"] - 160) / f.loc[2026, "mean"])
    assert out.loc[2025, "p_value"] == pytest.approx(norm.cdf((150 - f.loc[2025, "mean"]) / f.loc[2025, "sd"]))
    with pytest.raises(CaseError, match="year outside the forecast"):
        c.fall({2030: 100})
    fig = c.plot(observed={2025: 150, 2026: 160})
    assert fig.axes[0].get_xlabel() == "year"


def test_a_rate_series_into_a_case(history):
    c = historical_counterfactual(history, value="repeat_stays", denominator="referred")
    np.testing.assert_allclose(c.history.to_numpy(), history["repeat_stays"] / history["referred"])
    case = Case.from_dict(copy.deepcopy(BASE))
    new = c.to_case(case)
    spec = new.to_dict()["outcome"]["baseline_rate"]
    assert spec == {"dist": "beta", "mean": pytest.approx(c.forecast["mean"].iloc[0]),
                    "sd": pytest.approx(c.forecast["sd"].iloc[0])}
    later = c.to_case(case, year=2027)
    assert later.get("outcome.baseline_rate") == pytest.approx(c.forecast.loc[2027, "mean"])
    counts = historical_counterfactual(history, value="repeat_stays")
    with pytest.raises(CaseError, match="not a rate"):
        counts.to_case(case)
    assert c.summary().loc["model", "value"] == c.model
    assert c.summary("da").loc["sidste observerede år", "værdi"] == 2024


def test_series_input_and_bad_series_are_refused(history):
    s = pd.Series(history["rate"].to_numpy(), index=history["year"].to_numpy())
    assert historical_counterfactual(s, model="ets-level").forecast.index[0] == 2025
    with pytest.raises(CaseError, match="gap after 2010"):
        historical_counterfactual(s.drop(2011))
    with pytest.raises(CaseError, match="at least 8 years"):
        historical_counterfactual(s.iloc[:5])
    neg = s.copy()
    neg[2012] = -0.1
    with pytest.raises(CaseError, match=r"year 2012 = -0.1: must be >= 0"):
        historical_counterfactual(neg)
    miss = s.copy()
    miss[2013] = math.nan
    with pytest.raises(CaseError, match="year 2013.*missing"):
        historical_counterfactual(miss)
    too_many = history.assign(repeat_stays=history["repeat_stays"].where(history["year"] != 2015, 999))
    with pytest.raises(CaseError, match=r"year 2015.repeat_stays = 999.0: more events than people"):
        historical_counterfactual(too_many, value="repeat_stays", denominator="referred")
    with pytest.raises(CaseError, match="column 'year'"):
        historical_counterfactual(history.drop(columns="year"), value="rate")
    with pytest.raises(CaseError, match="name the column"):
        historical_counterfactual(history)
    with pytest.raises(CaseError, match="model"):
        historical_counterfactual(s, model="prophet")
    with pytest.raises(CaseError, match="horizon"):
        historical_counterfactual(s, horizon=0)
