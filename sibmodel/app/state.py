"""The app's state without widgets: the current case, the last good result, and the problems per input.

A change is applied to the last valid case; if the case (or its evaluation) is refused, the problem is kept
under the input that caused it and the last good case and result stay. This is what the widgets call, and
what the tests drive directly.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..case import Case
from ..caseio import load_case
from ..costs import resolve_costs
from ..errors import CaseError, Problem
from ..model import Result, evaluate
from ..resources import templates_dir
from .inputs import KINDS, format_co_payers, parse_value

#: Where the templates are: the repository's ``templates/`` folder.
TEMPLATES = templates_dir()
BLANK = "blank"
MAX_UPLOAD_BYTES = 256 * 1024
MAX_QUERY_FIELDS = 100  #: URL parameters read; more are refused with a message
MAX_QUERY_CHARS = 4000  #: characters of a URL query string read; a longer one is refused with a message

#: A blank case: every figure is a placeholder to be replaced (not a sourced estimate).
BLANK_CASE: dict[str, Any] = {
    "name": "Ny sag / new case (placeholders)",
    "price_year": 2023,
    "discounting": "dk-fm-2021",
    "cohort": {"participants": [10]},
    "outcome": {"baseline_rate": 0.5, "relative_reduction": 0.2, "horizon_years": 5, "drop_off": 0.0},
    "costs_per_case": [{"amount": 100000, "holder": "kommune", "label": "Placeholder cost / pladsholder", "quantity": 1}],
    "intervention": {"cost_per_participant": 20000},
    "contract": {"price": 100000, "payment_lag_years": 1},
}


def templates(folder: Path = TEMPLATES) -> dict[str, Path]:
    """Template case files by stem (``family_violence`` -> path), sorted, the blank template last."""
    return {p.stem: p for p in sorted(folder.glob("*.yaml"), key=lambda p: (p.stem == BLANK, p.stem))}


def template_name(path: Path, lang: str = "da") -> str:
    """The ``name`` written in a template, in ``lang`` where it gives both (the file stem if it cannot be read)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = data.get("name") or path.stem
        return str(name.get(lang) or next(iter(name.values()))) if isinstance(name, dict) else str(name)
    except Exception:  # noqa: BLE001 - a broken template is reported when it is opened
        return path.stem


def open_template(key: str, folder: Path = TEMPLATES) -> Case:
    """The case of template ``key`` (``blank`` for the blank case)."""
    paths = templates(folder)
    if key == BLANK and BLANK not in paths:
        return Case.from_dict(BLANK_CASE)
    if key not in paths:
        allowed = ", ".join(dict.fromkeys([*paths, BLANK]))
        raise CaseError(Problem("template", key, f"no such template; allowed: {allowed}", "app.template", {"allowed": allowed}))
    return load_case(paths[key])


def case_from_upload(name: str, content: bytes) -> Case:
    """A case from an uploaded file's bytes (size-limited, UTF-8 YAML, validated and checked against the catalogue)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise CaseError(Problem("upload", name, f"the file is too large ({len(content)} bytes; at most {MAX_UPLOAD_BYTES})",
                                "upload.too_large", {"n": len(content), "limit": MAX_UPLOAD_BYTES}))
    try:
        text = bytes(content).decode("utf-8")
    except UnicodeDecodeError:
        raise CaseError(Problem("upload", name, "the file is not UTF-8 text (a case file is YAML)", "upload.not_text")) from None
    case = Case.from_yaml(text, source=name)
    try:
        resolve_costs(case)  # refuses unknown catalogue keys and price years with their field paths
    except CaseError as exc:
        raise CaseError(exc.problems, name) from None
    return case


@dataclass
class Session:
    """One user's work: the template it came from, the current case, the last good result, open problems."""

    case: Case
    origin: Case | None = None
    result: Result | None = None
    problems: dict[str, list[Problem]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.origin = self.origin or self.case
        self.result = self.result or evaluate(self.case)

    @classmethod
    def start(cls, key: str) -> Session:
        return cls(open_template(key))

    def load(self, case: Case) -> None:
        """Replace the whole case (a template or an upload); raises CaseError and keeps the old one if it is refused."""
        result = evaluate(case)
        self.case, self.origin, self.result, self.problems = case, case, result, {}

    def set(self, path: str, value: Any, key: str | None = None) -> bool:
        """Set one input (dotted ``path``); False if refused (the message is kept under ``key`` or ``path``)."""
        key = key or path
        try:
            case = self.case.update({path: value})
            result = evaluate(case)
        except CaseError as exc:
            self.problems[key] = _problems(exc, path)
            return False
        self.case, self.result = case, result
        self.problems.pop(key, None)
        return True

    def refuse(self, key: str, exc: CaseError) -> None:
        """Record a problem found before the case was touched (a value that could not be parsed)."""
        self.problems[key] = _problems(exc, key)

    def message(self, key: str) -> str:
        """The English text of the problems under ``key`` ('' if none); the page words them with ``texts.problem_text``."""
        return "; ".join(str(p) for p in self.problems.get(key, []))

    @property
    def stale(self) -> bool:
        """True while some input is refused, so the result shown is the last good one."""
        return bool(self.problems)

    def changes(self) -> dict[str, Any]:
        """The app inputs whose value differs from the template or upload the session started from (with the prices
        of a rate card whose rows are those it started with)."""
        out = {}
        for path in KINDS:
            now, then = _get(self.case, path), _get(self.origin, path)
            if now != then:
                out[path] = now
        rows, origin = self.case.contract.outcomes or [], self.origin.contract.outcomes or []
        if [r.key for r in rows] == [r.key for r in origin]:  # the same card: its changed prices
            for i, (now_row, then_row) in enumerate(zip(rows, origin)):
                if now_row.price != then_row.price:
                    out[f"contract.outcomes.{i}.price"] = now_row.price
        return out

    def query(self, template: str, lang: str) -> str:
        """A URL query string that reopens this session's inputs (``?template=...&lang=...&path=value``)."""
        params: list[tuple[str, str]] = [("template", template), ("lang", lang)]
        for path, value in self.changes().items():
            params.append((path, _url_value(path, value)))
        return "?" + urllib.parse.urlencode(params, safe=",;")


def parse_query(query: str) -> tuple[str | None, str | None, dict[str, Any], list[Problem]]:
    """(template, lang, changes, problems) from a URL query string; each value validated on its own."""
    template = lang = None
    changes: dict[str, Any] = {}
    problems: list[Problem] = []
    query = query.lstrip("?")
    if len(query) > MAX_QUERY_CHARS:
        return None, None, {}, [Problem("address", f"{len(query)} characters", f"the address is too long; at most {MAX_QUERY_CHARS} "
                                        "characters of parameters are read", "query.too_long", {"n": len(query), "limit": MAX_QUERY_CHARS})]
    n = query.count("&") + 1 if query else 0
    if n > MAX_QUERY_FIELDS:
        return None, None, {}, [Problem("address", f"{n} parameters", f"too many parameters; at most {MAX_QUERY_FIELDS} are read",
                                        "query.too_many", {"n": n, "limit": MAX_QUERY_FIELDS})]
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS):
        if key == "template":
            template = value
        elif key == "lang":
            if value in ("da", "en"):
                lang = value
            else:
                problems.append(Problem("lang", value, "must be da or en", "app.choice", {"allowed": "da, en"}))
        else:
            try:
                changes[key] = parse_value(key, value, url=True)
            except CaseError as exc:
                problems.extend(exc.problems)
    return template, lang, changes, problems


def apply_changes(case: Case, changes: dict[str, Any]) -> tuple[Case, list[Problem]]:
    """Apply changes one by one to ``case``; refused ones are reported and skipped."""
    problems = []
    for path, value in changes.items():
        try:
            candidate = case.update({path: value})
            resolve_costs(candidate)  # what evaluate() could still refuse: catalogue keys, price years
        except CaseError as exc:
            problems.extend(exc.problems)
            continue
        case = candidate
    return case, problems


def _get(case: Case, path: str) -> Any:
    try:
        return case.get(path)
    except CaseError:
        return None


def _url_value(path: str, value: Any) -> str:
    """A value as a URL writes it: the English way, lists with commas, co-payers ``name: share[ private]; ...``."""
    if KINDS.get(path) == "co_payers":
        return format_co_payers(value, "en") or "none"
    if KINDS.get(path) == "guarantee":
        return "none" if value is None else str(value["amount"] if isinstance(value, dict) else value.amount)
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return "none" if value is None else str(value)


def _problems(exc: CaseError, path: str) -> list[Problem]:
    """The problems of an error (each names its field, value and what is allowed)."""
    return list(exc.problems) or [Problem(path, None, str(exc))]
