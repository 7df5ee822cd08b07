"""Waiting, in a pre-heated Voilà kernel, for the page request it will serve (its URL query string).

Voilà's own ``voila.utils.wait_for_request`` imports the whole Voilà server (jupyter_server, jupyter_events,
jsonschema: about 4 s of CPU in every kernel, most of it compiling URI grammars). This does the same with the
``websockets`` client alone: it connects to the server's ``voila/query/<kernel id>`` socket, whose one message
holds the request's CGI-style variables (``QUERY_STRING``, ``SERVER_NAME``, ...), and puts them in ``os.environ``.
"""
from __future__ import annotations

import asyncio
import json
import os
import threading


def query_url() -> str:
    """The server's request-info socket for this kernel, from the variables Voilà gives a pre-heated kernel."""
    env = os.environ.get
    base = env("VOILA_WS_BASE_URL") or env("VOILA_SERVER_URL", "/")
    return (f"{env('VOILA_WS_PROTOCOL', 'ws')}://{env('VOILA_APP_IP', '127.0.0.1')}:{env('VOILA_APP_PORT', '8866')}"
            f"{base}voila/query/{env('VOILA_KERNEL_ID', '')}")


def wait_for_request(url: str | None = None) -> bool:
    """Block until this pre-heated kernel's page is requested; True once its variables are in ``os.environ``.

    Outside a pre-heated kernel (``VOILA_PREHEAT`` not ``True``) returns False at once; so it does when the
    server cannot be reached (the page then opens with no query).
    """
    if os.environ.get("VOILA_PREHEAT") != "True":
        return False
    import websockets  # a dependency of Voilà; the client alone is light

    found: list[str] = []

    async def receive() -> None:
        try:
            async with websockets.connect(url or query_url(), open_timeout=5) as socket:
                found.append(await socket.recv())
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
            pass

    thread = threading.Thread(target=lambda: asyncio.new_event_loop().run_until_complete(receive()), daemon=True)
    thread.start()
    thread.join()
    if not found:
        return False
    for key, value in json.loads(found[0]).items():
        os.environ[str(key)] = str(value)
    return True
