"""Value of information: EVPI and regression-based EVPPI against closed forms."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from scipy import stats

from sibmodel import Case, CaseError, evaluate, evpi, evppi, simulate
from tests.conftest import BASE


def _case(**changes) -> Case:
    return Case.from_dict(copy.deepcopy(BASE)).update(changes)


def test_evpi_is_zero_when_nothing_is_uncertain():
    sim = simulate(_case(), draws=200, seed=1)
    assert evpi(sim) == 0.0
    table = evppi(sim)
    assert list(table["group"]) == ["all inputs"] and table["evppi"].iloc[0] == 0.0


@pytest.mark.parametrize("price", [1500.0, 2200.0, 3000.0])
def test_evpi_is_never_negative(price):
    sim = simulate(_case(**{"contract.price": price,
                            "outcome.relative_reduction": {"dist": "beta", "mean": 0.2, "sd": 0.1},
                            "costs_per_case.0.amount": {"dist": "lognormal", "mean": 1000, "sd": 400}}),
                   draws=3000, seed=2)
    assert evpi(sim) >= 0.0
    table = evppi(sim)
    assert (table["evppi"] >= 0).all() and (table["evppi"] <= evpi(sim) + 1e-9).all()


def test_evpi_and_evppi_match_the_normal_closed_form_for_a_linear_npv():
    mu, sd = 1000.0, 150.0
    at = evaluate(_case(**{"costs_per_case.0.amount": mu - 0.3 * sd})).commissioner_max
    case = _case(**{"costs_per_case.0.amount": {"dist": "normal", "mean": mu, "sd": sd, "lower": 0},
                    "outcome.baseline_rate": {"dist": "beta", "a": 5000, "b": 5000}, "contract.price": at})
    n = 100_000
    sim = simulate(case, draws=n, seed=3)
    # NPV = slope * (X - (mu - 0.3 sd)) in the unit cost X (the baseline rate hardly varies); E[max(Y, 0)]
    # for Y ~ N(m, s): m Phi(m/s) + s phi(m/s).
    point = case.point()
    n0 = evaluate(point.update({"costs_per_case.0.amount": 0.0})).commissioner_npv
    slope = evaluate(point.update({"costs_per_case.0.amount": 1.0})).commissioner_npv - n0
    m, s = n0 + slope * mu, slope * sd
    want = m * stats.norm.cdf(m / s) + s * stats.norm.pdf(m / s) - max(m, 0.0)
    x = sim.draws["commissioner_npv"].to_numpy()
    se = np.std(np.maximum(x, 0)) / math.sqrt(n)
    assert abs(evpi(sim) - want) < 5 * se + 0.01 * want
    table = evppi(sim).set_index("group")
    assert table.loc["unit_costs", "evppi"] == pytest.approx(evpi(sim), rel=0.02)
    assert table.loc["effect", "evppi"] < 0.05 * evpi(sim)


def test_evppi_with_named_groups_and_bad_names():
    case = _case(**{"outcome.relative_reduction": {"dist": "beta", "mean": 0.2, "sd": 0.1},
                    "costs_per_case.0.amount": {"dist": "lognormal", "mean": 1000, "sd": 400}, "contract.price": 2500})
    sim = simulate(case, draws=4000, seed=5)
    table = evppi(sim, {"effect": ["outcome.relative_reduction"], "both": r"^(outcome|costs)"}).set_index("group")
    assert table.loc["both", "evppi"] == pytest.approx(evpi(sim), rel=1e-6)
    assert 0 < table.loc["effect", "evppi"] <= evpi(sim)
    with pytest.raises(CaseError, match=r"^groups\.x = \['outcome\.nope'\]"):
        evppi(sim, {"x": ["outcome.nope"]})


def test_evppi_of_a_large_group_stays_within_bounds():
    from tests.test_simulate import UNCERTAIN

    case = Case.from_dict(copy.deepcopy(BASE)).update(UNCERTAIN)
    sim = simulate(case, draws=3000, seed=6)
    table = evppi(sim, {"everything": "."}, max_draws=2000).set_index("group")
    assert len(table.loc["everything", "inputs"].split(", ")) == 17
    assert 0.0 <= table.loc["everything", "evppi"] <= evpi(sim)
