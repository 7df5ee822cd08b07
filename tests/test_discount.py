import numpy as np
import pytest

from sibmodel import discount_factors, rates


def test_dk_fm_2021_bands():
    r = rates("dk-fm-2021", 100)
    assert (r[:36] == 0.035).all() and (r[36:71] == 0.025).all() and (r[71:] == 0.015).all()


def test_uk_green_book_bands():
    r = rates("uk-green-book", 400)
    expected = {0: .035, 30: .035, 31: .03, 75: .03, 76: .025, 125: .025, 126: .02, 200: .02, 201: .015, 300: .015, 301: .01, 399: .01}
    assert {s: r[s] for s in expected} == expected


def test_factors_by_hand():
    df = discount_factors(0.1, 4)
    np.testing.assert_allclose(df, [1, 1 / 1.1, 1 / 1.21, 1 / 1.331], rtol=1e-15)
    assert discount_factors(0.0, 5).tolist() == [1.0] * 5
    assert discount_factors("dk-fm-2021", 0).size == 0


def test_factors_across_a_band_edge():
    df = discount_factors("dk-fm-2021", 40)
    assert df[36] == pytest.approx(1.035 ** -36, rel=1e-12)
    assert df[38] == pytest.approx(1.035 ** -36 * 1.025 ** -2, rel=1e-12)


def test_unknown_schedule_is_refused():
    with pytest.raises(ValueError, match="dk-fm-2021"):
        rates("dk-fm-2099", 3)
