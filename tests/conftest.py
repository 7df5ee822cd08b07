"""Shared fixtures and hypothesis strategies: small valid cases with explicit amounts."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"

settings.register_profile("sibmodel", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("sibmodel")

# The DESIGN.md example with explicit amounts, small enough to follow.
BASE: dict = {
    "name": "Test case",
    "price_year": 2023,
    "discounting": 0.1,
    "cohort": {"participants": [10]},
    "outcome": {"baseline_rate": 0.5, "relative_reduction": 0.2, "horizon_years": 2, "drop_off": 0.0},
    "costs_per_case": [{"amount": 1000, "holder": "kommune", "quantity": 1}],
    "intervention": {"cost_per_participant": 100},
    "contract": {"price": 1500, "payment_lag_years": 1, "investor_required_return": 0.2},
}


@pytest.fixture
def base() -> dict:
    return copy.deepcopy(BASE)


rate = st.floats(0.0, 0.15)
prob = st.floats(0.0, 1.0)


@st.composite
def cost_items(draw, horizon: int):
    item = {
        "amount": draw(st.floats(1.0, 1e6)),
        "holder": draw(st.sampled_from(["kommune", "region", "stat"])),
        "cashable": draw(st.floats(0.1, 1.0)),
    }
    if draw(st.booleans()):
        item["quantity"] = draw(st.lists(st.floats(0.0, 50.0), min_size=1, max_size=horizon))
    else:
        item["quantity"] = draw(st.floats(0.0, 50.0))
        if draw(st.booleans()):
            item["years"] = draw(st.integers(1, horizon + 3))
    return item


@st.composite
def cases(draw, metric=None, cap=True, share=None):
    """Valid case dicts with explicit amounts (so the independent reference model can take them)."""
    J = draw(st.integers(1, 15))
    E = draw(st.integers(1, 4))
    p0 = draw(st.floats(0.05, 1.0))
    outcome = {"baseline_rate": p0, "horizon_years": J, "onset_lag_years": draw(st.integers(0, 3))}
    if draw(st.booleans()):
        outcome["relative_reduction"] = draw(st.floats(0.01, 1.0))
    else:
        outcome["treated_rate"] = p0 * draw(st.floats(0.0, 0.99))
    if draw(st.booleans()):
        outcome["drop_off"] = draw(st.floats(0.0, 0.5))
    else:
        outcome["persistence"] = draw(st.lists(prob, min_size=1, max_size=J))
    fixed = draw(st.one_of(st.floats(0.0, 1e6), st.lists(st.floats(0.0, 1e6), min_size=1, max_size=E + 3)))
    return {
        "name": "generated",
        "price_year": 2023,
        "discounting": draw(st.one_of(st.sampled_from(["dk-fm-2021", "uk-green-book"]), rate)),
        "cohort": {"participants": [draw(st.floats(1.0, 500.0))] + draw(st.lists(st.floats(0.0, 500.0), max_size=E - 1))},
        "outcome": outcome,
        "adjustments": {"attribution": draw(st.floats(0.1, 1.0)), "displacement": draw(st.floats(0.0, 0.9)),
                        "optimism_bias": draw(st.floats(0.0, 0.9))},
        "costs_per_case": draw(st.lists(cost_items(J), min_size=1, max_size=4)),
        "intervention": {"cost_per_participant": draw(st.floats(0.0, 1e5)),
                         "delivery_years": draw(st.integers(1, 3)), "fixed_cost_per_year": fixed},
        "contract": {
            "metric": metric or draw(st.sampled_from(["prevented_case", "success"])),
            "price": draw(st.floats(0.0, 1e6)),
            "payment_lag_years": draw(st.integers(0, 3)),
            "cap": draw(st.one_of(st.none(), st.just(0.0), st.floats(1.0, 1e8))) if cap else None,
            "payers": draw(st.sampled_from([["kommune"], ["kommune", "region"], ["stat"], ["kommune", "region", "stat"]])),
            "investor_share": share if share is not None else draw(st.one_of(st.just(0.0), st.floats(0.01, 1.0))),
            "investor_required_return": draw(st.floats(0.0, 0.2)),
        },
    }
