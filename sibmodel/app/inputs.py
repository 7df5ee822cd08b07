"""Turning what a user typed (or a URL or a browser sent) into case values; every value is untrusted.

Numbers may use a decimal comma (``0,5``) or point; lists are separated by semicolons (``8; 8; 9``; commas
also separate list items in URLs). Anything that is not a finite number of the right kind is refused with a
:class:`~sibmodel.errors.CaseError` that names the field, the value and what is allowed.
"""
from __future__ import annotations

import math
import re
from typing import Any

from ..case import HOLDERS
from ..discount import SCHEDULES
from ..errors import CaseError, Problem

#: How each input path is parsed from text (URL query parameters, text boxes).
KINDS: dict[str, str] = {
    "cohort.participants": "list",
    "outcome.baseline_rate": "number",
    "outcome.relative_reduction": "number",
    "outcome.drop_off": "number",
    "outcome.onset_lag_years": "int",
    "outcome.horizon_years": "int",
    "adjustments.attribution": "number",
    "adjustments.displacement": "number",
    "adjustments.optimism_bias": "number",
    "intervention.cost_per_participant": "number",
    "intervention.delivery_years": "int",
    "intervention.fixed_cost_per_year": "list",
    "contract.metric": "metric",
    "contract.price": "number",
    "contract.payment_lag_years": "int",
    "contract.cap": "optional",
    "contract.payers": "payers",
    "contract.investor_share": "number",
    "contract.investor_required_return": "number",
    "discounting": "discounting",
}

_THOUSANDS = re.compile(r"^-?\d{1,3}([.]\d{3})+$")
MAX_ABS = 1e15  # no public budget is larger; bigger numbers are typing errors


def finite(path: str, value: Any) -> float:
    """``value`` as a float if it is a finite number of sensible size; refuse otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CaseError(Problem(path, value, "must be a number"))
    if not math.isfinite(value):
        raise CaseError(Problem(path, value, "must be a finite number"))
    if abs(value) > MAX_ABS:
        raise CaseError(Problem(path, value, f"must lie between -{MAX_ABS:g} and {MAX_ABS:g}"))
    return float(value)


def parse_number(path: str, text: Any) -> float:
    """A number from text: ``150000``, ``0,5``, ``0.5``, ``1e6``; thousands separators are refused as ambiguous."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return finite(path, text)
    if not isinstance(text, str):
        raise CaseError(Problem(path, text, "must be a number"))
    s = text.strip().replace(" ", "").replace("\u00a0", "").replace("_", "")
    if _THOUSANDS.match(s) or s.count(",") > 1:
        raise CaseError(Problem(path, text, "is ambiguous: write the number without thousands separators (e.g. 150000)"))
    s = s.replace(",", ".").replace("\u2212", "-")
    try:
        value = float(s)
    except ValueError:
        raise CaseError(Problem(path, text, "must be a number (decimal comma or point)")) from None
    try:
        return finite(path, value)
    except CaseError as exc:  # report the value as it was typed
        raise CaseError(Problem(path, text, exc.problems[0].message)) from None


def parse_list(path: str, text: Any, sep: str = ";") -> float | list[float]:
    """One number, or a list of numbers separated by ``sep`` (``;`` in text boxes; ``,`` or ``;`` in URLs)."""
    if isinstance(text, list):
        return [finite(f"{path}.{i}", v) for i, v in enumerate(text)]
    if not isinstance(text, str):
        return parse_number(path, text)
    parts = [p for p in re.split(f"[{re.escape(sep)}\n]", text) if p.strip()]
    if not parts:
        raise CaseError(Problem(path, text, "must be a number or a list of numbers separated by ';'"))
    values = [parse_number(path, p) for p in parts]
    return values[0] if len(values) == 1 and sep not in text else values


def parse_int(path: str, text: Any) -> int:
    value = parse_number(path, text)
    if value != int(value):
        raise CaseError(Problem(path, text, "must be a whole number of years"))
    return int(value)


def parse_value(path: str, text: str, *, url: bool = False) -> Any:
    """The case value at ``path`` from its text form (a URL query value with ``url=True``)."""
    kind = KINDS.get(path)
    if kind is None:
        allowed = ", ".join(sorted(KINDS))
        raise CaseError(Problem(path, text, f"not an input of the app; allowed: template, lang, {allowed}"))
    if kind == "number":
        return parse_number(path, text)
    if kind == "int":
        return parse_int(path, text)
    if kind == "list":
        value = parse_list(path, text, sep=",;" if url else ";")
        if path == "cohort.participants" and not isinstance(value, list):
            value = [value]
        return value
    if kind == "optional":
        return None if text.strip().lower() in ("", "none", "null", "ingen") else parse_number(path, text)
    if kind == "metric":
        if text not in ("prevented_case", "success"):
            raise CaseError(Problem(path, text, "must be prevented_case or success"))
        return text
    if kind == "payers":
        payers = [p.strip() for p in re.split("[,;]", text) if p.strip()]
        bad = [p for p in payers if p not in HOLDERS]
        if bad or not payers:
            raise CaseError(Problem(path, text, f"must be one or more of {', '.join(HOLDERS)}, separated by commas"))
        return payers
    # discounting: a named schedule or a constant rate
    if text in SCHEDULES:
        return text
    try:
        return parse_number(path, text)
    except CaseError:
        raise CaseError(Problem(path, text, f"must be one of {', '.join(SCHEDULES)} or a constant rate such as 0.035")) from None


def format_list(value: float | list[float]) -> str:
    """The text form of a number or list shown in a text box (``8; 8; 9``)."""
    if isinstance(value, list):
        return "; ".join(_short(v) for v in value)
    return _short(value)


def _short(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))
