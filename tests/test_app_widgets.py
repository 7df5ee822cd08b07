"""The app's widgets driven in-process (as the browser would set traits): live figures, messages, languages."""
from __future__ import annotations

import html
import io
import math
import re
import subprocess
import sys

import pytest
from ipywidgets.widgets.widget import _instances
from openpyxl import load_workbook

from sibmodel import evaluate, load_case
from sibmodel.app.widgets import CARDS, GROUPS, App

from conftest import ROOT, TEMPLATES

FV = "family_violence"
WIDGET_BUDGET = 150  #: widget models (comms) on first render; one page made 665 before groups were made on opening


def cards(app: App) -> dict[str, float | None]:
    out = {}
    for name, raw in re.findall(r'class="sib-card" data-name="(\w+)" data-value="([^"]*)"', app.results.value):
        out[name] = float(raw) if raw else None
    return out


def want(changes: dict) -> dict:
    r = evaluate(load_case(TEMPLATES / f"{FV}.yaml").update(changes))
    return {k: r.key_figures()[k] for k in CARDS}


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (a[k] is None and b[k] is None) or math.isclose(a[k], b[k], rel_tol=1e-12, abs_tol=1e-9) for k in a)


def message(app: App, path: str) -> str:
    return html.unescape(re.sub("<[^>]+>", "", app.fields[path].message.value))


def group(app: App, key: str) -> None:
    app.accordion.selected_index = next(i for i, (k, _) in enumerate(GROUPS) if k == key)


@pytest.fixture(scope="module")
def app() -> App:
    a = App("da", f"?template={FV}")
    a.open_all_groups()
    return a


def test_first_render_stays_within_the_widget_budget_and_opening_groups_adds_the_rest():
    before = set(_instances)
    a = App("da", f"?template={FV}")
    first = len(set(_instances) - before)
    assert first < WIDGET_BUDGET, f"{first} widget models on first render (budget {WIDGET_BUDGET})"
    assert a.accordion.children[GROUPS.index(next(g for g in GROUPS if g[0] == "g_costs"))] is not None
    a.open_all_groups()
    assert len(set(_instances) - before) > first  # the other groups were made when opened, not before
    n = len(set(_instances) - before)
    a.open_all_groups()  # and kept: opening again makes nothing new
    assert len(set(_instances) - before) == n


def test_heavy_modules_stay_off_the_first_render_and_app_modules_have_no_cycle():
    code = ("import sys; from sibmodel.app.widgets import App; App('da', '?template=family_violence'); "
            "print(' '.join(m for m in ('scipy', 'statsmodels', 'matplotlib', 'sibmodel.app.uncertainty', 'openpyxl') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == []
    code = "import sys, sibmodel.app.uncertainty; print('sibmodel.app.widgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr[-2000:]


def test_starts_from_the_template_and_shows_its_figures(app):
    assert app.session.case == load_case(TEMPLATES / f"{FV}.yaml")
    assert same(cards(app), want({}))
    assert '<svg' in app.results.value and "Programår" in app.results.value


def test_slider_change_updates_figures_to_evaluate(app):
    app.fields["outcome.relative_reduction"].widget.value = 0.55
    assert same(cards(app), want({"outcome.relative_reduction": 0.55}))
    assert message(app, "outcome.relative_reduction") == "55 %"
    app.fields["contract.investor_share"].widget.value = 0.25
    assert same(cards(app), want({"outcome.relative_reduction": 0.55, "contract.investor_share": 0.25}))


@pytest.mark.parametrize("lang, typed, value, echo", [
    ("da", "150.000", 150000.0, "150.000 kr."), ("da", "0,5", 0.5, "0,5 kr."), ("da", "150000,50", 150000.5, "150.000,5 kr."),
    ("da", "1.234.567", 1234567.0, "1.234.567 kr."), ("da", "150000", 150000.0, "150.000 kr."),
    ("en", "150000", 150000.0, "150000 DKK"), ("en", "0.5", 0.5, "0.5 DKK"), ("en", "150000.50", 150000.5, "150000.5 DKK"),
])
def test_money_boxes_read_the_language_and_echo_how_they_read_it(lang, typed, value, echo):
    a = App(lang, f"?template={FV}")
    group(a, "g_contract")
    box = a.fields["contract.price"].widget
    box.value = typed
    assert a.session.case.contract.price == value and message(a, "contract.price") == ""
    assert box.value == echo
    box.value = echo  # the echo reads back as the same value
    assert a.session.case.contract.price == value


@pytest.mark.parametrize("lang, typed, phrase", [
    ("en", "150,000", "has a thousands separator"), ("en", "150.000", "write 150000"), ("en", "1,234,567", "write 1234567"),
    ("da", "1.5", "skriv 1,5"), ("da", "abc", "er ikke et tal"), ("en", "abc", "is not a number"),
    ("da", "-5", "skal være mindst 0"), ("da", "1e16", "skal ligge mellem"), ("da", "x" * 10_000, "er for lang"),
])
def test_refused_entries_give_a_message_in_the_language_and_keep_the_result(lang, typed, phrase):
    a = App(lang, f"?template={FV}")
    group(a, "g_contract")
    kept, price = a.session.result, a.session.case.contract.price
    box = a.fields["contract.price"].widget
    box.value = typed
    text = message(a, "contract.price")
    assert phrase in text and "contract.price" in text, text
    assert len(text) < 400  # a long input is not echoed in full
    assert a.session.result is kept and a.session.case.contract.price == price and box.value == typed
    assert "sib-stale-note" in a.results.value
    assert "or a list" not in text and (lang == "en" or "must" not in text)


def test_uncertainty_values_out_of_range_are_refused_not_clamped():
    a = App("da", f"?template={FV}")
    group(a, "g_uncertainty")
    panel = a.uncertainty
    for box, bad, phrase in ((panel.sd_effect, "-5", "skal ligge mellem 0 og 0,5"), (panel.draws, "-5", "skal ligge mellem 100 og 20.000"),
                             (panel.draws, "mange", "er ikke et tal")):
        box.value = bad
        panel.run.click()
        text = html.unescape(panel.message.value)
        assert phrase in text, text
        assert box.value == bad and "data-chart" not in panel.out.value
        box.value = "0,1" if box is panel.sd_effect else "2.000"
    panel.draws.value = "500"
    panel.run.click()
    assert panel.message.value == "" and 'data-chart="probabilities"' in panel.out.value


def test_invalid_input_shows_message_beside_widget_and_keeps_result(app):
    before, result = cards(app), app.session.result
    for bad in ("-5", "inf"):
        app.fields["contract.price"].widget.value = bad
        assert "contract.price" in message(app, "contract.price") and "⚠" in message(app, "contract.price")
        assert app.session.result is result and cards(app) == before
        assert "sib-stale-note" in app.results.value
    app.fields["contract.price"].widget.value = "180000"
    assert app.fields["contract.price"].message.value == "" and "sib-stale-note" not in app.results.value
    assert app.session.case.contract.price == 180000.0


def test_text_inputs_and_payers(app):
    f = app.fields["cohort.participants"]
    f.widget.value = "10; 12"
    assert app.session.case.cohort.participants == [10.0, 12.0]
    f.widget.value = "ti"
    assert "cohort.participants = 'ti'" in message(app, "cohort.participants")
    assert app.session.case.cohort.participants == [10.0, 12.0]
    f.widget.value = "8; 8; 9"
    boxes = app.fields["contract.payers"].widget.boxes
    boxes["region"].value = True
    assert app.session.case.contract.payers == ["kommune", "region"]
    boxes["kommune"].value = False
    boxes["region"].value = False
    assert "vælg mindst én betaler" in message(app, "contract.payers")
    boxes["kommune"].value = True
    assert app.session.case.contract.payers == ["kommune"]
    assert message(app, "contract.payers") == ""
    app.fields["discounting"].widget.value = "constant"
    app.fields["discounting.rate"].widget.value = 0.05
    assert app.session.case.discounting == 0.05 and message(app, "discounting.rate") == "5 %"
    app.fields["discounting"].widget.value = "dk-fm-2021"
    assert app.session.case.discounting == "dk-fm-2021"
    app.fields["name"].widget.value = "y" * 10_000
    assert "er for lang (10.000 tegn; højst 200)" in message(app, "name") and len(message(app, "name")) < 400
    app.fields["name"].widget.value = "Ny"
    assert app.session.case.name == "Ny"


def test_language_switch_changes_every_label_and_number(app):
    da = {p: f.label.value for p, f in app.fields.items()}
    da_titles, da_fig = app.accordion.titles, app.results.value
    app.fields["contract.price"].widget.value = "1.234.567"
    app.language.value = "en"
    try:
        for path, f in app.fields.items():
            assert f.label.value != da[path], path
        assert all(a != b for a, b in zip(app.accordion.titles, da_titles))
        assert "Key figures" in app.results.value and "Nøgletal" not in app.results.value
        assert "Programme year" in app.results.value and "Programår" not in app.results.value
        assert app.costs.add.description == "Add item"
        assert app.fields["contract.price"].widget.value == "1234567 DKK"
        assert message(app, "contract.investor_share") == "25 %"
    finally:
        app.language.value = "da"
    assert app.accordion.titles == da_titles
    assert app.fields["contract.price"].widget.value == "1.234.567 kr."
    # the Danish page writes decimal commas and "60 %" throughout its figures
    text = re.sub("<[^>]+>", " ", app.results.value)
    assert not re.search(r"\d\.\d{1,2}(?!\d)", text), re.findall(r"\S*\d\.\d{1,2}(?!\d)\S*", text)
    assert not re.search(r"\d%", text)


def test_cost_table_is_one_html_table_with_an_editor(app):
    case = app.session.case
    n = len(case.costs_per_case)
    table = app.costs.table.value
    assert table.count('class="sib-cost-row') == n
    r = app.session.result
    for k in range(n):  # full item names, the right holder (a state item says stat)
        assert html.escape(r.items["label_da"].iloc[k]) in table
    assert table.count(">stat<") == int((r.items["holder"] == "stat").sum())
    app.costs.add.click()
    assert len(app.session.case.costs_per_case) == n + 1 and app.costs.pick.value == n
    app.costs.quantity.value = "2; 1"  # a list by year with 'years' still set is refused beside the editor
    assert "costs_per_case" in app.session.problems and "År" in html.unescape(app.costs.message.value)
    app.costs.years.value = ""
    assert app.session.case.costs_per_case[-1].quantity == [2.0, 1.0] and not app.session.stale
    app.costs.item.value = app.costs.OWN
    app.costs.amount.value = "1.234,5"
    assert app.session.case.costs_per_case[-1].amount == 1234.5 and app.session.case.costs_per_case[-1].holder == "kommune"
    app.costs.cashable.value = 0.6
    assert app.session.case.costs_per_case[-1].cashable == 0.6 and "60 %" in app.costs.table.value
    app.costs.remove.click()
    assert len(app.session.case.costs_per_case) == n and not app.session.stale


def test_upload_replaces_the_case_and_bad_upload_keeps_it(app):
    other = load_case(next(p for p in sorted(TEMPLATES.glob("*.yaml")) if p.stem != FV))
    data = other.to_yaml().encode()
    app.upload.set_state({"value": [{"name": "o.yaml", "type": "", "size": len(data), "content": memoryview(data), "last_modified": 0}]})
    assert app.session.case == other and other.name_in("da") in html.unescape(app.top_message.value)
    kept = app.session.result
    app.upload.set_state({"value": [{"name": "bad.yaml", "type": "", "size": 9, "content": memoryview(b"name: [x"), "last_modified": 0}]})
    assert "bad.yaml" in html.unescape(app.top_message.value) and app.session.result is kept
    big = b"#" * (300 * 1024)
    app.upload.set_state({"value": [{"name": "big.yaml", "type": "", "size": len(big), "content": memoryview(big), "last_modified": 0}]})
    assert "filen er for stor" in html.unescape(app.top_message.value) and app.session.result is kept
    app.template.value = FV
    assert app.session.case == load_case(TEMPLATES / f"{FV}.yaml") and html.unescape(app.top_message.value) == ""


def test_downloads_yaml_and_excel(app):
    import base64

    href = re.search(r'href="data:application/x-yaml;base64,([^"]+)"', app.keep.value).group(1)
    assert base64.b64decode(href).decode() == app.session.case.to_yaml()
    app.excel_button.click()
    b64 = re.search(r'class="sib-download sib-xlsx"[^>]*href="data:[^;]+;base64,([^"]+)"', app.excel_link.value).group(1)
    wb = load_workbook(io.BytesIO(base64.b64decode(b64)))
    ws = wb.worksheets[0]
    values = {row[0]: row[2] for row in ws.iter_rows(min_row=2, values_only=True)}
    for name, value in app.session.result.key_figures().items():
        assert values[name] == value or math.isclose(values[name], value, rel_tol=1e-14), name  # Excel keeps 15 digits


def test_callback_errors_never_escape(app, monkeypatch):
    def boom(case):
        raise RuntimeError("kaput")
    monkeypatch.setattr("sibmodel.app.state.evaluate", boom)
    kept = app.session.result
    app.fields["contract.price"].widget.value = "170000"  # must not raise
    assert "kaput" in message(app, "contract.price") and app.session.result is kept
    monkeypatch.undo()
    app.fields["contract.price"].widget.value = "175000"
    assert message(app, "contract.price") == "" and app.session.case.contract.price == 175000.0


def test_query_string_opens_a_parameter_set_and_reports_bad_values():
    a = App("da", f"?template={FV}&lang=en&contract.price=99000&outcome.relative_reduction=0.3&outcome.baseline_rate=7")
    group(a, "g_contract")
    assert a.lang == "en" and a.session.case.contract.price == 99000 and a.fields["contract.price"].widget.value == "99000 DKK"
    assert same(cards(a), want({"contract.price": 99000.0, "outcome.relative_reduction": 0.3}))
    assert "outcome.baseline_rate = 7.0" in html.unescape(a.top_message.value)
    assert "contract.price=99000.0" in a.share and "outcome.relative_reduction=0.3" in a.share


@pytest.mark.parametrize("query, phrase", [
    ("&".join(f"contract.price={i}" for i in range(101)), "for mange parametre; højst 100"),
    ("template=family_violence&name=" + "x" * 5000, "adressen er for lang"),
])
def test_too_many_or_too_long_url_parameters_are_refused_with_a_message(query, phrase):
    a = App("da", "?" + query)
    assert phrase in html.unescape(a.top_message.value)
    assert same(cards(a), want({}))


def test_groups_enter_the_page_when_opened_and_keep_their_values():
    a = App("da", f"?template={FV}")
    contract = next(i for i, (k, _) in enumerate(GROUPS) if k == "g_contract")
    assert "contract.price" not in a.fields
    a.accordion.selected_index = contract
    box = a.fields["contract.price"].widget
    assert a.accordion.children[contract] is a.group_widgets[contract] and box.value == "400.000 kr."
    box.value = "111000"
    a.accordion.selected_index = 0
    a.accordion.selected_index = contract
    assert a.fields["contract.price"].widget is box and box.value == "111.000 kr." and a.session.case.contract.price == 111000.0


@pytest.mark.parametrize("query, fits", [
    ("", True), (f"?template={FV}", True), ("?lang=en", True), (f"template={FV}&lang=en", True),
    ("?template=homelessness_housing_first", False), ("?contract.price=99000", False), ("?lang=xx", False),
    ("?template=nope", False),
])
def test_an_app_built_before_its_page_takes_only_a_query_it_already_shows(query, fits):
    """A pre-heated kernel builds the app before its page is asked for; it may serve the page only when that
    page would look the same as an app built for its query (the language may be switched)."""
    early = App("da", "")
    assert early.take(query) is fits
    if fits:
        fresh = App("da", query)
        assert (early.lang, early.key) == (fresh.lang, fresh.key)
        for part in ("title", "results", "top_message"):
            assert getattr(early, part).value == getattr(fresh, part).value, part
        assert early.template.options == fresh.template.options


def _budget_rows(a: App) -> list[list[str]]:
    part = a.results.value.split('<details class="sib-budgets">')[1].split("</details>")[0]
    return [[html.unescape(re.sub("<[^>]+>", "", c)) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", part)]


def test_budget_by_year_is_shown_and_follows_every_change():
    """The council's view: each budget's net effect by programme year; the payer's column is its savings minus its
    outcome payments, year by year, and the table follows a price change."""
    from sibmodel.tables import net_budget_by_year

    a = App("da", f"?template={FV}")
    rows = _budget_rows(a)
    assert rows[0][0] == "programår" and any("(betaler): netto" in c for c in rows[0])
    payer = rows[0].index(next(c for c in rows[0] if "(betaler): netto" in c))
    net = net_budget_by_year(a.session.result)["payers"]
    shown = [float(r[payer].replace(".", "").replace(",", ".").replace("−", "-")) for r in rows[1:-1]]
    assert shown == pytest.approx(list(net.round()[: len(shown)]), abs=1)
    group(a, "g_contract")
    a.fields["contract.price"].widget.value = "100.000"  # a dearer contract: the payer's net falls in paying years
    after = [float(r[payer].replace(".", "").replace(",", ".").replace("−", "-")) for r in _budget_rows(a)[1:-1]]
    assert sum(after) != pytest.approx(sum(shown))
    a.language.value = "en"
    assert _budget_rows(a)[0][0] == "programme year"


def test_a_first_loss_guarantee_moves_the_investors_figures_and_travels_in_the_link():
    a = App("da", f"?template={FV}")
    group(a, "g_contract")
    box = a.fields["contract.guarantee"].widget
    assert box.value == "" and a.session.case.contract.guarantee is None
    before = a.session.result.key_figures()["investor_irr"]
    box.value = "1.000.000"
    assert a.session.case.contract.guarantee.amount == 1_000_000
    want = evaluate(load_case(TEMPLATES / f"{FV}.yaml").update({"contract.guarantee": {"amount": 1e6}})).key_figures()
    got = a.session.result.key_figures()
    assert got["investor_irr"] == pytest.approx(want["investor_irr"]) and got["investor_irr"] > before
    assert "contract.guarantee=1000000.0" in a.share
    reopened = App("en", a.share)
    assert reopened.session.result.key_figures()["investor_irr"] == pytest.approx(want["investor_irr"])
    box.value = "-5"  # refused beside the box; the last good result stays
    assert "contract.guarantee" in a.session.problems and a.session.result.key_figures()["investor_irr"] == got["investor_irr"]
    box.value = ""
    assert a.session.case.contract.guarantee is None
    assert a.session.result.key_figures()["investor_irr"] == pytest.approx(before)
