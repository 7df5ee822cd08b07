"""Rate cards in the app: the card's table and editor, threshold, co-payers, caps, direction of cost items,
declared holders, figures in factors on the card, and the downloads of a card case."""
from __future__ import annotations

import base64
import html
import io
import math
import re

import pytest
from ipywidgets.widgets.widget import _instances
from openpyxl import load_workbook

from sibmodel import evaluate, load_case
from sibmodel.app.state import BLANK_CASE, templates
from sibmodel.app.widgets import CARDS, GROUPS, App, card_names
from sibmodel.case import Case

from conftest import TEMPLATES

HOME = "homelessness_housing_first"
WIDGET_BUDGET = 150
KEYS = [*templates(), "blank"] if "blank" not in templates() else list(templates())


def text(value: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub("<[^>]+>", " ", value)))


def cards(app: App) -> dict[str, float | None]:
    return {name: float(raw) if raw else None
            for name, raw in re.findall(r'class="sib-card" data-name="(\w+)" data-value="([^"]*)"', app.results.value)}


def close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (a[k] is None and b[k] is None) or (a[k] is not None and b[k] is not None and math.isclose(a[k], b[k], rel_tol=1e-12, abs_tol=1e-9))
        for k in a)


def figures(case: Case, names: tuple[str, ...]) -> dict[str, float | None]:
    kf = evaluate(case).key_figures()
    return {k: kf[k] for k in names}


def want_cards(case: Case) -> dict[str, float | None]:
    """The cards the page should show for ``case``, from an independent ``evaluate``."""
    return figures(case, card_names(evaluate(case)))


def open_contract(app: App) -> None:
    app.accordion.selected_index = next(i for i, (k, _) in enumerate(GROUPS) if k == "g_contract")


@pytest.fixture()
def home() -> App:
    a = App("da", f"?template={HOME}")
    open_contract(a)
    return a


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("lang", ["da", "en"])
def test_each_template_renders_within_budget_and_shows_no_missing_figure(key, lang):
    before = set(_instances)
    app = App(lang, f"?template={key}")
    first = len(set(_instances) - before)
    assert first < WIDGET_BUDGET, f"{key}: {first} widget models on first render"
    app.open_all_groups()
    case = app.session.case
    several = len(case.contract.rows()) > 1
    assert close(cards(app), figures(case, card_names(app.session.result)))
    shown = " ".join(text(v) for v in (app.results.value, app.card.table.value, app.costs.table.value))
    assert not re.search(r"\b(None|nan|NaN|inf)\b", shown), re.findall(r".{30}\b(?:None|nan|NaN|inf)\b.{30}", shown)
    if several:  # the scales speak: no card of a price the card does not have, and a table of break-even prices by row
        assert all(cards(app)[n] is not None for n in ("commissioner_max_scale", "investor_min_scale"))
        assert app.results.value.count('class="sib-be-row"') == len(case.contract.outcomes)
        assert ("gange prislisten" if lang == "da" else "times the rate card") in text(app.results.value)
        assert app.card.table.value.count('class="sib-card-row') == len(case.contract.outcomes)
        assert "sib-hidden" in app.fields["contract.price"].box._dom_classes
    else:
        assert "sib-hidden" not in app.fields["contract.price"].box._dom_classes


def test_scale_figures_and_chart_of_a_card(home):
    r = home.session.result
    assert r.commissioner_max is None and r.commissioner_max_scale is not None
    svg = re.search(r'<svg[^>]*data-chart="corridor".*?</svg>', home.results.value, re.S).group(0)
    assert "Prislisten (1): 1,00" in html.unescape(svg) and "gange prislisten" in svg
    f = f"{r.commissioner_max_scale:.2f}".replace(".", ",")
    assert f in text(svg) and f in text(home.results.value)
    row = re.search(r'<tr class="sib-be-row" data-key="housed_24m">(.*?)</tr>', home.results.value).group(1)
    cmax = r.break_even_prices.at["housed_24m", "commissioner_max"]
    assert f"{round(cmax):,}".replace(",", ".") in row  # the row's break-even price, Danish grouping


def test_editing_a_row_price_changes_the_result_as_evaluate_says(home):
    home.card.pick.value = 1
    assert home.card.price.value == "120.000"
    home.card.price.value = "0"
    want = load_case(TEMPLATES / f"{HOME}.yaml").update({"contract.outcomes.1.price": 0.0})
    assert home.session.case == want and not home.session.stale
    assert close(cards(home), want_cards(want))
    home.card.price.value = "150.000,5"  # Danish grouping and decimal comma
    assert home.session.case.contract.outcomes[1].price == 150000.5
    assert "contract.outcomes.1.price=150000.5" in home.share
    again = App("da", home.share)  # the share link reopens the changed price
    assert again.session.case == home.session.case


@pytest.mark.parametrize("widget, typed, phrase", [
    ("price", "12,34,5", "contract.outcomes.0.price"), ("price", "-5", "contract.outcomes.0.price"),
    ("year", "9", "contract.outcomes.0.year"), ("key", "Bad key!", "contract.outcomes.0.key"),
    ("key", "housed_24m", "duplicate row key"),
])
def test_a_bad_row_value_gives_a_message_beside_the_editor_and_keeps_the_result(home, widget, typed, phrase):
    kept, case = home.session.result, home.session.case
    getattr(home.card, widget).value = typed
    message = text(home.card.message.value)
    assert phrase in message and "⚠" in message
    assert home.session.result is kept and home.session.case is case and home.session.stale
    assert "sib-stale" in home.results.value
    getattr(home.card, widget).value = {"price": "120.000", "year": "1", "key": "housed_12m"}[widget]
    assert not home.session.stale and home.card.message.value == ""


def test_rows_are_added_changed_to_own_outcomes_and_removed(home):
    n = len(home.session.case.contract.outcomes)
    home.card.add.click()
    assert len(home.session.case.contract.outcomes) == n + 1 and home.card.pick.value == n
    assert "sib-hidden" in home.card.own._dom_classes
    home.card.pays.value = "own"  # an own outcome needs its rates: refused until they are valid
    assert "sib-hidden" not in home.card.own._dom_classes
    home.card.treated.value = "0,35"
    home.card.baseline.value = "0,2"
    home.card.price.value = "20.000"
    row = home.session.case.contract.outcomes[-1]
    assert (row.pays, row.baseline_rate, row.treated_rate, row.price) == ("own", 0.2, 0.35, 20000.0)
    assert math.isclose(home.session.result.paid_outcomes_by_row[row.key], 0.15 * sum(home.session.case.cohort.participants))
    home.card.baseline.value = "0,5"  # treated below baseline with paid_for improvement: refused by field
    assert "treated_rate" in text(home.card.message.value) and home.session.case.contract.outcomes[-1].baseline_rate == 0.2
    home.card.baseline.value = "0,2"
    home.card.remove.click()
    assert len(home.session.case.contract.outcomes) == n and not home.session.stale
    home.card.pick.value = 0
    for _ in range(n - 1):
        home.card.remove.click()
    assert len(home.session.case.contract.outcomes) == 1 and home.card.remove.disabled  # a card keeps one row


def test_a_v1_contract_keeps_its_inputs_and_becomes_a_card_of_one_row_with_the_same_results():
    app = App("en", "?template=family_violence")
    open_contract(app)
    assert "sib-hidden" in app.card.editor._dom_classes and "sib-hidden" not in app.card.convert._dom_classes
    before = app.session.result.key_figures()
    app.card.convert.click()
    case = app.session.case
    assert case.contract.outcomes is not None and len(case.contract.outcomes) == 1 and case.contract.price is None
    after = app.session.result.key_figures()
    for name in CARDS:
        assert (before[name] is None and after[name] is None) or math.isclose(before[name], after[name], rel_tol=1e-9), name
    assert "sib-hidden" in app.fields["contract.price"].box._dom_classes
    assert "sib-hidden" not in app.card.editor._dom_classes
    assert app.card.table.value.count('class="sib-card-row') == 1


def test_threshold_co_payers_and_cap_per_participant(home):
    f = home.fields
    f["contract.threshold"].widget.value = "0,5"
    assert home.session.case.contract.threshold == 0.5 and "50 %" in text(f["contract.threshold"].message.value)
    assert home.session.result.key_figures()["cohorts_paid"] == evaluate(home.session.case).key_figures()["cohorts_paid"]
    f["contract.threshold"].widget.value = "1,5"
    assert "contract.threshold" in home.session.problems and home.session.case.contract.threshold == 0.5
    f["contract.threshold"].widget.value = ""
    assert home.session.case.contract.threshold is None and not home.session.stale
    f["contract.co_payers"].widget.value = "Den Sociale Investeringsfond: 0,5; Fonden X: 0,1 privat"
    cp = home.session.case.contract.co_payers
    assert [(c.name, c.share, c.public) for c in cp] == [("Den Sociale Investeringsfond", 0.5, True), ("Fonden X", 0.1, False)]
    assert f["contract.co_payers"].widget.value == "Den Sociale Investeringsfond: 0,5; Fonden X: 0,1 privat"
    want = load_case(TEMPLATES / f"{HOME}.yaml").update({"contract.co_payers": [c.model_dump() for c in cp]})
    assert close(cards(home), want_cards(want))
    for bad in ("Fonden", "A: 0,6; B: 0,5"):  # no share; shares summing to 1 or more
        f["contract.co_payers"].widget.value = bad
        assert home.session.stale and "⚠" in f["contract.co_payers"].message.value
        assert len(home.session.case.contract.co_payers) == 2
    f["contract.co_payers"].widget.value = ""
    assert home.session.case.contract.co_payers is None and not home.session.stale
    f["contract.cap_per_participant"].widget.value = "200.000"
    assert home.session.case.contract.cap_per_participant == 200000.0
    want = load_case(TEMPLATES / f"{HOME}.yaml").update({"contract.cap_per_participant": 200000.0})
    assert close(cards(home), want_cards(want))


def test_direction_of_a_cost_item_in_the_editor():
    app = App("da", f"?template={HOME}")
    app.open_all_groups()
    app.costs.pick.value = 0
    app.costs.direction.value = "incurred"
    case = app.session.case
    assert case.costs_per_case[0].direction == "incurred"
    assert close(cards(app), want_cards(case))
    assert "påføres" in text(app.costs.table.value)
    app.costs.direction.value = "avoided"
    assert app.session.case.costs_per_case[0].direction is None


def test_declared_holders_are_shown_with_their_labels():
    data = dict(BLANK_CASE, holders={"kommune_job": {"perspective": "public", "label_da": "Jobcentret", "label_en": "Job centre"}},
                costs_per_case=[{"amount": 50000, "holder": "kommune_job", "label": "Ydelse", "quantity": 1},
                                {"amount": 10000, "holder": "participant", "label": "Indkomst", "quantity": 1}])
    case = Case.from_dict(data)
    app = App("da", "?template=blank")
    app.session.load(case)
    app.open_all_groups()
    app._write_all()
    assert "Jobcentret (offentlig)" in text(app.costs.help.value) and "deltager (deltager)" in text(app.costs.help.value)
    assert "Jobcentret" in text(app.costs.table.value)
    assert ("Jobcentret", "kommune_job") in app.costs.holder.options
    assert "Jobcentret" in app.results.value  # the savings chart's legend
    boxes = app.fields["contract.payers"].widget.boxes  # a declared public holder can pay; a participant cannot
    assert boxes["kommune_job"].description == "Jobcentret" and "participant" not in boxes
    boxes["kommune_job"].value = True
    assert app.session.case.contract.payers == ["kommune", "kommune_job"]
    assert close(cards(app), want_cards(app.session.case))
    assert "societal_max" in cards(app)  # the participant's income counts for society, not the public sector
    app.language.value = "en"
    assert "Job centre (public)" in text(app.costs.help.value)


@pytest.mark.parametrize("key", [HOME, "youth_education_employment", "family_violence"])
def test_yaml_and_values_workbook_of_a_card_case(key):
    app = App("en", f"?template={key}")
    href = re.search(r'href="data:application/x-yaml;base64,([^"]+)"', app.keep.value).group(1)
    back = Case.from_yaml(base64.b64decode(href).decode())
    assert back == app.session.case and back.contract.outcomes == app.session.case.contract.outcomes
    assert close(evaluate(back).key_figures(), app.session.result.key_figures())
    app.excel_button.click()
    b64 = re.search(r'class="sib-download sib-xlsx"[^>]*href="data:[^;]+;base64,([^"]+)"', app.excel_link.value).group(1)
    wb = load_workbook(io.BytesIO(base64.b64decode(b64)))
    ws = wb["Rate card"]
    rows = list(ws.iter_rows(values_only=True))
    head, body = rows[0], rows[1:]
    be = app.session.result.break_even_prices
    assert len(body) == len(be) and head[0] == "row"
    for line in body:
        for col in ("price", "commissioner_max", "investor_min"):
            want = be.at[line[0], col]
            got = line[head.index(col)]
            assert (got is None and want != want) or math.isclose(got, want, rel_tol=1e-14)


def test_uncertainty_panel_draws_the_acceptability_curve_over_the_cards_scale():
    from sibmodel.app.uncertainty import SEED, uncertain_case
    from sibmodel.montecarlo import simulate

    app = App("da", f"?template={HOME}")
    app.open_all_groups()
    app.uncertainty.draws.value = "500"
    app.uncertainty.run.click()
    out = app.uncertainty.out.value
    assert 'data-chart="acceptability"' in out and "Faktor på prislisten" in out and 'data-chart="probabilities"' in out
    shown = [float(v) for v in re.findall(r'class="sib-value" data-value="([^"]+)"', out)]
    sim = simulate(uncertain_case(app.session.case, 0.1, 0.05), draws=500, seed=SEED)
    assert shown == list(sim.probabilities().values)


def test_a_card_of_one_row_keeps_the_price_wording_with_the_rows_price():
    app = App("da", "?template=blank")
    app.open_all_groups()
    app.card.convert.click()
    app.costs.pick.value = next(i for i, c in enumerate(app.session.case.costs_per_case) if c.holder == "kommune")
    app.costs.amount.value = "100.000"  # enough savings for the commissioner: a price corridor
    r = app.session.result
    assert r.corridor is not None and r.case.contract.price is None and not app.session.stale
    lo, hi = r.corridor
    price = r.case.contract.outcomes[0].price
    status = text(app.results.value)
    assert "Der er en priskorridor" in status and f"Kontraktens pris ({price:,.0f} kr.)".replace(",", ".") in status
    assert ("ligger i korridoren" if lo <= price <= hi else "ligger uden for korridoren") in status
    assert close(cards(app), want_cards(r.case))


def test_the_cards_table_follows_every_change(home):
    home.fields["contract.payment_lag_years"].widget.value = "2"  # any input: the card's paid outcomes and prices move
    r = home.session.result
    table = text(home.card.table.value)
    cmax = r.break_even_prices.at["housed_12m", "commissioner_max"]
    assert f"{round(cmax):,} kr.".replace(",", ".") in table
    assert f"{r.paid_outcomes_by_row['housed_12m']:.1f}".replace(".", ",") in table
