"""Number entry, limits and layout in a real browser (Debian's chromium via Playwright), Danish and English.

Each entry is typed into the box as a user would; what the app read is checked in the share link (the URL
query it writes, English numbers) and the box's echo, or the message beside the box. Screenshots of the page at
1,400 and 1,024 px in both languages are kept in ``build/browser/`` as test artefacts.
"""
from __future__ import annotations

import re
import urllib.parse

import pytest

from _browser import ROOT, Watched, app_url, browser  # noqa: F401 - fixtures

ARTEFACTS = ROOT / "build" / "browser"
TITLES = {"da": {"g_contract": "Kontrakten", "g_costs": "Omkostninger pr. sag", "g_uncertainty": "Usikkerhed"},
          "en": {"g_contract": "The contract", "g_costs": "Costs per case", "g_uncertainty": "Uncertainty"}}


def open_group(page, title: str, selector: str) -> None:
    if not page.locator(selector).first.is_visible():
        page.get_by_text(title, exact=True).click()
    page.locator(selector).first.wait_for(state="visible", timeout=30000)


def shared(page) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(page.input_value(".sib-share").lstrip("?")))


def enter(page, selector: str, text: str) -> None:
    box = page.locator(selector)
    box.fill(text)
    box.press("Enter")


@pytest.fixture(scope="module", params=["da", "en"])
def lang_page(request, browser, app_url):
    w = Watched(browser, app_url)
    w.open(app_url + f"?template=family_violence&lang={request.param}")
    w.lang = request.param
    yield w
    w.close()


ENTRIES = {
    "da": [("150.000", 150000.0, "150.000 kr."), ("0,5", 0.5, "0,5 kr."), ("150000,50", 150000.5, "150.000,5 kr."),
           ("1.234.567", 1234567.0, "1.234.567 kr.")],
    "en": [("150000", 150000.0, "150000 DKK"), ("0.5", 0.5, "0.5 DKK"), ("150000.50", 150000.5, "150000.5 DKK")],
}
REFUSED = {"da": [("1.5", "skriv 1,5"), ("abc", "er ikke et tal"), ("-5", "skal være mindst 0")],
           "en": [("150.000", "thousands separator"), ("150,000", "thousands separator"), ("0,5", "write 0.5"),
                  ("abc", "is not a number")]}


def test_price_entries_are_read_as_intended_or_refused_with_a_message(lang_page):
    page, lang = lang_page.page, lang_page.lang
    open_group(page, TITLES[lang]["g_contract"], ".sib-field-contract-price input")
    sel = ".sib-field-contract-price input"
    for typed, value, echo in ENTRIES[lang]:
        enter(page, sel, typed)
        page.wait_for_function("([s, e]) => document.querySelector(s).value === e", arg=[sel, echo], timeout=30000)
        page.wait_for_function("v => document.querySelector('.sib-share').value.includes('contract.price=' + v)",
                               arg=repr(value), timeout=30000)
        assert float(shared(page)["contract.price"]) == value
        assert page.inner_text(".sib-field-contract-price .sib-message").strip() == ""
    kept = shared(page)["contract.price"]
    for typed, phrase in REFUSED[lang]:
        enter(page, sel, typed)
        msg = page.locator(".sib-field-contract-price .sib-error")
        msg.get_by_text(phrase).wait_for(timeout=30000)
        assert page.input_value(sel) == typed  # nothing reverted silently
        assert shared(page)["contract.price"] == kept and page.locator(".sib-stale-note").count() == 1
    long = "9" * 10_000
    enter(page, sel, long)
    page.locator(".sib-field-contract-price .sib-error").get_by_text("contract.price").wait_for(timeout=30000)
    text = page.inner_text(".sib-field-contract-price .sib-error")
    assert len(text) < 400 and long not in text
    box = page.locator(".sib-field-contract-price .sib-message").bounding_box()
    field = page.locator(".sib-field-contract-price").bounding_box()
    assert box["x"] + box["width"] <= field["x"] + field["width"] + 1  # the message stays in its box
    enter(page, sel, ENTRIES[lang][0][0])
    page.wait_for_function("() => !document.querySelector('.sib-stale-note')", timeout=30000)


def test_uncertainty_values_out_of_range_are_refused_not_clamped(lang_page):
    page, lang = lang_page.page, lang_page.lang
    open_group(page, TITLES[lang]["g_uncertainty"], ".sib-sd-effect input")
    phrase = {"da": "skal ligge mellem", "en": "must lie between"}[lang]
    for sel in (".sib-sd-effect input", ".sib-draws input"):
        good = page.input_value(sel)
        enter(page, sel, "-5")
        page.locator(".sib-run-simulation").click()
        page.locator(".sib-simulation").locator("xpath=..").locator(".sib-error").first.wait_for(timeout=30000)
        text = page.inner_text(".sib-error >> nth=-1")
        assert phrase in text and "-5" in text
        assert page.input_value(sel) == "-5"
        enter(page, sel, good)


def test_too_many_url_parameters_get_a_message_not_a_cell_error(browser, app_url):
    w = Watched(browser, app_url)
    try:
        w.open(app_url + "?" + "&".join(f"contract.price={i}" for i in range(101)))
        w.page.locator(".sib-top-message").get_by_text("højst 100").wait_for(timeout=30000)
        assert "There was an error" not in w.page.content() and "Traceback" not in w.page.content()
    finally:
        w.close()


def test_an_upload_over_the_limit_is_refused_in_the_browser_before_it_is_sent(browser, app_url, tmp_path):
    w = Watched(browser, app_url)
    sent: list[int] = []
    w.page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    try:
        w.open(app_url + "?template=family_violence")
        big = tmp_path / "big.yaml"
        big.write_bytes(b"#" * (11 * 2**20))
        with w.page.expect_file_chooser() as chooser:
            w.page.locator(".sib-upload").click()
        chooser.value.set_files(str(big))
        w.page.locator(".sib-upload-refused").get_by_text("big.yaml").wait_for(timeout=30000)
        assert "for stor" in w.page.inner_text(".sib-upload-refused")
        w.page.wait_for_timeout(1000)
        assert sum(sent) < 2**20, f"{sum(sent)} bytes sent over the websocket"
    finally:
        w.close()


OVERFLOW = """() => {
  const bad = [];
  const root = document.querySelector('.sib-app');
  const limit = document.documentElement.clientWidth + 1;
  for (const el of root.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.right > limit) bad.push(['page', el.className.baseVal ?? el.className, Math.round(r.right)]);
    const cs = getComputedStyle(el);
    if (['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(el.tagName) || el.closest('svg')) continue;
    if (cs.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 2 && el.children.length === 0
        && cs.textOverflow !== 'ellipsis') bad.push(['text', String(el.className), el.scrollWidth, el.clientWidth]);
    if (cs.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) bad.push(['cut', el.textContent.slice(0, 60)]);
  }
  return bad.slice(0, 20);
}"""


@pytest.mark.parametrize("width", [1400, 1024])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_page_layout_at_1400_and_1024_px_keeps_every_element_in_its_box(browser, app_url, lang, width):
    w = Watched(browser, app_url)
    w.page.set_viewport_size({"width": width, "height": 2400})
    try:
        w.open(app_url + f"?template=family_violence&lang={lang}")
        page = w.page
        open_group(page, TITLES[lang]["g_costs"], ".sib-cost-remove")
        for sel in (".sib-cost-remove", ".sib-cost-add", ".sib-cost-cashable select", ".sib-cost-item select"):
            assert page.locator(sel).is_visible(), sel
            box = page.locator(sel).bounding_box()
            assert box["width"] > 30 and box["x"] + box["width"] <= width, (sel, box)
        # full item names in the table, and the holder of each row (state items say stat/state)
        names = page.locator(".sib-cost-table tr.sib-cost-row td:nth-child(2)").all_inner_texts()
        assert names and all(not n.endswith("…") for n in names)
        holders = page.locator(".sib-cost-table tr.sib-cost-row td:nth-child(3)").all_inner_texts()
        assert ("stat" if lang == "da" else "state") in holders
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"app-{lang}-{width}.png"), full_page=True)
        assert page.evaluate(OVERFLOW) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        body = page.inner_text(".sib-results-body")
        if lang == "da":  # decimal commas and "60 %" throughout
            assert not re.search(r"\d\.\d{1,2}(?!\d)", body), re.findall(r"\S*\d\.\d{1,2}(?!\d)\S*", body)
            assert not re.search(r"\d%", body)
        # the corridor chart's labels stay inside the chart and do not overlap
        boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.sib-chart-corridor text.sib-mark')).map(t => {
            const b = t.getBBox(); const svg = t.ownerSVGElement.viewBox.baseVal; return [b.x, b.y, b.width, b.height, svg.width]; })""")
        assert boxes
        for x, y, bw, bh, vw in boxes:
            assert x >= 0 and x + bw <= vw
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert a[1] + a[3] <= b[1] + 0.5 or b[1] + b[3] <= a[1] + 0.5 or a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0]
    finally:
        w.close()
