"""Meta-analysis: statsmodels' own results, metafor's published BCG figures, conversions, bad data."""
from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from sibmodel import Case, CaseError
from sibmodel.evidence import load_studies, meta_analysis
from tests.conftest import BASE


@pytest.fixture(scope="module")
def bcg() -> pd.DataFrame:
    return load_studies("bcg")


def _escalc_rr(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """metafor's escalc(measure="RR") by hand: log((a/n1)/(c/n2)), 1/a - 1/n1 + 1/c - 1/n2."""
    a, b, c, dd = (d[k].to_numpy(float) for k in ("tpos", "tneg", "cpos", "cneg"))
    return np.log(a / (a + b)) - np.log(c / (c + dd)), 1 / a - 1 / (a + b) + 1 / c - 1 / (c + dd)


# Reference: metafor's test suite, tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r
# (https://github.com/wviechtb/metafor; values checked there against Stata's metan), dat.bcg:
#   RE DL, RR: beta -0.7141, ci -1.0644 .. -0.3638, tau2 0.3088, I2 92.1173 %, exp: 0.4896 (0.3449 .. 0.6950)
#   FE, RR: beta -0.4303, QE 152.2330
#   RE DL, OR: beta -0.7474, ci -1.1242 .. -0.3706, tau2 0.3663, I2 92.6455 %
#   RE DL, RD: beta -0.0071, ci -0.0101 .. -0.0040, I2 95.6596 %
# Published values are rounded to 4 decimals, hence the tolerance 6e-5 (5e-5 rounding + float noise).
TOL = 6e-5


def test_dl_risk_ratio_matches_metafor_published(bcg):
    m = meta_analysis(bcg, measure="rr", method="dl")
    assert m.k == 13
    assert m.estimate == pytest.approx(-0.7141, abs=TOL)
    lo, hi = m.conf_int()
    assert lo == pytest.approx(-1.0644, abs=TOL) and hi == pytest.approx(-0.3638, abs=TOL)
    assert m.tau2 == pytest.approx(0.3088, abs=TOL)
    assert 100 * m.i2 == pytest.approx(92.1173, abs=TOL * 100)
    assert math.exp(m.estimate) == pytest.approx(0.4896, abs=TOL)
    assert math.exp(lo) == pytest.approx(0.3449, abs=TOL) and math.exp(hi) == pytest.approx(0.6950, abs=TOL)
    assert m.estimate_fixed == pytest.approx(-0.4303, abs=TOL)
    assert m.q == pytest.approx(152.2330, abs=TOL * 10)


def test_dl_odds_ratio_and_risk_difference_match_metafor_published(bcg):
    o = meta_analysis(bcg, measure="or", method="dl")
    assert o.estimate == pytest.approx(-0.7474, abs=TOL)
    assert o.conf_int()[0] == pytest.approx(-1.1242, abs=TOL) and o.conf_int()[1] == pytest.approx(-0.3706, abs=TOL)
    assert o.tau2 == pytest.approx(0.3663, abs=TOL)
    assert 100 * o.i2 == pytest.approx(92.6455, abs=TOL * 100)
    d = meta_analysis(bcg, measure="rd", method="dl")
    assert d.estimate == pytest.approx(-0.0071, abs=TOL)
    assert d.conf_int()[0] == pytest.approx(-0.0101, abs=TOL) and d.conf_int()[1] == pytest.approx(-0.0040, abs=TOL)
    assert 100 * d.i2 == pytest.approx(95.6596, abs=TOL * 100)


def test_reml_matches_metafor_documentation(bcg):
    # metafor's rma(yi, vi, data=dat) on dat.bcg with escalc(measure="RR"), method="REML" (the default), as
    # printed in metafor's documentation and e.g. the RoBMA vignette "Bayesian Meta-Analysis"
    # (https://stat.ethz.ch/CRAN/web/packages/RoBMA/vignettes/v02-bayesian-meta-analysis.html):
    # estimate -0.7145, se 0.1798, tau^2 0.3132, I^2 92.22 %.
    m = meta_analysis(bcg, method="reml")
    assert m.estimate == pytest.approx(-0.7145, abs=TOL)
    assert m.se == pytest.approx(0.1798, abs=TOL)
    assert m.tau2 == pytest.approx(0.3132, abs=TOL)
    assert 100 * m.i2 == pytest.approx(92.22, abs=0.006)


def test_pooled_estimates_equal_statsmodels_own(bcg):
    from statsmodels.stats.meta_analysis import combine_effects

    yi, vi = _escalc_rr(bcg)
    for method, sm in (("dl", "chi2"), ("pm", "iterated")):
        ours = meta_analysis(bcg, method=method)
        theirs = combine_effects(yi, vi, method_re=sm)
        np.testing.assert_allclose(ours.studies["yi"], yi, rtol=1e-12)
        np.testing.assert_allclose(ours.studies["vi"], vi, rtol=1e-12)
        assert ours.estimate == pytest.approx(theirs.mean_effect_re, rel=1e-12)
        assert ours.se == pytest.approx(theirs.sd_eff_w_re, rel=1e-12)
        assert ours.tau2 == pytest.approx(theirs.tau2, rel=1e-12)
        assert ours.estimate_fixed == pytest.approx(theirs.mean_effect_fe, rel=1e-12)


def test_dl_and_pm_against_their_definitions(bcg):
    """DL: the moment formula; PM: tau^2 solves the generalised Q equation Q(tau^2) = k - 1."""
    yi, vi = _escalc_rr(bcg)
    k, w = len(yi), 1 / vi
    q = np.sum(w * (yi - np.sum(w * yi) / w.sum()) ** 2)
    tau2_dl = max(0.0, (q - (k - 1)) / (w.sum() - np.sum(w ** 2) / w.sum()))
    assert meta_analysis(bcg, method="dl").tau2 == pytest.approx(tau2_dl, rel=1e-10)

    def q_gen(t2):
        ww = 1 / (vi + t2)
        return np.sum(ww * (yi - np.sum(ww * yi) / ww.sum()) ** 2) - (k - 1)

    tau2_pm = brentq(q_gen, 0.0, 10.0, xtol=1e-14)
    pm = meta_analysis(bcg, method="pm")
    assert pm.tau2 == pytest.approx(tau2_pm, rel=1e-5)
    ww = 1 / (vi + tau2_pm)
    assert pm.estimate == pytest.approx(np.sum(ww * yi) / ww.sum(), rel=1e-5)


def test_estimates_with_ci_or_se_give_the_same_pooled_result(bcg):
    yi, vi = _escalc_rr(bcg)
    z = 1.959963984540054
    se = np.sqrt(vi)
    by_ci = pd.DataFrame({"study": bcg["study"], "estimate": np.exp(yi), "ci_lower": np.exp(yi - z * se),
                          "ci_upper": np.exp(yi + z * se), "measure": "rr"})
    by_se = pd.DataFrame({"study": bcg["study"], "estimate": np.exp(yi), "se": se})
    counts = meta_analysis(bcg, method="dl")
    assert meta_analysis(by_ci, method="dl").estimate == pytest.approx(counts.estimate, rel=1e-9)
    assert meta_analysis(by_se, measure="rr", method="dl").tau2 == pytest.approx(counts.tau2, rel=1e-9)
    # a 90 % interval, declared in ci_level (percent or share)
    z90 = 1.6448536269514722
    by_90 = by_ci.assign(ci_lower=np.exp(yi - z90 * se), ci_upper=np.exp(yi + z90 * se), ci_level=90)
    assert meta_analysis(by_90, method="dl").estimate == pytest.approx(counts.estimate, rel=1e-9)


def test_smd_from_means_is_hedges_g():
    d = pd.DataFrame({"study": ["a", "b", "c"], "treated_mean": [10.0, 12.0, 9.0], "treated_sd": [4.0, 5.0, 3.0],
                      "treated_n": [40, 60, 30], "control_mean": [12.0, 13.5, 11.0], "control_sd": [4.5, 5.0, 3.5],
                      "control_n": [38, 61, 33]})
    m = meta_analysis(d)
    assert m.measure == "smd"
    n1, n2 = d["treated_n"].to_numpy(float), d["control_n"].to_numpy(float)
    sp = np.sqrt(((n1 - 1) * d["treated_sd"] ** 2 + (n2 - 1) * d["control_sd"] ** 2) / (n1 + n2 - 2))
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    g = j * (d["treated_mean"] - d["control_mean"]) / sp
    np.testing.assert_allclose(m.studies["yi"], g, rtol=1e-12)


def test_zero_cell_correction_as_metafor_and_double_zero_excluded():
    d = pd.DataFrame({"study": ["zero", "plain", "none", "other"], "treated_events": [0, 10, 0, 7],
                      "treated_n": [50, 100, 40, 80], "control_events": [5, 20, 0, 12], "control_n": [50, 100, 40, 80]})
    m = meta_analysis(d, method="dl")
    assert list(m.studies["study"]) == ["zero", "plain", "other"]
    assert m.excluded == ("row 3 (none)",)
    assert "none" in m.summary().loc["excluded studies (no events in either arm)", "value"]
    # 1/2 added to each cell of the table with a zero: a = 0.5, n1 = 51, c = 5.5, n2 = 51
    assert m.studies["yi"].iloc[0] == pytest.approx(math.log((0.5 / 51) / (5.5 / 51)))
    assert m.studies["vi"].iloc[0] == pytest.approx(1 / 0.5 - 1 / 51 + 1 / 5.5 - 1 / 51)
    assert m.studies["yi"].iloc[1] == pytest.approx(math.log(0.1 / 0.2))


def test_relative_reduction_moments(bcg):
    m = meta_analysis(bcg, method="reml")
    conf = m.relative_reduction(spread="confidence")
    # 1 - RR with log RR ~ N(mu, se^2): mean 1 - exp(mu + se^2/2) (lognormal mean); no mass below 0 here
    assert conf.share_no_effect < 1e-3
    assert conf.mean == pytest.approx(1 - math.exp(m.estimate + m.se ** 2 / 2), abs=2e-4)
    sd_ln = math.exp(m.estimate + m.se ** 2 / 2) * math.sqrt(math.exp(m.se ** 2) - 1)
    assert conf.sd == pytest.approx(sd_ln, rel=5e-3)
    assert conf.median == pytest.approx(1 - math.exp(m.estimate), abs=1e-6)
    pred = m.relative_reduction()
    s = math.sqrt(m.se ** 2 + m.tau2)
    from scipy.stats import norm

    assert pred.share_no_effect == pytest.approx(norm.sf(-m.estimate / s), abs=1e-3)
    assert pred.sd > conf.sd


def test_odds_ratio_and_smd_conversions_at_a_baseline(bcg):
    o = meta_analysis(bcg, measure="or", method="dl")
    p0 = 0.4
    r = o.relative_reduction(p0, spread="confidence")
    odds = math.exp(o.estimate)
    p1 = odds * p0 / (1 - p0 + odds * p0)  # from the odds: p1/(1-p1) = OR * p0/(1-p0)
    assert r.median == pytest.approx(1 - p1 / p0, abs=1e-6)
    with pytest.raises(CaseError, match="baseline rate"):
        o.relative_reduction()
    d = pd.DataFrame({"study": ["a", "b"], "estimate": [-0.3, -0.2], "se": [0.1, 0.12]})
    s = meta_analysis(d, measure="smd", method="dl")
    lor = s.estimate * math.pi / math.sqrt(3)  # Chinn (2000)
    q1 = math.exp(lor) * p0 / (1 - p0 + math.exp(lor) * p0)
    assert s.relative_reduction(p0, "confidence").median == pytest.approx(1 - q1 / p0, abs=1e-6)


def test_to_case_writes_a_beta_for_relative_reduction(bcg):
    case = Case.from_dict(copy.deepcopy(BASE))
    m = meta_analysis(bcg, method="dl")
    new = m.to_case(case)
    spec = new.to_dict()["outcome"]["relative_reduction"]
    rr = m.relative_reduction(case.get("outcome.baseline_rate"))
    assert spec == {"dist": "beta", "mean": pytest.approx(rr.mean), "sd": pytest.approx(rr.sd)}
    assert "outcome.relative_reduction" in new.distributions
    assert new.get("outcome.relative_reduction") == pytest.approx(rr.mean)
    with pytest.raises(CaseError, match="outcome.relative_reduction"):
        m.to_case(case, "contract.price")


def test_summary_plot_and_languages(bcg):
    m = meta_analysis(bcg)
    s = m.summary()
    assert s.loc["studies", "value"] == 13
    assert s.loc["pooled risk ratio (random effects)", "value"] == pytest.approx(math.exp(m.estimate))
    assert "samlet relativ risiko (random effects)" in m.summary("da").index
    fig = m.plot()
    ax = fig.axes[0]
    assert len(ax.get_yticks()) == 14 and ax.get_xscale() == "log"
    with pytest.raises(CaseError, match="lang"):
        m.summary("de")


@pytest.mark.parametrize("change, where, what", [
    ({"tpos": -4}, "row 1 (Aronson).tpos", ">= 0"),
    ({"cpos": 2.5}, "row 1 (Aronson).cpos", "whole number"),
    ({"tpos": None}, "row 1 (Aronson).tpos", "missing"),
])
def test_bad_counts_are_refused_by_row_and_column(bcg, change, where, what):
    d = bcg.copy()
    for col, v in change.items():
        d[col] = d[col].astype(object)
        d.loc[0, col] = v
    with pytest.raises(CaseError) as err:
        meta_analysis(d)
    assert where in str(err.value) and what in str(err.value)


def test_events_above_group_size_and_missing_columns_are_refused():
    d = pd.DataFrame({"study": ["a", "b"], "treated_events": [12, 3], "treated_n": [10, 20],
                      "control_events": [4, 5], "control_n": [20, 20]})
    with pytest.raises(CaseError, match=r"row 1 \(a\)\.treated_events = 12.*more events than people"):
        meta_analysis(d)
    with pytest.raises(CaseError, match="column 'study'"):
        meta_analysis(d.drop(columns="study"))
    with pytest.raises(CaseError, match="column 'estimate'"):
        meta_analysis(pd.DataFrame({"study": ["a", "b"], "x": [1, 2]}), measure="rr")


def test_missing_standard_errors_single_study_and_bad_intervals_are_refused():
    no_se = pd.DataFrame({"study": ["a", "b"], "estimate": [0.8, 0.7], "se": [0.1, None]})
    with pytest.raises(CaseError, match=r"row 2 \(b\)\.se.*missing"):
        meta_analysis(no_se, measure="rr")
    with pytest.raises(CaseError, match="standard error"):
        meta_analysis(pd.DataFrame({"study": ["a", "b"], "estimate": [0.8, 0.7]}), measure="rr")
    one = pd.DataFrame({"study": ["a"], "estimate": [0.8], "se": [0.1]})
    with pytest.raises(CaseError, match="at least 2 studies"):
        meta_analysis(one, measure="rr")
    bad_ci = pd.DataFrame({"study": ["a", "b"], "estimate": [0.8, 0.7], "ci_lower": [0.9, 0.5], "ci_upper": [1.2, 0.9]})
    with pytest.raises(CaseError, match=r"row 1 \(a\)\.ci_lower.*contain the estimate"):
        meta_analysis(bad_ci, measure="rr")
    with pytest.raises(CaseError, match=r"row 1 \(a\)\.estimate = -0.2.*> 0"):
        meta_analysis(pd.DataFrame({"study": ["a", "b"], "estimate": [-0.2, 0.7], "se": [0.1, 0.1]}), measure="or")
    with pytest.raises(CaseError, match="measure"):
        meta_analysis(one, measure="hr")
    with pytest.raises(CaseError, match="method"):
        meta_analysis(one, measure="rr", method="sj")


def test_shipped_study_files_carry_citations():
    from sibmodel.evidence.meta import STUDIES_DIR

    files = sorted(STUDIES_DIR.glob("*.csv"))
    assert files
    for f in files:
        d = load_studies(f)
        assert d["citation"].notna().all() and (d["citation"].str.len() > 10).all(), f.name
        if "illustrative" in f.name:
            assert d["citation"].str.startswith("ILLUSTRATIVE").all()
        assert meta_analysis(d).k == len(d)


def test_dl_tau2_is_truncated_at_zero_when_studies_agree():
    """Q < k - 1: the DL moment estimate is negative, the estimator max(0, .) (statsmodels 0.15 does not
    truncate); the random-effects result then equals the fixed-effect one (inverse-variance weights by hand)."""
    d = pd.DataFrame({"study": ["a", "b", "c"], "estimate": [-0.5, -0.6, -0.55], "se": np.sqrt([0.1, 0.2, 0.15])})
    m = meta_analysis(d, measure="smd", method="dl")
    w = 1 / np.array([0.1, 0.2, 0.15])
    assert m.tau2 == 0.0 and m.i2 == 0.0
    assert m.estimate == pytest.approx(np.sum(w * d["estimate"]) / w.sum(), rel=1e-12)
    assert m.se == pytest.approx(1 / math.sqrt(w.sum()), rel=1e-12)
    assert m.pred_int() == pytest.approx(m.conf_int())


def test_relative_reduction_value_object(bcg):
    rr = meta_analysis(bcg).relative_reduction(spread="confidence")
    assert rr.summary().loc["relative reduction, mean", "value"] == rr.mean
    assert rr.distribution() == {"dist": "beta", "mean": rr.mean, "sd": rr.sd}
    assert rr.plot().axes[0].get_xlabel().startswith("relative reduction")
    case = Case.from_dict(copy.deepcopy(BASE))
    assert rr.to_case(case).get("outcome.relative_reduction") == pytest.approx(rr.mean)


def test_hksj_intervals_by_hand_and_as_statsmodels(bcg):
    from scipy.stats import t

    yi, vi = _escalc_rr(bcg)
    for method in ("dl", "pm", "reml"):
        m = meta_analysis(bcg, method=method, hksj=True)
        w = 1 / (vi + m.tau2)
        se_kh = math.sqrt(np.sum(w * (yi - m.estimate) ** 2) / (len(yi) - 1) / w.sum())  # Knapp and Hartung (2003)
        assert m.se_hksj == pytest.approx(se_kh, rel=1e-9)
        crit = t.ppf(0.975, len(yi) - 1)
        assert m.conf_int() == pytest.approx((m.estimate - crit * se_kh, m.estimate + crit * se_kh), rel=1e-9)
        s = math.sqrt(se_kh ** 2 + m.tau2)
        assert m.pred_int() == pytest.approx((m.estimate - crit * s, m.estimate + crit * s), rel=1e-9)
        if m.results is not None:
            assert m.se_hksj == pytest.approx(m.results.sd_eff_w_re_hksj, rel=1e-9)
    assert "HKSJ" in meta_analysis(bcg, hksj=True).summary().loc["method", "value"]


def test_leave_one_out_and_egger(bcg):
    m = meta_analysis(bcg, method="dl")
    loo = m.leave_one_out()
    assert len(loo) == 13 and loo.index.is_unique  # two "Rosenthal et al" rows told apart by year
    sub = meta_analysis(bcg.drop(index=7), method="dl")   # TPT Madras left out
    assert loo.loc["TPT Madras (1980)", "estimate"] == pytest.approx(math.exp(sub.estimate), rel=1e-10)
    assert loo.loc["TPT Madras (1980)", "tau2"] == pytest.approx(sub.tau2, rel=1e-10)
    yi, vi = _escalc_rr(bcg)
    se = np.sqrt(vi)
    X = np.column_stack([np.ones_like(se), 1 / se])
    beta, *_ = np.linalg.lstsq(X, yi / se, rcond=None)
    eg = m.egger()
    assert eg["intercept"] == pytest.approx(beta[0], rel=1e-9) and eg["slope"] == pytest.approx(beta[1], rel=1e-9)
    resid = yi / se - X @ beta
    cov = np.sum(resid ** 2) / (len(yi) - 2) * np.linalg.inv(X.T @ X)
    assert eg["se"] == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-9)


def test_a_csv_file_is_named_in_its_errors(tmp_path):
    f = tmp_path / "my_studies.csv"
    f.write_text("study,treated_events,treated_n,control_events,control_n,url\n"
                 "A,5,50,9,50,https://example.org/a#table2\nB,7,40,-3,40,\n", encoding="utf-8")
    with pytest.raises(CaseError) as err:
        meta_analysis(f)
    assert str(err.value).startswith(f"{f}: row 2 (B).control_events = -3")
    with pytest.raises(CaseError, match="studies file not found"):
        meta_analysis(tmp_path / "none.csv")
    f.write_text(f.read_text().replace("-3", "3"), encoding="utf-8")
    assert meta_analysis(f).studies["url"].iloc[0] == "https://example.org/a#table2"
