"""Speed and memory of the Monte Carlo (issue 4). Prints measured figures beside their goals and baselines
measured in the same run; not a test.

    .venv/bin/python benchmarks/simulate_speed.py                 # 10k, 1M, IRR (about a minute)
    .venv/bin/python benchmarks/simulate_speed.py --dask-draws 10000000   # adds the Dask LocalCluster run

The uncertainty put on the template below is illustrative (assumed spreads), only to give every draw work.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sibmodel  # noqa: E402
from sibmodel.pricing import irr_many  # noqa: E402

TEMPLATE = ROOT / "templates" / "family_violence.yaml"
#: Illustrative spreads (assumptions for the benchmark, not evidence).
UNCERTAIN = {
    "outcome.baseline_rate": {"dist": "beta", "mean": 0.6, "sd": 0.05},
    "outcome.relative_reduction": {"dist": "normal", "mean": 0.4, "sd": 0.1, "lower": 0, "upper": 1},
    "outcome.drop_off": {"dist": "uniform", "low": 0.05, "high": 0.2},
    "intervention.cost_per_participant": {"dist": "gamma", "mean": 60000, "sd": 10000},
    "contract.investor_required_return": {"dist": "triangular", "low": 0.03, "mode": 0.07, "high": 0.12},
}


def bench_case() -> sibmodel.Case:
    return sibmodel.load_case(TEMPLATE).update(UNCERTAIN)


def median_time(f, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (the CPU time is what a busy shared machine
    does not inflate)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return float(np.median(wall)), float(np.median(cpu))


def best_time(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return float(np.min(times))


def child_peak(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; return its JSON output with its peak resident memory (MiB)."""
    wrapper = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
sys.path.insert(0, {str(ROOT / 'benchmarks')!r})
{code}
out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""
    res = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--million", type=int, default=1_000_000)
    ap.add_argument("--dask-draws", type=int, default=0, help="draws for the Dask LocalCluster run (0: skip)")
    args = ap.parse_args()
    case = bench_case()
    rows = []

    # 1. 10,000 draws: the app's live figure; baseline = evaluate() per draw (measured on 200 draws)
    sibmodel.simulate(case, 10_000, seed=1)
    t10k, c10k = median_time(lambda: sibmodel.simulate(case, 10_000, seed=1), args.repeat)
    sim = sibmodel.simulate(case, 200, seed=1)
    point = case.point()
    t = time.perf_counter()
    for i in range(200):
        sibmodel.evaluate(point.update({k: float(sim.inputs[k].iloc[i]) for k in sim.inputs.columns}))
    per_draw = (time.perf_counter() - t) / 200
    rows.append(("10,000 draws, median of %d runs" % args.repeat, f"{t10k * 1e3:.1f} ms", "< 100 ms",
                 f"CPU {c10k * 1e3:.1f} ms; {per_draw * 10_000 / t10k:.0f}x faster than evaluate() per draw "
                 f"({per_draw * 1e3:.2f} ms/draw)"))

    # 2. 1,000,000 draws in a fresh process: time and peak memory against an idle interpreter with the same imports
    base = child_peak("import sibmodel\nout = {}")
    big = child_peak(f"""
import sibmodel
from simulate_speed import bench_case
case = bench_case()
t, c = time.perf_counter(), time.process_time()
sim = sibmodel.simulate(case, {args.million}, seed=2)
out = {{"seconds": time.perf_counter() - t, "cpu": time.process_time() - c, "p_saves": sim.prob_commissioner_saves}}
""")
    rows.append((f"{args.million:,} draws", f"{big['seconds']:.2f} s", "< 5 s",
                 f"CPU {big['cpu']:.2f} s; {args.million / big['seconds']:,.0f} draws/s"))
    rows.append((f"{args.million:,} draws, peak memory", f"{big['peak_mib']:.0f} MiB", "< 1024 MiB",
                 f"idle interpreter with the imports: {base['peak_mib']:.0f} MiB"))

    # 3. IRR over 10,000 investor cash-flow series of the simulation, against numpy_financial.irr in a loop
    import numpy_financial as npf
    from sibmodel.montecarlo import sample_inputs

    values = sample_inputs(case, 10_000, np.random.default_rng(3))
    flows = _investor_flows(case, values)
    t_vec = best_time(lambda: irr_many(flows), args.repeat)      # best of n for both, as timeit does
    t_loop = best_time(lambda: [npf.irr(row) for row in flows], 3)
    ref = np.array([npf.irr(row) for row in flows])
    got = irr_many(flows)
    both = np.isfinite(ref) & np.isfinite(got)
    diff = float(np.max(np.abs(got[both] - ref[both]))) if both.any() else 0.0
    same_nan = bool(np.all(np.isnan(ref) == np.isnan(got)))
    rows.append(("IRR of 10,000 series (best of runs)", f"{t_vec * 1e3:.1f} ms", ">= 100x numpy_financial loop",
                 f"{t_loop / t_vec:.0f}x ({t_loop * 1e3:.0f} ms loop); max |diff| {diff:.1e}; same NaNs: {same_nan}"))

    # 4. Dask LocalCluster: 2 worker processes, peak memory per worker
    if args.dask_draws:
        out = child_peak(f"""
import sibmodel
from simulate_speed import bench_case
from dask.distributed import Client, LocalCluster
case = bench_case()
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                  memory_limit="2GiB") as cl, Client(cl) as client:
    t = time.perf_counter()
    sim = sibmodel.simulate(case, {args.dask_draws}, seed=4, client=client, keep_inputs=False,
                            figures=["commissioner_npv"])
    seconds = time.perf_counter() - t
    peaks = client.run(lambda: __import__("resource").getrusage(__import__("resource").RUSAGE_SELF).ru_maxrss / 1024)
out = {{"seconds": seconds, "workers": sorted(peaks.values()), "p_saves": sim.prob_commissioner_saves}}
""")
        rows.append((f"{args.dask_draws:,} draws on Dask (2 workers)", f"{out['seconds']:.1f} s", "completes",
                     f"{args.dask_draws / out['seconds']:,.0f} draws/s"))
        rows.append(("  peak memory per worker", ", ".join(f"{w:.0f} MiB" for w in out["workers"]), "< 1024 MiB",
                     f"client process: {out['peak_mib']:.0f} MiB (holds the kept figures)"))

    import os

    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine inflates wall times; CPU times are this process's own)")
    w = max(len(r[0]) for r in rows)
    print(f"{'measure':<{w}}  {'measured':>14}  {'goal':<30}  compared with")
    for r in rows:
        print(f"{r[0]:<{w}}  {r[1]:>14}  {r[2]:<30}  {r[3]}")


def _investor_flows(case: sibmodel.Case, values: dict) -> np.ndarray:
    """Investor cash flows (draws x years) of sampled inputs, built from evaluate_many's own pieces."""
    from sibmodel import vectorised

    captured = {}
    real = vectorised.irr_many

    def grab(flows):
        captured["flows"] = np.array(flows)
        return real(flows)

    vectorised.irr_many = grab
    try:
        vectorised.evaluate_many(case, values)
    finally:
        vectorised.irr_many = real
    return captured["flows"]


if __name__ == "__main__":
    main()
