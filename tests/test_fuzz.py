"""A fuzzer over the templates: mutated case files (text and structure) give a case with finite figures or a
sibmodel error, never another exception or a non-finite figure. Derandomized, so every run sees the same
examples; about two thousand per run."""
from __future__ import annotations

import copy
import math
import re

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sibmodel import Case, SibmodelError, evaluate, resolve_costs, simulate
from tests.conftest import TEMPLATES

TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.yaml"))}
DATA = {k: yaml.safe_load(v) for k, v in TEXTS.items()}
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")

HOSTILE_NUMBERS = ["0", "-0.0", "-1", "1e-300", "5e-324", "1e308", "-1e308", "1e12", "9.99e11", "1e7", "1" + "0" * 400,
                   ".inf", "-.inf", ".nan", "0.9999999999999999", "1.0000000000000002", "200", "201", "-0.5", "2023"]
HOSTILE_VALUES = [0, -0.0, -1, 1e-300, 1e308, -1e308, math.inf, math.nan, 10**400, 1e12, 9.99e11, 1e7, 0.5, 1, 2, 200,
                  201, True, None, "", "x" * 300, "<script>", "=1+1", [], [0], [1e308], [1] * 60, {}, {"dist": "beta"},
                  {"dist": "beta", "mean": 0.5, "sd": 1e-300}, {"dist": "lognormal", "meanlog": 700, "sdlog": 5},
                  {"dist": "gamma", "shape": 1e-4, "scale": 1e4}, {"dist": "normal", "mean": 0.5, "sd": 0.2},
                  {"dist": "uniform", "low": 0, "high": 1}, {"dist": "pert", "low": 0, "mode": 1, "high": 1e11},
                  {"dist": "triangular", "low": 0, "mode": 0, "high": 1e-300}]
FUZZ = settings(max_examples=1000, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _figures_are_finite_or_none(case: Case) -> None:
    result = evaluate(case)
    for name, value in result.key_figures().items():
        assert value is None or (isinstance(value, (int, float)) and math.isfinite(value)), (name, value)
    assert np.isfinite(result.cash_flows.to_numpy(dtype=float)).all()
    assert np.isfinite(result.savings_by_year.to_numpy(dtype=float)).all()
    if case.distributions:
        sim = simulate(case, draws=16, seed=0)
        assert not np.isinf(sim.draws.to_numpy(dtype=float)).any()


def _run(text: str) -> None:
    try:
        case = Case.from_yaml(text, source="fuzz.yaml")
        resolve_costs(case)
        _figures_are_finite_or_none(case)
    except SibmodelError as exc:
        assert len(str(exc)) < 30 * 320, len(str(exc))  # at most 20 problems of at most 300 characters


@st.composite
def text_mutations(draw):
    """A template's text with a few edits: a number replaced, a line duplicated, deleted or cut, characters inserted."""
    text = TEXTS[draw(st.sampled_from(sorted(TEXTS)))]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["number", "number", "number", "dup", "delete", "insert", "cut", "alias"]))
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        spans = [m.span() for m in NUMBER.finditer(text)]
        if kind == "number" and spans:
            a, b = spans[draw(st.integers(0, len(spans) - 1))]
            text = text[:a] + draw(st.sampled_from(HOSTILE_NUMBERS)) + text[b:]
        elif kind == "dup":
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif kind == "delete":
            del lines[i]
            text = "\n".join(lines)
        elif kind == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        elif kind == "alias":
            text = text.replace(": ", ": &x ", 1) + "\nextra: *x\n"
        else:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.text(st.sampled_from("[]{}:-&*!|>'\"#,\t \n0123456789.e\x85\u2028"), max_size=6)) + text[at:]
    return text


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


@st.composite
def data_mutations(draw):
    """A template's data with a few values (at any depth) replaced by hostile ones, dumped as YAML."""
    data = copy.deepcopy(DATA[draw(st.sampled_from(sorted(DATA)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
    return yaml.safe_dump(data, allow_unicode=True)


@FUZZ
@given(text_mutations())
def test_mutated_template_text(text):
    _run(text)


@FUZZ
@given(data_mutations())
def test_mutated_template_values(text):
    _run(text)
