"""Make the SYNTHETIC evidence data of sibmodel (fixed seed; every figure here is invented, none is sourced).

Run ``python data/make_synthetic_register.py`` from the repository root. It writes:

1. ``data/synthetic/register_family_violence.csv``: a register-like sample of families referred for violence
   in the family, one row per family, N_PEOPLE rows. Columns: ``person_id``, ``municipality`` (K01-K10, no
   effect in the truth), ``age_group`` (18-29, 30-44, 45+ of the adult referred), ``prior_shelter`` (0/1: a
   shelter stay in the 3 years before referral), ``children`` (0-4 children in the household),
   ``substance_abuse`` (0/1) and ``outcome`` (1 = violence continues within two years; the "case").
   The outcome is drawn from a logistic model with the TRUE coefficients in ``TRUTH`` below:
       logit P(outcome = 1) = const + age_group[30-44] + age_group[45+] + prior_shelter * x
                              + children * x + substance_abuse * x
   (18-29 is the reference level). The covariate distributions are in ``COVARIATES``.
2. ``data/synthetic/register_family_violence.truth.json``: the true coefficients and covariate distributions,
   so a test can check that ``sibmodel.evidence.baseline_from_register`` recovers them.
3. ``data/synthetic/shelter_history.csv``: a yearly history 2005-2024 for one municipality: ``referred``
   (families referred), ``repeat_stays`` (of them, families with a repeat shelter stay within two years) and
   ``rate`` = repeat_stays / referred. The true rate follows a random walk with drift (RATE_START, RATE_DRIFT
   per year, RATE_STEP_SD); ``referred`` grows by REFERRED_GROWTH a year around REFERRED_START; repeat stays
   are binomial.
Real study sets for the meta-analysis are in ``data/studies/`` (published trials, each row with its source).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240605
N_PEOPLE = 6000
TRUTH = {  # logit scale
    "const": -0.40,
    "age_group[30-44]": -0.30,
    "age_group[45+]": -0.70,
    "prior_shelter": 0.80,
    "children": 0.15,
    "substance_abuse": 0.50,
}
COVARIATES = {
    "age_group": {"18-29": 0.30, "30-44": 0.45, "45+": 0.25},
    "prior_shelter": 0.35,          # share with a prior shelter stay
    "children_poisson_mean": 1.3,   # children ~ min(Poisson(1.3), 4)
    "substance_abuse": 0.25,        # share
}
RATE_START, RATE_DRIFT, RATE_STEP_SD = 0.62, -0.004, 0.012
REFERRED_START, REFERRED_GROWTH = 220, 6
ROOT = Path(__file__).resolve().parent


def register(rng: np.random.Generator, n: int = N_PEOPLE) -> pd.DataFrame:
    """The synthetic register sample (see the module docstring)."""
    ages = list(COVARIATES["age_group"])
    age = rng.choice(ages, size=n, p=list(COVARIATES["age_group"].values()))
    prior = (rng.random(n) < COVARIATES["prior_shelter"]).astype(int)
    children = np.minimum(rng.poisson(COVARIATES["children_poisson_mean"], n), 4)
    substance = (rng.random(n) < COVARIATES["substance_abuse"]).astype(int)
    eta = (TRUTH["const"] + TRUTH["age_group[30-44]"] * (age == "30-44") + TRUTH["age_group[45+]"] * (age == "45+")
           + TRUTH["prior_shelter"] * prior + TRUTH["children"] * children + TRUTH["substance_abuse"] * substance)
    outcome = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({
        "person_id": np.arange(1, n + 1),
        "municipality": rng.choice([f"K{i:02d}" for i in range(1, 11)], size=n),
        "age_group": age, "prior_shelter": prior, "children": children, "substance_abuse": substance,
        "outcome": outcome,
        "source": "synthetic",  # one word per row keeps the file small; the truth file says how it was made
    })


def shelter_history(rng: np.random.Generator) -> pd.DataFrame:
    years = np.arange(2005, 2025)
    steps = RATE_DRIFT + rng.normal(0, RATE_STEP_SD, len(years))
    steps[0] = 0.0
    rate_true = np.clip(RATE_START + np.cumsum(steps), 0.01, 0.99)
    referred = np.round(REFERRED_START + REFERRED_GROWTH * (years - years[0]) + rng.normal(0, 8, len(years))).astype(int)
    repeat = rng.binomial(referred, rate_true)
    return pd.DataFrame({"year": years, "referred": referred, "repeat_stays": repeat,
                         "rate": np.round(repeat / referred, 6),
                         "source": f"SYNTHETIC: data/make_synthetic_register.py seed {SEED}"})


def main() -> None:
    rng = np.random.default_rng(SEED)
    out = ROOT / "synthetic"
    out.mkdir(exist_ok=True)
    register(rng).to_csv(out / "register_family_violence.csv", index=False)
    (out / "register_family_violence.truth.json").write_text(json.dumps(
        {"synthetic": True, "seed": SEED, "n": N_PEOPLE, "coefficients": TRUTH, "covariates": COVARIATES,
         "outcome": "violence continues within two years (1) or not (0)"}, indent=2) + "\n", encoding="utf-8")
    shelter_history(rng).to_csv(out / "shelter_history.csv", index=False)


if __name__ == "__main__":
    main()
