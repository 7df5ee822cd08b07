"""The synthetic evidence data is what its script makes, and importing sibmodel does not load statsmodels."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pandas as pd

from tests.conftest import ROOT


def test_shipped_synthetic_files_are_reproduced_by_the_generator():
    spec = importlib.util.spec_from_file_location("make_synthetic_register", ROOT / "data" / "make_synthetic_register.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rng = np.random.default_rng(gen.SEED)  # same order of draws as gen.main()
    made = {"synthetic/register_family_violence.csv": gen.register(rng),
            "synthetic/shelter_history.csv": gen.shelter_history(rng)}
    for rel, frame in made.items():
        shipped = pd.read_csv(ROOT / "data" / rel)
        pd.testing.assert_frame_equal(shipped, pd.read_csv(__import__("io").StringIO(frame.to_csv(index=False))),
                                      check_dtype=False, obj=rel)


def test_importing_sibmodel_does_not_import_statsmodels():
    code = ("import sys, sibmodel, sibmodel.evidence; "
            "print(any(m.split('.')[0] == 'statsmodels' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


# -- the real study sets and the templates' effects ------------------------------------------------------------

import csv  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402

STUDIES = ROOT / "data" / "studies"
SETS = {  # template -> study set its effect is pooled from
    "family_violence": "family_violence_perpetrator_programmes",
    "homelessness_housing_first": "homelessness_housing_first",
    "youth_education_employment": "youth_education_employment_ips",
}


def _study_rows(name: str) -> list[dict[str, str]]:
    with open(STUDIES / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", sorted(SETS.values()))
def test_every_study_row_has_its_citation_doi_or_url_outcome_and_follow_up(name):
    rows = _study_rows(name)
    assert len(rows) >= 2
    for r in rows:
        assert len(r["source"]) > 40 and re.search(r"(19|20)\d\d", r["source"]), r["study"]
        assert re.fullmatch(r"10\.\d{4,9}/\S+", r["doi"]) or r["url"].startswith(("https://", "http://")), r["study"]
        assert r["doi"] == "" or re.fullmatch(r"10\.\d{4,9}/\S+", r["doi"]), r["doi"]
        assert r["outcome"].strip() and r["follow_up"].strip() and r["derivation"].strip(), r["study"]


def test_no_data_file_is_labelled_illustrative_unless_it_says_so_in_every_row():
    for path in sorted((ROOT / "data").rglob("*.csv")):
        text = path.read_text(encoding="utf-8")
        if "illustrative" in path.name.lower() or "ILLUSTRATIVE" in text:
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            assert all("ILLUSTRATIVE" in r.get("source", "") for r in rows), path.name
    assert not list(STUDIES.glob("*illustrative*"))


def test_counts_derived_from_reported_shares_match_the_shares():
    """Events written as (1 - reported share) x n: recomputed here from the shares the papers report."""
    shares = {  # study (prefix) -> (share in the case for treated, n treated, control share, n control)
        "At Home/Chez Soi": (1 - 0.71, 469, 1 - 0.29, 481),
        "Moncton": (1 - 0.7957, 100, 1 - 0.5547, 101),
        "Critical Time Intervention": (0.21, 48, 0.40, 48),
        "Christensen": (1 - 0.599, 243, 1 - 0.465, 239),
        "Reme": (1 - 0.374, 205, 1 - 0.271, 205),
        "Sveinsdottir": (1 - 0.48, 50, 1 - 0.08, 46),
    }
    rows = _study_rows("homelessness_housing_first") + _study_rows("youth_education_employment_ips")
    checked = 0
    for prefix, (pt, nt, pc, nc) in shares.items():
        r = next(r for r in rows if r["study"].startswith(prefix))
        assert (int(r["treated_n"]), int(r["control_n"])) == (nt, nc)
        assert abs(int(r["treated_events"]) - pt * nt) <= 0.5 and abs(int(r["control_events"]) - pc * nc) <= 0.7
        checked += 1
    assert checked == len(shares)
    hell = next(r for r in rows if r["study"].startswith("Hellström"))  # published counts 72/162 vs 62/164
    assert (int(hell["treated_events"]), int(hell["control_events"])) == (162 - 72, 164 - 62)


def _template(name: str) -> tuple[dict, str]:
    import yaml

    text = (ROOT / "templates" / f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text), text


@pytest.mark.parametrize("template, studies", sorted(SETS.items()))
def test_each_templates_effect_is_the_pooled_estimate_of_its_study_set(template, studies):
    from sibmodel import load_case
    from sibmodel.evidence import load_studies, meta_analysis

    data, text = _template(template)
    assert f'load_studies("{studies}")' in text  # the pooling is reported beside the effect
    m = meta_analysis(load_studies(studies))
    case = m.to_case(load_case(ROOT / "templates" / f"{template}.yaml"))  # what to_case writes in
    pooled = case.distributions["outcome.relative_reduction"].spec
    written = data["outcome"]["relative_reduction"]
    assert written["dist"] == "beta"
    assert written["mean"] == pytest.approx(pooled["mean"], abs=1e-6)
    assert written["sd"] == pytest.approx(pooled["sd"], abs=1e-6)
    assert 0.1 <= data["adjustments"]["optimism_bias"] <= 0.5  # every effect is discounted for its evidence


def test_pooled_effects_agree_with_inverse_variance_pooling_by_hand():
    """Both sets with tau^2 = 0 pool to the fixed-effect mean: computed here from the raw CSV without statsmodels."""
    from sibmodel.evidence import load_studies, meta_analysis

    rows = _study_rows("homelessness_housing_first")
    y, w = [], []
    for r in rows:
        a, n1, c, n0 = (int(r[k]) for k in ("treated_events", "treated_n", "control_events", "control_n"))
        y.append(math.log((a / n1) / (c / n0)))
        w.append(1 / (1 / a - 1 / n1 + 1 / c - 1 / n0))
    mu = sum(wi * yi for wi, yi in zip(w, y)) / sum(w)
    m = meta_analysis(load_studies("homelessness_housing_first"))
    assert m.tau2 == 0.0 and m.estimate == pytest.approx(mu, rel=1e-9)
    # the relative reduction's mean is that of 1 - RR with log RR ~ Normal(mu, se): 1 - exp(mu + se^2 / 2)
    se = 1 / math.sqrt(sum(w))
    data, _ = _template("homelessness_housing_first")
    assert data["outcome"]["relative_reduction"]["mean"] == pytest.approx(1 - math.exp(mu + se**2 / 2), abs=2e-4)

    fv = _study_rows("family_violence_perpetrator_programmes")
    est = [float(r["estimate"]) for r in fv]
    var = [((float(r["ci_upper"]) - float(r["ci_lower"])) / (2 * 1.959963984540054)) ** 2 for r in fv]
    mu_fv = sum(e / v for e, v in zip(est, var)) / sum(1 / v for v in var)
    assert meta_analysis(load_studies("family_violence_perpetrator_programmes")).estimate == pytest.approx(mu_fv, rel=1e-9)
