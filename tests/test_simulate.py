"""Monte Carlo: the vectorised model against evaluate(), seeds, analytic probabilities, noise, IRR, Dask, CLI."""
from __future__ import annotations

import copy
import json
import math

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sibmodel import Case, CaseError, evaluate, simulate
from sibmodel.cli import main
from sibmodel.pricing import irr_many, payback_many, payback_year
from sibmodel.vectorised import FIGURES, evaluate_many
from tests.conftest import BASE, cases


def _close(got: float, want: float | None) -> bool:
    if want is None:
        return math.isnan(got)
    return abs(got - want) <= 1e-9 * max(1.0, abs(want))


def _case(**changes) -> Case:
    return Case.from_dict(copy.deepcopy(BASE)).update(changes)


@settings(max_examples=40)
@given(cases())
def test_vectorised_model_equals_evaluate_on_generated_cases(case_dict):
    case = Case.from_dict(case_dict)
    want = evaluate(case).key_figures()
    got = evaluate_many(case)
    bad = {k: (got[k][0], want[k]) for k in FIGURES if not _close(got[k][0], want[k])}
    assert not bad


def test_with_all_inputs_fixed_every_draw_equals_evaluate():
    case = _case()
    sim = simulate(case, draws=50, seed=3)
    want = evaluate(case).key_figures()
    for k in FIGURES:
        col = sim.draws[k].to_numpy()
        assert all(_close(v, want[k]) for v in col), k


UNCERTAIN = {
    "outcome.baseline_rate": {"dist": "beta", "mean": 0.5, "sd": 0.08},
    "outcome.relative_reduction": {"dist": "pert", "low": 0.05, "mode": 0.2, "high": 0.5},
    "outcome.horizon_years": 4,
    "outcome.drop_off": {"dist": "uniform", "low": 0.0, "high": 0.3},
    "adjustments.attribution": {"dist": "triangular", "low": 0.6, "mode": 0.9, "high": 1.0},
    "cohort.participants": [{"dist": "gamma", "mean": 10, "sd": 2}, 12, {"dist": "uniform", "low": 5, "high": 9}],
    "costs_per_case.0.amount": {"dist": "lognormal", "mean": 1000, "sd": 200},
    "costs_per_case.0.quantity": [1, {"dist": "uniform", "low": 0.5, "high": 1.5}, 0.5],
    "costs_per_case.1": {"amount": 300, "holder": "stat", "quantity": {"dist": "gamma", "mean": 2, "sd": 0.5}, "years": 2,
                         "cashable": {"dist": "beta", "a": 8, "b": 2}},
    "intervention.cost_per_participant": {"dist": "normal", "mean": 100, "sd": 15, "lower": 0},
    "intervention.delivery_years": 2,
    "intervention.fixed_cost_per_year": [200, {"dist": "uniform", "low": 50, "high": 150}],
    "discounting": {"dist": "uniform", "low": 0.0, "high": 0.08},
    "contract.price": {"dist": "normal", "mean": 1500, "sd": 300, "lower": 0},
    "contract.cap": {"dist": "uniform", "low": 2000, "high": 9000},
    "contract.investor_share": {"dist": "beta", "a": 9, "b": 1},
    "contract.investor_required_return": {"dist": "uniform", "low": 0.02, "high": 0.15},
    "contract.payers": ["kommune", "region"],
}


@pytest.mark.parametrize("metric", ["prevented_case", "success"])
def test_each_draw_equals_evaluate_of_the_case_with_those_values(metric):
    case = _case(**UNCERTAIN, **{"contract.metric": metric})
    assert len(case.distributions) == 17
    sim = simulate(case, draws=8, seed=11)
    for i in range(sim.n):
        fixed = case.point().update({p: float(sim.inputs[p].iloc[i]) for p in sim.inputs.columns})
        want = evaluate(fixed).key_figures()
        got = sim.draws.iloc[i]
        bad = {k: (got[k], want[k]) for k in FIGURES if not _close(got[k], want[k])}
        assert not bad, (i, bad)


def test_seeds_reproduce_exactly_and_differ_between_seeds():
    case = _case(**UNCERTAIN)
    a = simulate(case, draws=3000, seed=42, chunk_size=1000)
    b = simulate(case, draws=3000, seed=42, chunk_size=1000)
    c = simulate(case, draws=3000, seed=43, chunk_size=1000)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    pd.testing.assert_frame_equal(a.inputs, b.inputs)
    assert not np.allclose(a.inputs.to_numpy(), c.inputs.to_numpy())
    fresh = simulate(case, draws=10)
    again = simulate(case, draws=10, seed=fresh.seed)
    pd.testing.assert_frame_equal(fresh.draws, again.draws)


def _linear_normal_case(sd: float = 100.0):
    """Commissioner NPV linear in one normal unit cost; price set so that NPV = 0 at mean - 0.5 sd."""
    mu = 1000.0
    at = evaluate(_case(**{"costs_per_case.0.amount": mu - 0.5 * sd})).commissioner_max
    case = _case(**{"costs_per_case.0.amount": {"dist": "normal", "mean": mu, "sd": sd, "lower": 0}, "contract.price": at})
    return case, mu, sd


def test_probability_commissioner_saves_is_a_normal_cdf_when_npv_is_linear_in_a_normal_input():
    case, mu, sd = _linear_normal_case()
    # the NPV's slope and intercept from evaluate() at two amounts (no simulation involved)
    n0 = evaluate(case.point().update({"costs_per_case.0.amount": 0.0})).commissioner_npv
    n1 = evaluate(case.point().update({"costs_per_case.0.amount": 1.0})).commissioner_npv
    slope = n1 - n0
    want = stats.truncnorm.sf(-n0 / slope, -mu / sd, np.inf, loc=mu, scale=sd)  # P(n0 + slope * X > 0), slope > 0
    assert want == pytest.approx(stats.norm.cdf(0.5), rel=1e-9)
    n = 100_000
    sim = simulate(case, draws=n, seed=1, figures=["commissioner_npv"])
    se = math.sqrt(want * (1 - want) / n)
    assert abs(sim.prob_commissioner_saves - want) < 4 * se


def test_probability_investor_loses_is_a_normal_cdf_of_the_effect():
    # paid outcomes = participants * p0 * rr; the investor loses money where payments < financed cost
    mu, sd = 0.15, 0.03
    case = _case(**{"outcome.relative_reduction": {"dist": "normal", "mean": mu, "sd": sd, "lower": 0, "upper": 1}})
    p = case.point()
    financed = 10 * 100.0
    rr_star = financed / (p.contract.price * 10 * p.outcome.baseline_rate)
    want = stats.truncnorm.cdf(rr_star, -mu / sd, (1 - mu) / sd, loc=mu, scale=sd)
    n = 100_000
    sim = simulate(case, draws=n, seed=2, figures=["investor_moic"])
    assert 0.05 < want < 0.95
    assert abs(sim.prob_investor_loss - want) < 4 * math.sqrt(want * (1 - want) / n)


def test_evaluation_noise_pays_the_binomial_measured_outcome_and_saves_the_true_one():
    case = _case(**{"cohort.participants": [50]})
    n = 60_000
    sim = simulate(case, draws=n, seed=5, noise=True)
    truth = evaluate(case)
    # savings follow the true outcome: identical in every draw
    assert np.allclose(sim.draws["pv_savings"], truth.pv_savings, rtol=1e-12)
    # payments follow the measured outcome: 50 * p0 - X, X ~ Binomial(50, p1), never below 0
    k = np.arange(51)
    pmf = stats.binom.pmf(k, 50, 0.4)
    mean = float(np.sum(pmf * np.maximum(25 - k, 0)))
    sd = math.sqrt(float(np.sum(pmf * np.maximum(25 - k, 0) ** 2)) - mean**2)
    assert abs(sim.draws["paid_outcomes"].mean() - mean) < 4 * sd / math.sqrt(n)
    assert sim.draws["paid_outcomes"].min() == 0.0
    assert sim.inputs["measured_rate.0"].mul(50).sub(sim.inputs["measured_rate.0"].mul(50).round()).abs().max() < 1e-9


def test_percentiles_and_summary():
    case = _case(**UNCERTAIN)
    sim = simulate(case, draws=4000, seed=9)
    pct = sim.percentiles((10, 90))
    x = sim.draws["commissioner_npv"].to_numpy()
    assert pct.loc["commissioner_npv", "p10"] == pytest.approx(np.percentile(x, 10))
    assert pct.loc["commissioner_npv", "mean"] == pytest.approx(x.mean())
    irr = sim.draws["investor_irr"]
    assert pct.loc["investor_irr", "share_defined"] == pytest.approx(irr.notna().mean())
    for lang, word in (("en", "Probability that the commissioner saves"), ("da", "Sandsynlighed for at betaler sparer")):
        table = sim.summary(lang)
        row = table.set_index("name").loc["prob_commissioner_saves"]
        assert row["label"] == word and row["mean"] == pytest.approx((x > 0).mean())
    assert table.set_index("name").loc["pv_cost", "point"] == pytest.approx(evaluate(case).pv_cost)
    corridor = (sim.draws["investor_min"] <= sim.draws["commissioner_max"]).mean()
    assert sim.prob_corridor == pytest.approx(corridor)


@settings(max_examples=60)
@given(st.lists(st.floats(-1e3, 1e3).filter(lambda v: abs(v) > 1e-3), min_size=2, max_size=8), st.integers(0, 3))
def test_vectorised_irr_agrees_with_numpy_financial(flows, zeros):
    rows = np.array([flows + [0.0] * zeros, [0.0] * zeros + flows])
    got = irr_many(rows)
    want = npf.irr(flows)
    for g in got:
        if math.isnan(want):
            assert math.isnan(g)
        else:
            assert g == pytest.approx(want, rel=1e-6, abs=1e-9)


def test_vectorised_payback_agrees_with_payback_year():
    rng = np.random.default_rng(4)
    rows = rng.normal(0, 1, (300, 6))
    want = [payback_year(r) for r in rows]
    got = payback_many(rows)
    assert all((w is None and math.isnan(g)) or g == w for g, w in zip(got, want))


def test_bad_arguments_are_refused_with_the_field():
    case = _case()
    with pytest.raises(CaseError, match=r"^draws = 0: must be a whole number >= 1"):
        simulate(case, draws=0)
    with pytest.raises(CaseError, match=r"^figures = \['npv'\]: unknown key figure"):
        simulate(case, draws=10, figures=["npv"])
    with pytest.raises(CaseError, match=r"^seed = -1"):
        simulate(case, draws=10, seed=-1)


def test_dask_local_cluster_gives_the_local_result():
    from dask import distributed

    case = _case(**UNCERTAIN)
    local = simulate(case, draws=5000, seed=8, chunk_size=1300, noise=True)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = simulate(case, draws=5000, seed=8, chunk_size=1300, noise=True, client=client)
    pd.testing.assert_frame_equal(local.draws, remote.draws)
    pd.testing.assert_frame_equal(local.inputs, remote.inputs)


def test_cli_simulate(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    path.write_text(_case(**UNCERTAIN).to_yaml(), encoding="utf-8")
    assert main(["simulate", str(path), "--draws", "500", "--seed", "3", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    sim = simulate(_case(**UNCERTAIN), draws=500, seed=3)
    assert out["draws"] == 500 and out["seed"] == 3
    assert out["probabilities"]["prob_commissioner_saves"] == pytest.approx(sim.prob_commissioner_saves)
    assert out["figures"]["commissioner_npv"]["p50"] == pytest.approx(sim.draws["commissioner_npv"].median())
    csv = tmp_path / "draws.csv"
    assert main(["simulate", str(path), "--draws", "200", "--seed", "3", "--draws-csv", str(csv)]) == 0
    assert "Probability that the commissioner saves" in capsys.readouterr().out
    assert len(pd.read_csv(csv)) == 200
    bad = ["simulate", str(path), "--set", "outcome.baseline_rate={dist: beta, mean: 0.6, sd: 0.6}"]
    assert main(bad) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: outcome.baseline_rate = ") and "0.4899" in err
    assert main(["simulate", str(path), "--draws", "0"]) == 2


def test_vectorised_irr_of_alternating_cubics_agrees_with_numpy_financial():
    # investor flows of a three-year cohort paid with a one-year lag: out, in, out, in (one or three IRRs)
    rng = np.random.default_rng(6)
    rows = np.column_stack([-rng.uniform(1, 2, 3000), rng.uniform(0, 3, 3000), -rng.uniform(0, 3, 3000),
                            rng.uniform(0, 3, 3000)])
    got = irr_many(rows)
    want = np.array([npf.irr(r) for r in rows])
    assert np.array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    assert np.max(np.abs(got[ok] - want[ok]) / np.maximum(1.0, np.abs(want[ok]))) < 1e-9
