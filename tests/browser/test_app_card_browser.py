"""A rate card in a real browser: the homelessness template (four sustainment rows) opened in Danish shows its
figures as factors on the card, the corridor chart in factors, the break-even prices by row and the card's
editable table; changing a row's price moves the figures to what ``sibmodel.evaluate`` gives."""
from __future__ import annotations

import math

import pytest

from sibmodel import evaluate, load_case

from _browser import ROOT, Watched, app_url, browser  # noqa: F401 - fixtures

TEMPLATE = ROOT / "templates" / "homelessness_housing_first.yaml"
SCALES = ("commissioner_max_scale", "public_sector_max_scale", "investor_min_scale", "benefit_cost_ratio")


@pytest.fixture(scope="module")
def app(browser, app_url):
    w = Watched(browser, app_url)
    w.open(app_url + "?template=homelessness_housing_first&lang=da")
    yield w
    w.close()


def test_the_card_and_its_scale_figures_render_in_danish(app):
    page, case = app.page, load_case(TEMPLATE)
    want = evaluate(case).key_figures()
    for name in SCALES:
        assert math.isclose(app.figure(name), want[name], rel_tol=1e-9), name
    for name in ("commissioner_max", "investor_min", "cofunding_per_outcome"):
        assert page.locator(f".sib-card[data-name={name}]").count() == 0
    text = page.inner_text(".sib-results-body")
    assert "skalakorridor" in text and "gange prislisten" in text and "None" not in text
    cmax = f"{want['commissioner_max_scale']:.2f}".replace(".", ",")
    assert cmax in page.inner_text(".sib-card[data-name=commissioner_max_scale]")
    chart = page.inner_html(".sib-chart-corridor")
    assert "Prislisten (1): 1,00" in chart and "Skalakorridor" in chart
    assert page.locator(".sib-be-row").count() == len(case.contract.outcomes)
    assert page.locator(".sib-be-row").first.is_visible()
    # the contract group: the card's table and editor, no single price input
    page.get_by_text("Kontrakten", exact=True).click()
    page.locator(".sib-card-row").first.wait_for(state="visible")
    assert page.locator(".sib-card-row").count() == len(case.contract.outcomes)
    assert page.locator(".sib-card-price input").is_visible()
    assert not page.locator(".sib-field-contract-price").is_visible()
    assert app.console_errors == [] and app.offsite == [] and app.failed == []


def test_a_row_price_typed_in_danish_moves_the_scales(app):
    page = app.page
    before = page.get_attribute(".sib-card[data-name=commissioner_max_scale]", "data-value")
    box = page.locator(".sib-card-price input")
    box.fill("60.000")  # row 1 (housed_12m) at 60,000 DKK, typed the Danish way
    box.press("Enter")
    page.wait_for_function(
        "v => document.querySelector('.sib-card[data-name=commissioner_max_scale]').dataset.value !== v", arg=before,
        timeout=30000)
    want = evaluate(load_case(TEMPLATE).update({"contract.outcomes.0.price": 60000.0})).key_figures()
    for name in SCALES:
        assert math.isclose(app.figure(name), want[name], rel_tol=1e-9), name
    assert "60.000 kr." in page.inner_text(".sib-card-table")
    box.fill("abc")
    box.press("Enter")
    page.locator(".sib-card-editor .sib-error").wait_for(state="visible", timeout=30000)
    assert "contract.outcomes.0.price" in page.inner_text(".sib-card-editor .sib-error")
    assert math.isclose(app.figure("commissioner_max_scale"), want["commissioner_max_scale"], rel_tol=1e-9)
