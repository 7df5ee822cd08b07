"""Voilà configuration for the sibmodel app: ``make app`` and the browser tests pass
``--Voila.config_file_paths=['templates/voila']`` (see docs/app.md). It is not named ``voila.py`` in the
repository root because that would shadow the ``voila`` package for ``python -m voila`` run from there.

Our own template lives in ``templates/voila/templates/sibmodel``; Voilà finds templates only on the Jupyter
data path, so this file puts ``templates/`` on ``JUPYTER_PATH`` before Voilà looks for it.
"""
import os
from pathlib import Path

_data = str(Path(__file__).resolve().parents[1])  # the templates folder: templates/ or the wheel's sibmodel/_templates
if _data not in os.environ.get("JUPYTER_PATH", "").split(os.pathsep):
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (_data, os.environ.get("JUPYTER_PATH")) if p)

c = get_config()  # noqa: F821 - provided by traitlets when Voilà loads this file

c.VoilaConfiguration.template = "sibmodel"             # templates/voila/templates/sibmodel: no CDN assets
c.VoilaConfiguration.strip_sources = True              # the page holds no code
c.VoilaConfiguration.show_tracebacks = False           # errors while rendering show no traceback
c.VoilaConfiguration.allow_template_override = "NO"    # ?voila-template=... is ignored
c.VoilaConfiguration.allow_theme_override = "NO"
c.VoilaConfiguration.file_allowlist = []               # /voila/files/ serves nothing
c.VoilaExecutor.timeout = 60                           # seconds per cell while rendering; a hanging cell fails the page
                                                       # (the cell that waits for a request is exempt, see below)


def _cell_timeout(cell):
    """No time limit for the cell that, in a pre-heated kernel, waits for its page request (``sibmodel.app.show``
    calls ``voila.utils.wait_for_request()``); 60 s for every other cell. Without this, a pooled kernel left
    unused for a minute served the page "Cell execution timed out" to the next visitor. SIBMODEL_CELL_TIMEOUT
    (seconds) changes the limit of the other cells."""
    if "sibmodel.app.show(" in cell.get("source", ""):
        return None
    return int(os.environ.get("SIBMODEL_CELL_TIMEOUT", "60"))


c.VoilaExecutor.timeout_func = _cell_timeout
c.VoilaExecutor.iopub_timeout = 30                     # nbclient's 4 s default drops the app's output on a busy machine
c.VoilaConfiguration.preheat_kernel = True            # a kernel with the imports done waits for the next page
c.VoilaConfiguration.default_pool_size = 1             # one waiting kernel (about 200 MiB); more pages start their own
c.Voila.ip = "127.0.0.1"                               # local only unless an operator decides otherwise
c.Voila.port_retries = 0                               # fail loudly if the port is taken
c.MappingKernelManager.cull_idle_timeout = 1800        # a kernel idle for half an hour is shut down ...
c.MappingKernelManager.cull_connected = True           # ... even if its tab is still open (the page then offers a reload)
c.MappingKernelManager.cull_interval = 60              # `sibmodel app` also culls kernels with no page after 120 s
