"""App speed and memory, each side by side with a bare Voilà page measured in the same run (not a test).

    .venv/bin/python benchmarks/app_speed.py [--rounds 20] [--loads 3]

Prints, for the sibmodel app and for a bare Voilà page with one slider (same server config and template):
- page load: navigation start to fully rendered (app: key figures and all three charts; bare: the slider),
  with ``--gap`` seconds between loads so that the configured pre-heated kernel is ready (``--gap 0``: back to
  back, most loads then start a kernel);
- widget round trip: key press on a slider to updated key figures *and* charts (bare: to an updated label),
  timed inside the browser with a MutationObserver;
- kernel memory per session (RSS and USS of the kernel process), and whether statsmodels/matplotlib were loaded.
Goals (issue 7): round trip median < 150 ms; page load <= 1.5x the bare page.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
from _browser import ARGS, CHROMIUM, ROOT, free_port, start_voila, stop  # noqa: E402

BARE = '''import ipywidgets as w
s = w.IntSlider(value=50, min=0, max=100, description="x")
s.add_class("bare-slider")
out = w.Label(value="50")
out.add_class("bare-out")
s.observe(lambda ch: setattr(out, "value", str(ch["new"])), "value")
w.VBox([s, out])'''

# Installed before each key press: resolves with the milliseconds from the keydown to the moment all watched
# elements have changed.
WATCH = """([handle, targets]) => ({p: new Promise((resolve) => {
  const els = targets.map((s) => document.querySelector(s));
  const before = els.map((e) => e.innerHTML);
  let t0 = null;
  const done = () => els.every((e, i) => e.innerHTML !== before[i]);
  const obs = new MutationObserver(() => { if (t0 !== null && done()) { obs.disconnect(); resolve(performance.now() - t0); } });
  els.forEach((e) => obs.observe(e, {subtree: true, childList: true, characterData: true, attributes: true}));
  document.addEventListener('keydown', () => { t0 = performance.now(); }, {once: true, capture: true});
  setTimeout(() => { obs.disconnect(); resolve(-1); }, 20000);
})})"""  # wrapped in an object: evaluate_handle would otherwise wait for the promise


def bare_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(BARE)]
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    path = folder / "bare.ipynb"
    nbformat.write(nb, path)
    return path


def load_time(browser, url: str, ready: str) -> float:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url, timeout=120_000)
    page.wait_for_selector(ready, timeout=120_000)
    elapsed = time.perf_counter() - t0
    ctx.close()
    return elapsed


def round_trips(browser, url: str, ready: str, handle: str, targets: list[str], rounds: int) -> list[float]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url, timeout=120_000)
    page.wait_for_selector(ready, timeout=120_000)
    page.locator(handle).focus()
    times = []
    for i in range(rounds):
        pending = page.evaluate_handle(WATCH, [handle, targets])
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        times.append(page.evaluate("o => o.p", pending))
    ctx.close()
    return [t for t in times if t >= 0]


def kernels(server: psutil.Process) -> list[psutil.Process]:
    return [p for p in server.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]


def loaded(proc: psutil.Process, name: str) -> bool:
    try:
        return any(f"/{name}/" in m.path for m in proc.memory_maps())
    except psutil.Error:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20, help="key presses per page (default 20)")
    ap.add_argument("--loads", type=int, default=3, help="page loads per page (default 3)")
    ap.add_argument("--gap", type=float, default=20.0,
                    help="seconds between page loads, so Voila's pre-heated kernel pool refills (default 20; 0 = back to back)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        bare_nb = bare_notebook(Path(tmp))
        p_app, p_bare = free_port(), free_port()
        app = start_voila(ROOT / "notebooks" / "apps" / "app.ipynb", p_app)
        bare = start_voila(bare_nb, p_bare)
        app_url = f"http://127.0.0.1:{p_app}/?contract.investor_share=0.5"
        bare_url = f"http://127.0.0.1:{p_bare}/"
        app_ready = ".sib-chart-cash svg"
        bare_ready = ".bare-slider .noUi-handle"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
                loads_app, loads_bare = [], []
                time.sleep(args.gap)  # both pools filled before the first load
                for _ in range(args.loads):  # alternate, so both see the same machine load
                    loads_bare.append(load_time(browser, bare_url, bare_ready))
                    time.sleep(args.gap)
                    loads_app.append(load_time(browser, app_url, app_ready))
                    time.sleep(args.gap)
                rt_bare = round_trips(browser, bare_url, bare_ready, bare_ready, [".bare-out"], args.rounds)
                rt_app = round_trips(browser, app_url, app_ready, ".sib-field-outcome-relative_reduction .noUi-handle",
                                     [".sib-figures", ".sib-chart-savings", ".sib-chart-corridor", ".sib-chart-cash"], args.rounds)
                # memory: open one page of each and measure its kernel while the page is open
                mem = {}
                for name, server, url, ready in (("app", app, app_url, app_ready), ("bare", bare, bare_url, bare_ready)):
                    proc = psutil.Process(server.pid)
                    before = {k.pid for k in kernels(proc)}
                    ctx = browser.new_context()
                    page = ctx.new_page()
                    page.goto(url, timeout=120_000)
                    page.wait_for_selector(ready, timeout=120_000)
                    new = [k for k in kernels(proc) if k.pid not in before] or kernels(proc)
                    k = new[-1]
                    full = k.memory_full_info()
                    mem[name] = (full.rss / 2**20, full.uss / 2**20, loaded(k, "statsmodels"), loaded(k, "matplotlib"))
                    ctx.close()
                browser.close()
        finally:
            stop(app)
            stop(bare)

    med = statistics.median
    print(f"{'measure':44s} {'app':>10s} {'bare':>10s} {'ratio':>7s}  goal")
    print(f"{'page load to fully rendered, median (s)':44s} {med(loads_app):10.2f} {med(loads_bare):10.2f} "
          f"{med(loads_app) / med(loads_bare):7.2f}  ratio <= 1.5")
    print(f"{'widget round trip, median (ms)':44s} {med(rt_app):10.1f} {med(rt_bare):10.1f} "
          f"{med(rt_app) / med(rt_bare):7.2f}  app < 150 ms")
    print(f"{'widget round trip, 90th percentile (ms)':44s} {sorted(rt_app)[int(0.9 * (len(rt_app) - 1))]:10.1f} "
          f"{sorted(rt_bare)[int(0.9 * (len(rt_bare) - 1))]:10.1f}")
    print(f"{'kernel memory per session, RSS (MiB)':44s} {mem['app'][0]:10.0f} {mem['bare'][0]:10.0f} {mem['app'][0] / mem['bare'][0]:7.2f}")
    print(f"{'kernel memory per session, USS (MiB)':44s} {mem['app'][1]:10.0f} {mem['bare'][1]:10.0f} {mem['app'][1] / mem['bare'][1]:7.2f}")
    print(f"{'statsmodels loaded in the kernel':44s} {str(mem['app'][2]):>10s} {str(mem['bare'][2]):>10s}")
    print(f"{'matplotlib loaded in the kernel':44s} {str(mem['app'][3]):>10s} {str(mem['bare'][3]):>10s}")
    print(f"(page loads: app {', '.join(f'{x:.2f}' for x in loads_app)}; bare {', '.join(f'{x:.2f}' for x in loads_bare)}; "
          f"{len(rt_app)} + {len(rt_bare)} round trips)")


if __name__ == "__main__":
    main()
