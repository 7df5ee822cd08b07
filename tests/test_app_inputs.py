"""Parsing of untrusted app input in the page's language: numbers, lists, URL values; each refusal names the field,
the value and the rule, with a code the page words in Danish or English."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sibmodel.app.inputs import format_list, format_number_input, parse_list, parse_number, parse_value
from sibmodel.app.texts import problem_text
from sibmodel.errors import CaseError


@pytest.mark.parametrize("lang, text, value", [
    ("da", "150.000", 150000.0), ("da", "0,5", 0.5), ("da", "150000,50", 150000.5), ("da", "1.234.567", 1234567.0),
    ("da", "150000", 150000.0), ("da", " 1 000 ", 1000.0), ("da", "150.000 kr.", 150000.0), ("da", "\u22123", -3.0),
    ("en", "150000", 150000.0), ("en", "0.5", 0.5), ("en", "150000.50", 150000.5), ("en", "1e6", 1e6), ("en", "150000 DKK", 150000.0),
    ("da", 7, 7.0), ("en", 7, 7.0),
])
def test_numbers_are_read_the_way_the_language_writes_them(lang, text, value):
    assert parse_number("contract.price", text, lang) == value


@pytest.mark.parametrize("lang, text, code", [
    ("en", "150,000", "number.thousands_separator"), ("en", "0,5", "number.decimal_comma"),
    ("en", "150.000", "number.thousands_separator"), ("en", "1.234.567", "number.thousands_separator"),
    ("da", "1.5", "number.decimal_point"), ("da", "1.2345", "number.decimal_point"), ("da", "1,000,000", "number.invalid"),
    ("da", "abc", "number.invalid"), ("en", "inf", "number.not_finite"), ("en", "nan", "number.not_finite"),
    ("en", "1e16", "number.out_of_range"), ("da", True, "number.invalid"), ("da", None, "number.invalid"),
    ("da", "9" * 300, "text.too_long"), ("da", "60 %", "number.percent"),
])
def test_bad_numbers_are_refused_with_field_value_and_a_code(lang, text, code):
    with pytest.raises(CaseError) as err:
        parse_number("contract.price", text, lang)
    p = err.value.problems[0]
    assert p.path == "contract.price" and p.code == code and p.value in (text, str(text))
    da, en = problem_text(p, "da"), problem_text(p, "en")
    assert da.startswith("contract.price") and en.startswith("contract.price") and da != en
    assert len(da) <= 300 and len(en) <= 300


def test_ranges_are_refused_not_clamped_and_worded_in_each_language():
    with pytest.raises(CaseError) as err:
        parse_number("sd_effect", "-5", "da", 0.0, 0.5)
    p = err.value.problems[0]
    assert p.code == "number.out_of_range"
    assert problem_text(p, "da") == "sd_effect = '-5': skal ligge mellem 0 og 0,5"
    assert problem_text(p, "en") == "sd_effect = '-5': must lie between 0 and 0.5"


@given(st.floats(-1e12, 1e12, allow_nan=False).map(lambda x: round(x, 4)), st.sampled_from(["da", "en"]))
def test_what_a_box_shows_reads_back_as_the_same_number(x, lang):
    assert parse_number("x", format_number_input(100.125, lang), lang) == 100.125
    assert parse_number("x", format_number_input(x, lang), lang) == pytest.approx(x, rel=1e-12, abs=1e-9)


def test_lists_use_semicolons_in_text_and_commas_in_urls():
    assert parse_list("cohort.participants", "8; 8; 9") == [8.0, 8.0, 9.0]
    assert parse_list("x", "2,5") == 2.5  # one number with a decimal comma
    assert parse_list("x", "1.000; 2.500,5") == [1000.0, 2500.5]
    assert parse_value("cohort.participants", "8,8,9", url=True) == [8.0, 8.0, 9.0]
    assert parse_value("cohort.participants", "12") == [12.0]
    assert parse_value("intervention.fixed_cost_per_year", "400.000") == 400000.0
    assert format_list([8.0, 8.0, 9.5]) == "8; 8; 9,5" and format_list([8.0, 1500.5], "en") == "8; 1500.5"
    with pytest.raises(CaseError, match="cohort.participants"):
        parse_value("cohort.participants", " ; ")


def test_url_values_of_each_kind_are_written_the_english_way():
    assert parse_value("contract.payers", "kommune,region", url=True) == ["kommune", "region"]
    assert parse_value("contract.cap", "none", url=True) is None
    assert parse_value("contract.cap", "2000000", url=True) == 2e6
    assert parse_value("contract.metric", "success") == "success"
    assert parse_value("discounting", "uk-green-book") == "uk-green-book"
    assert parse_value("discounting", "0.03", url=True) == 0.03
    assert parse_value("discounting", "0,03") == 0.03
    assert parse_value("outcome.horizon_years", "12") == 12
    for path, text in [("contract.payers", "kommune,county"), ("contract.metric", "anything"), ("discounting", "low"),
                       ("outcome.horizon_years", "2.5"), ("__class__", "x"), ("name", "x"), ("contract.price", "150.000")]:
        with pytest.raises(CaseError) as err:
            parse_value(path, text, url=True)
        assert str(err.value).startswith(path)
