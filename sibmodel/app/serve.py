"""``sibmodel app``: serve the app with Voilà, in this process, for one user or for a team.

Voilà runs inside the ``sibmodel app`` process (not as a child), so SIGTERM or SIGINT stops the server and shuts
down every kernel before the process exits, and the port is free again. On top of the configuration in
``templates/voila/voila.py`` (template, no sources, no tracebacks, pre-heated pool) this module adds:

- a check of the ``Host`` header on every request (localhost names plus ``--allowed-hosts``): a DNS-rebinding
  page under another name gets 403;
- a cap on concurrent sessions (``--max-sessions``): past it a visitor gets a "busy, try again" page (HTTP 503)
  instead of a kernel;
- the kernels API closed: ``/api/kernels/<id>`` (and its websocket, and Voilà's shutdown beacon) answer only the
  browser the kernel's page went to (a random HttpOnly cookie set with the page), 404 to anyone else; the page
  itself only needs GET, so DELETE, PATCH and POST answer 404 to everyone;
- no widget models created by the browser: a ``comm_open`` from the page is dropped unless it opens the widget
  manager's control channel (``jupyter.widget.control``), which the page uses to fetch the kernel's widgets;
- a paced pool: a kernel taken from the pool is replaced after ``REFILL_DELAY`` seconds, and pre-heated kernels
  start at least ``REFILL_STEP`` seconds apart, so refilling the pool after a crowd (each kernel costs about
  1.5 s of CPU until it waits with the app built) takes about one CPU and leaves the rest to the pages being
  served; while no pooled kernel has started, a page gets a kernel of its own at once;
- culling: a kernel with no page connected is shut down after ``min(--cull-idle, 120)`` seconds idle (a plain
  ``curl /``), a kernel whose page stays open but idle after ``--cull-idle`` seconds; a kernel's websockets are
  closed when it is shut down, so its page shows the template's "connection lost" message.

The helpers :func:`add_arguments` and :func:`main` are what ``sibmodel.cli`` calls; :func:`voila_argv` gives the
Voilà settings the options turn into (tested without a server).
"""
from __future__ import annotations

import argparse
import asyncio
import hmac
import ipaddress
import os
import re
import secrets
import signal
import sys
from pathlib import Path
from typing import Any, Sequence

#: Host names always accepted in the ``Host`` header (the machine itself).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
#: Kernels with no page connected are culled after this many seconds idle (or ``--cull-idle`` if shorter).
UNCONNECTED_CULL = 120
#: The only comm a page may open: ipywidgets' control channel, used to fetch the widgets' state.
ALLOWED_COMM_TARGETS = frozenset({"jupyter.widget.control"})
#: Cookie naming a browser: a kernel's API, websocket and shutdown answer only the browser its page went to.
OWNER_COOKIE = "sibmodel-page"
#: Seconds after which the busy page reloads itself.
BUSY_RETRY = 15
#: Seconds between the starts of two pre-heated kernels (about the CPU seconds one costs until it waits).
REFILL_STEP = 1.5
#: Seconds after a page takes a pre-heated kernel before its replacement starts (Voilà's default is 1): a crowd's
#: pages are served first. A visitor who comes while no pooled kernel has started gets a kernel of its own at once.
REFILL_DELAY = 5


class Pacer:
    """Start times at least ``step`` seconds apart: :meth:`delay` is how long a start asked for at ``now`` waits."""

    def __init__(self, step: float):
        self.step, self._next = step, float("-inf")

    def delay(self, now: float) -> float:
        at = max(now, self._next)
        self._next = at + self.step
        return at - now


def _paths() -> tuple[Path, Path]:
    """(app notebook, directory holding voila.py), from the wheel or the source checkout."""
    from sibmodel.resources import app_notebook, voila_config_dir

    return app_notebook(), voila_config_dir()


# --------------------------------------------------------------------------------------------- options


def _at_least(minimum: int, words: str):
    """An argparse type: a whole number >= ``minimum``, refused with a message otherwise."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} must be {words}")
        return value
    return parse


_positive = _at_least(1, "1 or more")
_non_negative = _at_least(0, "0 or more")


def _port(text: str) -> int:
    value = _non_negative(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0-65535)")
    return value


def _hosts(text: str) -> list[str]:
    names = [h.strip().lower() for h in text.split(",") if h.strip()]
    for name in names:
        if not re.fullmatch(r"\*|(\*\.)?[a-z0-9._:\[\]-]+", name):
            raise argparse.ArgumentTypeError(
                f"{name!r} is not a host name: write names or addresses separated by commas, e.g. "
                "sib.kommune.dk,10.0.0.5 ('*.kommune.dk' for every subdomain, '*' for any name)")
    return names


def base_url(text: str) -> str:
    """``text`` as Voilà's base URL: one leading and one trailing slash (``sib`` -> ``/sib/``)."""
    if not re.fullmatch(r"[A-Za-z0-9._~/-]*", text):
        raise argparse.ArgumentTypeError(f"{text!r}: a base URL holds only letters, digits and . _ ~ - /")
    parts = [p for p in text.split("/") if p]
    return "/" + "".join(p + "/" for p in parts)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``sibmodel app``."""
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every network "
                        "interface, for colleagues on the municipal network)")
    p.add_argument("--port", type=_port, default=8866, help="port to listen on (default 8866)")
    p.add_argument("--base-url", type=base_url, default="/", metavar="PATH",
                   help="path the app is served under, e.g. /sib/ behind a reverse proxy (default /)")
    p.add_argument("--allowed-hosts", type=_hosts, default=[], metavar="NAMES",
                   help="host names or addresses visitors use, separated by commas (e.g. sib.kommune.dk,10.0.0.5); "
                        "requests naming any other host are refused. localhost and 127.0.0.1 are always allowed, "
                        "and so is --host when it is a single address")
    p.add_argument("--max-sessions", type=_positive, default=20, metavar="N",
                   help="at most N pages (kernels) at once, about 160-260 MiB each; further visitors get a "
                        "'busy, try again' page (default 20)")
    p.add_argument("--pool-size", type=_non_negative, default=1, metavar="N",
                   help="kernels kept started with the app imported, so a page opens at once; each holds about "
                        "160-260 MiB while it waits (default 1; 0 turns the pool off)")
    p.add_argument("--cull-idle", type=_positive, default=1800, metavar="SECONDS",
                   help="shut down the kernel of a page left idle this long; a kernel with no page at all is shut "
                        f"down after min(SECONDS, {UNCONNECTED_CULL}) (default 1800)")
    browser = p.add_mutually_exclusive_group()
    browser.add_argument("--no-browser", dest="browser", action="store_false",
                         help="do not open a web browser (the default)")
    browser.add_argument("--browser", dest="browser", action="store_true",
                         help="open the app in this machine's web browser")
    p.set_defaults(browser=False)


# --------------------------------------------------------------------------------------------- settings


def allowed_hosts(host: str, extra: Sequence[str]) -> list[str]:
    """Host names accepted in the ``Host`` header: localhost names, ``host`` if it is one address, ``extra``."""
    names = list(LOCAL_HOSTS)
    if host not in ("0.0.0.0", "::", ""):
        names.append(host.lower())
    names += [h.lower() for h in extra]
    return list(dict.fromkeys(names))


def host_pattern(names: Sequence[str]) -> str:
    """A regular expression for tornado's host matching (host name without port, lower case)."""
    if "*" in names:
        return ".*$"
    alts = []
    for name in names:
        name = name.strip("[]")
        if name.startswith("*."):
            alts.append(r"(?:[a-z0-9-]+\.)+" + re.escape(name[2:]))
        else:
            alts.append(re.escape(name))
    return "(?:" + "|".join(alts) + ")$"


def cull_settings(cull_idle: int) -> tuple[int, int, int]:
    """(idle timeout of an open page, idle timeout of a kernel without page, culler interval), in seconds."""
    unconnected = min(cull_idle, UNCONNECTED_CULL)
    interval = max(1, min(60, unconnected // 2))
    return cull_idle, unconnected, interval


def voila_argv(args: argparse.Namespace) -> list[str]:
    """Voilà's command line for ``args`` (the notebook and every setting that is not a Python object)."""
    notebook, config_dir = _paths()
    idle, _, interval = cull_settings(args.cull_idle)
    return [
        str(notebook),
        f"--Voila.config_file_paths=['{config_dir}']",
        f"--Voila.ip={args.host}",
        f"--Voila.port={args.port}",
        "--Voila.port_retries=0",
        f"--Voila.base_url={args.base_url}",
        f"--Voila.open_browser={bool(args.browser)}",
        f"--VoilaConfiguration.preheat_kernel={args.pool_size > 0}",
        f"--VoilaConfiguration.default_pool_size={args.pool_size}",
        f"--VoilaKernelManager.fill_delay={REFILL_DELAY}",
        f"--MappingKernelManager.cull_idle_timeout={idle}",
        f"--MappingKernelManager.cull_interval={interval}",
        "--MappingKernelManager.cull_connected=True",
        "--MappingKernelManager.cull_busy=False",
    ]


def busy_page(retry: int = BUSY_RETRY) -> str:
    """The page a visitor gets when ``--max-sessions`` pages are open (Danish and English; reloads itself)."""
    return f"""<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{retry}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>sibmodel: optaget / busy</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:10vh auto;padding:0 1em;color:#222}}
h1{{font-size:1.4em}} p{{line-height:1.5}} .en{{color:#555}}</style></head>
<body class="sib-busy">
<h1>Appen er optaget lige nu</h1>
<p>Der er allerede så mange åbne sessioner, som serveren kan holde. Siden prøver igen af sig selv om {retry}
sekunder, eller <a href="">prøv igen</a>.</p>
<h1 class="en" lang="en">The app is busy right now</h1>
<p class="en" lang="en">As many sessions are open as the server can hold. This page tries again by itself in {retry}
seconds, or <a href="">try again</a>.</p>
</body></html>
"""


REFUSED_HOST_PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>403</title></head><body>"
                     "<h1>403: host name not allowed</h1><p>This server answers only under its own names "
                     "(see <code>sibmodel app --allowed-hosts</code>).</p></body></html>\n")


# --------------------------------------------------------------------------------------------- the server


#: The kernel id in a page (Voilà's page config), read as the page streams out.
_KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


def _server_class(args: argparse.Namespace) -> Any:
    """The Voilà application class with this module's additions (imports Voilà: about 2 s)."""
    import tornado.web
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from jupyter_server.services.kernels.handlers import KernelHandler
    from jupyter_server._tz import utcnow
    from datetime import timedelta
    from voila.app import Voila
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

    _, unconnected, _ = cull_settings(args.cull_idle)
    pages: set[str] = set()  # kernel ids of the pages served (pruned as kernels end)
    owners: dict[str, str] = {}  # kernel id -> owner cookie of the browser its page went to
    waiting = [0]            # pages admitted whose kernel has not started yet
    sockets: dict[str, set] = {}  # kernel id -> its open websocket handlers
    pacer = Pacer(REFILL_STEP)

    class KernelManager(AsyncMappingKernelManager):
        """Culls kernels with no page connected sooner than kernels of open pages; closes a kernel's websockets
        when it is shut down, so that its page says the connection is lost (jupyter_server leaves them open)."""

        async def start_kernel(self, *a: Any, **kw: Any) -> str:
            """A pre-heated kernel (Voilà marks its environment) waits for its turn; a page's own kernel does not."""
            if (kw.get("env") or {}).get("VOILA_PREHEAT") == "True":
                wait = pacer.delay(asyncio.get_running_loop().time())
                if wait > 0:
                    await asyncio.sleep(wait)
            return await super().start_kernel(*a, **kw)

        async def shutdown_kernel(self, kernel_id: str, *a: Any, **kw: Any) -> None:
            for socket in list(sockets.pop(kernel_id, ())):
                socket.close(1001, "kernel shut down")
            await super().shutdown_kernel(kernel_id, *a, **kw)

        async def cull_kernel_if_idle(self, kernel_id: str) -> None:
            kernel = self._kernels.get(kernel_id)
            if (kernel is not None and hasattr(kernel, "last_activity")
                    and not self._kernel_connections.get(kernel_id, 0)
                    and getattr(kernel, "execution_state", None) != "busy"
                    and utcnow() - kernel.last_activity > timedelta(seconds=unconnected)):
                self.log.warning("Culling kernel %s: no page connected for %s s", kernel_id, unconnected)
                await self.shutdown_kernel(kernel_id)
                return
            await super().cull_kernel_if_idle(kernel_id)

    class Connection(ZMQChannelsWebsocketConnection):
        """Drops a browser's ``comm_open`` other than the widget control channel: no widget models from pages."""

        def handle_incoming_message(self, incoming_msg: Any) -> None:
            try:
                if self.subprotocol == "v1.kernel.websocket.jupyter.org":
                    _, parts = deserialize_msg_from_ws_v1(incoming_msg)
                    header = self.session.unpack(parts[0])
                    content = self.session.unpack(parts[3]) if header.get("msg_type") == "comm_open" else {}
                else:
                    import json

                    msg = json.loads(incoming_msg)
                    header, content = msg.get("header", {}), msg.get("content", {})
            except Exception:  # noqa: BLE001 - a malformed message is dropped, not relayed
                self.log.warning("Dropped a malformed message from a page")
                return
            if header.get("msg_type") == "comm_open" and content.get("target_name") not in ALLOWED_COMM_TARGETS:
                self.log.warning("Dropped comm_open for %r from a page", content.get("target_name"))
                return
            super().handle_incoming_message(incoming_msg)

    def owns(handler: tornado.web.RequestHandler, kernel_id: str) -> bool:
        """Whether the request comes from the browser whose page was given this kernel (its owner cookie)."""
        token, owner = handler.get_cookie(OWNER_COOKIE), owners.get(kernel_id)
        return bool(token and owner) and hmac.compare_digest(token, owner)

    class OwnKernel(KernelHandler):
        """GET /api/kernels/<id> (the page reads its kernel's model) for the page's own browser only; 404 else."""

        async def prepare(self) -> None:
            await super().prepare()
            kernel_id = self.path_kwargs.get("kernel_id") or (self.path_args or [""])[0]
            if self.request.method != "GET" or not owns(self, kernel_id):
                raise tornado.web.HTTPError(404)

    class OwnChannels(VoilaKernelWebsocketHandler):
        """The kernel's websocket, for the page's own browser only."""

        async def get(self, kernel_id: str, *a: Any, **kw: Any) -> None:
            if not owns(self, kernel_id):
                raise tornado.web.HTTPError(404)
            await super().get(kernel_id, *a, **kw)

        async def open(self, kernel_id: str, *a: Any, **kw: Any) -> None:
            await super().open(kernel_id, *a, **kw)
            sockets.setdefault(kernel_id, set()).add(self)

        def on_close(self) -> None:
            super().on_close()
            sockets.get(getattr(self, "kernel_id", ""), set()).discard(self)

    class OwnShutdown(VoilaShutdownKernelHandler):
        """The closing tab's beacon: shuts down the page's own kernel only."""

        async def post(self, kernel_id: str) -> None:
            if not owns(self, kernel_id):
                raise tornado.web.HTTPError(404)
            await super().post(kernel_id)

    class NotFound(tornado.web.RequestHandler):
        def prepare(self) -> None:
            self.set_status(404)
            self.finish("404: Not Found\n")

    class RefusedHost(tornado.web.RequestHandler):
        """403 for a request naming a host that is not allowed (DNS rebinding)."""

        def prepare(self) -> None:
            self.set_status(403)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(REFUSED_HOST_PAGE)

    class PageHandler(TornadoVoilaHandler):
        """The app page: sets the XSRF cookie (the tab's shutdown beacon needs it) and enforces the cap."""

        def _sessions(self) -> int:
            """Pages with a live kernel plus pages admitted whose kernel is still starting."""
            alive = set(self.kernel_manager.list_kernel_ids())
            pages.intersection_update(alive)
            for kernel_id in set(owners) - alive:
                del owners[kernel_id]
            return len(pages) + waiting[0]

        def should_use_rendered_notebook(self, data: Any, pool_size: int, template: Any, theme: Any, request_args: Any) -> bool:
            """A pre-heated kernel serves every page while one has started. Voilà reads the app's own ``?template=``
            (a case template) as a Voilà template and would start a cold kernel for it; template override is off,
            so it is ignored here."""
            pools = getattr(self.kernel_manager, "_pools", {})  # Voilà's pool: tasks that start pre-heated kernels
            if any(pool and not pool[0].done() for pool in pools.values()):
                return False  # the next pooled kernel has not started yet (refill delay, pacing): a cold one is sooner
            return super().should_use_rendered_notebook(data, pool_size, None, None, request_args)

        @tornado.web.authenticated
        async def get(self, path: str | None = None) -> None:
            if path:  # the app lives at the base URL only
                raise tornado.web.HTTPError(404)
            self.xsrf_token  # noqa: B018 - accessing it sets the _xsrf cookie
            token = self.get_cookie(OWNER_COOKIE) or secrets.token_urlsafe(24)
            self.set_cookie(OWNER_COOKIE, token, path=self.base_url, httponly=True, samesite="Strict")
            if self._sessions() >= args.max_sessions:
                self.set_status(503)
                self.set_header("Retry-After", str(BUSY_RETRY))
                self.set_header("Cache-Control", "no-store")
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(busy_page())
                return
            waiting[0] += 1
            started = False
            try:
                async for html in self.get_generator(path=path):
                    if not started and (m := _KERNEL_ID.search(html)):
                        pages.add(m.group(1))
                        owners[m.group(1)] = token
                        waiting[0] -= 1
                        started = True
                    self.write(html)
                    self.flush()
            finally:
                if not started:
                    waiting[0] -= 1

    class SibmodelVoila(Voila):
        """Voilà with the host check, the session cap, the kernels API closed and a clean stop on signals."""

        def initialize(self, argv: Any = None) -> None:
            super().initialize(argv)
            self.voila_configuration.multi_kernel_manager_class = KernelManager
            self.kernel_websocket_connection_class = Connection
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self._handle_signal_stop)

        def _handle_signal_stop(self, sig: int, frame: Any) -> None:
            self.log.info("Stopping on signal %s: shutting down every kernel", sig)
            loop = getattr(self, "ioloop", None)
            if loop is None:
                raise SystemExit(0)
            loop.add_callback_from_signal(loop.stop)

        def init_handlers(self) -> list:
            handlers = []
            for spec in super().init_handlers():
                pattern, handler = spec[0], spec[1]
                if handler is KernelHandler:
                    spec = (pattern, OwnKernel, *spec[2:])
                elif handler is VoilaKernelWebsocketHandler:
                    spec = (pattern, OwnChannels, *spec[2:])
                elif handler is VoilaShutdownKernelHandler:
                    spec = (pattern, OwnShutdown, *spec[2:])
                elif handler is TornadoVoilaHandler:
                    spec = (pattern, PageHandler, *spec[2:])
                handlers.append(spec)
            return handlers

        def start(self) -> None:
            import tempfile

            self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
            settings = self.init_settings()
            self.app = tornado.web.Application(**settings)
            self.app.settings.update(self.tornado_settings)
            handlers = [*self.init_handlers(), (r".*", NotFound)]  # outside --base-url: 404
            self.app.add_handlers(host_pattern(allowed_hosts(args.host, args.allowed_hosts)), handlers)
            self.app.add_handlers(".*$", [(r".*", RefusedHost)])
            self.listen()

    return SibmodelVoila


def _kernel_ip(host: str) -> str:
    """The address a pre-heated kernel uses to reach this server (to wait for its page request)."""
    if host in ("0.0.0.0", "", "localhost"):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def main(args: argparse.Namespace) -> int:
    """Serve the app until SIGTERM or SIGINT; then every kernel is shut down and the port freed."""
    shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::") else args.host
    print(f"Serving the app on http://{shown}:{args.port}{args.base_url} "
          f"(at most {args.max_sessions} sessions, {args.pool_size} pre-heated; Ctrl-C stops it)", flush=True)
    os.environ["VOILA_APP_IP"] = _kernel_ip(args.host)
    server = _server_class(args)
    try:
        server.launch_instance(voila_argv(args))
    except KeyboardInterrupt:
        pass
    return 0


def run(argv: Sequence[str] | None = None) -> int:
    """``python -m sibmodel.app.serve [options]``: the same as ``sibmodel app``."""
    p = argparse.ArgumentParser(prog="sibmodel app", description="Serve the sibmodel app with Voilà.")
    add_arguments(p)
    return main(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(run())
