"""The INDIGO-shaped export validates against the field types it claims and carries the model's figures."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest

import sibmodel
from sibmodel.indigo import SCHEMA, to_indigo, write_indigo
from tests.conftest import BASE, TEMPLATES

CASES = {f.stem: sibmodel.load_case(f) for f in sorted(TEMPLATES.glob("*.yaml"))}
CASES["capped_success"] = sibmodel.Case.from_dict(BASE).update({"contract.cap": 2000, "contract.metric": "success"})
CASES["no_investor"] = sibmodel.Case.from_dict(BASE).update({"contract.investor_share": 0.0})

VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


def test_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("key", list(CASES))
def test_export_validates_and_equals_the_model(key, tmp_path):
    case = CASES[key]
    res = sibmodel.evaluate(case)
    data = write_indigo(case, tmp_path / "p.json", start_year=2025)
    assert json.loads((tmp_path / "p.json").read_text(encoding="utf-8")) == data
    errors = [e.message for e in VALIDATOR.iter_errors(data)]
    assert errors == []
    card = case.contract.rows()
    assert [p["price_per_unit"]["amount"]["value"] for p in data["outcome_pricings"]] == [r.price for r in card]
    assert [m["id"] for m in data["outcome_metrics"]] == [p["outcome_metric_id"]["value"] for p in data["outcome_pricings"]]
    financed = sum(res.cash_flows["investor_financed"])
    assert data["investments"][0]["investment_commitment"]["amount"]["exact"]["value"] == pytest.approx(financed, rel=1e-12)
    paid = [p["money"]["amount"]["value"] for p in data["outcome_payments"]]
    assert sum(paid) == pytest.approx(res.total_payments, rel=1e-12)
    by_year: dict[int, float] = {}
    for p in data["outcome_payments"]:  # one payment per row and year: they add up to the model's year
        t = int(p["period"]["start_date"]["value"]) - 2025
        by_year[t] = by_year.get(t, 0.0) + p["money"]["amount"]["value"]
    assert all(res.cash_flows["outcome_payments"].iloc[t] == pytest.approx(v, rel=1e-9) for t, v in by_year.items())
    cap = case.contract.cap
    maximum = data["overall_project_finance"]["maximum_potential_outcome_payment_v2"]["amount"]["value"]
    if cap is not None:
        assert maximum == cap
    else:  # every participant paid at the most each row allows
        per = {"prevented": case.outcome.p0, "success": 1.0}
        assert maximum == pytest.approx(sum(r.price * sum(case.cohort.participants) * per.get(r.pays, r.treated_rate)
                                            for r in card))
    assert maximum >= res.total_payments - 1e-6
    assert data["x_sibmodel"]["key_figures"]["commissioner_max"] == res.commissioner_max


def test_schema_refuses_wrong_types_and_unknown_fields():
    good = to_indigo(CASES["family_violence"])
    for mutate in (
        lambda d: d["outcome_pricings"][0]["price_per_unit"]["amount"].update(value="150000"),  # a string, not a number
        lambda d: d.update(stage_development={"value": "Signed"}),                              # not in the code list
        lambda d: d["outcome_metrics"][0].update(price=1),                                       # not an INDIGO field
        lambda d: d.update(outcome_metrics=[]),                                                  # at least one metric
    ):
        bad = copy.deepcopy(good)
        mutate(bad)
        assert not VALIDATOR.is_valid(bad)


def test_without_start_year_payments_name_programme_years():
    data = to_indigo(CASES["family_violence"], include_model_figures=False)
    assert "x_sibmodel" not in data
    assert all("period" not in p and p["notes"].startswith("programme year") for p in data["outcome_payments"])
    assert VALIDATOR.is_valid(data)


def test_a_rate_card_gives_one_metric_and_pricing_per_row_and_its_payments_by_row():
    """Each row's payments are the card with the other rows' prices at 0: for a two-row card whose rows are paid in
    different years, every payment of a row falls in the years that row alone pays."""
    case = CASES["homelessness_housing_first"]
    data = to_indigo(case, start_year=2030)
    card = case.contract.rows()
    assert len(data["outcome_metrics"]) == len(card) > 1
    for i, row in enumerate(card):
        alone = sibmodel.evaluate(case.update({f"contract.outcomes.{j}.price": 0.0 for j in range(len(card)) if j != i}))
        mine = {int(p["period"]["start_date"]["value"]) - 2030: p["money"]["amount"]["value"]
                for p in data["outcome_payments"] if p["outcome_metric_id"]["value"] == f"outcome-{i + 1}"}
        expected = {t: v for t, v in enumerate(alone.cash_flows["outcome_payments"]) if v > 0}
        assert mine.keys() == expected.keys()
        assert all(mine[t] == pytest.approx(expected[t], rel=1e-9) for t in mine)
