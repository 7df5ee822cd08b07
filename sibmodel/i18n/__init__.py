"""Words and number formats of sibmodel, in Danish (``da``) and English (``en``): one catalogue, one set of
formatters, one language check and one palette for every surface (notebooks, report, workbook, INDIGO, app, CLI).

The catalogue is data (``texts.yaml`` beside this file). Numbers are formatted with Babel's locale data for
``da_DK`` and ``en_GB``: money ``1.234.567 kr.`` / ``DKK 1,234,567``, percentages ``3,5 %`` / ``3.5 %``; a
figure that does not exist (None, NaN, inf) is shown as ``–``, never ``nan``.

This module depends on nothing in sibmodel but :mod:`sibmodel.errors` (and the schedules of
:mod:`sibmodel.discount` for :func:`discount_label`), so the core may use its labels.
"""
from __future__ import annotations

import math
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from numbers import Real
from typing import Any, Mapping

import yaml
from babel.numbers import format_decimal, get_currency_symbol

from ..errors import ArgumentError, Problem

LANGS = ("da", "en")
LOCALES = {"da": "da_DK", "en": "en_GB"}
MISSING = "–"  #: shown where a figure does not exist (en dash)

#: One colour per budget holder, used by the notebooks, the report and the app.
HOLDER_COLOURS: dict[str, str] = {"kommune": "#1f5fa6", "region": "#3a9a5b", "stat": "#e08a1e"}
#: The other colours of the charts: corridor (and positive flows), gap (and negative flows), lines, neutral.
PALETTE: dict[str, str] = {"corridor": "#3a9a5b", "gap": "#c8423b", "line": "#222222", "neutral": "#8a8a8a",
                           "investor": "#6a1b9a", **HOLDER_COLOURS}


# -- the catalogue -----------------------------------------------------------------------------------------------

def _flatten(node: Mapping[str, Any], prefix: str, out: dict[str, dict[str, str]]) -> None:
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and "da" in value and "en" in value:
            out[path] = {k: str(v) for k, v in value.items()}
        elif isinstance(value, Mapping):
            _flatten(value, path + ".", out)
        else:
            raise ValueError(f"texts.yaml: {path}: a text needs both 'da' and 'en'")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every text by its dotted key (``figure.investor_moic`` -> ``{"da": ..., "en": ..., "unit": ...}``)."""
    raw = yaml.safe_load(resources.files(__package__).joinpath("texts.yaml").read_text(encoding="utf-8"))
    out: dict[str, dict[str, str]] = {}
    _flatten(raw, "", out)
    return out


def check_lang(lang: str) -> str:
    """``lang`` if it is ``"da"`` or ``"en"``; else an ArgumentError naming the value and what is allowed."""
    if lang not in LANGS:
        raise ArgumentError(Problem("lang", lang, "allowed: 'da' (Danish), 'en' (English)", "lang.unknown",
                                    {"value": lang}))
    return lang


def has_text(key: str) -> bool:
    """Whether the catalogue has ``key``."""
    return key in catalogue()


def text(key: str, lang: str, **params: Any) -> str:
    """The text of ``key`` (``chart.year``, ``message.report.pdf_timeout``, ...) in ``lang``, with ``params``
    filled in. A message code (``Problem.code``) is looked up under ``message.<code>``."""
    check_lang(lang)
    cat = catalogue()
    entry = cat.get(key) or cat.get(f"message.{key}")
    if entry is None:
        raise ArgumentError(Problem("key", key, "no text with this key in sibmodel/i18n/texts.yaml", "text.unknown",
                                    {"value": key}))
    return entry[lang].format(**params) if params else entry[lang]


def message(problem: Problem, lang: str) -> str:
    """A problem in ``lang``: by its code where the catalogue has it, else its own (English) message."""
    if problem.code and has_text(f"message.{problem.code}"):
        try:
            return text(f"message.{problem.code}", lang, **{"value": problem.value, **problem.params})
        except (KeyError, IndexError):
            pass  # the catalogue text wants a parameter this problem lacks: fall back to the message
    return str(problem)


# -- labels and units ----------------------------------------------------------------------------------------------

def holder_label(holder: str, lang: str, definite: bool = False) -> str:
    """A budget holder in ``lang``: ``kommune``/``municipality``; ``definite`` (Danish): ``kommunen``."""
    entry = catalogue().get(f"holder.{holder}")
    if entry is None:
        return holder
    check_lang(lang)
    return entry["definite_da"] if definite and lang == "da" else entry[lang]


def _entry(field: str) -> tuple[dict[str, str], dict[str, str]]:
    """The catalogue entry of a result name or input path, and the parameters its text takes."""
    cat = catalogue()
    for section in ("figure", "input"):
        if f"{section}.{field}" in cat:
            return cat[f"{section}.{field}"], {}
    for key, entry in cat.items():
        if key.startswith("figure_by_holder."):
            prefix = key.removeprefix("figure_by_holder.")
            holder = field.removeprefix(prefix)
            if field.startswith(prefix) and f"holder.{holder}" in cat:
                return entry, {"holder": holder}
    raise KeyError(f"no label for {field!r}")


def label(field: str, lang: str) -> str:
    """The label of a result name (``investor_moic``) or an input path (``outcome.relative_reduction``)."""
    check_lang(lang)
    entry, params = _entry(field)
    if "holder" in params:
        return entry[lang].format(h=holder_label(params["holder"], lang))
    return entry[lang]


def unit_code(field: str) -> str:
    """The unit of a result name or input path as a code (``money_per_outcome``, ``share``, ``per_year`` ...)."""
    return _entry(field)[0].get("unit", "none")


def currency_symbol(currency: str, lang: str) -> str:
    """How an amount's currency is written: ``kr.`` (Danish, DKK) or the ISO code (English, and other currencies
    where Babel's Danish data have no symbol of their own)."""
    check_lang(lang)
    return get_currency_symbol(currency, LOCALES[lang]) if lang == "da" else currency


def unit_text(code: str, lang: str, currency: str = "DKK") -> str:
    """A unit code in words of ``lang`` (``money_per_outcome`` -> ``kr. pr. resultat`` / ``DKK per outcome``)."""
    return text(f"unit.{code}", lang, cur=currency_symbol(currency, lang))


def unit(field: str, lang: str, currency: str = "DKK") -> str:
    """The unit of a result name or input path in words of ``lang``."""
    return unit_text(unit_code(field), lang, currency)


def discount_label(schedule: str | float, lang: str, bands: bool = False) -> str:
    """A discount schedule by name and rate: ``Finansministeriets samfundsøkonomiske diskonteringsrente, 3,5 %``;
    with ``bands`` every band (``3,5 % i år 0–35, 2,5 % i år 36–70, 1,5 % fra år 71``). A number is a constant
    rate (``fast diskonteringsrente, 4,0 %``)."""
    from ..discount import SCHEDULES

    check_lang(lang)
    if isinstance(schedule, str):
        if schedule not in SCHEDULES:
            return schedule
        name = text(f"discount.{schedule}", lang)
        steps = SCHEDULES[schedule]
        if not bands:
            return f"{name}, {fmt_pct(steps[0][1], lang)}"
        parts = []
        for i, (start, rate) in enumerate(steps):
            if i + 1 < len(steps):
                parts.append(text("discount.band", lang, rate=fmt_pct(rate, lang), a=start, b=steps[i + 1][0] - 1))
            else:
                parts.append(text("discount.band_last", lang, rate=fmt_pct(rate, lang), a=start))
        return f"{name}: {', '.join(parts)}"
    return f"{text('discount.constant', lang)}, {fmt_pct(float(schedule), lang, 2)}"


# -- numbers --------------------------------------------------------------------------------------------------------

def is_missing(x: Any) -> bool:
    """None, NaN or an infinite number: a figure that does not exist."""
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _decimal(x: float, lang: str, digits: int | None, group: bool = True) -> str:
    """``x`` rounded as Python rounds the binary float (so ``0.5455`` is ``54.5 %`` everywhere), then written
    with the separators of the locale; never ``-0``."""
    places = 3 if digits is None else digits
    exact = Decimal(f"{x:.{places}f}")
    if exact == 0:
        exact = Decimal(0).quantize(exact)
    pattern = ("#,##0" if group else "0") + ("." + ("#" if digits is None else "0") * places if places > 0 else "")
    return format_decimal(exact, format=pattern, locale=LOCALES[lang], decimal_quantization=True)


def fmt_number(x: Real | None, lang: str, digits: int | None = None) -> str:
    """A number with the thousands separator of ``lang``: ``1.234,5`` / ``1,234.5``; ``digits`` decimals
    (None: up to three, as needed); ``–`` where it does not exist."""
    check_lang(lang)
    if is_missing(x):
        return MISSING
    return _decimal(float(x), lang, digits)


def fmt_money(x: Real | None, lang: str, currency: str = "DKK", digits: int = 0) -> str:
    """An amount of money: ``1.234.567 kr.`` (da) / ``DKK 1,234,567`` (en); ``–`` where it does not exist."""
    check_lang(lang)
    if is_missing(x):
        return MISSING
    number = _decimal(float(x), lang, digits)
    return f"{number} {currency_symbol(currency, lang)}" if lang == "da" else f"{currency} {number}"


def fmt_pct(x: Real | None, lang: str, digits: int = 1) -> str:
    """A share or rate as a percentage: ``3,5 %`` (da) / ``3.5 %`` (en); ``–`` where it does not exist."""
    check_lang(lang)
    if is_missing(x):
        return MISSING
    return f"{_decimal(100.0 * float(x), lang, digits)} %"


def fmt_value(x: Any, field: str, lang: str, currency: str = "DKK") -> str:
    """A key figure or input formatted by its unit: money whole, shares and rates in %, counts to one decimal,
    the money multiple to two, a year as a whole number."""
    if is_missing(x):
        return MISSING
    if isinstance(x, str):
        return x
    code = unit_code(field)
    if code in ("share", "per_year"):
        return fmt_pct(x, lang, 1)
    if code == "times":
        return fmt_number(x, lang, 2)
    if code in ("cases", "outcomes"):
        return fmt_number(x, lang, 1)
    if code in ("programme_year", "years"):
        return str(int(x))
    if code == "people":
        return fmt_number(x, lang, 0)
    if code == "none":
        return fmt_number(x, lang)
    return fmt_number(x, lang, 0)


def join(words: list[str], lang: str) -> str:
    """``a, b og c`` / ``a, b and c``."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {text('word.and', lang)} {words[-1]}"


def localized(value: Any, lang: str) -> str:
    """A text a case file gives in one language (a string) or both (``{da: ..., en: ...}``), in ``lang``
    (the other language where ``lang`` is missing)."""
    check_lang(lang)
    if isinstance(value, Mapping):
        other = "en" if lang == "da" else "da"
        return str(value.get(lang) or value.get(other) or "")
    if hasattr(value, "text") and callable(value.text):
        return value.text(lang)
    return "" if value is None else str(value)


__all__ = [
    "HOLDER_COLOURS", "LANGS", "LOCALES", "MISSING", "PALETTE", "catalogue", "check_lang", "currency_symbol",
    "discount_label", "fmt_money", "fmt_number", "fmt_pct", "fmt_value", "has_text", "holder_label", "is_missing",
    "join", "label", "localized", "message", "text", "unit", "unit_code", "unit_text",
]
