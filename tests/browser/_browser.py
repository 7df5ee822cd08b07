"""Helpers and fixtures for the real-browser tests: Voilà on a free port, Debian's chromium via Playwright, and a
page that records what went wrong. (Not a conftest.py: a second conftest module would shadow tests/conftest.py
for the ``from conftest import ...`` of the other tests.)

Voilà is started by the tests with the repository's own configuration (``voila.py``) and stopped at the end.
Every request to a host other than the local server is aborted and recorded, so the page must render offline.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SIBMODEL_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
LOAD_TIMEOUT_MS = 90_000
CONFIG = ROOT / "templates" / "voila"  # voila.py: template, strip_sources, tracebacks off, timeout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_voila(notebook: Path, port: int, extra: list[str] | None = None, config_dir: Path = CONFIG) -> subprocess.Popen:
    """Start ``python -m voila`` on ``port`` with the config in ``config_dir``; return once it accepts connections."""
    cmd = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           "--Voila.port_retries=0", f"--Voila.config_file_paths=['{config_dir}']", *(extra or []), str(notebook)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("voila did not start within 60 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


# One server and one browser for the whole run, however many test modules import the fixtures below: pytest
# makes a separate session fixture for each module that imports one, and a second Playwright in the same
# process fails ("Sync API inside the asyncio loop"). The first user starts them, the last one stops them.
_SHARED: dict[str, list] = {}


def _acquire(key: str, start):
    if key not in _SHARED:
        _SHARED[key] = [start(), 0]
    _SHARED[key][1] += 1
    return _SHARED[key][0]


def _release(key: str, stop_) -> None:
    _SHARED[key][1] -= 1
    if _SHARED[key][1] == 0:
        stop_(_SHARED.pop(key)[0])


@pytest.fixture(scope="session")
def app_url():
    """URL of the app served by Voilà with the repository's configuration."""
    def start():
        port = free_port()
        return port, start_voila(ROOT / "notebooks" / "apps" / "app.ipynb", port)

    port, _ = _acquire("voila", start)
    yield f"http://127.0.0.1:{port}/"
    _release("voila", lambda pp: stop(pp[1]))


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright (``playwright install`` cannot download browsers here)."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"chromium not found at {CHROMIUM}: `make test` installs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    def start():
        pw = sync_playwright().start()
        return pw, pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)

    def stop_(pair):
        pair[1].close()
        pair[0].stop()

    _, b = _acquire("browser", start)
    yield b
    _release("browser", stop_)


class Watched:
    """A page plus what went wrong while it ran: console errors, failed requests, requests to other hosts."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.offsite: list[str] = []
        host = base.split("/")[2]
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on("response", lambda r: self.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None)

        def route(r):
            url = r.request.url
            if url.startswith(("http://", "https://", "ws://")) and url.split("/")[2] != host:
                self.offsite.append(url)
                return r.abort()
            return r.continue_()
        self.page.route("**/*", route)

    def open(self, url: str, wait: bool = True):
        response = self.page.goto(url, timeout=LOAD_TIMEOUT_MS, wait_until="commit" if not wait else "load")
        if wait:
            self.ready()
        return response

    def ready(self) -> None:
        self.page.wait_for_selector(".sib-card[data-name=savings_per_case]", timeout=LOAD_TIMEOUT_MS)  # on every page, card or not

    def figure(self, name: str) -> float | None:
        raw = self.page.get_attribute(f".sib-card[data-name={name}]", "data-value")
        return float(raw) if raw else None

    def close(self) -> None:
        self.context.close()
