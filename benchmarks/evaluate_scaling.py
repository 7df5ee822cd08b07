"""Evaluation time and memory across horizon and cohort length, within the limits (sibmodel/limits.py), with
the IRR of the previous release (companion-matrix eigenvalues) side by side. Prints figures; not a test.

    .venv/bin/python benchmarks/evaluate_scaling.py            # about two minutes
    .venv/bin/python benchmarks/evaluate_scaling.py --quick    # smaller grid, no hostile files

Every case has alternating enrolment (100, 0, 100, ...) and alternating fixed costs, so the investor's cash
flow changes sign many times: the hardest input for an IRR. The baseline IRR is read from git (the commit
before the bracketed scan); runs of the baseline stop after ``--timeout`` seconds. Goals: the whole
evaluation of any case within the limits under 1 s; each hostile file refused or evaluated within 2 s and
500 MB.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from sibmodel import Case, evaluate, limits  # noqa: E402

BASELINE_COMMIT = "69b6f58"  # pricing.py with the eigenvalue IRR
BASE = {
    "name": "Scaling", "price_year": 2023, "discounting": 0.035,
    "cohort": {"participants": [100]},
    "outcome": {"baseline_rate": 0.5, "relative_reduction": 0.3, "horizon_years": 10, "drop_off": 0.05},
    "costs_per_case": [{"amount": 60000, "holder": "kommune", "quantity": 1},
                       {"amount": 20000, "holder": "region", "quantity": 1}],
    "intervention": {"cost_per_participant": 40000, "delivery_years": 2},
    "contract": {"price": 200000, "payment_lag_years": 1, "investor_required_return": 0.07},
}


def case_dict(horizon: int, cohort: int, lags: int = 1, cost_items: int = 2, payment_lag: int = 1) -> dict:
    d = json.loads(json.dumps(BASE))
    d["outcome"]["horizon_years"] = horizon
    d["outcome"]["onset_lag_years"] = lags
    d["contract"]["payment_lag_years"] = payment_lag
    d["cohort"]["participants"] = [100 if e % 2 == 0 else 0 for e in range(cohort)]
    d["intervention"]["fixed_cost_per_year"] = [200000 if k % 2 == 0 else 0 for k in range(min(limits.MAX_YEARS, horizon + cohort))]
    d["costs_per_case"] = [{"amount": 1000 + i, "holder": ("kommune", "region", "stat")[i % 3],
                            "quantity": [1.0 / (1 + j % 7) for j in range(horizon)]} for i in range(cost_items)]
    return d


#: The most programme years (449) and the most work per year within the limits; payments a year after
#: enrolment, so the investor's cash flow changes sign with every enrolment year.
WORST = case_dict(limits.MAX_YEARS, limits.MAX_COHORT_YEARS, lags=limits.MAX_YEARS, cost_items=limits.MAX_COST_ITEMS)

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import sibmodel.vectorised as v
from sibmodel import Case, evaluate
mode, data = sys.argv[1], json.loads(sys.stdin.read())
if mode == "baseline":
    import subprocess, types
    src = subprocess.run(["git", "show", "{commit}:sibmodel/pricing.py"], cwd={root!r}, capture_output=True, text=True, check=True).stdout
    old = types.ModuleType("old_pricing"); exec(src, old.__dict__)
    v.irr_many = old.irr_many
case = Case.from_dict(data)
evaluate(case)  # warm-up: imports, catalogue
t, c = time.perf_counter(), time.process_time()
r = evaluate(case)
print(json.dumps({{"wall": time.perf_counter() - t, "cpu": time.process_time() - c, "irr": r.investor_irr,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run_child(data: dict, mode: str, timeout: float) -> dict | None:
    code = CHILD.format(root=str(ROOT), commit=BASELINE_COMMIT)
    try:
        proc = subprocess.run([sys.executable, "-c", code, mode], input=json.dumps(data), capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1]}
    return json.loads(proc.stdout)


def fmt(r: dict | None, timeout: float) -> str:
    if r is None:
        return f"> {timeout:.0f} s (stopped)"
    if "error" in r:
        return r["error"][:40]
    return f"{r['wall']:7.3f} s {r['cpu']:6.3f} cpu {r['rss_mb']:5.0f} MB"


def scaling(quick: bool, timeout: float) -> None:
    horizons = (10, 50, 200) if quick else (10, 50, 100, 200)
    cohorts = (1, 10, 50) if quick else (1, 5, 20, 50)
    print(f"\nwhole evaluate() of one case (alternating cohort and fixed costs); baseline stopped after {timeout:.0f} s")
    print(f"{'horizon':>7} {'cohort':>6} {'years':>5} | {'new':<32} | {'baseline IRR':<32} | IRR agrees")
    worst = 0.0
    for J in horizons:
        for E in cohorts:
            d = case_dict(J, E)
            T = E + 1 + J - 1
            new = run_child(d, "new", 120)
            old = run_child(d, "baseline", timeout)
            agree = "-" if not (new and old and "irr" in old) else (
                "yes" if (new["irr"] is None) == (old["irr"] is None) and (new["irr"] is None or abs(new["irr"] - old["irr"]) < 1e-8) else f"{new['irr']} vs {old['irr']}")
            worst = max(worst, new["wall"] if new and "wall" in new else np.inf)
            print(f"{J:>7} {E:>6} {T:>5} | {fmt(new, 120):<32} | {fmt(old, timeout):<32} | {agree}")
    w = run_child(WORST, "new", 120)
    print(f"\nworst case within the limits (horizon {limits.MAX_YEARS}, onset lag {limits.MAX_YEARS}, payment lag 1, "
          f"{limits.MAX_COHORT_YEARS} cohort years, {limits.MAX_COST_ITEMS} cost items of {limits.MAX_YEARS} quantities, "
          f"{limits.MAX_YEARS} fixed costs; 449 programme years):")
    print(f"  new      {fmt(w, 120)}   goal < 1 s")
    wo = run_child(WORST, "baseline", timeout)
    print(f"  baseline {fmt(wo, timeout)}")


def irr_micro(timeout: float) -> None:
    import subprocess as sp
    import types

    from sibmodel.pricing import irr_many

    src = sp.run(["git", "show", f"{BASELINE_COMMIT}:sibmodel/pricing.py"], cwd=ROOT, capture_output=True, text=True).stdout
    old = types.ModuleType("old_pricing")
    exec(src, old.__dict__)
    print("\nirr_many on 401 rows (the switching-value grid) of alternating flows, seconds; speed-up")
    print(f"{'years':>5} {'new':>9} {'baseline':>10} {'speed-up':>9}  max |difference|")
    rng = np.random.default_rng(0)
    for T in (25, 50, 100, 200, 449):
        rows = np.tile(np.resize([-1.0, 1.1], T), (401, 1)) * rng.uniform(0.5, 1.5, (401, 1))
        rows[:, 1::2] *= rng.uniform(0.95, 1.05, (401, 1))
        t = time.perf_counter()
        a = irr_many(rows)
        tn = time.perf_counter() - t
        if T <= 100:
            t = time.perf_counter()
            b = old.irr_many(rows)
            tb = time.perf_counter() - t
            diff = np.nanmax(np.abs(a - b)) if np.isfinite(a).any() else 0.0
            print(f"{T:>5} {tn:9.4f} {tb:10.3f} {tb / tn:8.0f}x  {diff:.1e}")
        else:
            print(f"{T:>5} {tn:9.4f} {'(skipped: cubic, > 200 s at 200 years)':>10}")


def hostile() -> None:
    files = sorted((ROOT / "tests" / "hostile").glob("*.yaml"))
    print(f"\nhostile files through the CLI (a fresh process each; goal: within 2 s and 500 MB)")
    code = ("import resource, sys, time\nt = time.perf_counter()\nfrom sibmodel.cli import main\nt0 = time.perf_counter()\n"
            "rc = main(['evaluate', sys.argv[1]])\n"
            "print(f'@@ {rc} {time.perf_counter() - t0:.3f} {time.perf_counter() - t:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}', file=sys.stderr)\n")
    worst_t, worst_m = 0.0, 0.0
    for f in files:
        proc = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True, timeout=60, cwd=ROOT)
        stat = [line for line in proc.stderr.splitlines() if line.startswith("@@")][-1].split()
        rc, work, total, rss = int(stat[1]), float(stat[2]), float(stat[3]), float(stat[4])
        worst_t, worst_m = max(worst_t, total), max(worst_m, rss)
        msg = [line for line in proc.stderr.splitlines() if not line.startswith("@@")]
        print(f"  {f.name:<36} exit {rc}  {work:6.3f} s after import, {total:6.3f} s in all, {rss:4.0f} MB  "
              f"{(msg[0][:70] if msg else 'evaluated')}")
    print(f"  slowest {worst_t:.2f} s (import included), largest {worst_m:.0f} MB")


def simulation_memory() -> None:
    import resource

    from sibmodel import simulate

    d = json.loads(json.dumps(WORST))
    d["outcome"]["baseline_rate"] = {"dist": "beta", "mean": 0.5, "sd": 0.05}
    d["contract"]["price"] = {"dist": "normal", "mean": 90000, "sd": 10000, "lower": 0}
    case = Case.from_dict(d)
    draws = 10_000
    est = limits.simulation_bytes(case, draws, 40, 50_000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    simulate(case, draws=draws, seed=1)
    print(f"\nsimulate({draws:,} draws) of the worst case: {time.perf_counter() - t:.2f} s, peak resident "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (was {before:.0f} MB); "
          f"estimate before allocation {est / 1e6:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--timeout", type=float, default=60.0, help="stop a baseline run after this many seconds")
    args = ap.parse_args()
    irr_micro(args.timeout)
    scaling(args.quick, args.timeout)
    if not args.quick:
        hostile()
        simulation_memory()


if __name__ == "__main__":
    main()
