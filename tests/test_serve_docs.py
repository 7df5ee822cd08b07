"""docs/deploy.md and the Dockerfile: every `sibmodel app` command in them is a valid command line, the JupyterHub
service runs the same command as the shell line beside it, the container's entry command is `sibmodel app`, and
the reverse-proxy set-up serves the app under its path to the proxy's Host header."""
from __future__ import annotations

import ast
import json
import re
import shlex
import time

from sibmodel import cli
from sibmodel.app import serve
from test_serve import ROOT, Server, kernel_id

DOC = (ROOT / "docs" / "deploy.md").read_text()


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC, flags=re.S)


def sh_commands() -> list[list[str]]:
    lines = [line.split("#")[0].strip() for block in blocks("sh") for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line.startswith("sibmodel app")]


def hub_command() -> list[str]:
    (block,) = blocks("python")
    tree = ast.parse(block)
    services = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Assign))
    return ast.literal_eval(services)[0]["command"]


def dockerfile_command() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    entry = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", text, flags=re.M).group(1))
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", text, flags=re.M).group(1))
    return entry + cmd


def test_the_doc_has_the_three_set_ups():
    assert len(sh_commands()) >= 3
    for title in ("One machine on the municipal network", "Behind a reverse proxy", "JupyterHub"):
        assert title in DOC


def test_every_command_in_the_doc_and_the_dockerfile_parses():
    systemd = re.search(r"^ExecStart=\S+/(sibmodel app .*)$", DOC, flags=re.M).group(1)
    commands = [*sh_commands(), hub_command(), dockerfile_command(), shlex.split(systemd)]
    for command in commands:
        assert command[:2] == ["sibmodel", "app"], command
        args = cli.parser().parse_args(command[1:])
        assert args.run is serve.main


def test_the_hub_service_runs_the_shell_command_shown_beside_it():
    assert hub_command() in sh_commands()
    assert cli.parser().parse_args(hub_command()[1:]).base_url == "/services/sibmodel/"


def test_the_container_serves_with_sibmodel_app_on_every_interface():
    args = cli.parser().parse_args(dockerfile_command()[1:])
    assert (args.host, args.port, args.max_sessions, args.pool_size) == ("0.0.0.0", 8866, 20, 1)


def test_one_machine_set_up_allows_the_names_it_lists():
    (one_machine,) = [c for c in sh_commands() if "0.0.0.0" in c]
    args = cli.parser().parse_args(one_machine[1:])
    assert args.allowed_hosts == ["sib-pc01.kommune.local", "10.20.30.40"]
    pattern = serve.host_pattern(serve.allowed_hosts(args.host, args.allowed_hosts))
    assert re.match(pattern, "sib-pc01.kommune.local") and not re.match(pattern, "evil.example")


def test_the_reverse_proxy_set_up_serves_the_app_under_its_path():
    """The documented proxy command (on a free port): the page at /sib/ for Host apps.kommune.dk, rendered by
    the pre-heated kernel (which reaches the server under the base URL), nothing at /, 403 for other names."""
    (proxy,) = [c for c in sh_commands() if "/sib/" in c]
    options = proxy[2:]
    i = options.index("--port")
    del options[i:i + 2]  # Server picks a free port
    s = Server(*options)
    try:
        s.wait_ready()
        time.sleep(1)
        status, headers, html = s.get("sib/", host="apps.kommune.dk")
        assert status == 200
        assert "application/vnd.jupyter.widget-view+json" in html
        assert '"baseUrl": "/sib/"' in html
        assert "Using pre-heated kernel" in s.log
        assert kernel_id(html) in s.kernels()
        assert s.get("", host="apps.kommune.dk")[0] == 404
        assert s.get("sib/", host="evil.example")[0] == 403
    finally:
        s.stop()
