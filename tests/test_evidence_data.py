"""The synthetic evidence data is what its script makes, and importing sibmodel does not load statsmodels."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pandas as pd

from tests.conftest import ROOT


def test_shipped_synthetic_files_are_reproduced_by_the_generator():
    spec = importlib.util.spec_from_file_location("make_synthetic_register", ROOT / "data" / "make_synthetic_register.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rng = np.random.default_rng(gen.SEED)  # same order of draws as gen.main()
    made = {"synthetic/register_family_violence.csv": gen.register(rng),
            "synthetic/shelter_history.csv": gen.shelter_history(rng)}
    for rel, frame in made.items():
        shipped = pd.read_csv(ROOT / "data" / rel)
        pd.testing.assert_frame_equal(shipped, pd.read_csv(__import__("io").StringIO(frame.to_csv(index=False))),
                                      check_dtype=False, obj=rel)


def test_importing_sibmodel_does_not_import_statsmodels():
    code = ("import sys, sibmodel, sibmodel.evidence; "
            "print(any(m.split('.')[0] == 'statsmodels' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
