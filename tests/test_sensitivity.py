"""Tornado, switching values, two-way grids and acceptability curves, checked against evaluate()."""
from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy import stats

from sibmodel import Case, CaseError, acceptability, evaluate, simulate, switching_values, tornado, two_way
from tests.conftest import BASE

DISTS = {
    "outcome.baseline_rate": {"dist": "beta", "mean": 0.5, "sd": 0.08},
    "outcome.relative_reduction": {"dist": "beta", "mean": 0.2, "sd": 0.05},
    "costs_per_case.0.amount": {"dist": "gamma", "mean": 1000, "sd": 250},
    "intervention.cost_per_participant": {"dist": "triangular", "low": 60, "mode": 100, "high": 160},
    "contract.investor_share": 0.5,
}


def _case(**changes) -> Case:
    return Case.from_dict(copy.deepcopy(BASE)).update({**DISTS, **changes})


def test_tornado_uses_the_10th_and_90th_percentiles_and_brackets_the_point_value():
    case = _case()
    table = tornado(case)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    assert set(table["input"]) == set(case.distributions)
    d = case.distributions["outcome.baseline_rate"]
    row = table.set_index("input").loc["outcome.baseline_rate"]
    assert (row["low_value"], row["high_value"]) == pytest.approx(tuple(stats.beta(d.p["a"], d.p["b"]).ppf([0.1, 0.9])))
    point = evaluate(case).commissioner_npv
    for _, r in table.iterrows():
        lo, hi = sorted((r["figure_low"], r["figure_high"]))
        assert lo - 1e-9 <= point <= hi + 1e-9
        want = evaluate(case.point().update({r["input"]: r["low_value"]})).commissioner_npv
        assert r["figure_low"] == pytest.approx(want, rel=1e-9)


def test_tornado_of_point_inputs_with_ranges_and_bad_names():
    case = Case.from_dict(copy.deepcopy(BASE))
    table = tornado(case, "investor_npv", ranges={"contract.price": (1000, 2000)})
    row = table.iloc[0]
    assert row["figure_high"] == pytest.approx(evaluate(case.update({"contract.price": 2000})).investor_npv)
    with pytest.raises(CaseError, match="give its range"):
        tornado(case, paths=["contract.price"])
    with pytest.raises(CaseError, match=r"^contract\.prize = '\(input\)': not a real-valued input"):
        tornado(case, ranges={"contract.prize": (1, 2)})
    with pytest.raises(CaseError, match=r"^figure = 'npv': unknown key figure"):
        tornado(case, "npv")


def test_switching_value_of_the_effect_matches_evaluate():
    case = _case(**{"outcome.relative_reduction": {"dist": "uniform", "low": 0.0, "high": 1.0}, "contract.price": 1800})
    table = switching_values(case, ["outcome.relative_reduction"]).set_index("figure")
    com = table.loc["commissioner_npv"]
    # evaluate() computes the same switching value with its own grid and root finder
    assert com["switching_value"] == pytest.approx(evaluate(case).switching_relative_reduction, abs=1e-9)
    at = evaluate(case.point().update({"outcome.relative_reduction": com["switching_value"]}))
    assert abs(at.commissioner_npv) < 1e-6
    assert 0 < com["switching_value"] < 1
    assert com["holds_when"] == "above"                 # savings grow faster than payments: NPV rises with rr
    assert com["prob_beyond"] == pytest.approx(com["switching_value"])   # P(U < rr*) for U uniform on [0, 1]
    inv = table.loc["investor_npv"]
    at = evaluate(case.point().update({"outcome.relative_reduction": inv["switching_value"]}))
    assert abs(at.investor_npv) < 1e-6 and inv["holds_when"] == "above"


def test_switching_value_without_a_crossing_is_nan():
    case = Case.from_dict(copy.deepcopy(BASE))
    table = switching_values(case, ["contract.price"], ranges={"contract.price": (0, 1)},
                             figures={"investor_npv": 0.0})
    assert np.isnan(table["switching_value"].iloc[0])


def test_two_way_grid_equals_evaluate():
    case = _case()
    grid = two_way(case, "contract.price", "outcome.relative_reduction", x_values=[1000, 1500, 2000], n=4)
    assert grid.shape == (4, 3)
    for y in grid.index[[0, -1]]:
        for x in grid.columns:
            want = evaluate(case.point().update({"contract.price": x, "outcome.relative_reduction": y})).commissioner_npv
            assert grid.loc[y, x] == pytest.approx(want, rel=1e-9)


def test_acceptability_curves_are_monotone_in_price_and_match_the_simulation():
    case = _case(**{"contract.cap": 9000})
    sim = simulate(case, draws=4000, seed=3, noise=True)
    prices = np.linspace(0, 6000, 25)
    curve = acceptability(sim, prices)
    assert np.all(np.diff(curve["prob_commissioner_saves"]) <= 0)
    assert np.all(np.diff(curve["prob_investor_meets_required"]) >= 0)
    assert curve["prob_commissioner_saves"].iloc[0] > curve["prob_commissioner_saves"].iloc[-1]
    at = acceptability(sim, [case.contract.price])
    assert at["prob_commissioner_saves"].iloc[0] == pytest.approx(sim.prob_commissioner_saves)
    assert at["prob_investor_meets_required"].iloc[0] == pytest.approx(1 - sim.prob_investor_below_required)
    with pytest.raises(CaseError, match="prices"):
        acceptability(sim, [-1.0])


def test_acceptability_matches_a_normal_cdf_when_npv_is_linear():
    # only the unit cost is uncertain (normal): at price p the commissioner saves iff amount > a*(p)
    case = Case.from_dict(copy.deepcopy(BASE)).update(
        {"costs_per_case.0.amount": {"dist": "normal", "mean": 1000, "sd": 150, "lower": 0}})
    prices = np.array([1000.0, 1500.0, 2000.0])
    n = 40_000
    curve = acceptability(case, prices, draws=n, seed=4)
    for p, got in zip(prices, curve["prob_commissioner_saves"]):
        point = case.point().update({"contract.price": float(p)})
        n0 = evaluate(point.update({"costs_per_case.0.amount": 0.0})).commissioner_npv
        slope = evaluate(point.update({"costs_per_case.0.amount": 1.0})).commissioner_npv - n0
        want = stats.truncnorm.sf(-n0 / slope, -1000 / 150, np.inf, loc=1000, scale=150)
        assert abs(got - want) < 4 * np.sqrt(max(want * (1 - want), 1e-6) / n)


def test_charts_draw_the_tables():
    import matplotlib

    matplotlib.use("Agg")
    from sibmodel import plot_acceptability, plot_tornado

    case = _case()
    table = tornado(case)
    ax = plot_tornado(table)
    widths = sorted(abs(p.get_width()) for p in ax.patches)
    want = sorted(abs(v) for v in [*(table["figure_low"] - table["point"]), *(table["figure_high"] - table["point"])])
    assert widths == pytest.approx(want)
    curve = acceptability(case, [0, 2000, 4000], draws=500, seed=1)
    ax = plot_acceptability(curve, price=case.contract.price)
    assert list(ax.lines[0].get_ydata()) == list(curve["prob_commissioner_saves"])
