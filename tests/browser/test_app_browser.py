"""The app in a real browser (Debian's chromium via Playwright), served by Voilà with the project's config.

One page is opened per test module where that suffices (a page costs a kernel start); the five-session test
opens its own pages at once. Expected figures are computed independently here with ``sibmodel.evaluate``.
"""
from __future__ import annotations

import json
import math
import uuid
from pathlib import Path

import pytest

from sibmodel import evaluate, load_case

from _browser import ROOT, Watched, app_url, browser  # noqa: F401 - fixtures

TEMPLATE = ROOT / "templates" / "family_violence.yaml"
#: The effect on the slider's grid (the template's pooled estimate, 0.322305, lies between two steps).
QUERY = "?template=family_violence&contract.investor_share=0.5&outcome.relative_reduction=0.4"
OPENED = {"contract.investor_share": 0.5, "outcome.relative_reduction": 0.4}
CARDS = ("savings_per_case", "commissioner_max", "public_sector_max", "investor_min", "cofunding_per_outcome",
         "investor_irr", "commissioner_npv")


def expected(changes: dict) -> dict:
    r = evaluate(load_case(TEMPLATE).update(changes))
    return {k: v for k, v in r.key_figures().items() if k in CARDS}


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def wait_change(w: Watched, name: str, old: str | None, timeout: int = 30000) -> None:
    w.page.wait_for_function(
        "([n, v]) => { const e = document.querySelector(`.sib-card[data-name=${n}]`); return e && e.dataset.value !== v; }",
        arg=[name, old], timeout=timeout)


def open_group(page, title: str, field: str) -> None:
    """Open the accordion group ``title`` unless ``field`` is already visible (a click on an open group closes it)."""
    if not page.locator(field).is_visible():
        page.get_by_text(title, exact=True).click()
    page.locator(field).wait_for(state="visible")


@pytest.fixture(scope="module")
def app(browser, app_url):
    w = Watched(browser, app_url)
    response = w.open(app_url + QUERY)
    w.html = response.text()
    yield w
    w.close()


def test_page_renders_offline_without_errors_and_without_code(app):
    assert app.page.locator(".sib-card").count() == len(CARDS)
    assert app.page.locator("svg.sib-chart").count() == 4  # corridor, savings, cash; budgets in its fold-out
    assert app.offsite == [], f"requests to other hosts: {app.offsite}"
    assert app.failed == [], f"failed requests: {app.failed}"
    assert app.console_errors == [], f"console errors: {app.console_errors}"
    # strip_sources: the page holds no code of the notebook
    assert "import sibmodel" not in app.html and "sibmodel.app.show" not in app.html
    assert "jp-InputArea-editor" not in app.html
    # and it was opened with the query parameter: the investor share slider reads "50 %" (Danish)
    open_group(app.page, "Kontrakten", ".sib-field-contract-investor_share .sib-echo")
    assert app.page.inner_text(".sib-field-contract-investor_share .sib-echo") == "50 %"


def test_effect_slider_moves_commissioner_max_to_the_evaluated_value(app):
    page = app.page
    before = page.get_attribute(".sib-card[data-name=commissioner_max]", "data-value")
    want_before = expected(OPENED)["commissioner_max"]
    assert close(float(before), want_before)
    open_group(page, "Udgangspunkt og effekt", ".sib-field-outcome-relative_reduction .noUi-handle")
    page.locator(".sib-field-outcome-relative_reduction .noUi-handle").focus()
    page.keyboard.press("ArrowRight")  # 40 % -> 41 %
    wait_change(app, "commissioner_max", before)
    after = app.figure("commissioner_max")
    assert page.inner_text(".sib-field-outcome-relative_reduction .sib-echo") == "41 %"
    want = expected({**OPENED, "outcome.relative_reduction": 0.41})
    # with a fee (investor share < 1) a larger effect spreads the fee over more outcomes: the maximum rises
    assert after > float(before)
    for name in CARDS:
        assert close(app.figure(name), want[name]), name
    svg = page.inner_html(".sib-chart-corridor")
    assert "<svg" in svg


def test_invalid_value_shows_message_beside_widget_and_keeps_last_result(app):
    page = app.page
    open_group(page, "Kontrakten", ".sib-field-contract-price input")
    price = page.locator(".sib-field-contract-price input")
    kept = {n: app.figure(n) for n in CARDS}
    price.fill("-5")
    price.press("Enter")
    message = page.locator(".sib-field-contract-price .sib-message")
    message.get_by_text("contract.price").wait_for(timeout=30000)
    text = message.inner_text()
    assert "-5" in text and "0" in text
    assert page.locator(".sib-stale-note").count() == 1
    assert {n: app.figure(n) for n in CARDS} == kept
    assert "Traceback" not in page.content()
    price.fill("150000")  # a valid value clears the message and updates the figures
    price.press("Enter")
    page.wait_for_function("() => !document.querySelector('.sib-field-contract-price .sib-message').innerText.trim()", timeout=30000)
    assert page.locator(".sib-stale-note").count() == 0


def test_language_switch_changes_labels(app):
    page = app.page
    da_label = page.inner_text(".sib-card[data-name=commissioner_max] div")
    page.locator(".sib-lang button", has_text="English").click()
    page.locator(".sib-figures h3", has_text="Key figures").wait_for(timeout=30000)
    en_label = page.inner_text(".sib-card[data-name=commissioner_max] div")
    assert da_label == "Betalers højeste pris (break-even)" and en_label == "Commissioner's maximum price (break-even)"
    assert page.get_by_text("Baseline and effect").count() == 1
    assert "Effect: relative reduction" in page.inner_text(".sib-field-outcome-relative_reduction")
    assert "Programme year" in page.inner_html(".sib-chart-savings")
    body = page.inner_text(".sib-app")
    for danish in ("Nøgletal", "Udgangspunkt og effekt", "Kontrakten", "Skabelon", "Programår"):
        assert danish not in body, danish
    page.locator(".sib-lang button", has_text="Dansk").click()
    page.locator(".sib-figures h3", has_text="Nøgletal").wait_for(timeout=30000)


def test_downloaded_yaml_reuploaded_gives_identical_results(app, tmp_path):
    page = app.page
    open_group(page, "Kontrakten", ".sib-field-contract-price input")
    price = page.locator(".sib-field-contract-price input")
    before = page.get_attribute(".sib-card[data-name=investor_irr]", "data-value")
    price.fill("321000")
    price.press("Enter")
    wait_change(app, "investor_irr", before)
    shown = {n: app.figure(n) for n in CARDS}
    with page.expect_download() as info:
        page.locator("a.sib-yaml-link").click()
    path = tmp_path / "case.yaml"
    info.value.save_as(path)
    case = load_case(path)
    assert case.contract.price == 321000 and case.contract.investor_share == 0.5
    # switch to another template so the figures differ, then upload the file
    last = page.locator(".sib-template select option").count() - 1  # the blank case comes last
    page.locator(".sib-template select").select_option(index=last)
    wait_change(app, "investor_irr", repr(shown["investor_irr"]) if shown["investor_irr"] is not None else "")
    blank = page.get_attribute(".sib-card[data-name=investor_irr]", "data-value")
    with page.expect_file_chooser() as chooser:
        page.locator(".sib-upload").click()
    chooser.value.set_files(str(path))
    page.locator(".sib-top-message").get_by_text(case.name_in("da")).wait_for(timeout=30000)
    wait_change(app, "investor_irr", blank)  # the message may come a moment before the figures
    reloaded = {n: app.figure(n) for n in CARDS}
    assert reloaded == shown  # identical, not merely close
    want = {k: v for k, v in evaluate(case).key_figures().items() if k in CARDS}
    assert all(close(reloaded[n], want[n]) for n in CARDS)


def test_execute_request_over_the_kernel_websocket_is_not_executed(app, tmp_path):
    page = app.page
    config = json.loads(page.inner_text("#jupyter-config-data") or page.evaluate(
        "document.getElementById('jupyter-config-data').textContent"))
    marker = Path("/tmp") / f"sibmodel-exec-{uuid.uuid4().hex}"
    replies = page.evaluate(
        """async ([kid, code]) => {
            const ws = new WebSocket(`ws://${location.host}/api/kernels/${kid}/channels?session_id=probe`);
            const seen = [];
            ws.onmessage = (e) => { try { const m = JSON.parse(e.data); seen.push([m.msg_type || m.header.msg_type, m.parent_header.msg_id || '']); } catch (err) {} };
            await new Promise((ok, bad) => { ws.onopen = ok; ws.onerror = bad; });
            const msg = (id, type, content) => JSON.stringify({header: {msg_id: id, username: 'probe', session: 'probe',
                msg_type: type, version: '5.3', date: new Date().toISOString()}, parent_header: {}, metadata: {},
                content: content, channel: 'shell', buffers: []});
            ws.send(msg('info-1', 'kernel_info_request', {}));
            ws.send(msg('exec-1', 'execute_request', {code: code, silent: false, store_history: false,
                user_expressions: {}, allow_stdin: false, stop_on_error: true}));
            await new Promise((ok) => setTimeout(ok, 2500));
            ws.close();
            return seen;
        }""",
        [config["kernelId"], f"open({str(marker)!r}, 'w').write('executed')"])
    assert ["kernel_info_reply", "info-1"] in replies  # the socket works: allowed messages get answers
    assert not any(parent == "exec-1" and kind == "execute_reply" for kind, parent in replies)
    assert not marker.exists()


def test_ten_sessions_opened_at_once_each_render_their_own_figures(browser, app_url):
    settings = [{"contract.price": 100000 + 25000 * i, "outcome.relative_reduction": round(0.2 + 0.05 * i, 6)} for i in range(10)]
    pages = []
    try:
        for s in settings:
            w = Watched(browser, app_url)
            query = "?template=family_violence&" + "&".join(f"{k}={v}" for k, v in s.items())
            w.open(app_url + query, wait=False)
            pages.append(w)
        for w in pages:
            w.ready()
        # one session moves a slider; the others must not change
        first = pages[0]
        before = first.page.get_attribute(".sib-card[data-name=investor_irr]", "data-value")
        first.page.locator(".sib-field-outcome-relative_reduction .noUi-handle").focus()
        first.page.keyboard.press("ArrowRight")
        wait_change(first, "investor_irr", before)
        settings[0]["outcome.relative_reduction"] = round(settings[0]["outcome.relative_reduction"] + 0.01, 6)
        for w, s in zip(pages, settings):
            want = expected(s)
            got = {n: w.figure(n) for n in CARDS}
            assert all(close(got[n], want[n]) for n in CARDS), (s, got, want)
            assert w.page.locator("svg.sib-chart").count() == 4
            assert w.console_errors == [] and w.failed == [] and w.offsite == []
        irrs = [w.figure("investor_irr") for w in pages]
        assert len(set(irrs)) == 10
    finally:
        for w in pages:
            w.close()
