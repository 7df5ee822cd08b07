"""Evaluation design: MDE against statsmodels' solve_power, payment probabilities against simulation."""
from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import beta as beta_dist
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from sibmodel import Case, CaseError
from sibmodel.evidence import evaluation_design
from sibmodel.evidence.power import confirm_probability, mde_h, p1_from_h
from tests.conftest import BASE


@pytest.mark.parametrize("n1", [20, 75, 400])
@pytest.mark.parametrize("ratio", [1.0, 2.5, 0.0])
@pytest.mark.parametrize("alternative", ["larger", "two-sided"])
def test_mde_agrees_with_solve_power(n1, ratio, alternative):
    ours = float(mde_h(n1, ratio, 0.05, 0.8, alternative))
    theirs = NormalIndPower().solve_power(effect_size=None, nobs1=n1, alpha=0.05, power=0.8, ratio=ratio,
                                          alternative=alternative)
    # solve_power finds its root numerically (differences up to about 1e-5 relative); the closed form is exact
    # for one-sided tests, and for two-sided ones leaves out the far tail (below 1e-6 of power here)
    assert ours == pytest.approx(float(np.squeeze(theirs)), rel=5e-5)
    power = NormalIndPower().power(effect_size=ours, nobs1=n1, alpha=0.05, ratio=ratio, alternative=alternative)
    assert power == pytest.approx(0.8, abs=1e-9 if alternative == "larger" else 1e-6)


def test_mde_on_the_rate_scale_round_trips():
    d = evaluation_design(baseline_rate=0.6, n_treated=120, comparison=1.0)
    p1 = 0.6 * (1 - d.mde)
    assert proportion_effectsize(0.6, p1) == pytest.approx(d.mde_h, rel=1e-9)
    assert d.power_at(d.mde) == pytest.approx(0.8, abs=1e-9)
    assert d.mde_absolute == pytest.approx(0.6 - p1)
    assert float(p1_from_h(0.6, 10.0)) == 0.0  # an effect larger than p0 allows


def _simulate(p0, p1, n1, n0, threshold, alpha, significance, draws=200_000, seed=1):
    """Binomial draws of the evaluation and the payment rule applied to each (independent check)."""
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    x1 = rng.binomial(n1, p1, draws) / n1
    x0 = np.full(draws, p0) if n0 is None else rng.binomial(n0, p0, draws) / n0
    d = x0 - x1
    ok = d >= threshold * p0
    if significance:
        var0 = 0.0 if n0 is None else p0 * (1 - p0) / n0
        ok &= d >= norm.ppf(1 - alpha) * np.sqrt(var0 + p0 * (1 - p0) / n1)
    return ok.mean()


@pytest.mark.parametrize("p0, rrr, n1, n0, thr, sig", [
    (0.6, 0.4, 300, 300, 0.2, True),
    (0.5, 0.3, 400, None, 0.15, True),
    (0.3, 0.25, 800, 1600, 0.0, True),
    (0.6, 0.2, 500, 500, 0.2, False),
])
def test_confirm_probability_against_simulation(p0, rrr, n1, n0, thr, sig):
    ours = float(confirm_probability(p0, p0 * (1 - rrr), n1, n0, thr, 0.05, sig))
    sim = _simulate(p0, p0 * (1 - rrr), n1, n0, thr, 0.05, sig)
    assert ours == pytest.approx(sim, abs=0.02)  # normal approximation vs discrete binomial at these sizes


def test_at_the_threshold_without_significance_payment_is_a_coin_flip():
    assert float(confirm_probability(0.6, 0.6 * 0.8, 500, 500, 0.2, 0.05, False)) == pytest.approx(0.5)
    d = evaluation_design(baseline_rate=0.6, n_treated=500, threshold=0.2, require_significance=False)
    assert d.risk_unpaid_at_threshold == pytest.approx(0.5)


def test_required_cohort_is_the_smallest_with_enough_power():
    d = evaluation_design(baseline_rate=0.5, n_treated=50, expected_reduction=0.3)
    n = d.required_treated()
    from dataclasses import replace

    assert replace(d, n_treated=n, n_control=n).power_at(0.3) >= 0.8
    assert replace(d, n_treated=n - 1, n_control=n - 1).power_at(0.3) < 0.8


def test_from_a_case_and_to_case_scales_the_cohort():
    data = copy.deepcopy(BASE)
    data["cohort"]["participants"] = [10, 20]
    data["outcome"]["relative_reduction"] = 0.3
    case = Case.from_dict(data)
    d = evaluation_design(case, threshold=0.1)
    assert (d.baseline_rate, d.n_treated, d.expected_reduction) == (0.5, 30.0, 0.3)
    assert list(d.by_cohort().index) == ["year 0", "year 1", "all years"]
    assert d.by_cohort().loc["year 0", "mde"] > d.by_cohort().loc["all years", "mde"]
    new = d.to_case(case)
    parts = new.get("cohort.participants")
    assert parts[1] / parts[0] == pytest.approx(2.0, rel=0.05)
    assert sum(parts) >= d.required_treated()
    assert evaluation_design(new).power_at(0.3) >= 0.8
    with pytest.raises(CaseError, match="cohort.participants"):
        d.to_case(case, "outcome.baseline_rate")


def test_investor_risk_with_an_uncertain_effect_by_quadrature():
    d = evaluation_design(baseline_rate=0.6, n_treated=200, threshold=0.15, effect=(0.3, 0.1))
    from sibmodel.evidence._common import beta_from_mean_sd

    a, b = beta_from_mean_sd(0.3, 0.1)

    def paid(r):
        return float(confirm_probability(0.6, 0.6 * (1 - r), 200, 200, 0.15, 0.05, True))

    works = beta_dist.sf(0.15, a, b)
    num, _ = integrate.quad(lambda r: (1 - paid(r)) * beta_dist.pdf(r, a, b), 0.15, 1, limit=200)
    assert d.risk_unpaid_although_works == pytest.approx(num / works, abs=2e-3)
    num2, _ = integrate.quad(lambda r: paid(r) * beta_dist.pdf(r, a, b), 0, 0.15, limit=200)
    assert d.risk_paid_although_fails == pytest.approx(num2 / (1 - works), abs=2e-3)
    s = d.summary()
    assert s.loc["investor's risk of no payment although the intervention works", "value"] == d.risk_unpaid_although_works
    assert "investors risiko for ingen betaling selvom indsatsen virker" in d.summary("da").index
    fig = d.plot()
    assert len(fig.axes[0].lines) >= 4


def test_effect_from_a_meta_analysis():
    from sibmodel.evidence import load_studies, meta_analysis

    m = meta_analysis(load_studies("homelessness_housing_first"))
    d = evaluation_design(baseline_rate=0.5, n_treated=300, effect=m)
    rr = m.relative_reduction(0.5)
    assert (d.effect_mean, d.effect_sd) == (rr.mean, rr.sd)
    assert d.expected_reduction == rr.mean


@pytest.mark.parametrize("kwargs, where", [
    ({"baseline_rate": 1.2, "n_treated": 10}, "baseline_rate"),
    ({"baseline_rate": 0.5, "n_treated": 0}, "n_treated"),
    ({"baseline_rate": 0.5, "n_treated": 10, "threshold": 1.5}, "threshold"),
    ({"baseline_rate": 0.5, "n_treated": 10, "comparison": "n:x"}, "comparison"),
    ({"baseline_rate": 0.5, "n_treated": 10, "comparison": -1}, "comparison"),
    ({"baseline_rate": 0.5, "n_treated": 10, "alpha": 0}, "alpha"),
    ({"baseline_rate": 0.5, "n_treated": 10, "alternative": "smaller"}, "alternative"),
    ({"baseline_rate": 0.5, "n_treated": 10, "effect": "big"}, "effect"),
])
def test_bad_design_inputs_are_refused(kwargs, where):
    with pytest.raises(CaseError) as err:
        evaluation_design(**kwargs)
    assert str(err.value).startswith(where)


def test_assurance_is_the_average_payment_probability_over_the_effect():
    d = evaluation_design(baseline_rate=0.5, n_treated=150, threshold=0.1, expected_reduction=0.3, effect=(0.25, 0.08))
    from sibmodel.evidence._common import beta_from_mean_sd

    a, b = beta_from_mean_sd(0.25, 0.08)
    val, _ = integrate.quad(lambda r: float(confirm_probability(0.5, 0.5 * (1 - r), 150, 150, 0.1, 0.05, True))
                            * beta_dist.pdf(r, a, b), 0, 1, limit=200)
    assert d.assurance == pytest.approx(val, abs=2e-3)
    assert d.payment_probability_at_expected == pytest.approx(
        float(confirm_probability(0.5, 0.35, 150, 150, 0.1, 0.05, True)))
    assert evaluation_design(baseline_rate=0.5, n_treated=150).assurance is None


def test_the_case_distribution_of_the_effect_is_used():
    data = copy.deepcopy(BASE)
    data["cohort"]["participants"] = [100, 100]
    data["outcome"]["relative_reduction"] = {"dist": "beta", "mean": 0.3, "sd": 0.1}
    case = Case.from_dict(data)
    d = evaluation_design(case, threshold=0.1)
    assert d.effect_mean == pytest.approx(0.3, abs=1e-3) and d.effect_sd == pytest.approx(0.1, abs=1e-3)
    same = evaluation_design(baseline_rate=0.5, n_treated=200, threshold=0.1, expected_reduction=0.3,
                             effect=(0.3, 0.1))
    assert d.assurance == pytest.approx(same.assurance, abs=1e-3)
    assert d.risk_unpaid_although_works == pytest.approx(same.risk_unpaid_although_works, abs=1e-3)
