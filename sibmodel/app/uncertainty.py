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
from typing import Any, Callable

import ipywidgets as w
import numpy as np

from ..errors import CaseError, Problem
from . import charts
from .charts import bar_chart
from .inputs import format_number_input, parse_int, parse_number
from .kit import Kit, error_html
from .texts import problems_text, t

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
            raise CaseError(Problem(path, sd, "must lie between 0 and 0.5", "number.out_of_range", {"lo": 0.0, "hi": 0.5}))
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
    """Inputs for the spread, a run button, and the results of the last run.

    It knows nothing of the app: it is given the current case and language as functions, and a ``guard`` that
    runs a callback so that no error escapes to the page. Typed values are read in the page's language and
    checked against their range; a value outside it is refused with a message, never clamped.
    """

    LIMITS = {"sd_effect": (0.0, 0.5), "sd_baseline": (0.0, 0.5), "draws": (100, MAX_DRAWS)}

    def __init__(self, kit: Kit, case: Callable[[], Any], lang: Callable[[], str], guard: Callable[[Callable[[], None]], None]):
        self._case, self._lang = case, lang
        self.active = available()
        self.intro = kit.html()
        make = lambda c: kit.text(c, description_width="230px", width="360px")  # noqa: E731
        self.sd_effect, self.sd_baseline, self.draws = make("sib-sd-effect"), make("sib-sd-baseline"), make("sib-draws")
        self.run = kit.button("play", "sib-run-simulation", width="auto")
        self.message = kit.html("", "sib-message")
        self.out = kit.html("", "sib-simulation")
        self.run.on_click(lambda _: guard(self._run))
        self.widget = kit.box(w.VBox, [self.intro, self.sd_effect, self.sd_baseline, self.draws, self.run, self.message, self.out]
                              if self.active else [self.intro])
        self._ran = False
        self._values = {"sd_effect": 0.1, "sd_baseline": 0.05, "draws": 2000}
        self.relabel(lang())

    def relabel(self, lang: str) -> None:
        self.intro.value = f"<p>{escape(t('u_intro' if self.active else 'u_missing', lang))}</p>"
        self.sd_effect.description = t("u_sd_effect", lang)
        self.sd_baseline.description = t("u_sd_baseline", lang)
        self.draws.description = t("u_draws", lang)
        self.run.description = t("u_run", lang)
        self.sd_effect.value = format_number_input(self._values["sd_effect"], lang)
        self.sd_baseline.value = format_number_input(self._values["sd_baseline"], lang)
        self.draws.value = format_number_input(self._values["draws"], lang)

    def mark_stale(self) -> None:
        if self._ran:
            self.out.value = f'<p style="color:#8a6d00">{escape(t("u_stale", self._lang()))}</p>'
            self._ran = False

    def read(self) -> tuple[float, float, int]:
        """(sd of the effect, sd of the baseline, draws) as typed; refused with a message when out of range."""
        lang = self._lang()
        problems = []
        values: dict[str, float] = {}
        for name, box in (("sd_effect", self.sd_effect), ("sd_baseline", self.sd_baseline), ("draws", self.draws)):
            lo, hi = self.LIMITS[name]
            try:
                values[name] = (parse_int if name == "draws" else parse_number)(name, box.value, lang, lo, hi)
            except CaseError as exc:
                problems.extend(exc.problems)
        if problems:
            raise CaseError(problems)
        self._values.update(values)
        return values["sd_effect"], values["sd_baseline"], int(values["draws"])

    def _run(self) -> None:
        lang = self._lang()
        try:
            sd_effect, sd_baseline, draws = self.read()
        except CaseError as exc:
            self.message.value = error_html(problems_text(exc.problems, lang))
            return
        self.message.value = ""
        montecarlo = importlib.import_module("sibmodel.montecarlo")
        case = uncertain_case(self._case(), sd_effect, sd_baseline)
        try:
            sim = montecarlo.simulate(case, draws=draws, seed=SEED)
        except CaseError as exc:
            self.message.value = error_html(problems_text(exc.problems, lang))
            return
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
        parts.append(charts.tornado_chart(table, input_labels, lang, t("u_tornado", lang),
                                                t("u_tornado_axis", lang)))
    except (ImportError, AttributeError, CaseError, KeyError, ValueError):
        pass
    if hasattr(sim, "acceptability"):
        r = sim.point if isinstance(getattr(sim, "point", None), dict) else {}
        card = case.contract.outcomes is not None  # a rate card: the curve runs over factors on the card (1 = as written)
        names = ("commissioner_max_scale", "investor_min_scale", "public_sector_max_scale") if card else \
            ("commissioner_max", "investor_min", "public_sector_max")
        here = 1.0 if card else case.contract.price
        top = max([v for v in (here, *(r.get(n) for n in names)) if isinstance(v, (int, float)) and v > 0] or [1.0]) * 1.5
        try:
            grid = np.linspace(0.0, top, 41)
            curve = sim.acceptability(scales=grid) if card else sim.acceptability(grid)
            if card:
                curve = curve.rename(columns={"scale": "price"})
            parts.append(charts.acceptability_chart(curve, here, lang, t("u_accept", lang),
                                                    (t("u_p_commissioner", lang), t("u_p_investor", lang)), case.currency,
                                                    scale=card))
        except (CaseError, KeyError, ValueError):
            pass
    return parts
