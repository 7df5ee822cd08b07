"""What a reader sees: the charts draw the model's numbers (not others), and the tables and prose state them right.

Expected figures for the small BASE case are worked out by hand below (discount rate 10 %, investor 20 %).
"""
from __future__ import annotations

import json

import numpy as np

import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import sibmodel
from sibmodel import charts, i18n, prose, tables
from sibmodel.case import Case

from conftest import BASE, TEMPLATES


def _case(**changes) -> Case:
    return Case.from_dict(BASE).update(changes) if changes else Case.from_dict(BASE)


# BASE by hand: 10 participants, p0 = 0.5, p1 = 0.4 -> 1 prevented case; a kommune cost of 1,000 in each of
# relative years 0 and 1 -> S = 1000 + 1000/1.1 = 1,909.09; paid in year 1 -> commissioner max = S * 1.1 = 2,100;
# investor finances 10 * 100 = 1,000 in year 0 -> investor min = 1000 * 1.2 = 1,200; at the price 1,500:
# IRR = 1500/1000 - 1 = 50 %, money multiple 1.5, commissioner NPV = 1909.09 - 1500/1.1 = 545.45.
S_BASE = 1000 + 1000 / 1.1


def _bars(fig: Figure) -> list[Rectangle]:
    ax = fig.axes[0]
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# -- charts ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template_result():
    return sibmodel.evaluate(sibmodel.load_case(TEMPLATES / "family_violence.yaml"))


@pytest.mark.parametrize("name", ["savings_by_year", "wrong_pocket", "price_corridor", "investor_cash_flow"])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_each_chart_is_a_figure_with_labels_in_its_language(template_result, name, lang):
    fig = getattr(charts, name)(template_result, lang)
    assert isinstance(fig, Figure)
    title = fig.axes[0].get_title(loc="left")
    other = "en" if lang == "da" else "da"
    key = {"savings_by_year": "savings_title", "wrong_pocket": "wp_title", "price_corridor": "corr_title",
           "investor_cash_flow": "cf_title"}[name]
    assert title.startswith(i18n.text(f"chart.{key}", lang)) and i18n.text(f"chart.{key}", other) not in title


def test_savings_bars_stack_to_the_yearly_totals():
    r = sibmodel.evaluate(_case(**{"costs_per_case": [
        {"amount": 1000, "holder": "kommune", "quantity": 1},
        {"amount": 500, "holder": "stat", "quantity": [1, 0]}]}))
    fig = charts.savings_by_year(r, "en")
    heights: dict[float, float] = {}
    for bar in _bars(fig):
        x = round(bar.get_x() + bar.get_width() / 2, 6)
        heights[x] = heights.get(x, 0.0) + bar.get_height()
    # By hand: 1 prevented case in year 0; kommune 1000 in years 0 and 1; stat 500 in year 0.
    assert heights == pytest.approx({0.0: 1500.0, 1.0: 1000.0})
    line = fig.axes[0].lines[0]
    assert list(line.get_ydata()[:1]) == [1000.0]  # intervention cost 10 * 100 in year 0


def test_wrong_pocket_bars_are_the_savings_per_case_by_holder():
    r = sibmodel.evaluate(_case(**{"costs_per_case": [
        {"amount": 1000, "holder": "kommune", "quantity": 1},
        {"amount": 3000, "holder": "stat", "quantity": 1, "years": 1}]}))
    fig = charts.wrong_pocket(r, "en")
    widths = sorted(b.get_width() for b in _bars(fig))
    assert widths == pytest.approx(sorted([S_BASE, 3000.0]))
    # the stat share: 3000 / (3000 + 1909.09) = 61 %; the title names what falls to other budgets
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "(61 %)" in texts and "(39 %)" in texts
    assert "DKK 3,000 (61 %)" in fig.axes[0].get_title(loc="left")


@pytest.mark.parametrize("cost, corridor", [(100, True), (300, False)])
def test_price_corridor_marks_the_prices_and_colours_the_span(cost, corridor):
    r = sibmodel.evaluate(_case(**{"intervention.cost_per_participant": cost}))
    fig = charts.price_corridor(r, "en")
    ax = fig.axes[0]
    xs = sorted(float(line.get_xdata()[0]) for line in ax.lines if line.get_linestyle() == "None")
    investor_min = 1.2 * 10 * cost  # by hand, see the module docstring
    assert xs == pytest.approx(sorted([investor_min, S_BASE * 1.1, S_BASE * 1.1]))
    (span,) = ax.patches  # the corridor or the gap, shaded
    assert span.get_facecolor()[:3] == pytest.approx(to_rgb(charts.CORRIDOR if corridor else charts.GAP))
    assert span.get_x() == pytest.approx(min(investor_min, S_BASE * 1.1))
    assert span.get_width() == pytest.approx(abs(investor_min - S_BASE * 1.1))
    texts = " ".join(t.get_text() for t in ax.texts)
    if corridor:
        assert "corridor" in texts
    else:
        assert f"co-funding DKK {investor_min - S_BASE * 1.1:,.0f} per outcome" in texts
    assert "contract price DKK 1,500" in texts


def test_investor_cash_flow_bars_and_cumulative_line():
    r = sibmodel.evaluate(_case())
    fig = charts.investor_cash_flow(r, "en")
    assert [b.get_height() for b in _bars(fig)] == pytest.approx([-1000.0, 1500.0])
    assert list(fig.axes[0].lines[0].get_ydata()) == pytest.approx([-1000.0, 500.0])
    title = fig.axes[0].get_title(loc="left")
    assert "IRR 50.0 %" in title and "money multiple 1.50" in title
    # NPV at 20 %: -1000 + 1500/1.2 = 250
    assert "DKK 250" in title


def test_comparison_charts_have_one_row_per_case():
    results = [sibmodel.evaluate(_case()), sibmodel.evaluate(_case(**{"intervention.cost_per_participant": 300}))]
    fig = charts.compare_prices(results, "da", names=["a", "b"])
    ax = fig.axes[0]
    rows = dict(zip((t.get_text() for t in ax.get_yticklabels()), ax.get_yticks()))
    assert rows == {"a": 1, "b": 0}  # the first case on top
    spans = [ln for ln in fig.axes[0].lines if ln.get_linewidth() == 6]
    assert [x for ln in spans for x in ln.get_xdata()] == pytest.approx([1200.0, S_BASE * 1.1, 3600.0, S_BASE * 1.1])
    fig = charts.compare_savings(results, "en", names=["a", "b"])
    assert sorted(b.get_width() for b in _bars(fig)) == pytest.approx([S_BASE, S_BASE])


def test_bad_language_is_refused_with_its_value(template_result):
    with pytest.raises(ValueError, match=r"lang = 'fr'.*'da'.*'en'"):
        charts.savings_by_year(template_result, "fr")


# -- tables and prose ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, lang, decimals, expected", [
    (1234567.891, "en", 2, "1,234,567.89"), (1234567.891, "da", 2, "1.234.567,89"),
    (-1500.4, "en", 0, "-1,500"), (-0.2, "da", 0, "0"), (None, "en", 0, "–"), (float("nan"), "da", 1, "–"),
])
def test_numbers_are_written_the_way_each_language_writes_them(x, lang, decimals, expected):
    assert i18n.fmt_number(x, lang, decimals) == expected


def test_money_and_percentages():
    assert i18n.fmt_money(136782.6, "en") == "DKK 136,783"
    assert i18n.fmt_money(136782.6, "da") == "136.783 kr."
    assert i18n.fmt_pct(0.07, "da") == "7,0 %"
    assert i18n.fmt_pct(-0.66051, "en") == "-66.1 %"


def test_conclusion_states_the_hand_computed_figures():
    r = sibmodel.evaluate(_case())
    en = prose.conclusion(r, "en")
    assert f"**DKK {S_BASE:,.0f}**" in en and "(100 % to the municipality)" in en
    assert "at most **DKK 2,100**" in en and "at least **DKK 1,200**" in en
    assert "A price corridor exists** from DKK 1,200 to DKK 2,100" in en
    assert "DKK 1,500 lies inside the corridor" in en
    assert f"net present value is DKK {S_BASE - 1500 / 1.1:,.0f}" in en
    assert "50.0 % a year (money multiple 1.50)" in en
    da = prose.conclusion(r, "da")
    assert "**1.909 kr.**" in da and "højst betale **2.100 kr.**" in da and "Der er en priskorridor" in da
    assert "50,0 % om året (afkastmultipel 1,50)" in da


def test_conclusion_names_the_gap_and_whether_other_budgets_cover_it():
    # Investor min = 3000 * 1.2 = 3600 against commissioner max 2100: co-funding 1500 per outcome.
    no_help = prose.conclusion(sibmodel.evaluate(_case(**{"intervention.cost_per_participant": 300})), "en")
    assert "No price corridor exists**: the investor needs DKK 1,500 more per outcome" in no_help
    assert "other public budgets" not in no_help  # nothing falls to other budgets
    # A state saving of 2000 in year 0 adds 2000 * 1.1 = 2200 per outcome for the state: enough for 1500.
    case = _case(**{"intervention.cost_per_participant": 300,
                    "costs_per_case": [{"amount": 1000, "holder": "kommune", "quantity": 1},
                                       {"amount": 2000, "holder": "stat", "quantity": 1, "years": 1}]})
    covered = prose.conclusion(sibmodel.evaluate(case), "en")
    assert "Other public budgets save DKK 2,200 per outcome, enough to close the gap" in covered
    da = prose.conclusion(sibmodel.evaluate(case), "da")
    assert "Der er ingen priskorridor" in da and "2.200 kr. pr. resultat" in da


def test_conclusion_reports_the_switching_value_against_the_assumption():
    # A fixed fee paid by the kommune (investor_share 0.5 of a cost of 1,000): NPV(rr) = rr/0.2 * (S - 1500/1.1)
    # - 500, zero at rr* = 0.2 * 500 / (S - 1500/1.1) = 0.1833.
    r = sibmodel.evaluate(_case(**{"contract.investor_share": 0.5}))
    expected = 0.2 * 500 / (S_BASE - 1500 / 1.1)
    assert r.switching_relative_reduction == pytest.approx(expected, rel=1e-9)
    assert f"from a relative reduction of {expected * 100:.0f} % (the case assumes 20 %)" in prose.conclusion(r)


def test_inputs_table_rows_are_paths_that_update_takes():
    case = _case()
    table = tables.inputs_table(case, "da")
    assert {"contract.price", "outcome.baseline_rate", "cohort.participants"} <= set(table.index)
    for path in table.index:
        case.get(path)  # raises CaseError for a path that is not in the case
    assert table.loc["contract.price", "Værdi"] == "1.500"
    assert table.loc["outcome.baseline_rate", "Værdi"] == "50,0 %"
    assert table.loc["contract.payers", "Værdi"] == "kommune"


def test_key_figures_record_is_json_and_equals_evaluate(template_result):
    record = tables.key_figures(template_result)
    text = json.dumps(record, allow_nan=False)
    back = json.loads(text)
    for k, v in template_result.key_figures().items():
        assert back[k] is None if v is None else back[k] == pytest.approx(float(v), rel=1e-11)


def test_tables_for_the_reader(template_result):
    kf = tables.key_figures_table(template_result, "en")
    assert list(kf.columns) == ["Key figure", "Value", "Unit"]
    assert kf.loc["commissioner_max", "Value"] == f"{template_result.commissioner_max:,.0f}"
    sav = tables.savings_table(template_result, "en")
    total = template_result.savings_by_year.sum(axis=1)
    assert sav["total"].iloc[0] == f"{total.iloc[0]:,.0f}"
    cf = tables.cash_flow_table(template_result, "da")
    assert cf.iloc[0, -1] == i18n.fmt_number(template_result.cash_flows["investor_cash_flow"].iloc[0], "da")
    cmp = tables.comparison_table([template_result, template_result], "en", names=["x", "y"])
    assert list(cmp.columns) == ["Key figure", "x", "y", "Unit"]
    region = template_result.savings_per_case_by_holder["region"]
    assert ("savings_per_case_region" in cmp.index) == bool(region != 0)


def test_inputs_table_shows_a_distribution_in_the_fields_unit():
    case = _case(**{"outcome.relative_reduction": {"dist": "beta", "mean": 0.25, "sd": 0.05}})
    assert tables.inputs_table(case, "en").loc["outcome.relative_reduction", "Value"] == "beta(mean 25.0 %, sd 5.0 %)"
    assert tables.inputs_table(case, "da").loc["outcome.relative_reduction", "Værdi"] == "beta(mean 25,0 %, sd 5,0 %)"


# -- uncertainty ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def uncertain():
    # half the cost is a fee the kommune pays: its NPV = rr/0.2 * (S - 1500/1.1) - 5 * cost, uncertain in sign
    case = _case(**{"outcome.relative_reduction": {"dist": "beta", "mean": 0.2, "sd": 0.08},
                    "intervention.cost_per_participant": {"dist": "gamma", "mean": 100, "sd": 30},
                    "contract.investor_share": 0.5})
    return case, sibmodel.simulate(case, draws=4000, seed=3)


def test_simulation_table_and_conclusion_state_the_simulated_probabilities(uncertain):
    case, sim = uncertain
    saves = float((sim.draws["commissioner_npv"] > 0).mean())  # computed here from the draws
    assert 0 < saves < 1
    table = tables.simulation_table(sim, "en")
    assert table.loc["prob_commissioner_saves", "Mean / probability"] == f"{100 * saves:.1f} %"
    assert table.loc["commissioner_max", "Point value"] == "1,550"  # (S - 500) * 1.1 at the means, by hand
    p95 = float(np.percentile(sim.draws["investor_npv"], 95))
    assert table.loc["investor_npv", "95 %"] == i18n.fmt_number(p95, "en", 0)
    text = prose.uncertainty_conclusion(sim, sibmodel.evppi(sim), "da")
    assert f"sparer kommunen penge i {i18n.fmt_pct(saves, 'da', 0)}" in text


def test_distributions_table_gives_mean_and_deciles(uncertain):
    case, _ = uncertain
    from scipy import stats

    table = tables.distributions_table(case, "en")
    row = table.loc["intervention.cost_per_participant"]
    shape, scale = (100 / 30) ** 2, 30 ** 2 / 100  # gamma by mean and sd
    assert row["Mean"] == "100"
    assert row["10th percentile"] == f"{stats.gamma(shape, scale=scale).ppf(0.1):.3f}"
    assert table.loc["outcome.relative_reduction", "Distribution"] == "beta(mean 20.0 %, sd 8.0 %)"


def test_uncertainty_charts_draw_the_tables(uncertain):
    case, sim = uncertain
    table = sibmodel.tornado(case, "commissioner_npv")
    fig = charts.tornado(table, case, "en")
    widths = sorted(round(b.get_width(), 6) for b in _bars(fig))
    expected = sorted(round(v, 6) for v in np.concatenate([table["figure_low"] - table["point"],
                                                             table["figure_high"] - table["point"]]))
    assert widths == pytest.approx(expected)
    grid = charts.price_grid(case)
    assert len(grid) == 41 and grid[0] == 0 and 1500.0 in grid
    curves = sibmodel.acceptability(sim, grid)
    fig = charts.acceptability(curves, case, "da")
    lines = fig.axes[0].lines
    assert list(lines[0].get_ydata()) == list(curves["prob_commissioner_saves"])
    assert list(lines[1].get_ydata()) == list(curves["prob_investor_meets_required"])
    voi = sibmodel.evppi(sim)
    fig = charts.value_of_information(voi, case, "en")
    assert sorted(b.get_width() for b in _bars(fig)) == pytest.approx(sorted(voi["evppi"]))
    fig = charts.npv_distributions(sim, "en")
    share = float((sim.draws["commissioner_npv"] < 0).mean())
    assert f"below 0: {i18n.fmt_pct(share, 'en', 0)}" in fig.axes[0].get_title(loc="left")
    heights = sum(b.get_height() for b in fig.axes[0].patches)
    assert heights == pytest.approx(1.0)  # shares of draws


def test_input_labels_for_every_kind_of_path():
    case = _case()
    assert tables.input_label("outcome.relative_reduction", "da") == "Relativ reduktion"
    assert tables.input_label("cohort.participants.2", "en") == "Participants by programme year, year 2"
    assert tables.input_label("measured_rate.1", "en") == "Measured rate, enrolment year 1"
    assert tables.input_label("costs_per_case.0.amount", "en", case) == "cost item 0: unit cost"


def test_conclusion_notes_a_binding_cap_several_payers_and_a_missing_irr():
    capped = prose.conclusion(sibmodel.evaluate(_case(**{"contract.cap": 1000})), "en")
    assert "The cap limits what is paid." in capped
    assert "The cap limits" not in prose.conclusion(sibmodel.evaluate(_case(**{"contract.cap": 5000})), "en")
    both = prose.conclusion(sibmodel.evaluate(_case(**{"contract.payers": ["kommune", "stat"]})), "en")
    assert "The municipality and state can pay at most" in both and "their own budgets" in both
    # the investor finances nothing: it has no cash outlay and so no IRR
    none = prose.conclusion(sibmodel.evaluate(_case(**{"contract.investor_share": 0.0})), "da")
    assert "investor har ingen intern rente" in none


def test_one_palette_a_colour_per_holder():
    """The savings bars take each holder's colour from sibmodel.i18n (the palette the app uses too)."""
    r = sibmodel.evaluate(_case(**{"costs_per_case": [
        {"amount": 1000, "holder": "kommune", "quantity": 1},
        {"amount": 500, "holder": "stat", "quantity": 1}]}))
    ax = charts.savings_by_year(r, "da").axes[0]
    colours = {to_rgb(p.get_facecolor()[:3]) for p in ax.patches}
    assert colours == {to_rgb(i18n.HOLDER_COLOURS["kommune"]), to_rgb(i18n.HOLDER_COLOURS["stat"])}
    assert len(set(i18n.HOLDER_COLOURS.values())) == len(i18n.HOLDER_COLOURS)


# -- rate cards, perspectives and the budgets by year --------------------------------------------------------------

def _card(**contract) -> Case:
    """BASE with a card of two rows: a prevented case at year 0 (price 1,000) and still prevented at year 1 (500)."""
    c = {"contract.metric": None, "contract.price": None,
         "contract.outcomes": [{"key": "now", "pays": "prevented", "year": 0, "price": 1000},
                               {"key": "later", "pays": "prevented", "year": 1, "price": 500}]}
    c.update({f"contract.{k}": v for k, v in contract.items()})
    return _case(**c)


def test_break_even_table_is_the_scale_times_each_price():
    """BASE by hand (persistence 1): each row pays for 1 prevented case, in years 1 and 2; V = 1000/1.1 + 500/1.21
    on the public schedule, so the commissioner's maximum scale is S / V and each row's maximum is scale x price."""
    r = sibmodel.evaluate(_card())
    V = 1000 / 1.1 + 500 / 1.1 ** 2
    scale = S_BASE / V
    assert r.commissioner_max_scale == pytest.approx(scale)
    table = tables.break_even_table(r, "en")
    assert list(table.index) == ["now", "later"]
    assert table["Price (DKK)"].tolist() == ["1,000", "500"]
    assert table["Commissioner's maximum (DKK)"].tolist() == [f"{round(scale * 1000):,}", f"{round(scale * 500):,}"]
    assert table["Paid in year"].tolist() == ["1", "2"]
    assert table["Paid outcomes"].tolist() == ["1.0", "1.0"]
    da = tables.break_even_table(r, "da")
    assert da["Betalers højeste (kr.)"].tolist() == [f"{round(scale * 1000):,}".replace(",", "."),
                                                     f"{round(scale * 500):,}".replace(",", ".")]


def test_a_card_speaks_in_scales_and_a_single_price_keeps_its_words():
    r = sibmodel.evaluate(_card())
    text = prose.conclusion(r, "en") + " ".join(prose.verdict(r, "en")[0])
    assert f"**{prose.fmt_scale(r.commissioner_max_scale, 'en')} times the card**" in text
    assert "per outcome" not in text
    single = prose.conclusion(sibmodel.evaluate(_case()), "en")
    assert "DKK 2,100" in single and "times the card" not in single   # BASE: commissioner max 2,100 per outcome
    assert tables.headline_figures(r)[1] == "commissioner_max_scale"
    assert "commissioner_max" not in tables.shown_figures(r)


def test_deal_terms_in_words_and_table():
    """A private and a public co-payer, a threshold that is met, a fee and a guarantee: each named with its value."""
    r = sibmodel.evaluate(_card(co_payers=[{"name": "Fund A", "share": 0.25, "public": True},
                                           {"name": "Foundation B", "share": 0.15, "public": False}],
                                threshold=0.1, fees=[{"label": "intermediary", "paid_by": "commissioner",
                                                      "amount": [100, 50]}],
                                guarantee={"amount": 777, "by": "Guarantor C"}))
    words = " ".join(prose.deal_sentences(r, "en"))
    assert "Fund A (25 %)" in words and "Foundation B (15 %, private)" in words and "the rest (60 %)" in words
    assert "at least 20 %" not in words and "at least 10 %" in words and "100 % of the cohorts" in words
    assert "DKK 150 in all" in words and "Guarantor C" in words and "DKK 777" in words
    terms = tables.contract_table(r, "da")
    values = dict(zip(terms.iloc[:, 0], terms.iloc[:, 1]))
    assert values["Medbetaler: Foundation B"] == "15 % af hver betaling (privat)"
    assert values["Betalernes andel af hver betaling"] == "60 %"


def test_perspectives_table_sums_holders_and_gives_the_ratios():
    case = _case(**{"costs_per_case": [{"amount": 1000, "holder": "kommune", "quantity": 1},
                                       {"amount": 400, "holder": "participant", "quantity": [1]}]})
    r = sibmodel.evaluate(case)
    t = tables.perspectives_table(r, "en")
    assert t.loc["participant", "Perspective"] == "participant"
    pv_public, pv_all = r.pv_savings_public, r.pv_savings
    assert pv_all - pv_public == pytest.approx(float(r.pv_savings_by_holder["participant"]))
    assert t.loc["public", "Benefit-cost ratio"] == i18n.fmt_number(pv_public / r.pv_cost, "en", 2)
    assert t.loc["all", "Benefit-cost ratio"] == i18n.fmt_number(pv_all / r.pv_cost, "en", 2)
    assert "Outside the public sector" in " ".join(prose.deal_sentences(r, "en"))


@pytest.mark.parametrize("name", ["family_violence", "homelessness_housing_first", "youth_education_employment",
                                  "blank"])
def test_net_budget_of_the_payers_discounts_to_the_commissioner_npv(name):
    """Each template (co-payer, rate cards, incurred items): the payers' net by year, discounted with the public
    factors, is commissioner_npv; the other holders' columns are their savings by year; every column is the
    holder's savings minus what it pays, so all columns together discount to total savings minus all payments and
    the payers' own costs and fees."""
    r = sibmodel.evaluate(sibmodel.load_case(TEMPLATES / f"{name}.yaml"))
    nb = tables.net_budget_by_year(r, components=True)
    df = r.cash_flows["discount_factor"]
    assert float((nb["payers"] * df).sum()) == pytest.approx(r.commissioner_npv, rel=1e-12, abs=1e-6)
    assert (nb["payer_savings"] + nb["payer_payments"] + nb["payer_fees"]).tolist() == pytest.approx(nb["payers"].tolist())
    payers = r.case.contract.payers
    # independent: the payers' PV savings from the result, their share of payments and fees from the cash flows
    cf = r.cash_flows
    pv_pay = float(r.pv_savings_by_holder[payers].sum()) - float(
        ((cf["commissioner_payments"] + cf["commissioner_fee"] + cf["intermediary_fees_commissioner"]) * df).sum())
    assert float((nb["payers"] * df).sum()) == pytest.approx(pv_pay, rel=1e-12, abs=1e-6)
    for h in r.savings_by_year.columns:
        if h not in payers:
            assert nb[h].tolist() == r.savings_by_year[h].tolist()
            assert float((nb[h] * df).sum()) == pytest.approx(float(r.pv_savings_by_holder[h]), rel=1e-9, abs=1e-6)
    co = [c for c in nb.columns if c.startswith("co_payer_")]
    assert float(-nb[co].sum().sum()) == pytest.approx(r.co_payer_payments, rel=1e-12, abs=1e-6)
    fig = charts.net_budget_by_year(r, "da")
    assert fig.axes[0].get_title(loc="left") == i18n.text("net.title", "da")
    table = tables.net_budget_table(r, "en")
    assert table.index[-1] == "total"


def test_net_budget_by_hand():
    """BASE at price 1,500, paid in year 1, with a co-payer of 20 % and a commissioner fee of 100 in year 0:
    kommune savings 1,000 in years 0 and 1; it pays 80 % of 1,500 in year 1 and the fee in year 0."""
    r = sibmodel.evaluate(_case(**{"contract.co_payers": [{"name": "F", "share": 0.2}],
                                   "contract.fees": [{"paid_by": "commissioner", "amount": [100]}]}))
    nb = tables.net_budget_by_year(r)
    assert nb["payers"].tolist()[:2] == pytest.approx([1000 - 100, 1000 - 0.8 * 1500])
    assert nb["co_payer_0"].tolist()[:2] == pytest.approx([0.0, -0.2 * 1500])
    assert r.commissioner_npv == pytest.approx(900 + (1000 - 1200) / 1.1)


def test_compare_scales_draws_each_contract_on_its_own_card():
    results = [sibmodel.evaluate(_case()), sibmodel.evaluate(_card())]
    fig = charts.compare_scales(results, "en", names=["one price", "card"])
    spans = [ln for ln in fig.axes[0].lines if ln.get_linewidth() == 6]
    got = [x for ln in spans for x in ln.get_xdata()]
    want = [results[0].investor_min_scale, results[0].commissioner_max_scale,
            results[1].investor_min_scale, results[1].commissioner_max_scale]
    assert got == pytest.approx(want)
    assert results[0].commissioner_max_scale == pytest.approx(S_BASE * 1.1 / 1500)   # one price: max / price


def test_acceptability_over_the_scale_of_a_card():
    case = _card()
    curves = sibmodel.acceptability(case, scales=charts.scale_grid(), draws=200, seed=1)
    fig = charts.acceptability(curves, case, "en")
    assert list(fig.axes[0].lines[0].get_xdata()) == list(charts.scale_grid())
    assert fig.axes[0].get_xlabel() == i18n.text("chart.scale_axis", "en")


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(share=st.floats(0.01, 0.9), fee=st.floats(0, 5000), inv_fee=st.floats(0, 5000), p1=st.floats(1000, 4000),
       p2=st.floats(0, 4000), year2=st.integers(0, 1), lag=st.integers(0, 2), investor_share=st.floats(0, 1),
       payers=st.sampled_from([["kommune"], ["kommune", "stat"], ["stat"]]))
def test_net_budget_discounts_to_commissioner_npv_for_any_deal(share, fee, inv_fee, p1, p2, year2, lag,
                                                                investor_share, payers):
    """Invariant: for any card, co-payer share, fees, investor share and payers, the payers' net by year discounted
    with the public factors is commissioner_npv, and every column together is total savings minus everything the
    public side pays."""
    case = _case(**{"contract.metric": None, "contract.price": None, "contract.payment_lag_years": lag,
                    "contract.outcomes": [{"key": "a", "pays": "prevented", "year": 0, "price": p1},
                                          {"key": "b", "pays": "success", "year": year2, "price": p2}],
                    "contract.co_payers": [{"name": "F", "share": share}], "contract.payers": payers,
                    "contract.investor_share": investor_share,
                    "contract.fees": [{"paid_by": "commissioner", "amount": [fee, fee]},
                                      {"paid_by": "investor", "amount": [inv_fee]}],
                    "costs_per_case": [{"amount": 1000, "holder": "kommune", "quantity": 1},
                                       {"amount": 300, "holder": "stat", "quantity": [1, 1]}]})
    r = sibmodel.evaluate(case)
    nb = tables.net_budget_by_year(r)
    df = r.cash_flows["discount_factor"]
    assert float((nb["payers"] * df).sum()) == pytest.approx(r.commissioner_npv, rel=1e-9, abs=1e-6)
    cf = r.cash_flows
    everything = r.pv_savings - float(((cf["outcome_payments"] + cf["commissioner_fee"]
                                        + cf["intermediary_fees_commissioner"]) * df).sum())
    assert float(nb.mul(df, axis=0).sum().sum()) == pytest.approx(everything, rel=1e-9, abs=1e-6)


def test_key_figures_table_of_a_card_leaves_out_the_prices_it_has_not():
    card = sibmodel.evaluate(_card(threshold=0.1))
    kf = tables.key_figures_table(card, "en")
    assert "commissioner_max" not in kf.index and "price" not in kf.index
    assert kf.loc["commissioner_max_scale", "Value"] == i18n.fmt_value(card.commissioner_max_scale,
                                                                       "commissioner_max_scale", "en")
    assert "cohorts_paid" in kf.index and "guarantee_paid" not in kf.index
    assert set(tables.key_figures_table(card, "da", all_figures=True).index) == set(card.key_figures())
