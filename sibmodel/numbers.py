"""One reading of numbers typed by people: the command line's ``--set``, the app's fields and its URL parameters.

English (``"en"``): a point marks decimals; YAML's notation is accepted (``150000``, ``0.5``, ``1e5``,
``1.5e-3``, ``150_000``). A thousands separator (``150,000`` or ``150.000``) is refused with a message that says
why, never read as a smaller number.

Danish (``"da"``): a comma marks decimals and a point (or a space) separates thousands (``150.000``,
``150.000,50``, ``0,5``, ``1.234.567``); scientific notation is accepted with either mark (``1e5``, ``1,5e3``).
A point that cannot be a thousands separator (``0.5``) is refused rather than guessed.

Both: a trailing ``kr.``/``kr``/``DKK`` is dropped; ``%`` is refused (shares are written as fractions,
``0.3`` for 30 %); infinities and NaN are refused. Errors are ``CaseError`` with one ``Problem`` whose ``code``
(``number.*``) and ``params`` let a surface translate the message.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

from .errors import CaseError, Problem

LANGS = ("da", "en")

_SPACES = "\u00a0\u202f\u2009 "  # no-break, narrow no-break, thin and plain space
_CURRENCY = re.compile(r"\s*(kr\.?|dkk)$", re.IGNORECASE)
_EXP = r"(?:[eE][-+]?\d+)"
# YAML 1.2 core schema float/int (and YAML 1.1's digit underscores), without infinities and NaN
_PLAIN = re.compile(rf"[-+]?(?:\d(?:_?\d)*(?:\.\d*)?|\.\d+){_EXP}?")
_NONFINITE = re.compile(r"[-+]?(?:\.?inf(?:inity)?|\.?nan)", re.IGNORECASE)
# thousands grouped by ',' or '.' (English habits and Danish habits), optionally with decimals after the other mark
_GROUPED_COMMA = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_GROUPED_POINT = re.compile(r"[-+]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
_DA_GROUPED = re.compile(r"([-+]?)(\d{1,3}(?:([. ])\d{3})?(?:\3\d{3})*|\d+)(?:,(\d+))?")
_DA_EXP = re.compile(rf"([-+]?)(\d+)(?:[.,](\d*))?({_EXP})")


def _refuse(path: str, text: str, code: str, message: str, **params: object) -> CaseError:
    return CaseError(Problem(path, text, message, code=f"number.{code}", params={"text": text, **params}))


def _normalise(text: str) -> str:
    s = text.strip().replace("\u2212", "-")  # a typographic minus, as word processors write it
    s = _CURRENCY.sub("", s).strip()
    for space in _SPACES:
        s = s.replace(space, " ")
    return s


def parse_number(text: str | int | float, lang: str = "en", *, path: str = "") -> float:
    """The number a person typed in ``lang`` (``"en"`` or ``"da"``), as a finite float.

    ``path`` names the field in the error (for example ``"contract.price"``). Raises ``CaseError`` with a
    ``number.*`` code: ``empty``, ``invalid``, ``not_finite``, ``percent``, ``thousands_separator`` (English),
    ``decimal_comma`` (English), ``decimal_point`` (Danish) or ``grouping`` (Danish).
    """
    if lang not in LANGS:
        raise _refuse(path, str(text), "language", f"unknown language {lang!r}; allowed: da, en", lang=lang)
    if isinstance(text, bool):
        raise _refuse(path, str(text), "invalid", "write a number, not true/false", lang=lang)
    if isinstance(text, (int, float)):
        value = float(text)
        if not math.isfinite(value):
            raise _refuse(path, str(text), "not_finite", "must be a finite number", lang=lang)
        return value
    s = _normalise(str(text))
    if not s:
        raise _refuse(path, str(text), "empty", "write a number", lang=lang)
    if s.endswith("%"):
        raise _refuse(path, str(text), "percent",
                      "write a share as a fraction without %, e.g. 0.3 for 30 %" if lang == "en"
                      else "write a share as a fraction without %, e.g. 0,3 for 30 %", lang=lang)
    if _NONFINITE.fullmatch(s):
        raise _refuse(path, str(text), "not_finite", "must be a finite number (not infinity or NaN)", lang=lang)
    value = _parse_en(s, str(text), path) if lang == "en" else _parse_da(s, str(text), path)
    if not math.isfinite(value):
        raise _refuse(path, str(text), "not_finite", "is too large to be a finite number", lang=lang)
    return value


def _parse_en(s: str, text: str, path: str) -> float:
    plain = None
    if _GROUPED_COMMA.fullmatch(s):
        plain = s.replace(",", "")
    elif _GROUPED_POINT.fullmatch(s):
        plain = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[-+]?\d{1,3}(?: \d{3})+(?:\.\d+)?", s):
        plain = s.replace(" ", "")
    if plain is not None:
        raise _refuse(path, text, "thousands_separator",
                      f"has a thousands separator, which English input does not take (it could be read as a "
                      f"smaller number): write {plain}",
                      lang="en", suggestion=plain)
    if "," in s:
        raise _refuse(path, text, "decimal_comma",
                      f"English input marks decimals with a point, not a comma: write {s.replace(',', '.')}",
                      lang="en", suggestion=s.replace(",", "."))
    if _PLAIN.fullmatch(s):
        return float(s.replace("_", ""))
    raise _refuse(path, text, "invalid", "is not a number (write e.g. 150000, 0.5 or 1e5)", lang="en")


def _parse_da(s: str, text: str, path: str) -> float:
    m = _DA_EXP.fullmatch(s)
    if m:
        sign, whole, frac, exp = m.groups()
        return float(f"{sign}{whole}.{frac or '0'}{exp}")
    m = _DA_GROUPED.fullmatch(s)
    if m:
        sign, whole, _, frac = m.groups()
        if whole.startswith("0") and len(whole) > 1 and not whole.isdigit():
            raise _refuse(path, text, "grouping", "a thousands separator cannot follow a leading 0", lang="da")
        return float(f"{sign}{re.sub(r'[. ]', '', whole)}.{frac or '0'}")
    if re.fullmatch(r"[-+]?\d*\.\d+", s):
        suggestion = s.replace(".", ",")
        raise _refuse(path, text, "decimal_point",
                      f"Danish input marks decimals with a comma and separates thousands with a point in groups of "
                      f"three: write {suggestion}", lang="da", suggestion=suggestion)
    if re.fullmatch(r"[-+]?[\d. ]+(,\d+)?", s):
        raise _refuse(path, text, "grouping",
                      "the thousands separators are not in groups of three digits (e.g. 1.234.567)", lang="da")
    raise _refuse(path, text, "invalid", "is not a number (write e.g. 150.000, 0,5 or 1e5)", lang="da")


def format_number_input(x: float, lang: str = "en", *, grouping: bool = True) -> str:
    """``x`` written as ``parse_number`` reads it in ``lang``, to echo how an input was understood:
    ``150000`` -> ``"150.000"`` (da) or ``"150,000"`` (en); ``0.5`` -> ``"0,5"`` / ``"0.5"``.

    Every digit needed to give ``x`` back is kept. With ``grouping=False`` no thousands separator is written, so
    ``parse_number(format_number_input(x, lang, grouping=False), lang) == x`` in both languages (and with
    grouping in Danish). Very large or small magnitudes (>= 1e15, < 1e-6) are written in scientific notation.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: da, en")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x!r}")
    decimal = "," if lang == "da" else "."
    if x != 0 and not 1e-6 <= abs(x) < 1e15:
        return repr(x).replace(".", decimal)
    text = format(Decimal(repr(x)), "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    frac = frac.rstrip("0")
    if grouping:
        whole = f"{int(whole):,}".replace(",", "." if lang == "da" else ",")
    if sign and whole == "0" and not frac:
        sign = ""
    return f"{sign}{whole}{decimal + frac if frac else ''}"
