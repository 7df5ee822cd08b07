"""The case file: loading, validation messages that name the field, YAML round trip, dotted updates, schema."""
from __future__ import annotations

import copy
import json
import re

import pytest
import yaml
from hypothesis import given

from sibmodel import Case, CaseError, case_schema, load_case
from tests.conftest import BASE, TEMPLATES, cases


def test_loads_the_design_example_with_catalogue_items():
    case = load_case(TEMPLATES / "family_violence.yaml")
    assert case.price_year == 2025 and case.contract.payers == ["kommune"]
    assert case.outcome.p1 == pytest.approx(0.6 * (1 - 0.322305))  # pooled reduction of the perpetrator-programme set


def test_defaults(base):
    case = Case.from_dict(base)
    assert case.adjustments.factor == 1.0
    assert case.contract.metric == "prevented_case" and case.contract.investor_share == 1.0
    assert case.currency == "DKK" and case.outcome.onset_lag_years == 0


@given(cases())
def test_yaml_round_trip_loses_nothing(case_dict):
    case = Case.from_dict(case_dict)
    again = Case.from_yaml(case.to_yaml())
    assert again == case
    assert again.to_yaml() == case.to_yaml()


def test_update_returns_a_new_validated_case(base):
    case = Case.from_dict(base)
    new = case.update({"outcome.relative_reduction": 0.3, "contract.price": 2000})
    assert new.outcome.relative_reduction == 0.3 and new.contract.price == 2000
    assert case.outcome.relative_reduction == 0.2  # the original is untouched
    assert new.get("contract.price") == 2000


def test_update_swaps_alternatives(base):
    case = Case.from_dict(base)
    new = case.update({"outcome.treated_rate": 0.25})
    assert new.outcome.relative_reduction is None and new.outcome.p1 == 0.25
    back = new.update({"outcome.persistence": [1, 0.5]})
    assert back.outcome.drop_off is None and back.outcome.persistence == [1.0, 0.5]


def test_update_list_entries_and_new_items(base):
    case = Case.from_dict(base)
    assert case.update({"costs_per_case.0.quantity": [2, 1]}).costs_per_case[0].quantity == [2.0, 1.0]
    added = case.update({"costs_per_case.1": {"amount": 5.0, "holder": "stat"}})
    assert len(added.costs_per_case) == 2 and added.costs_per_case[1].holder == "stat"
    assert case.update({"adjustments.attribution": 0.5}).adjustments.attribution == 0.5


@pytest.mark.parametrize("changes, path, words", [
    ({"outcome.relative_reducton": 0.3}, "outcome.relative_reducton", "did you mean 'relative_reduction'"),
    ({"outcome.baseline_rate": 2}, "outcome.baseline_rate", "less than or equal to 1"),
    ({"costs_per_case.7.quantity": 1}, "costs_per_case.7.quantity", "not an index"),
    ({"nonsense.x": 1}, "nonsense.x", "unknown key"),
])
def test_update_refuses_bad_paths_and_values(base, changes, path, words):
    with pytest.raises(CaseError) as err:
        Case.from_dict(base).update(changes)
    assert path in str(err.value) and words in str(err.value)


def _with(change):
    data = copy.deepcopy(BASE)
    change(data)
    return data


def _set(path, value):
    def change(d):
        *head, last = path.split(".")
        node = d
        for p in head:
            node = node[int(p)] if p.isdigit() else node[p]
        node[int(last) if last.isdigit() else last] = value
    return change


def _drop(path):
    def change(d):
        *head, last = path.split(".")
        node = d
        for p in head:
            node = node[int(p)] if p.isdigit() else node[p]
        del node[last]
    return change


# (file content, dotted path the message must name, words it must contain)
MALFORMED = [
    (_with(_set("outcome.baseline_rte", 0.5)), "outcome.baseline_rte", "unknown key (did you mean 'baseline_rate'?)"),
    (_with(_set("extra_section", {})), "extra_section", "unknown key"),
    (_with(_set("outcome.baseline_rate", "high")), "outcome.baseline_rate", "must be a valid number"),
    (_with(_set("outcome.baseline_rate", 1.2)), "outcome.baseline_rate", "less than or equal to 1"),
    (_with(_set("outcome.relative_reduction", -0.1)), "outcome.relative_reduction", "greater than or equal to 0"),
    (_with(_set("costs_per_case.0.amount", -1000)), "costs_per_case.0.amount", "greater than or equal to 0"),
    (_with(_set("costs_per_case.0.quantity", -2)), "costs_per_case.0.quantity", "a number >= 0"),
    (_with(_set("outcome.treated_rate", 0.3)), "outcome", "exactly one of relative_reduction or treated_rate (got both)"),
    (_with(_drop("outcome.relative_reduction")), "outcome", "(got neither)"),
    (_with(_set("costs_per_case.0", {"item": "no_such_cost", "quantity": 1})), "costs_per_case.0.item", "not a key of the unit-cost catalogue"),
    (_with(_set("outcome.persistence", [1, 0.9, 0.8])), "outcome", "give drop_off or persistence, not both"),
    (_with(lambda d: (d["outcome"].pop("drop_off"), d["outcome"].update(persistence=[1, 0.9, 0.8]))), "outcome", "persistence has 3 values but horizon_years is 2"),
    (_with(_set("cohort.participants", [])), "cohort.participants", "must have at least 1 entry"),
    (_with(_set("cohort.participants", [0, 0])), "cohort.participants", "at least one participant"),
    (_with(_drop("contract.price")), "contract.price", "required field is missing"),
    (_with(_set("contract.metric", "success_rate")), "contract.metric", "'prevented_case' or 'success'"),
    (_with(_set("contract.payers", ["kommune", "amt"])), "contract.payers.1", "'kommune', 'region' or 'stat'"),
    (_with(_set("discounting", "fm-2013")), "discounting", "dk-fm-2021, uk-green-book"),
    (_with(_set("costs_per_case.0.quantity", [1, 1, 1])), "costs_per_case.0.quantity", "has 3 values but horizon_years is 2"),
    (_with(_set("costs_per_case.0", {"amount": 100})), "costs_per_case.0", "needs its holder"),
    (_with(_set("intervention.delivery_years", 1.5)), "intervention.delivery_years", "valid integer"),
    (_with(lambda d: (d["outcome"].pop("relative_reduction"), d["outcome"].update(treated_rate=0.7))), "outcome", "must not exceed baseline_rate"),
]


def _price_year_without_index():
    d = copy.deepcopy(BASE)
    d["price_year"] = 2031
    d["costs_per_case"] = [{"item": "placement_foster_family_year_kommune", "quantity": 0.1}]
    return d


MALFORMED.append((_price_year_without_index(), "costs_per_case.0.item", "has no value for 2031"))


@pytest.mark.parametrize("data, path, words", MALFORMED, ids=[f"{i}:{m[1]}" for i, m in enumerate(MALFORMED)])
def test_malformed_case_files_are_refused_naming_the_field(tmp_path, data, path, words):
    f = tmp_path / "case.yaml"
    f.write_text(yaml.safe_dump(data))
    with pytest.raises(CaseError) as err:
        load_case(f)
    text = str(err.value)
    assert text.startswith(str(f)), text
    assert f": {path}" in text or f"{path} =" in text or f"{path}:" in text, text
    assert words in text, text
    assert "Traceback" not in text and "pydantic" not in text.lower(), text


def test_there_are_at_least_fifteen_distinct_malformed_files():
    assert len({m[1] + m[2] for m in MALFORMED}) >= 15


@pytest.mark.parametrize("text, words", [
    ("name: [unclosed", "not valid YAML (line "),
    ("- just\n- a list\n", "a case must be a mapping"),
    ("", "a case must be a mapping"),
    ("name: x\nprice_year: !!python/object/apply:os.system ['echo hi']\n", "not valid YAML"),
])
def test_files_that_are_not_cases(tmp_path, text, words):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(CaseError, match=words.replace("(", r"\(")):
        load_case(f)


def test_missing_file():
    with pytest.raises(CaseError, match="case file not found"):
        load_case("no/such/case.yaml")


def test_json_schema_describes_the_case():
    schema = case_schema()
    json.dumps(schema)
    assert schema["title"] == "sibmodel case file"
    assert {"cohort", "outcome", "contract", "intervention"} <= set(schema["required"])
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("change, code, params", [
    ({"outcome.relative_reduction": 1.5}, "case.at_most", {"limit": 1.0}),
    ({"outcome.baseline_rate": -1}, "case.at_least", {"limit": 0.0}),
    ({"outcome.horizon_years": 2.5}, "number.not_integer", {}),
])
def test_validation_problems_carry_a_code_and_its_limit(change, code, params):
    """A page words a problem in its own language from the code and the limit, not from pydantic's English."""
    from sibmodel.app.texts import problem_text

    with pytest.raises(CaseError) as err:
        load_case(TEMPLATES / "family_violence.yaml").update(change)
    (problem,) = err.value.problems
    assert (problem.path, problem.code, problem.params) == (next(iter(change)), code, params)
    da = problem_text(problem, "da")
    assert not re.search(r"must|greater|less|integer", da), da
