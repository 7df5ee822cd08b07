"""Shared pieces of the evidence estimates: data checks, distribution dicts, the value-object base class.

Nothing here imports statsmodels or matplotlib; they are imported inside the functions that need them, so
``import sibmodel`` stays fast.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import CaseError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..case import Case

def z_for(level: float) -> float:
    """Two-sided standard-normal critical value for a confidence ``level`` in (0, 1)."""
    check_level(level)
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2.0))


def check_level(level: float, name: str = "level") -> None:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0.0 < level < 1.0:
        raise CaseError(Problem(name, level, "must be a probability strictly between 0 and 1, e.g. 0.95"))


def refuse(path: str, value: Any, message: str, source: str | None = None) -> CaseError:
    """The error for one bad input (raise it)."""
    return CaseError(Problem(path, value, message), source)


# -- tables -------------------------------------------------------------------------------------------

def as_frame(data: Any, what: str) -> tuple[pd.DataFrame, str | None]:
    """A DataFrame from a DataFrame, a CSV path or a mapping of columns; also the source name for messages."""
    from pathlib import Path

    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True), None
    if isinstance(data, (str, Path)):
        p = Path(data)
        if not p.exists():
            raise refuse("", str(p), f"{what} file not found")
        try:
            return pd.read_csv(p, skipinitialspace=True), str(p)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise refuse("", str(p), f"cannot read the {what} file as CSV: {exc}") from None
    if isinstance(data, dict):
        try:
            return pd.DataFrame(data), None
        except ValueError as exc:
            raise refuse("", "mapping", f"cannot make a table of the {what}: {exc}") from None
    raise refuse("", type(data).__name__, f"{what} must be a pandas DataFrame, a CSV path or a mapping of columns")


def require_columns(df: pd.DataFrame, columns: Iterable[str], source: str | None, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CaseError([Problem(f"column {c!r}", _missing_marker(), f"the {what} need this column; "
                                 f"columns present: {', '.join(map(str, df.columns)) or '(none)'}") for c in missing], source)


def _missing_marker() -> Any:
    from ..errors import _MISSING

    return _MISSING


def row_name(df: pd.DataFrame, i: int, label: str | None = None) -> str:
    """'row 3 (Aronson 1948)': rows are numbered from 1 as in a spreadsheet below its header."""
    if label and label in df.columns and pd.notna(df[label].iloc[i]):
        return f"row {i + 1} ({df[label].iloc[i]})"
    return f"row {i + 1}"


def numeric_column(df: pd.DataFrame, col: str, source: str | None, *, label: str | None = None,
                   minimum: float | None = None, strictly_above: float | None = None,
                   integer: bool = False, allow_missing: bool = False) -> np.ndarray:
    """Column ``col`` as floats; each bad cell is named by row and column with its value and the rule."""
    problems: list[Problem] = []
    out = np.full(len(df), np.nan)
    for i, v in enumerate(df[col].tolist()):
        where = f"{row_name(df, i, label)}.{col}"
        if v is None or (isinstance(v, float) and math.isnan(v)):
            if not allow_missing:
                problems.append(Problem(where, _missing_marker(), "value is missing"))
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            problems.append(Problem(where, v, "must be a number"))
            continue
        if isinstance(v, bool) or not math.isfinite(x):
            problems.append(Problem(where, v, "must be a finite number"))
        elif minimum is not None and x < minimum:
            problems.append(Problem(where, v, f"must be >= {minimum:g}"))
        elif strictly_above is not None and x <= strictly_above:
            problems.append(Problem(where, v, f"must be > {strictly_above:g}"))
        elif integer and x != round(x):
            problems.append(Problem(where, v, "must be a whole number (a count)"))
        else:
            out[i] = x
    if problems:
        raise CaseError(problems, source)
    return out


def check_counts(df: pd.DataFrame, events: str, n: str, source: str | None, label: str | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Events and group sizes: whole numbers >= 0, events <= n, n > 0."""
    x = numeric_column(df, events, source, label=label, minimum=0, integer=True)
    m = numeric_column(df, n, source, label=label, minimum=0, integer=True)
    problems = []
    for i in range(len(df)):
        if m[i] == 0:
            problems.append(Problem(f"{row_name(df, i, label)}.{n}", int(m[i]), "the group size must be > 0"))
        elif x[i] > m[i]:
            problems.append(Problem(f"{row_name(df, i, label)}.{events}", int(x[i]),
                                    f"more events than people ({n} = {int(m[i])}); events must be <= {n}"))
    if problems:
        raise CaseError(problems, source)
    return x, m


# -- distributions in case files -------------------------------------------------------------------------

def beta_from_mean_sd(mean: float, sd: float, path: str = "distribution") -> tuple[float, float]:
    """Beta(a, b) with the given mean and standard deviation (method of moments); refuses impossible pairs."""
    if not 0.0 < mean < 1.0:
        raise refuse(path, mean, "a beta distribution needs a mean strictly between 0 and 1")
    if not sd > 0.0 or sd * sd >= mean * (1.0 - mean):
        raise refuse(path, sd, f"a beta distribution with mean {mean:.4g} needs 0 < sd < "
                               f"{math.sqrt(mean * (1 - mean)):.4g} (sqrt(mean * (1 - mean)))")
    k = mean * (1.0 - mean) / (sd * sd) - 1.0
    return mean * k, (1.0 - mean) * k


def beta_dict(mean: float, sd: float, path: str) -> dict[str, Any]:
    """``{dist: beta, mean:, sd:}`` after checking that such a beta exists."""
    beta_from_mean_sd(mean, sd, path)
    return {"dist": "beta", "mean": float(mean), "sd": float(sd)}


def normal_quantile_grid(mean: float, sd: float, points: int = 4001) -> np.ndarray:
    """Deterministic draws: the midpoint quantiles of Normal(mean, sd) (exact moments for smooth transforms)."""
    from scipy.stats import norm

    u = (np.arange(points) + 0.5) / points
    return mean + sd * norm.ppf(u)


# -- the value object -------------------------------------------------------------------------------------

_UNITS = {"en": {"share": "share (0-1)", "people": "people", "count": "count", "": ""},
          "da": {"share": "andel (0-1)", "people": "personer", "count": "antal", "": ""}}


def check_lang(lang: str) -> str:
    if lang not in ("en", "da"):
        raise refuse("lang", lang, "must be 'en' (English) or 'da' (Danish)")
    return lang


def table(rows: Sequence[tuple[str, str, Any, str]], lang: str) -> pd.DataFrame:
    """A summary table from rows (English label, Danish label, value, unit key) with the chosen language."""
    check_lang(lang)
    cols = {"en": ("figure", "value", "unit"), "da": ("størrelse", "værdi", "enhed")}[lang]
    data = [((en if lang == "en" else da), value, _UNITS[lang].get(unit, unit)) for en, da, value, unit in rows]
    return pd.DataFrame(data, columns=list(cols)).set_index(cols[0])


class Estimate:
    """Base of every evidence estimate: ``summary(lang)``, ``plot()``, ``distribution(path)``, ``to_case(case, path)``.

    ``paths`` lists the case fields the estimate can be written into.
    """

    paths: tuple[str, ...] = ()

    def summary(self, lang: str = "en") -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def plot(self, ax: Any = None) -> "Figure":  # pragma: no cover - abstract
        raise NotImplementedError

    def distribution(self, path: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_path(self, path: str) -> None:
        if path not in self.paths:
            raise refuse("path", path, f"{type(self).__name__} can be written into {', '.join(self.paths)}")

    def to_case(self, case: "Case", path: str | None = None) -> "Case":
        """A new case with this estimate written at ``path`` (default: the first of ``paths``)."""
        path = path or self.paths[0]
        self._check_path(path)
        return case.update({path: self.distribution(path)})

    def _repr_html_(self) -> str:
        return self.summary().to_html()

    def __repr__(self) -> str:
        return f"{type(self).__name__}\n{self.summary().to_string()}"


def new_axes(ax: Any, size: tuple[float, float] = (6.4, 4.0)) -> tuple["Figure", Any]:
    """The figure and axes to draw on: ``ax``'s figure, or a new Figure that is not registered with pyplot
    (so a notebook shows it once, as the returned value)."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()
