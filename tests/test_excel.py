"""The formula workbook equals the model: every template and a set of variants, recalculated by LibreOffice.

All workbooks are recalculated in one LibreOffice call (a module fixture); each test then compares cell values
with ``evaluate()`` to 1e-9 relative (with an absolute floor of 1e-6 for amounts that should be zero).
Editing inputs in the workbook (as an auditor would) must move the results exactly as changing the case does.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

import sibmodel
from sibmodel.excel import NA, expected_values, read_results, recalculate, write_workbook

from tests.conftest import BASE, TEMPLATES

TEMPLATE_FILES = sorted(TEMPLATES.glob("*.yaml"))
REL, ABS = 1e-9, 1e-6

# LibreOffice is required (`make test` installs Debian's libreoffice-calc); without it the fixture fails and says so.


def _variants() -> dict[str, sibmodel.Case]:
    """Cases that exercise every branch of the formulas: caps, lags, metrics, schedules, shares, edge cases."""
    fv = sibmodel.load_case(TEMPLATES / "family_violence.yaml")
    base = sibmodel.Case.from_dict(BASE)
    return {
        "cap_lags_success": fv.update({
            "contract.cap": 400000, "contract.metric": "success", "contract.payment_lag_years": 2,
            "outcome.onset_lag_years": 2, "intervention.delivery_years": 2, "contract.investor_share": 0.6,
            "contract.payers": ["kommune", "stat"], "outcome.treated_rate": 0.3,
        }),
        "constant_rate_persistence": fv.update({
            "discounting": 0.04, "outcome.persistence": [1, 0.8, 0.5], "intervention.fixed_cost_per_year": [1e5, 0, 3e5, 2e5],
            "contract.payment_lag_years": 0, "contract.price": 600000,
        }),
        # 40 years of consequences cross the Green Book's 3.0 % band from year 31 on.
        "green_book_long": base.update({
            "discounting": "uk-green-book", "outcome.horizon_years": 40, "cohort.participants": [10, 0, 5],
            "costs_per_case.0.quantity": [1, 2, 3], "costs_per_case.1": {"amount": 5000, "holder": "region", "quantity": 0.5},
        }),
        # dk-fm-2021 bands at 36 and 71: a long horizon and a lag cross both.
        "dk_bands": base.update({"discounting": "dk-fm-2021", "outcome.horizon_years": 75, "outcome.onset_lag_years": 3}),
        "no_investor": base.update({"contract.investor_share": 0.0}),             # no IRR, no multiple: n/a
        "no_effect": base.update({"outcome.relative_reduction": 0.0}),            # no paid outcomes: no prices
        "cap_zero": base.update({"contract.cap": 0.0}),
        "high_price": base.update({"contract.price": 50000, "contract.payment_lag_years": 3}),  # IRR far above 10 %
        # design v2: a card of every row kind, threshold met, a private and a public co-payer, fees, a guarantee
        # that pays out, an incurred item, and a cap that binds
        "card_all_kinds": fv.update({
            "contract.metric": None, "contract.price": None, "contract.threshold": 0.2,
            "contract.outcomes": [
                {"key": "prevented_now", "pays": "prevented", "year": 0, "price": 90000},
                {"key": "still_prevented", "pays": "prevented", "year": 2, "price": 60000},
                {"key": "success_late", "pays": "success", "year": 1, "price": 15000},
                {"key": "own_improvement", "pays": "own", "year": 3, "price": 20000, "baseline_rate": 0.2,
                 "treated_rate": 0.35},
                {"key": "own_all", "pays": "own", "year": 1, "price": 5000, "treated_rate": 0.4, "paid_for": "all"}],
            "contract.co_payers": [{"name": "Public fund", "share": 0.3, "public": True},
                                   {"name": "Private foundation", "share": 0.1, "public": False}],
            "contract.fees": [{"label": "intermediary", "paid_by": "commissioner", "amount": [50000, 40000, 30000]},
                              {"label": "evaluation", "paid_by": "investor", "amount": 20000}],
            "contract.guarantee": {"amount": 300000, "by": "A foundation"},
            "costs_per_case.0.direction": "incurred",
        }),
        "card_threshold_missed": fv.update({
            "contract.metric": None, "contract.price": None, "contract.threshold": 0.9,
            "contract.outcomes": [{"key": "a", "pays": "prevented", "year": 1, "price": 100000},
                                  {"key": "b", "pays": "success", "year": 0, "price": 10000}],
            "contract.guarantee": {"amount": 1e9},
        }),
        "card_capped": fv.update({
            "contract.metric": None, "contract.price": None, "contract.cap": 900000, "contract.cap_per_participant": 450000,
            "contract.outcomes": [{"key": "a", "pays": "prevented", "year": 0, "price": 300000},
                                  {"key": "b", "pays": "prevented", "year": 3, "price": 200000}],
        }),
        # declared and non-public holders: a kommune split by department (one pays), the participant, others
        "holders_v2": fv.update({
            "holders": {"kommune_job": {"perspective": "public", "label_da": "Jobcenter", "label_en": "Job centre"},
                        "victims": {"perspective": "others"}},
            "contract.payers": ["kommune", "kommune_job"],
            "contract.co_payers": [{"name": "Private foundation", "share": 0.2, "public": False}],
            "costs_per_case": [*fv.to_dict()["costs_per_case"],
                               {"amount": 20000, "holder": "kommune_job", "quantity": [1, 1]},
                               {"amount": 5000, "holder": "participant", "quantity": 1, "direction": "incurred"},
                               {"amount": 30000, "holder": "victims", "quantity": [1]}],
        }),
        "card_cap_per_participant": fv.update({
            "contract.metric": None, "contract.price": None, "contract.cap_per_participant": 450000,
            "contract.outcomes": [{"key": "late", "pays": "prevented", "year": 3, "price": 200000},
                                  {"key": "early", "pays": "prevented", "year": 0, "price": 300000}],
        }),
    }


CASES: dict[str, sibmodel.Case] = {f.stem: sibmodel.load_case(f) for f in TEMPLATE_FILES}
CASES.update(_variants())

# Inputs an auditor edits in the workbook (by defined name) and the same change made to the case.
EDITS = {
    "price": ("family_violence", "contract_price", 120000.0, {"contract.price": 120000.0}),
    "effect": ("family_violence", "relative_reduction", 0.55, {"outcome.relative_reduction": 0.55}),
    "cap": ("family_violence", "contract_cap", 500000.0, {"contract.cap": 500000.0}),
    "return": ("family_violence", "required_return", 0.12, {"contract.investor_required_return": 0.12}),
    "metric": ("family_violence", "metric", "success", {"contract.metric": "success"}),
    "rate": ("constant_rate_persistence", "discount_bands", 0.06, {"discounting": 0.06}),
    "share": ("cap_lags_success", "investor_share", 0.25, {"contract.investor_share": 0.25}),
    "baseline": ("high_price", "baseline_rate", 0.7, {"outcome.baseline_rate": 0.7}),
    "from_no_effect": ("no_effect", "relative_reduction", 0.3, {"outcome.relative_reduction": 0.3}),
    "participants": ("family_violence", "participants", 20, {"cohort.participants.0": 20}),
    "cashable": ("family_violence", "item_cashable", 0.25, {"costs_per_case.0.cashable": 0.25}),
}


def _catalogue_edit() -> tuple:
    """An auditor corrects the catalogue amount of the first cost item: the case gets the same amount moved to
    its price year by the row's price index (an explicit amount is in the case's price year)."""
    case = CASES["family_violence"]
    i = next(i for i, c in enumerate(case.costs_per_case)  # an item whose amount the price index moves
             if c.item and c.amount is None and sibmodel.catalogue()[c.item].price_year != case.price_year)
    row = sibmodel.catalogue()[case.costs_per_case[i].item]
    new = row.amount * 1.5
    moved = new * sibmodel.price_index().factor(row.price_year, case.price_year, row.index)
    return ("family_violence", "item_catalogue_amount", new, {f"costs_per_case.{i}.amount": moved}, i)


EDITS["catalogue_amount"] = _catalogue_edit()


def _edit(src: Path, dst: Path, name: str, value: object, down: int = 0) -> None:
    """Set a cell behind a defined name (the first, or ``down`` rows below it), keeping every formula."""
    wb = load_workbook(src)
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    cell = wb[sheet][ref.replace("$", "").split(":")[0]]
    column = cell.column + 1 if name == "discount_bands" else cell.column  # (from year, rate): the rate
    wb[sheet].cell(row=cell.row + down, column=column, value=value)
    wb.save(dst)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """Write every workbook, recalculate them all in one LibreOffice run, return {key: (got, expected)}."""
    src = tmp_path_factory.mktemp("xlsx")
    jobs: dict[str, tuple[Path, object, sibmodel.Case]] = {}
    for key, case in CASES.items():
        path = src / f"{key}.xlsx"
        jobs[key] = (path, write_workbook(case, path), case)
    da = src / "family_violence_da.xlsx"  # Danish sheet names (æ, ø) inside formulas
    jobs["family_violence_da"] = (da, write_workbook(CASES["family_violence"], da, lang="da"), CASES["family_violence"])
    for key, (case_key, name, value, change, *down) in EDITS.items():
        path0, layout, case = jobs[case_key]
        path = src / f"edit_{key}.xlsx"
        _edit(path0, path, name, value, *down)
        jobs[f"edit_{key}"] = (path, layout, case.update(change))
    out = recalculate([p for p, _, _ in jobs.values()], src / "recalculated")
    return {key: (read_results(o, layout), expected_values(case))
            for (key, (_, layout, case)), o in zip(jobs.items(), out)}


def _check(got: dict, expected: dict) -> list[str]:
    bad = []
    for name, want in expected.items():
        have = got[name]
        if isinstance(want, np.ndarray):
            arr = np.asarray([0.0 if v is None else v for v in have], dtype=float)
            if arr.shape != want.shape or not np.allclose(arr, want, rtol=REL, atol=ABS):
                bad.append(f"{name}: workbook {arr.tolist()} != model {want.tolist()}")
        elif want is None:
            if have != NA:
                bad.append(f"{name}: workbook {have!r}, model None (n/a)")
        elif not (isinstance(have, (int, float)) and math.isclose(have, want, rel_tol=REL, abs_tol=ABS)):
            bad.append(f"{name}: workbook {have!r} != model {want!r}")
    return bad


@pytest.mark.parametrize("key", [*CASES, "family_violence_da"])
def test_workbook_equals_model(recalculated, key):
    got, expected = recalculated[key]
    assert set(expected) <= set(got) and len(expected) >= 35  # key figures, per-item savings, yearly series
    assert _check(got, expected) == []


@pytest.mark.parametrize("key", list(EDITS))
def test_editing_an_input_moves_the_business_case(recalculated, key):
    got, expected = recalculated[f"edit_{key}"]
    before, _ = recalculated[EDITS[key][0]]
    assert _check(got, expected) == []
    assert any(got[k] != before[k] for k in ("commissioner_max", "investor_min", "investor_npv", "commissioner_npv"))


def test_variants_cover_the_branches(recalculated):
    """The variants reach the branches they are there for (else the comparison above proves less)."""
    e = {k: v[1] for k, v in recalculated.items()}
    assert e["no_investor"]["investor_irr"] is None and e["no_investor"]["investor_moic"] is None
    assert e["no_effect"]["commissioner_max"] is None
    cap = CASES["cap_lags_success"].contract.cap
    assert e["cap_lags_success"]["total_payments"] == pytest.approx(cap)  # the cap binds
    assert e["high_price"]["investor_irr"] > 0.3
    assert e["family_violence"]["investor_irr"] < -0.3
    assert e["card_all_kinds"]["commissioner_max"] is None and e["card_all_kinds"]["commissioner_max_scale"] > 0
    assert e["card_all_kinds"]["guarantee_paid"] > 0 and e["card_all_kinds"]["cohorts_paid"] == 1.0
    assert e["card_threshold_missed"]["cohorts_paid"] == 0.0 and e["card_threshold_missed"]["total_payments"] == 0.0
    assert e["card_capped"]["total_payments"] == pytest.approx(900000)
    # the cap per participant binds: the second row pays 450,000 - 300,000 = 150,000 of its 200,000
    uncapped = sibmodel.evaluate(CASES["card_cap_per_participant"].update({"contract.cap_per_participant": None}))
    assert e["card_cap_per_participant"]["total_payments"] < uncapped.total_payments
    assert (e["homelessness_housing_first"]["savings_stat_by_year"] != 0).any()
    assert min(e["youth_education_employment"]["savings_stat_by_year"]) < 0  # SU: an incurred cost


def test_a_holder_key_that_reads_as_a_cell_is_refused_by_field(tmp_path):
    """Each holder's savings are a defined name: a key such as ``kb1`` (a cell of column KB) is refused with a
    CaseError naming the field, before any file is written."""
    from sibmodel.errors import CaseError

    case = CASES["family_violence"].update({
        "holders": {"kb1": {"perspective": "public"}},
        "costs_per_case": [{"amount": 1000, "holder": "kb1", "quantity": 1}]})
    with pytest.raises(CaseError, match=r"holders = \['kb1'\]"):
        write_workbook(case, tmp_path / "y.xlsx")
    assert not (tmp_path / "y.xlsx").exists()


def test_declared_and_non_public_holders_are_in_the_workbook(recalculated):
    got, expected = recalculated["holders_v2"]
    assert {"pv_savings_kommune_job", "pv_savings_participant", "pv_savings_victims"} <= set(expected)
    assert expected["pv_savings_participant"] < 0 and expected["pv_savings_public"] < expected["pv_savings"]
    assert _check(got, expected) == []


def test_results_are_formulas_not_values(tmp_path):
    """Every result cell holds a formula; inputs are plain values."""
    case = CASES["family_violence"]
    layout = write_workbook(case, tmp_path / "fv.xlsx")
    wb = load_workbook(tmp_path / "fv.xlsx")
    for ref in [*layout.scalars.values(), *layout.rows.values()]:
        sheet, _, rng = ref.rpartition("!")
        cells = wb[sheet.strip("'")][rng.replace("$", "")]
        for c in (c for row in cells for c in row) if isinstance(cells, tuple) else [cells]:
            assert isinstance(c.value, str) and c.value.startswith("="), (ref, c.value)
    price = wb.defined_names["contract_price"].destinations
    sheet, ref = next(iter(price))
    assert wb[sheet][ref.replace("$", "")].value == case.contract.price


def test_sources_and_danish_sheets(tmp_path):
    case = CASES["family_violence"]
    write_workbook(case, tmp_path / "da.xlsx", lang="da")
    wb = load_workbook(tmp_path / "da.xlsx")
    assert {"Inddata", "Enhedsomkostninger", "Besparelser", "Investors pengestrøm", "Priser og korridor"} <= set(wb.sheetnames)
    ws = wb["Enhedsomkostninger"]
    sources = [ws.cell(row=r, column=11).value for r in range(3, 3 + len(case.costs_per_case))]
    cat = sibmodel.catalogue()
    assert sources == [cat[c.item].source for c in case.costs_per_case]
    with pytest.raises(ValueError, match="lang"):
        write_workbook(case, tmp_path / "x.xlsx", lang="de")


def test_cli_export_writes_both_files(tmp_path):
    from sibmodel.cli import main

    xlsx, js = tmp_path / "fv.xlsx", tmp_path / "fv.json"
    assert main(["export", str(TEMPLATES / "family_violence.yaml"), "--xlsx", str(xlsx), "--json", str(js),
                 "--set", "contract.price=99000", "--lang", "da"]) == 0
    wb = load_workbook(xlsx)
    sheet, ref = next(iter(wb.defined_names["contract_price"].destinations))
    assert wb[sheet][ref.replace("$", "")].value == 99000
    import json
    assert json.loads(js.read_text(encoding="utf-8"))["outcome_pricings"][0]["price_per_unit"]["amount"]["value"] == 99000


@pytest.mark.parametrize("args, message", [
    ([], "--xlsx/--json: give at least one output file"),
    (["--xlsx", "out.xls"], "--xlsx = 'out.xls': the workbook file name must end in .xlsx"),
    (["--xlsx", "out.xlsx", "--set", "outcome.baseline_rate=1.5"], "outcome.baseline_rate = 1.5"),
])
def test_cli_export_bad_input_exits_2_with_one_message(tmp_path, capsys, args, message):
    from sibmodel.cli import main

    args = [a.replace("out.", str(tmp_path / "out.")) if a.startswith("out.") else a for a in args]
    assert main(["export", str(TEMPLATES / "family_violence.yaml"), *args]) == 2
    err = capsys.readouterr().err
    assert message.replace("out.", str(tmp_path / "out.")) in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_simulation_sheet_holds_the_monte_carlo_summary(tmp_path):
    from sibmodel.cli import main
    from sibmodel.montecarlo import simulate

    case = CASES["family_violence"].update({"outcome.baseline_rate": {"dist": "beta", "mean": 0.6, "sd": 0.05}})
    path = tmp_path / "case.yaml"
    path.write_text(case.to_yaml(), encoding="utf-8")
    assert main(["export", str(path), "--xlsx", str(tmp_path / "s.xlsx"), "--draws", "300", "--seed", "7"]) == 0
    ws = load_workbook(tmp_path / "s.xlsx")["Simulation"]
    assert "300 draws, seed 7" in ws["A1"].value
    want = simulate(case, draws=300, seed=7).summary("en")
    header = [c.value for c in ws[2]]
    assert header == list(want.columns)
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == set(want["name"])
    for _, w in want.iterrows():
        got = rows[w["name"]]
        for i, col_name in enumerate(want.columns):
            v = w[col_name]
            if isinstance(v, float) and v == v:
                assert got[i] == pytest.approx(v, rel=1e-12, abs=1e-12), (w["name"], col_name)
    inputs = load_workbook(tmp_path / "s.xlsx")["Inputs"]
    notes = [inputs.cell(row=r, column=5).value or "" for r in range(3, 30)]
    assert any(n.startswith("uncertain: {'dist': 'beta'") for n in notes)  # the point value is the mean
