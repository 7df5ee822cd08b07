"""The container image: built from this repository's Dockerfile (which builds and installs the wheel), it serves
the app with `sibmodel app` and stops cleanly on `docker stop`. Needs a running Docker daemon; skipped, with the
reason, where there is none (the entry command itself is checked in test_serve_docs.py everywhere)."""
from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
import uuid

import pytest

from test_serve import ROOT, free_port


def _docker_reason() -> str | None:
    if shutil.which("docker") is None:
        return "no docker command on this machine"
    info = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                          timeout=30)
    if info.returncode != 0:
        return f"docker daemon not reachable: {info.stderr.strip()[:200]}"
    return None


REASON = _docker_reason()


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_the_image_serves_the_app_and_stops_on_sigterm():
    tag = f"sibmodel-test:{uuid.uuid4().hex[:8]}"
    name = f"sibmodel-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    build = subprocess.run(["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stderr[-3000:]
    try:
        entry = subprocess.run(["docker", "image", "inspect", tag, "--format", "{{json .Config.Entrypoint}}"],
                               capture_output=True, text=True, timeout=60).stdout
        assert '"sibmodel","app","--host","0.0.0.0"' in entry.replace(" ", "")
        run = subprocess.run(["docker", "run", "--init", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8866", tag,
                              "--max-sessions", "2"], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        deadline, page = time.monotonic() + 180, ""
        while time.monotonic() < deadline and not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=90) as r:
                    page = r.read().decode()
            except OSError:
                time.sleep(1)
        assert "application/vnd.jupyter.widget-view+json" in page
        stop = subprocess.run(["docker", "stop", "-t", "30", name], capture_output=True, text=True, timeout=60)
        assert stop.returncode == 0
        code = subprocess.run(["docker", "inspect", name, "--format", "{{.State.ExitCode}}"],
                              capture_output=True, text=True, timeout=60).stdout.strip()
        assert code == "0"
        logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True, timeout=60)
        assert "shutting down every kernel" in logs.stdout + logs.stderr
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120)
