"""The wheel works outside the clone: built from the repository, installed into a fresh virtualenv in a temporary
folder, and used from another directory as a new user would (template, catalogue, studies, report, app).

The new virtualenv gets the wheel itself with ``pip install --no-deps --no-index`` (nothing is downloaded); its
dependencies are those of the environment running the tests, made visible with a ``.pth`` line that names that
environment's site-packages (a plain path: no ``.pth`` of that folder, such as an editable install of the
repository, is processed), and its Jupyter data folder (kernel spec, Voilà and nbconvert templates) is linked as
``share/jupyter``, where pip would have put it. No environment variable points back into the repository.
"""
from __future__ import annotations

import json
import os
import re
import site
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sibmodel.report import remote_assets

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.wheel


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python, sibmodel script, env, working folder) of a fresh virtualenv holding only the built wheel."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--disable-pip-version-check", "-q", "-w", str(dist), str(ROOT)], check=True, timeout=120)
    (wheel,) = dist.glob("sibmodel-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "-q", str(wheel)], check=True, timeout=120)
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    (venv / "share").mkdir(exist_ok=True)
    (venv / "share" / "jupyter").symlink_to(Path(sys.prefix) / "share" / "jupyter")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "JUPYTER_PATH", "SIBMODEL_DATA", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    work = base / "elsewhere"
    work.mkdir()
    yield python, venv / "bin" / "sibmodel", env, work
    import psutil  # anything this virtualenv's python still runs (a kernel the app left) is stopped

    for proc in psutil.process_iter(["cmdline"]):
        if any(str(venv) in part for part in proc.info["cmdline"] or ()):
            proc.kill()


def run(cmd: list, installed, timeout: int = 120) -> subprocess.CompletedProcess:
    *_, env, work = installed
    out = subprocess.run([str(c) for c in cmd], cwd=work, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-3000:]
    return out


def test_the_package_comes_from_the_wheel_with_its_files(installed):
    python, *_ = installed
    code = ("import json, sibmodel, sibmodel.resources as r; print(json.dumps({'module': sibmodel.__file__, "
            "'data': str(r.data_dir()), 'templates': sorted(r.template_files()), 'app': str(r.app_notebook()), "
            "'voila': (r.voila_config_dir() / 'voila.py').is_file(), "
            "'report': (r.nbconvert_template_dir() / 'sibmodel_report' / 'index.html.j2').is_file()}))")
    found = json.loads(run([python, "-c", code], installed).stdout)
    venv = python.parent.parent
    assert Path(found["module"]).is_relative_to(venv) and Path(found["data"]).is_relative_to(venv)
    assert Path(found["app"]).is_relative_to(venv) and found["voila"] and found["report"]
    assert "family_violence" in found["templates"] and "blank" in found["templates"]
    assert not any(str(ROOT) in v for v in found.values() if isinstance(v, str))


def test_a_template_evaluates_from_another_directory(installed):
    python, sibmodel, env, work = installed
    run([sibmodel, "new", "family_violence"], installed)
    assert (work / "family_violence.yaml").read_text().startswith("# yaml-language-server: $schema=case.schema.json")
    assert "CostItem" in json.loads((work / "case.schema.json").read_text())["$defs"]
    figures = json.loads(run([sibmodel, "evaluate", "family_violence.yaml", "--format", "json"], installed).stdout)
    from sibmodel import evaluate, load_case  # the same case evaluated in the repository

    expected = evaluate(load_case(ROOT / "templates" / "family_violence.yaml")).commissioner_max
    assert figures["results"]["commissioner_max"] == pytest.approx(expected, rel=1e-12)


def test_catalogue_and_studies_load_from_the_wheel(installed):
    python, *_ = installed
    code = ("import sibmodel, sibmodel.evidence as ev; c = sibmodel.unit_costs(); s = ev.load_studies('bcg'); "
            "print(len(c), len(s), sibmodel.price_index().__class__.__name__)")
    n_costs, n_studies, index = run([python, "-c", code], installed).stdout.split()
    import pandas as pd

    assert int(n_costs) == len(pd.read_csv(ROOT / "data" / "unit_costs.csv"))
    assert int(n_studies) == len(pd.read_csv(ROOT / "data" / "studies" / "bcg.csv")) and index == "PriceIndex"


def test_report_and_app_from_the_wheel(installed):
    python, sibmodel, env, work = installed
    port = _free_port()
    app = subprocess.Popen([str(sibmodel), "app", "--port", str(port)], cwd=work, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        case = work / "youth.yaml"
        run([sibmodel, "new", "youth_education_employment", "--output", case], installed)
        run([python, "-m", "sibmodel.report", case, "--no-pdf", "--outdir", "out"], installed, timeout=300)
        html = (work / "out" / "youth.en.html").read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)=[\"']?(https?:)?//", html) and "<table" in html
        assert remote_assets(html) == []
        page, deadline = None, time.monotonic() + 120
        while page is None and time.monotonic() < deadline:
            assert app.poll() is None, app.stderr.read().decode()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as r:
                    page = (r.status, r.read().decode())
            except OSError:
                time.sleep(0.5)
        assert page is not None and page[0] == 200
        assert "application/vnd.jupyter.widget-view+json" in page[1]  # the app's widgets rendered by the kernel
        assert "#rendered_cells" in page[1]  # sibmodel's own Voilà template (templates/voila), shipped in the wheel
    finally:
        os.killpg(app.pid, 15)
        app.wait(timeout=30)
