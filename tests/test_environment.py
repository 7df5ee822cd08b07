"""environment.yml (conda) and pyproject.toml (pip) name the same dependencies with the same lower bounds;
constraints.txt pins every one of them."""
import re
import tomllib

import yaml

from tests.conftest import ROOT


def _split(spec: str) -> tuple[str, str]:
    name, version = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec.strip()).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), version.replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_split(s) for s in specs)


def _conda() -> dict[str, str]:
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    return dict(_split(d) for d in deps if isinstance(d, str) and not d.startswith(("python", "pip")))


def test_environment_yml_matches_pyproject():
    assert _conda() == _pyproject()


def test_every_dependency_is_pinned():
    pins = dict(_split(line.split("==")[0]) for line in (ROOT / "constraints.txt").read_text().splitlines()
                if "==" in line)
    missing = set(_pyproject()) - set(pins)
    assert not missing, f"not pinned in constraints.txt: {sorted(missing)}"
    assert all("==" in line for line in (ROOT / "constraints.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#"))


def test_the_documentation_builds_without_warnings(tmp_path):
    """mkdocs --strict: every page, every link inside docs/, and the API reference from the docstrings."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"),
                          "-d", str(tmp_path / "site")], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("sibmodel.model.evaluate", "sibmodel.resources.resolve_case_path", "sibmodel.numbers.parse_number"):
        assert name in api
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    assert "DESIGN.md" not in pages and "cdnjs" not in pages


def test_license_and_citation_agree_with_pyproject():
    import sibmodel

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"text": "MIT"} and (ROOT / "LICENSE").read_text().startswith("MIT License")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["license"] == "MIT" and citation["version"] == sibmodel.__version__
    assert citation["cff-version"] == "1.2.0" and citation["authors"]
