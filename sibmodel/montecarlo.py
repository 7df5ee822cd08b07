"""Monte Carlo simulation of a case: every uncertain input drawn at once, evaluated by the vectorised model.

Draws are processed in chunks of ``chunk_size`` (memory stays bounded: about 2 KB per draw while a chunk is
evaluated, plus 8 bytes per kept figure and draw). Chunk ``k`` draws from its own generator, seeded with child
``k`` of ``numpy.random.SeedSequence(seed)``; so the same ``seed`` and ``chunk_size`` give the same draws
whether chunks run here, one after the other, or on a Dask cluster (``client=``).

Evaluation noise (``noise=True``): the measured outcome of a finite cohort is binomial. In enrolment year ``e``
the number of treated participants who end in the case is ``X_e ~ Binomial(round(n_e), p1)``; the contract
measures the rate ``X_e / round(n_e)`` against the baseline rate ``p0`` of the case (a fixed counterfactual),
so payments follow the measured outcome while savings follow the true ``p1``. A measured effect below zero is
paid as zero.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .case import Case
from .costs import resolve_costs
from .errors import CaseError, Problem
from .i18n import check_lang, label, unit
from .vectorised import FIGURES, evaluate_many, input_paths

#: Default number of draws per chunk.
CHUNK_SIZE = 50_000
#: Prefix of the input columns that hold the measured treated rate of each enrolment year (noise).
MEASURED = "measured_rate."


def sample_inputs(case: Case, n: int, rng: np.random.Generator, noise: bool = False) -> dict[str, np.ndarray]:
    """Draw every uncertain input of ``case`` ``n`` times, in the model's order of inputs (so equal cases give
    equal draws however they were built), then, with ``noise``, the measured treated rate of each enrolment
    year (``measured_rate.<e>``)."""
    dists = case.distributions
    values = {path: dists[path].sample(rng, n) for path in input_paths(case) if path in dists}
    if noise:
        values.update(sample_measured(case, values, n, rng))
    return values


def sample_measured(case: Case, values: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Measured treated rate per enrolment year: ``Binomial(round(n_e), p1) / round(n_e)`` for each draw."""
    o = case.outcome
    p0 = values.get("outcome.baseline_rate", np.full(n, o.baseline_rate))
    if o.treated_rate is not None:
        p1 = values.get("outcome.treated_rate", np.full(n, o.treated_rate))
    else:
        p1 = p0 * (1.0 - values.get("outcome.relative_reduction", np.full(n, o.relative_reduction)))
    p1 = np.clip(p1, 0.0, 1.0)
    out = {}
    for e, x in enumerate(case.cohort.participants):
        size = np.rint(values.get(f"cohort.participants.{e}", np.full(n, x))).astype(np.int64)
        k = rng.binomial(np.maximum(size, 0), p1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{MEASURED}{e}"] = np.where(size > 0, k / np.maximum(size, 1), p1)
    return out


def run(case: Case, values: dict[str, np.ndarray], n: int, items: Any = None) -> dict[str, np.ndarray]:
    """Evaluate sampled inputs (including ``measured_rate.<e>`` columns, if any) with the vectorised model."""
    measured_keys = sorted((k for k in values if k.startswith(MEASURED)), key=lambda k: int(k[len(MEASURED):]))
    inputs = {k: v for k, v in values.items() if not k.startswith(MEASURED)}
    measured = np.stack([values[k] for k in measured_keys]) if measured_keys else None
    return evaluate_many(case, inputs, n, measured_rate=measured, items=items)


def _chunk(case: Case, n: int, seed: np.random.SeedSequence, noise: bool, figures: Sequence[str],
           keep_inputs: bool, items: Any = None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One chunk: sample ``n`` draws from ``seed`` and evaluate them (runs locally or on a Dask worker)."""
    rng = np.random.default_rng(seed)
    values = sample_inputs(case, n, rng, noise)
    out = run(case, values, n, items=items)
    return (values if keep_inputs else {}), {k: out[k] for k in figures}


@dataclass
class Simulation:
    """The result of :func:`simulate`: every key figure for every draw, and what users ask of them.

    Money in the case's currency and price year. ``draws`` has one row per draw and one column per key figure
    (NaN where a figure does not exist for a draw, e.g. no IRR); ``inputs`` the sampled inputs by dotted path.
    """

    case: Case
    draws: pd.DataFrame
    inputs: pd.DataFrame
    seed: int | None
    noise: bool
    chunk_size: int
    _point: dict[str, Any] | None = field(repr=False, default=None)

    @property
    def point(self) -> dict[str, Any]:
        """Key figures of ``evaluate()`` at the inputs' point values (their means)."""
        if self._point is None:
            from .model import evaluate

            self._point = evaluate(self.case).key_figures()
        return self._point

    @property
    def n(self) -> int:
        return len(self.draws)

    def _share(self, mask: pd.Series) -> float:
        return float(mask.mean()) if len(mask) else math.nan

    @property
    def prob_commissioner_saves(self) -> float:
        """Probability that the payers' NPV at the contract price is positive (savings exceed payments + fee)."""
        return self._share(self.draws["commissioner_npv"] > 0)

    @property
    def prob_investor_loss(self) -> float:
        """Probability that the investor gets back less than it financed (money multiple < 1, undiscounted)."""
        return self._share(self.draws["investor_moic"] < 1)

    @property
    def prob_investor_below_required(self) -> float:
        """Probability that the investor earns less than its required return (NPV at that rate < 0)."""
        return self._share(self.draws["investor_npv"] < 0)

    @property
    def prob_corridor(self) -> float:
        """Probability that a price corridor exists (investor minimum <= commissioner maximum)."""
        return self._share(self.draws["corridor_low"].notna())

    def probabilities(self) -> pd.Series:
        """The decision probabilities by name."""
        return pd.Series({
            "prob_commissioner_saves": self.prob_commissioner_saves,
            "prob_investor_loss": self.prob_investor_loss,
            "prob_investor_below_required": self.prob_investor_below_required,
            "prob_corridor": self.prob_corridor,
        }, name="probability")

    def percentiles(self, q: Sequence[float] = (5, 50, 95)) -> pd.DataFrame:
        """Mean, standard deviation and percentiles ``q`` (in %) of every key figure over the draws where it
        exists; ``share_defined`` is the share of draws where it does."""
        d = self.draws
        out = pd.DataFrame({"mean": d.mean(), "sd": d.std(ddof=1) if len(d) > 1 else 0.0})
        for p in q:
            out[f"p{p:g}"] = d.quantile(p / 100.0)
        out["share_defined"] = d.notna().mean()
        out.index.name = "name"
        return out

    def summary(self, lang: str = "en", q: Sequence[float] = (5, 50, 95)) -> pd.DataFrame:
        """A table users read: the decision probabilities, then each key figure with its label, unit, point
        value (``evaluate()`` at the inputs' means), mean and percentiles."""
        check_lang(lang)
        rows = [{"name": k, "label": label(k, lang), "unit": unit(k, lang), "point": None,
                 "mean": v, **{f"p{p:g}": None for p in q}} for k, v in self.probabilities().items()]
        pct = self.percentiles(q)
        for name in self.draws.columns:
            r = pct.loc[name]
            rows.append({"name": name, "label": label(name, lang), "unit": unit(name, lang, self.case.currency),
                         "point": self.point.get(name), "mean": r["mean"], **{f"p{p:g}": r[f"p{p:g}"] for p in q}})
        return pd.DataFrame(rows)

    def acceptability(self, prices: Sequence[float] | np.ndarray, max_draws: int | None = 20_000) -> pd.DataFrame:
        """Acceptability curves over the outcome price, on these draws (common random numbers, so the curves
        are monotone): for each price, the probability that the commissioner saves (NPV > 0) and that the
        investor earns at least its required return (NPV >= 0). At most ``max_draws`` draws are used."""
        from .sensitivity import acceptability

        return acceptability(self, prices, max_draws=max_draws)


def simulate(case: Case, draws: int = 10_000, seed: int | None = None, *, noise: bool = False,
             chunk_size: int = CHUNK_SIZE, figures: Sequence[str] | None = None, keep_inputs: bool = True,
             client: Any = None, progress: bool | Any = False) -> Simulation:
    """Monte Carlo over every uncertain input of ``case`` (see the module docstring).

    ``draws``: number of draws; ``seed``: an integer for reproducible runs (None: fresh entropy, recorded in
    the result); ``noise``: binomial evaluation noise; ``figures``: key figures to keep (default all; the
    probabilities always keep what they need); ``keep_inputs``: keep the sampled inputs (needed for EVPPI and
    acceptability curves); ``client``: a ``dask.distributed.Client`` to run the chunks on; ``progress``: show
    a progress bar over chunks (True, or a tqdm-like class).
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise CaseError(Problem("draws", draws, "must be a whole number >= 1"))
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise CaseError(Problem("chunk_size", chunk_size, "must be a whole number >= 1"))
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise CaseError(Problem("seed", seed, "must be a whole number >= 0, or None for a fresh seed"))
    needed = ("commissioner_npv", "investor_moic", "investor_npv", "corridor_low")
    if figures is None:
        figures = FIGURES
    else:
        unknown = [f for f in figures if f not in FIGURES]
        if unknown:
            raise CaseError(Problem("figures", unknown, f"unknown key figure; allowed: {', '.join(FIGURES)}"))
        figures = tuple(dict.fromkeys([*figures, *needed]))
    items = resolve_costs(case)  # refuse unknown catalogue keys here, not in a worker
    unsupported = [p for p in case.distributions if p not in input_paths(case)]
    if unsupported:
        raise CaseError([Problem(p, case.distributions[p].spec, "this input cannot vary in a simulation") for p in unsupported])
    ss = np.random.SeedSequence(seed)
    used_seed = int(ss.entropy) if seed is None else int(seed)
    sizes = [min(chunk_size, draws - s) for s in range(0, draws, chunk_size)]
    children = ss.spawn(len(sizes))
    bar = _bar(progress, len(sizes), draws)
    starts = np.cumsum([0, *sizes[:-1]])
    cols: dict[str, np.ndarray] = {k: np.empty(draws) for k in figures}
    ins: dict[str, np.ndarray] = {}

    def store(k: int, part: tuple[dict[str, np.ndarray], dict[str, np.ndarray]]) -> None:
        sl = slice(int(starts[k]), int(starts[k]) + sizes[k])
        for name, v in part[1].items():
            cols[name][sl] = v
        for name, v in part[0].items():
            ins.setdefault(name, np.empty(draws))[sl] = v
        if bar is not None:
            bar.update(1)

    if client is None:
        for k, (size, child) in enumerate(zip(sizes, children)):
            store(k, _chunk(case, size, child, noise, figures, keep_inputs, items))
    else:
        from dask.distributed import as_completed

        futures = client.map(_chunk, [case] * len(sizes), sizes, children, [noise] * len(sizes),
                             [tuple(figures)] * len(sizes), [keep_inputs] * len(sizes), pure=False)
        index = {f.key: k for k, f in enumerate(futures)}
        for fut, part in as_completed(futures, with_results=True):
            store(index[fut.key], part)
            fut.release()
    if bar is not None:
        bar.close()
    out = pd.DataFrame(cols, copy=False)
    inputs = pd.DataFrame(ins, copy=False) if ins else pd.DataFrame(index=out.index)
    return Simulation(case=case, draws=out, inputs=inputs, seed=used_seed, noise=noise, chunk_size=chunk_size)


def _bar(progress: bool | Any, chunks: int, draws: int) -> Any:
    if not progress:
        return None
    if progress is True:
        from tqdm.auto import tqdm

        progress = tqdm
    return progress(total=chunks, desc=f"simulating {draws:,} draws", unit="chunk")
