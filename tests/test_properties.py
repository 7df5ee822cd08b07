"""Invariants of the model (hypothesis)."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sibmodel import Case, evaluate
from tests.conftest import cases


def _money(r) -> float:
    return max(1.0, r.pv_savings, r.pv_cost, r.case.contract.price * r.paid_outcomes)


@given(cases(cap=False))
def test_at_commissioner_max_the_commissioner_breaks_even(case_dict):
    r = evaluate(Case.from_dict(case_dict))
    assume(r.commissioner_max is not None)
    at = evaluate(r.case.update({"contract.price": max(r.commissioner_max, 0.0)}))
    if r.commissioner_max >= 0:
        assert at.commissioner_npv == pytest.approx(0.0, abs=1e-9 * _money(at))


@given(cases())
def test_at_investor_min_the_investor_npv_is_zero(case_dict):
    case_dict["contract"]["cap"] = None
    r = evaluate(Case.from_dict(case_dict))
    assume(r.investor_min is not None)
    at = evaluate(r.case.update({"contract.price": r.investor_min}))
    assert at.investor_npv == pytest.approx(0.0, abs=1e-9 * _money(at))


@given(cases(), st.floats(0.1, 10.0))
def test_results_scale_linearly_with_participants(case_dict, k):
    d = copy.deepcopy(case_dict)
    d["contract"]["cap"] = None
    r1 = evaluate(Case.from_dict(d))
    d["cohort"]["participants"] = [p * k for p in d["cohort"]["participants"]]
    fixed = d["intervention"]["fixed_cost_per_year"]
    d["intervention"]["fixed_cost_per_year"] = [f * k for f in fixed] if isinstance(fixed, list) else fixed * k
    rk = evaluate(Case.from_dict(d))
    for name in ("prevented_cases", "paid_outcomes", "pv_savings", "pv_cost", "investor_npv", "commissioner_npv"):
        assert getattr(rk, name) == pytest.approx(k * getattr(r1, name), rel=1e-9, abs=1e-9 * k * _money(r1)), name
    for name in ("savings_per_case", "commissioner_max", "investor_min", "investor_moic"):
        a, b = getattr(rk, name), getattr(r1, name)
        assert (a is None) == (b is None)
        if a is not None:
            assert a == pytest.approx(b, rel=1e-9, abs=1e-9 * _money(r1)), name


@given(cases())
def test_zero_discount_rate_gives_undiscounted_sums(case_dict):
    case_dict["discounting"] = 0.0
    r = evaluate(Case.from_dict(case_dict))
    assert r.pv_savings == pytest.approx(r.savings_by_year.to_numpy().sum(), rel=1e-9, abs=1e-9)
    assert r.pv_cost == pytest.approx(r.cash_flows["intervention_cost"].sum(), rel=1e-9, abs=1e-9)
    assert r.savings_per_case * r.prevented_cases == pytest.approx(r.pv_savings, rel=1e-9, abs=1e-9)


@given(cases(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_more_effect_never_lowers_savings(case_dict, rr1, rr2):
    lo, hi = sorted((rr1, rr2))
    case = Case.from_dict(case_dict)
    r_lo = evaluate(case.update({"outcome.relative_reduction": lo}))
    r_hi = evaluate(case.update({"outcome.relative_reduction": hi}))
    tol = 1e-9 * _money(r_hi)
    assert (r_hi.pv_savings_by_holder >= r_lo.pv_savings_by_holder - tol).all()
    assert r_hi.prevented_cases >= r_lo.prevented_cases


@given(cases())
def test_no_nan_anywhere(case_dict):
    r = evaluate(Case.from_dict(case_dict))
    for name, v in r.key_figures().items():
        assert v is None or math.isfinite(v), name
    assert np.isfinite(r.savings_by_year.to_numpy()).all() and np.isfinite(r.cash_flows.to_numpy()).all()


@given(cases())
def test_switching_value_is_where_the_commissioner_breaks_even(case_dict):
    r = evaluate(Case.from_dict(case_dict))
    rr = r.switching_relative_reduction
    if rr is None:
        assert evaluate(r.case.update({"outcome.relative_reduction": 1.0})).commissioner_npv < 0
    elif rr > 0:
        at = evaluate(r.case.update({"outcome.relative_reduction": rr}))
        assert at.commissioner_npv == pytest.approx(0.0, abs=1e-7 * _money(at))
        above = evaluate(r.case.update({"outcome.relative_reduction": min(1.0, rr + 0.01)}))
        assert above.commissioner_npv >= -1e-7 * _money(above)
