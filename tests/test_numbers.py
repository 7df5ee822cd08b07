"""The one number parser of the command line and the app: Danish and English habits, never a silent misreading."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sibmodel.errors import CaseError
from sibmodel.numbers import format_number_input, parse_number


@pytest.mark.parametrize("text, lang, expected", [
    ("150000", "en", 150000.0), ("1e5", "en", 1e5), ("1.5e-3", "en", 0.0015), ("-2.5", "en", -2.5),
    ("0.500", "en", 0.5), ("150_000", "en", 150000.0), (".5", "en", 0.5), ("+7", "en", 7.0),
    ("\u22123", "en", -3.0), ("  42 ", "en", 42.0), ("150000 kr.", "en", 150000.0), ("99 DKK", "en", 99.0),
    ("150.000", "da", 150000.0), ("0,5", "da", 0.5), ("150000,50", "da", 150000.5), ("1.234.567", "da", 1234567.0),
    ("1.234,5", "da", 1234.5), ("150 000", "da", 150000.0), ("150\u00a0000 kr.", "da", 150000.0),
    ("1e5", "da", 1e5), ("1,5e3", "da", 1500.0), ("-1.000", "da", -1000.0), ("7", "da", 7.0), ("1,000", "da", 1.0),
])
def test_reads_numbers_as_people_write_them(text, lang, expected):
    assert parse_number(text, lang) == expected


@pytest.mark.parametrize("text, lang, code, hint", [
    ("150,000", "en", "number.thousands_separator", "150000"),
    ("150.000", "en", "number.thousands_separator", "150000"),
    ("1,234,567.5", "en", "number.thousands_separator", "1234567.5"),
    ("1.234,5", "en", "number.thousands_separator", "1234.5"),
    ("150 000", "en", "number.thousands_separator", "150000"),
    ("0,5", "en", "number.decimal_comma", "0.5"),
    ("0.5", "da", "number.decimal_point", "0,5"),
    ("0.500", "da", "number.grouping", "leading 0"),
    ("1.23.4", "da", "number.grouping", "groups of three"),
    ("30%", "en", "number.percent", "0.3"),
    ("30 %", "da", "number.percent", "0,3"),
    (".inf", "en", "number.not_finite", "finite"),
    ("nan", "da", "number.not_finite", "finite"),
    ("1e400", "en", "number.not_finite", "finite"),
    ("", "en", "number.empty", "number"),
    ("abc", "en", "number.invalid", "not a number"),
    ("true", "en", "number.invalid", "not a number"),
    ("1_000", "da", "number.invalid", "not a number"),
])
def test_refuses_with_a_reason_and_a_code(text, lang, code, hint):
    with pytest.raises(CaseError) as info:
        parse_number(text, lang, path="contract.price")
    (problem,) = info.value.problems
    assert problem.code == code and problem.path == "contract.price" and problem.value == text
    assert hint in problem.message and problem.params["text"] == text
    assert str(info.value).startswith("contract.price = ")


def test_thousands_separator_is_never_read_as_a_smaller_number():
    for text in ("150.000", "150,000", "1.500", "12.345"):
        with pytest.raises(CaseError):
            parse_number(text, "en")


def test_numbers_pass_through_and_unknown_language_is_refused():
    assert parse_number(3, "da") == 3.0 and isinstance(parse_number(3, "da"), float)
    for bad in (math.inf, math.nan, True):
        with pytest.raises(CaseError):
            parse_number(bad)
    with pytest.raises(CaseError, match="unknown language"):
        parse_number("1", "de")


@pytest.mark.parametrize("x, da, en", [
    (150000, "150.000", "150,000"), (0.5, "0,5", "0.5"), (150000.5, "150.000,5", "150,000.5"),
    (-1234.25, "-1.234,25", "-1,234.25"), (0.0, "0", "0"), (-0.0, "0", "0"), (1e20, "1e+20", "1e+20"),
    (1.5e-7, "1,5e-07", "1.5e-07"),
])
def test_format_echoes_how_a_value_was_read(x, da, en):
    assert format_number_input(x, "da") == da and format_number_input(x, "en") == en


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite)
def test_danish_round_trip(x):
    assert parse_number(format_number_input(x, "da"), "da") == x
    assert parse_number(format_number_input(x, "da", grouping=False), "da") == x


@given(finite)
def test_english_round_trip_without_grouping(x):
    assert parse_number(format_number_input(x, "en", grouping=False), "en") == x


@given(st.integers(min_value=1000, max_value=10**12))
def test_english_grouped_echo_is_refused_not_misread(n):
    text = format_number_input(n, "en")
    with pytest.raises(CaseError) as info:
        parse_number(text, "en")
    assert info.value.problems[0].params["suggestion"] == str(n)


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_danish_integers_with_separators(n):
    grouped = f"{n:,}".replace(",", ".")
    assert parse_number(grouped, "da") == n
