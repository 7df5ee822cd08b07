"""The catalogue loader and the price index: filtering, moving amounts between price years, refusals."""
from __future__ import annotations

import csv
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sibmodel
from sibmodel import Case, CaseError, evaluate
from sibmodel.costs import Catalogue, PriceIndex, PriceYearError, convert, unit_costs
from tests.conftest import BASE, ROOT

_RAW = pd.read_csv(ROOT / "data" / "price_index.csv")
SERIES = {name: g.set_index("year")["index"] for name, g in _RAW.groupby("series")}
RAW_INDEX = SERIES["nettoprisindeks"]  # the default series
RAW_COSTS = pd.read_csv(ROOT / "data" / "unit_costs.csv").set_index("key")
YEARS = st.sampled_from(sorted(RAW_INDEX.index))


def test_convert_is_the_ratio_of_published_index_values():
    # 470,000 DKK in 2019 prices -> 2023 prices with the annual means 103.5 and 118.0 (hand: 535,845.41).
    assert convert(470_000, 2019, 2023) == pytest.approx(470_000 * 118.0 / 103.5, rel=1e-12)
    assert convert(470_000, 2019, 2023) == pytest.approx(535_845.41, abs=0.01)
    assert convert(1000, 2023, 2023) == 1000


@given(st.floats(0.01, 1e9), YEARS, YEARS)
def test_an_amount_moves_and_back(amount, a, b):
    there = convert(amount, a, b)
    assert there == pytest.approx(amount * RAW_INDEX[b] / RAW_INDEX[a], rel=1e-12)
    assert convert(there, b, a) == pytest.approx(amount, rel=1e-15, abs=0)


@given(st.fractions(min_value=0, max_value=10**9), YEARS, YEARS, YEARS)
def test_exact_amounts_move_and_back_exactly(amount, a, b, c):
    assert convert(convert(amount, a, b), b, a) == amount
    assert convert(convert(convert(amount, a, b), b, c), c, a) == amount  # and around a triangle


def test_arrays_move_elementwise():
    x = np.array([1.0, 10.0, 100.0])
    np.testing.assert_allclose(convert(x, 2015, 2022), x * RAW_INDEX[2022] / RAW_INDEX[2015], rtol=1e-12)


def test_a_year_without_index_is_refused_with_the_coverage():
    with pytest.raises(CaseError, match=r"no value for 2030.*covers 2015-2023") as err:
        convert(100.0, 2023, 2030)
    assert isinstance(err.value, KeyError) and isinstance(err.value, PriceYearError)
    assert err.value.problems[0].path == "price_year" and err.value.problems[0].value == 2030
    with pytest.raises(KeyError):  # older callers catch KeyError
        sibmodel.price_index().factor(2010, 2023)


def test_price_index_frame_has_sources():
    df = sibmodel.price_index().frame()
    assert list(df.index) == list(RAW_INDEX.index)
    assert (df["source"].str.len() > 0).all()


def test_unit_costs_filters_by_area_holder_and_kind():
    fam = unit_costs(area="family_violence")
    assert set(fam["area"]) == {"family_violence", "general"}
    n = ((RAW_COSTS["area"] == "family_violence") | (RAW_COSTS["area"] == "general")).sum()
    assert len(fam) == n
    stat = unit_costs(area="homelessness", holder="stat")
    assert set(stat["holder"]) == {"stat"} and "shelter_s110_year_stat" in stat.index
    savings = unit_costs(kind="saving")
    assert set(savings.index) == set(RAW_COSTS.index[RAW_COSTS["kind"] == "saving"])
    assert len(unit_costs()) == len(RAW_COSTS)


def test_unit_costs_in_one_price_year_move_with_each_rows_index():
    df = unit_costs(price_year=2023)
    pl, sats = SERIES["pl_generel"], SERIES["satsregulering"]
    row = df.loc["placement_foster_family_year_kommune"]  # a service: the PL index
    assert row["index"] == "pl_generel"
    assert row["amount_2023"] == pytest.approx(470_000 * pl[2023] / pl[2019], rel=1e-12)
    benefit = df.loc["kontanthjaelp_boernetillaeg_kommune"]  # a benefit in 2025 rates: the satsregulering
    assert benefit["amount_2023"] == pytest.approx(benefit["amount"] * sats[2023] / sats[2025], rel=1e-12)
    early = unit_costs(price_year=2019).loc["kontanthjaelp_boernetillaeg_kommune"]  # satsregulering starts 2021
    assert not early["indexable"] and np.isnan(early["amount_2019"])
    with pytest.raises(CaseError, match="price_year = 2031"):
        unit_costs(price_year=2031)


@pytest.mark.parametrize("kwargs, field", [({"area": "crime"}, "area"), ({"holder": "county"}, "holder"),
                                            ({"kind": "price"}, "kind")])
def test_unit_costs_refuses_unknown_filters_naming_the_field(kwargs, field):
    with pytest.raises(CaseError) as err:
        unit_costs(**kwargs)
    p = err.value.problems[0]
    assert p.path == field and p.value == next(iter(kwargs.values())) and "allowed" in p.message


def _write(tmp_path, rows):
    path = tmp_path / "u.csv"
    fields = list(pd.read_csv(ROOT / "data" / "unit_costs.csv", nrows=0).columns)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return path


def test_a_bad_catalogue_is_refused_with_every_problem(tmp_path):
    good = RAW_COSTS.reset_index().iloc[0].to_dict()
    rows = [dict(good), dict(good), dict(good, key="neg", amount=-5), dict(good, key="other", source=""),
            dict(good, key="third", holder="county"), dict(good, key="fourth", amount="nan")]
    with pytest.raises(CaseError) as err:
        Catalogue.read(_write(tmp_path, rows))
    text = str(err.value)
    assert "line 3.key" in text and "duplicate" in text and "line 4.amount = '-5'" in text
    assert "line 5.source" in text and "line 6.holder = 'county'" in text and "line 7.amount = 'nan'" in text


def test_a_bad_index_is_refused(tmp_path):
    path = tmp_path / "i.csv"
    path.write_text("year,index,source\n2015,100,DST\n2016,-1,DST\n2017,101.7,\n", encoding="utf-8")
    with pytest.raises(CaseError) as err:
        PriceIndex.read(path)
    assert "line 3" in str(err.value) and "line 4.source" in str(err.value)


def test_a_case_gets_catalogue_amounts_in_its_own_price_year():
    data = dict(BASE, price_year=2021,
                costs_per_case=[{"item": "placement_foster_family_year_kommune", "quantity": 1},
                                {"item": "shelter_day_kolding_2023_stat", "quantity": 10}])
    items = evaluate(Case.from_dict(data)).items.set_index("key")
    pl = SERIES["pl_generel"]
    assert items.loc["placement_foster_family_year_kommune", "unit_cost"] == pytest.approx(470_000 * pl[2021] / pl[2019])
    assert items.loc["shelter_day_kolding_2023_stat", "unit_cost"] == pytest.approx(1274 * pl[2021] / pl[2023])
    assert items.loc["shelter_day_kolding_2023_stat", "holder"] == "stat"


def test_a_case_in_a_year_without_index_is_refused():
    data = dict(BASE, price_year=2026, costs_per_case=[{"item": "prison_day_average_stat", "quantity": 1}])
    with pytest.raises(CaseError) as err:
        evaluate(Case.from_dict(data))
    p = err.value.problems[0]
    assert p.path == "costs_per_case.0.item" and p.value == "prison_day_average_stat"
    assert "2015 -> 2026 (pl_generel)" in p.message and "covers 2010-2025" in p.message


def test_a_benefit_before_its_index_starts_is_refused_naming_the_index():
    data = dict(BASE, price_year=2019, costs_per_case=[{"item": "kontanthjaelp_boernetillaeg_kommune", "quantity": 1}])
    with pytest.raises(CaseError) as err:
        evaluate(Case.from_dict(data))
    p = err.value.problems[0]
    assert "(satsregulering)" in p.message and "no value for 2019" in p.message and "covers 2021-2025" in p.message


def test_series_convert_by_their_own_values_and_an_unknown_series_is_refused():
    pl = SERIES["pl_generel"]
    assert convert(1000.0, 2019, 2025, series="pl_generel") == pytest.approx(1000.0 * pl[2025] / pl[2019], rel=1e-12)
    assert sibmodel.price_index().factor(2024, 2025, "satsregulering") == pytest.approx(1.036, rel=1e-7)
    with pytest.raises(CaseError, match=r"index = 'kl_pl'.*allowed: nettoprisindeks, pl_generel, satsregulering"):
        convert(1.0, 2020, 2021, series="kl_pl")


def test_a_catalogue_row_with_an_index_the_file_lacks_is_refused(tmp_path):
    rows = [dict(RAW_COSTS.reset_index().iloc[0].to_dict(), index="kl_pl")]
    cat = Catalogue.read(_write(tmp_path, rows))
    data = dict(BASE, price_year=2024, costs_per_case=[{"item": rows[0]["key"], "quantity": 1}])
    with pytest.raises(CaseError) as err:
        evaluate(Case.from_dict(data), catalogue=cat)
    assert "kl_pl" in err.value.problems[0].message and err.value.problems[0].path == "costs_per_case.0.item"


def test_an_index_file_without_series_is_the_net_price_index(tmp_path):
    path = tmp_path / "i.csv"
    path.write_text("year,index,series,source\n2015,100,nettoprisindeks (annual mean),DST\n2016,100.5,x y,DST\n",
                    encoding="utf-8")
    idx = PriceIndex.read(path)
    assert idx.name == "nettoprisindeks" and list(idx.series) == ["nettoprisindeks"] and idx.factor(2015, 2016) == 1.005


def test_exact_conversion_uses_the_csv_digits():
    index = sibmodel.price_index()
    assert index.convert(Fraction(1035), 2019, 2023) == Fraction(1035) * Fraction("118.0") / Fraction("103.5")
