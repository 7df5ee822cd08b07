"""The limits: each bound refused at its edge with the field, the value and the limit; within them, finite
figures; the simulation's draws checked before anything is allocated."""
from __future__ import annotations

import copy
import math

import pytest

from sibmodel import ArgumentError, Case, CaseError, evaluate, limits, simulate
from sibmodel.cli import main
from tests.conftest import BASE


def _with(path: str, value) -> dict:
    data = copy.deepcopy(BASE)
    node = data
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value
    return data


@pytest.mark.parametrize("path, ok, bad, words", [
    ("costs_per_case.0.amount", 1e12 * (1 - 1e-15), 1e12, "an amount of money must be below 1e+12"),
    ("intervention.cost_per_participant", 9.99e11, 1e12, "an amount of money must be below 1e+12"),
    ("intervention.fixed_cost_per_year", [9.99e11], [0, 1e12], "an amount of money must be below 1e+12"),
    ("contract.price", 9.99e11, 2e12, "an amount of money must be below 1e+12"),
    ("contract.cap", 9.99e11, 1e13, "an amount of money must be below 1e+12"),
    ("cohort.participants", [9_999_999], [1, 10_000_000], "participants in one year must be below 1e+07"),
    ("costs_per_case.0.quantity", 999_999, 1e6, "a quantity must be below 1e+06"),
    ("contract.investor_required_return", -0.5, -0.51, "the required return must be at least -0.5"),
    ("cohort.participants", [1] * 50, [1] * 51, "at most 50 entries"),
    ("intervention.fixed_cost_per_year", [1] * 200, [1] * 201, "at most 200 entries"),
    ("name", "x" * 10_000, "x" * 10_001, "a text has at most 10,000 characters"),
    ("currency", "EUR", "eur", "must be an ISO 4217 currency code"),
    ("currency", "GBP", "DKR", "must be an ISO 4217 currency code"),
])
def test_each_limit_is_refused_at_its_edge(path, ok, bad, words):
    data = _with(path, ok)
    if path == "costs_per_case.0.quantity":
        data["outcome"]["horizon_years"] = 2
    case = Case.from_dict(data)
    result = evaluate(case)
    assert all(v is None or math.isfinite(v) for v in result.key_figures().values())
    with pytest.raises(CaseError) as err:
        Case.from_dict(_with(path, bad))
    text = str(err.value)
    assert text.startswith(path) and words in text and "\n" not in text


def test_cost_items_are_at_most_a_hundred():
    data = copy.deepcopy(BASE)
    data["costs_per_case"] = data["costs_per_case"] * 100
    Case.from_dict(data)
    data["costs_per_case"] = data["costs_per_case"] + data["costs_per_case"][:1]
    with pytest.raises(CaseError, match=r"^costs_per_case = '\(a list of 101 entries\)': at most 100 entries$"):
        Case.from_dict(data)


def test_non_finite_numbers_are_refused_everywhere():
    for path in ("outcome.baseline_rate", "discounting", "outcome.drop_off", "contract.cap"):
        for x in (math.inf, -math.inf, math.nan):
            with pytest.raises(CaseError, match=f"^{path} = (-?inf|nan): every number must be finite"):
                Case.from_dict(_with(path, x))


def test_a_distribution_is_held_to_the_limits_of_its_field():
    ok = {"dist": "lognormal", "mean": 1e5, "sd": 3e4}
    Case.from_dict(_with("costs_per_case.0.amount", ok))
    for spec, words in [
        ({"dist": "normal", "mean": 5e11, "sd": 1e11}, "reaches 1.1e+12"),
        ({"dist": "uniform", "low": 0, "high": 1e12}, "reaches 1e+12"),
        ({"dist": "gamma", "mean": 1e11, "sd": 2e11}, "an amount of money must be below 1e+12"),
    ]:
        with pytest.raises(CaseError, match=words.replace("+", r"\+")):
            Case.from_dict(_with("costs_per_case.0.amount", spec))
    with pytest.raises(CaseError, match="the required return must be at least -0.5"):
        Case.from_dict(_with("contract.investor_required_return", {"dist": "uniform", "low": -0.9, "high": 0.1}))


def test_limits_agree_with_the_schema():
    schema = Case.model_json_schema()
    assert schema["$defs"]["Outcome"]["properties"]["horizon_years"]["maximum"] == limits.MAX_YEARS


def test_draws_are_checked_before_allocation_with_a_memory_estimate():
    case = Case.from_dict(_with("contract.price", {"dist": "normal", "mean": 1500, "sd": 100, "lower": 0}))
    with pytest.raises(ArgumentError, match=r"^draws = 1000000000: at most 1,000,000 draws \(this run would need about [\d,]+ MB"):
        simulate(case, draws=1_000_000_000)
    with pytest.raises(ArgumentError, match=r"^draws = 11: at most 10 draws"):
        simulate(case, draws=11, max_draws=10)
    assert simulate(case, draws=10, max_draws=10, seed=1).n == 10
    with pytest.raises(ArgumentError, match="^max_draws = 0"):
        simulate(case, draws=10, max_draws=0)


def test_memory_estimate_grows_with_draws_and_years():
    small = Case.from_dict(BASE)
    big = Case.from_dict(_with("outcome.horizon_years", 200))
    assert limits.simulation_bytes(small, 2000, 30, 50_000) == 2 * limits.simulation_bytes(small, 1000, 30, 50_000)
    assert limits.simulation_bytes(big, 1000, 30, 50_000) > limits.simulation_bytes(small, 1000, 30, 50_000)
    # 10^7 draws of 30 columns: 2.4 GB kept, beyond the default memory bound even under a raised draw limit
    assert limits.simulation_bytes(small, 10_000_000, 30, 50_000) > 30 * 8 * 10_000_000


def test_cli_max_draws(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    path.write_text(Case.from_dict(_with("contract.price", {"dist": "normal", "mean": 1500, "sd": 100, "lower": 0})).to_yaml())
    assert main(["simulate", str(path), "--draws", "1000000000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: draws = 1000000000: at most 1,000,000 draws") and err.count("\n") == 1
    assert main(["simulate", str(path), "--draws", "300", "--max-draws", "200"]) == 2
    assert "at most 200 draws" in capsys.readouterr().err
    assert main(["simulate", str(path), "--draws", "200", "--max-draws", "200", "--seed", "1", "--quiet"]) == 0
