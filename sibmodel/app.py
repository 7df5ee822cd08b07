"""A first app for municipal users: pick a template, move the effect and the price, read the key figures.

Widgets live here (not in the notebook); every callback handles its own errors, shows the message beside
the widget and keeps the last good result. The full app is built out in the app issue.
"""
from __future__ import annotations

from pathlib import Path

import ipywidgets as w
from IPython.display import display

from .case import Case, load_case
from .errors import CaseError
from .model import Result, evaluate

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

TEXT = {
    "da": {"template": "Skabelon", "effect": "Relativ reduktion", "price": "Pris pr. resultat (kr.)",
           "title": "Nøgletal", "lang": "Sprog"},
    "en": {"template": "Template", "effect": "Relative reduction", "price": "Price per outcome (DKK)",
           "title": "Key figures", "lang": "Language"},
}


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


class App:
    """The app's widgets and state: the current case, the last good result, and the message line."""

    def __init__(self, lang: str = "da", templates: Path = TEMPLATES):
        self.lang = lang
        self.paths = {p.stem: p for p in sorted(templates.glob("*.yaml"))}
        self.case: Case | None = None
        self.result: Result | None = None
        self.template = w.Dropdown(options=list(self.paths))
        self.language = w.ToggleButtons(options=[("Dansk", "da"), ("English", "en")], value=lang)
        self.effect = w.FloatSlider(min=0.0, max=1.0, step=0.01, readout_format=".2f")
        self.price = w.FloatText(step=1000)
        self.message = w.HTML()
        self.table = w.HTML()
        self.template.observe(lambda _: self.load(), "value")
        self.language.observe(self._relabel, "value")
        self.effect.observe(lambda _: self.change("outcome.relative_reduction", self.effect.value), "value")
        self.price.observe(lambda _: self.change("contract.price", self.price.value), "value")
        self.widget = w.VBox([self.language, self.template, self.effect, self.price, self.message, self.table])
        self._relabel()
        self.load()

    def _relabel(self, *_: object) -> None:
        self.lang = self.language.value
        t = TEXT[self.lang]
        self.template.description, self.effect.description, self.price.description = t["template"], t["effect"], t["price"]
        for widget in (self.template, self.effect, self.price):
            widget.style = {"description_width": "200px"}
        self.render()

    def load(self) -> None:
        try:
            case = load_case(self.paths[self.template.value])
        except CaseError as exc:
            self.message.value = f"<span style='color:#b00020'>{exc}</span>"
            return
        self.case = case
        with self.effect.hold_trait_notifications(), self.price.hold_trait_notifications():
            self.effect.value = 1 - case.outcome.p1 / case.outcome.p0 if case.outcome.p0 else 0.0
            self.price.value = case.contract.price
        self.recompute()

    def change(self, path: str, value: float) -> None:
        if self.case is None:
            return
        try:
            self.case = self.case.update({path: value})
        except CaseError as exc:  # the message goes beside the widget; the last good result stays
            self.message.value = f"<span style='color:#b00020'>{exc}</span>"
            return
        self.recompute()

    def recompute(self) -> None:
        try:
            self.result = evaluate(self.case)
            self.message.value = ""
        except CaseError as exc:
            self.message.value = f"<span style='color:#b00020'>{exc}</span>"
        self.render()

    def render(self) -> None:
        if self.result is None:
            return
        rows = "".join(
            f"<tr><td>{r.label}</td><td style='text-align:right'>{_fmt(r.value)}</td><td>{r.unit}</td></tr>"
            for r in self.result.summary(self.lang).itertuples()
        )
        self.table.value = f"<h3>{TEXT[self.lang]['title']}</h3><table>{rows}</table>"


def show(lang: str = "da") -> App:
    """Build and display the app (in a notebook or Voilà)."""
    app = App(lang)
    display(app.widget)
    return app
