"""Derived outcome rates, in one place for the whole package (numbers or numpy arrays; no other imports).

``p1`` is the rate of the costly outcome with the intervention; the implied relative reduction is
``(p0 - p1) / p0``.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def treated_rate(p0: Any, relative_reduction: Any = None, treated: Any = None) -> Any:
    """p1: ``treated`` if given, else ``p0 * (1 - relative_reduction)``."""
    return treated if treated is not None else p0 * (1.0 - relative_reduction)


def relative_reduction(p0: Any, p1: Any) -> Any:
    """The implied relative reduction ``(p0 - p1) / p0``; 0 where ``p0 = 0``. A float for numbers, else an array."""
    a0, a1 = np.asarray(p0, dtype=float), np.asarray(p1, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(a0 > 0, (a0 - a1) / np.where(a0 > 0, a0, 1.0), 0.0)
    return float(out) if out.ndim == 0 else out
