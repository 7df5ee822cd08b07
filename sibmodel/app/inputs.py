"""Turning what a user typed (or a URL or a browser sent) into case values; every value is untrusted.

Numbers are read in the page's language (``lang``) by the package's one parser, :mod:`sibmodel.numbers`:
Danish ``150.000`` is 150000 and ``0,5`` is 0.5; under English a thousands separator is refused with a
message, and ``0.5`` is 0.5. Lists are separated by
semicolons (``8; 8; 9``; commas also separate list items in URLs). Anything that is not a finite number of the
right kind and range is refused with a :class:`~sibmodel.errors.CaseError` whose problem names the field, the
value and what is allowed, with a ``code`` and ``params`` so that the page can word it in its language.
"""
from __future__ import annotations

import re
from typing import Any

from ..case import HOLDERS
from ..discount import SCHEDULES
from ..errors import CaseError, Problem
from ..numbers import format_number_input as _format_number_input
from ..numbers import parse_number as _parse_number

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
    "contract.threshold": "optional",
    "contract.cap_per_participant": "optional",
    "contract.payers": "payers",
    "contract.co_payers": "co_payers",
    "contract.guarantee": "guarantee",
    "contract.investor_share": "number",
    "contract.investor_required_return": "number",
    "discounting": "discounting",
}

#: The price of a rate-card row (``contract.outcomes.2.price``): an input of its own in URLs.
ROW_PRICE = re.compile(r"contract\.outcomes\.\d{1,3}\.price")

MAX_ABS = 1e15  # no public budget is larger; bigger numbers are typing errors
MAX_TEXT = 200  #: characters of a text box that are read; longer input is refused (and not echoed in full)
#: Units a box may show after its number (the box echoes "150.000 kr."); they are dropped before reading.
_UNIT = re.compile(r"\s*(år|years?|personer|people)\s*$", re.IGNORECASE)


def _problem(path: str, value: Any, message: str, code: str, **params: Any) -> CaseError:
    return CaseError(Problem(path, value, message, code, params))


def read_number(text: Any, lang: str = "da", path: str = "") -> float:
    """The number in ``text`` written the ``lang`` way (:func:`sibmodel.numbers.parse_number`), bounded in length
    (:data:`MAX_TEXT` characters) and size (:data:`MAX_ABS`)."""
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise _problem(path, text, f"is too long ({len(text)} characters; at most {MAX_TEXT})", "text.too_long",
                       n=len(text), limit=MAX_TEXT)
    if text is None or not isinstance(text, (str, int, float)):
        raise _problem(path, text, "must be a number", "number.invalid")
    value = _parse_number(text, lang, path=path)
    if abs(value) > MAX_ABS:
        raise _problem(path, text, f"must lie between -{MAX_ABS:g} and {MAX_ABS:g}", "number.out_of_range",
                       lo=-MAX_ABS, hi=MAX_ABS)
    return value


def format_number_input(x: float, lang: str = "da") -> str:
    """``x`` as a box shows it and reads it back: Danish ``150.000,5``; English ``150000.5`` (English input takes
    no thousands separator)."""
    text = _format_number_input(x, lang, grouping=lang == "da")
    if lang == "en" and re.fullmatch(r"-?[1-9]\d{0,2}(\.\d{3})+", text):
        text += "0"  # "100.125" reads as a thousands separator in English input; "100.1250" is the same number
    return text


def strip_unit(text: Any) -> Any:
    """``"150.000 kr."`` -> ``"150.000"`` (a box echoes its value with the unit; reading it again must work)."""
    return _UNIT.sub("", text) if isinstance(text, str) and len(text) <= MAX_TEXT else text


def parse_number(path: str, text: Any, lang: str = "da", lo: float | None = None, hi: float | None = None) -> float:
    """A number from text in ``lang``, within ``[lo, hi]`` where given (never clamped: refused with a message)."""
    value = read_number(strip_unit(text), lang, path=path)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        lo_, hi_ = -MAX_ABS if lo is None else lo, MAX_ABS if hi is None else hi
        raise _problem(path, text, f"must lie between {lo_:g} and {hi_:g}", "number.out_of_range", lo=lo_, hi=hi_)
    return value


def parse_list(path: str, text: Any, sep: str = ";", lang: str = "da") -> float | list[float]:
    """One number, or a list of numbers separated by ``sep`` (``;`` in text boxes; ``,`` or ``;`` in URLs)."""
    if isinstance(text, list):
        return [parse_number(f"{path}.{i}", v, lang) for i, v in enumerate(text)]
    if not isinstance(text, str):
        return parse_number(path, text, lang)
    if len(text) > MAX_TEXT:
        raise _problem(path, text, f"is too long ({len(text)} characters; at most {MAX_TEXT})", "text.too_long",
                       n=len(text), limit=MAX_TEXT)
    parts = [p for p in re.split(f"[{re.escape(sep)}\n]", text) if p.strip()]
    if not parts:
        raise _problem(path, text, "must be a number or a list of numbers separated by ';'", "number.list")
    values = [parse_number(path, p, lang) for p in parts]
    return values[0] if len(values) == 1 and not any(c in text for c in sep) else values


def parse_int(path: str, text: Any, lang: str = "da", lo: int | None = None, hi: int | None = None) -> int:
    value = parse_number(path, text, lang, lo, hi)
    if value != int(value):
        raise _problem(path, text, "must be a whole number", "number.not_integer")
    return int(value)


def parse_text(path: str, text: Any) -> str:
    """A short free text (a name): at most :data:`MAX_TEXT` characters."""
    text = str(text)
    if len(text) > MAX_TEXT:
        raise _problem(path, text, f"is too long ({len(text)} characters; at most {MAX_TEXT})", "text.too_long",
                       n=len(text), limit=MAX_TEXT)
    return text


def _none(text: Any) -> bool:
    """An optional input left empty or written as none (``none``, ``null``, ``ingen``)."""
    return str(text).strip().lower() in ("", "none", "null", "ingen")


def parse_value(path: str, text: str, *, url: bool = False, lang: str = "da") -> Any:
    """The case value at ``path`` from its text form (a URL query value with ``url=True``).

    URL values are written the English way (``0.5``, ``150000``; lists ``8,8,9``) whatever the page's language,
    so that a link means the same for everyone.
    """
    kind = KINDS.get(path) or ("number" if ROW_PRICE.fullmatch(str(path)) else None)
    lang = "en" if url else lang
    if kind is None:
        allowed = ", ".join(sorted(KINDS))
        raise _problem(path, text, f"not an input of the app; allowed: template, lang, {allowed}", "app.unknown_input",
                       allowed=allowed)
    if kind == "number":
        return parse_number(path, text, lang)
    if kind == "int":
        return parse_int(path, text, lang)
    if kind == "list":
        value = parse_list(path, text, sep=",;" if url else ";", lang=lang)
        if path == "cohort.participants" and not isinstance(value, list):
            value = [value]
        return value
    if kind == "optional":
        return None if _none(text) else parse_number(path, text, lang)
    if kind == "metric":
        if text not in ("prevented_case", "success"):
            raise _problem(path, text, "must be prevented_case or success", "app.choice", allowed="prevented_case, success")
        return text
    if kind == "guarantee":  # the amount of a first-loss guarantee (DKK); empty or none: no guarantee
        return None if _none(text) else {"amount": parse_number(path, text, lang, 0.0)}
    if kind == "co_payers":
        return parse_co_payers(path, "" if _none(text) else text, lang)
    if kind == "payers":
        payers = [p.strip() for p in re.split("[,;]", text) if p.strip()]
        bad = [p for p in payers if p not in HOLDERS]
        if bad or not payers:
            raise _problem(path, text, f"must be one or more of {', '.join(HOLDERS)}, separated by commas", "app.payers",
                           allowed=", ".join(HOLDERS))
        return payers
    # discounting: a named schedule or a constant rate
    if text in SCHEDULES:
        return text
    try:
        return parse_number(path, text, lang)
    except CaseError:
        raise _problem(path, text, f"must be one of {', '.join(SCHEDULES)} or a constant rate such as 0.035",
                       "app.discounting", allowed=", ".join(SCHEDULES)) from None


def format_list(value: float | list[float], lang: str = "da") -> str:
    """The text form of a number or list shown in a text box (``8; 8; 9``; ``150.000`` in Danish)."""
    if isinstance(value, list):
        return "; ".join(format_number_input(float(v), lang) for v in value)
    return format_number_input(float(value), lang)


_PRIVATE = re.compile(r"\s+(privat|private)\s*$", re.IGNORECASE)


def parse_co_payers(path: str, text: Any, lang: str = "da") -> list[dict[str, Any]] | None:
    """Co-payers from ``name: share [privat|private]; ...`` (``None`` when empty); shares read in ``lang``."""
    text = parse_text(path, "" if text is None else text).strip()
    if not text:
        return None
    out = []
    for i, part in enumerate(p.strip() for p in text.split(";") if p.strip()):
        name, sep, share = part.rpartition(":")
        if not sep or not name.strip():
            raise _problem(f"{path}.{i}", part, "write 'name: share' separated by semicolons, e.g. The fund: 0.5",
                           "app.co_payers")
        private = bool(_PRIVATE.search(share))
        out.append({"name": name.strip(), "share": parse_number(f"{path}.{i}.share", _PRIVATE.sub("", share), lang, 0.0, 1.0),
                    "public": not private})
    return out


def format_co_payers(co_payers: list[Any] | None, lang: str = "da") -> str:
    """The text form of co-payers (read back by :func:`parse_co_payers`)."""
    word = "privat" if lang == "da" else "private"
    rows = [c if isinstance(c, dict) else c.model_dump() for c in co_payers or []]
    return "; ".join(f"{c['name']}: {format_number_input(float(c['share']), lang)}{'' if c.get('public', True) else ' ' + word}"
                     for c in rows)
