"""The unit-cost catalogue (``data/unit_costs.csv``) and price-year conversion (``data/price_index.csv``).

Every catalogue row carries its amount, unit, price year, budget holder, basis and source. A case refers to a
row by key; amounts move to the case's price year through the net price index, or the tool refuses.
"""
from __future__ import annotations

import csv
import difflib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .case import HOLDERS, Case
from .errors import CaseError, Problem

#: Where data files live: ``$SIBMODEL_DATA`` or the repository's ``data/``.
DATA_DIR = Path(os.environ.get("SIBMODEL_DATA", Path(__file__).resolve().parents[1] / "data"))

BASES = ("gross", "net_of_refund", "welfare_economic")


class UnitCost(BaseModel):
    """One row of the unit-cost catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_da: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    amount: float = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)
    unit: str = Field(min_length=1)
    price_year: int = Field(ge=1900, le=2200)
    holder: Literal["kommune", "region", "stat"]
    basis: Literal["gross", "net_of_refund", "welfare_economic"]
    area: str = Field(min_length=1)
    source: str = Field(min_length=1)
    url: str = ""
    note: str = ""


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


class PriceIndex:
    """An annual price index (Danmarks Statistik's nettoprisindeks) that moves amounts between price years."""

    def __init__(self, values: dict[int, float], name: str = "nettoprisindeks"):
        self.values = dict(sorted(values.items()))
        self.name = name

    @classmethod
    def read(cls, path: str | Path) -> PriceIndex:
        path = Path(path)
        values, problems = {}, []
        for line, raw in enumerate(_read_csv(path), start=2):
            try:
                year, value = int(raw["year"]), float(raw["index"])
                if value <= 0:
                    raise ValueError
            except (KeyError, TypeError, ValueError):
                problems.append(Problem(f"line {line}", dict(raw), "needs an integer year and a positive index value"))
                continue
            if not (raw.get("source") or "").strip():
                problems.append(Problem(f"line {line}.source", "", "every index value needs its source"))
            if year in values:
                problems.append(Problem(f"line {line}.year", year, "duplicate year"))
            values[year] = value
        if problems:
            raise CaseError(problems, str(path))
        return cls(values)

    @property
    def years(self) -> tuple[int, int]:
        return (min(self.values), max(self.values)) if self.values else (0, 0)

    def factor(self, from_year: int, to_year: int) -> float:
        """Multiply an amount in ``from_year`` prices by this to get ``to_year`` prices."""
        if from_year == to_year:
            return 1.0
        missing = [y for y in (from_year, to_year) if y not in self.values]
        if missing:
            lo, hi = self.years
            raise KeyError(
                f"the {self.name} has no value for {', '.join(map(str, missing))} "
                f"(data/price_index.csv covers {lo}-{hi}); add the year with its source or use an amount in the case's price year"
            )
        return self.values[to_year] / self.values[from_year]

    def convert(self, amount: float | np.ndarray, from_year: int, to_year: int) -> float | np.ndarray:
        """``amount`` in ``from_year`` prices expressed in ``to_year`` prices."""
        return amount * self.factor(from_year, to_year)


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


def unit_costs(area: str | None = None, holder: str | None = None) -> pd.DataFrame:
    """The unit-cost catalogue as a DataFrame, optionally only one programme ``area`` and/or budget ``holder``."""
    df = catalogue().frame()
    if area is not None:
        df = df[df["area"] == area]
    if holder is not None:
        if holder not in HOLDERS:
            raise ValueError(f"holder = {holder!r}: allowed: {', '.join(HOLDERS)}")
        df = df[df["holder"] == holder]
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
                problems.append(Problem(f"costs_per_case.{i}.item", c.item,
                                        f"price year {row.price_year} -> {case.price_year}: {exc.args[0]}"))
                continue
        items.append(ResolvedItem(c.item, c.label or row.label_da, c.label or row.label_en, row.holder,
                                  amount, c.cashable, q, row.source))
    if problems:
        raise CaseError(problems)
    return items
