"""Parsing of untrusted app input: numbers, lists, URL values; each refusal names the field, value and rule."""
from __future__ import annotations

import pytest

from sibmodel.app.inputs import format_list, parse_list, parse_number, parse_value
from sibmodel.errors import CaseError


@pytest.mark.parametrize("text, value", [("150000", 150000.0), ("0,5", 0.5), ("0.5", 0.5), (" 1 000 ", 1000.0),
                                         ("1e6", 1e6), ("\u22123", -3.0), (7, 7.0)])
def test_numbers_with_comma_or_point(text, value):
    assert parse_number("contract.price", text) == value


@pytest.mark.parametrize("text, phrase", [("150.000", "ambiguous"), ("1,000,000", "ambiguous"), ("abc", "must be a number"),
                                          ("inf", "finite"), ("nan", "finite"), ("1e16", "between"), (True, "must be a number"),
                                          (None, "must be a number")])
def test_bad_numbers_are_refused_with_field_value_and_rule(text, phrase):
    with pytest.raises(CaseError) as err:
        parse_number("contract.price", text)
    msg = str(err.value)
    assert msg.startswith("contract.price") and phrase in msg and repr(text) in msg


def test_lists_use_semicolons_in_text_and_commas_in_urls():
    assert parse_list("cohort.participants", "8; 8; 9") == [8.0, 8.0, 9.0]
    assert parse_list("x", "2,5") == 2.5  # one number with a decimal comma
    assert parse_value("cohort.participants", "8,8,9", url=True) == [8.0, 8.0, 9.0]
    assert parse_value("cohort.participants", "12") == [12.0]
    assert parse_value("intervention.fixed_cost_per_year", "400000") == 400000.0
    assert format_list([8.0, 8.0, 9.5]) == "8; 8; 9.5"
    with pytest.raises(CaseError, match="cohort.participants"):
        parse_value("cohort.participants", " ; ")


def test_url_values_of_each_kind():
    assert parse_value("contract.payers", "kommune,region", url=True) == ["kommune", "region"]
    assert parse_value("contract.cap", "none", url=True) is None
    assert parse_value("contract.cap", "2000000", url=True) == 2e6
    assert parse_value("contract.metric", "success") == "success"
    assert parse_value("discounting", "uk-green-book") == "uk-green-book"
    assert parse_value("discounting", "0.03") == 0.03
    assert parse_value("outcome.horizon_years", "12") == 12
    for path, text in [("contract.payers", "kommune,county"), ("contract.metric", "anything"), ("discounting", "low"),
                       ("outcome.horizon_years", "2.5"), ("__class__", "x"), ("name", "x")]:
        with pytest.raises(CaseError) as err:
            parse_value(path, text, url=True)
        assert str(err.value).startswith(path)
