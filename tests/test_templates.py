"""The case templates: each loads and evaluates to finite results that agree with an independent computation
from the raw YAML and CSV files; each parameter carries a comment; edits with unknown keys are refused."""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from sibmodel import CaseError, evaluate, load_case
from tests.conftest import ROOT, TEMPLATES

PROGRAMME = ["family_violence.yaml", "youth_education_employment.yaml", "homelessness_housing_first.yaml"]
ALL = PROGRAMME + ["blank.yaml"]
COSTS = pd.read_csv(ROOT / "data" / "unit_costs.csv").set_index("key")
_RAW_INDEX = pd.read_csv(ROOT / "data" / "price_index.csv")
INDEX = {name: g.set_index("year")["index"] for name, g in _RAW_INDEX.groupby("series")}  # one series per index


def test_the_four_templates_exist():
    assert sorted(p.name for p in TEMPLATES.glob("*.yaml")) == sorted(ALL)


@pytest.mark.parametrize("name", ALL)
def test_template_loads_and_evaluates_to_finite_results(name):
    r = evaluate(load_case(TEMPLATES / name))
    figures = r.key_figures()
    one_row = r.case.contract.outcomes is None   # a rate card of several rows has scales instead of prices
    for key in ("savings_per_case", "pv_savings", "pv_cost", "investor_npv", "commissioner_npv",
                "commissioner_max_scale", "public_sector_max_scale", "investor_min_scale",
                *(("commissioner_max", "public_sector_max", "investor_min", "cofunding_per_outcome") if one_row else ())):
        assert figures[key] is not None and math.isfinite(figures[key]), key
    assert r.savings_per_case > 0 and r.prevented_cases > 0
    incurred = r.items["direction"] == "incurred"
    by_holder = r.items.groupby("holder")["savings_per_case"].sum()
    assert (by_holder[~by_holder.index.isin(r.items.loc[incurred, "holder"])] >= 0).all()  # only costs prevention causes go below 0
    assert np.isfinite(r.savings_by_year.to_numpy()).all() and np.isfinite(r.cash_flows.to_numpy()).all()
    if not incurred.any() and not r.case.contract.co_payers:
        assert r.public_sector_max_scale >= r.commissioner_max_scale  # other holders' savings never lower the public maximum


def _points(node):
    """Point values of the raw YAML: a distribution written by its mean counts as that mean."""
    if isinstance(node, dict):
        return node["mean"] if "dist" in node else {k: _points(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_points(v) for v in node]
    return node


def _independent_savings_per_case(data: dict) -> dict[str, float]:
    """S_h from the YAML and CSV files alone: unit cost moved to the case's price year x quantity x cashable
    x persistence x DF, with the 3.5 % rate of Finansministeriet's schedule (all templates stay within 35 years)."""
    data = _points(data)
    assert data["discounting"] == "dk-fm-2021"
    o = data["outcome"]
    J = o["horizon_years"]
    assert J <= 35
    persistence = (1 - o.get("drop_off", 0.0)) ** np.arange(J)
    df = 1.035 ** -np.arange(J)
    out = {"kommune": 0.0, "region": 0.0, "stat": 0.0}
    for c in data["costs_per_case"]:
        if "item" in c:
            row = COSTS.loc[c["item"]]
            ix = INDEX[row["index"]]  # each row moves with its own index
            amount = c.get("amount", row["amount"] * ix[data["price_year"]] / ix[row["price_year"]])
            holder = row["holder"]
        else:
            amount, holder = c["amount"], c["holder"]
        q = np.zeros(J)
        if isinstance(c.get("quantity", 1.0), list):
            q[: len(c["quantity"])] = c["quantity"]
        else:
            q[: c.get("years", J)] = c.get("quantity", 1.0)
        sign = -1.0 if c.get("direction") == "incurred" else 1.0   # a cost that prevention causes
        out[holder] += sign * amount * c.get("cashable", 1.0) * float(np.sum(q * persistence * df))
    return out


@pytest.mark.parametrize("name", ALL)
def test_savings_per_case_agree_with_an_independent_computation(name):
    data = yaml.safe_load((TEMPLATES / name).read_text(encoding="utf-8"))
    expected = _independent_savings_per_case(data)
    got = evaluate(load_case(TEMPLATES / name)).savings_per_case_by_holder
    for holder, value in expected.items():
        assert got[holder] == pytest.approx(value, rel=1e-9, abs=1e-6), holder


@pytest.mark.parametrize("name", PROGRAMME)
def test_programme_templates_split_savings_across_holders(name):
    """Each programme template counts savings for the municipality and values for at least one other budget
    (negative where prevention causes that budget a cost, as SU for a young person who starts an education)."""
    s = evaluate(load_case(TEMPLATES / name)).savings_per_case_by_holder
    assert s["kommune"] > 0 and (s["region"] != 0 or s["stat"] != 0)


NUMERIC = re.compile(r"^\s*-?\s*([a-z_]+):\s*(\[[^\]]*\]|-?[0-9][0-9.]*)\s*(#.*)?$")


@pytest.mark.parametrize("name", ALL)
def test_every_parameter_carries_a_comment(name):
    missing = []
    for n, line in enumerate((TEMPLATES / name).read_text(encoding="utf-8").splitlines(), start=1):
        m = NUMERIC.match(line)
        if m and not (m.group(3) or "").strip("# "):
            missing.append((n, line.strip()))
    assert missing == []


@pytest.mark.parametrize("name", PROGRAMME)
def test_programme_templates_say_what_is_assumed(name):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    assert text.count("assumption") >= 8
    assert "ILLUSTRATIVE" in text


def _edited(tmp_path, name, old, new):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_unknown_catalogue_key_is_refused_clearly(tmp_path):
    path = _edited(tmp_path, "homelessness_housing_first.yaml", "item: shelter_s110_year_kommune", "item: shelter_s110_yeer_kommune")
    with pytest.raises(CaseError) as err:
        load_case(path)
    (p,) = err.value.problems
    assert p.path == "costs_per_case.0.item" and p.value == "shelter_s110_yeer_kommune"
    assert "not a key of the unit-cost catalogue" in p.message and "shelter_s110_year_kommune" in p.message
    assert str(path) in str(err.value)


def test_an_unknown_field_is_refused_clearly(tmp_path):
    path = _edited(tmp_path, "youth_education_employment.yaml", "  drop_off: {", "  dropoff: {")
    with pytest.raises(CaseError) as err:
        load_case(path)
    p = next(p for p in err.value.problems if p.path == "outcome.dropoff")
    assert "unknown key" in p.message and "drop_off" in p.message


def test_a_price_year_without_index_is_refused_clearly(tmp_path):
    path = _edited(tmp_path, "family_violence.yaml", "price_year: 2025", "price_year: 2026")
    with pytest.raises(CaseError) as err:
        load_case(path)
    assert all("pl_generel has no value for 2026" in p.message and "covers 2010-2025" in p.message
               for p in err.value.problems)
    assert {p.path for p in err.value.problems} == {f"costs_per_case.{i}.item" for i in range(10)}


def test_a_template_moved_to_an_earlier_price_year_scales_by_the_index(tmp_path):
    """Every catalogue amount of this template moves with the same index (PL), so S moves by exactly that ratio."""
    s25 = evaluate(load_case(TEMPLATES / "homelessness_housing_first.yaml")).savings_per_case
    s19 = evaluate(load_case(_edited(tmp_path, "homelessness_housing_first.yaml", "price_year: 2025", "price_year: 2019")))
    pl = INDEX["pl_generel"]
    assert s19.savings_per_case == pytest.approx(s25 * pl[2019] / pl[2025], rel=1e-12)
