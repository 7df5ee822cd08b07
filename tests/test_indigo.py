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
    assert data["outcome_pricings"][0]["price_per_unit"]["amount"]["value"] == case.contract.price
    financed = sum(res.cash_flows["investor_financed"])
    assert data["investments"][0]["investment_commitment"]["amount"]["exact"]["value"] == pytest.approx(financed, rel=1e-12)
    paid = [p["money"]["amount"]["value"] for p in data["outcome_payments"]]
    assert sum(paid) == pytest.approx(res.total_payments, rel=1e-12)
    years = [int(p["period"]["start_date"]["value"]) - 2025 for p in data["outcome_payments"]]
    assert all(res.cash_flows["outcome_payments"].iloc[t] == v for t, v in zip(years, paid))
    cap = case.contract.cap
    maximum = data["overall_project_finance"]["maximum_potential_outcome_payment_v2"]["amount"]["value"]
    if cap is not None:
        assert maximum == cap
    else:  # every participant paid at the most the metric allows
        per = case.outcome.p0 if case.contract.metric == "prevented_case" else 1.0
        assert maximum == pytest.approx(case.contract.price * sum(case.cohort.participants) * per)
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
