"""Where an app session's CPU goes, and pages opened at once, each side by side with a bare Voilà page measured
in the same run (not a test; figures depend on the machine and on what else runs on it).

    .venv/bin/python benchmarks/app_speed.py [--sessions 1,5,10,20] [--skip-browser]

Prints:
1. A session's CPU by stage, each stage in a fresh process: kernel start (to kernel_info), the app's imports,
   building the app (widget creation, first evaluation and charts), the whole notebook executed in a kernel,
   and the widget traffic of the first render (widget models and the bytes of their state); the bare page
   (one slider) beside it.
2. N pages opened at the same moment in Chromium (N = 1, 5, 10, 20): median and last time from navigation to
   rendered (app: key figures and charts; bare: the slider); a fresh server per N, so no kernel is left over.
3. Kernel memory per session (RSS and USS) after load, and after opening every input group.
Goals: 20 pages at once all ready within 20 s on 2 CPUs; one page alone within 1.2x the bare page; under 150
widget models on first render.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from _browser import ARGS, CHROMIUM, free_port, start_voila, stop  # noqa: E402

APP_NB = ROOT / "notebooks" / "apps" / "app.ipynb"
BARE = '''import ipywidgets as w
s = w.IntSlider(value=50, min=0, max=100, description="x")
s.add_class("bare-slider")
out = w.Label(value="50")
out.add_class("bare-out")
s.observe(lambda ch: setattr(out, "value", str(ch["new"])), "value")
w.VBox([s, out])'''
APP_READY, BARE_READY = ".sib-chart-cash svg", ".bare-slider .noUi-handle"

# Run in a fresh interpreter: CPU seconds of each stage of building a page, and the widgets it makes.
STAGES = r'''
import json, sys, time
t0 = time.process_time(); w0 = time.perf_counter()
import ipywidgets as w
from ipywidgets.widgets.widget import _instances
kind = sys.argv[1]
if kind == "app":
    import sibmodel.app.widgets as widgets
t1 = time.process_time()
if kind == "app":
    from sibmodel.app.state import Session, open_template
    s = Session(open_template("family_violence"))  # first evaluation alone
    t2 = time.process_time()
    app = widgets.App("da", "?template=family_violence&contract.investor_share=0.5")
    t3 = time.process_time()
    first = len(_instances)
    state = sum(len(json.dumps(x.get_state(), default=str)) for x in list(_instances.values()))
    app.open_all_groups()
    t4 = time.process_time()
    total = len(_instances)
else:
    t2 = t1
    s = w.IntSlider(value=50); out = w.Label("50"); box = w.VBox([s, out])
    t3 = t4 = time.process_time()
    first = total = len(_instances)
    state = sum(len(json.dumps(x.get_state(), default=str)) for x in list(_instances.values()))
mods = [m for m in ("scipy", "statsmodels", "matplotlib", "openpyxl") if m in sys.modules]
print(json.dumps({"imports": t1 - t0, "evaluate": t2 - t1, "build": t3 - t2, "groups": t4 - t3, "models": first,
                  "models_all": total, "state_bytes": state, "heavy": mods}))
'''


def bare_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(BARE)]
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    path = folder / "bare.ipynb"
    nbformat.write(nb, path)
    return path


def stages(kind: str) -> dict:
    out = subprocess.run([sys.executable, "-c", STAGES, kind], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def kernel_start() -> float:
    """Seconds from starting an ipykernel to its kernel_info reply (the kernel process, before any notebook)."""
    from jupyter_client.manager import start_new_kernel

    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3")
    elapsed = time.perf_counter() - t0
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return elapsed


def execute(nb_path: Path) -> tuple[float, int]:
    """Seconds to execute a notebook in a fresh kernel (start included), and the widget models it leaves."""
    from nbclient import NotebookClient

    nb = nbformat.read(nb_path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(nb_path.parent)}},
                   store_widget_state=True).execute()
    elapsed = time.perf_counter() - t0
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return elapsed, len(state)


def kernels(server: subprocess.Popen) -> list[psutil.Process]:
    try:
        return [p for p in psutil.Process(server.pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    except psutil.Error:
        return []


def mem(procs: list[psutil.Process]) -> list[tuple[float, float]]:
    out = []
    for p in procs:
        try:
            full = p.memory_full_info()
            out.append((full.rss / 2**20, full.uss / 2**20))
        except psutil.Error:
            pass
    return out


def stop_all(server: subprocess.Popen) -> None:
    """Stop the server and every kernel it started (by process id)."""
    children = kernels(server)
    stop(server)
    for k in children:
        try:
            k.kill()
        except psutil.Error:
            pass


def start_app(port: int, pool: int) -> subprocess.Popen:
    """``sibmodel app`` (what a municipality runs) with ``pool`` pre-heated kernels; returns once it listens."""
    import socket

    cmd = [sys.executable, "-m", "sibmodel", "app", "--port", str(port), "--pool-size", str(pool),
           "--max-sessions", str(max(20, 2 * pool))]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError("sibmodel app did not start within 60 s")


def wait_warm(server: subprocess.Popen, pool: int, timeout: float = 300) -> float:
    """Seconds until ``pool`` kernels run and the server with its kernels has used under 5 % of a CPU for 2 s in a
    row (the pool's imports and pre-built apps are done), as on a server that has been up a while."""
    t0 = time.monotonic()
    quiet_since = None
    while time.monotonic() - t0 < timeout:
        procs = [psutil.Process(server.pid), *kernels(server)]
        cpu0 = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        time.sleep(0.5)
        try:
            cpu1 = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        except psutil.Error:
            continue
        if len(procs) - 1 >= pool and (cpu1 - cpu0) / 0.5 < 0.05:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 2:
                return time.monotonic() - t0
        else:
            quiet_since = None
    raise RuntimeError(f"the pool of {pool} was not ready within {timeout} s")


def burst(browser, url: str, ready: str, n: int) -> list[float]:
    """Open ``n`` pages at the same moment; seconds from navigation to ready for each."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(n)]
    pages = [c.new_page() for c in contexts]
    t0 = time.perf_counter()
    for p in pages:
        p.goto(url, wait_until="commit", timeout=300_000)
    times = []
    pending = list(range(n))
    deadline = t0 + 600
    while pending and time.perf_counter() < deadline:
        for i in list(pending):
            try:
                if pages[i].query_selector(ready):
                    times.append(time.perf_counter() - t0)
                    pending.remove(i)
            except Exception:  # noqa: BLE001 - a page still navigating
                pass
        time.sleep(0.05)
    for c in contexts:
        c.close()
    return times + [float("nan")] * len(pending)


def page_kernel(server: subprocess.Popen, page) -> list[psutil.Process]:
    """The kernel process serving ``page`` (found by the kernel id in the page and the kernel's connection file)."""
    config = json.loads(page.evaluate("document.getElementById('jupyter-config-data').textContent"))
    kid = config.get("kernelId", "")
    return [k for k in kernels(server) if kid and kid in " ".join(k.cmdline())]


def memory_after_groups(browser, server: subprocess.Popen, url: str) -> tuple[list, list]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url, timeout=300_000)
    page.wait_for_selector(APP_READY, timeout=300_000)
    time.sleep(1)
    mine = page_kernel(server, page)
    loaded = mem(mine)
    titles = page.locator(".sib-groups .lm-AccordionPanel-title, .sib-groups .p-Collapse-header, .sib-groups .jupyter-widget-Collapse-header")
    for i in range(titles.count()):
        titles.nth(i).click()
        time.sleep(0.5)
    page.wait_for_selector(".sib-run-simulation", timeout=60_000)
    time.sleep(1)
    opened = mem(mine)
    ctx.close()
    return loaded, opened


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", default="1,5,10,20", help="pages opened at once, comma separated (default 1,5,10,20)")
    ap.add_argument("--skip-browser", action="store_true", help="only the CPU breakdown")
    args = ap.parse_args()
    ns = [int(x) for x in args.sessions.split(",")]
    load = psutil.getloadavg()

    with tempfile.TemporaryDirectory() as tmp:
        bare_nb = bare_notebook(Path(tmp))
        print(f"machine: {psutil.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start "
              "(shared with other jobs: figures are indicative)\n")
        print("1. A session's CPU by stage (fresh process each)")
        ks = [kernel_start() for _ in range(2)]
        st_app, st_bare = stages("app"), stages("bare")
        ex_app, ex_bare = execute(APP_NB), execute(bare_nb)
        rows = [
            ("kernel start to kernel_info (s, wall)", min(ks), min(ks)),
            ("imports (s, CPU)", st_app["imports"], st_bare["imports"]),
            ("first evaluation alone (s, CPU)", st_app["evaluate"], 0.0),
            ("building the page: widgets, evaluation, charts (s, CPU)", st_app["build"], st_bare["build"]),
            ("notebook executed in a fresh kernel, start included (s, wall)", ex_app[0], ex_bare[0]),
            ("widget models on first render (in-process)", st_app["models"], st_bare["models"]),
            ("widget models on first render (notebook run)", ex_app[1], ex_bare[1]),
            ("widget models after opening every group", st_app["models_all"], st_bare["models_all"]),
            ("widget state sent on first render (kB)", st_app["state_bytes"] / 1024, st_bare["state_bytes"] / 1024),
            ("opening every group (s, CPU)", st_app["groups"], 0.0),
        ]
        print(f"   {'stage':62s} {'app':>9s} {'bare':>9s}")
        for name, a, b in rows:
            fmt = "{:9.0f}" if "models" in name else "{:9.2f}"
            print(f"   {name:62s} {fmt.format(a)} {fmt.format(b)}")
        print(f"   heavy modules loaded by the first render: {', '.join(st_app['heavy']) or 'none'} "
              "(scipy, statsmodels, matplotlib, openpyxl checked)")
        if args.skip_browser:
            return

        from playwright.sync_api import sync_playwright

        print("\n2. Pages opened at once in Chromium (s from navigation to rendered), on a warm server with a pool of N\n"
              "   pre-heated kernels (`sibmodel app --pool-size N`; the bare page: Voilà with the same pool)")
        print(f"   {'N':>3s} {'app median':>11s} {'app last':>9s} {'bare median':>12s} {'bare last':>10s} {'ratio last':>11s}"
              f" {'pool warm':>10s}")
        memory: dict[str, list] = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            for n in ns:
                res, warm = {}, 0.0
                for kind, ready, query in (("bare", BARE_READY, ""), ("app", APP_READY, "?template=family_violence")):
                    port = free_port()
                    server = (start_app(port, n) if kind == "app" else
                              start_voila(bare_nb, port, [f"--VoilaConfiguration.default_pool_size={n}"]))
                    try:
                        took = wait_warm(server, n)
                        warm = took if kind == "app" else warm
                        res[kind] = burst(browser, f"http://127.0.0.1:{port}/{query}", ready, n)
                        if n == 1 and kind == "app":
                            wait_warm(server, n + 1)  # the page's kernel and the refilled pool
                            memory["app"] = memory_after_groups(browser, server, f"http://127.0.0.1:{port}/{query}")
                        if n == 1 and kind == "bare":
                            wait_warm(server, n + 1)
                            ctx = browser.new_context()
                            page = ctx.new_page()
                            page.goto(f"http://127.0.0.1:{port}/", timeout=300_000)
                            page.wait_for_selector(BARE_READY, timeout=300_000)
                            time.sleep(1)
                            memory["bare"] = mem(page_kernel(server, page))
                            ctx.close()
                    finally:
                        stop_all(server)
                med = lambda xs: statistics.median(xs)  # noqa: E731
                a, b = res["app"], res["bare"]
                print(f"   {n:3d} {med(a):11.2f} {max(a):9.2f} {med(b):12.2f} {max(b):10.2f} {max(a) / max(b):11.2f}"
                      f" {warm:9.0f}s", flush=True)
            browser.close()
        print("\n3. Kernel memory per session (MiB, RSS / USS)")
        (la, oa), lb = memory.get("app", ([], [])), memory.get("bare", [])
        if la and lb:
            print(f"   after load:                  app {la[0][0]:6.0f} / {la[0][1]:4.0f}   bare {lb[0][0]:6.0f} / {lb[0][1]:4.0f}")
        if oa:
            print(f"   after opening every group:   app {oa[0][0]:6.0f} / {oa[0][1]:4.0f}")
        end = psutil.getloadavg()
        print(f"\nload average at the end: {end[0]:.1f} {end[1]:.1f} {end[2]:.1f}")


if __name__ == "__main__":
    main()
