"""Probability distributions for uncertain inputs of a case file.

A numeric input may be written as a mapping with a ``dist`` key instead of a number::

    {dist: beta, mean: 0.6, sd: 0.05}        or {dist: beta, a: 58, b: 38}
    {dist: normal, mean: 0.4, sd: 0.1}        optional truncation: lower:, upper:
    {dist: lognormal, mean: .., sd: ..}       or {dist: lognormal, meanlog: .., sdlog: ..}
    {dist: gamma, mean: .., sd: ..}           or {dist: gamma, shape: .., scale: ..}
    {dist: triangular, low: .., mode: .., high: ..}
    {dist: uniform, low: .., high: ..}
    {dist: pert, low: .., mode: .., high: ..}

Values are in the unit of the input they replace (DKK, a rate, a count). The point value that
``evaluate()`` uses is the distribution's expected value (:attr:`Distribution.mean`); for a truncated normal
that is the mean *after* truncation. An ``sd`` of 0 (by mean and sd) is a point mass at the mean.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

KINDS = ("beta", "normal", "lognormal", "gamma", "triangular", "uniform", "pert")

#: The parameter sets each kind may be written with (exactly one set, ``lower``/``upper`` only for normal).
_FORMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "beta": (("mean", "sd"), ("a", "b")),
    "normal": (("mean", "sd"),),
    "lognormal": (("mean", "sd"), ("meanlog", "sdlog")),
    "gamma": (("mean", "sd"), ("shape", "scale")),
    "triangular": (("low", "mode", "high"),),
    "uniform": (("low", "high"),),
    "pert": (("low", "mode", "high"),),
}


def _ndtr(x: float) -> float:
    """Standard normal CDF (scalar)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


class DistributionError(ValueError):
    """An invalid distribution specification; the message says what is allowed (the caller adds the field)."""


def is_distribution(value: Any) -> bool:
    """True for a mapping with a ``dist`` key (a distribution written in a case file)."""
    return isinstance(value, dict) and "dist" in value


#: Every parameter of a distribution is at most this in magnitude (far beyond any input of a case).
MAX_PARAMETER = 1e15
#: Shape parameters (beta ``a``, ``b``; gamma ``shape``) lie in this range: beyond it the distribution is a
#: point mass in all but name (write ``sd: 0``) or has all its mass at an end.
SHAPE_RANGE = (1e-4, 1e8)
#: ``sdlog`` of a lognormal is at most this (``exp(6 sdlog)`` already spans 26 orders of magnitude).
MAX_SDLOG = 10.0


def _number(spec: dict[str, Any], key: str) -> float:
    v = spec[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise DistributionError(f"{key} must be a finite number; got {v!r}")
    try:
        x = float(v)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x) or abs(x) > MAX_PARAMETER:
        got = "a whole number beyond the float range" if isinstance(v, int) and math.isinf(x) else f"{x:.6g}"
        raise DistributionError(f"{key} must be a finite number of at most {MAX_PARAMETER:g} in magnitude; got {got}")
    return x


def _shape(name: str, value: float, hint: str) -> float:
    lo, hi = SHAPE_RANGE
    if not (math.isfinite(value) and lo <= value <= hi):
        raise DistributionError(f"{name} = {value:.4g} is outside [{lo:g}, {hi:g}]; {hint}")
    return value


@dataclass(frozen=True)
class Distribution:
    """One validated distribution. ``spec`` is the mapping as written (kept for the YAML round trip);
    ``kind`` and ``params`` are the natural parameters used for sampling."""

    kind: str
    params: tuple[tuple[str, float], ...]
    spec: dict[str, Any] = field(compare=False, hash=False)

    # -- construction ---------------------------------------------------------------------------------

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Distribution:
        """Validate a case-file mapping such as ``{"dist": "beta", "mean": 0.6, "sd": 0.05}``."""
        if not is_distribution(spec):
            raise DistributionError("a distribution is a mapping with a 'dist' key")
        kind = spec["dist"]
        if kind not in KINDS:
            raise DistributionError(f"dist must be one of {', '.join(KINDS)}; got {kind!r}")
        keys = set(spec) - {"dist"}
        truncation = {"lower", "upper"} & keys if kind == "normal" else set()
        given = keys - truncation
        form = next((f for f in _FORMS[kind] if set(f) == given), None)
        if form is None:
            forms = " or ".join("{" + ", ".join(f) + "}" for f in _FORMS[kind])
            extra = " (optionally lower, upper)" if kind == "normal" else ""
            raise DistributionError(f"a {kind} distribution takes {forms}{extra}; got {{{', '.join(sorted(keys))}}}")
        v = {k: _number(spec, k) for k in (*form, *sorted(truncation))}  # in a fixed order: the first bad one named
        try:
            params = getattr(cls, f"_{kind}")(v)
        except (OverflowError, ZeroDivisionError, ValueError) as exc:
            if isinstance(exc, DistributionError):
                raise
            raise DistributionError(f"the parameters of this {kind} distribution overflow ({exc}); "
                                    "use smaller numbers, or sd: 0 for a fixed value") from None
        if not all(math.isfinite(x) for k, x in params.items() if k not in ("lower", "upper")):
            raise DistributionError(f"the parameters of this {kind} distribution overflow; use smaller numbers, "
                                    "or sd: 0 for a fixed value")
        clean = {"dist": kind, **{k: spec[k] for k in spec if k != "dist"}}
        return cls(kind, tuple(params.items()), clean)

    @staticmethod
    def _sd(v: dict[str, float]) -> float:
        if v["sd"] < 0:
            raise DistributionError(f"sd must be >= 0; got {v['sd']:g}")
        return v["sd"]

    @classmethod
    def _beta(cls, v: dict[str, float]) -> dict[str, float]:
        if "a" in v:
            if v["a"] <= 0 or v["b"] <= 0:
                raise DistributionError(f"a and b must be > 0; got a = {v['a']:g}, b = {v['b']:g}")
            hint = "a beta with such parameters is degenerate"
            return {"a": _shape("a", v["a"], hint), "b": _shape("b", v["b"], hint)}
        m, sd = v["mean"], cls._sd(v)
        if not 0 < m < 1:
            raise DistributionError(f"a beta distribution needs 0 < mean < 1; got mean = {m:g}")
        if sd == 0:
            return {"point": m}
        limit = math.sqrt(m * (1 - m))
        if sd >= limit:
            raise DistributionError(
                f"a beta distribution with mean {m:g} needs sd < sqrt(mean * (1 - mean)) = {limit:.4g}; got sd = {sd:g}")
        k = m * (1 - m) / (sd * sd) - 1 if sd * sd > 0 else math.inf
        hint = f"sd = {sd:g} is too small for a beta with mean {m:g} (write sd: 0 for a fixed value)"
        return {"a": _shape("a", m * k, hint), "b": _shape("b", (1 - m) * k, hint)}

    @classmethod
    def _normal(cls, v: dict[str, float]) -> dict[str, float]:
        m, sd = v["mean"], cls._sd(v)
        lo, hi = v.get("lower", -math.inf), v.get("upper", math.inf)
        if not lo < hi:
            raise DistributionError(f"lower must be less than upper; got lower = {lo:g}, upper = {hi:g}")
        if sd == 0:
            if not lo <= m <= hi:
                raise DistributionError(f"with sd = 0 the mean {m:g} must lie within [lower, upper]")
            return {"point": m}
        if sd < 1e-12 * max(1.0, abs(m)):
            raise DistributionError(f"sd = {sd:g} is too small for a normal with mean {m:g}; write sd: 0 for a fixed value")
        a, b = (lo - m) / sd, (hi - m) / sd
        if _ndtr(b) - _ndtr(a) < 1e-12:
            raise DistributionError(f"the truncation [{lo:g}, {hi:g}] leaves almost no probability of a normal "
                                    f"with mean {m:g} and sd {sd:g}")
        return {"loc": m, "scale": sd, "lower": lo, "upper": hi}

    @classmethod
    def _lognormal(cls, v: dict[str, float]) -> dict[str, float]:
        if "meanlog" in v:
            if v["sdlog"] < 0:
                raise DistributionError(f"sdlog must be >= 0; got {v['sdlog']:g}")
            if v["sdlog"] > MAX_SDLOG or abs(v["meanlog"]) > 700 - v["sdlog"] ** 2:
                raise DistributionError(f"needs sdlog <= {MAX_SDLOG:g} and a mean exp(meanlog + sdlog^2 / 2) that is "
                                        f"finite; got meanlog = {v['meanlog']:g}, sdlog = {v['sdlog']:g}")
            return {"meanlog": v["meanlog"], "sdlog": v["sdlog"]} if v["sdlog"] > 0 else {"point": math.exp(v["meanlog"])}
        m, sd = v["mean"], cls._sd(v)
        if m <= 0:
            raise DistributionError(f"a lognormal distribution needs mean > 0; got mean = {m:g}")
        if sd == 0:
            return {"point": m}
        cv = sd / m
        s2 = math.log1p(cv * cv) if cv < 1e100 else 2 * math.log(cv)
        if not 0 < s2 <= MAX_SDLOG**2:
            raise DistributionError(f"sd / mean = {cv:.3g} gives sdlog = {math.sqrt(s2):.3g}; it must be above 0 and "
                                    f"at most {MAX_SDLOG:g} (write sd: 0 for a fixed value)")
        return {"meanlog": math.log(m) - s2 / 2, "sdlog": math.sqrt(s2)}

    @classmethod
    def _gamma(cls, v: dict[str, float]) -> dict[str, float]:
        if "shape" in v:
            if v["shape"] <= 0 or v["scale"] <= 0:
                raise DistributionError(f"shape and scale must be > 0; got shape = {v['shape']:g}, scale = {v['scale']:g}")
            if v["shape"] * v["scale"] > MAX_PARAMETER:
                raise DistributionError(f"the mean shape * scale = {v['shape'] * v['scale']:.3g} is above {MAX_PARAMETER:g}")
            return {"shape": _shape("shape", v["shape"], "a gamma with such a shape is degenerate"), "scale": v["scale"]}
        m, sd = v["mean"], cls._sd(v)
        if m <= 0:
            raise DistributionError(f"a gamma distribution needs mean > 0; got mean = {m:g}")
        if sd == 0:
            return {"point": m}
        ratio = m / sd
        hint = f"sd = {sd:g} is too small or too large for a gamma with mean {m:g} (write sd: 0 for a fixed value)"
        return {"shape": _shape("shape", ratio * ratio, hint), "scale": sd * (sd / m)}

    @staticmethod
    def _triangular(v: dict[str, float]) -> dict[str, float]:
        if not (v["low"] <= v["mode"] <= v["high"] and v["low"] < v["high"]):
            raise DistributionError(f"needs low <= mode <= high and low < high; got low = {v['low']:g}, "
                                    f"mode = {v['mode']:g}, high = {v['high']:g}")
        return {"low": v["low"], "mode": v["mode"], "high": v["high"]}

    @staticmethod
    def _uniform(v: dict[str, float]) -> dict[str, float]:
        if not v["low"] < v["high"]:
            raise DistributionError(f"needs low < high; got low = {v['low']:g}, high = {v['high']:g}")
        return {"low": v["low"], "high": v["high"]}

    @classmethod
    def _pert(cls, v: dict[str, float]) -> dict[str, float]:
        cls._triangular(v)
        w = v["high"] - v["low"]
        return {"low": v["low"], "high": v["high"], "alpha": 1 + 4 * (v["mode"] - v["low"]) / w,
                "beta": 1 + 4 * (v["high"] - v["mode"]) / w}

    # -- properties -----------------------------------------------------------------------------------

    @property
    def p(self) -> dict[str, float]:
        return dict(self.params)

    @property
    def is_point(self) -> bool:
        """True for a point mass (written with sd = 0)."""
        return "point" in self.p

    def frozen(self) -> Any:
        """The equivalent ``scipy.stats`` frozen distribution (not for point masses)."""
        from scipy import stats  # lazy: scipy.stats costs about a second at import (app and CLI start-up)

        p = self.p
        if self.kind in ("beta",):
            return stats.beta(p["a"], p["b"])
        if self.kind == "normal":
            return stats.truncnorm((p["lower"] - p["loc"]) / p["scale"], (p["upper"] - p["loc"]) / p["scale"],
                                   loc=p["loc"], scale=p["scale"])
        if self.kind == "lognormal":
            return stats.lognorm(p["sdlog"], scale=math.exp(p["meanlog"]))
        if self.kind == "gamma":
            return stats.gamma(p["shape"], scale=p["scale"])
        if self.kind == "triangular":
            w = p["high"] - p["low"]
            return stats.triang((p["mode"] - p["low"]) / w, loc=p["low"], scale=w)
        if self.kind == "uniform":
            return stats.uniform(p["low"], p["high"] - p["low"])
        return stats.beta(p["alpha"], p["beta"], loc=p["low"], scale=p["high"] - p["low"])  # pert

    @property
    def mean(self) -> float:
        """Expected value: the point value ``evaluate()`` uses (in the input's unit)."""
        p = self.p
        if self.is_point:
            return p["point"]
        if self.kind == "normal" and math.isinf(p["lower"]) and math.isinf(p["upper"]):
            return p["loc"]
        if self.kind == "beta":
            return p["a"] / (p["a"] + p["b"])
        if self.kind == "lognormal":
            return math.exp(p["meanlog"] + p["sdlog"] ** 2 / 2)
        if self.kind == "gamma":
            return p["shape"] * p["scale"]
        if self.kind == "triangular":
            return (p["low"] + p["mode"] + p["high"]) / 3
        if self.kind == "uniform":
            return (p["low"] + p["high"]) / 2
        if self.kind == "pert":
            return p["low"] + (p["high"] - p["low"]) * p["alpha"] / (p["alpha"] + p["beta"])
        return float(self.frozen().mean())

    @property
    def sd(self) -> float:
        return 0.0 if self.is_point else float(self.frozen().std())

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can take (may be infinite)."""
        p = self.p
        if self.is_point:
            return (p["point"], p["point"])
        if self.kind == "beta":
            return (0.0, 1.0)
        if self.kind == "normal":
            return (p["lower"], p["upper"])
        if self.kind in ("lognormal", "gamma"):
            return (0.0, math.inf)
        return (p["low"], p["high"])

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        """Quantiles (inverse CDF) at probabilities ``q``."""
        q = np.asarray(q, dtype=float)
        if self.is_point:
            return np.full(q.shape, self.p["point"])
        return np.asarray(self.frozen().ppf(q), dtype=float)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws with numpy's generator (fast paths for every kind)."""
        p = self.p
        if self.is_point:
            return np.full(n, p["point"])
        k = self.kind
        if k == "beta":
            return rng.beta(p["a"], p["b"], n)
        if k == "normal":
            if math.isinf(p["lower"]) and math.isinf(p["upper"]):
                return rng.normal(p["loc"], p["scale"], n)
            from scipy import special  # lazy, as above

            lo = special.ndtr((p["lower"] - p["loc"]) / p["scale"])
            hi = special.ndtr((p["upper"] - p["loc"]) / p["scale"])
            x = p["loc"] + p["scale"] * special.ndtri(lo + (hi - lo) * rng.random(n))
            return np.clip(x, p["lower"], p["upper"])  # rounding only: inverse-CDF draws lie inside
        if k == "lognormal":
            return rng.lognormal(p["meanlog"], p["sdlog"], n)
        if k == "gamma":
            return rng.gamma(p["shape"], p["scale"], n)
        if k == "triangular":
            return rng.triangular(p["low"], p["mode"], p["high"], n)
        if k == "uniform":
            return rng.uniform(p["low"], p["high"], n)
        return p["low"] + (p["high"] - p["low"]) * rng.beta(p["alpha"], p["beta"], n)  # pert

    def describe(self) -> str:
        """Short text such as ``beta(mean 0.6, sd 0.05)``."""
        body = ", ".join(f"{k} {v:g}" if isinstance(v, (int, float)) else f"{k} {v}"
                         for k, v in self.spec.items() if k != "dist")
        return f"{self.kind}({body})"
