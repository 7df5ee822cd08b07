"""Design v2 in the vectorised core, simulate, sensitivity and value of information: rate-card prices as inputs,
a threshold per draw with binomial evaluation noise per cohort, the card's scales over draws."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given, settings

from sibmodel import Case, evaluate, simulate
from sibmodel.sensitivity import switching_values, tornado
from sibmodel.vectorised import evaluate_many, figure_names, input_paths
from sibmodel.voi import evppi
from tests.test_ratecard import HAND, PETERBOROUGH, v2_cases


def _close(got: float, want: float | None) -> bool:
    if want is None:
        return math.isnan(got)
    return abs(got - want) <= 1e-9 * max(1.0, abs(want))


def test_row_prices_and_own_rates_are_inputs():
    paths = input_paths(Case.from_dict(HAND))
    assert {"contract.outcomes.0.price", "contract.outcomes.0.treated_rate", "contract.outcomes.0.baseline_rate",
            "contract.outcomes.2.price"} <= set(paths)
    assert "contract.price" not in paths


@settings(max_examples=30)
@given(v2_cases())
def test_vectorised_core_equals_evaluate_on_generated_v2_cases(d):
    case = Case.from_dict(d)
    want = evaluate(case).key_figures()
    want.update({f"pv_savings_{h}": v for h, v in evaluate(case).pv_savings_by_holder.items()})
    got = evaluate_many(case)
    bad = {k: (got[k][0], want.get(k)) for k in figure_names(case) if k in want and not _close(got[k][0], want[k])}
    assert not bad


def test_draws_of_card_inputs_equal_evaluate_draw_by_draw():
    case = Case.from_dict(dict(copy.deepcopy(HAND), contract=dict(HAND["contract"], threshold=0.15)))
    draws = {"contract.outcomes.1.price": np.array([0.0, 500.0, 2500.0]),
             "contract.outcomes.0.treated_rate": np.array([0.2, 0.5, 0.9]),
             "contract.threshold": np.array([0.1, 0.2, 0.3])}
    got = evaluate_many(case, draws, 3)
    for i in range(3):
        want = evaluate(case.update({k: float(v[i]) for k, v in draws.items()})).key_figures()
        bad = {k: (got[k][i], want[k]) for k in figure_names(case) if not _close(got[k][i], want[k])}
        assert not bad, i


def test_threshold_with_evaluation_noise_matches_the_binomial_probability():
    # Peterborough's cohort of 936 with a true treated rate of 0.142 against 0.155: the cohort is paid when at
    # most floor(0.155 * 0.9 * 936) = 130 of them end in the case
    stats = pytest.importorskip("scipy.stats")
    case = Case.from_dict(PETERBOROUGH)
    k = math.floor(0.155 * 0.9 * 936 + 1e-9)
    want = float(stats.binom.cdf(k, 936, 0.142))
    sim = simulate(case, draws=40_000, seed=11, noise=True)
    se = math.sqrt(want * (1 - want) / sim.n)
    assert 0.05 < want < 0.95
    assert sim.prob_threshold_met == pytest.approx(want, abs=5 * se)
    assert sim.probabilities()["prob_threshold_met"] == sim.prob_threshold_met
    paid = sim.draws["total_payments"] > 0
    assert (paid == (sim.draws["cohorts_paid"] == 1)).all()
    # without noise the point values decide: 8.4 % < 10 %
    assert simulate(case, draws=100, seed=1).prob_threshold_met == 0


def _uncertain_card() -> Case:
    d = copy.deepcopy(HAND)
    d["outcome"]["relative_reduction"] = {"dist": "beta", "mean": 0.2, "sd": 0.05}
    d["contract"]["outcomes"][1]["price"] = {"dist": "uniform", "low": 500, "high": 1500}
    d["contract"]["threshold"] = 0.15
    return Case.from_dict(d)


def test_simulate_a_card_reports_the_scales_and_prob_threshold_met():
    sim = simulate(_uncertain_card(), draws=4000, seed=5, noise=True)
    pct = sim.percentiles()
    for name in ("commissioner_max_scale", "investor_min_scale", "public_sector_max_scale", "societal_max_scale"):
        assert pct.loc[name, "p5"] <= pct.loc[name, "p50"] <= pct.loc[name, "p95"]
    assert 0 < sim.prob_threshold_met < 1
    assert "prob_threshold_met" in set(sim.summary()["name"])


def test_acceptability_over_the_card_scale_is_monotone():
    sim = simulate(_uncertain_card(), draws=2000, seed=2)
    curve = sim.acceptability(scales=np.linspace(0, 3, 13))
    assert list(curve.columns) == ["scale", "prob_commissioner_saves", "prob_investor_meets_required"]
    assert (np.diff(curve["prob_commissioner_saves"]) <= 1e-12).all()
    assert (np.diff(curve["prob_investor_meets_required"]) >= -1e-12).all()
    with pytest.raises(Exception, match="scales"):
        sim.acceptability([100.0, 200.0])


def test_tornado_and_switching_value_over_a_row_price():
    case = Case.from_dict(HAND)
    # 5 outcomes are paid on housed_1y: the commissioner's NPV falls by 5 per DKK of its price
    t = tornado(case, ranges={"contract.outcomes.1.price": (0.0, 2000.0)})
    assert t.loc[0, "figure_low"] - t.loc[0, "figure_high"] == pytest.approx(5 * 2000)
    sv = switching_values(case, ["contract.outcomes.1.price"], figures={"commissioner_npv": 0.0},
                          ranges={"contract.outcomes.1.price": (0.0, 5000.0)})
    # 17,500 - 3,000 - 5,250 - 5 p = 0  ->  p = 1,850
    assert sv.loc[0, "switching_value"] == pytest.approx(1850, rel=1e-9)
    assert sv.loc[0, "holds_when"] == "below"


def test_evppi_groups_row_prices_under_contract():
    sim = simulate(_uncertain_card(), draws=3000, seed=4)
    table = evppi(sim).set_index("group")
    assert "contract.outcomes.1.price" in table.loc["contract", "inputs"]
