"""One catalogue, one set of formatters: each formatter in both languages; Danish outputs read as Danish;
user text stays inert in the report, the workbook and the INDIGO export."""
from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import sibmodel
from sibmodel import i18n, prose, report, tables
from sibmodel.errors import ArgumentError

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "homelessness_housing_first.yaml"


@pytest.mark.parametrize("lang, money, pct, number, eur", [
    ("da", "1.234.567 kr.", "3,5 %", "1.234,57", "12 €"),
    ("en", "DKK 1,234,567", "3.5 %", "1,234.57", "EUR 12"),
])
def test_each_formatter_in_both_languages(lang, money, pct, number, eur):
    assert i18n.fmt_money(1234567.4, lang) == money
    assert i18n.fmt_money(12, lang, "EUR") == eur
    assert i18n.fmt_pct(0.035, lang) == pct
    assert i18n.fmt_number(1234.5678, lang, 2) == number
    assert i18n.fmt_number(-0.0004, lang, 0) == "0"  # no "-0"
    for missing in (None, math.nan, math.inf):
        assert i18n.fmt_money(missing, lang) == i18n.fmt_pct(missing, lang) == i18n.fmt_number(missing, lang) == "–"


def test_labels_units_and_discounting_in_both_languages():
    assert i18n.label("investor_moic", "da") == "Investors afkastmultipel (MOIC)"
    assert i18n.unit("commissioner_max", "da") == "kr. pr. resultat"
    assert i18n.unit("commissioner_max", "en") == "DKK per outcome"
    assert i18n.label("savings_per_case_stat", "en") == "Savings per prevented case, state"
    assert i18n.holder_label("kommune", "da", definite=True) == "kommunen"
    assert i18n.discount_label("dk-fm-2021", "da") == "Finansministeriets samfundsøkonomiske diskonteringsrente, 3,5 %"
    assert i18n.discount_label(0.04, "en") == "constant discount rate, 4.00 %"
    assert i18n.text("message.report.pdf_timeout", "da", tool="chromium", seconds=5).startswith("chromium blev ikke")
    with pytest.raises(ArgumentError, match="lang = 'fr'"):
        i18n.check_lang("fr")
    assert set(i18n.HOLDER_COLOURS) == set(sibmodel.HOLDERS)


def test_every_catalogue_entry_has_both_languages_and_the_right_terms():
    cat = i18n.catalogue()
    assert all(e["da"] is not None and e["en"] is not None for e in cat.values())
    danish = " ".join(e["da"] for e in cat.values()).lower()
    assert "pengemultiplikator" not in danish and "optimismekorrektion" not in danish
    assert "afkastmultipel" in danish and "optimismebias" in danish and "kassetænkning" in danish


def test_cli_table_is_danish_with_units_and_no_nan():
    result = sibmodel.evaluate(sibmodel.load_case(TEMPLATE))
    da = tables.render_table(result, "da")
    assert "Finansministeriets samfundsøkonomiske diskonteringsrente, 3,5 %" in da.splitlines()[0]
    assert "kr. pr. resultat" in da and not re.search(r"\bnan\b", da.lower()) and "DKK" not in da
    line = next(x for x in da.splitlines() if x.strip().startswith(i18n.label("commissioner_max", "da")))
    assert line.split()[-4:] == [i18n.fmt_number(result.commissioner_max, "da", 0), "kr.", "pr.", "resultat"]
    assert "DKK per outcome" in tables.render_table(result, "en")


# -- inert user text -------------------------------------------------------------------------------------------

PAYLOAD = '<img src=x onerror=alert(1)>[click](javascript:alert(2))'


def _hostile_case():
    data = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    data["name"] = {"da": PAYLOAD, "en": "=HYPERLINK(\"http://x\",\"y\")"}
    data["area"] = "=cmd|' /C calc'!A0"
    data["outcome"]["description"] = PAYLOAD
    for item in data["costs_per_case"]:
        item["label"] = "=1+1"
    return sibmodel.Case.from_dict(data)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_user_text_is_escaped_in_the_report(lang):
    data = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    data["name"] = {"da": PAYLOAD, "en": PAYLOAD}
    data["area"] = PAYLOAD
    data["outcome"]["description"] = PAYLOAD
    data["costs_per_case"] = [{"amount": 50_000, "holder": "kommune", "quantity": 1, "label": PAYLOAD},
                              {"amount": 20_000, "holder": "stat", "quantity": 1, "label": PAYLOAD}]
    try:  # a currency that is not an ISO code may be refused by the case schema; where it is not, it is escaped
        case = sibmodel.Case.from_dict({**data, "currency": PAYLOAD})
    except sibmodel.CaseError:
        case = sibmodel.Case.from_dict(data)
    res = sibmodel.evaluate(case)
    comments = {"outcome.baseline_rate": "<script>x()</script>", "costs_per_case.0.quantity": PAYLOAD}
    html_text = report.to_html(report.compose(case, res, lang, None, comments), lang)
    assert "<img src=x" not in html_text and "<script>x" not in html_text and "javascript:" not in html_text.split("[click]")[0]
    assert html_text.count("&lt;img src=x onerror=alert(1)&gt;") >= 3  # name, description, note (and labels)
    assert not re.search(r"<a [^>]*href=[\"']?javascript", html_text, re.I)


def test_user_text_is_inert_in_markdown():
    case = _hostile_case()
    title = tables.title(case, "da")
    assert "<img" not in title and "[click]" not in title and "\\[click\\]" in title
    assert "<" not in prose.md_inert("<b>") and prose.html_sentence("**a<b**") == "<b>a&lt;b</b>"


def test_no_formula_cell_from_user_text(tmp_path):
    from openpyxl import load_workbook

    from sibmodel.excel import write_workbook

    case = _hostile_case()
    path = tmp_path / "c.xlsx"
    write_workbook(case, path, lang="da")
    wb = load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    formulas = [c.value for c in cells if c.data_type == "f"]
    assert formulas, "the workbook's own formulas stay formulas"
    assert not [f for f in formulas if "HYPERLINK" in f or "cmd|" in f or f == "=1+1"]
    texts = [c.value for c in cells if c.data_type == "s"]
    assert "=cmd|' /C calc'!A0" in texts or any("=cmd|" in str(t) for t in texts)


def test_indigo_is_strict_json(tmp_path):
    from sibmodel.indigo import dumps, to_indigo, write_indigo

    case = _hostile_case()
    data = to_indigo(case)
    data["x_sibmodel"]["key_figures"]["bad"] = float("inf")
    text = dumps(data)
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))["x_sibmodel"]["key_figures"]["bad"] is None
    write_indigo(case, tmp_path / "p.json")
    json.loads((tmp_path / "p.json").read_text(encoding="utf-8"), parse_constant=lambda c: pytest.fail(c))


def test_pdf_step_times_out_with_a_message(tmp_path, monkeypatch):
    import shutil

    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name: str(fake) if name == "chromium" else None)
    html_path = tmp_path / "r.html"
    html_path.write_text("<p>x</p>")
    note = report.to_pdf(html_path, tmp_path / "r.pdf", timeout=1, lang="da")
    assert note == i18n.text("message.report.pdf_timeout", "da", tool="chromium", seconds="1")


def test_bilingual_name_and_description():
    case = _hostile_case()
    assert case.name_in("da") == PAYLOAD and case.name_in("en").startswith("=HYPERLINK")
    again = sibmodel.Case.from_yaml(case.to_yaml())
    assert again.name_in("da") == PAYLOAD


from hypothesis import given, strategies as st  # noqa: E402


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 3))
def test_danish_and_english_numbers_read_back_to_the_same_rounded_value(x, digits):
    da, en = i18n.fmt_number(x, "da", digits), i18n.fmt_number(x, "en", digits)
    assert float(da.replace(".", "").replace(",", ".")) == float(en.replace(",", "")) == float(f"{x:.{digits}f}")


def test_a_problem_is_translated_by_its_code():
    from sibmodel.errors import Problem

    p = Problem("lang", "fr", "allowed: 'da', 'en'", "lang.unknown", {"value": "fr"})
    assert i18n.message(p, "da").startswith("sprog = 'fr'")
    assert i18n.message(Problem("x", 1, "some message"), "da") == str(Problem("x", 1, "some message"))


@pytest.mark.parametrize("payload", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_text_never_starts_a_formula(payload):
    assert tables.csv_text(payload) == "'" + payload
    assert tables.csv_text("DKK") == "DKK" and tables.csv_text(-3.5) == -3.5
