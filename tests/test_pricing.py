import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sibmodel.pricing import irr, payback_year


@pytest.mark.parametrize("flows", [
    [-1000, 1500], [-100, 0, 0, 150], [-500, -500, 300, 400, 500], [0, -1000, 200, 300, 900],
    [-1e6, 2e5, 2e5, 2e5, 2e5, 2e5, 2e5], [-100, 50, 49],
])
def test_irr_agrees_with_numpy_financial(flows):
    assert irr(np.array(flows, float)) == pytest.approx(npf.irr(flows), rel=1e-9, abs=1e-12)


@given(outlay=st.lists(st.floats(1, 1e6), min_size=1, max_size=3),
       income=st.lists(st.floats(1, 1e6), min_size=1, max_size=8))
def test_irr_of_conventional_flows_zeroes_npv(outlay, income):
    flows = np.array([-x for x in outlay] + income)
    r = irr(flows)
    assert r is not None and r > -1
    # NPV at the IRR is zero relative to the size of the discounted flows (which explode as r -> -1).
    assert abs(npf.npv(r, flows)) <= 1e-9 * np.sum(np.abs(flows) * (1 + r) ** -np.arange(flows.size))
    assert r == pytest.approx(npf.irr(flows), rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("flows", [[100, 200], [-100, -5], [0, 0, 0], [-100]])
def test_no_irr_is_none(flows):
    assert irr(np.array(flows, float)) is None


def test_payback_year():
    assert payback_year(np.array([-100., 50, 60])) == 2
    assert payback_year(np.array([-100., 100])) == 1
    assert payback_year(np.array([-100., 50])) is None
    assert payback_year(np.array([10., 50])) is None


# -- long cash flows: linear in the years, agreeing with numpy-financial ------------------------------------

from sibmodel.pricing import EIGEN_YEARS, _irr_scan, irr_many, payback_many  # noqa: E402


def _npf(rows):
    return np.array([npf.irr(r) for r in rows])


def test_long_flows_of_many_sign_changes_agree_with_numpy_financial():
    rng = np.random.default_rng(11)
    rows = rng.normal(0, 1, (120, 60))
    rows[:, 0] = -np.abs(rows[:, 0]) - 1
    got, want = irr_many(rows), _npf(rows)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    assert ok.sum() > 60
    assert np.max(np.abs(got[ok] - want[ok]) / np.maximum(1.0, np.abs(want[ok]))) < 1e-9


@given(st.lists(st.floats(-1e3, 1e3).filter(lambda v: abs(v) > 1e-3), min_size=EIGEN_YEARS + 1, max_size=40))
def test_scan_agrees_with_numpy_financial(flows):
    got = irr(np.array(flows))
    want = npf.irr(flows)
    if np.isnan(want):
        # numpy-financial finds no real root; the scan may still find one only where the NPV changes sign
        assert got is None or abs(npf.npv(got, flows)) <= 1e-6 * np.sum(np.abs(flows) * (1 + got) ** -np.arange(len(flows)))
    else:
        assert got == pytest.approx(want, rel=1e-7, abs=1e-9)


def test_alternating_flows_of_400_years():
    flows = np.tile([-1.0, 1.1], 200)       # NPV = (1 - 1.1 x) (1 + x^2 + ... ): the only real root is r = 0.1
    assert irr(flows) == pytest.approx(0.1, rel=1e-12)
    rows = np.tile(flows, (401, 1)) * np.linspace(1, 2, 401)[:, None]
    assert np.allclose(irr_many(rows), 0.1, rtol=1e-12)


def test_roots_far_from_zero_and_none():
    for r in (-0.9, -0.5, 0.5, 5.0):                    # one sign change over 300 years
        flows = np.zeros(300)
        flows[0], flows[-1] = -1.0, (1 + r) ** 299
        assert irr(flows) == pytest.approx(r, rel=1e-9)
    for r in (1e3, 1e6, -0.999999):
        assert irr(np.array([-1.0, 1 + r])) == pytest.approx(r, rel=1e-9)
    assert irr(np.tile([-1.0, 1.0, -1.0, -1.0], 50)) is None            # NPV < 0 for every r > -1
    assert np.isnan(_irr_scan(np.zeros((1, 50)))[0])


def test_payback_many_is_linear_and_agrees():
    rng = np.random.default_rng(3)
    rows = rng.normal(0, 1, (50, 450))
    assert [None if np.isnan(x) else int(x) for x in payback_many(rows)] == [payback_year(r) for r in rows]


def test_scan_in_blocks_equals_scan_at_once(monkeypatch):
    import sibmodel.pricing as pricing

    rng = np.random.default_rng(5)
    rows = rng.normal(0, 1, (30, 40))
    whole = pricing._irr_scan(rows)
    monkeypatch.setattr(pricing, "_SCAN_BLOCK", 7 * 405)   # blocks of 7 rows
    assert np.array_equal(pricing._irr_scan(rows), whole, equal_nan=True)
