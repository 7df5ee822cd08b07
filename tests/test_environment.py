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
