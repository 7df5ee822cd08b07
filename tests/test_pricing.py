import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sibmodel.pricing import cap_payments, irr, payback_year


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


def test_cap_cuts_latest_payments_first():
    assert cap_payments(np.array([100., 200, 300]), 250).tolist() == [100, 150, 0]
    assert cap_payments(np.array([100., 200]), None).tolist() == [100, 200]
    assert cap_payments(np.array([100., 200]), 1e9).tolist() == [100, 200]


def test_payback_year():
    assert payback_year(np.array([-100., 50, 60])) == 2
    assert payback_year(np.array([-100., 100])) == 1
    assert payback_year(np.array([-100., 50])) is None
    assert payback_year(np.array([10., 50])) is None
