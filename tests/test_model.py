"""The deterministic model: hand-computed cases and agreement with an independent reference implementation."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given

from sibmodel import Case, CaseError, evaluate, load_case
from tests.conftest import TEMPLATES, cases
from tests.reference_model import reference_evaluate

REL = 1e-9


def close(a, b, rel=REL, scale=1.0):
    """a == b to ``rel`` relative, with an absolute floor of rel * scale (for values that are ~0)."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=rel * scale)


def test_hand_computed_case(base):
    # 10 participants, p0 = 0.5, p1 = 0.4 -> 1 prevented case. One kommune item: 1000 DKK a year for 2 years.
    # Rate 10 %: S = 1000 + 1000/1.1 = 1909.0909...; cost 10 * 100 = 1000 in year 0; 1 outcome paid in year 1.
    r = evaluate(Case.from_dict(base))
    S = 1000 + 1000 / 1.1
    assert r.prevented_cases == pytest.approx(1.0, rel=1e-12)
    assert r.paid_outcomes == pytest.approx(1.0, rel=1e-12)
    assert r.savings_per_case == pytest.approx(S, rel=1e-12)
    assert r.savings_per_case_by_holder.to_dict() == pytest.approx({"kommune": S, "region": 0, "stat": 0})
    assert r.pv_savings == pytest.approx(S, rel=1e-12)
    assert r.pv_cost == pytest.approx(1000, rel=1e-12)
    assert r.commissioner_max == pytest.approx(S * 1.1, rel=1e-12)        # 2100
    assert r.public_sector_max == pytest.approx(2100, rel=1e-12)
    assert r.investor_min == pytest.approx(1000 * 1.2, rel=1e-12)         # 1200 at the 20 % required return
    assert r.corridor == pytest.approx((1200, 2100), rel=1e-12)
    assert r.cofunding_per_outcome == 0
    # At the contract price of 1500: the investor pays 1000 in year 0 and gets 1500 in year 1.
    assert r.investor_irr == pytest.approx(0.5, rel=1e-12)
    assert r.investor_moic == pytest.approx(1.5, rel=1e-12)
    assert r.investor_npv == pytest.approx(-1000 + 1500 / 1.2, rel=1e-12)  # 250
    assert r.payback_year == 1
    assert r.commissioner_npv == pytest.approx(S - 1500 / 1.1, rel=1e-12)   # 6000/11
    assert r.savings_by_year["kommune"].tolist() == pytest.approx([1000, 1000])
    assert r.cash_flows["investor_cash_flow"].tolist() == pytest.approx([-1000, 1500])
    # Paying per prevented case with no fee, the commissioner gains at any effect: the switching value is 0.
    assert r.switching_relative_reduction == 0.0


def test_hand_computed_fee_and_switching_value(base):
    # The investor finances half; the kommune pays the other 500 as a fee in year 0.
    # NPV(rr) = 5 rr (S - 1500/1.1) - 500 = 5 rr * 6000/11 - 500 -> rr* = 500 * 11 / 30000 = 11/60.
    base["contract"]["investor_share"] = 0.5
    r = evaluate(Case.from_dict(base))
    S = 1000 + 1000 / 1.1
    assert r.commissioner_max == pytest.approx((S - 500) * 1.1, rel=1e-12)
    assert r.public_sector_max == pytest.approx((S - 500) * 1.1, rel=1e-12)
    assert r.investor_min == pytest.approx(500 * 1.2, rel=1e-12)
    assert r.commissioner_npv == pytest.approx(S - 1500 / 1.1 - 500, rel=1e-12)
    assert r.switching_relative_reduction == pytest.approx(11 / 60, rel=1e-10)
    assert r.investor_moic == pytest.approx(3.0)


def test_hand_computed_no_corridor_and_cap(base):
    # A region item the kommune does not pay for; a cap of 1000; the investor wants 100 % a year.
    base["costs_per_case"].append({"amount": 500, "holder": "region", "quantity": [2]})
    base["contract"].update(cap=1000, investor_required_return=1.0)
    r = evaluate(Case.from_dict(base))
    assert r.savings_per_case_by_holder["region"] == pytest.approx(1000)
    assert r.wrong_pocket_gap == pytest.approx(1000 * 1.1)
    assert r.investor_min == pytest.approx(2000)           # 1000 * (1 + 100 %)
    assert r.corridor == pytest.approx((2000, 2100))       # the region's saving does not widen the corridor
    assert r.total_payments == pytest.approx(1000)          # capped from 1500
    assert r.investor_irr == pytest.approx(0.0, abs=1e-12)
    assert r.payback_year == 1


def test_gap_is_the_cofunding(base):
    # Paid two years later at a 100 % required return: investor_min = 1000 * 2**2 = 4000 > commissioner_max
    # = S * 1.1**2 = 2310.
    base["contract"].update(investor_required_return=1.0, payment_lag_years=2)
    r = evaluate(Case.from_dict(base))
    assert r.commissioner_max == pytest.approx(2310, rel=1e-12)
    assert r.corridor is None
    assert r.cofunding_per_outcome == pytest.approx(4000 - 2310, rel=1e-12)


def test_success_metric_pays_for_deadweight(base):
    # success pays 1 - p1 = 0.6 per participant: 6 outcomes for 1 prevented case.
    base["contract"]["metric"] = "success"
    r = evaluate(Case.from_dict(base))
    assert r.paid_outcomes == pytest.approx(6.0)
    assert r.commissioner_max == pytest.approx((1000 + 1000 / 1.1) * 1.1 / 6, rel=1e-12)


def test_onset_lag_and_adjustments(base):
    base["outcome"]["onset_lag_years"] = 2
    base["adjustments"] = {"attribution": 0.5, "displacement": 0.2, "optimism_bias": 0.1}
    r = evaluate(Case.from_dict(base))
    factor = 0.5 * 0.8 * 0.9
    assert r.prevented_cases == pytest.approx(factor)
    assert r.paid_outcomes == pytest.approx(1.0)           # adjustments never touch what is paid for
    assert r.savings_by_year["kommune"].tolist() == pytest.approx([0, 0, 1000 * factor, 1000 * factor])
    assert r.pv_savings == pytest.approx(factor * (1000 / 1.1 ** 2 + 1000 / 1.1 ** 3), rel=1e-12)


def test_zero_effect_gives_no_prices_and_no_nan(base):
    base["outcome"]["relative_reduction"] = 0.0
    r = evaluate(Case.from_dict(base))
    assert r.commissioner_max is None and r.investor_min is None and r.corridor is None
    values = [v for v in r.key_figures().values() if v is not None]
    assert all(math.isfinite(v) for v in values)
    assert r.switching_relative_reduction == 0.0 or r.switching_relative_reduction is None


def _same_series(ours, ref, scale) -> bool:
    """Equal where both have years; the longer one is zero beyond (the two differ only in trailing zeros)."""
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    n = max(ours.size, ref.size)
    ours, ref = np.pad(ours, (0, n - ours.size)), np.pad(ref, (0, n - ref.size))
    return bool(np.allclose(ours, ref, rtol=REL, atol=REL * scale))


def _compare(case_dict: dict) -> None:
    case = Case.from_dict(case_dict)
    ours = evaluate(case)
    ref = reference_evaluate(case.to_dict())
    uncapped = case.contract.price * ref["paid_outcomes"]
    money = max(1.0, abs(ref["pv_savings"]), abs(ref["pv_cost"]), uncapped)
    for name in ["prevented_cases", "paid_outcomes", "savings_per_case", "pv_savings", "pv_cost",
                 "investor_npv", "commissioner_npv"]:
        assert close(getattr(ours, name), ref[name], scale=money), name
    for name in ["commissioner_max", "public_sector_max", "investor_min", "investor_moic"]:
        a, b = getattr(ours, name), ref[name]
        assert (a is None) == (b is None), name
        if a is not None:
            assert close(a, b, scale=max(1.0, abs(ours.savings_per_case), uncapped)), name
    for h in ("kommune", "region", "stat"):
        assert close(ours.savings_per_case_by_holder[h], ref["savings_per_case_by_holder"].get(h, 0.0), scale=money)
        assert close(ours.pv_savings_by_holder[h], ref["pv_savings_by_holder"].get(h, 0.0), scale=money)
        assert _same_series(ours.savings_by_year[h], ref["savings_by_year"].get(h, []), money), h
    assert _same_series(ours.cash_flows["outcome_payments"], ref["payments_by_year"], money)
    assert _same_series(ours.cash_flows["investor_cash_flow"], ref["investor_cash_flows"], money)
    assert _same_series(ours.cash_flows["intervention_cost"], ref["cost_by_year"], money)
    assert (ours.corridor is None) == (ref["corridor"] is None)


@given(cases())
def test_agrees_with_reference_model(case_dict):
    _compare(case_dict)


def test_agrees_with_reference_on_the_hand_case(base):
    _compare(base)


def test_irr_agrees_with_reference_bisection(base):
    for price in (900.0, 1500.0, 5000.0):
        base["contract"]["price"] = price
        ours = evaluate(Case.from_dict(base)).investor_irr
        ref = reference_evaluate(Case.from_dict(base).to_dict())["investor_irr"]
        assert ours == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_template_evaluates_and_summary_is_labelled():
    case = load_case(TEMPLATES / "family_violence.yaml")
    r = evaluate(case)
    table = r.summary()
    assert list(table.columns) == ["name", "label_da", "label_en", "value", "unit"]
    assert table["label_da"].str.len().min() > 0 and table["label_en"].str.len().min() > 0
    assert not any(isinstance(v, float) and math.isnan(v) for v in table["value"])
    da = r.summary("da").set_index("name")
    assert da.loc["commissioner_max", "label"].startswith("Betalers")
    assert da.loc["commissioner_max", "unit"] == "kr. pr. resultat"  # units in the language asked for
    with pytest.raises(ValueError, match="lang"):
        r.summary("de")


def test_a_nominal_required_return_is_deflated_to_real(base):
    """Cash flows are in fixed prices: a nominal required return of 10.25 % with 5 % expected inflation is a real
    return of exactly 5 % (1.1025 / 1.05 = 1.05), so the case evaluates as one with a real 5 %."""
    real = Case.from_dict({**base, "contract": {**base["contract"], "investor_required_return": 0.05}})
    nominal = Case.from_dict({**base, "contract": {**base["contract"], "investor_required_return": 0.1025,
                                                    "required_return_basis": "nominal", "expected_inflation": 0.05}})
    assert nominal.contract.real_required_return == pytest.approx(0.05, abs=1e-15)
    a, b = evaluate(real), evaluate(nominal)
    assert b.investor_min == pytest.approx(a.investor_min, rel=1e-12)
    assert b.investor_npv == pytest.approx(a.investor_npv, rel=1e-12)
    assert b.key_figures()["investor_required_return"] == pytest.approx(0.05, abs=1e-12)
    # the user's nominal figure is kept in the case file
    assert "required_return_basis: nominal" in nominal.to_yaml() and "0.1025" in nominal.to_yaml()


@pytest.mark.parametrize("contract, field", [
    ({"required_return_basis": "nominal"}, "contract.expected_inflation"),
    ({"expected_inflation": 0.02}, "contract.expected_inflation"),
])
def test_inflation_goes_with_a_nominal_return_only(base, contract, field):
    with pytest.raises(CaseError) as err:
        Case.from_dict({**base, "contract": {**base["contract"], **contract}})
    assert str(err.value).startswith(field)
