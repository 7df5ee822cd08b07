"""Where an app session's CPU goes, and pages opened at once, each side by side with a bare Voilà page measured
in the same run (not a test; figures depend on the machine and on what else runs on it).

    .venv/bin/python benchmarks/app_speed.py [--sessions 1,5,10,20] [--skip-browser]

Prints:
1. A session's CPU by stage, each stage in a fresh process: kernel start (to kernel_info), the app's imports,
   building the app (widget creation, first evaluation and charts), the whole notebook executed in a kernel,
   and the widget traffic of the first render (widget models and the bytes of their state); the bare page
   (one slider) beside it.
2. N sessions opened at the same moment (N = 1, 5, 10, 20) on a warm server with a pool of N pre-heated kernels
   (`sibmodel app --pool-size N`, a fresh server per N; the bare page: Voilà with the same pool):
   a. without a browser, as a workshop where each visitor's browser runs on their own machine: the page fetched
      and every widget's state received over the kernel websocket (what a page needs before it can draw);
   b. in Chromium on this machine (the issue's set-up): median and last time from navigation to rendered (app:
      key figures and charts; bare: the slider), with the CPU seconds of the server, the pages' kernels, the
      kernels refilling the pool and the browser until the last page was ready;
   and the CPU seconds one pre-heated kernel costs until it waits for its page.
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


def cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def browser_procs() -> list[psutil.Process]:
    """Chromium's processes (started by Playwright under this process)."""
    return [p for p in psutil.Process().children(recursive=True) if "chrom" in p.name().lower()]


def burst(browser, url: str, ready: str, n: int, server: subprocess.Popen) -> tuple[list[float], dict[str, float]]:
    """Open ``n`` pages at the same moment: seconds from navigation to ready for each, and the CPU seconds the
    server, its kernels and the browser used until the last page was ready."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(n)]
    pages = [c.new_page() for c in contexts]
    srv = psutil.Process(server.pid)
    before_k = {p.pid: cpu_seconds([p]) for p in kernels(server)}
    cpu0 = {"server": cpu_seconds([srv]), "browser": cpu_seconds(browser_procs())}
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
    now_k = kernels(server)
    cpu = {"server": cpu_seconds([srv]) - cpu0["server"],
           "pages' kernels": sum(cpu_seconds([k]) - before_k[k.pid] for k in now_k if k.pid in before_k),
           "refilling kernels": cpu_seconds([k for k in now_k if k.pid not in before_k]),
           "browser": cpu_seconds(browser_procs()) - cpu0["browser"]}
    for c in contexts:
        c.close()
    return times + [float("nan")] * len(pending), cpu


def _ws_json(frame: str | bytes) -> dict:
    """A message from a kernel websocket frame (text: JSON; binary: Jupyter's offsets, then the JSON part)."""
    if isinstance(frame, str):
        return json.loads(frame)
    n = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i:8 + 4 * i], "big") for i in range(n)]
    return json.loads(frame[offsets[0]:offsets[1] if n > 1 else None])


def _fetch(url: str) -> tuple[str, str]:
    """The page (read to its end, as Voilà streams it) and the cookies it set."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=600) as r:
        body = r.read().decode(errors="replace")
        cookies = "; ".join(c.split(";")[0] for c in r.headers.get_all("Set-Cookie") or [])
    return body, cookies


async def _session(url: str) -> tuple[float, int]:
    """What a page does before it can render, without a browser: fetch the page, open its kernel's websocket and
    ask for every widget's state (ipywidgets' control channel). Seconds until the states arrived, and their count."""
    import asyncio
    import re
    import uuid

    import websockets

    t0 = time.perf_counter()
    html, cookies = await asyncio.get_running_loop().run_in_executor(None, _fetch, url)
    kid = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html).group(1)
    base = url.split("?")[0].replace("http://", "ws://")
    session, comm = uuid.uuid4().hex, uuid.uuid4().hex

    def msg(kind: str, content: dict, metadata: dict | None = None) -> str:
        header = {"msg_id": uuid.uuid4().hex, "msg_type": kind, "username": "", "session": session,
                  "date": "2026-01-01T00:00:00Z", "version": "5.3"}
        return json.dumps({"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content,
                           "channel": "shell", "buffers": []})

    async with websockets.connect(f"{base}api/kernels/{kid}/channels?session_id={session}", max_size=2**26,
                                  additional_headers={"Cookie": cookies}, open_timeout=600) as ws:
        await ws.send(msg("comm_open", {"comm_id": comm, "target_name": "jupyter.widget.control", "data": {}},
                           {"version": "1.0.0"}))  # ipywidgets' control protocol
        await ws.send(msg("comm_msg", {"comm_id": comm, "data": {"method": "request_states"}}))
        while True:
            m = _ws_json(await asyncio.wait_for(ws.recv(), 120))
            data = m.get("content", {}).get("data", {})
            if m.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                return time.perf_counter() - t0, len(data.get("states", {}))


def protocol_burst(url: str, n: int, server: subprocess.Popen) -> tuple[list[float], int, float]:
    """``n`` sessions at the same moment, without a browser (as if each visitor's browser ran on their own
    machine): seconds until each had its page and widget states, the widget count, and the server's CPU seconds
    (with its kernels) until the last one."""
    import asyncio

    procs = [psutil.Process(server.pid), *kernels(server)]
    cpu0 = cpu_seconds(procs)

    async def run() -> list[tuple[float, int]]:
        return await asyncio.gather(*(_session(url) for _ in range(n)))

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps an event loop running in this thread
        got = pool.submit(asyncio.run, run()).result()
    cpu = cpu_seconds([psutil.Process(server.pid), *kernels(server)]) - cpu0
    return [t for t, _ in got], max(k for _, k in got), cpu


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
                res, cpu, warm, per_kernel, proto = {}, {}, 0.0, {}, {}
                for kind, ready, query in (("bare", BARE_READY, ""), ("app", APP_READY, "?template=family_violence")):
                    port = free_port()
                    server = (start_app(port, n) if kind == "app" else
                              start_voila(bare_nb, port, [f"--VoilaConfiguration.default_pool_size={n}"]))
                    try:
                        took = wait_warm(server, n)
                        pool = kernels(server)
                        per_kernel[kind] = cpu_seconds(pool) / max(1, len(pool))
                        warm = took if kind == "app" else warm
                        url = f"http://127.0.0.1:{port}/{query}"
                        proto[kind] = protocol_burst(url, n, server)
                        wait_warm(server, 2 * n)  # the pages' kernels and the refilled pool, all quiet
                        res[kind], cpu[kind] = burst(browser, url, ready, n, server)
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
                (pa, wa, ca), (pb, wb, cb) = proto["app"], proto["bare"]
                print(f"        without a browser (each visitor's browser elsewhere): app median {med(pa):.2f} last "
                      f"{max(pa):.2f}, bare median {med(pb):.2f} last {max(pb):.2f}, ratio last {max(pa) / max(pb):.2f}; "
                      f"server CPU s app {ca:.1f}, bare {cb:.1f}; widget states app {wa}, bare {wb}")
                print(f"        CPU s of one pre-heated kernel until it waits for its page: app {per_kernel['app']:.2f}, "
                      f"bare {per_kernel['bare']:.2f}")
                for kind in ("app", "bare"):
                    print(f"        CPU s until the last {kind} page was ready: "
                          + ", ".join(f"{k} {v:.1f}" for k, v in cpu[kind].items()), flush=True)
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
