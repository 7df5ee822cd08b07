"""Schema checks of the data files, read with the csv module (independently of sibmodel's loader), the price
indices checked against their published figures, and the generated data page."""
from __future__ import annotations

import csv
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT

DATA = ROOT / "data"
HOLDERS = {"kommune", "region", "stat"}
AREAS = {"family_violence", "youth_education_employment", "homelessness", "general"}


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


COSTS = _rows("unit_costs.csv")
INDEX = _rows("price_index.csv")
SERIES: dict[str, dict[int, float]] = {}
for _r in INDEX:
    SERIES.setdefault(_r["series"], {})[int(_r["year"])] = float(_r["index"])
BASES = {"gross", "net_of_refund", "welfare_economic", "public_total"}


def test_catalogue_has_the_columns_the_issue_asks_for():
    required = {"key", "label_da", "label_en", "amount", "currency", "unit", "price_year", "holder", "basis",
                "area", "source", "url", "note", "kind", "index", "assumption"}
    assert required <= set(COSTS[0])


def test_every_row_is_complete_and_valid():
    bad = []
    for line, r in enumerate(COSTS, start=2):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", r["key"]):
            bad.append((line, "key", r["key"]))
        for col in ("label_da", "label_en", "unit", "source"):
            if not r[col].strip():
                bad.append((line, col, r[col]))
        if not r["url"].startswith(("http://", "https://")):
            bad.append((line, "url", r["url"]))
        if not (float(r["amount"]) > 0):
            bad.append((line, "amount", r["amount"]))
        if not (r["price_year"].isdigit() and 2000 <= int(r["price_year"]) <= 2030):
            bad.append((line, "price_year", r["price_year"]))
        if r["holder"] not in HOLDERS:
            bad.append((line, "holder", r["holder"]))
        if r["basis"] not in BASES:
            bad.append((line, "basis", r["basis"]))
        if r["area"] not in AREAS:
            bad.append((line, "area", r["area"]))
        if r["kind"] not in {"unit_cost", "saving"}:
            bad.append((line, "kind", r["kind"]))
        if r["currency"] != "DKK":
            bad.append((line, "currency", r["currency"]))
    assert bad == []


def test_keys_are_unique():
    dup = [k for k, n in Counter(r["key"] for r in COSTS).items() if n > 1]
    assert dup == []


def test_coverage_of_areas_and_holders():
    assert len(COSTS) >= 80
    assert {r["holder"] for r in COSTS} == HOLDERS
    per_area = Counter(r["area"] for r in COSTS)
    for area in ("family_violence", "youth_education_employment", "homelessness"):
        assert per_area[area] >= 5, area


def test_assumptions_are_marked_as_such():
    """A row whose source or note speaks of an assumption, an inferred year or a derived figure says what is assumed."""
    unmarked = [r["key"] for r in COSTS
                if re.search(r"assum|inferred|derived", r["source"] + " " + r["note"], re.I) and not r["assumption"].strip()]
    assert unmarked == []


def test_benefit_rows_split_the_stated_gross_rate_80_20():
    """The kommune and stat rows of a benefit add up to the gross rate their note quotes, split 80/20."""
    checked = 0
    for r in COSTS:
        m = re.search(r"Gross monthly rate (\d+) DKK", r["note"])
        if not m:
            continue
        gross = float(m.group(1))
        share = {"kommune": 0.8, "stat": 0.2}[r["holder"]]
        assert float(r["amount"]) == pytest.approx(share * gross, abs=0.05), r["key"]
        checked += 1
    assert checked >= 10


def test_split_pairs_agree_on_year_unit_and_source():
    by_key = {r["key"]: r for r in COSTS}
    pairs = [(k, k[: -len("_kommune")] + "_stat") for k in by_key if k.endswith("_kommune")]
    pairs = [(a, b) for a, b in pairs if b in by_key]
    assert len(pairs) >= 10
    for a, b in pairs:
        ra, rb = by_key[a], by_key[b]
        assert (ra["price_year"], ra["unit"], ra["url"]) == (rb["price_year"], rb["unit"], rb["url"]), a


def test_every_row_names_an_index_that_covers_its_price_year_and_the_newest_year():
    bad = [(r["key"], r["index"], r["price_year"]) for r in COSTS
           if r["index"] not in SERIES or int(r["price_year"]) not in SERIES[r["index"]]]
    assert bad == []
    # benefits move with the satsregulering, services with the PL index (Danish budget practice)
    kinds = {r["key"]: r["index"] for r in COSTS}
    assert all(i == "satsregulering" for k, i in kinds.items()
               if k.startswith(("uddannelseshjaelp", "kontanthjaelp", "foertidspension", "ressourceforloeb")))
    assert kinds["placement_foster_family_year_kommune"] == kinds["prison_day_average_stat"] == "pl_generel"


def test_each_price_index_is_sourced_consecutive_and_typed():
    assert set(SERIES) == {"nettoprisindeks", "pl_generel", "satsregulering"}
    for name, values in SERIES.items():
        years = sorted(values)
        assert years == list(range(years[0], years[-1] + 1)), name
        assert all(v > 0 for v in values.values()), name
    assert all(r["source"].strip() and r["url"].startswith(("https://", "http://")) for r in INDEX)
    assert {r["status"] for r in INDEX} <= {"published", "forecast", "derived"}
    assert SERIES["nettoprisindeks"][2015] == SERIES["pl_generel"][2015] == 100.0
    assert max(SERIES["pl_generel"]) >= 2025 and max(SERIES["satsregulering"]) >= 2025


# Økonomistyrelsen, Fastprisberegninger: generel pris- og lønstigning, annual % (2024-25: June 2024 estimates).
PL_GROWTH = {2011: 1.3, 2012: 1.6, 2013: 0.5, 2014: 0.4, 2015: 0.5, 2016: 0.5, 2017: 1.2, 2018: 1.9, 2019: 1.3,
             2020: 1.1, 2021: 1.2, 2022: 4.3, 2023: 2.5, 2024: 4.0, 2025: 2.8}
# Satsreguleringsprocent by finance year (Økonomistyrelsen, pris- og lønforudsætninger; 2024 derived from rates).
SATS_GROWTH = {2022: 1.2, 2023: 2.7, 2024: (12326 / 11944 - 1) * 100, 2025: 3.6}


def test_pl_and_satsregulering_chain_the_published_growth_rates():
    pl = SERIES["pl_generel"]
    for year, growth in PL_GROWTH.items():
        assert pl[year] / pl[year - 1] == pytest.approx(1 + growth / 100, rel=1e-6), year
    sats = SERIES["satsregulering"]
    for year, growth in SATS_GROWTH.items():
        assert sats[year] / sats[year - 1] == pytest.approx(1 + growth / 100, rel=1e-6), year
    # 2021-2023 the indices part by several points: net prices +12 % (annual means), PL +6.9 %, sats +3.9 %.
    net = SERIES["nettoprisindeks"]
    moves = [net[2023] / net[2021], pl[2023] / pl[2021], sats[2023] / sats[2021]]
    assert moves == pytest.approx([118.0 / 105.4, 1.043 * 1.025, 1.012 * 1.027], rel=1e-6)


def test_the_2025_benefit_supplements_are_the_2024_agreement_amounts_regulated_by_the_2025_satsregulering():
    """Kalundborg's 2025 rates = the reform agreement's 2024-level amounts x 1.036 (a check on the index and on
    reading the grundsats row as 2024 level)."""
    agreement_2024 = {"kontanthjaelp_boernetillaeg_kommune": 2687, "kontanthjaelp_tillaeg_enlig_forsoerger_kommune": 1581,
                      "kontanthjaelp_tillaeg_enlig_ikke_forsoerger_kommune": 1054,
                      "uddannelseshjaelp_aktivitetstillaeg_u25_udeboende_kommune": 1000}
    by_key = {r["key"]: r for r in COSTS}
    sats = SERIES["satsregulering"]
    for key, amount in agreement_2024.items():
        gross_2025 = float(by_key[key]["amount"]) / 0.8
        assert gross_2025 == pytest.approx(round(amount * sats[2025] / sats[2024]), abs=0.5), key


# Monthly nettoprisindeks (2015 = 100) as published on DST's subject page
# https://www.dst.dk/da/Statistik/emner/oekonomi/prisindeks/nettoprisindeks (updated 10.7.2024).
DST_MONTHLY = {
    2015: [98.7, 99.8, 100.2, 100.3, 100.3, 100.3, 100.3, 100.0, 100.2, 100.2, 99.9, 99.8],
    2016: [99.5, 100.4, 100.4, 100.6, 100.7, 100.8, 100.8, 100.5, 100.4, 100.7, 100.5, 100.5],
    2017: [100.5, 101.4, 101.4, 101.8, 101.6, 101.5, 102.5, 102.2, 102.1, 102.3, 101.9, 101.6],
    2018: [101.3, 102.1, 102.1, 102.6, 102.7, 102.7, 103.6, 103.1, 102.8, 103.1, 102.8, 102.4],
    2019: [102.6, 103.3, 103.4, 103.7, 103.6, 103.4, 104.1, 103.7, 103.4, 103.8, 103.6, 103.4],
    2020: [103.6, 104.3, 103.9, 103.9, 103.7, 103.8, 104.6, 103.9, 103.7, 104.0, 103.6, 103.4],
    2021: [103.8, 104.4, 104.4, 104.8, 105.0, 105.1, 105.8, 105.5, 105.8, 106.7, 107.0, 106.5],
    2022: [107.9, 109.5, 110.1, 111.6, 112.7, 113.6, 115.1, 115.1, 116.4, 117.7, 116.7, 116.0],
    2023: [117.4, 118.5, 118.3, 118.7, 117.2, 117.6, 119.2, 118.3, 118.0, 118.3, 117.8, 117.2],
}


def test_annual_net_price_index_is_the_mean_of_dst_monthly_values():
    for r in (r for r in INDEX if r["series"] == "nettoprisindeks"):
        months = DST_MONTHLY[int(r["year"])]
        assert len(months) == 12
        assert float(r["index"]) == pytest.approx(sum(months) / 12, abs=0.05), r["year"]


def test_templates_use_only_rows_their_price_year_can_reach():
    """Every catalogue row a template uses has an index covering both its own year and the template's price year,
    and the templates sit at the newest year those indices allow."""
    import yaml

    by_key = {r["key"]: r for r in COSTS}
    for path in sorted((ROOT / "templates").glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = [by_key[i["item"]] for i in case.get("costs_per_case", []) if "item" in i]
        for row in items:
            assert int(row["price_year"]) in SERIES[row["index"]], (path.name, row["key"])
            assert case["price_year"] in SERIES[row["index"]], (path.name, row["key"])
        if items:
            assert case["price_year"] == min(max(SERIES[r["index"]]) for r in items), path.name


def test_key_items_of_the_templates_are_few_assumptions_and_counted():
    """The rows the three programme templates use; those still resting on an assumption are listed here, so a
    new assumption in a key item fails this test until it is justified."""
    import yaml

    by_key = {r["key"]: r for r in COSTS}
    assumed = set()
    for name in ("family_violence", "homelessness_housing_first", "youth_education_employment"):
        case = yaml.safe_load((ROOT / "templates" / f"{name}.yaml").read_text(encoding="utf-8"))
        assumed |= {i["item"] for i in case["costs_per_case"] if "item" in i and by_key[i["item"]]["assumption"]}
    assert assumed == {"family_treatment_fft_course_kommune",
                       "shelter_s110_year_kommune", "shelter_s110_year_stat",
                       "housing_first_support_year_low_kommune"}


def test_aarhus_calibration_case_prices_the_deal_and_shows_its_gap():
    """The calibration case costs the deal's 4.8 mio. DKK (2021) for 25 families in 2025 prices, and the counted
    savings do not repay it even if all violence stopped (the claim data/README.md makes)."""
    import sibmodel

    case = sibmodel.load_case(DATA / "cases" / "aarhus_dialog_mod_vold.yaml")
    pl = SERIES["pl_generel"]
    assert sum(case.cohort.participants) == 25
    total = case.intervention.cost_per_participant * 25 + case.intervention.fixed_cost_per_year
    assert total == pytest.approx(4_800_000 * pl[2025] / pl[2021], abs=25)  # whole DKK per family
    best = case.update({"adjustments.optimism_bias": 0.0, "outcome.relative_reduction": 0.999})
    figures = sibmodel.evaluate(best).key_figures()
    assert figures["pv_savings"] < figures["pv_cost"]


def _page_module():
    spec = importlib.util.spec_from_file_location("make_data_page", ROOT / "docs" / "make_data_page.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_data_page_is_up_to_date_with_the_csv_files():
    mod = _page_module()
    expected = mod.render(DATA / "unit_costs.csv", DATA / "price_index.csv")
    assert (ROOT / "docs" / "data.md").read_text(encoding="utf-8") == expected, \
        "docs/data.md is out of date: run python docs/make_data_page.py"


def test_data_page_lists_every_figure_with_its_source(tmp_path):
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    for r in COSTS:
        row = next((line for line in text.splitlines() if line.startswith(f"| `{r['key']}` |")), None)
        assert row is not None, r["key"]
        assert r["url"] in row and r["price_year"] in row and r["holder"] in row and f"| {r['index']} |" in row
    # The page follows the data: a changed amount shows up in a regenerated page.
    mod = _page_module()
    rows = [dict(r) for r in COSTS]
    rows[0]["amount"] = "123457"
    with open(tmp_path / "u.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(COSTS[0]))
        w.writeheader()
        w.writerows(rows)
    assert "123,457" in mod.render(tmp_path / "u.csv", DATA / "price_index.csv")
    assert "123,457" not in text
