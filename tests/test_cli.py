"""The command line: results as table, JSON and CSV; bad input exits 2 with one message and no traceback."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sibmodel import CaseError, evaluate, load_case
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


# -- the ecosystem's habits ----------------------------------------------------------------------------------

def sibmodel_main(*args: str) -> int:
    from sibmodel.cli import main

    return main(list(args))


def test_version():
    import sibmodel

    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"sibmodel {sibmodel.__version__}"


@pytest.mark.parametrize("value, expected", [("1e5", 1e5), ("150000", 150000), ("2.5e5", 250000), ("150_000", 150000)])
def test_set_reads_yaml_numbers(value, expected, capsys):
    assert sibmodel_main("evaluate", CASE, "--format", "json", "--set", f"contract.price={value}") == 0
    assert json.loads(capsys.readouterr().out)["results"]["price"] == expected


@pytest.mark.parametrize("value, code_words", [
    ("150.000", "thousands separator"), ("150,000", "thousands separator"), ("0,5", "decimal"), (".inf", "finite"),
])
def test_set_refuses_a_thousands_separator_and_says_why(value, code_words, capsys):
    assert sibmodel_main("evaluate", CASE, "--format", "json", "--set", f"contract.price={value}") == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith(f"error: contract.price = '{value}'") and code_words in out.err
    assert len(out.err.strip().splitlines()) == 1


def test_set_still_takes_yaml_words_lists_and_mappings(capsys):
    assert sibmodel_main("evaluate", CASE, "--format", "json", "--set", "discounting=uk-green-book",
                         "--set", "cohort.participants=[10, 10, 10]",
                         "--set", "outcome.relative_reduction={dist: beta, mean: 0.3, sd: 0.05}") == 0
    out = capsys.readouterr()
    expected = evaluate(load_case(CASE).update({
        "discounting": "uk-green-book", "cohort.participants": [10, 10, 10],
        "outcome.relative_reduction": {"dist": "beta", "mean": 0.3, "sd": 0.05}}))
    assert json.loads(out.out)["results"]["commissioner_max"] == pytest.approx(expected.commissioner_max, rel=1e-12)


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "sibmodel", "schema"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.read(10) == b'{\n  "$defs'
    proc.stdout.close()  # like `| head -1`: the reader goes away before the writer is done
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and err == b""


def test_a_figure_that_does_not_exist_is_a_dash():
    figures = evaluate(load_case(CASE)).key_figures()
    assert figures["corridor_low"] is None or not math.isfinite(figures["corridor_low"])  # no corridor here
    out = run("evaluate", CASE)
    assert out.returncode == 0 and "nan" not in out.stdout.lower()
    (line,) = [ln for ln in out.stdout.splitlines() if "Price corridor, lower bound" in ln]
    assert "  \u2013  " in line


def test_significant_digits_are_kept_from_ten_up(tmp_path, capsys):
    case = {**BASE, "cohort": {"participants": [61.7]},
            "outcome": {**BASE["outcome"], "baseline_rate": 0.5, "relative_reduction": 0.4}}
    f = tmp_path / "c.yaml"
    f.write_text(yaml.safe_dump(case))
    assert sibmodel_main("evaluate", str(f)) == 0
    out = capsys.readouterr()
    (line,) = [ln for ln in out.out.splitlines() if "Prevented cases" in ln]
    assert line.split()[-2] == "12.34"  # 61.7 participants x 0.5 x 0.4, not 12


@pytest.mark.parametrize("v, text", [(12.3456, "12.346"), (60.0, "60"), (1234567.8, "1,234,568"), (0.07, "0.0700"),
                                     (None, "\u2013"), (float("nan"), "\u2013"), (float("inf"), "\u2013"), (25, "25")])
def test_format_value(v, text):
    from sibmodel.cli import _format_value

    assert _format_value(v) == text


def test_simulate_warns_when_nothing_is_uncertain(tmp_path):
    f = tmp_path / "certain.yaml"
    f.write_text(yaml.safe_dump(BASE))
    out = run("simulate", str(f), "--draws", "50", "--seed", "1", "--format", "json")
    assert out.returncode == 0 and "warning: nothing in this case is uncertain" in out.stderr
    assert json.loads(out.stdout)["draws"] == 50
    uncertain = run("simulate", CASE, "--draws", "50", "--seed", "1", "--format", "json")
    assert uncertain.returncode == 0 and "warning" not in uncertain.stderr


def test_every_option_has_help():
    import argparse

    from sibmodel.cli import parser

    p = parser()
    (sub,) = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    missing = [a.dest for a in p._actions if not a.help]
    for name, sp in sub.choices.items():
        if name == "app":  # the app's command line is served by sibmodel.app.serve
            continue
        missing += [f"{name} {a.option_strings or a.dest}" for a in sp._actions if not a.help]
    assert not missing, missing


def test_new_writes_a_commented_case_and_never_overwrites(tmp_path):
    cli = [sys.executable, "-m", "sibmodel"]
    out = subprocess.run([*cli, "new", "family_violence"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    written = (tmp_path / "family_violence.yaml").read_text(encoding="utf-8")
    assert written == (TEMPLATES / "family_violence.yaml").read_text(encoding="utf-8")
    assert written.startswith("# yaml-language-server: $schema=case.schema.json\n") and written.count("# ") > 10
    assert load_case(tmp_path / "family_violence.yaml") == load_case(CASE)
    assert "properties" in json.loads((tmp_path / "case.schema.json").read_text())
    (tmp_path / "family_violence.yaml").write_text("mine")
    again = subprocess.run([*cli, "new", "family_violence"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "does not overwrite" in again.stderr
    assert (tmp_path / "family_violence.yaml").read_text() == "mine"
    unknown = subprocess.run([*cli, "new", "nonsense"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 2 and "allowed: blank, family_violence" in unknown.stderr


def test_schema_describes_every_field_and_lists_catalogue_keys():
    from sibmodel import catalogue
    from sibmodel.schema import documented_schema

    schema = documented_schema()
    nodes = [("(case)", schema), *schema["$defs"].items()]
    undescribed = [f"{where}.{k}" for where, node in nodes for k, prop in node.get("properties", {}).items()
                   if not prop.get("description") or prop["description"] == prop.get("title")]
    assert not undescribed, f"add descriptions to sibmodel/schema.py DESCRIPTIONS: {undescribed}"
    item = schema["$defs"]["CostItem"]["properties"]["item"]
    (choice,) = [o for o in item["anyOf"] if "enum" in o]
    assert choice["enum"] == sorted(catalogue().rows) and len(choice["markdownEnumDescriptions"]) == len(choice["enum"])


def test_the_schema_validates_the_templates_and_refuses_an_unknown_item():
    import jsonschema

    from sibmodel.schema import documented_schema

    schema = documented_schema()
    for path in sorted(TEMPLATES.glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    bad = yaml.safe_load((TEMPLATES / "family_violence.yaml").read_text(encoding="utf-8"))
    bad["costs_per_case"][0]["item"] = "no_such_item"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_templates_point_editors_at_the_current_schema():
    from sibmodel.schema import SCHEMA_FILE, documented_schema

    for path in sorted(TEMPLATES.glob("*.yaml")):
        assert path.read_text(encoding="utf-8").splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    stored = json.loads((TEMPLATES / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert stored == documented_schema(), "templates/case.schema.json is stale: run `make schema`"


def test_an_os_error_is_one_line_and_exit_2(tmp_path):
    out = run("schema", "-o", str(tmp_path / "no" / "such" / "folder" / "s.json"))
    assert out.returncode == 2 and out.stderr.startswith("error: ") and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_set_reads_back_every_number_it_is_given(x):
    from sibmodel.cli import _parse_set
    from sibmodel.numbers import format_number_input

    assert _parse_set(f"contract.price={format_number_input(x, 'en', grouping=False)}") == ("contract.price", x)
    assert _parse_set(f"contract.price={x!r}") == ("contract.price", x)


@given(st.integers(min_value=1000, max_value=10**9))
def test_set_never_reads_a_grouped_number_as_a_smaller_one(n):
    from sibmodel.cli import _parse_set

    for text in (f"{n:,}", f"{n:,}".replace(",", ".")):
        with pytest.raises(CaseError, match="thousands separator"):
            _parse_set(f"contract.price={text}")
