"""The optional uncertainty panel: shown in full only where :mod:`sibmodel.montecarlo` is installed.

The engine is imported lazily, on the first run, so a page that does not use it pays nothing. The user gives
the spread (standard deviation) of the effect and the baseline rate; the panel turns them into beta
distributions around the current point values and shows what the engine reports: the probability of gain for
each party and, where the engine offers them, the tornado and acceptability curve.
"""
from __future__ import annotations

import importlib
import importlib.util
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import CaseError, Problem
import numpy as np

from . import charts
from .charts import bar_chart
from .texts import t

if TYPE_CHECKING:  # pragma: no cover
    from .widgets import App

MAX_DRAWS = 20000


def available() -> bool:
    """True if the uncertainty engine (``sibmodel.montecarlo``) is installed."""
    try:
        return importlib.util.find_spec("sibmodel.montecarlo") is not None
    except (ImportError, ValueError):
        return False


def uncertain_case(case, sd_effect: float, sd_baseline: float):
    """``case`` with beta distributions (mean = current value, the given sd) on the effect and the baseline."""
    changes: dict[str, Any] = {}
    o = case.outcome
    for path, mean, sd in (("outcome.relative_reduction", 1 - o.p1 / o.p0 if o.p0 else 0.0, sd_effect),
                           ("outcome.baseline_rate", o.p0, sd_baseline)):
        if sd < 0:
            raise CaseError(Problem(path, sd, "the spread (sd) must be >= 0"))
        if sd > 0:
            changes[path] = {"dist": "beta", "mean": mean, "sd": sd}
    return case.update(changes) if changes else case


def probabilities(sim: Any) -> dict[str, float]:
    """The probabilities of gain the engine reports, by name (whatever of them it offers)."""
    found: dict[str, float] = {}
    probs = getattr(sim, "probabilities", None)
    if callable(probs):
        probs = probs()
    if probs is not None and hasattr(probs, "items"):
        found.update({str(k): float(v) for k, v in probs.items()})
    for name in dir(sim):
        if name.startswith(("p_", "prob_", "probability_")) and not name.startswith("_"):
            value = getattr(sim, name)
            if isinstance(value, (int, float)):
                found[name] = float(value)
    return found


class Panel:
    """Inputs for the spread, a run button, and the results of the last run."""

    def __init__(self, app: App):
        self.app = app
        self.intro = w.HTML()
        self.sd_effect = w.BoundedFloatText(value=0.1, min=0.0, max=0.5, step=0.01, layout=w.Layout(width="260px"))
        self.sd_baseline = w.BoundedFloatText(value=0.05, min=0.0, max=0.5, step=0.01, layout=w.Layout(width="260px"))
        self.draws = w.BoundedIntText(value=2000, min=100, max=MAX_DRAWS, step=100, layout=w.Layout(width="260px"))
        self.run = w.Button(icon="play", layout=w.Layout(width="auto"))
        self.run.add_class("sib-run-simulation")
        self.out = w.HTML()
        self.out.add_class("sib-simulation")
        self.active = available()
        self.run.on_click(lambda _: app._guard("uncertainty", self._run))
        children = [self.intro, self.sd_effect, self.sd_baseline, self.draws, self.run, self.out] if self.active else [self.intro]
        self.widget = w.VBox(children)
        self._ran = False

    def relabel(self, lang: str) -> None:
        self.intro.value = f"<p>{escape(t('u_intro' if self.active else 'u_missing', lang))}</p>"
        self.sd_effect.description = t("u_sd_effect", lang)
        self.sd_baseline.description = t("u_sd_baseline", lang)
        self.draws.description = t("u_draws", lang)
        for wid in (self.sd_effect, self.sd_baseline, self.draws):
            wid.style = {"description_width": "190px"}
        self.run.description = t("u_run", lang)

    def mark_stale(self) -> None:
        if self._ran:
            self.out.value = f'<p style="color:#8a6d00">{escape(t("u_stale", self.app.lang))}</p>'
            self._ran = False

    def _run(self) -> None:
        lang = self.app.lang
        simulate = importlib.import_module("sibmodel.montecarlo")
        case = uncertain_case(self.app.session.case, float(self.sd_effect.value), float(self.sd_baseline.value))
        draws = int(min(max(int(self.draws.value), 100), MAX_DRAWS))
        try:
            sim = simulate.simulate(case, draws=draws, seed=SEED)
        except CaseError:
            raise
        except Exception as exc:  # noqa: BLE001 - the engine's own failure is shown, not raised
            self.out.value = f'<p style="color:#b00020">{escape(t("u_failed", lang, msg=str(exc)))}</p>'
            return
        self.out.value = "".join(render(sim, case, lang))
        self._ran = True


SEED = 20240101  #: fixed, so the same inputs give the same figures every time


def render(sim: Any, case, lang: str) -> list[str]:
    """HTML/SVG parts for a simulation: probabilities of gain, tornado and acceptability curve where offered."""
    from .texts import FIELDS, field_text

    parts = []
    probs = probabilities(sim)
    if probs:
        from ..i18n import has_text, label  # the decision probabilities are labelled in the one catalogue

        names = [label(k, lang) if has_text(f"figure.{k}") else k for k in probs]
        parts.append(bar_chart(t("u_prob", lang), "probabilities", names, list(probs.values()), lang))
    try:
        sens = importlib.import_module("sibmodel.sensitivity")
        table = sens.tornado(case, "commissioner_npv")
        input_labels = {p: field_text(p, lang)[0] for p in FIELDS if p in set(table["input"])}
        parts.append(charts.tornado_chart(table, input_labels, lang, t("u_tornado", lang)))
    except (ImportError, AttributeError, CaseError, KeyError, ValueError):
        pass
    if hasattr(sim, "acceptability"):
        r = sim.point if isinstance(getattr(sim, "point", None), dict) else {}
        top = max([v for v in (case.contract.price, r.get("commissioner_max"), r.get("investor_min"), r.get("public_sector_max"))
                   if isinstance(v, (int, float)) and v > 0] or [1.0]) * 1.5
        try:
            curve = sim.acceptability(np.linspace(0.0, top, 41))
            parts.append(charts.acceptability_chart(curve, case.contract.price, lang, t("u_accept", lang),
                                                    (t("u_p_commissioner", lang), t("u_p_investor", lang))))
        except (CaseError, KeyError, ValueError):
            pass
    return parts
