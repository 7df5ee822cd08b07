"""A pre-heated kernel waits for its page request over Voilà's request-info socket, without Voilà's server code."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading

import pytest
import websockets
from websockets.asyncio.server import serve

from sibmodel.app.request import query_url, wait_for_request

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RequestInfoServer:
    """What Voilà does for a pre-heated kernel: on ``<base>voila/query/<kernel id>`` send the request's variables."""

    def __init__(self, payload: dict[str, str], base: str = "/"):
        self.port, self.payload, self.base, self.paths = free_port(), payload, base, []
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_until_complete, args=(self._serve(),), daemon=True).start()
        assert self.ready.wait(10)

    async def _serve(self) -> None:
        async def handler(conn) -> None:
            self.paths.append(conn.request.path)
            if conn.request.path == f"{self.base}voila/query/kernel-1":
                await conn.send(json.dumps(self.payload))

        self.stop = asyncio.Event()
        async with serve(handler, "127.0.0.1", self.port):
            self.ready.set()
            await self.stop.wait()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)

    def env(self) -> dict[str, str]:
        return {"VOILA_PREHEAT": "True", "VOILA_APP_IP": "127.0.0.1", "VOILA_APP_PORT": str(self.port),
                "VOILA_SERVER_URL": self.base, "VOILA_KERNEL_ID": "kernel-1"}


def test_outside_a_preheated_kernel_it_returns_at_once(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    assert wait_for_request("ws://127.0.0.1:9/never") is False


def test_the_address_follows_voilas_variables(monkeypatch):
    for k, v in {"VOILA_APP_IP": "10.0.0.5", "VOILA_APP_PORT": "8123", "VOILA_SERVER_URL": "/sib/",
                 "VOILA_KERNEL_ID": "abc"}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
    assert query_url() == "ws://10.0.0.5:8123/sib/voila/query/abc"
    monkeypatch.setenv("VOILA_WS_BASE_URL", "/proxy/")
    monkeypatch.setenv("VOILA_WS_PROTOCOL", "wss")
    assert query_url() == "wss://10.0.0.5:8123/proxy/voila/query/abc"


def test_the_requests_variables_land_in_the_environment(monkeypatch):
    server = RequestInfoServer({"QUERY_STRING": "template=blank&lang=en", "SERVER_NAME": "sib.example"}, "/sib/")
    try:
        for k, v in server.env().items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("QUERY_STRING", "")
        assert wait_for_request() is True
        assert os.environ["QUERY_STRING"] == "template=blank&lang=en"
        assert os.environ["SERVER_NAME"] == "sib.example"
        assert server.paths == ["/sib/voila/query/kernel-1"]
    finally:
        server.close()


def test_an_unreachable_server_gives_no_request(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    assert wait_for_request(f"ws://127.0.0.1:{free_port()}/voila/query/x") is False


SHOW = """
import json, sys
from ipywidgets.widgets.widget import _instances
import sibmodel.app
from sibmodel.app import widgets
built, init = [], widgets.App.__init__
widgets.App.__init__ = lambda self, *a, **k: (built.append(a), init(self, *a, **k))[1]
app = sibmodel.app.show("da")
print(json.dumps({"key": app.key, "lang": app.lang, "models": len(_instances), "built": len(built),
                  "server_code": [m for m in ("voila", "jupyter_server", "jsonschema") if m in sys.modules]}))
"""
FRESH = """
import json
from ipywidgets.widgets.widget import _instances
from sibmodel.app.widgets import App
App("da", %r)
print(json.dumps({"models": len(_instances)}))
"""


@pytest.mark.parametrize("query, key, lang, built_before", [
    ("template=family_violence&lang=en", "family_violence", "en", True),
    ("", "family_violence", "da", True),
    ("template=homelessness_housing_first", "homelessness_housing_first", "da", False),
    ("template=family_violence&contract.price=99000", "family_violence", "da", False),
])
def test_a_preheated_kernel_serves_the_page_asked_for_without_voilas_server_code(query, key, lang, built_before):
    """The app built while waiting serves a page asking for the same template (any language); any other query
    gets a new app, and the waiting app's widgets are closed (the page holds as many as a fresh app's)."""
    server = RequestInfoServer({"QUERY_STRING": query})
    try:
        env = {**os.environ, **server.env(), "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    finally:
        server.close()
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert (got["key"], got["lang"]) == (key, lang)
    assert got["built"] == (1 if built_before else 2)
    assert got["server_code"] == []
    fresh = subprocess.run([sys.executable, "-c", FRESH % query], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                           capture_output=True, text=True, timeout=120)
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    assert got["models"] == json.loads(fresh.stdout.strip().splitlines()[-1])["models"]
