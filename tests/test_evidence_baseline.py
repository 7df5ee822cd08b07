"""Baseline rates: Wilson interval by hand, beta into a case, the GLM recovering the synthetic truth."""
from __future__ import annotations

import copy
import importlib.util
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, norm

from sibmodel import Case, CaseError
from sibmodel.evidence import baseline_from_counts, baseline_from_register
from tests.conftest import BASE, ROOT

REGISTER = ROOT / "data" / "synthetic" / "register_family_violence.csv"
TRUTH = json.loads((ROOT / "data" / "synthetic" / "register_family_violence.truth.json").read_text())
COVS = ["age_group", "prior_shelter", "children", "substance_abuse"]


def _generator():
    spec = importlib.util.spec_from_file_location("make_synthetic_register", ROOT / "data" / "make_synthetic_register.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _wilson(x: float, n: float, z: float) -> tuple[float, float]:
    """Wilson (1927) score interval, by hand."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize("x, n, level", [(140, 250, 0.95), (3, 40, 0.9), (0, 25, 0.95), (25, 25, 0.99)])
def test_wilson_interval_and_jeffreys_beta(x, n, level):
    b = baseline_from_counts(x, n, level=level)
    assert b.rate == pytest.approx(x / n)
    assert b.ci == pytest.approx(_wilson(x, n, norm.ppf(0.5 + level / 2)), abs=1e-12)
    assert b.beta == (x + 0.5, n - x + 0.5)


def test_counts_into_a_case_as_beta():
    case = Case.from_dict(copy.deepcopy(BASE))
    new = baseline_from_counts(140, 250).to_case(case)
    assert new.to_dict()["outcome"]["baseline_rate"] == {"dist": "beta", "a": 140.5, "b": 110.5}
    assert new.get("outcome.baseline_rate") == pytest.approx(140.5 / 251)
    with pytest.raises(CaseError, match="outcome.baseline_rate"):
        baseline_from_counts(140, 250).to_case(case, "outcome.relative_reduction")


def test_rows_are_pooled_and_overdispersion_widens():
    same = pd.DataFrame({"events": [30, 31, 29], "n": [100, 100, 100]})
    b = baseline_from_counts(same)
    assert (b.events, b.n) == (90, 300)
    assert b.dispersion == 1.0  # X^2 below its degrees of freedom
    spread = pd.DataFrame({"events": [10, 50, 30, 70], "n": [100, 100, 100, 100]})
    w = baseline_from_counts(spread)
    p = 160 / 400
    x2 = float(np.sum((spread["events"] - 100 * p) ** 2 / (100 * p * (1 - p))))
    assert w.dispersion == pytest.approx(x2 / 3)
    assert w.heterogeneity_pvalue == pytest.approx(chi2.sf(x2, 3))
    assert w.beta == pytest.approx((160 / w.dispersion + 0.5, 240 / w.dispersion + 0.5))
    plain = baseline_from_counts(160, 400)
    assert w.ci[1] - w.ci[0] > plain.ci[1] - plain.ci[0]
    assert w.summary().loc["rows pooled", "value"] == 4
    assert w.plot().axes[0].get_xlabel().startswith("baseline rate")


@pytest.mark.parametrize("events, n, where, what", [
    (-1, 10, "events", "whole number >= 0"),
    (11, 10, "events", "more events than people"),
    (2.5, 10, "events", "whole number"),
    (1, 0, "n", "> 0"),
])
def test_bad_counts_are_refused(events, n, where, what):
    with pytest.raises(CaseError) as err:
        baseline_from_counts(events, n)
    assert str(err.value).startswith(where) and what in str(err.value)


def test_bad_count_tables_name_row_and_column():
    with pytest.raises(CaseError, match=r"row 2\.events = 12.*more events than people \(n = 10\)"):
        baseline_from_counts(pd.DataFrame({"events": [1, 12], "n": [10, 10]}))
    with pytest.raises(CaseError, match=r"row 1\.n = -5.*>= 0"):
        baseline_from_counts(pd.DataFrame({"events": [1, 2], "n": [-5, 10]}))
    with pytest.raises(CaseError, match="column 'n'"):
        baseline_from_counts(pd.DataFrame({"events": [1, 2]}))
    with pytest.raises(CaseError, match="same length"):
        baseline_from_counts([1, 2], [10])
    assert baseline_from_counts([1, 2], [10, 10]).events == 3


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return pd.read_csv(REGISTER)


@pytest.fixture(scope="module")
def fitted(register):
    return baseline_from_register(register, covariates=COVS)


def test_glm_recovers_the_synthetic_truth(fitted):
    """The shipped sample (one fixed draw) against the true coefficients of data/make_synthetic_register.py.

    Joint Wald test of all six true coefficients, and each within its 99 % interval: with six 95 % intervals
    one miss is expected one time in four (the shipped draw has age_group[30-44] at 2.0 SE); calibration at
    95 % is checked by the coverage test below.
    """
    coef = fitted.coefficients
    truth = pd.Series(TRUTH["coefficients"])[coef.index]
    assert set(coef.index) == set(TRUTH["coefficients"])
    z = ((coef["estimate"] - truth) / coef["se"]).abs()
    assert (z < norm.ppf(0.995)).all(), z
    cov = fitted.results.cov_params().loc[coef.index, coef.index].to_numpy()
    d = (coef["estimate"] - truth).to_numpy()
    assert chi2.sf(d @ np.linalg.solve(cov, d), len(d)) > 0.01


def test_glm_interval_coverage_is_about_95_percent():
    """Fresh samples from the generator: the 95 % intervals of a coefficient and of a mix's baseline cover
    the truth in about 95 % of 120 samples (binomial SE 2 %; bounds at about -3 and +2 SE)."""
    gen = _generator()
    rng = np.random.default_rng(7)
    mix = pd.DataFrame({"age_group": ["18-29", "45+"], "prior_shelter": [1, 0], "children": [2, 0],
                        "substance_abuse": [0, 1], "n": [3, 1]})
    t = TRUTH["coefficients"]
    eta = np.array([t["const"] + t["prior_shelter"] + 2 * t["children"],
                    t["const"] + t["age_group[45+]"] + t["substance_abuse"]])
    true_mix = float(np.average(1 / (1 + np.exp(-eta)), weights=[3, 1]))
    hits_coef = hits_mix = 0
    reps = 120
    for _ in range(reps):
        fit = baseline_from_register(gen.register(rng, 1500), covariates=COVS, mix=mix, weight="n")
        c = fit.coefficients.loc["prior_shelter"]
        hits_coef += c["ci_low"] <= t["prior_shelter"] <= c["ci_high"]
        hits_mix += fit.ci[0] <= true_mix <= fit.ci[1]
    assert 0.88 <= hits_coef / reps <= 0.995
    assert 0.88 <= hits_mix / reps <= 0.995


def test_one_row_mix_matches_statsmodels_prediction(register, fitted):
    row = pd.DataFrame({"age_group": ["30-44"], "prior_shelter": [1], "children": [2], "substance_abuse": [0]})
    one = baseline_from_register(register, covariates=COVS, mix=row)
    x = pd.DataFrame([[1.0, 1.0, 0.0, 1.0, 2.0, 0.0]], columns=list(fitted.terms))
    sf = fitted.results.get_prediction(x).summary_frame(alpha=0.05)
    assert one.rate == pytest.approx(sf["mean"].iloc[0], rel=1e-12)
    assert one.ci == pytest.approx((sf["mean_ci_lower"].iloc[0], sf["mean_ci_upper"].iloc[0]), rel=1e-9)
    assert one.se == pytest.approx(sf["mean_se"].iloc[0], rel=1e-9)


def test_weighted_mix_equals_repeated_people_and_own_population_equals_observed_rate(register, fitted):
    cells = pd.DataFrame({"age_group": ["18-29", "45+"], "prior_shelter": [1, 0], "children": [0, 3],
                          "substance_abuse": [1, 0], "n": [3, 2]})
    people = cells.loc[cells.index.repeat(cells["n"])].drop(columns="n")
    a = baseline_from_register(register, covariates=COVS, mix=cells, weight="n")
    b = baseline_from_register(register, covariates=COVS, mix=people)
    assert a.rate == pytest.approx(b.rate, rel=1e-12) and a.se == pytest.approx(b.se, rel=1e-9)
    # logistic regression with a constant: mean fitted probability = observed rate (score equations)
    assert fitted.rate == pytest.approx(register["outcome"].mean(), rel=1e-9)


def test_register_baseline_into_a_case(register, fitted):
    case = Case.from_dict(copy.deepcopy(BASE))
    new = fitted.to_case(case)
    spec = new.to_dict()["outcome"]["baseline_rate"]
    assert spec == {"dist": "beta", "mean": pytest.approx(fitted.rate), "sd": pytest.approx(fitted.se)}
    assert fitted.summary("da").index[0] == "basisrate for sammensætningen (GLM)"
    assert len(fitted.plot().axes[0].get_yticks()) == 5


def test_bad_register_data_is_refused(register):
    bad = register.head(50).copy()
    bad.loc[3, "outcome"] = 2
    with pytest.raises(CaseError, match=r"row 4\.outcome = 2.*0 or 1"):
        baseline_from_register(bad, covariates=COVS)
    miss = register.head(50).copy()
    miss.loc[5, "children"] = np.nan
    with pytest.raises(CaseError, match=r"row 6\.children.*missing"):
        baseline_from_register(miss, covariates=COVS)
    with pytest.raises(CaseError, match="column 'income'"):
        baseline_from_register(register, covariates=COVS + ["income"])
    mix = pd.DataFrame({"age_group": ["65+"], "prior_shelter": [1], "children": [0], "substance_abuse": [0]})
    with pytest.raises(CaseError, match=r"row 1\.age_group = '65\+'.*known: 18-29, 30-44, 45\+"):
        baseline_from_register(register, covariates=COVS, mix=mix)
    with pytest.raises(CaseError, match="same outcome"):
        baseline_from_register(register.assign(outcome=1), covariates=COVS)
