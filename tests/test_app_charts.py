"""The app's SVG charts and exports: well-formed, drawn to scale, in the page's language."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from openpyxl import load_workbook

from sibmodel import evaluate, load_case
from sibmodel.app import charts, export

from conftest import TEMPLATES

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def result():
    return evaluate(load_case(TEMPLATES / "family_violence.yaml"))


@pytest.mark.parametrize("lo, hi", [(0, 1), (0, 856502.3), (-4.2e6, 1.1e6), (3, 3), (0, 0.07)])
def test_nice_ticks_cover_the_range_in_round_steps(lo, hi):
    ticks = charts.nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= max(hi, lo)
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))
    assert 2 <= len(ticks) <= 12


def test_savings_bars_are_drawn_to_scale(result):
    svg = ET.fromstring(charts.savings_chart(result, "da"))
    heights: dict[int, float] = {}
    for rect in svg.iter(f"{NS}rect"):
        title = rect.find(f"{NS}title")
        if title is not None:
            year = int(title.text.split(":")[0])
            heights[year] = heights.get(year, 0.0) + float(rect.get("height"))
    totals = result.savings_by_year.sum(axis=1)
    years = [y for y in heights if totals[y] > 0]
    ratio = [heights[y] / totals[y] for y in years]
    assert len(years) >= 3 and np.allclose(ratio, ratio[0], rtol=0.02)


def test_charts_speak_the_language_and_escape_text(result):
    for lang, word in (("da", "Programår"), ("en", "Programme year")):
        assert word in charts.cash_chart(result, lang)
    case = result.case.update({"name": "<script>alert(1)</script>"})
    text = charts.corridor_chart(evaluate(case), "en")
    ET.fromstring(text)
    assert "<script>" not in text


def test_corridor_chart_marks_corridor_or_gap(result):
    text = charts.corridor_chart(result, "da")
    kind = "sib-corridor" if result.corridor else "sib-gap"
    assert kind in text
    cheap = evaluate(result.case.update({"intervention.cost_per_participant": 0.0, "intervention.fixed_cost_per_year": 0.0}))
    assert cheap.corridor is not None and "sib-corridor" in charts.corridor_chart(cheap, "da")


def test_values_workbook_holds_the_figures_and_tables(result):
    wb = load_workbook(io.BytesIO(export.results_xlsx(result, "en")))
    assert wb.sheetnames[:4] == ["Key figures", "Savings by year", "Cash flows", "Cost items"]
    ws = wb["Savings by year"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert np.allclose([r[1:] for r in rows], result.savings_by_year.to_numpy())
    assert export.filename(result, "yaml") == "family_violence_treatment_illustrative.yaml"
