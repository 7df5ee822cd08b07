"""Value of information: what perfect knowledge of all inputs (EVPI) or of a group of inputs (EVPPI) is
worth to the commissioner's contract decision, in DKK (the case's price year), per programme.

The decision: sign the contract (value: the payers' NPV at the contract price, ``commissioner_npv``) or not
(value 0). ``EVPI = E[max(NPV, 0)] - max(E[NPV], 0)``. EVPPI of a group of inputs is estimated by regression
(Strong, Oakley and Brennan 2014): the NPV of each draw is regressed on a polynomial in the group's sampled
inputs; the fitted values estimate ``E[NPV | group]`` and ``EVPPI = mean(max(fit, 0)) - max(mean(fit), 0)``.
"""
from __future__ import annotations

import re
from itertools import combinations_with_replacement
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import CaseError, Problem

if TYPE_CHECKING:
    from .montecarlo import Simulation

#: Default input groups: name -> regular expression on the dotted input path.
GROUPS: dict[str, str] = {
    "effect": r"^outcome\.(baseline_rate|relative_reduction|treated_rate)$",
    "persistence": r"^outcome\.(drop_off|persistence\.\d+)$",
    "adjustments": r"^adjustments\.",
    "unit_costs": r"^costs_per_case\.",
    "intervention_cost": r"^intervention\.",
    "cohort": r"^cohort\.",
    "contract": r"^contract\.",
    "discounting": r"^discounting$",
    "evaluation_noise": r"^measured_rate\.",
}


def _values(sim: Simulation, figure: str) -> np.ndarray:
    if figure not in sim.draws.columns:
        raise CaseError(Problem("figure", figure, f"not among the simulated figures: {', '.join(sim.draws.columns)}"))
    return sim.draws[figure].to_numpy(dtype=float)


def evpi(sim: Simulation, figure: str = "commissioner_npv") -> float:
    """Expected value of perfect information of the sign-or-not decision on ``figure`` (DKK); >= 0."""
    v = _values(sim, figure)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan")
    return max(0.0, float(np.mean(np.maximum(v, 0.0)) - max(float(np.mean(v)), 0.0)))


def _basis(x: np.ndarray, degree: int, interactions: bool = True) -> np.ndarray:
    """Polynomial basis of standardised columns: intercept, powers up to ``degree`` and, with
    ``interactions``, every product of columns up to that degree."""
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    cols = [np.ones(len(z))]
    for d in range(1, degree + 1):
        if interactions:
            cols += [np.prod(z[:, combo], axis=1) for combo in combinations_with_replacement(range(z.shape[1]), d)]
        else:
            cols += [z[:, j] ** d for j in range(z.shape[1])]
    return np.column_stack(cols)


def evppi(sim: Simulation, groups: Mapping[str, Sequence[str] | str] | None = None,
          figure: str = "commissioner_npv", degree: int | None = None, max_draws: int = 50_000) -> pd.DataFrame:
    """EVPPI by input group (DKK): which evidence is worth buying.

    ``groups`` maps a name to a list of input paths (or a regular expression on them); by default the inputs
    are grouped as in :data:`GROUPS` (effect, persistence, unit costs, ...). ``degree`` of the regression
    polynomial: by default 4 for one input, 3 for two, 2 for more (with interactions up to 8 inputs, without
    beyond). The regressions use the first ``max_draws`` draws (they are independent) to bound memory. Rows:
    ``group``, ``inputs``, ``evppi``, ``share_of_evpi``; the last row is ``all inputs`` (the EVPI, all draws).
    """
    if sim.inputs.shape[1] == 0 and sim.case.distributions:
        raise CaseError(Problem("keep_inputs", False, "EVPPI needs the sampled inputs: simulate with keep_inputs=True"))
    v = _values(sim, figure)[:max_draws]
    ok = np.isfinite(v)
    cols = [c for c in sim.inputs.columns if np.ptp(sim.inputs[c].to_numpy()) > 0]
    spec = groups if groups is not None else GROUPS
    resolved: dict[str, list[str]] = {}
    for name, g in spec.items():
        if isinstance(g, str):
            members = [c for c in cols if re.search(g, c)]
        else:
            unknown = [c for c in g if c not in sim.inputs.columns]
            if unknown:
                raise CaseError(Problem(f"groups.{name}", unknown, "not a sampled input; sampled: " + ", ".join(sim.inputs.columns)))
            members = [c for c in g if c in cols]
        if members or groups is not None:
            resolved[name] = members
    total = evpi(sim, figure)
    rows = []
    for name, members in resolved.items():
        if not members:
            value = 0.0
        else:
            x = sim.inputs[members].to_numpy(dtype=float)[:max_draws][ok]
            deg = degree or (4 if len(members) == 1 else 3 if len(members) == 2 else 2)
            B = _basis(x, deg, interactions=len(members) <= 8)
            coef, *_ = np.linalg.lstsq(B, v[ok], rcond=None)
            fit = B @ coef
            value = float(np.mean(np.maximum(fit, 0.0)) - max(float(np.mean(fit)), 0.0))
            value = min(max(value, 0.0), total)
        rows.append({"group": name, "inputs": ", ".join(members), "evppi": value})
    rows.append({"group": "all inputs", "inputs": ", ".join(cols), "evppi": total})
    df = pd.DataFrame(rows)
    df["share_of_evpi"] = df["evppi"] / total if total > 0 else 0.0
    return df
