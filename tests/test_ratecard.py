"""Design v2: signed items, holders and perspectives, rate cards, threshold, co-payers, caps, fees, guarantee.

Hand-computed cases (discount rate 0 and required return 0, so every figure can be followed on paper),
agreement with the independent reference model on generated v2 cases, properties, refusals by field, and two
published examples (WSIPP's MST perspectives, Peterborough cohort 1).
"""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sibmodel import Case, CaseError, evaluate, load_case
from sibmodel.vectorised import evaluate_many
from tests.conftest import ROOT, cases
from tests.reference_model import reference_evaluate

# 100 participants, p0 0.5, p1 0.4 (effect 0.1: 10 prevented cases), persistence [1, 0.5, 0.25].
# kommune item 1000 a year for 3 years: S_kommune = 1000 * 1.75 = 1750, PV 17,500.
# stat item 200 in year 0, incurred (prevention causes it): S_stat = -200, PV -2,000.
# Intervention 100 per participant: 10,000 in year 0. Rate card:
#   own        year 0, price 200:  (0.35 - 0.20) * 100 = 15 outcomes, paid year 0 -> 3,000
#   housed_1y  year 1, price 1000: 0.1 * 0.5 * 100 = 5 outcomes, paid year 1      -> 5,000
#   success_2y year 2, price 100:  (1 - 0.5 + 0.1 * 0.25) * 100 = 52.5, year 2    -> 5,250   (card: 13,250)
HAND = {
    "name": "hand v2", "price_year": 2023, "discounting": 0.0,
    "cohort": {"participants": [100]},
    "outcome": {"baseline_rate": 0.5, "relative_reduction": 0.2, "horizon_years": 3, "drop_off": 0.5},
    "costs_per_case": [
        {"amount": 1000, "holder": "kommune", "quantity": 1},
        {"amount": 200, "holder": "stat", "quantity": 1, "years": 1, "direction": "incurred"},
    ],
    "intervention": {"cost_per_participant": 100},
    "contract": {
        "outcomes": [
            {"key": "education_start", "pays": "own", "baseline_rate": 0.2, "treated_rate": 0.35, "year": 0, "price": 200},
            {"key": "housed_1y", "pays": "prevented", "year": 1, "price": 1000},
            {"key": "success_2y", "pays": "success", "year": 2, "price": 100},
        ],
        "investor_required_return": 0.0,
    },
}
CARD = 13_250.0


def hand(**contract) -> dict:
    d = copy.deepcopy(HAND)
    d["contract"].update(contract)
    return d


def ev(d: dict):
    return evaluate(Case.from_dict(d))


# -- hand-computed -------------------------------------------------------------------------------------


def test_incurred_item_enters_with_a_minus_sign():
    r = ev(hand())
    assert r.savings_per_case_by_holder["kommune"] == pytest.approx(1750)
    assert r.savings_per_case_by_holder["stat"] == pytest.approx(-200)
    assert r.pv_savings_by_holder["stat"] == pytest.approx(-2000)
    assert r.pv_savings == pytest.approx(15_500)
    assert r.savings_by_year["stat"].tolist()[:2] == pytest.approx([-2000, 0])
    assert r.items["direction"].tolist() == ["avoided", "incurred"]


def test_each_row_kind_by_hand():
    r = ev(hand())
    assert r.paid_outcomes_by_row.to_dict() == pytest.approx({"education_start": 15, "housed_1y": 5, "success_2y": 52.5})
    assert r.paid_outcomes == pytest.approx(72.5)
    assert r.cash_flows["outcome_payments"].tolist() == pytest.approx([3000, 5000, 5250])
    assert r.total_payments == pytest.approx(CARD)
    # rate 0: PV = sums. Payers kommune: 17,500; public: 15,500; investor puts in 10,000
    assert r.commissioner_max_scale == pytest.approx(17_500 / CARD)
    assert r.public_sector_max_scale == pytest.approx(15_500 / CARD)
    assert r.societal_max_scale == pytest.approx(15_500 / CARD)
    assert r.investor_min_scale == pytest.approx(10_000 / CARD)
    assert r.corridor_scale == pytest.approx((10_000 / CARD, 17_500 / CARD))
    assert r.commissioner_npv == pytest.approx(17_500 - CARD)
    assert r.investor_npv == pytest.approx(CARD - 10_000)
    # several rows: the v1 floats have no meaning, the table by row has the prices
    assert r.commissioner_max is None and r.investor_min is None and r.corridor is None
    be = r.break_even_prices
    assert be.loc["housed_1y", "commissioner_max"] == pytest.approx(1000 * 17_500 / CARD)
    assert be.loc["success_2y", "investor_min"] == pytest.approx(100 * 10_000 / CARD)
    assert r.benefit_cost_ratio == pytest.approx(1.55) and r.public_benefit_cost_ratio == pytest.approx(1.55)


def test_own_row_paid_for_all():
    d = hand()
    d["contract"]["outcomes"][0]["paid_for"] = "all"
    assert ev(d).paid_outcomes_by_row["education_start"] == pytest.approx(35)


def test_non_public_holder_counts_for_society_only():
    d = hand()
    d["costs_per_case"].append({"amount": 300, "holder": "participant", "quantity": 1, "years": 1})
    r = ev(d)
    assert list(r.savings_per_case_by_holder.index) == ["kommune", "region", "stat", "participant"]
    assert r.pv_savings_by_holder["participant"] == pytest.approx(3000)
    assert r.pv_savings_public == pytest.approx(15_500)
    assert r.public_sector_max_scale == pytest.approx(15_500 / CARD)
    assert r.societal_max_scale == pytest.approx(18_500 / CARD)
    assert r.benefit_cost_ratio == pytest.approx(1.85) and r.public_benefit_cost_ratio == pytest.approx(1.55)
    assert r.holder_perspectives["participant"] == "participant"


def test_declared_holder_can_pay_and_is_public():
    d = hand(payers=["kommune", "kommune_job"])
    d["holders"] = {"kommune_job": {"perspective": "public", "label_da": "Jobcenter", "label_en": "Job centre"}}
    d["costs_per_case"].append({"amount": 400, "holder": "kommune_job", "quantity": 1, "years": 1})
    r = ev(d)
    assert r.pv_savings_by_holder["kommune_job"] == pytest.approx(4000)
    assert r.commissioner_max_scale == pytest.approx(21_500 / CARD)
    assert r.public_sector_max_scale == pytest.approx(19_500 / CARD)


@pytest.mark.parametrize("threshold, paid", [(0.2, True), (0.1, True), (0.25, False)])
def test_threshold_met_and_missed(threshold, paid):
    r = ev(hand(threshold=threshold))    # the measured relative reduction is 0.2
    assert r.cohorts_paid == (1.0 if paid else 0.0)
    assert r.total_payments == pytest.approx(CARD if paid else 0.0)
    assert r.commissioner_npv == pytest.approx(17_500 - (CARD if paid else 0.0))
    if not paid:
        assert r.paid_outcomes == 0 and r.commissioner_max_scale is None and r.investor_npv == pytest.approx(-10_000)


@pytest.mark.parametrize("public", [True, False])
def test_co_payer_pays_its_share(public):
    r = ev(hand(co_payers=[{"name": "Den Sociale Investeringsfond", "share": 0.5, "public": public}]))
    assert r.co_payer_payments == pytest.approx(0.5 * CARD)
    assert r.cash_flows["commissioner_payments"].sum() == pytest.approx(0.5 * CARD)
    assert r.total_payments == pytest.approx(CARD)                 # the investor receives everything
    assert r.commissioner_npv == pytest.approx(17_500 - 0.5 * CARD)
    assert r.commissioner_max_scale == pytest.approx(17_500 / (0.5 * CARD))
    assert r.public_sector_max_scale == pytest.approx(15_500 / CARD if public else 15_500 / (0.5 * CARD))
    assert r.societal_max_scale == pytest.approx(15_500 / CARD)


def test_cap_per_participant_rows_nested_in_time():
    # card order by year: own 200 (cumulative 200), housed_1y 1000 -> only 900 left, success_2y -> nothing left
    r = ev(hand(cap_per_participant=1100))
    assert r.cash_flows["outcome_payments"].tolist() == pytest.approx([3000, 4500, 0])
    assert r.commissioner_max_scale == pytest.approx(17_500 / CARD)   # the scales ignore caps


@pytest.mark.parametrize("amount, paid", [(5000, 5000), (10_000, 7000)])
def test_first_loss_guarantee(amount, paid):
    d = hand(guarantee={"amount": amount, "by": "A foundation"})
    d["contract"]["outcomes"] = d["contract"]["outcomes"][:1]        # payments 3,000 against 10,000 invested
    r = ev(d)
    assert r.guarantee_paid == pytest.approx(paid)
    assert r.cash_flows["guarantee"].tolist() == pytest.approx([paid, 0, 0])  # the last (only) payment year
    assert r.investor_npv == pytest.approx(3000 + paid - 10_000)
    assert r.investor_moic == pytest.approx((3000 + paid) / 10_000)
    assert r.commissioner_npv == pytest.approx(17_500 - 3000)        # the guarantor is a third party


def test_fees_by_payer():
    r = ev(hand(fees=[{"label": "intermediary", "paid_by": "commissioner", "amount": [1000]},
                      {"label": "evaluation", "paid_by": "investor", "amount": 500}]))
    assert r.commissioner_npv == pytest.approx(17_500 - CARD - 1000)
    assert r.commissioner_max_scale == pytest.approx(16_500 / CARD)
    assert r.investor_min_scale == pytest.approx(10_500 / CARD)
    assert r.investor_npv == pytest.approx(CARD - 10_500)
    assert r.pv_cost == pytest.approx(10_000)                        # fees are not the intervention's cost


def test_one_row_card_keeps_the_v1_floats(base):
    r = evaluate(Case.from_dict(base))
    assert r.commissioner_max_scale * base["contract"]["price"] == pytest.approx(r.commissioner_max)
    assert r.investor_min_scale * base["contract"]["price"] == pytest.approx(r.investor_min)
    assert r.break_even_prices.loc["prevented_case", "commissioner_max"] == pytest.approx(r.commissioner_max)
    assert r.paid_outcomes_by_row.to_dict() == pytest.approx({"prevented_case": 1.0})


# -- published examples --------------------------------------------------------------------------------


def test_wsipp_mst_perspectives_and_ratio():
    r = evaluate(load_case(ROOT / "tests" / "cases" / "wsipp_mst.yaml"))
    pv = r.pv_savings_by_holder
    assert pv[["taxpayers", "participant", "others", "indirect"]].tolist() == pytest.approx([4651, 786, 15280, -1782])
    assert r.pv_savings == pytest.approx(18_935)
    assert r.pv_savings - r.pv_cost == pytest.approx(11_101)
    assert round(r.benefit_cost_ratio, 2) == 2.42
    assert r.public_benefit_cost_ratio == pytest.approx(4651 / 7834)
    assert r.holder_perspectives.to_dict() == {"kommune": "public", "region": "public", "stat": "public",
                                               "participant": "participant", "others": "others",
                                               "taxpayers": "public", "indirect": "others"}


PETERBOROUGH = {
    # Peterborough cohort 1: 142 reconviction events per 100 offenders against 155 in the comparison group
    # (an 8.4 % reduction); payment required at least 10 %. Rates are events per 100 divided by 1,000 so that
    # they are shares; only their ratio enters the threshold.
    "name": "Peterborough cohort 1", "price_year": 2023, "currency": "GBP", "discounting": 0.035,
    "cohort": {"participants": [936]},
    "outcome": {"baseline_rate": 0.155, "treated_rate": 0.142, "horizon_years": 1},
    "costs_per_case": [{"amount": 1000, "holder": "stat"}],
    "intervention": {"cost_per_participant": 1000},
    "contract": {"price": 100_000, "threshold": 0.10, "payers": ["stat"]},
}


def test_peterborough_cohort_one_pays_nothing():
    r = evaluate(Case.from_dict(PETERBOROUGH))
    assert (0.155 - 0.142) / 0.155 == pytest.approx(0.0839, abs=1e-4)
    assert r.cohorts_paid == 0 and r.total_payments == 0 and r.paid_outcomes == 0
    lower = copy.deepcopy(PETERBOROUGH)
    lower["contract"]["threshold"] = 0.075
    assert evaluate(Case.from_dict(lower)).total_payments > 0


# -- refusals by field -----------------------------------------------------------------------------------


def _refused(d: dict, path: str, words: str) -> None:
    with pytest.raises(CaseError) as err:
        Case.from_dict(d)
    problems = {p.path: p.message for p in err.value.problems}
    assert path in problems, problems
    assert words in problems[path], problems


def test_duplicate_row_key_refused():
    d = hand()
    d["contract"]["outcomes"][2]["key"] = "housed_1y"
    _refused(d, "contract.outcomes.2.key", "duplicate row key")


def test_measurement_year_beyond_horizon_refused():
    d = hand()
    d["contract"]["outcomes"][1]["year"] = 3
    _refused(d, "contract.outcomes.1.year", "beyond the horizon")


def test_co_payer_shares_summing_to_one_refused():
    d = hand(co_payers=[{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5, "public": False}])
    _refused(d, "contract.co_payers", "less than 1")


def test_own_rates_below_baseline_refused():
    d = hand()
    d["contract"]["outcomes"][0]["treated_rate"] = 0.1
    _refused(d, "contract.outcomes.0.treated_rate", "below baseline_rate")


def test_unknown_holder_refused():
    d = hand()
    d["costs_per_case"][0]["holder"] = "kommune_job"
    _refused(d, "costs_per_case.0.holder", "unknown holder")


def test_card_and_price_together_refused():
    _refused(hand(price=100), "contract.price", "not both")


def test_non_public_payer_refused():
    _refused(hand(payers=["participant"]), "contract.payers.0", "not a public holder")


def test_row_key_pattern_refused():
    d = hand()
    d["contract"]["outcomes"][0]["key"] = "Housed 12m"
    _refused(d, "contract.outcomes.0.key", "pattern")


def test_implied_relative_reduction_in_one_place():
    case = Case.from_dict(PETERBOROUGH)
    assert case.outcome.implied_relative_reduction == pytest.approx(13 / 155)
    assert Case.from_dict(HAND).outcome.implied_relative_reduction == pytest.approx(0.2)


def test_round_trip_of_a_card():
    case = Case.from_dict(hand(threshold=0.1, co_payers=[{"name": "DSI", "share": 0.5}], cap_per_participant=900,
                               fees=[{"paid_by": "investor", "amount": 5}], guarantee={"amount": 10}))
    assert Case.from_yaml(case.to_yaml()) == case
    assert case.update({"contract.outcomes.1.price": 2000}).contract.outcomes[1].price == 2000


# -- agreement with the reference model on generated v2 cases --------------------------------------------


@st.composite
def v2_cases(draw):
    d = draw(cases(cap=True))
    J = d["outcome"]["horizon_years"]
    c = d["contract"]
    if draw(st.booleans()):
        d["holders"] = {"kommune_job": {"perspective": "public"}, "victims": {"perspective": "others"}}
    names = ["kommune", "region", "stat", "participant", "others"] + (list(d["holders"]) if "holders" in d else [])
    for item in d["costs_per_case"]:
        item["holder"] = draw(st.sampled_from(names))
        if draw(st.booleans()):
            item["direction"] = "incurred"
    if draw(st.booleans()):
        rows = []
        for k in range(draw(st.integers(1, 4))):
            pays = draw(st.sampled_from(["prevented", "success", "own"]))
            row = {"key": f"row_{k}", "pays": pays, "price": draw(st.floats(0.0, 1e5))}
            row["year"] = draw(st.integers(0, J - 1)) if pays != "own" else draw(st.integers(0, 4))
            if pays == "own":
                base = draw(st.floats(0.0, 0.8))
                row.update(baseline_rate=base, treated_rate=min(1.0, base + draw(st.floats(0.0, 0.2))),
                           paid_for=draw(st.sampled_from(["improvement", "all"])))
            rows.append(row)
        del c["metric"], c["price"]
        c["outcomes"] = rows
    if draw(st.booleans()):
        c["threshold"] = draw(st.floats(0.0, 0.6))
    if draw(st.booleans()):
        c["co_payers"] = [{"name": "fund", "share": draw(st.floats(0.01, 0.45)), "public": draw(st.booleans())},
                          {"name": "foundation", "share": draw(st.floats(0.01, 0.45)), "public": draw(st.booleans())}]
    if draw(st.booleans()):
        c["cap_per_participant"] = draw(st.floats(0.0, 2e5))
    if draw(st.booleans()):
        c["fees"] = [{"paid_by": draw(st.sampled_from(["commissioner", "investor"])),
                      "amount": draw(st.one_of(st.floats(0.0, 1e5), st.lists(st.floats(0.0, 1e5), min_size=1, max_size=6)))}]
    if draw(st.booleans()):
        c["guarantee"] = {"amount": draw(st.floats(0.0, 1e7))}
    public = ["kommune", "region", "stat"] + (["kommune_job"] if "holders" in d else [])
    c["payers"] = draw(st.lists(st.sampled_from(public), min_size=1, max_size=3, unique=True))
    return d


NAMES = ["prevented_cases", "paid_outcomes", "savings_per_case", "pv_savings", "pv_cost", "investor_npv",
         "commissioner_npv", "commissioner_max", "public_sector_max", "societal_max", "investor_min", "investor_moic",
         "pv_savings_public", "benefit_cost_ratio", "public_benefit_cost_ratio", "commissioner_max_scale",
         "public_sector_max_scale", "societal_max_scale", "investor_min_scale", "cohorts_paid", "guarantee_paid",
         "co_payer_payments"]


def relative_gaps(d: dict) -> dict[str, float]:
    """Each figure's gap between evaluate() and the reference model, relative to the money at stake."""
    case = Case.from_dict(d)
    ours, ref = evaluate(case), reference_evaluate(case.to_dict())
    money = max(1.0, sum(abs(v) for v in ref["pv_savings_by_holder"].values()), ref["pv_cost"], sum(ref["payments_by_year"]),
                sum(abs(x) for x in ref["investor_cash_flows"]))
    gaps = {}
    for name in NAMES:
        a, b = getattr(ours, name), ref[name]
        assert (a is None) == (b is None), (name, a, b)
        if a is not None:
            per = name.endswith(("_max", "_min")) or name.endswith("_scale") or "ratio" in name or name == "investor_moic"
            gaps[name] = abs(a - b) / max(1.0, abs(b)) if per else abs(a - b) / money
    for h, v in ref["pv_savings_by_holder"].items():
        gaps[f"pv_savings_{h}"] = abs(ours.pv_savings_by_holder[h] - v) / money
    for k, v in ref["paid_outcomes_by_row"].items():
        gaps[f"paid_{k}"] = abs(ours.paid_outcomes_by_row[k] - v) / max(1.0, abs(v))
    n = len(ref["payments_by_year"])
    for mine, theirs in (("outcome_payments", "payments_by_year"), ("investor_cash_flow", "investor_cash_flows")):
        x = np.pad(ours.cash_flows[mine].to_numpy(), (0, max(0, n - len(ours.cash_flows))))[:n]
        gaps[mine] = float(np.max(np.abs(x - np.asarray(ref[theirs])))) / money
    assert (ours.corridor_scale is None) == (ref["corridor_scale"] is None)
    return gaps


@given(v2_cases())
def test_agrees_with_reference_model_v2(d):
    gaps = relative_gaps(d)
    worst = max(gaps, key=gaps.get)
    assert gaps[worst] <= 1e-9, (worst, gaps[worst])


# -- properties -------------------------------------------------------------------------------------------


def _scaled(case: Case, scale: float) -> Case:
    rows = case.contract.rows()
    return case.update({r.price_path: r.price * scale for r in rows})


@given(v2_cases())
def test_break_even_scales_are_where_the_npvs_are_zero(d):
    d["contract"].pop("cap", None)
    d["contract"].pop("cap_per_participant", None)
    case = Case.from_dict(d)
    r = evaluate(case)
    money = max(1.0, r.pv_savings_by_holder.abs().sum(), r.pv_cost, r.total_payments)
    if r.commissioner_max_scale is not None and math.isfinite(r.commissioner_max_scale) and r.commissioner_max_scale >= 0:
        at = evaluate(_scaled(case, r.commissioner_max_scale))
        assert at.commissioner_npv == pytest.approx(0, abs=1e-8 * money)
        # the same through the scale argument of the vectorised core
        got = evaluate_many(case, scale=r.commissioner_max_scale)["commissioner_npv"][0]
        assert got == pytest.approx(0, abs=1e-8 * money)
    if r.investor_min_scale is not None and r.investor_min_scale > 0 and case.contract.investor_required_return >= 0:
        at = evaluate(_scaled(case, r.investor_min_scale))
        assert at.investor_npv == pytest.approx(0, abs=1e-8 * money)


@given(cases(cap=False))
def test_one_row_scale_times_price_is_the_v1_price(d):
    r = evaluate(Case.from_dict(d))
    price = d["contract"]["price"]
    if r.commissioner_max is not None and price > 0 and r.commissioner_max_scale is not None:
        assert r.commissioner_max_scale * price == pytest.approx(r.commissioner_max, rel=1e-9, abs=1e-9)
    if r.investor_min is not None and price > 0 and r.investor_min_scale is not None:
        assert r.investor_min_scale * price == pytest.approx(r.investor_min, rel=1e-9, abs=1e-9)


@given(v2_cases())
def test_missed_threshold_pays_nothing(d):
    o = d["outcome"]
    p0 = o["baseline_rate"]
    rr = o.get("relative_reduction", (p0 - o.get("treated_rate", p0)) / p0)
    if rr > 0.99:
        return
    d["contract"]["threshold"] = min(1.0, rr + 0.01)
    r = evaluate(Case.from_dict(d))
    assert r.total_payments == 0 and r.paid_outcomes == 0 and r.cohorts_paid == 0


def test_v1_card_equals_explicit_one_row_card_where_persistence_starts_at_one(base):
    v1 = evaluate(Case.from_dict(base))
    card = copy.deepcopy(base)
    price = card["contract"].pop("price")
    card["contract"]["outcomes"] = [{"key": "prevented_case", "pays": "prevented", "year": 0, "price": price}]
    v2 = evaluate(Case.from_dict(card))
    for k, v in v1.key_figures().items():
        assert v2.key_figures()[k] == pytest.approx(v, rel=1e-12, abs=1e-12) if v is not None else v2.key_figures()[k] is None, k


# -- JSON Schema and import structure ---------------------------------------------------------------------


def test_json_schema_covers_the_v2_keys():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from sibmodel import case_schema

    schema = case_schema()
    contract = schema["$defs"]["Contract"]["properties"]
    assert {"outcomes", "threshold", "co_payers", "cap_per_participant", "fees", "guarantee"} <= set(contract)
    assert "direction" in schema["$defs"]["CostItem"]["properties"] and "holders" in schema["properties"]
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("homelessness_housing_first", "youth_education_employment", "family_violence"):
        assert not list(validator.iter_errors(yaml.safe_load((ROOT / "templates" / f"{name}.yaml").read_text()))), name
    assert not list(validator.iter_errors(yaml.safe_load((ROOT / "tests" / "cases" / "wsipp_mst.yaml").read_text())))
    bad = hand()
    bad["contract"]["outcomes"][0]["pays"] = "everything"
    assert list(validator.iter_errors(bad))


def test_core_modules_do_not_import_each_other_in_a_cycle():
    """The model core imports downwards only: costs never imports case, montecarlo never sensitivity, and none
    of them imports a presentation module at import time."""
    import ast

    core = ["case", "costs", "vectorised", "model", "montecarlo", "sensitivity", "voi", "discount", "switching", "holders",
            "rates"]
    graph = {}
    for m in core:
        tree = ast.parse((ROOT / "sibmodel" / f"{m}.py").read_text(encoding="utf-8"))
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and getattr(block.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(block)}
        graph[m] = {n.module.lstrip(".").split(".")[0] for n in ast.walk(tree)
                    if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module and id(n) not in typing_only}
    assert "case" not in graph["costs"] and "sensitivity" not in graph["montecarlo"]

    def reaches(a, b, seen=()):
        return any(x == b or (x in graph and x not in seen and reaches(x, b, (*seen, x))) for x in graph.get(a, ()))
    assert not [m for m in core if reaches(m, m)]
    presentation = {"narrative", "report", "excel", "indigo", "charts", "app"}
    assert not [(m, graph[m] & presentation) for m in core if graph[m] & presentation]


def test_a_v1_case_writes_no_v2_keys(base):
    data = Case.from_dict(base).to_dict()
    assert set(data["contract"]) == {"metric", "price", "payment_lag_years", "payers", "investor_share",
                                     "investor_required_return"}
    assert "holders" not in data and all("direction" not in c for c in data["costs_per_case"])


def test_summary_names_declared_and_non_public_holders():
    r = evaluate(load_case(ROOT / "tests" / "cases" / "wsipp_mst.yaml"))
    table = r.summary("en").set_index("name")
    assert table.loc["pv_savings_taxpayers", "value"] == pytest.approx(4651)
    assert "taxpayers" in table.loc["pv_savings_taxpayers", "label"]
    assert table.loc["pv_savings_participant", "label"] == "Savings, present value, participant"
    assert table.loc["benefit_cost_ratio", "value"] == pytest.approx(18_935 / 7834)
