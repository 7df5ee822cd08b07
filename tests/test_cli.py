"""The command line: results as table, JSON and CSV; bad input exits 2 with one message and no traceback."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from sibmodel import evaluate, load_case
from tests.conftest import BASE, TEMPLATES

CASE = str(TEMPLATES / "family_violence.yaml")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sibmodel", *args], capture_output=True, text=True, timeout=120)


def test_evaluate_json_equals_the_python_api():
    out = run("evaluate", CASE, "--format", "json", "--set", "contract.price=120000")
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)["results"]
    expected = evaluate(load_case(CASE).update({"contract.price": 120000}))
    assert figures["commissioner_max"] == pytest.approx(expected.commissioner_max, rel=1e-12)
    assert figures["price"] == 120000
    assert figures["investor_irr"] == pytest.approx(expected.investor_irr, rel=1e-12)


def test_evaluate_table_and_csv_in_danish():
    table = run("evaluate", CASE, "--lang", "da")
    assert table.returncode == 0 and "Betalers højeste pris" in table.stdout
    csv = run("evaluate", CASE, "--format", "csv")
    assert csv.returncode == 0 and csv.stdout.startswith("name,label_da,label_en,value,unit")


def test_the_design_example_written_by_hand(tmp_path):
    f = tmp_path / "by_hand.yaml"
    f.write_text(yaml.safe_dump(BASE))
    out = run("evaluate", str(f), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["results"]["commissioner_max"] == pytest.approx(2100)


@pytest.mark.parametrize("args, words", [
    (("evaluate", CASE, "--set", "outcome.baseline_rate=1.3"), "outcome.baseline_rate = 1.3: must be less than or equal to 1"),
    (("evaluate", CASE, "--set", "contract.prce=3"), "did you mean 'price'"),
    (("evaluate", CASE, "--set", "nokey"), "write key=value"),
    (("evaluate", "missing.yaml"), "case file not found"),
])
def test_bad_input_exits_2_without_traceback(args, words):
    out = run(*args)
    assert out.returncode == 2
    assert words in out.stderr and out.stderr.startswith("error: ")
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_malformed_file_from_the_command_line(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: [unclosed")
    out = run("evaluate", str(f))
    assert out.returncode == 2 and "not valid YAML" in out.stderr and "Traceback" not in out.stderr


def test_schema(tmp_path):
    out = run("schema", "-o", str(tmp_path / "case.schema.json"))
    assert out.returncode == 0
    schema = json.loads((tmp_path / "case.schema.json").read_text())
    assert "contract" in schema["properties"]
