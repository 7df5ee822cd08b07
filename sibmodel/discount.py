"""Discount schedules: annual real rates by year and the discount factors they give.

``DF(0) = 1`` and ``DF(t) = prod_{s=0}^{t-1} 1 / (1 + r(s))``; the rate for year ``s`` is the one
whose band contains ``s``.
"""
from __future__ import annotations

import numpy as np

#: Named schedules: (first year of band, annual real rate), bands in ascending order.
SCHEDULES: dict[str, tuple[tuple[int, float], ...]] = {
    # Finansministeriet, since January 2021: 3.5 % years 0-35, 2.5 % years 36-70, 1.5 % after.
    "dk-fm-2021": ((0, 0.035), (36, 0.025), (71, 0.015)),
    # HM Treasury Green Book: 3.5 % 0-30, 3.0 % 31-75, 2.5 % 76-125, 2.0 % 126-200, 1.5 % 201-300, 1.0 % after.
    "uk-green-book": ((0, 0.035), (31, 0.030), (76, 0.025), (126, 0.020), (201, 0.015), (301, 0.010)),
}

Schedule = str | float


def rates(schedule: Schedule, years: int) -> np.ndarray:
    """Annual rate ``r(s)`` for ``s = 0 .. years-1`` (a named schedule or a constant rate)."""
    s = np.arange(years)
    if isinstance(schedule, str):
        if schedule not in SCHEDULES:
            raise ValueError(
                f"discounting = {schedule!r}: unknown schedule; allowed: {', '.join(SCHEDULES)} or a rate such as 0.035"
            )
        starts, values = zip(*SCHEDULES[schedule])
        return np.asarray(values, dtype=float)[np.searchsorted(starts, s, side="right") - 1]
    rate = float(schedule)
    if not rate > -1:
        raise ValueError(f"discounting = {schedule!r}: a constant rate must be greater than -1")
    return np.full(years, rate)


def discount_factors(schedule: Schedule, years: int) -> np.ndarray:
    """Discount factors ``DF(t)`` for ``t = 0 .. years-1`` (``DF(0) = 1``)."""
    growth = np.cumprod(1.0 + rates(schedule, max(years - 1, 0)))
    return np.concatenate(([1.0], 1.0 / growth))[:years]
