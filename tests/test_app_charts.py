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


def _extent(el) -> tuple[float, float]:
    x, width = float(el.get("x")), charts.text_width(el.text or "")
    anchor = el.get("text-anchor", "start")
    return (x, x + width) if anchor == "start" else (x - width, x) if anchor == "end" else (x - width / 2, x + width / 2)


@pytest.mark.parametrize("changes", [{}, {"contract.price": 1.0}, {"contract.price": 5e6}, {"intervention.cost_per_participant": 0.0},
                                     {"contract.price": 600000.0, "intervention.cost_per_participant": 20000.0}])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_corridor_labels_stay_inside_the_chart_and_never_share_a_row(result, changes, lang):
    r = evaluate(result.case.update(changes))
    svg = ET.fromstring(charts.corridor_chart(r, lang))
    marks = [el for el in svg.iter(f"{NS}text") if el.get("class") == "sib-mark"]
    assert len(marks) == sum(v is not None for v in (r.investor_min, r.commissioner_max, r.public_sector_max, r.case.contract.price))
    for el in marks:
        lo, hi = _extent(el)
        assert 0 <= lo and hi <= charts.W, (el.text, lo, hi)
    rows = [float(el.get("y")) for el in marks]
    assert len(set(rows)) == len(rows)  # one row each: two labels never overlap


def test_tornado_and_acceptability_charts_give_axis_units():
    import pandas as pd

    table = pd.DataFrame({"input": ["outcome.relative_reduction", "contract.price"], "figure_low": [-2e6, -1e6],
                          "figure_high": [1e6, 5e5], "point": [-2e5, -2e5]})
    for lang, unit in (("da", "(kr.)"), ("en", "(DKK)")):
        svg = ET.fromstring(charts.tornado_chart(table, {"outcome.relative_reduction": "x" * 80}, lang, "T",
                                                 "NPV " + unit))
        axis = [el for el in svg.iter(f"{NS}text") if el.get("class") == "sib-axis-x"]
        assert len(axis) == 1 and unit in axis[0].text
        names = [el for el in svg.iter(f"{NS}text") if el.get("x") == "4"]
        assert all(_extent(el)[1] <= 230 for el in names)  # long input names are cut (full name in a tooltip)
    curve = pd.DataFrame({"price": np.linspace(0, 1e6, 5), "prob_commissioner_saves": np.linspace(1, 0, 5),
                          "prob_investor_meets_required": np.linspace(0, 1, 5)})
    for lang, x_unit, y_unit in (("da", "Pris pr. resultat (kr.)", "(%)"), ("en", "Price per outcome (DKK)", "(%)")):
        svg = ET.fromstring(charts.acceptability_chart(curve, 4e5, lang, "A", ("c", "i")))
        x = next(el for el in svg.iter(f"{NS}text") if el.get("class") == "sib-axis-x")
        y = next(el for el in svg.iter(f"{NS}text") if el.get("class") == "sib-axis-y")
        assert x.text == x_unit and y.text.endswith(y_unit)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_budget_chart_draws_each_budget_by_year_to_scale(result, lang):
    """One line per budget (the payer's net, the other holders, the co-payer), a point per programme year whose
    height follows its value on the y axis and whose label is the table's amount."""
    from sibmodel.tables import net_budget_by_year

    svg = charts.budget_chart(result, lang)
    root = ET.fromstring(svg)
    lines = {p.get("data-column"): p for p in root.iter(NS + "polyline")}
    frame = net_budget_by_year(result)
    assert "payers" in lines and "co_payer_0" in lines and set(lines) <= set(frame.columns)
    payer = [tuple(map(float, xy.split(","))) for xy in lines["payers"].get("points").split()]
    values = frame["payers"].to_numpy()[: len(payer)]
    ys = np.array([y for _, y in payer])
    # the screen's y falls as the value rises, linearly: fit y = a + b * value
    b, a = np.polyfit(values, ys, 1)
    assert b < 0 and np.allclose(a + b * values, ys, atol=0.11)
    titles = [c.find(NS + "title").text for c in root.iter(NS + "circle")]
    assert any(("kr." if lang == "da" else "DKK") in t for t in titles)
