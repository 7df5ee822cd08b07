"""Tests of the reference model itself, against numbers worked out by hand."""
import math

import pytest

try:
    from reference_model import discount_factor, irr_bisection, reference_evaluate
except ImportError:  # tests/ imported as a package
    from tests.reference_model import discount_factor, irr_bisection, reference_evaluate


def tiny_case():
    return {
        "discounting": 0.10,
        "cohort": {"participants": [10]},
        "outcome": {"baseline_rate": 0.5, "relative_reduction": 0.2, "horizon_years": 3},
        "costs_per_case": [{"amount": 1000, "holder": "kommune", "quantity": 1, "years": 2}],
        "intervention": {"cost_per_participant": 100},
        "contract": {"metric": "prevented_case", "price": 1500, "payment_lag_years": 1,
                     "cap": None, "investor_required_return": 0.20},
    }


def test_tiny_case_by_hand():
    r = reference_evaluate(tiny_case())
    # p1 = 0.5 * (1 - 0.2) = 0.4; effect 0.1; prevented = 10 * 0.1 = 1; paid outcomes also 1
    assert r["prevented_cases"] == pytest.approx(1.0)
    assert r["paid_outcomes"] == pytest.approx(1.0)
    # S = 1000 * DF(0) + 1000 * DF(1) + 0 = 1000 + 1000/1.1 = 1909.0909...
    S = 1000 + 1000 / 1.1
    assert r["savings_per_case"] == pytest.approx(S)
    assert r["savings_per_case_by_holder"] == {"kommune": pytest.approx(S)}
    # one cohort in year 0, L = 0: PV_savings = 1 * S
    assert r["pv_savings"] == pytest.approx(S)
    assert r["pv_savings_by_holder"]["kommune"] == pytest.approx(S)
    # cost_0 = 10 * 100 = 1000, nothing later; PV = 1000
    assert r["pv_cost"] == pytest.approx(1000)
    # paid outcome in year 1: PV(paid) = 1/1.1; no fee (investor_share 1)
    # commissioner_max = S / (1/1.1) = 1.1*1000 + 1000 = 2100 = public_sector_max
    assert r["commissioner_max"] == pytest.approx(2100)
    assert r["public_sector_max"] == pytest.approx(2100)
    # investor_min = 1000 / (1/1.2) = 1200; corridor (1200, 2100)
    assert r["investor_min"] == pytest.approx(1200)
    assert r["corridor"] == (pytest.approx(1200), pytest.approx(2100))
    # payments [0, 1500]; cash flows [-1000, 1500]
    assert r["payments_by_year"] == pytest.approx([0, 1500])
    assert r["investor_cash_flows"] == pytest.approx([-1000, 1500])
    # NPV at 20%: -1000 + 1500/1.2 = 250; MOIC 1500/1000 = 1.5; IRR: 1500/(1+r) = 1000 -> r = 0.5
    assert r["investor_npv"] == pytest.approx(250)
    assert r["investor_moic"] == pytest.approx(1.5)
    assert r["investor_irr"] == pytest.approx(0.5, abs=1e-9)
    # commissioner_npv = S - 1500/1.1 = 1000 - 500/1.1 = 545.4545... (= (2100 - 1500)/1.1)
    assert r["commissioner_npv"] == pytest.approx(6000 / 11)
    # undiscounted savings by year: length 1 + 0 + 3; 1000 in years 0 and 1
    assert r["savings_by_year"] == {"kommune": pytest.approx([1000, 1000, 0, 0])}


def test_structure_case_by_hand():
    """Rate 0 so that only the structure counts: adjustments, lag, two holders, success, cap, fee."""
    case = {
        "discounting": 0.0,
        "cohort": {"participants": [10, 20]},
        "outcome": {"baseline_rate": 0.5, "treated_rate": 0.3, "onset_lag_years": 1,
                    "horizon_years": 2, "drop_off": 0.5},
        "adjustments": {"attribution": 0.5},
        "costs_per_case": [
            {"amount": 100, "holder": "kommune", "quantity": [1, 2], "cashable": 0.5},
            {"amount": 200, "holder": "region", "quantity": 1, "years": 1},
        ],
        "intervention": {"cost_per_participant": 10, "delivery_years": 2, "fixed_cost_per_year": 5},
        "contract": {"metric": "success", "price": 100, "cap": 1000, "investor_share": 0.5,
                     "investor_required_return": 0.0},
    }
    r = reference_evaluate(case)
    # effect 0.2; prevented = [10*0.2*0.5, 20*0.2*0.5] = [1, 2] -> 3
    assert r["prevented_cases"] == pytest.approx(3)
    # success: (1 - 0.3) per participant: 7 + 14 = 21 (adjustments do not apply)
    assert r["paid_outcomes"] == pytest.approx(21)
    # persistence [1, 0.5]; kommune unit 100*0.5 = 50: j0 50*1*1 = 50, j1 50*2*0.5 = 50 -> 100
    # region: 200*1*1 = 200 in j0 only -> 200
    assert r["savings_per_case_by_holder"] == {"kommune": pytest.approx(100), "region": pytest.approx(200)}
    assert r["savings_per_case"] == pytest.approx(300)
    # PV (rate 0) = 3 * S_h: kommune 300, region 600
    assert r["pv_savings_by_holder"] == {"kommune": pytest.approx(300), "region": pytest.approx(600)}
    assert r["pv_savings"] == pytest.approx(900)
    # by calendar year (L=1), length 2+1+2 = 5:
    # kommune: e0 (1 prevented) 50 in yr1, 50 in yr2; e1 (2 prevented) 100 in yr2, 100 in yr3
    # region:  e0 200 in yr1; e1 400 in yr2
    assert r["savings_by_year"]["kommune"] == pytest.approx([0, 50, 150, 100, 0])
    assert r["savings_by_year"]["region"] == pytest.approx([0, 200, 400, 0, 0])
    # cost: yr0 10*10/2 + 5 = 55; yr1 50 + 20*10/2 + 5 = 155; yr2 100 -> total 310
    assert r["cost_by_year"] == pytest.approx([55, 155, 100])
    assert r["pv_cost"] == pytest.approx(310)
    # payments uncapped [700, 1400] (lag 0), total 2100 > cap 1000 -> cut the latest: [700, 300, 0]
    assert r["payments_by_year"] == pytest.approx([700, 300, 0])
    # financed = fee = half the cost: [27.5, 77.5, 50], 155 each
    # cash flows: [700-27.5, 300-77.5, -50] = [672.5, 222.5, -50]
    assert r["investor_cash_flows"] == pytest.approx([672.5, 222.5, -50])
    assert r["investor_npv"] == pytest.approx(845)
    assert r["investor_moic"] == pytest.approx(1000 / 155)
    # commissioner_max = (300 - 155) / 21; public_sector_max = (900 - 155) / 21; investor_min = 155 / 21
    assert r["commissioner_max"] == pytest.approx(145 / 21)
    assert r["public_sector_max"] == pytest.approx(745 / 21)
    assert r["investor_min"] == pytest.approx(155 / 21)
    assert r["corridor"] is None  # 7.38 > 6.90
    # commissioner_npv = 300 - 1000 - 155 = -855
    assert r["commissioner_npv"] == pytest.approx(-855)


def test_named_schedules_bands():
    # dk-fm-2021: 3.5% for s = 0..35, then 2.5%
    assert discount_factor("dk-fm-2021", 36) == pytest.approx(1.035 ** -36)
    assert discount_factor("dk-fm-2021", 38) == pytest.approx(1.035 ** -36 * 1.025 ** -2)
    assert discount_factor("dk-fm-2021", 72) == pytest.approx(1.035 ** -36 * 1.025 ** -35 / 1.015)
    # uk-green-book: 3.5% for s = 0..30, 3.0% for 31..75
    assert discount_factor("uk-green-book", 31) == pytest.approx(1.035 ** -31)
    assert discount_factor("uk-green-book", 32) == pytest.approx(1.035 ** -31 / 1.03)
    assert discount_factor("uk-green-book", 0) == 1.0


def test_pv_savings_factorises_within_one_band():
    case = tiny_case()
    case["cohort"]["participants"] = [10, 20, 5]
    case["outcome"]["onset_lag_years"] = 2
    case["outcome"]["drop_off"] = 0.1
    r = reference_evaluate(case)
    expected = sum(n * 0.1 * 1.1 ** -(e + 2) for e, n in enumerate([10, 20, 5])) * r["savings_per_case"]
    assert r["pv_savings"] == pytest.approx(expected)


def test_no_irr_without_sign_change():
    assert irr_bisection([100, 50]) is None
    assert irr_bisection([-100, -50]) is None


@pytest.mark.parametrize("flows", [
    [-1000, 1500],
    [-1000, 300, 400, 500],
    [-500, -700, 200, 900, 900],
    [-100, 30, 30, 30, 30, 30],
    [-1000, 0, 0, 1100],
])
def test_irr_bisection_matches_numpy_financial(flows):
    npf = pytest.importorskip("numpy_financial")
    expected = float(npf.irr(flows))
    assert not math.isnan(expected)
    assert irr_bisection(flows) == pytest.approx(expected, abs=1e-8)


def test_commissioner_npv_is_zero_at_commissioner_max():
    case = tiny_case()
    case["discounting"] = "dk-fm-2021"
    case["cohort"]["participants"] = [10, 20, 5]
    case["contract"]["investor_share"] = 0.6
    case["intervention"]["fixed_cost_per_year"] = [50, 50, 50, 50]
    case["contract"]["price"] = reference_evaluate(case)["commissioner_max"]
    assert reference_evaluate(case)["commissioner_npv"] == pytest.approx(0, abs=1e-6)
