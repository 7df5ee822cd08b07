"""sibmodel.resources: where data, templates and notebooks are, in a checkout and (tests/test_wheel.py) a wheel."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from sibmodel import resources
from sibmodel.errors import CaseError
from tests.conftest import ROOT


def test_a_checkout_reads_the_top_level_folders():
    assert resources.data_dir() == ROOT / "data"
    assert resources.templates_dir() == ROOT / "templates"
    assert resources.data_file("unit_costs.csv") == ROOT / "data" / "unit_costs.csv"
    assert resources.data_file("studies/bcg.csv").is_file()
    assert resources.app_notebook() == ROOT / "notebooks" / "apps" / "app.ipynb"
    assert resources.business_case_notebook() == ROOT / "notebooks" / "01_business_case.ipynb"
    assert (resources.voila_config_dir() / "voila.py").is_file()
    assert (resources.nbconvert_template_dir() / "sibmodel_report" / "conf.json").is_file()


def test_the_wheel_carries_what_resources_looks_for():
    """pyproject's force-include puts each top-level folder where resources looks inside the package."""
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    shipped = wheel["force-include"]
    for packaged, top in resources._LAYOUT.items():
        targets = {src: dst for src, dst in shipped.items() if dst.startswith(f"sibmodel/{packaged}")}
        assert targets, f"nothing of {top}/ is shipped as sibmodel/{packaged}"
        for src, dst in targets.items():
            assert (ROOT / src).exists() and dst == f"sibmodel/{packaged}" + src[len(top):]
    for needed in (resources.app_notebook(), resources.business_case_notebook(), resources.data_dir(),
                   resources.templates_dir()):
        rel = needed.relative_to(ROOT).as_posix()
        assert any(rel == src or rel.startswith(src + "/") for src in shipped), rel


def test_sibmodel_data_overrides(tmp_path, monkeypatch):
    (tmp_path / "unit_costs.csv").write_text((ROOT / "data" / "unit_costs.csv").read_text())
    monkeypatch.setenv("SIBMODEL_DATA", str(tmp_path))
    assert resources.data_dir() == tmp_path
    assert resources.data_file("unit_costs.csv") == tmp_path / "unit_costs.csv"
    with pytest.raises(CaseError) as info:
        resources.data_file("price_index.csv")
    (problem,) = info.value.problems
    assert problem.code == "resource.missing" and str(tmp_path / "price_index.csv") in str(info.value)


def test_an_overridden_data_folder_is_used_by_a_fresh_process(tmp_path):
    import subprocess
    import sys

    rows = (ROOT / "data" / "unit_costs.csv").read_text().splitlines()
    (tmp_path / "unit_costs.csv").write_text("\n".join(rows[:3]) + "\n")
    code = "import sibmodel; print(len(sibmodel.unit_costs()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "SIBMODEL_DATA": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == 2


def test_templates_by_name():
    assert resources.template_file("family_violence") == resources.template_file("family_violence.yaml")
    assert set(resources.template_files()) == {p.stem for p in (ROOT / "templates").glob("*.yaml")}
    with pytest.raises(CaseError) as info:
        resources.template_file("nope")
    assert info.value.problems[0].code == "resource.no_template" and "family_violence" in str(info.value)


def test_case_paths_working_folder_first_then_the_notebook_folder_then_a_template(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "here.yaml").write_text("name: in the notebook folder\n")
    monkeypatch.chdir(tmp_path)
    assert resources.resolve_case_path("here.yaml", notebooks) == (notebooks / "here.yaml").resolve()
    (tmp_path / "here.yaml").write_text("name: in the working folder\n")
    assert resources.resolve_case_path("here.yaml", notebooks) == (tmp_path / "here.yaml").resolve()
    shipped = resources.template_file("family_violence")
    assert resources.resolve_case_path("../templates/family_violence.yaml", notebooks) == shipped.resolve()
    assert resources.resolve_case_path("family_violence.yaml") == shipped.resolve()
    assert resources.resolve_case_path(shipped) == shipped.resolve()


def test_a_missing_case_lists_every_path_tried(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CaseError) as info:
        resources.resolve_case_path("cases/missing.yaml", tmp_path / "nb")
    (problem,) = info.value.problems
    assert problem.code == "resource.case_not_found"
    assert problem.params["tried"] == [str(tmp_path / "cases" / "missing.yaml"), str(tmp_path / "nb" / "cases" / "missing.yaml")]
    assert all(p in str(info.value) for p in problem.params["tried"])


def test_from_the_repository_root_and_from_notebooks(monkeypatch):
    monkeypatch.chdir(ROOT)
    a = resources.resolve_case_path("templates/family_violence.yaml", resources.notebooks_dir())
    monkeypatch.chdir(ROOT / "notebooks")
    b = resources.resolve_case_path("../templates/family_violence.yaml", resources.notebooks_dir())
    assert a == b == (ROOT / "templates" / "family_violence.yaml").resolve()


def test_no_module_finds_data_by_climbing_from_its_own_file():
    """Only resources.py knows where files live. (report.py's ROOT only shortens a path in its --help text.)"""
    climbing = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sibmodel").rglob("*.py")
                      if any("__file__" in line and "parents[" in line
                             for line in p.read_text(encoding="utf-8").splitlines()))
    assert climbing in ([], ["sibmodel/report.py"]), climbing
