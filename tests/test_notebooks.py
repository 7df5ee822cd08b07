"""The business-case notebooks as documents and as batch jobs (papermill).

nbval (``make test``) checks the stored outputs; here: the parameters cell is what papermill reads, a
parameterised run gives the numbers ``evaluate()`` gives for the same case, and bad input fails with the same
message as the command line, without a traceback.
"""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

import sibmodel

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DOCUMENTS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
BIN = Path(sys.executable).parent


def _run(name: str, tmp_path: Path, cwd: Path = NOTEBOOKS, **parameters) -> nbformat.NotebookNode:
    """Execute a notebook with papermill (its own kernel) and return the executed notebook."""
    return pm.execute_notebook(str(NOTEBOOKS / name), str(tmp_path / name), parameters=parameters,
                               cwd=str(cwd), kernel_name="python3", progress_bar=False, log_output=False)


def _json_output(nb: nbformat.NotebookNode) -> dict:
    """The one application/json output of an executed notebook (the machine-readable key figures)."""
    found = [o["data"]["application/json"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if "application/json" in o.get("data", {})]
    assert len(found) == 1, f"expected one JSON output, found {len(found)}"
    return found[0]


def _assert_figures_equal(got: dict, expected: dict) -> None:
    assert set(got) == set(expected)
    for k, v in expected.items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            assert got[k] is None, k
        else:
            assert got[k] == pytest.approx(float(v), rel=1e-10, abs=1e-6), k


def _plain(lines: list[str]) -> list[str]:
    """Traceback lines without terminal colours."""
    return [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in lines]


def _cli_error(args: list[str], cwd: Path) -> str:
    """The message the command line prints for bad input (without its ``error: `` prefix)."""
    proc = subprocess.run([str(BIN / "sibmodel"), *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    return proc.stderr.strip().removeprefix("error: ")


# -- the documents -----------------------------------------------------------------------------------------------

def test_notebooks_exist():
    names = {p.name for p in DOCUMENTS}
    assert {"01_business_case.ipynb", "02_uncertainty.ipynb", "03_evidence.ipynb", "04_compare.ipynb"} <= names


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_parameters_cell_is_typed_and_commented(path: Path):
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", []), "the first code cell must be tagged 'parameters'"
    params = pm.inspect_notebook(str(path))
    assert {"lang", "overrides"} <= set(params)
    assert any(k in params for k in ("case_path", "case_paths"))
    for name, p in params.items():
        assert p["inferred_type_name"] not in (None, "None"), f"{name} has no type"
        assert p["help"].strip(), f"{name} has no comment"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_stored_outputs_come_from_one_clean_run(path: Path):
    """Executed in order top to bottom, no errors, no widget state, no timing metadata (stable diffs)."""
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    for c in code:
        assert all(o.output_type != "error" for o in c.outputs), c.source
        assert "execution" not in c.metadata, "timing metadata: re-execute with `make notebooks`"
        assert c.source.strip(), "empty code cell"
        assert "def " not in c.source and "class " not in c.source, "notebooks call sibmodel; they do not define"


def test_help_notebook_lists_parameters_with_comments():
    proc = subprocess.run([str(BIN / "papermill"), "--help-notebook", str(NOTEBOOKS / "01_business_case.ipynb")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for expected in ("case_path: str", "lang: str", "overrides: dict", "relative to this notebook's folder",
                     '"da" (Danish)'):
        assert expected in out


# -- papermill runs ----------------------------------------------------------------------------------------------

def test_parameters_take_effect(tmp_path: Path):
    """Another template, Danish labels and overrides: the notebook's figures equal evaluate() of that case."""
    case_path = ROOT / "templates" / "homelessness_housing_first.yaml"   # a rate card of four rows
    overrides = {"contract.outcomes.0.price": 123456.0, "outcome.relative_reduction": 0.35}
    nb = _run("01_business_case.ipynb", tmp_path, case_path=str(case_path), lang="da", overrides=overrides)
    expected = sibmodel.evaluate(sibmodel.load_case(case_path).update(overrides))
    got = _json_output(nb)
    _assert_figures_equal(got, expected.key_figures())
    assert got["price"] is None and got["commissioner_max"] is None   # a card of several rows: its scales speak
    default = sibmodel.evaluate(sibmodel.load_case(case_path)).key_figures()
    assert got["commissioner_max_scale"] != pytest.approx(default["commissioner_max_scale"])
    text = json.dumps([o for c in nb.cells for o in c.get("outputs", [])], ensure_ascii=False)
    assert "Betalers højeste skala af prislisten" in text and "Commissioner's maximum" not in text
    assert "123.456" in text                                              # the row's price in the card's table
    assert "gange prislisten" in text                                     # the conclusion speaks in scales
    assert "Budgetvirkning pr. år" in text and "(betaler): netto" in text  # the budgets by year, in Danish


def test_business_case_runs_from_the_repository_root(tmp_path: Path):
    """A case path relative to the notebook's folder works from any working directory (papermill from the root),
    and a one-price case with a co-payer shows it; the default notebook is family violence."""
    nb = _run("01_business_case.ipynb", tmp_path, cwd=ROOT, case_path="../templates/family_violence.yaml", lang="en")
    got = _json_output(nb)
    _assert_figures_equal(got, sibmodel.evaluate(sibmodel.load_case(ROOT / "templates" / "family_violence.yaml"))
                          .key_figures())
    text = json.dumps([o for c in nb.cells for o in c.get("outputs", [])], ensure_ascii=False)
    assert "Co-payer: Den Sociale Investeringsfond" in text


def test_bad_case_path_fails_like_the_command_line(tmp_path: Path):
    with pytest.raises(PapermillExecutionError) as info:
        _run("01_business_case.ipynb", tmp_path, cwd=tmp_path, case_path="missing.yaml")
    err = info.value
    expected = _cli_error(["evaluate", "missing.yaml"], cwd=tmp_path)
    assert "case file not found" in expected
    assert err.ename == "CaseError"
    # the notebook resolves the path also against its own folder and the templates, and names each place tried
    assert err.evalue.startswith("case_path = 'missing.yaml'") and str(tmp_path / "missing.yaml") in err.evalue
    assert _plain(err.traceback) == [f"CaseError: {err.evalue}"], "the user sees the message, not a traceback"


def test_bad_override_fails_like_the_command_line(tmp_path: Path):
    case_path = str(ROOT / "templates" / "family_violence.yaml")
    with pytest.raises(PapermillExecutionError) as info:
        _run("01_business_case.ipynb", tmp_path, case_path=case_path, overrides={"outcome.baseline_rate": 1.3})
    expected = _cli_error(["evaluate", case_path, "--set", "outcome.baseline_rate=1.3"], cwd=tmp_path)
    assert "outcome.baseline_rate = 1.3" in expected
    assert info.value.evalue == expected
    assert _plain(info.value.traceback) == [f"CaseError: {expected}"]


def test_compare_runs_any_list_of_cases(tmp_path: Path):
    paths = sorted(str(p) for p in (ROOT / "templates").glob("*.yaml") if p.name != "blank.yaml")
    overrides = {"contract.investor_required_return": 0.05}
    nb = _run("04_compare.ipynb", tmp_path, case_paths=paths, lang="en", overrides=overrides)
    got = _json_output(nb)
    assert list(got) == paths
    for p in paths:
        _assert_figures_equal(got[p], sibmodel.evaluate(sibmodel.load_case(p).update(overrides)).key_figures())
        assert got[p]["investor_required_return"] == 0.05


def test_evidence_parameters_take_effect(tmp_path: Path):
    """Another pooling method, the confidence spread and a bigger cohort: the notebook's estimates and updated
    figures equal those of sibmodel.evidence called directly with the same inputs."""
    from sibmodel import evidence

    studies = ROOT / "data" / "studies" / "family_violence_perpetrator_programmes.csv"
    register = ROOT / "data" / "synthetic" / "register_family_violence.csv"
    overrides = {"cohort.participants": [40, 40, 40]}
    nb = _run("03_evidence.ipynb", tmp_path, method="dl", spread="confidence", lang="da", overrides=overrides,
              threshold=0.05)
    got = _json_output(nb)
    case = sibmodel.load_case(ROOT / "templates" / "family_violence.yaml").update(overrides)
    meta = evidence.meta_analysis(studies, method="dl")
    baseline = evidence.baseline_from_register(register)
    updated = meta.to_case(baseline.to_case(case), spread="confidence")
    design = evidence.evaluation_design(updated, threshold=0.05, effect=meta)
    assert got["pooled_estimate"] == pytest.approx(meta.estimate, rel=1e-12)
    assert got["baseline_rate"] == pytest.approx(baseline.rate, rel=1e-12)
    assert got["mde"] == pytest.approx(design.mde, rel=1e-12)
    assert got["relative_reduction_mean"] == pytest.approx(
        meta.relative_reduction(case.outcome.baseline_rate, spread="confidence").mean, rel=1e-12)
    _assert_figures_equal(got["updated"], sibmodel.evaluate(updated).key_figures())
    _assert_figures_equal(got["assumed"], sibmodel.evaluate(case).key_figures())
    assert got["updated"]["prevented_cases"] != pytest.approx(got["assumed"]["prevented_cases"])


def test_uncertainty_parameters_take_effect(tmp_path: Path):
    """Draws, seed, noise, uncertainty, overrides: the notebook's probabilities and EVPI are those of
    sibmodel.simulate on the same case with the same seed (identical draws)."""
    case_path = ROOT / "templates" / "family_violence.yaml"
    uncertainty = {"outcome.relative_reduction": {"dist": "beta", "sd": 0.15}}
    overrides = {"contract.price": 250000.0}
    nb = _run("02_uncertainty.ipynb", tmp_path, case_path=str(case_path), uncertainty=uncertainty, draws=3000,
              seed=7, noise=True, overrides=overrides, lang="da", prices=[100000.0, 200000.0, 300000.0])
    got = _json_output(nb)
    case = sibmodel.load_case(case_path).update(overrides)
    # as the notebook does: an input with a distribution in the case keeps it (the template's pooled effect has one)
    case = case.update({p: {"dist": "beta", "mean": case.get(p), "sd": 0.15} for p in uncertainty
                        if p not in case.distributions})
    sim = sibmodel.simulate(case, draws=3000, seed=7, noise=True)
    assert got["draws"] == 3000 and got["seed"] == 7
    assert got["probabilities"] == pytest.approx(sim.probabilities().to_dict(), abs=0)
    assert got["evpi"] == pytest.approx(sibmodel.evpi(sim), rel=1e-12)
    _assert_figures_equal(got["point"], sibmodel.evaluate(case).key_figures())
    assert 0 < got["probabilities"]["prob_commissioner_saves"] < 1  # the uncertainty took effect
    default = _json_output(nbformat.read(NOTEBOOKS / "02_uncertainty.ipynb", as_version=4))
    assert got["probabilities"] != default["probabilities"]
