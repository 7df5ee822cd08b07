"""The app's state without widgets: last good result kept, problems per input, URL parameters, uploads."""
from __future__ import annotations

import copy

import pytest
import yaml

from sibmodel import Case, evaluate, load_case
from sibmodel.app.state import (BLANK, MAX_UPLOAD_BYTES, Session, apply_changes, case_from_upload, open_template,
                                parse_query, templates)
from sibmodel.errors import CaseError

from conftest import BASE, TEMPLATES


def test_templates_list_programme_areas_with_blank_last():
    keys = list(templates())
    assert keys, "templates/ holds case files"
    assert keys[-1] == BLANK or BLANK not in keys
    for key in keys:
        case = open_template(key)
        assert evaluate(case).commissioner_npv == evaluate(load_case(TEMPLATES / f"{key}.yaml")).commissioner_npv
    assert isinstance(open_template(BLANK), Case)
    with pytest.raises(CaseError, match="template = 'nope'"):
        open_template("nope")


def test_refused_change_keeps_last_good_case_and_result():
    s = Session(Case.from_dict(copy.deepcopy(BASE)))
    good = s.result
    assert s.set("contract.price", 2000.0)
    assert s.result is not good and s.result.case.contract.price == 2000.0
    kept = s.result
    assert not s.set("contract.price", -1.0)
    assert s.result is kept and s.case.contract.price == 2000.0
    assert s.stale and s.message("contract.price").startswith("contract.price = -1.0: must be greater than or equal to 0")
    assert s.set("contract.price", 1800.0)
    assert not s.stale and s.result.case.contract.price == 1800.0


def test_query_reopens_the_same_inputs_with_identical_results():
    key = next(iter(templates()))
    s = Session(open_template(key))
    for path, value in [("outcome.relative_reduction", 0.33), ("contract.price", 123456.0), ("contract.payers", ["kommune", "stat"]),
                        ("cohort.participants", [5.0, 7.0]), ("discounting", 0.02), ("contract.cap", 900000.0)]:
        assert s.set(path, value), s.problems
    query = s.query(key, "en")
    template, lang, changes, problems = parse_query(query)
    assert (template, lang, problems) == (key, "en", [])
    case, refused = apply_changes(open_template(template), changes)
    assert refused == []
    assert evaluate(case).key_figures() == s.result.key_figures()


def test_too_many_or_too_long_url_parameters_are_refused_not_raised():
    for query, code in (("&".join(f"a{i}=1" for i in range(101)), "query.too_many"), ("name=" + "x" * 5000, "query.too_long")):
        template, lang, changes, problems = parse_query(query)
        assert (template, lang, changes) == (None, None, {}) and [p.code for p in problems] == [code]
    template, lang, changes, problems = parse_query("&".join(["template=blank"] + [f"contract.price={i}" for i in range(99)]))
    assert template == "blank" and changes == {"contract.price": 98.0} and problems == []


def test_query_values_are_validated_one_by_one():
    template, lang, changes, problems = parse_query("?lang=fr&contract.price=abc&outcome.baseline_rate=0.7&foo=1")
    assert lang is None and changes == {"outcome.baseline_rate": 0.7}
    text = " | ".join(map(str, problems))
    assert "lang = 'fr'" in text and "contract.price = 'abc'" in text and "foo = '1'" in text
    case, refused = apply_changes(Case.from_dict(copy.deepcopy(BASE)), {"outcome.baseline_rate": 1.5, "contract.price": 10.0})
    assert case.contract.price == 10.0 and case.outcome.baseline_rate == BASE["outcome"]["baseline_rate"]
    assert refused and refused[0].path == "outcome.baseline_rate"


def test_upload_roundtrip_is_identical_and_bad_files_are_refused():
    case = open_template(next(iter(templates()))).update({"contract.price": 98765.4321, "outcome.relative_reduction": 0.123})
    again = case_from_upload("x.yaml", case.to_yaml().encode())
    assert again == case and evaluate(again).key_figures() == evaluate(case).key_figures()
    with pytest.raises(CaseError, match="too large"):
        case_from_upload("big.yaml", b"#" * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(CaseError, match="UTF-8"):
        case_from_upload("bin.yaml", b"\xff\xfe\x00")
    with pytest.raises(CaseError, match="not valid YAML"):
        case_from_upload("bad.yaml", b"a: [1")
    bad = yaml.safe_load(case.to_yaml())
    bad["costs_per_case"] = [{"item": "no_such_unit_cost", "quantity": 1}]
    with pytest.raises(CaseError, match="costs_per_case.0.item"):
        case_from_upload("bad.yaml", yaml.safe_dump(bad).encode())


@pytest.mark.parametrize("co_payers", [
    [{"name": "Fonden & Co: Nord", "share": 0.25, "public": False}, {"name": "Staten", "share": 0.1, "public": True}],
    None,
])
def test_co_payers_travel_in_the_share_link(co_payers):
    """A co-payer's name may hold '&' or ':'; a private one stays private; removing the template's co-payer is a
    change too. The link reopens the same co-payers and the same results."""
    s = Session(open_template("family_violence"))
    assert s.case.contract.co_payers  # the template has a co-payer (Den Sociale Investeringsfond)
    assert s.set("contract.co_payers", co_payers), s.problems
    template, lang, changes, problems = parse_query(s.query("family_violence", "da"))
    assert problems == [] and "contract.co_payers" in changes
    case, refused = apply_changes(open_template(template), changes)
    assert refused == [] and case.contract.co_payers == s.case.contract.co_payers
    assert evaluate(case).key_figures() == s.result.key_figures()
