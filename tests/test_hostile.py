"""Hostile case files (tests/hostile/, written by make_files.py): through the API, the CLI and the app's
upload, each is refused with one short line naming the field, or evaluated to finite figures."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from sibmodel import Case, CaseError, SibmodelError, evaluate, limits, load_case
from sibmodel.app.state import Session, case_from_upload
from sibmodel.cli import main

HOSTILE = Path(__file__).resolve().parent / "hostile"
ROOT = HOSTILE.parents[1]

#: What each file gives: words of the refusal (and the field it names), or None: evaluated to finite figures.
EXPECTED: dict[str, str | None] = {
    "aliases_billion_laughs.yaml": "aliases expand to more than 100,000 values",
    "aliases_self_reference.yaml": "an alias refers to the value that contains it",
    "aliases_in_values.yaml": None,
    "depth_1000_lists.yaml": "nesting depth",
    "depth_block_30.yaml": "nested more than 20 levels deep",
    "duplicate_contract.yaml": "contract: this key is given twice",
    "duplicate_nested_key.yaml": "price: this key is given twice",
    "integer_over_1e308.yaml": "contract.price = '(a whole number of about 401 digits)': a number must be at most",
    "inf_amount.yaml": "costs_per_case.0.amount = inf: every number must be finite",
    "nan_price.yaml": "contract.price = nan: every number must be finite",
    "amount_1e308.yaml": "costs_per_case.0.amount = 1e+308: an amount of money must be below 1e+12",
    "participants_2_3e307.yaml": "cohort.participants.0 = 2.3e+307: participants in one year must be below 1e+07",
    "participants_1e6.yaml": None,
    "participants_1e7.yaml": "cohort.participants.0 = 10000000: participants in one year must be below",
    "participants_tiny.yaml": None,
    "fixed_cost_400_years.yaml": "intervention.fixed_cost_per_year = '(a list of 400 entries)': at most 200 entries",
    "fixed_cost_200_years.yaml": None,
    "cohort_200_alternating_years.yaml": "cohort.participants = '(a list of 200 entries)': at most 50 entries",
    "cohort_50_alternating_years.yaml": None,
    "horizon_200_lags_200.yaml": None,
    "currency_script.yaml": "currency = '<img src=x onerror=alert(document.domain)>': must be an ISO 4217",
    "required_return_minus_099.yaml": "contract.investor_required_return = -0.99: the required return must be at least",
    "beta_sd_1e-300.yaml": "outcome.baseline_rate = {'dist': 'beta', 'mean': 0.5, 'sd': 1e-300}: a = inf is outside",
    "beta_a_1e308.yaml": "outcome.baseline_rate = {'dist': 'beta', 'a': 1e+308, 'b': 1}: a must be a finite number",
    "beta_a_tiny.yaml": "outcome.baseline_rate = {'dist': 'beta', 'a': 1e-300, 'b': 1}: a = 1e-300 is outside",
    "lognormal_cv_overflow.yaml": "costs_per_case.0.amount = {'dist': 'lognormal', 'mean': 1e-300",
    "lognormal_meanlog_700.yaml": "costs_per_case.0.amount = {'dist': 'lognormal', 'meanlog': 700, 'sdlog': 5}: needs sdlog",
    "lognormal_reaches_1e12.yaml": "an amount of money must be below 1e+12; this lognormal distribution reaches",
    "gamma_sd_1e-300.yaml": "costs_per_case.0.amount = {'dist': 'gamma', 'mean': 1000, 'sd': 1e-300}: shape = inf",
    "gamma_shape_scale_1e200.yaml": "shape must be a finite number of at most 1e+15",
    "normal_sd_1e-300.yaml": "contract.price = {'dist': 'normal', 'mean': 50000, 'sd': 1e-300, 'lower': 0}: sd = 1e-300 is too small",
    "normal_mean_1e308.yaml": "mean must be a finite number of at most 1e+15 in magnitude; got 1e+308",
    "uniform_1e308.yaml": "high must be a finite number of at most 1e+15",
    "triangular_huge.yaml": "high must be a finite number of at most 1e+15",
    "pert_inf.yaml": "contract.price.high = inf: every number must be finite",
    "text_20000_chars.yaml": "a text has at most 10,000 characters; got 20,000",
    "label_nel.yaml": None,
    "not_a_mapping.yaml": "a case must be a mapping",
    "key_with_brackets.yaml": "9\":[ase(x) = 1: unknown key; allowed here: name,",
    "python_tag.yaml": "could not determine a constructor for the tag",
}
FILES = sorted(EXPECTED)


def _finite(result) -> None:
    for name, value in result.key_figures().items():
        assert value is None or math.isfinite(value), (name, value)
    for frame in (result.cash_flows, result.savings_by_year):
        assert frame.map(math.isfinite).all().all()


def test_every_file_has_an_expectation_and_is_as_written():
    assert sorted(p.name for p in HOSTILE.glob("*.yaml")) == FILES
    from tests.hostile.make_files import FILES as TEXTS

    for name in FILES:  # the files are what make_files.py writes
        assert (HOSTILE / name).read_text(encoding="utf-8") == TEXTS[name], name


def _refusal_line(exc: SibmodelError) -> str:
    text = str(exc)
    assert "\n" not in text and len(text) <= 400, text
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize("name", FILES)
def test_api(name):
    words = EXPECTED[name]
    if words is None:
        _finite(evaluate(load_case(HOSTILE / name)))
        return
    with pytest.raises(CaseError) as err:
        evaluate(load_case(HOSTILE / name))
    text = _refusal_line(err.value)
    assert text.startswith(str(HOSTILE / name) + ": ")
    assert words in text


@pytest.mark.parametrize("name", FILES)
def test_app_upload(name):
    content = (HOSTILE / name).read_bytes()
    words = EXPECTED[name]
    if words is None:
        session = Session(case_from_upload(name, content))
        _finite(session.result)
        return
    with pytest.raises(CaseError) as err:
        case_from_upload(name, content)
    assert words in _refusal_line(err.value)


@pytest.mark.parametrize("name", FILES)
def test_cli(name, capsys):
    code = main(["evaluate", str(HOSTILE / name), "--format", "json"])
    out, err = capsys.readouterr()
    if EXPECTED[name] is None:
        assert code == 0 and err == ""
        assert "NaN" not in out and "Infinity" not in out
        return
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and len(err) <= 400, err
    assert EXPECTED[name] in err


@pytest.mark.parametrize("name", ["aliases_billion_laughs.yaml", "depth_1000_lists.yaml", "cohort_200_alternating_years.yaml",
                                  "fixed_cost_400_years.yaml", "horizon_200_lags_200.yaml"])
def test_cli_process_stays_small(name):
    """The worst files in a fresh process: one line, no traceback, at most 500 MB resident."""
    # VmHWM is this process's own peak (ru_maxrss would carry over the peak of pytest, which forked it)
    code = ("import re, sys\nfrom sibmodel.cli import main\n"
            f"rc = main(['evaluate', {str(HOSTILE / name)!r}])\n"
            "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
            "print(hwm, file=sys.stderr)\nsys.exit(rc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    *lines, rss = proc.stderr.strip().splitlines()
    assert int(rss) < 500 * 1024, f"{int(rss) / 1024:.0f} MB"
    assert "Traceback" not in proc.stderr
    assert (proc.returncode, len(lines)) == ((0, 0) if EXPECTED[name] is None else (2, 1)), proc.stderr


def test_file_too_large_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text((HOSTILE / "participants_1e6.yaml").read_text() + "#" * limits.MAX_FILE_BYTES)
    with pytest.raises(CaseError, match=r"the file is too large \(26\d,\d{3} bytes; at most 262,144\)"):
        load_case(big)
    with pytest.raises(CaseError, match="the file is too large"):
        case_from_upload("big.yaml", big.read_bytes())
    with pytest.raises(CaseError, match="the file is too large"):
        Case.from_yaml(big.read_text())


def test_a_list_of_a_million_entries_gives_a_short_message():
    from tests.hostile.make_files import BASE, case

    for path in ("cohort__participants", "intervention__fixed_cost_per_year", "outcome__persistence"):
        data = case(**{path: [1.0] * 1_000_000})
        with pytest.raises(CaseError) as err:
            Case.from_dict(data)
        text = _refusal_line(err.value)
        assert "(a list of 1,000,000 entries)" in text and "at most" in text
    data = dict(BASE, name=["x"] * 1_000_000)
    with pytest.raises(CaseError) as err:
        Case.from_dict(data)
    assert len(str(err.value)) < 400


def test_python_data_that_contains_itself_or_nests_deeply_is_refused():
    from tests.hostile.make_files import BASE

    loop: list = []
    loop.append(loop)
    with pytest.raises(CaseError, match="nested more than 20 levels deep"):
        Case.from_dict(dict(BASE, area=loop))
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(CaseError, match="nested more than 20 levels deep"):
        Case.from_dict(dict(BASE, area=deep))


def test_label_with_line_separators_survives_the_yaml_round_trip():
    case = load_case(HOSTILE / "label_nel.yaml")
    assert case.costs_per_case[0].label == "one\x85two\u2028three"
    again = Case.from_yaml(case.to_yaml())
    assert again.costs_per_case[0].label == "one\x85two\u2028three" and again == case


def test_set_values_on_the_command_line_meet_the_same_limits(capsys):
    path = str(HOSTILE / "participants_1e6.yaml")
    assert main(["evaluate", path, "--set", "contract.price=.inf"]) == 2
    err = capsys.readouterr().err  # the shared number parser refuses it before the case is built
    assert err.startswith("error: contract.price") and "finite" in err and len(err.splitlines()) == 1
    assert main(["evaluate", path, "--set", "currency=EUR"]) == 0
    capsys.readouterr()


def test_huge_integers_give_a_message_however_long():
    from tests.hostile.make_files import BASE, case

    for digits in (400, 5000, 100_000):
        for value in (10**digits, {"dist": "normal", "mean": 10**digits, "sd": 1}):
            with pytest.raises(CaseError) as err:
                Case.from_dict(case(contract__price=value))
            assert "contract.price" in _refusal_line(err.value)
        with pytest.raises(CaseError, match="more than 4,300 digits|at most 1e"):
            Case.from_yaml(f"name: x\nprice_year: 1{'0' * digits}\n")


def test_messages_are_cut_to_a_few_hundred_characters():
    from sibmodel.errors import Problem

    p = Problem("x" * 1000, ["y"] * 1_000_000, "z" * 10_000)
    assert len(str(p)) <= 300
    err = CaseError([p] * 50, source="s" * 1000)
    lines = str(err).splitlines()
    assert len(lines) == 22 and all(len(line) <= 430 for line in lines)
