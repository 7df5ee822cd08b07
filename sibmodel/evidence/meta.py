"""Random-effects meta-analysis of study effects (statsmodels), turned into a distribution of the relative
reduction of the case rate for a given baseline rate.

Effects are "treated versus control" for the costly outcome (the case): a risk ratio or odds ratio below 1,
a risk difference or standardised mean difference below 0, means fewer cases.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CaseError, Problem
from ..resources import data_dir
from ._common import (Estimate, as_frame, beta_dict, check_counts, check_level, new_axes, normal_quantile_grid,
                      numeric_column, refuse, require_columns, row_name, table, z_for)

MEASURES = {
    "rr": "log risk ratio", "or": "log odds ratio", "rd": "risk difference", "smd": "standardised mean difference",
}
METHODS = {"dl": "DerSimonian-Laird", "pm": "Paule-Mandel", "reml": "restricted maximum likelihood"}
STUDIES_DIR = data_dir() / "studies"
_COUNTS = ("treated_events", "treated_n", "control_events", "control_n")
_METAFOR = ("tpos", "tneg", "cpos", "cneg")
_MEANS = ("treated_mean", "treated_sd", "treated_n", "control_mean", "control_sd", "control_n")
# Chinn (2000), Stat Med 19:3127-3131: log odds ratio = SMD * pi / sqrt(3).
_SMD_TO_LOGOR = math.pi / math.sqrt(3.0)


def load_studies(name: str | Path) -> pd.DataFrame:
    """A study table: a CSV path, or the name of a file in ``data/studies`` (e.g. ``"bcg"``)."""
    p = Path(name)
    if not p.suffix:
        p = STUDIES_DIR / f"{name}.csv"
    if not p.exists():
        shipped = ", ".join(sorted(f.stem for f in STUDIES_DIR.glob("*.csv")))
        raise refuse("studies", str(name), f"no such study file; shipped: {shipped}")
    df = pd.read_csv(p, skipinitialspace=True)
    # study files name each study's publication in `source` (the data convention); `citation` is the same
    return df.rename(columns={"source": "citation"}) if "citation" not in df.columns else df


@dataclass(frozen=True, eq=False, repr=False)  # holds a DataFrame: compared by identity
class MetaAnalysis(Estimate):
    """A pooled random-effects estimate on the analysis scale (log ratio, difference or SMD)."""

    measure: str
    method: str
    studies: pd.DataFrame            # study, yi, vi, ci_low, ci_high, weight (random-effects, share)
    estimate: float                  # pooled effect on the analysis scale
    se: float
    tau2: float
    i2: float                        # share of total variability due to heterogeneity (0-1)
    q: float
    q_pvalue: float
    estimate_fixed: float
    se_fixed: float
    level: float = 0.95
    excluded: tuple[str, ...] = ()
    hksj: bool = False               # Hartung-Knapp-Sidik-Jonkman: se_hksj and t with k - 1 df for intervals
    se_hksj: float = float("nan")
    results: Any = field(default=None, repr=False, compare=False)   # statsmodels CombineResults (dl, pm)

    paths = ("outcome.relative_reduction",)

    # -- numbers ------------------------------------------------------------------------------------------
    @property
    def k(self) -> int:
        return len(self.studies)

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    @property
    def ratio(self) -> bool:
        return self.measure in ("rr", "or")

    @property
    def se_used(self) -> float:
        """The standard error behind the intervals: ``se``, or ``se_hksj`` with ``hksj=True``."""
        return self.se_hksj if self.hksj else self.se

    def _crit(self) -> float:
        if not self.hksj:
            return z_for(self.level)
        from scipy.stats import t

        return float(t.ppf(0.5 + self.level / 2, self.k - 1))

    def conf_int(self) -> tuple[float, float]:
        """Confidence interval of the pooled effect (analysis scale): estimate +- z se (HKSJ: t_{k-1} se_hksj)."""
        c = self._crit()
        return self.estimate - c * self.se_used, self.estimate + c * self.se_used

    def pred_int(self) -> tuple[float, float]:
        """Prediction interval for the effect in a new setting: estimate +- z sqrt(se^2 + tau^2)
        (HKSJ: t_{k-1} and se_hksj, as metafor does with test="knha")."""
        c = self._crit()
        s = math.sqrt(self.se_used ** 2 + self.tau2)
        return self.estimate - c * s, self.estimate + c * s

    def labels(self) -> list[str]:
        """Study labels, with the year where the table has one ("Rosenthal et al (1960)")."""
        names = self.studies["study"].astype(str)
        if "year" in self.studies.columns:
            names = names + self.studies["year"].map(lambda v: f" ({int(v)})" if pd.notna(v) else "")
        return list(names)

    def leave_one_out(self) -> pd.DataFrame:
        """The pooled effect, tau^2 and I^2 with each study left out in turn (same measure and method)."""
        rows = []
        st = self.studies
        for i in range(self.k):
            rest = st.drop(index=i).reset_index(drop=True)
            if len(rest) < 2:
                break
            sub = _pool(rest["yi"].to_numpy(), rest["vi"].to_numpy(), rest["study"].to_numpy(), {}, self.measure,
                        self.method, self.level, self.hksj)
            lo, hi = sub.conf_int()
            rows.append({"left_out": self.labels()[i], "estimate": self.natural(sub.estimate),
                         "ci_low": self.natural(lo), "ci_high": self.natural(hi), "tau2": sub.tau2, "i2": sub.i2})
        return pd.DataFrame(rows).set_index("left_out")

    def egger(self) -> dict[str, float]:
        """Egger's regression test for small-study effects (funnel asymmetry): OLS of y/se on 1/se; the
        intercept and its two-sided p-value (Egger et al. 1997, BMJ 315:629). Needs at least 3 studies."""
        if self.k < 3:
            raise refuse("studies", self.k, "Egger's test needs at least 3 studies")
        import statsmodels.api as sm

        se = np.sqrt(self.studies["vi"].to_numpy())
        fit = sm.OLS(self.studies["yi"].to_numpy() / se, sm.add_constant(1.0 / se)).fit()
        return {"intercept": float(fit.params[0]), "se": float(fit.bse[0]), "p_value": float(fit.pvalues[0]),
                "slope": float(fit.params[1])}

    def natural(self, x: float) -> float:
        """Analysis scale to the reported scale (exp for ratio measures)."""
        return math.exp(x) if self.ratio else x

    def relative_reduction(self, baseline_rate: float | None = None, spread: str = "prediction",
                           points: int = 4001) -> RelativeReduction:
        """The distribution of ``relative_reduction = 1 - p1/p0`` implied by the pooled effect.

        ``spread="prediction"`` (default) uses se^2 + tau^2: the effect in one new municipality;
        ``"confidence"`` uses se^2 only: the average effect. Odds ratios, risk differences and SMDs need the
        ``baseline_rate`` p0 (SMD via Chinn's log OR = SMD * pi / sqrt(3)).
        """
        if spread not in ("prediction", "confidence"):
            raise refuse("spread", spread, "must be 'prediction' (a new setting) or 'confidence' (the average effect)")
        if self.measure != "rr":
            if baseline_rate is None:
                raise refuse("baseline_rate", None, f"converting a {MEASURES[self.measure]} into a relative "
                                                    "reduction needs the baseline rate p0 (between 0 and 1)")
        if baseline_rate is not None and not (isinstance(baseline_rate, (int, float)) and 0.0 < baseline_rate <= 1.0):
            raise refuse("baseline_rate", baseline_rate, "must be a rate above 0 and at most 1")
        sd = math.sqrt(self.se_used ** 2 + (self.tau2 if spread == "prediction" else 0.0))
        theta = normal_quantile_grid(self.estimate, sd, points)
        rrr = _to_rrr(theta, self.measure, baseline_rate)
        below, above = float(np.mean(rrr < 0.0)), float(np.mean(rrr > 1.0))
        censored = np.clip(rrr, 0.0, 1.0)
        return RelativeReduction(
            mean=float(censored.mean()), sd=float(censored.std()), median=float(np.median(rrr)),
            low=float(np.quantile(rrr, (1 - self.level) / 2)), high=float(np.quantile(rrr, (1 + self.level) / 2)),
            share_no_effect=below, share_above_one=above, spread=spread, baseline_rate=baseline_rate, level=self.level,
        )

    # -- the value-object interface --------------------------------------------------------------------------
    def summary(self, lang: str = "en") -> pd.DataFrame:
        lo, hi = (self.natural(x) for x in self.conf_int())
        plo, phi = (self.natural(x) for x in self.pred_int())
        name = {"rr": "risk ratio", "or": "odds ratio", "rd": "risk difference", "smd": "SMD"}[self.measure]
        dname = {"rr": "relativ risiko", "or": "odds ratio", "rd": "risikoforskel", "smd": "SMD"}[self.measure]
        pct = f"{self.level:.0%}"
        rows = [
            ("studies", "studier", self.k, "count"),
            ("method", "metode", METHODS[self.method] + (", HKSJ intervals" if self.hksj else ""), ""),
            (f"pooled {name} (random effects)", f"samlet {dname} (random effects)", self.natural(self.estimate), ""),
            (f"{pct} confidence interval, low", f"{pct} konfidensinterval, nedre", lo, ""),
            (f"{pct} confidence interval, high", f"{pct} konfidensinterval, øvre", hi, ""),
            (f"{pct} prediction interval, low", f"{pct} prædiktionsinterval, nedre", plo, ""),
            (f"{pct} prediction interval, high", f"{pct} prædiktionsinterval, øvre", phi, ""),
            ("tau^2 (between-study variance)", "tau^2 (varians mellem studier)", self.tau2, ""),
            ("I^2 (heterogeneity)", "I^2 (heterogenitet)", self.i2, "share"),
            ("Q (heterogeneity test)", "Q (test for heterogenitet)", self.q, ""),
            ("p-value of Q", "p-værdi for Q", self.q_pvalue, ""),
            (f"pooled {name} (fixed effect)", f"samlet {dname} (fixed effect)", self.natural(self.estimate_fixed), ""),
        ]
        if self.excluded:
            rows.append(("excluded studies (no events in either arm)", "udeladte studier (ingen hændelser i nogen arm)",
                         "; ".join(self.excluded), ""))
        return table(rows, lang)

    def plot(self, ax: Any = None) -> Any:
        """Forest plot: each study with its interval and random-effects weight, the pooled diamond and the
        prediction interval. Returns the matplotlib Figure."""
        fig, ax = new_axes(ax, (7.0, 0.35 * self.k + 2.2))
        st = self.studies
        y = np.arange(self.k, 0, -1) + 1.0
        f = np.exp if self.ratio else (lambda v: v)
        est, lo, hi = f(st["yi"].to_numpy()), f(st["ci_low"].to_numpy()), f(st["ci_high"].to_numpy())
        ax.hlines(y, lo, hi, color="0.3", lw=1)
        sizes = 20 + 300 * st["weight"].to_numpy() / st["weight"].max()
        ax.scatter(est, y, s=sizes, marker="s", color="tab:blue", zorder=3)
        m, (clo, chi), (plo, phi) = self.estimate, self.conf_int(), self.pred_int()
        ax.fill([f(clo), f(m), f(chi), f(m)], [0.8, 1.15, 0.8, 0.45], color="tab:red", zorder=3)
        ax.hlines(0.8, f(plo), f(phi), color="tab:red", lw=1.5, linestyles="dotted")
        ax.axvline(1.0 if self.ratio else 0.0, color="0.5", lw=0.8)
        ax.set_yticks(list(y) + [0.8], self.labels() + [f"RE ({self.method.upper()}), PI dotted"])
        if self.ratio:
            ax.set_xscale("log")
        label = {"rr": "Risk ratio", "or": "Odds ratio", "rd": "Risk difference", "smd": "Standardised mean difference"}
        ax.set_xlabel(f"{label[self.measure]} (treated vs control; {self.level:.0%} intervals)")
        ax.set_title(f"tau^2 = {self.tau2:.3g}, I^2 = {self.i2:.0%}, k = {self.k}", fontsize=9)
        ax.set_ylim(0.2, self.k + 1.8)
        return fig

    def distribution(self, path: str, baseline_rate: float | None = None, spread: str = "prediction") -> dict:
        self._check_path(path)
        return self.relative_reduction(baseline_rate, spread).distribution(path)

    def to_case(self, case: Any, path: str | None = None, spread: str = "prediction") -> Any:
        """A new case with ``outcome.relative_reduction`` drawn from this pooled effect at the case's baseline."""
        path = path or self.paths[0]
        self._check_path(path)
        p0 = _case_baseline(case)
        return case.update({path: self.distribution(path, p0, spread)})


@dataclass(frozen=True, repr=False)
class RelativeReduction(Estimate):
    """The relative reduction ``1 - p1/p0`` implied by a pooled effect: its moments and interval.

    ``mean`` and ``sd`` are of the reduction censored to [0, 1] (no effect instead of harm), which is what a
    case can hold; ``share_no_effect`` says how much of the distribution that censoring moved.
    """

    mean: float
    sd: float
    median: float
    low: float
    high: float
    share_no_effect: float
    share_above_one: float
    spread: str
    baseline_rate: float | None
    level: float

    paths = ("outcome.relative_reduction",)

    def summary(self, lang: str = "en") -> pd.DataFrame:
        pct = f"{self.level:.0%}"
        kind = {"en": {"prediction": "a new setting", "confidence": "the average effect"},
                "da": {"prediction": "et nyt sted", "confidence": "den gennemsnitlige effekt"}}
        rows = [
            ("relative reduction, mean", "relativ reduktion, middelværdi", self.mean, "share"),
            ("relative reduction, sd", "relativ reduktion, spredning", self.sd, "share"),
            ("relative reduction, median", "relativ reduktion, median", self.median, "share"),
            (f"{pct} interval, low", f"{pct} interval, nedre", self.low, "share"),
            (f"{pct} interval, high", f"{pct} interval, øvre", self.high, "share"),
            ("probability of no effect or harm", "sandsynlighed for ingen effekt eller skade", self.share_no_effect, "share"),
            ("uncertainty for", "usikkerhed for", kind["da" if lang == "da" else "en"][self.spread], ""),
            ("baseline rate used", "anvendt basisrate", self.baseline_rate, "share"),
        ]
        return table(rows, lang)

    def plot(self, ax: Any = None) -> Any:
        fig, ax = new_axes(ax)
        from scipy.stats import beta as beta_dist

        from ._common import beta_from_mean_sd

        a, b = beta_from_mean_sd(self.mean, self.sd)
        x = np.linspace(0, 1, 401)
        ax.plot(x, beta_dist.pdf(x, a, b), color="tab:blue", label=f"beta(mean {self.mean:.3f}, sd {self.sd:.3f})")
        ax.axvspan(max(self.low, 0), min(self.high, 1), color="tab:blue", alpha=0.12, label=f"{self.level:.0%} interval")
        ax.set_xlabel("relative reduction of the case rate (1 - p1/p0)")
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
        return fig

    def distribution(self, path: str = "outcome.relative_reduction") -> dict:
        self._check_path(path)
        return beta_dict(self.mean, self.sd, path)


def _to_rrr(theta: np.ndarray, measure: str, p0: float | None) -> np.ndarray:
    """Relative reduction 1 - p1/p0 from effects on the analysis scale."""
    if measure == "rr":
        return 1.0 - np.exp(theta)
    if measure == "rd":
        return -theta / p0
    log_or = theta * _SMD_TO_LOGOR if measure == "smd" else theta
    odds_ratio = np.exp(log_or)
    # p1 from p0 and the odds ratio; RR = OR / (1 - p0 + p0 * OR) (Zhang and Yu 1998, JAMA 280:1690).
    return 1.0 - odds_ratio / (1.0 - p0 + p0 * odds_ratio)


def _case_baseline(case: Any) -> float:
    value = case.get("outcome.baseline_rate")
    if isinstance(value, dict):
        if "mean" in value:
            return float(value["mean"])
        if "a" in value and "b" in value:
            return float(value["a"]) / (float(value["a"]) + float(value["b"]))
        raise refuse("outcome.baseline_rate", value, "needs a mean (or beta a, b) to convert the pooled effect")
    return float(value)


# -- the estimator -------------------------------------------------------------------------------------------

def meta_analysis(studies: Any, measure: str | None = None, method: str = "pm", level: float = 0.95,
                  label: str = "study", hksj: bool = False) -> MetaAnalysis:
    """Pool study effects with a random-effects model (statsmodels ``combine_effects``).

    ``studies``: a DataFrame, a CSV path or a mapping, one row per study, with a ``study`` label and either
    2x2 counts (``treated_events, treated_n, control_events, control_n``, or metafor's ``tpos, tneg, cpos,
    cneg``), group means (``treated_mean, treated_sd, treated_n, control_mean, control_sd, control_n``, giving a
    bias-corrected SMD), or an ``estimate`` with its ``se`` (of the log ratio for ratio measures) or its
    ``ci_lower``/``ci_upper`` (ratios on their natural scale; ``ci_level`` column, default 0.95).
    ``measure``: rr, or, rd or smd (or a ``measure`` column). ``method``: pm (Paule-Mandel, default), dl
    (DerSimonian-Laird) or reml. ``hksj=True``: Hartung-Knapp-Sidik-Jonkman intervals (t with k - 1 df and
    the WLS-scaled standard error), wider and better calibrated with few studies. Studies with no events in
    either arm are left out for ratio measures (noted).
    """
    if method not in METHODS:
        raise refuse("method", method, f"must be one of {', '.join(METHODS)} ({', '.join(METHODS.values())})")
    check_level(level)
    df, source = as_frame(studies, "studies")
    if label not in df.columns:
        require_columns(df, [label], source, "studies")
    measure = _measure(df, measure, source)
    yi, vi, keep, excluded = _effects(df, measure, source, label)
    df = df.loc[keep].reset_index(drop=True)
    if keep.sum() < 2:
        raise refuse("studies", int(keep.sum()), "a random-effects meta-analysis needs at least 2 studies with "
                                                  "usable effects (tau^2 cannot be estimated from one study)", source)
    extra = {c: df[c].to_numpy() for c in ("citation", "url", "year") if c in df.columns}
    return _pool(yi[keep], vi[keep], df[label].astype(str).to_numpy(), extra, measure, method, level, hksj,
                 tuple(excluded))


def _pool(yi: np.ndarray, vi: np.ndarray, names: np.ndarray, extra: dict[str, np.ndarray], measure: str,
          method: str, level: float, hksj: bool, excluded: tuple[str, ...] = ()) -> MetaAnalysis:
    """Random-effects pooling of effects ``yi`` with sampling variances ``vi`` (analysis scale)."""
    if method == "reml":
        tau2 = _tau2_reml(yi, vi)
        res = None
    else:
        from statsmodels.stats.meta_analysis import combine_effects

        with np.errstate(invalid="ignore"):  # its HKSJ scale takes sqrt of a negative tau^2 case (unused here)
            res = combine_effects(yi, vi, method_re={"dl": "chi2", "pm": "iterated"}[method],
                                  row_names=list(names), alpha=1 - level)
        # statsmodels' DerSimonian-Laird does not truncate at 0 (0.15.0 returns a negative tau^2 when Q < k - 1);
        # the estimator is defined as max(0, .), as in metafor: then the closed forms below give the pooled mean.
        tau2 = max(0.0, float(res.tau2))
    w_fe = 1.0 / vi
    mu_fe = float(np.sum(w_fe * yi) / np.sum(w_fe))
    q = float(np.sum(w_fe * (yi - mu_fe) ** 2))
    w = 1.0 / (vi + tau2)
    mu = float(np.sum(w * yi) / np.sum(w))
    se = float(1.0 / math.sqrt(np.sum(w)))
    if res is not None and res.tau2 >= 0:  # statsmodels is the engine; the closed forms above agree with it
        mu, se = float(res.mean_effect_re), float(res.sd_eff_w_re)
    k = len(yi)
    se_hksj = float(math.sqrt(np.sum(w * (yi - mu) ** 2) / (k - 1) / np.sum(w)))
    s2 = (k - 1) * np.sum(w_fe) / (np.sum(w_fe) ** 2 - np.sum(w_fe ** 2))  # "typical" within-study variance
    from scipy.stats import chi2

    z = z_for(level)
    table_ = pd.DataFrame({
        "study": names, "yi": yi, "vi": vi,
        "ci_low": yi - z * np.sqrt(vi), "ci_high": yi + z * np.sqrt(vi), "weight": w / w.sum(),
    })
    for col, values in extra.items():
        table_[col] = values
    return MetaAnalysis(
        measure=measure, method=method, studies=table_, estimate=mu, se=se, tau2=tau2,
        i2=float(tau2 / (tau2 + s2)), q=q, q_pvalue=float(chi2.sf(q, k - 1)),
        estimate_fixed=mu_fe, se_fixed=float(1.0 / math.sqrt(np.sum(w_fe))), level=level,
        excluded=excluded, hksj=bool(hksj), se_hksj=se_hksj, results=res,
    )


def _measure(df: pd.DataFrame, measure: str | None, source: str | None) -> str:
    if measure is None and "measure" in df.columns:
        values = sorted(set(str(v).strip().lower() for v in df["measure"].dropna()))
        if len(values) != 1:
            raise refuse("column 'measure'", values, "all studies in one analysis must use the same measure", source)
        measure = values[0]
    if measure is None:
        if set(_COUNTS) <= set(df.columns) or set(_METAFOR) <= set(df.columns):
            measure = "rr"
        elif set(_MEANS) <= set(df.columns):
            measure = "smd"
        else:
            raise refuse("measure", None, f"say which effect measure the estimates are: one of {', '.join(MEASURES)}",
                         source)
    measure = str(measure).lower()
    if measure not in MEASURES:
        raise refuse("measure", measure, f"must be one of {', '.join(f'{k} ({v})' for k, v in MEASURES.items())}", source)
    return measure


def _effects(df: pd.DataFrame, measure: str, source: str | None, label: str
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Effects ``yi`` and sampling variances ``vi`` on the analysis scale; which rows to keep; excluded names."""
    cols = set(df.columns)
    keep = np.ones(len(df), dtype=bool)
    excluded: list[str] = []
    if set(_METAFOR) <= cols or set(_COUNTS) <= cols:
        if measure == "smd":
            raise refuse("measure", measure, "2x2 counts give rr, or or rd, not a standardised mean difference", source)
        if set(_COUNTS) <= cols:
            xt, nt = check_counts(df, "treated_events", "treated_n", source, label)
            xc, nc = check_counts(df, "control_events", "control_n", source, label)
        else:
            xt = numeric_column(df, "tpos", source, label=label, minimum=0, integer=True)
            ft = numeric_column(df, "tneg", source, label=label, minimum=0, integer=True)
            xc = numeric_column(df, "cpos", source, label=label, minimum=0, integer=True)
            fc = numeric_column(df, "cneg", source, label=label, minimum=0, integer=True)
            nt, nc = xt + ft, xc + fc
            bad = [Problem(f"{row_name(df, i, label)}.{arm}", 0, "an arm with no people (pos + neg = 0)")
                   for i in range(len(df)) for arm, n in (("tneg", nt[i]), ("cneg", nc[i])) if n == 0]
            if bad:
                raise CaseError(bad, source)
        from statsmodels.stats.meta_analysis import effectsize_2proportions

        if measure in ("rr", "or"):
            double = ((xt == 0) & (xc == 0)) | ((xt == nt) & (xc == nc))
            excluded = [row_name(df, i, label) for i in np.flatnonzero(double)]
            keep &= ~double
        stat = {"rr": "risk-ratio", "or": "odds-ratio", "rd": "diff"}[measure]
        if measure != "rd":
            # metafor's default (add=1/2, to="only0"): 1/2 is added to each of the four cells of a table with a
            # zero cell. (statsmodels' own zero_correction adds it to the events of every table.)
            zero = (xt == 0) | (xt == nt) | (xc == 0) | (xc == nc)
            xt, xc = xt + 0.5 * zero, xc + 0.5 * zero
            nt, nc = nt + 1.0 * zero, nc + 1.0 * zero
        with np.errstate(divide="ignore", invalid="ignore"):
            yi, vi = effectsize_2proportions(xt, nt, xc, nc, statistic=stat)
        yi, vi = np.asarray(yi, float), np.asarray(vi, float)
        if measure == "rd":
            zero_var = keep & (vi <= 0)
            if zero_var.any():
                raise refuse(f"{row_name(df, int(np.flatnonzero(zero_var)[0]), label)}", "counts",
                             "a risk difference has zero variance when both arms are all or no events", source)
        return yi, vi, keep, excluded
    if set(_MEANS) <= cols:
        if measure != "smd":
            raise refuse("measure", measure, "group means and SDs give a standardised mean difference (smd)", source)
        mt = numeric_column(df, "treated_mean", source, label=label)
        st = numeric_column(df, "treated_sd", source, label=label, strictly_above=0)
        nt = numeric_column(df, "treated_n", source, label=label, strictly_above=1, integer=True)
        mc = numeric_column(df, "control_mean", source, label=label)
        sc = numeric_column(df, "control_sd", source, label=label, strictly_above=0)
        nc = numeric_column(df, "control_n", source, label=label, strictly_above=1, integer=True)
        from statsmodels.stats.meta_analysis import effectsize_smd

        yi, vi = effectsize_smd(mt, st, nt, mc, sc, nc)
        return np.asarray(yi, float), np.asarray(vi, float), keep, excluded
    require_columns(df, ["estimate"], source, "studies (counts, means, or an estimate with se or ci_lower/ci_upper)")
    ratio = measure in ("rr", "or")
    est = numeric_column(df, "estimate", source, label=label, strictly_above=0 if ratio else None)
    has_se = "se" in cols and df["se"].notna().any()
    has_ci = {"ci_lower", "ci_upper"} <= cols
    if not has_se and not has_ci:
        raise refuse("column 'se'", None, "each estimate needs its standard error (column se) or its confidence "
                                          "interval (columns ci_lower and ci_upper)", source)
    se = np.full(len(df), np.nan)
    if "se" in cols:
        se = numeric_column(df, "se", source, label=label, strictly_above=0, allow_missing=has_ci)
    need = np.isnan(se)
    if need.any():
        if not has_ci:
            i = int(np.flatnonzero(need)[0])
            raise refuse(f"{row_name(df, i, label)}.se", None, "the standard error is missing and there is no "
                                                              "confidence interval to derive it from", source)
        sub = df.loc[need]
        lo = numeric_column(sub.reset_index(drop=True), "ci_lower", source, strictly_above=0 if ratio else None)
        hi = numeric_column(sub.reset_index(drop=True), "ci_upper", source, strictly_above=0 if ratio else None)
        lev = (numeric_column(sub.reset_index(drop=True), "ci_level", source, strictly_above=0, allow_missing=True)
               if "ci_level" in cols else np.full(len(sub), np.nan))
        rows = np.flatnonzero(need)
        problems = []
        for j, i in enumerate(rows):
            level = 0.95 if np.isnan(lev[j]) else (lev[j] / 100 if lev[j] > 1 else lev[j])
            e = est[i]
            if not lo[j] <= e <= hi[j] or lo[j] >= hi[j]:
                problems.append(Problem(f"{row_name(df, i, label)}.ci_lower", (float(lo[j]), float(hi[j])),
                                        f"the interval must contain the estimate {e:g} and have ci_lower < ci_upper"))
                continue
            a, b = (math.log(lo[j]), math.log(hi[j])) if ratio else (lo[j], hi[j])
            se[i] = (b - a) / (2.0 * z_for(level))
        if problems:
            raise CaseError(problems, source)
    yi = np.log(est) if ratio else est
    return yi, se ** 2, keep, excluded


def _tau2_reml(yi: np.ndarray, vi: np.ndarray) -> float:
    """REML estimate of tau^2: maximise the restricted log-likelihood over tau^2 >= 0 (Viechtbauer 2005)."""
    from scipy.optimize import minimize_scalar

    def neg_restricted_loglik(t2: float) -> float:
        w = 1.0 / (vi + t2)
        mu = np.sum(w * yi) / np.sum(w)
        return 0.5 * (np.sum(np.log(vi + t2)) + math.log(np.sum(w)) + np.sum(w * (yi - mu) ** 2))

    upper = max(10.0 * float(np.var(yi)) + 10.0 * float(vi.max()), 1e-8)
    res = minimize_scalar(neg_restricted_loglik, bounds=(0.0, upper), method="bounded",
                          options={"xatol": 1e-12, "maxiter": 1000})
    t2 = float(res.x)
    return 0.0 if neg_restricted_loglik(0.0) <= res.fun else t2
