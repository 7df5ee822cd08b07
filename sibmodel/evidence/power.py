"""Evaluation design: can the evaluation see the effect the contract pays for?

The evaluation compares the case rate of the treated cohort (n1 people) with a comparison group (n0 = ratio *
n1; ratio 0 means a known historical baseline, a one-sample test). Power and the minimum detectable effect
(MDE) use statsmodels' ``NormalIndPower`` on Cohen's h (``proportion_effectsize``), one-sided by default: the
contract asks whether the rate fell.

The payment rule: the outcome is confirmed (and paid) when the measured fall ``p0_hat - p1_hat`` is at least
the payment threshold ``threshold * p0`` (a relative reduction) and, with ``require_significance``, also
significant at ``alpha``. Its probability uses the normal approximation of the difference of two proportions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._common import Estimate, check_level, new_axes, refuse, table


_U = (np.arange(2000) + 0.5) / 2000   # midpoint probabilities: 2,000 equally likely values of an effect


def h_effect(p0: Any, p1: Any) -> Any:
    """Cohen's h for a fall from p0 to p1 (positive when p1 < p0): 2 asin(sqrt p0) - 2 asin(sqrt p1)."""
    return 2.0 * np.arcsin(np.sqrt(p0)) - 2.0 * np.arcsin(np.sqrt(p1))


def p1_from_h(p0: float, h: Any) -> Any:
    """The treated rate that lies ``h`` (Cohen's h) below p0; 0 when h exceeds what p0 allows."""
    angle = np.arcsin(math.sqrt(p0)) - np.asarray(h) / 2.0
    return np.where(angle > 0, np.sin(np.maximum(angle, 0)) ** 2, 0.0)


def mde_h(n1: Any, ratio: float, alpha: float, power: float, alternative: str = "larger") -> Any:
    """Minimum detectable Cohen's h (closed form; vectorised over cohort sizes ``n1``).

    One-sided: h = (z_{1-alpha} + z_{power}) / sqrt(n1 * r/(1+r)) (r = ratio; r = 0: one-sample, sqrt(n1)).
    Two-sided uses z_{1-alpha/2} and ignores the far tail (below 1e-6 of power at usual sizes).
    """
    from scipy.stats import norm

    z_a = norm.ppf(1 - alpha / 2) if alternative == "two-sided" else norm.ppf(1 - alpha)
    n_eff = np.asarray(n1, float) * (ratio / (1.0 + ratio) if ratio > 0 else 1.0)
    return (z_a + norm.ppf(power)) / np.sqrt(n_eff)


def confirm_probability(p0: Any, p1: Any, n1: float, n0: float | None, threshold: float = 0.0,
                        alpha: float = 0.05, require_significance: bool = True) -> Any:
    """Probability that the evaluation confirms a payable effect when the true rates are p0 and p1.

    Confirmed when the measured fall D = p0_hat - p1_hat >= threshold * p0 and (with ``require_significance``)
    D >= z_{1-alpha} * sd0, sd0 the SD of D under no effect. ``n0=None``: p0 known (historical baseline).
    """
    from scipy.stats import norm

    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    var0 = 0.0 if n0 is None else p0 * (1 - p0) / n0
    sd = np.sqrt(var0 + p1 * (1 - p1) / n1)
    sd_null = np.sqrt(var0 + p0 * (1 - p0) / n1)
    cut = threshold * p0
    if require_significance:
        cut = np.maximum(cut, norm.ppf(1 - alpha) * sd_null)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (p0 - p1 - cut) / np.where(sd > 0, sd, 1.0), np.where(p0 - p1 >= cut, np.inf, -np.inf))
    return norm.cdf(z)


@dataclass(frozen=True, repr=False)
class EvaluationDesign(Estimate):
    """What an evaluation of ``n_treated`` people (and ``n_control`` comparisons) can detect, and the risks
    of the payment rule. Rates are shares (0-1); relative reductions are ``1 - p1/p0``."""

    baseline_rate: float
    n_treated: float
    n_control: float | None              # None: historical baseline taken as known
    alpha: float
    power: float
    alternative: str
    expected_reduction: float | None
    threshold: float
    require_significance: bool
    cohorts: tuple[float, ...] = ()
    effect_mean: float | None = None
    effect_sd: float | None = None
    effect_values: np.ndarray | None = field(default=None, repr=False, compare=False)  # quantiles of the effect

    paths = ("cohort.participants",)

    @property
    def ratio(self) -> float:
        return 0.0 if self.n_control is None else self.n_control / self.n_treated

    # -- figures ------------------------------------------------------------------------------------------
    @property
    def mde_h(self) -> float:
        return float(mde_h(self.n_treated, self.ratio, self.alpha, self.power, self.alternative))

    @property
    def mde(self) -> float:
        """Minimum detectable relative reduction (1 - p1/p0) at ``power`` and ``alpha``."""
        return float(1.0 - p1_from_h(self.baseline_rate, self.mde_h) / self.baseline_rate)

    @property
    def mde_absolute(self) -> float:
        """Minimum detectable fall of the rate, p0 - p1 (percentage points / 100)."""
        return self.mde * self.baseline_rate

    def power_at(self, reduction: Any) -> Any:
        """Power of the test (statsmodels NormalIndPower) at true relative reduction(s)."""
        from statsmodels.stats.power import NormalIndPower
        from statsmodels.stats.proportion import proportion_effectsize

        r = np.atleast_1d(np.asarray(reduction, float))
        h = proportion_effectsize(self.baseline_rate, self.baseline_rate * (1 - r))
        out = NormalIndPower().power(effect_size=h, nobs1=self.n_treated, alpha=self.alpha, ratio=self.ratio,
                                     alternative=self.alternative)
        return out if np.ndim(reduction) else float(out[0])

    def confirm_probability(self, reduction: Any) -> Any:
        """Probability the evaluation confirms a payable effect at true relative reduction(s)."""
        p0 = self.baseline_rate
        return confirm_probability(p0, p0 * (1 - np.asarray(reduction, float)), self.n_treated, self.n_control,
                                   self.threshold, self.alpha, self.require_significance)

    @property
    def risk_unpaid_at_expected(self) -> float | None:
        """Investor's risk of not being paid when the intervention works exactly as expected."""
        if self.expected_reduction is None:
            return None
        return float(1.0 - self.confirm_probability(self.expected_reduction))

    @property
    def risk_unpaid_at_threshold(self) -> float:
        """Risk of not being paid when the true effect is exactly the payment threshold (about one half)."""
        return float(1.0 - self.confirm_probability(max(self.threshold, 1e-12)))

    def _effect_grid(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Equally likely values of the uncertain effect (midpoint quantiles) and the payment probability at each."""
        if self.effect_values is not None:
            r = np.asarray(self.effect_values, float)
            return r, self.confirm_probability(r)
        if self.effect_mean is None or self.effect_sd is None or self.effect_sd <= 0:
            return None
        from scipy.stats import beta

        from ._common import beta_from_mean_sd

        a, b = beta_from_mean_sd(self.effect_mean, self.effect_sd, "effect")
        r = beta.ppf(_U, a, b)
        return r, self.confirm_probability(r)

    @property
    def risk_unpaid_although_works(self) -> float | None:
        """With an uncertain effect (``effect_mean``/``effect_sd``, a beta): P(not paid | true reduction >=
        threshold), the investor's risk of not being paid although the intervention works."""
        grid = self._effect_grid()
        if grid is None:
            return self.risk_unpaid_at_expected
        r, pc = grid
        works = r >= self.threshold
        return float(1.0 - pc[works].mean()) if works.any() else None

    @property
    def risk_paid_although_fails(self) -> float | None:
        """With an uncertain effect: P(paid | true reduction < threshold), the commissioner's risk."""
        grid = self._effect_grid()
        if grid is None:
            return None
        r, pc = grid
        fails = r < self.threshold
        return float(pc[fails].mean()) if fails.any() else 0.0

    @property
    def payment_probability_at_expected(self) -> float | None:
        """Probability that the evaluation confirms payment when the true effect is the expected one."""
        if self.expected_reduction is None:
            return None
        return float(self.confirm_probability(self.expected_reduction))

    @property
    def assurance(self) -> float | None:
        """Probability of payment averaged over the effect distribution (``effect``); None without one."""
        grid = self._effect_grid()
        return None if grid is None else float(grid[1].mean())

    def required_treated(self, reduction: float | None = None) -> int:
        """Treated people needed for ``power`` at ``reduction`` (default: the expected effect)."""
        from statsmodels.stats.power import NormalIndPower
        from statsmodels.stats.proportion import proportion_effectsize

        r = self.expected_reduction if reduction is None else reduction
        if r is None or not 0 < r <= 1:
            raise refuse("reduction", r, "a relative reduction above 0 and at most 1 is needed to size the cohort")
        h = proportion_effectsize(self.baseline_rate, self.baseline_rate * (1 - r))
        n = NormalIndPower().solve_power(effect_size=h, nobs1=None, alpha=self.alpha, power=self.power,
                                         ratio=self.ratio, alternative=self.alternative)
        return int(math.ceil(float(np.squeeze(n))))

    def by_cohort(self) -> pd.DataFrame:
        """MDE and payment probability for each enrolment year evaluated on its own, and for all years."""
        sizes = list(self.cohorts) or [self.n_treated]
        rows = []
        for label, n in [*((f"year {i}", c) for i, c in enumerate(sizes)), ("all years", sum(sizes))]:
            if n <= 0:
                continue
            d = _replace(self, n)
            rows.append({"cohort": label, "treated": n, "comparison": d.n_control, "mde": d.mde,
                         "power_at_expected": None if d.expected_reduction is None else d.power_at(d.expected_reduction),
                         "p_confirm_at_expected": None if d.expected_reduction is None
                         else float(d.confirm_probability(d.expected_reduction))})
        return pd.DataFrame(rows).set_index("cohort")

    # -- value object ------------------------------------------------------------------------------------------
    def summary(self, lang: str = "en") -> pd.DataFrame:
        rows = [
            ("baseline rate p0", "basisrate p0", self.baseline_rate, "share"),
            ("treated people evaluated", "behandlede personer i evalueringen", self.n_treated, "people"),
            ("comparison people (none: known historical baseline)", "sammenligningspersoner (ingen: kendt historisk basis)",
             self.n_control, "people"),
            ("significance level (one-sided)" if self.alternative != "two-sided" else "significance level (two-sided)",
             "signifikansniveau", self.alpha, ""),
            (f"minimum detectable relative reduction at power {self.power:.0%}",
             f"mindste påviselige relative reduktion ved styrke {self.power:.0%}", self.mde, "share"),
            ("minimum detectable fall of the rate (p0 - p1)", "mindste påviselige fald i raten (p0 - p1)",
             self.mde_absolute, "share"),
            ("payment threshold (relative reduction)", "betalingstærskel (relativ reduktion)", self.threshold, "share"),
            ("expected relative reduction", "forventet relativ reduktion", self.expected_reduction, "share"),
            ("power at the expected effect", "styrke ved den forventede effekt",
             None if self.expected_reduction is None else self.power_at(self.expected_reduction), "share"),
            ("probability the evaluation confirms payment at the expected effect",
             "sandsynlighed for at evalueringen udløser betaling ved den forventede effekt",
             self.payment_probability_at_expected, "share"),
            ("probability of payment over the effect distribution (assurance)",
             "sandsynlighed for betaling over effektfordelingen (assurance)", self.assurance, "share"),
            ("investor's risk of no payment although the intervention works",
             "investors risiko for ingen betaling selvom indsatsen virker", self.risk_unpaid_although_works, "share"),
            ("risk of no payment if the true effect equals the threshold",
             "risiko for ingen betaling hvis effekten er lig tærsklen", self.risk_unpaid_at_threshold, "share"),
            ("commissioner's risk of paying although the effect is below the threshold",
             "kommunens risiko for at betale selvom effekten er under tærsklen", self.risk_paid_although_fails, "share"),
        ]
        if self.expected_reduction is not None and self.expected_reduction > 0:
            rows.append((f"treated people needed for power {self.power:.0%} at the expected effect",
                         f"behandlede personer der kræves for styrke {self.power:.0%} ved forventet effekt",
                         self.required_treated(), "people"))
        return table(rows, lang)

    def plot(self, ax: Any = None) -> Any:
        """Power and payment probability against the true relative reduction, with MDE, threshold, expectation."""
        fig, ax = new_axes(ax)
        r = np.linspace(0, min(1.0, max(0.6, 2 * self.mde, 1.5 * (self.expected_reduction or 0))), 301)
        ax.plot(r, self.power_at(r), color="tab:blue", label="power of the test")
        ax.plot(r, self.confirm_probability(r), color="tab:red", label="probability of payment")
        ax.axvline(self.mde, color="tab:blue", ls="--", lw=1, label=f"MDE {self.mde:.2f}")
        if self.threshold > 0:
            ax.axvline(self.threshold, color="tab:red", ls=":", lw=1, label=f"threshold {self.threshold:.2f}")
        if self.expected_reduction is not None:
            ax.axvline(self.expected_reduction, color="0.3", lw=1, label=f"expected {self.expected_reduction:.2f}")
        ax.set_xlabel("true relative reduction of the case rate")
        ax.set_ylabel("probability")
        ax.set_ylim(0, 1.02)
        ax.legend(fontsize=8)
        ax.set_title(f"p0 = {self.baseline_rate:.2f}, treated {self.n_treated:g}, comparison "
                     f"{'historical' if self.n_control is None else f'{self.n_control:g}'}", fontsize=9)
        return fig

    def distribution(self, path: str = "cohort.participants") -> Any:
        raise refuse("path", path, "an evaluation design changes the cohort size; use to_case")

    def to_case(self, case: Any, path: str | None = None, reduction: float | None = None) -> Any:
        """A new case whose cohort is scaled up (never down) so the evaluation has ``power`` at the expected
        effect (or ``reduction``); each year's participants are scaled by the same factor and rounded up."""
        path = path or self.paths[0]
        self._check_path(path)
        need = self.required_treated(reduction)
        current = list(case.get("cohort.participants"))
        total = sum(current)
        if need <= total:
            return case
        factor = need / total
        return case.update({"cohort.participants": [float(math.ceil(x * factor)) for x in current]})


def _replace(d: EvaluationDesign, n: float) -> EvaluationDesign:
    from dataclasses import replace

    n0 = None if d.n_control is None else d.ratio * n
    return replace(d, n_treated=float(n), n_control=n0, cohorts=())


def evaluation_design(case: Any = None, *, baseline_rate: float | None = None, n_treated: float | None = None,
                      comparison: float | str | None = 1.0, alpha: float = 0.05, power: float = 0.8,
                      alternative: str = "larger", threshold: float = 0.0, expected_reduction: float | None = None,
                      require_significance: bool = True, effect: Any = None) -> EvaluationDesign:
    """The evaluation design for a case (its baseline rate, cohort sizes and relative reduction) or for
    numbers given directly (which override the case).

    ``comparison``: a ratio of comparison to treated people (default 1: equal groups), ``"historical"`` for a
    known baseline (a one-sample test), or a number of people with ``"n:"`` prefix, e.g. ``"n:500"``.
    ``threshold``: the payment threshold as a relative reduction. ``effect``: an uncertain effect, a
    ``RelativeReduction`` or ``MetaAnalysis`` result, a case-file distribution or a (mean, sd) pair (a beta),
    for the risk that the investor is not paid although the intervention works; by default the case's own
    distribution of ``outcome.relative_reduction``, if it has one.
    """
    check_level(alpha, "alpha")
    check_level(power, "power")
    if alternative not in ("larger", "two-sided"):
        raise refuse("alternative", alternative, "must be 'larger' (one-sided: the rate fell) or 'two-sided'")
    cohorts: tuple[float, ...] = ()
    if case is not None:
        if baseline_rate is None:
            from .meta import _case_baseline

            baseline_rate = _case_baseline(case)
        cohorts = tuple(float(x) for x in case.get("cohort.participants"))
        if n_treated is None:
            n_treated = sum(cohorts)
        if expected_reduction is None:
            out = case.outcome
            rr = getattr(out, "relative_reduction", None)
            if isinstance(rr, (int, float)):
                expected_reduction = float(rr)
            elif isinstance(getattr(out, "treated_rate", None), (int, float)) and baseline_rate:
                expected_reduction = 1.0 - float(out.treated_rate) / baseline_rate
    if baseline_rate is None or isinstance(baseline_rate, bool) or not 0.0 < float(baseline_rate) < 1.0:
        raise refuse("baseline_rate", baseline_rate, "must be a rate strictly between 0 and 1")
    if n_treated is None or isinstance(n_treated, bool) or not float(n_treated) > 0:
        raise refuse("n_treated", n_treated, "must be a number of people above 0")
    if expected_reduction is not None and not 0.0 <= expected_reduction <= 1.0:
        raise refuse("expected_reduction", expected_reduction, "must be a relative reduction between 0 and 1")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold < 1.0:
        raise refuse("threshold", threshold, "must be a relative reduction from 0 (any fall) up to below 1")
    n_control: float | None
    if comparison == "historical" or comparison is None:
        n_control = None
    elif isinstance(comparison, str) and comparison.startswith("n:"):
        try:
            n_control = float(comparison[2:])
        except ValueError:
            n_control = -1.0
        if not n_control > 0:
            raise refuse("comparison", comparison, "'n:' must be followed by a number of people above 0, e.g. 'n:500'")
    elif isinstance(comparison, (int, float)) and not isinstance(comparison, bool) and comparison > 0:
        n_control = float(comparison) * float(n_treated)
    else:
        raise refuse("comparison", comparison, "must be a ratio above 0, 'historical', or 'n:<people>'")
    mean = sd = None
    values = None
    if effect is None and case is not None:
        effect = getattr(case, "distributions", {}).get("outcome.relative_reduction")
    if effect is not None and hasattr(effect, "ppf") and hasattr(effect, "sd"):   # a case file's distribution
        values = np.clip(np.asarray(effect.ppf(_U), float), 0.0, 1.0)
        mean, sd = float(values.mean()), float(values.std())
    elif effect is not None:
        if hasattr(effect, "relative_reduction") and callable(effect.relative_reduction):
            effect = effect.relative_reduction(baseline_rate)
        if hasattr(effect, "mean") and hasattr(effect, "sd"):
            mean, sd = float(effect.mean), float(effect.sd)
        else:
            try:
                mean, sd = (float(x) for x in effect)
            except (TypeError, ValueError):
                raise refuse("effect", effect, "must be a RelativeReduction, a MetaAnalysis or a (mean, sd) pair") from None
        if expected_reduction is None:
            expected_reduction = mean
    return EvaluationDesign(
        baseline_rate=float(baseline_rate), n_treated=float(n_treated), n_control=n_control, alpha=alpha,
        power=power, alternative=alternative, expected_reduction=expected_reduction, threshold=float(threshold),
        require_significance=require_significance, cohorts=cohorts, effect_mean=mean, effect_sd=sd,
        effect_values=values,
    )
