"""The unit-cost catalogue (``data/unit_costs.csv``) and price-year conversion (``data/price_index.csv``).

Every catalogue row carries its amount, unit, price year, budget holder, basis and source. A case refers to a
row by key; amounts move to the case's price year through the net price index, or the tool refuses.
"""
from __future__ import annotations

import csv
import difflib
import math
import os
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .case import HOLDERS, Case
from .errors import CaseError, Problem
from .resources import data_dir

#: Where data files live: ``$SIBMODEL_DATA`` or the repository's ``data/``.
DATA_DIR = data_dir()

BASES = ("gross", "net_of_refund", "welfare_economic")
#: What a row is: a unit cost (price of one unit of a service or benefit) or an average saving/gain per person
#: measured by a study (not a price: use it only where the case counts that saving once).
KINDS = ("unit_cost", "saving")


class UnitCost(BaseModel):
    """One row of the unit-cost catalogue: ``amount`` DKK per ``unit`` in ``price_year`` prices, borne by ``holder``.

    Columns are described in ``data/README.md``; every row is listed with its source in ``docs/data.md``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_da: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    amount: float = Field(gt=0, allow_inf_nan=False, description="Currency units per unit, in price_year prices")
    currency: str = Field(min_length=3, max_length=3)
    unit: str = Field(min_length=1, description="per day, per month, per year, per contact, ...")
    price_year: int = Field(ge=1900, le=2200)
    holder: Literal["kommune", "region", "stat"]
    basis: Literal["gross", "net_of_refund", "welfare_economic"]
    area: str = Field(min_length=1)
    source: str = Field(min_length=1)
    url: str = ""
    note: str = ""
    kind: Literal["unit_cost", "saving"] = "unit_cost"
    assumption: str = Field("", description="What in this row is assumed rather than read from the source (empty: nothing)")


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        raise CaseError(Problem("", str(path), "data file not found")) from None


class Catalogue:
    """The unit-cost catalogue: rows by key, validated when read."""

    def __init__(self, rows: list[UnitCost]):
        self.rows = {r.key: r for r in rows}

    @classmethod
    def read(cls, path: str | Path) -> Catalogue:
        path = Path(path)
        rows, problems, seen = [], [], set()
        for line, raw in enumerate(_read_csv(path), start=2):
            raw = {k: (v or "").strip() for k, v in raw.items() if k is not None}
            if not raw.get("kind"):
                raw.pop("kind", None)  # optional column: a unit cost unless it says otherwise
            try:
                row = UnitCost.model_validate(raw)
            except ValidationError as exc:
                for e in exc.errors(include_url=False):
                    field = ".".join(map(str, e["loc"]))
                    problems.append(Problem(f"line {line}.{field}", raw.get(field), e["msg"].replace("Input should be", "must be")))
                continue
            if row.key in seen:
                problems.append(Problem(f"line {line}.key", row.key, "duplicate key; keys must be unique"))
            seen.add(row.key)
            rows.append(row)
        if problems:
            raise CaseError(problems, str(path))
        return cls(rows)

    def __contains__(self, key: str) -> bool:
        return key in self.rows

    def __getitem__(self, key: str) -> UnitCost:
        return self.rows[key]

    def __len__(self) -> int:
        return len(self.rows)

    def frame(self) -> pd.DataFrame:
        """The catalogue as a DataFrame indexed by key."""
        cols = list(UnitCost.model_fields)
        return pd.DataFrame([r.model_dump() for r in self.rows.values()], columns=cols).set_index("key")

    def suggest(self, key: str) -> list[str]:
        return difflib.get_close_matches(key, list(self.rows), n=3, cutoff=0.5)


class PriceYearError(CaseError, KeyError):
    """A price year the index does not cover: the tool refuses to move money without a sourced index value.

    A :class:`CaseError` (one message naming the year and what is covered) and, for older callers, a ``KeyError``.
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class PriceIndex:
    """An annual price index (Danmarks Statistik's nettoprisindeks, annual means) that moves amounts between
    price years: ``amount_to = amount_from * index[to_year] / index[from_year]`` (real terms, same currency)."""

    def __init__(self, values: dict[int, float], name: str = "nettoprisindeks", sources: dict[int, str] | None = None):
        self.values = dict(sorted(values.items()))
        self.name = name
        self.sources = dict(sources or {})
        self._exact = {y: Fraction(str(v)) for y, v in self.values.items()}

    @classmethod
    def read(cls, path: str | Path) -> PriceIndex:
        path = Path(path)
        values, sources, problems = {}, {}, []
        for line, raw in enumerate(_read_csv(path), start=2):
            try:
                year, value = int(raw["year"]), float(raw["index"])
                if not (value > 0 and math.isfinite(value)):
                    raise ValueError
            except (KeyError, TypeError, ValueError):
                problems.append(Problem(f"line {line}", dict(raw), "needs an integer year and a positive index value"))
                continue
            if not (raw.get("source") or "").strip():
                problems.append(Problem(f"line {line}.source", "", "every index value needs its source"))
            if year in values:
                problems.append(Problem(f"line {line}.year", year, "duplicate year"))
            values[year] = value
            sources[year] = (raw.get("source") or "").strip()
        if problems:
            raise CaseError(problems, str(path))
        return cls(values, sources=sources)

    @property
    def years(self) -> tuple[int, int]:
        """First and last year covered."""
        return (min(self.values), max(self.values)) if self.values else (0, 0)

    def __contains__(self, year: int) -> bool:
        return year in self.values

    def _check(self, *years: int) -> None:
        missing = [y for y in years if y not in self.values]
        if missing:
            lo, hi = self.years
            raise PriceYearError(Problem(
                "price_year", missing[0],
                f"the {self.name} has no value for {', '.join(map(str, missing))} (data/price_index.csv covers "
                f"{lo}-{hi}); add the year with its source, or give the amount in a covered price year"))

    def factor(self, from_year: int, to_year: int) -> float:
        """Multiply an amount in ``from_year`` prices by this to get ``to_year`` prices.

        Raises :class:`PriceYearError` (a ``CaseError`` and a ``KeyError``) for a year the index lacks.
        """
        if from_year == to_year:
            return 1.0
        self._check(from_year, to_year)
        return self.values[to_year] / self.values[from_year]

    def convert(self, amount: float | np.ndarray | Fraction, from_year: int, to_year: int) -> float | np.ndarray | Fraction:
        """``amount`` (DKK in ``from_year`` prices) expressed in ``to_year`` prices.

        Floats and arrays are multiplied by the index ratio (``amount * I[to] / I[from]``); a ``Fraction`` is
        converted exactly, so ``convert(convert(x, a, b), b, a) == x`` holds to the last digit.
        """
        if from_year == to_year:
            return amount
        self._check(from_year, to_year)
        if isinstance(amount, Fraction):
            return amount * self._exact[to_year] / self._exact[from_year]
        return amount * self.values[to_year] / self.values[from_year]

    def frame(self) -> pd.DataFrame:
        """The index as a DataFrame (year, index, source), indexed by year."""
        return pd.DataFrame({"index": list(self.values.values()),
                             "source": [self.sources.get(y, "") for y in self.values]},
                            index=pd.Index(list(self.values), name="year"))


def convert(amount: float | np.ndarray | Fraction, from_year: int, to_year: int,
            index: PriceIndex | None = None) -> float | np.ndarray | Fraction:
    """Move an amount between price years with the net price index (``data/price_index.csv``).

    >>> round(convert(1000.0, 2019, 2023))   # 1,000 DKK in 2019 prices, in 2023 prices
    1140

    Raises :class:`PriceYearError` (a :class:`CaseError`) for a year the index does not cover.
    """
    return (index or price_index()).convert(amount, int(from_year), int(to_year))


@lru_cache(maxsize=4)
def _catalogue(path: str, mtime: float) -> Catalogue:
    return Catalogue.read(path)


@lru_cache(maxsize=4)
def _index(path: str, mtime: float) -> PriceIndex:
    return PriceIndex.read(path)


def catalogue(path: str | Path | None = None) -> Catalogue:
    """The unit-cost catalogue (default ``data/unit_costs.csv``), cached until the file changes."""
    p = Path(path) if path else DATA_DIR / "unit_costs.csv"
    return _catalogue(str(p), p.stat().st_mtime if p.exists() else 0.0)


def price_index(path: str | Path | None = None) -> PriceIndex:
    """The net price index (default ``data/price_index.csv``), cached until the file changes."""
    p = Path(path) if path else DATA_DIR / "price_index.csv"
    return _index(str(p), p.stat().st_mtime if p.exists() else 0.0)


def unit_costs(area: str | None = None, holder: str | None = None, *, kind: str | None = None,
               price_year: int | None = None) -> pd.DataFrame:
    """The unit-cost catalogue as a DataFrame indexed by key (amounts in DKK, each in its own ``price_year``).

    Filters: programme ``area`` (e.g. ``"family_violence"``; rows of area ``"general"`` serve every area and are
    included with any area), budget ``holder`` (kommune, region, stat) and ``kind`` (unit_cost, saving).
    With ``price_year`` a column ``amount_<year>`` gives every amount moved to that year with the net price
    index (NaN where the row's own price year is not covered; see ``indexable``).
    """
    df = catalogue().frame()
    if area is not None:
        areas = sorted(set(df["area"]))
        if area not in areas:
            raise CaseError(Problem("area", area, f"not an area of the catalogue; allowed: {', '.join(areas)}"))
        df = df[(df["area"] == area) | (df["area"] == "general")]
    if holder is not None:
        if holder not in HOLDERS:
            raise CaseError(Problem("holder", holder, f"allowed: {', '.join(HOLDERS)}"))
        df = df[df["holder"] == holder]
    if kind is not None:
        if kind not in KINDS:
            raise CaseError(Problem("kind", kind, f"allowed: {', '.join(KINDS)}"))
        df = df[df["kind"] == kind]
    if price_year is not None:
        index = price_index()
        index._check(int(price_year))
        df = df.copy()
        df["indexable"] = df["price_year"].isin(list(index.values))
        df[f"amount_{int(price_year)}"] = [
            index.convert(a, int(y), int(price_year)) if ok else np.nan
            for a, y, ok in zip(df["amount"], df["price_year"], df["indexable"])
        ]
    return df


@dataclass(frozen=True)
class ResolvedItem:
    """A cost item ready for the model: unit cost in the case's price year and quantities by relative year."""

    key: str
    label_da: str
    label_en: str
    holder: str
    unit_cost: float          # per unit, case currency and price year, before the cashable share
    cashable: float
    quantity: np.ndarray      # per case, relative years 0 .. J-1
    source: str


def resolve_costs(case: Case, cat: Catalogue | None = None, index: PriceIndex | None = None) -> list[ResolvedItem]:
    """Resolve every cost item of a case against the catalogue and price index; refuse with field paths."""
    J = case.outcome.horizon_years
    items, problems = [], []
    cat_ = None
    for i, c in enumerate(case.costs_per_case):
        q = np.asarray(c.quantities(J), dtype=float)
        if c.item is None:
            label = c.label or f"Item {i + 1}"
            items.append(ResolvedItem(f"item_{i}", label, label, c.holder, c.amount, c.cashable, q, "given in the case"))
            continue
        cat_ = cat_ or cat or catalogue()
        if c.item not in cat_:
            near = cat_.suggest(c.item)
            hint = f"; did you mean {', '.join(map(repr, near))}?" if near else "; see data/unit_costs.csv or sibmodel.unit_costs()"
            problems.append(Problem(f"costs_per_case.{i}.item", c.item, f"not a key of the unit-cost catalogue{hint}"))
            continue
        row = cat_[c.item]
        if row.currency != case.currency:
            problems.append(Problem(f"costs_per_case.{i}.item", c.item,
                                    f"catalogue amount is in {row.currency} but the case is in {case.currency}; give an amount instead"))
            continue
        if c.amount is not None:
            amount = c.amount
        else:
            try:
                amount = row.amount * (index or price_index()).factor(row.price_year, case.price_year)
            except KeyError as exc:
                why = exc.problems[0].message if isinstance(exc, CaseError) else exc.args[0]
                problems.append(Problem(f"costs_per_case.{i}.item", c.item,
                                        f"price year {row.price_year} -> {case.price_year}: {why}"))
                continue
        items.append(ResolvedItem(c.item, c.label or row.label_da, c.label or row.label_en, row.holder,
                                  amount, c.cashable, q, row.source))
    if problems:
        raise CaseError(problems)
    return items
