"""Reading case files: load_case, the limited safe YAML loader and the text-preserving dumper."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sibmodel import Case, CaseError, limits, load_case
from sibmodel.yamlio import dump_yaml, load_yaml
from tests.conftest import BASE, TEMPLATES


def test_templates_load_with_the_limited_loader_as_with_pyyaml():
    for path in TEMPLATES.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text) == yaml.safe_load(text)
        assert load_case(path) == Case.from_dict(yaml.safe_load(text))


def test_duplicate_keys_are_refused_with_the_key_and_line():
    with pytest.raises(CaseError, match=r"^contract: this key is given twice in one section \(line 3, column 1\)"):
        load_yaml("contract: {price: 1}\nname: x\ncontract: {price: 2}\n")
    with pytest.raises(CaseError, match=r"^price: this key is given twice"):
        load_yaml("contract:\n  price: 1\n  cap: null\n  price: 2\n")
    # the same key in different sections, and merge keys, are fine
    assert load_yaml("a: {x: 1}\nb: {x: 2}\n") == {"a": {"x": 1}, "b": {"x": 2}}
    assert load_yaml("base: &b {x: 1, y: 1}\nc: {<<: *b, y: 2}\n")["c"] == {"x": 1, "y": 2}


def test_aliases_within_the_limits_are_kept():
    text = "a: &a [1, 2]\n" + "".join(f"b{i}: *a\n" for i in range(limits.MAX_ALIASES))
    data = load_yaml(text)
    assert data["b0"] == [1, 2] and len(data) == limits.MAX_ALIASES + 1
    with pytest.raises(CaseError, match=f"more than {limits.MAX_ALIASES} aliases"):
        load_yaml(text + "c: *a\n")


def test_alias_expansion_and_nesting_are_bounded():
    # ten aliases that expand to 10 ** 6 values
    text = "a0: &a0 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 7))
    with pytest.raises(CaseError, match="the aliases expand to more than 100,000 values"):
        load_yaml(text)
    chain = "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 25))
    with pytest.raises(CaseError, match="the aliases nest more than 20 levels deep"):
        load_yaml(chain)
    with pytest.raises(CaseError, match="an alias refers to the value that contains it"):
        load_yaml("a: &a {b: *a}\n")
    # the case's mapping is the first level
    n = limits.MAX_DEPTH - 1
    assert load_yaml("a: " + "[" * n + "]" * n)["a"] is not None
    with pytest.raises(CaseError, match="nested more than 20 levels deep"):
        load_yaml("a: " + "[" * (n + 1) + "]" * (n + 1))


def test_file_size_is_checked_before_reading(tmp_path):
    ok = tmp_path / "ok.yaml"
    text = yaml.safe_dump(BASE)
    ok.write_text(text + "#" * (limits.MAX_FILE_BYTES - len(text.encode())))
    assert ok.stat().st_size == limits.MAX_FILE_BYTES
    assert load_case(ok).name == BASE["name"]
    ok.write_text(ok.read_text() + "#")
    with pytest.raises(CaseError, match=r"too large \(262,145 bytes; at most 262,144\)"):
        load_case(ok)


def test_unreadable_files(tmp_path):
    with pytest.raises(CaseError, match="case file not found"):
        load_case(tmp_path / "missing.yaml")
    with pytest.raises(CaseError, match="not a file"):
        load_case(tmp_path)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: K\xf8ge\n".encode("latin-1"))
    with pytest.raises(CaseError, match="not UTF-8 text"):
        load_case(latin)


def test_python_tags_are_not_constructed():
    with pytest.raises(CaseError, match="could not determine a constructor"):
        load_yaml("a: !!python/object/apply:os.system ['echo hi']\n")


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@given(st.dictionaries(text, st.one_of(text, st.lists(text, max_size=3)), max_size=4))
def test_dump_then_load_gives_the_same_text(data):
    assert load_yaml(dump_yaml(data)) == data


@pytest.mark.parametrize("label", ["one\x85two", "a\u2028b\u2029c", "cr\rlf\r\n", " padded ", "=1+2", "tab\there", "'quoted\""])
def test_case_text_survives_to_yaml(label):
    data = {**BASE, "costs_per_case": [{**BASE["costs_per_case"][0], "label": label}], "name": label}
    case = Case.from_dict(data)
    again = Case.from_yaml(case.to_yaml())
    assert again.costs_per_case[0].label == label and again.name == label and again == case
