"""`sibmodel app` (sibmodel.app.serve): its options, and a real server answering HTTP as a visitor's browser or an
attacker would: host check, idle pre-heated kernel, culling, kernels API, session cap, XSRF cookie, widget models,
signals.

``Server`` starts ``python -m sibmodel app`` on a free port in its own process group and stops it at the end (the
browser tests and the docs tests use it too). Kernels are found with psutil by their connection file,
``kernel-<id>.json``, which carries the kernel id Voilà writes into the page."""
from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from sibmodel import cli
from sibmodel.app import serve

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SETTLE = 2.0  #: seconds the server must stay idle before a test relies on it


def port_free(port: int) -> bool:
    """Nothing listens on ``port``: a new server can bind it (with SO_REUSEADDR, as tornado does, so that closed
    connections in TIME_WAIT do not count)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Server:
    """``python -m sibmodel app OPTIONS`` on a free port; ``log`` is its output so far."""

    def __init__(self, *options: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._log = tempfile.NamedTemporaryFile("w+b", prefix="sibmodel-app-", suffix=".log", delete=False)
        cmd = [sys.executable, "-m", "sibmodel", "app", "--port", str(self.port), *options]
        self.proc = subprocess.Popen(cmd, cwd=tempfile.gettempdir(), stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                                     start_new_session=True)
        self.ps = psutil.Process(self.proc.pid)

    @property
    def log(self) -> str:
        return Path(self._log.name).read_text(errors="replace")

    def wait_ready(self, pool: bool = True, timeout: float = 90) -> None:
        """Until the port answers and (``pool``) the pre-heated pool is filled."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sibmodel app exited with {self.proc.returncode}:\n{self.log[-3000:]}")
            if not port_free(self.port) and (not pool or "is filled with" in self.log):
                return
            time.sleep(0.2)
        raise RuntimeError(f"sibmodel app not ready within {timeout} s:\n{self.log[-3000:]}")

    def get(self, path: str = "", host: str | None = None, method: str = "GET", timeout: float = 90,
            cookie: str | None = None):
        """(status, headers, body) of a request; ``host`` sets the Host header, ``cookie`` the Cookie header."""
        req = urllib.request.Request(self.url + path.lstrip("/"), method=method)
        if host:
            req.add_header("Host", host)
        if cookie:
            req.add_header("Cookie", cookie)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.headers, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode(errors="replace")

    def kernels(self) -> dict[str, psutil.Process]:
        """The server's kernel processes by kernel id."""
        found = {}
        for p in self.ps.children(recursive=True):
            try:
                m = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(p.cmdline()))
            except psutil.Error:
                continue
            if m:
                found[m.group(1)] = p
        return found

    def wait_kernels(self, test, timeout: float) -> dict[str, psutil.Process]:
        """Poll until ``test(kernels)`` holds; return the kernels (or fail with what was there)."""
        deadline = time.monotonic() + timeout
        while True:
            k = self.kernels()
            if test(k):
                return k
            if time.monotonic() > deadline:
                raise AssertionError(f"kernels after {timeout} s: {sorted(k)}")
            time.sleep(0.25)

    def pool_full(self) -> bool:
        """Every pre-heated kernel taken has been replaced (the log says when the pool is filled)."""
        return self.log.count("is filled with") > self.log.count("Using pre-heated kernel")

    def wait_idle(self, pool: int = 1, timeout: float = 40) -> None:
        """Until the pool is full and no other kernel runs (earlier pages' kernels culled)."""
        # A culled kernel's process exits a moment before the server has finished shutting it down (and stops
        # counting it as a session): the state must hold for SETTLE seconds in a row.
        deadline = time.monotonic() + timeout
        since = None
        while True:
            if self.pool_full() and len(self.kernels()) == pool:
                since = since or time.monotonic()
                if time.monotonic() - since >= SETTLE:
                    return
            else:
                since = None
            if time.monotonic() > deadline:
                raise AssertionError(f"not idle after {timeout} s: {sorted(self.kernels())}")
            time.sleep(0.25)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL to the whole process group if needed (kernels included)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self._log.close()
        os.unlink(self._log.name)


def owner_cookie(headers) -> str:
    """The ``sibmodel-page=...`` cookie a page response sets (names the browser its kernel belongs to)."""
    found = [c.split(";")[0] for c in headers.get_all("Set-Cookie") if c.startswith(serve.OWNER_COOKIE + "=")]
    assert found, "the page set no owner cookie"
    return found[0]


def kernel_id(html: str) -> str:
    """The kernel id Voilà writes into a page (``"kernelId": ...`` in the page config)."""
    m = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
    assert m, "no kernel id in the page"
    return m.group(1)


# ------------------------------------------------------------------------------------------ options (no server)


def parse(*argv: str) -> argparse.Namespace:
    return cli.parser().parse_args(["app", *argv])


def test_app_defaults_serve_this_machine_only_without_browser():
    a = parse()
    assert (a.host, a.port, a.base_url, a.browser) == ("127.0.0.1", 8866, "/", False)
    assert (a.max_sessions, a.pool_size, a.cull_idle, a.allowed_hosts) == (20, 1, 1800, [])
    assert a.run is serve.main


def test_every_app_option_has_help():
    sub = next(x for x in cli.parser()._actions if isinstance(x, argparse._SubParsersAction))
    actions = [x for x in sub.choices["app"]._actions if x.option_strings and x.dest != "help"]
    assert {x.option_strings[0] for x in actions} >= {"--host", "--port", "--base-url", "--allowed-hosts",
                                                      "--max-sessions", "--pool-size", "--cull-idle", "--no-browser"}
    assert all(x.help and len(x.help) > 15 for x in actions)


@pytest.mark.parametrize("given, want", [("/", "/"), ("", "/"), ("sib", "/sib/"), ("/sib", "/sib/"),
                                         ("sib/app/", "/sib/app/"), ("//sib//", "/sib/")])
def test_base_url_gets_one_leading_and_one_trailing_slash(given, want):
    assert parse("--base-url", given).base_url == want


@pytest.mark.parametrize("argv", [["--base-url", "/a b"], ["--base-url", "/<x>"], ["--allowed-hosts", "a b"],
                                  ["--allowed-hosts", "x/y"], ["--max-sessions", "0"], ["--pool-size", "-1"],
                                  ["--port", "70000"], ["--cull-idle", "soon"]])
def test_bad_option_values_are_refused_with_a_message(argv, capsys):
    with pytest.raises(SystemExit) as e:
        parse(*argv)
    assert e.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_allowed_hosts_are_localhost_the_bound_address_and_the_named_ones():
    names = serve.allowed_hosts("10.0.0.5", ["SIB.kommune.dk"])
    assert names == ["localhost", "127.0.0.1", "::1", "10.0.0.5", "sib.kommune.dk"]
    assert serve.allowed_hosts("0.0.0.0", []) == ["localhost", "127.0.0.1", "::1"]


@pytest.mark.parametrize("host, ok", [("localhost", True), ("127.0.0.1", True), ("::1", True),
                                      ("sib.kommune.dk", True), ("a.intern.kommune.dk", True),
                                      ("evil.example", False), ("sib.kommune.dk.evil.example", False),
                                      ("xsib.kommune.dk", False), ("intern.kommune.dk", False),
                                      ("127.0.0.2", False)])
def test_host_pattern_matches_exactly_the_allowed_names(host, ok):
    import re

    pattern = serve.host_pattern(serve.allowed_hosts("0.0.0.0", ["sib.kommune.dk", "*.intern.kommune.dk"]))
    assert bool(re.match(pattern, host)) is ok
    assert re.match(serve.host_pattern(["*"]), "anything.example")


def test_cull_settings_cull_pages_idle_for_cull_idle_and_kernels_without_page_within_two_minutes():
    assert serve.cull_settings(1800) == (1800, 120, 60)
    assert serve.cull_settings(4) == (4, 4, 2)


def test_voila_argv_carries_the_options():
    argv = serve.voila_argv(parse("--host", "0.0.0.0", "--port", "9000", "--base-url", "sib", "--pool-size", "0",
                                  "--cull-idle", "600"))
    assert argv[0].endswith("app.ipynb") and Path(argv[0]).exists()
    assert {"--Voila.ip=0.0.0.0", "--Voila.port=9000", "--Voila.base_url=/sib/", "--Voila.port_retries=0",
            "--Voila.open_browser=False", "--VoilaConfiguration.preheat_kernel=False",
            "--MappingKernelManager.cull_idle_timeout=600", "--MappingKernelManager.cull_interval=60",
            "--MappingKernelManager.cull_connected=True"} <= set(argv)
    config = next(a for a in argv if a.startswith("--Voila.config_file_paths="))
    assert (Path(config.split("'")[1]) / "voila.py").exists()


def test_busy_page_speaks_danish_and_english_and_retries_by_itself():
    page = serve.busy_page(15)
    assert "Appen er optaget" in page and "The app is busy" in page
    assert 'http-equiv="refresh" content="15"' in page


def test_waiting_cell_has_no_timeout_and_other_cells_keep_theirs(monkeypatch):
    """voila.py's timeout_func: the cell calling sibmodel.app.show (it waits for the request in a pre-heated
    kernel) has no limit; any other cell has SIBMODEL_CELL_TIMEOUT seconds (60 by default)."""
    import runpy

    from traitlets.config import Config

    monkeypatch.setenv("JUPYTER_PATH", os.environ.get("JUPYTER_PATH", ""))  # voila.py extends it; undone after
    config = Config()
    _, config_dir = serve._paths()
    ns = runpy.run_path(str(config_dir / "voila.py"), init_globals={"get_config": lambda: config})
    func = config.VoilaExecutor.timeout_func
    assert func is ns["_cell_timeout"]
    assert func({"source": "import sibmodel.app\n\napp = sibmodel.app.show(lang)"}) is None
    assert func({"source": "lang = 'da'"}) == 60
    monkeypatch.setenv("SIBMODEL_CELL_TIMEOUT", "5")
    assert func({"source": "x = 1"}) == 5


# ------------------------------------------------------------------------------------------ a running server

CELL_TIMEOUT = 2  # seconds; the pre-heated kernel waits longer than this before the first page is asked for
CULL = 4          # seconds: --cull-idle, so a kernel without page goes within CULL + CULL // 2


@pytest.fixture(scope="module")
def server():
    s = Server("--pool-size", "1", "--max-sessions", "2", "--cull-idle", str(CULL),
               "--allowed-hosts", "sib.kommune.example", env={"SIBMODEL_CELL_TIMEOUT": str(CELL_TIMEOUT)})
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()


STATIC = "voila/templates/sibmodel/static/index.css"


def test_host_header_is_checked_on_every_path(server):
    assert server.get(STATIC)[0] == 200
    assert server.get(STATIC, host=f"localhost:{server.port}")[0] == 200
    assert server.get(STATIC, host="sib.kommune.example")[0] == 200
    for path in (STATIC, "", "voila/static/voila.js", f"api/kernels/{'0' * 8}-0000-0000-0000-{'0' * 12}"):
        status, _, body = server.get(path, host="evil.example")
        assert status == 403 and "host name not allowed" in body, path
    assert server.get(STATIC, host="sib.kommune.example.evil.example")[0] == 403
    assert server.get(STATIC, host="10.1.2.3")[0] == 403


def test_preheated_kernel_idle_past_the_cell_timeout_still_renders_then_its_kernel_is_culled(server):
    """The pooled kernel has waited longer than the cell timeout; the page it serves is the app, not
    'Cell execution timed out'. A plain GET's kernel (no page connected) is then shut down by the culler."""
    server.wait_idle()
    time.sleep(CELL_TIMEOUT + 2)
    status, _, html = server.get("")
    assert status == 200
    assert "timed out" not in html and "interrupt_on_timeout" not in html
    assert "application/vnd.jupyter.widget-view+json" in html  # the app's widgets were displayed
    assert "Using pre-heated kernel" in server.log
    kid = kernel_id(html)
    assert kid in server.kernels()
    started = time.monotonic()
    server.wait_kernels(lambda k: kid not in k, timeout=CULL + CULL // 2 + 10)
    assert time.monotonic() - started >= 1  # it was the culler, some seconds later, not the request itself


def test_kernels_api_answers_only_the_browser_the_kernel_went_to(server):
    status, headers, html = server.get("")
    kid, mine = kernel_id(html), owner_cookie(headers)
    assert kid in server.kernels()
    for method in ("GET", "DELETE", "PATCH", "POST"):
        status, _, body = server.get(f"api/kernels/{kid}", method=method)
        assert status == 404 if method == "GET" else status in (403, 404), method  # 403: no XSRF token
        assert kid not in body
    other = f"{serve.OWNER_COOKIE}=another-browser"  # another browser does not get this kernel either
    assert server.get(f"api/kernels/{kid}", cookie=other)[0] == 404
    assert server.get(f"voila/api/shutdown/{kid}", method="POST", cookie=other)[0] in (403, 404)
    status, _, body = server.get(f"api/kernels/{kid}", cookie=mine)  # the page itself reads its kernel's model
    assert status == 200 and kid in body
    assert server.get(f"api/kernels/{kid}", method="DELETE", cookie=mine)[0] in (403, 404)
    assert server.get("api/kernels")[0] == 404
    assert server.get("api/sessions")[0] == 404
    assert kid in server.kernels()  # nothing above ended it


def _run(coro):
    """Run ``coro`` to its end in a thread of its own: the browser tests' Playwright keeps an event loop running in
    this thread for the whole session, and ``asyncio.run`` refuses to start inside it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_past_max_sessions_a_visitor_gets_the_busy_page(server):
    """--max-sessions 2: of three pages asked for at once, two render and one gets the busy page (503)."""
    from concurrent.futures import ThreadPoolExecutor

    server.wait_idle()
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: server.get(""), range(3)))
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 200, 503], statuses
    status, headers, body = next(r for r in results if r[0] == 503)
    assert "Appen er optaget" in body and "The app is busy" in body
    assert headers.get("Retry-After") == str(serve.BUSY_RETRY)
    ids = {kernel_id(r[2]) for r in results if r[0] == 200}
    assert len(ids) == 2


def test_a_kernels_websocket_answers_only_its_own_browser(server):
    import asyncio

    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    server.wait_idle()
    _, headers, html = server.get("")
    kid = kernel_id(html)
    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kid}/channels"

    async def connect(cookie: str | None):
        try:
            ws = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie} if cookie else {}))
        except HTTPClientError as e:
            return e.code
        ws.close()
        return 101

    assert _run(connect(None)) == 404
    assert _run(connect(f"{serve.OWNER_COOKIE}=guess")) == 404
    assert _run(connect(owner_cookie(headers))) == 101


def test_the_page_sets_the_xsrf_cookie_and_says_visitors_may_wait_in_a_queue(server):
    """The page's first bytes (before the kernel runs) say, in Danish and English, that the app is starting and
    that visitors wait in a queue when many open it; the page carries the connection-lost message."""
    status, headers, html = server.get("")
    assert status == 200
    head = html[: html.index("jupyter-config-data")]  # what the visitor sees while the kernel starts
    assert "Appen starter" in head and "The app is starting" in head
    assert "venter du i kø" in head and "you wait in a queue" in head
    assert "Forbindelsen til serveren er afbrudt" in head and "The connection to the server was lost" in head
    assert any(c.startswith("_xsrf=") for c in headers.get_all("Set-Cookie"))


def _comm_probe(server, kid: str, cookie: str, subprotocol: str | None) -> tuple[bool, bool]:
    """Open two comms as a page would (a widget model, the widget control channel), then ask the kernel which
    comms exist: (widget model exists, control channel exists)."""
    import asyncio
    import json
    import uuid

    from jupyter_client.session import Session
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    session = Session(key=b"", username="test")
    widget, control = str(uuid.uuid4()), str(uuid.uuid4())

    from ipywidgets._version import __control_protocol_version__, __protocol_version__

    def message(msg_type: str, content: dict, version: str = __protocol_version__):
        msg = session.msg(msg_type, content, metadata={"version": version})
        if subprotocol is None:
            return json.dumps({**msg, "channel": "shell"}, default=str)
        parts = [session.pack(msg[k]) for k in ("header", "parent_header", "metadata", "content")]
        return serialize_msg_to_ws_v1(parts, "shell")

    async def run() -> tuple[bool, bool]:
        url = f"ws://127.0.0.1:{server.port}/api/kernels/{kid}/channels"
        ws = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie}),
                                     subprotocols=[subprotocol] if subprotocol else None)
        state = {"_model_name": "IntSliderModel", "_model_module": "@jupyter-widgets/controls",
                 "_model_module_version": "2.0.0", "_view_name": "IntSliderView",
                 "_view_module": "@jupyter-widgets/controls", "_view_module_version": "2.0.0", "value": 7}
        await ws.write_message(message("comm_open", {"comm_id": widget, "target_name": "jupyter.widget",
                                                     "data": {"state": state, "buffer_paths": []}}),
                               binary=subprotocol is not None)
        await ws.write_message(message("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                                                     "data": {}}, __control_protocol_version__), binary=subprotocol is not None)
        info = message("comm_info_request", {})
        await ws.write_message(info, binary=subprotocol is not None)
        deadline = asyncio.get_event_loop().time() + 20
        while asyncio.get_event_loop().time() < deadline:
            raw = await asyncio.wait_for(ws.read_message(), 20)
            if raw is None:
                break
            if isinstance(raw, bytes):
                from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

                _, parts = deserialize_msg_from_ws_v1(raw)
                header, content = session.unpack(parts[0]), session.unpack(parts[3])
            else:
                msg = json.loads(raw)
                header, content = msg["header"], msg["content"]
            if header["msg_type"] == "comm_info_reply":
                ws.close()
                return widget in content["comms"], control in content["comms"]
        ws.close()
        raise AssertionError("no comm_info_reply")

    return _run(run())


@pytest.mark.parametrize("subprotocol", [None, "v1.kernel.websocket.jupyter.org"])
def test_a_page_cannot_create_widget_models(server, subprotocol):
    """A comm_open for a widget model from the websocket is dropped; the widget control channel (which the page
    uses to fetch the widgets' state) still opens."""
    server.wait_idle()
    _, headers, html = server.get("")
    widget, control = _comm_probe(server, kernel_id(html), owner_cookie(headers), subprotocol)
    assert not widget and control
    assert "Dropped comm_open for 'jupyter.widget'" in server.log


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_with_every_kernel_and_frees_the_port(sig):
    """SIGTERM (docker stop, systemd) or SIGINT (Ctrl-C) to `sibmodel app`: every kernel (the pre-heated one and a
    page's) ends, the process exits 0 and the port is free."""
    s = Server("--pool-size", "1")
    try:
        s.wait_ready()
        status, _, html = s.get("")
        assert status == 200
        kernels = s.wait_kernels(lambda k: kernel_id(html) in k and len(k) >= 2, timeout=30)
        descendants = s.ps.children(recursive=True)
        assert set(kernels.values()) <= set(descendants)
        s.proc.send_signal(sig)
        assert s.proc.wait(timeout=30) == 0
        gone, alive = psutil.wait_procs(descendants, timeout=10)
        assert alive == [], f"left running: {[p.cmdline() for p in alive]}"
        assert port_free(s.port)
        assert "shutting down every kernel" in s.log
    finally:
        s.stop()


# ------------------------------------------------------------------------------------------ the pool

def test_pacer_spaces_starts_by_its_step():
    p = serve.Pacer(1.5)
    assert p.delay(10.0) == 0.0
    assert p.delay(10.0) == 1.5            # asked at the same moment: the next slot
    assert p.delay(10.5) == pytest.approx(2.5)
    assert p.delay(20.0) == 0.0            # long after the last slot: at once


def test_voila_argv_delays_the_refill():
    assert f"--VoilaKernelManager.fill_delay={serve.REFILL_DELAY}" in serve.voila_argv(parse())


def test_pool_kernels_start_paced_and_a_page_for_any_case_template_takes_one():
    """Pre-heated kernels start REFILL_STEP apart; a page asking for another case template (Voilà would read
    ``?template=`` as its own template and start a cold kernel) takes a pooled one; its replacement starts
    REFILL_DELAY later."""
    s = Server("--pool-size", "3", "--max-sessions", "6")
    try:
        s.wait_ready()
        pooled = s.wait_kernels(lambda k: len(k) == 3, timeout=30)
        starts = sorted(p.create_time() for p in pooled.values())
        assert all(b - a >= serve.REFILL_STEP - 0.05 for a, b in zip(starts, starts[1:])), starts
        s.wait_idle(pool=3, timeout=90)
        marker = subprocess.Popen(["sleep", "30"])  # the moment asked, on psutil's clock (process start times)
        asked = psutil.Process(marker.pid).create_time()
        marker.kill()
        marker.wait()
        status, _, html = s.get("?template=homelessness_housing_first&lang=en")
        assert status == 200 and "application/vnd.jupyter.widget-view+json" in html
        assert kernel_id(html) in pooled and s.log.count("Using pre-heated kernel") == 1
        new = s.wait_kernels(lambda k: len(k) == 4, timeout=60)
        (refill,) = [p for kid, p in new.items() if kid not in pooled]
        assert refill.create_time() >= asked + serve.REFILL_DELAY - 0.05
    finally:
        s.stop()
