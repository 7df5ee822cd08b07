"""Distributions in case files: parameters, validation with field paths, sampling, YAML round trip."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from scipy import stats

from sibmodel import Case, CaseError, case_schema, evaluate
from sibmodel.distributions import Distribution, DistributionError
from tests.conftest import BASE

# (spec, equivalent scipy distribution built independently from the textbook formulas)
SPECS = [
    ({"dist": "beta", "a": 58, "b": 38}, stats.beta(58, 38)),
    ({"dist": "beta", "mean": 0.6, "sd": 0.05}, stats.beta(0.6 * (0.24 / 0.0025 - 1), 0.4 * (0.24 / 0.0025 - 1))),
    ({"dist": "normal", "mean": 0.4, "sd": 0.1}, stats.norm(0.4, 0.1)),
    ({"dist": "normal", "mean": 0.4, "sd": 0.2, "lower": 0, "upper": 1}, stats.truncnorm(-2, 3, loc=0.4, scale=0.2)),
    ({"dist": "lognormal", "meanlog": 1.0, "sdlog": 0.5}, stats.lognorm(0.5, scale=math.e)),
    ({"dist": "lognormal", "mean": 100.0, "sd": 30.0},
     stats.lognorm(math.sqrt(math.log(1 + 0.09)), scale=100 / math.sqrt(1 + 0.09))),
    ({"dist": "gamma", "shape": 4.0, "scale": 2.5}, stats.gamma(4.0, scale=2.5)),
    ({"dist": "gamma", "mean": 10.0, "sd": 5.0}, stats.gamma(4.0, scale=2.5)),
    ({"dist": "triangular", "low": 1, "mode": 2, "high": 5}, stats.triang(0.25, loc=1, scale=4)),
    ({"dist": "uniform", "low": -1, "high": 3}, stats.uniform(-1, 4)),
    ({"dist": "pert", "low": 0, "mode": 2, "high": 10}, stats.beta(1 + 4 * 0.2, 1 + 4 * 0.8, loc=0, scale=10)),
]


@pytest.mark.parametrize("spec,ref", SPECS, ids=lambda x: str(x)[:40] if isinstance(x, dict) else "")
def test_moments_quantiles_and_samples_match_scipy(spec, ref):
    d = Distribution.from_spec(spec)
    assert d.mean == pytest.approx(ref.mean(), rel=1e-9)
    assert d.sd == pytest.approx(ref.std(), rel=1e-9)
    assert d.ppf([0.1, 0.9]) == pytest.approx(ref.ppf([0.1, 0.9]), rel=1e-9)
    x = d.sample(np.random.default_rng(7), 20_000)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-3
    lo, hi = d.support
    assert x.min() >= lo and x.max() <= hi


def test_mean_and_sd_forms_hit_their_targets():
    assert Distribution.from_spec({"dist": "beta", "mean": 0.6, "sd": 0.05}).sd == pytest.approx(0.05, rel=1e-12)
    assert Distribution.from_spec({"dist": "lognormal", "mean": 100, "sd": 30}).sd == pytest.approx(30, rel=1e-12)
    assert Distribution.from_spec({"dist": "pert", "low": 0, "mode": 2, "high": 10}).mean == pytest.approx((0 + 4 * 2 + 10) / 6)


@pytest.mark.parametrize("spec,needle", [
    ({"dist": "beta", "mean": 0.6, "sd": 0.5}, "needs sd < sqrt(mean * (1 - mean)) = 0.4899"),
    ({"dist": "beta", "mean": 1.2, "sd": 0.1}, "0 < mean < 1"),
    ({"dist": "beta", "mean": 0.6}, "takes {mean, sd} or {a, b}"),
    ({"dist": "gamma", "mean": -1, "sd": 1}, "mean > 0"),
    ({"dist": "triangular", "low": 3, "mode": 2, "high": 5}, "low <= mode <= high"),
    ({"dist": "uniform", "low": 3, "high": 3}, "low < high"),
    ({"dist": "normal", "mean": 0, "sd": -1}, "sd must be >= 0"),
    ({"dist": "weibull", "mean": 1}, "dist must be one of"),
    ({"dist": "normal", "mean": "x", "sd": 1}, "mean must be a finite number"),
])
def test_invalid_parameters_are_refused(spec, needle):
    with pytest.raises(DistributionError, match=None) as err:
        Distribution.from_spec(spec)
    assert needle in str(err.value)


def _case(**changes) -> Case:
    return Case.from_dict(copy.deepcopy(BASE)).update(changes)


def test_a_bad_distribution_in_a_case_names_the_field_and_value():
    with pytest.raises(CaseError) as err:
        _case(**{"outcome.baseline_rate": {"dist": "beta", "mean": 0.6, "sd": 0.5}})
    msg = str(err.value)
    assert msg.startswith("outcome.baseline_rate = {'dist': 'beta', 'mean': 0.6, 'sd': 0.5}: ")
    assert "0.4899" in msg


@pytest.mark.parametrize("path,spec,needle", [
    ("outcome.baseline_rate", {"dist": "normal", "mean": 0.5, "sd": 0.1}, "must be greater than or equal to 0"),
    ("outcome.baseline_rate", {"dist": "gamma", "mean": 0.5, "sd": 0.1}, "must be less than or equal to 1"),
    ("contract.price", {"dist": "normal", "mean": 1500, "sd": 100}, "greater than or equal to 0"),
    ("outcome.baseline_rate", {"dist": "uniform", "low": 0.9, "high": 1.3}, "less than or equal to 1"),
    ("outcome.horizon_years", {"dist": "uniform", "low": 1, "high": 3}, "only for real-valued inputs"),
])
def test_support_outside_the_allowed_range_is_refused(path, spec, needle):
    with pytest.raises(CaseError) as err:
        _case(**{path: spec})
    assert str(err.value).startswith(f"{path} = ")
    assert needle in str(err.value)


def test_explicit_truncation_makes_a_normal_acceptable_for_a_probability():
    case = _case(**{"outcome.baseline_rate": {"dist": "normal", "mean": 0.5, "sd": 0.1, "lower": 0, "upper": 1}})
    assert set(case.distributions) == {"outcome.baseline_rate"}
    assert case.outcome.baseline_rate == pytest.approx(stats.truncnorm(-5, 5, loc=0.5, scale=0.1).mean())


def test_point_value_is_the_mean_and_evaluate_uses_it():
    spec = {"dist": "gamma", "shape": 4.0, "scale": 250.0}
    uncertain = _case(**{"costs_per_case.0.amount": spec, "cohort.participants.0": {"dist": "triangular", "low": 5, "mode": 10, "high": 18}})
    fixed = _case(**{"costs_per_case.0.amount": 1000.0, "cohort.participants.0": 11.0})
    assert uncertain.costs_per_case[0].amount == 1000.0
    assert uncertain.cohort.participants[0] == pytest.approx(11.0)
    assert evaluate(uncertain).key_figures() == pytest.approx(evaluate(fixed).key_figures(), rel=1e-12)


def test_yaml_round_trip_keeps_distributions_as_written():
    case = _case(**{"outcome.baseline_rate": {"dist": "beta", "a": 58, "b": 38},
                    "costs_per_case.0.quantity": {"dist": "pert", "low": 0.5, "mode": 1, "high": 3},
                    "discounting": {"dist": "uniform", "low": 0.02, "high": 0.06}})
    text = case.to_yaml()
    assert "dist: beta" in text and "dist: pert" in text
    back = Case.from_yaml(text)
    assert back == case
    assert back.distributions.keys() == case.distributions.keys()
    assert back.to_dict()["outcome"]["baseline_rate"] == {"dist": "beta", "a": 58, "b": 38}


def test_update_replaces_a_distribution_and_keeps_the_others():
    case = _case(**{"outcome.baseline_rate": {"dist": "beta", "a": 5, "b": 5},
                    "contract.price": {"dist": "uniform", "low": 1000, "high": 2000}})
    fixed = case.update({"outcome.baseline_rate": 0.3})
    assert set(fixed.distributions) == {"contract.price"}
    assert fixed.outcome.baseline_rate == 0.3
    tweaked = case.update({"contract.price.high": 3000})
    assert tweaked.contract.price == pytest.approx(2000)
    assert case.point().distributions == {}


def test_schema_lets_numbers_be_distributions():
    schema = case_schema()
    assert "Distribution" in schema["$defs"]
    rate = schema["$defs"]["Outcome"]["properties"]["baseline_rate"]
    assert {"$ref": "#/$defs/Distribution"} in rate["anyOf"]


# -- overflowing and degenerate parameters: a message naming the field, never an arithmetic error ---------

DEGENERATE = [
    ({"dist": "beta", "mean": 0.5, "sd": 1e-300}, "sd = 1e-300 is too small for a beta"),
    ({"dist": "beta", "mean": 0.5, "sd": 1e-6}, "is too small for a beta"),
    ({"dist": "beta", "a": 1e308, "b": 1}, "a must be a finite number of at most 1e+15"),
    ({"dist": "beta", "a": 1e-300, "b": 1}, "a = 1e-300 is outside [0.0001, 1e+08]"),
    ({"dist": "beta", "a": 2, "b": 10**400}, "b must be a finite number of at most 1e+15 in magnitude; got a whole number beyond"),
    ({"dist": "lognormal", "mean": 1e-300, "sd": 1e15}, "sdlog = inf"),
    ({"dist": "lognormal", "mean": 1e15, "sd": 1e-300}, "sdlog = 0"),
    ({"dist": "lognormal", "meanlog": 700, "sdlog": 5}, "needs sdlog <= 10"),
    ({"dist": "lognormal", "meanlog": 0, "sdlog": 11}, "needs sdlog <= 10"),
    ({"dist": "gamma", "mean": 1000, "sd": 1e-300}, "shape = inf is outside"),
    ({"dist": "gamma", "mean": 1e-300, "sd": 1e15}, "shape = 0 is outside"),
    ({"dist": "gamma", "shape": 1e15, "scale": 1e15}, "the mean shape * scale = 1e+30 is above 1e+15"),
    ({"dist": "gamma", "shape": 1e-300, "scale": 1}, "shape = 1e-300 is outside"),
    ({"dist": "normal", "mean": 1, "sd": 1e-300}, "sd = 1e-300 is too small for a normal"),
    ({"dist": "normal", "mean": 1e308, "sd": 1}, "mean must be a finite number of at most 1e+15"),
    ({"dist": "normal", "mean": 0, "sd": float("inf")}, "sd must be a finite number"),
    ({"dist": "uniform", "low": -1e308, "high": 1e308}, "low must be a finite number of at most 1e+15"),
    ({"dist": "triangular", "low": 0, "mode": 0, "high": float("nan")}, "high must be a finite number"),
    ({"dist": "pert", "low": 0, "mode": 1, "high": 1e20}, "high must be a finite number of at most 1e+15"),
]


@pytest.mark.parametrize("spec, words", DEGENERATE, ids=lambda x: str(x)[:50] if isinstance(x, dict) else "")
def test_overflowing_and_degenerate_parameters_are_refused(spec, words):
    with pytest.raises(DistributionError) as err:
        Distribution.from_spec(spec)
    assert words in str(err.value)
    data = copy.deepcopy(BASE)
    data["contract"]["price"] = spec
    with pytest.raises(CaseError) as err:
        Case.from_dict(data)
    text = str(err.value)
    assert text.startswith(("contract.price = {", "contract.price.")) and "\n" not in text and len(text) <= 300


@pytest.mark.parametrize("spec", [
    {"dist": "beta", "a": 1e-4, "b": 1e8}, {"dist": "beta", "a": 1e8, "b": 1e8}, {"dist": "lognormal", "meanlog": 0, "sdlog": 10},
    {"dist": "gamma", "shape": 1e-4, "scale": 1e15 / 1e-4 * 1e-4}, {"dist": "normal", "mean": 1e15, "sd": 1e15},
    {"dist": "beta", "mean": 0.5, "sd": 1e-4},
])
def test_extreme_parameters_within_the_bounds_sample_finite_values(spec):
    d = Distribution.from_spec(spec)
    x = d.sample(np.random.default_rng(2), 20_000)
    assert np.isfinite(x).all() and math.isfinite(d.mean) and math.isfinite(d.sd)
