"""The app's widgets: inputs grouped as a user thinks, live key figures and charts, downloads, two languages.

Every callback goes through :meth:`App._guard`, which turns any error into a message (beside the widget
for refused input, at the top otherwise) and keeps the last good result: the browser never sees a
traceback. Widget values are untrusted (a browser can set any trait), so each is parsed and validated
through the case model before it is used.
"""
from __future__ import annotations

import functools
import math
import os
from html import escape
from typing import Any, Callable

import ipywidgets as w
from IPython.display import display

from ..case import HOLDERS, Case
from ..costs import catalogue
from ..discount import SCHEDULES
from ..errors import CaseError, Problem
from . import charts, export
from .inputs import format_list, parse_int, parse_list, parse_number, parse_value
from .state import BLANK, Session, apply_changes, case_from_upload, open_template, parse_query, template_name, templates
from .texts import choice, field_text, fmt_figure, fmt_money, result_unit, t, translate_message

LABEL_W = "300px"
CARDS = ("savings_per_case", "commissioner_max", "public_sector_max", "investor_min", "cofunding_per_outcome",
         "investor_irr", "commissioner_npv")
SHARE_FMT = ".0%"


def _css(widget: w.Widget, *classes: str) -> w.Widget:
    for c in classes:
        widget.add_class(c)
    return widget


def _cls(path: str) -> str:
    return "sib-field-" + path.replace(".", "-")


class Field:
    """One input: label, widget, unit and a message beside it; reads a case value and writes one back."""

    def __init__(self, path: str, widget: w.Widget, read: Callable[[], Any], write: Callable[[Case], None]):
        self.path, self.widget, self._read, self._write = path, widget, read, write
        # Few widgets per input (label with unit and help in one HTML, the message in another): a page of
        # about 30 inputs renders noticeably faster in the browser than with a widget per piece of text.
        self.label = w.HTML(layout=w.Layout(width=LABEL_W))
        self.message = _css(w.HTML(layout=w.Layout(flex="1 1 auto")), "sib-message")
        self.box = _css(w.HBox([self.label, widget, self.message], layout=w.Layout(align_items="flex-start")),
                        "sib-field", _cls(path))

    def read(self) -> Any:
        return self._read()

    def write(self, case: Case) -> None:
        self._write(case)

    def relabel(self, lang: str) -> None:
        label, unit, help_ = field_text(self.path, lang)
        unit = f" ({escape(unit)})" if unit else ""
        self.label.value = (f'<div title="{escape(help_)}" style="line-height:1.25"><b style="font-weight:600">{escape(label)}</b>'
                            f'{unit}<br><small style="color:#555">{escape(help_)}</small></div>')

    def show(self, message: str | None) -> None:
        self.message.value = "" if not message else f'<span style="color:#b00020" role="alert">⚠ {escape(message)}</span>'


def _implied_reduction(case: Case) -> float:
    o = case.outcome
    return 0.0 if o.p0 <= 0 else max(0.0, min(1.0, 1.0 - o.p1 / o.p0))


def _implied_drop_off(case: Case) -> float:
    o = case.outcome
    if o.drop_off is not None:
        return o.drop_off
    p = o.persistence or [1.0]
    return max(0.0, min(1.0, 1.0 - p[1] / p[0])) if len(p) > 1 and p[0] > 0 else 0.0


class CostTable:
    """The editable table of cost items per case: add, remove, change item, amount, quantity, years, share."""

    OWN = "__own__"

    def __init__(self, app: App):
        self.app = app
        self.rows: list[dict[str, w.Widget]] = []
        self.box = _css(w.VBox(), "sib-costs")
        self.add = _css(w.Button(icon="plus"), "sib-cost-add")
        self.add.on_click(lambda _: app._guard("costs_per_case", self._add_row))
        self.header = w.HTML()
        self.help = _css(w.HTML(), "sib-help")
        self.message = _css(w.HTML(), "sib-message")
        self.widget = w.VBox([self.help, self.header, self.box, w.HBox([self.add, self.message])])

    def _options(self, lang: str) -> list[tuple[str, str]]:
        cat = catalogue().frame()
        area = self.app.session.case.area
        order = sorted(cat.index, key=lambda k: (cat.at[k, "area"] != area, k))
        label = "label_da" if lang == "da" else "label_en"
        opts = [(f"{cat.at[k, label]} ({cat.at[k, 'unit']}, {choice('holder', cat.at[k, 'holder'], lang)})", k) for k in order]
        return [(t("c_own", self.app.lang), self.OWN), *opts]

    def write(self, case: Case) -> None:
        self.rows = []
        for item in case.costs_per_case:
            self.rows.append(self._row(item.model_dump(exclude_none=True)))
        self._layout()

    def _row(self, item: dict[str, Any]) -> dict[str, w.Widget]:
        lang = self.app.lang
        q = item.get("quantity", 1.0)
        row = {
            "item": w.Dropdown(options=self._options(lang), value=item.get("item", self.OWN), layout=w.Layout(width="300px")),
            "amount": w.Text(value="" if item.get("amount") is None else format_list(item["amount"]), layout=w.Layout(width="95px")),
            "holder": w.Dropdown(options=[(choice("holder", h, lang), h) for h in HOLDERS], value=item.get("holder", "kommune"),
                                 layout=w.Layout(width="105px")),
            "quantity": w.Text(value=format_list(q), layout=w.Layout(width="95px")),
            "years": w.Text(value="" if item.get("years") is None else str(item["years"]), layout=w.Layout(width="45px")),
            "cashable": w.FloatSlider(value=item.get("cashable", 1.0), min=0.0, max=1.0, step=0.05, readout_format=SHARE_FMT,
                                      layout=w.Layout(width="150px")),
            "remove": w.Button(icon="trash", layout=w.Layout(width="40px")),
            "message": _css(w.HTML(), "sib-message"),
            "label": item.get("label"),
        }
        for key in ("item", "amount", "holder", "quantity", "years", "cashable"):
            row[key].observe(lambda _ch: self.app._guard("costs_per_case", self.commit), "value")
        row["remove"].on_click(lambda _b, r=row: self.app._guard("costs_per_case", functools.partial(self._remove, r)))
        self._enable(row)
        return row

    def _enable(self, row: dict[str, Any]) -> None:
        row["holder"].disabled = row["item"].value != self.OWN

    def _layout(self) -> None:
        children = []
        for i, row in enumerate(self.rows):
            self._enable(row)
            box = w.HBox([row[k] for k in ("item", "amount", "holder", "quantity", "years", "cashable", "remove")])
            children.append(_css(w.VBox([box, row["message"]]), "sib-cost-row", f"sib-cost-row-{i}"))
        self.box.children = children

    def relabel(self, lang: str) -> None:
        self.help.value = f'<small style="color:#555">{escape(t("c_help", lang))}</small>'
        cols = [("c_item", 300), ("c_amount", 95), ("c_holder", 105), ("c_quantity", 95), ("c_years", 45), ("c_cashable", 150)]
        self.header.value = "".join(f'<span style="display:inline-block;width:{wd}px;font-weight:bold;font-size:90%">'
                                    f'{escape(t(k, lang))}</span>' for k, wd in cols)
        self.add.description = t("c_add", lang)
        with self.app._quiet():
            for row in self.rows:
                value = row["item"].value
                row["item"].options = self._options(lang)
                row["item"].value = value
                hv = row["holder"].value
                row["holder"].options = [(choice("holder", h, lang), h) for h in HOLDERS]
                row["holder"].value = hv
                row["remove"].tooltip = t("c_remove", lang)

    def read(self) -> list[dict[str, Any]]:
        items = []
        for i, row in enumerate(self.rows):
            path = f"costs_per_case.{i}"
            item: dict[str, Any] = {}
            if row["item"].value == self.OWN:
                item["amount"] = parse_number(f"{path}.amount", row["amount"].value)
                item["holder"] = row["holder"].value
                if row["label"]:
                    item["label"] = row["label"]
            else:
                item["item"] = row["item"].value
                if str(row["amount"].value).strip():
                    item["amount"] = parse_number(f"{path}.amount", row["amount"].value)
            item["quantity"] = parse_list(f"{path}.quantity", row["quantity"].value)
            if str(row["years"].value).strip():
                if isinstance(item["quantity"], list):
                    raise CaseError(Problem(f"{path}.years", row["years"].value, "leave years empty when quantity is a list by year"))
                item["years"] = parse_int(f"{path}.years", row["years"].value)
            item["cashable"] = round(float(row["cashable"].value), 6)
            items.append(item)
        return items

    def commit(self) -> None:
        for row in self.rows:
            self._enable(row)
        items = self.read()
        self.app._set("costs_per_case", items)

    def _add_row(self) -> None:
        area = self.app.session.case.area
        cat = catalogue().frame()
        keys = [k for k in cat.index if cat.at[k, "area"] == area] or list(cat.index)
        self.rows.append(self._row({"item": keys[0], "quantity": 1.0, "years": 1}))
        self._layout()
        self.commit()

    def _remove(self, row: dict[str, Any]) -> None:
        self.rows = [r for r in self.rows if r is not row]
        self._layout()
        self.commit()

    def show(self, problems: dict[str, str]) -> None:
        """Messages beside each row (problems keyed ``costs_per_case[.i...]``)."""
        general = problems.get("costs_per_case", "")
        for i, row in enumerate(self.rows):
            mine = [m for m in general.split("; ") if m.startswith(f"costs_per_case.{i}.") or m.startswith(f"costs_per_case.{i}:")]
            row["message"].value = "" if not mine else f'<span style="color:#b00020" role="alert">⚠ {escape("; ".join(mine))}</span>'
        rest = [m for m in general.split("; ") if m and not any(m.startswith(f"costs_per_case.{i}") for i in range(len(self.rows)))]
        self.message.value = "" if not rest else f'<span style="color:#b00020" role="alert">⚠ {escape("; ".join(rest))}</span>'


class App:
    """The whole app for one browser session (Voilà gives each page its own kernel)."""

    def __init__(self, lang: str = "da", query: str | None = None):
        self.lang = lang if lang in ("da", "en") else "da"
        self._muted = 0
        self._top_error = ""
        self._note = ""
        self.paths = templates()
        query = os.environ.get("QUERY_STRING", "") if query is None else query
        key, qlang, changes, problems = parse_query(query)
        self.lang = qlang or self.lang
        default = next(iter(self.paths), BLANK)
        if key is not None and key not in self.paths and key != BLANK:
            problems.insert(0, Problem("template", key, f"no such template; allowed: {', '.join(dict.fromkeys([*self.paths, BLANK]))}"))
            key = None
        self.key = key or default
        case = open_template(self.key)
        case, refused = apply_changes(case, changes)
        problems.extend(refused)
        self.session = Session(case, origin=open_template(self.key))
        self.source = "template"
        self._build()
        self._write_all()
        self._relabel()
        if problems:
            self._top_error = "; ".join(str(p) for p in problems)
        elif changes:
            self._note = t("query_loaded", self.lang, keys=", ".join(changes))
        self._show_problems()

    # -- building ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = _css(w.HTML(), "sib-title")
        self.language = _css(w.ToggleButtons(options=[("Dansk", "da"), ("English", "en")], value=self.lang), "sib-lang")
        self.language.observe(lambda ch: self._guard(None, self._on_language), "value")
        self.template = _css(w.Dropdown(layout=w.Layout(width="380px")), "sib-template")
        self.template.observe(lambda ch: self._guard(None, self._on_template), "value")
        self.upload = _css(w.FileUpload(accept=".yaml,.yml", multiple=False), "sib-upload")
        self.upload.observe(lambda ch: self._guard("upload", self._on_upload), "value")
        self.reset = _css(w.Button(icon="undo"), "sib-reset")
        self.reset.on_click(lambda _: self._guard(None, self._on_reset))
        self.top_message = _css(w.HTML(), "sib-top-message")

        self.fields: dict[str, Field] = {}
        F = self._field
        self.groups: list[tuple[str, w.Widget]] = [
            ("g_cohort", w.VBox([F("name"), F("cohort.participants")])),
            ("g_outcome", w.VBox([F("outcome.baseline_rate"), F("outcome.relative_reduction"), F("outcome.drop_off"),
                                  F("outcome.onset_lag_years"), F("adjustments.attribution"), F("adjustments.displacement"),
                                  F("adjustments.optimism_bias")])),
        ]
        self.costs = CostTable(self)
        self.groups.append(("g_costs", self.costs.widget))
        self.groups += [
            ("g_intervention", w.VBox([F("intervention.cost_per_participant"), F("intervention.delivery_years"),
                                       F("intervention.fixed_cost_per_year")])),
            ("g_contract", w.VBox([F("contract.metric"), F("contract.price"), F("contract.payment_lag_years"), F("contract.cap"),
                                   F("contract.payers"), F("contract.investor_share"), F("contract.investor_required_return")])),
            ("g_discount", w.VBox([F("discounting"), F("discounting.rate"), F("outcome.horizon_years")])),
        ]
        from . import uncertainty

        self.uncertainty = uncertainty.Panel(self)
        self.groups.append(("g_uncertainty", self.uncertainty.widget))
        # Only the open group is in the page at first; the others are put in when opened, so the browser renders
        # a third of the input widgets at page load (their models exist, and keep their values, all along).
        self.accordion = _css(w.Accordion(children=[g if i == 1 else w.VBox() for i, (_, g) in enumerate(self.groups)],
                                          selected_index=1), "sib-groups")
        self.accordion.observe(self._on_group, "selected_index")

        self.status = _css(w.HTML(), "sib-status")
        self.figures = _css(w.HTML(), "sib-figures")
        self.chart_savings = _css(w.HTML(), "sib-chart-savings")
        self.chart_corridor = _css(w.HTML(), "sib-chart-corridor")
        self.chart_cash = _css(w.HTML(), "sib-chart-cash")
        self.keep_title = w.HTML()
        self.yaml_link = _css(w.HTML(), "sib-yaml")
        self.excel_button = _css(w.Button(icon="file-excel-o", layout=w.Layout(width="auto")), "sib-make-excel")
        self.excel_button.on_click(lambda _: self._guard(None, self._on_excel))
        self.excel_link = _css(w.HTML(), "sib-excel")
        self.share = _css(w.Textarea(disabled=False, layout=w.Layout(width="95%", height="60px")), "sib-share")
        self.share_label = w.HTML()
        keep = w.VBox([self.keep_title, self.yaml_link, w.HBox([self.excel_button, self.excel_link]), self.share_label, self.share])
        left = w.VBox([self.accordion], layout=w.Layout(flex="1 1 640px", min_width="420px"))
        right = _css(w.VBox([self.top_message, self.status, self.figures, self.chart_corridor, self.chart_savings,
                             self.chart_cash, keep], layout=w.Layout(flex="1 1 520px", min_width="380px")), "sib-results")
        head = w.VBox([self.title, w.HBox([self.language, self.template, self.upload, self.reset],
                                          layout=w.Layout(flex_flow="row wrap", align_items="center"))])
        self.widget = _css(w.VBox([head, w.HBox([left, right], layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))]),
                           "sib-app")

    def _field(self, path: str) -> w.Widget:
        """Make the input for ``path`` with its parser (widget value -> case value) and writer."""
        s = self.session

        def slider(lo: float, hi: float, step: float, fmt: str = SHARE_FMT, value=lambda c: c.get(path)) -> Field:
            wid = w.FloatSlider(min=lo, max=hi, step=step, readout_format=fmt, continuous_update=False, layout=w.Layout(width="300px"))
            return Field(path, wid, lambda: round(float(wid.value), 6), lambda c: setattr(wid, "value", value(c)))

        def number() -> Field:
            wid = w.FloatText(layout=w.Layout(width="160px"))
            return Field(path, wid, lambda: parse_number(path, wid.value), lambda c: setattr(wid, "value", c.get(path)))

        def integer() -> Field:
            wid = w.IntText(layout=w.Layout(width="90px"))
            return Field(path, wid, lambda: parse_int(path, wid.value), lambda c: setattr(wid, "value", int(c.get(path))))

        def text_list() -> Field:
            wid = w.Text(layout=w.Layout(width="200px"), continuous_update=False)
            return Field(path, wid, lambda: parse_value(path, wid.value),
                         lambda c: setattr(wid, "value", format_list(c.get(path))))

        if path == "name":
            wid = w.Text(layout=w.Layout(width="300px"), continuous_update=False)
            f = Field(path, wid, lambda: str(wid.value)[:200], lambda c: setattr(wid, "value", c.name))
        elif path in ("outcome.baseline_rate", "adjustments.attribution", "adjustments.displacement", "contract.investor_share"):
            f = slider(0.0, 1.0, 0.01)
        elif path == "outcome.relative_reduction":
            f = slider(0.0, 1.0, 0.01, value=_implied_reduction)
        elif path == "outcome.drop_off":
            f = slider(0.0, 1.0, 0.01, value=_implied_drop_off)
        elif path == "adjustments.optimism_bias":
            f = slider(0.0, 0.95, 0.01)
        elif path == "contract.investor_required_return":
            f = slider(0.0, 0.3, 0.005, ".1%")
        elif path == "discounting.rate":
            wid = w.FloatSlider(min=0.0, max=0.1, step=0.0025, readout_format=".2%", continuous_update=False, layout=w.Layout(width="300px"))
            f = Field(path, wid, lambda: round(float(wid.value), 6),
                      lambda c: setattr(wid, "value", c.discounting if isinstance(c.discounting, float) else 0.035))
        elif path in ("outcome.onset_lag_years", "outcome.horizon_years", "intervention.delivery_years", "contract.payment_lag_years"):
            f = integer()
        elif path in ("intervention.cost_per_participant", "contract.price"):
            f = number()
        elif path in ("cohort.participants", "intervention.fixed_cost_per_year"):
            f = text_list()
        elif path == "contract.cap":
            wid = w.Text(layout=w.Layout(width="160px"), continuous_update=False)
            f = Field(path, wid, lambda: parse_value(path, wid.value),
                      lambda c: setattr(wid, "value", "" if c.contract.cap is None else format_list(c.contract.cap)))
        elif path == "contract.metric":
            wid = w.Dropdown(options=[("", "prevented_case"), ("", "success")], layout=w.Layout(width="200px"))
            f = Field(path, wid, lambda: parse_value(path, str(wid.value)), lambda c: setattr(wid, "value", c.contract.metric))
        elif path == "discounting":
            wid = w.Dropdown(options=[(k, k) for k in (*SCHEDULES, "constant")], layout=w.Layout(width="220px"))

            def read_discounting() -> Any:
                if wid.value == "constant":
                    return self.fields["discounting.rate"].read()
                return parse_value(path, str(wid.value))
            f = Field(path, wid, read_discounting,
                      lambda c: setattr(wid, "value", c.discounting if isinstance(c.discounting, str) else "constant"))
        elif path == "contract.payers":
            boxes = {h: w.Checkbox(indent=False, layout=w.Layout(width="110px")) for h in HOLDERS}
            wid = w.HBox(list(boxes.values()))
            wid.boxes = boxes  # type: ignore[attr-defined]

            def read_payers() -> list[str]:
                payers = [h for h, b in boxes.items() if b.value is True]
                if not payers:
                    raise CaseError(Problem(path, [], "tick at least one payer"))
                return payers

            def write_payers(c: Case) -> None:
                for h, b in boxes.items():
                    b.value = h in c.contract.payers
            f = Field(path, wid, read_payers, write_payers)
        else:  # pragma: no cover - a programming error, caught by the tests
            raise KeyError(path)
        self.fields[path] = f
        target = "discounting" if path == "discounting.rate" else path
        watched = list(f.widget.boxes.values()) if path == "contract.payers" else [f.widget]
        for wid_ in watched:
            wid_.observe(lambda _ch, p=path, tgt=target: self._guard(p, lambda: self._on_field(p, tgt)), "value")
        return f.box

    # -- events ------------------------------------------------------------------------------------

    def _quiet(self):
        app = self

        class _Mute:
            def __enter__(self):
                app._muted += 1

            def __exit__(self, *exc):
                app._muted -= 1
        return _Mute()

    def _guard(self, key: str | None, action: Callable[[], None]) -> None:
        """Run a callback; refused input becomes a message beside its widget, anything else one at the top.

        ``key`` names the input (its messages go beside it); ``None`` or ``"upload"`` put them at the top.
        """
        if self._muted:
            return
        top = key in (None, "upload")
        if top:
            self._top_error = ""
        try:
            action()
        except CaseError as exc:
            if top:
                self._top_error = str(exc).replace("\n", " ")
            else:
                self.session.refuse(key, exc)
        except Exception as exc:  # noqa: BLE001 - a user must never see a traceback
            text = t("err_unexpected", self.lang, msg=f"{type(exc).__name__}: {exc}")
            if top:
                self._top_error = text
            else:
                self.session.problems[key] = text
        try:
            self._show_problems()
        except Exception:  # noqa: BLE001
            pass

    def _on_field(self, path: str, target: str) -> None:
        if path == "discounting.rate" and self.fields["discounting"].widget.value != "constant":
            return
        value = self.fields[target].read() if target != path else self.fields[path].read()
        if self.session.set(target, value, key=path):
            if target != path:
                self.session.problems.pop(target, None)
            self._render()

    def _set(self, path: str, value: Any) -> None:
        if self.session.set(path, value):
            self._render()

    def _on_group(self, _change: Any = None) -> None:
        """Put an opened group's widgets into the page (no message: opening a group changes no input)."""
        try:
            i = self.accordion.selected_index
            if not isinstance(i, int) or not 0 <= i < len(self.groups):
                return
            children = list(self.accordion.children)
            if children[i] is not self.groups[i][1]:
                children[i] = self.groups[i][1]
                self.accordion.children = tuple(children)
        except Exception:  # noqa: BLE001 - a user must never see a traceback
            pass

    def _on_language(self) -> None:
        self.lang = self.language.value if self.language.value in ("da", "en") else "da"
        self._relabel()

    def _on_template(self) -> None:
        key = self.template.value
        if key is None:
            return
        case = open_template(key)
        self.session.load(case)
        self.key, self.source = key, "template"
        self._note = ""
        self._write_all()

    def _on_reset(self) -> None:
        self.session.load(self.session.origin)
        self._note = ""
        self._write_all()

    def _on_upload(self) -> None:
        files = self.upload.value
        if not files:
            return
        f = files[0]
        name = str(f.get("name", "upload.yaml"))[:200]
        case = case_from_upload(name, bytes(f["content"]))
        self.session.load(case)
        self.source = "upload"
        self._note = t("uploaded", self.lang, name=case.name)
        self._write_all()
        with self._quiet():
            self.upload.value = ()

    def _on_excel(self) -> None:
        r = self.session.result
        links = [export.download_link(export.results_xlsx(r, self.lang), export.filename(r, "xlsx"), export.XLSX_TYPE,
                                      t("download_excel", self.lang), "sib-xlsx")]
        if export.has_formula_workbook():
            try:
                data = export.formula_xlsx(r, self.lang)
                name = export.filename(r, "formulas.xlsx")
                links.append(export.download_link(data, name, export.XLSX_TYPE, t("download_formulas", self.lang), "sib-xlsx-formulas"))
            except Exception:  # noqa: BLE001 - the values workbook is still offered
                pass
        self.excel_link.value = " ".join(links)

    # -- writing and rendering ---------------------------------------------------------------------

    def _write_all(self) -> None:
        """Set every widget from the session's case without triggering callbacks."""
        case = self.session.case
        with self._quiet():
            for f in self.fields.values():
                f.write(case)
            self.costs.write(case)
            self.costs.relabel(self.lang)
            if self.template.options:
                self.template.value = self.key if self.source == "template" else None
        self._show_problems()
        self._render()

    def _relabel(self) -> None:
        lang = self.lang
        with self._quiet():
            self.language.value = lang
            self.title.value = f'<h2 style="margin:4px 0">{escape(t("title", lang))}</h2><p style="max-width:1100px">{escape(t("intro", lang))}</p>'
            options = [(template_name(p), k) for k, p in self.paths.items()]
            if BLANK not in self.paths:
                options.append((t("blank", lang), BLANK))
            self.template.options = options
            self.template.value = self.key if self.source == "template" else None
            self.template.description = t("template", lang)
            self.template.tooltip = t("template_help", lang)
            self.upload.description = t("upload", lang)
            self.reset.description = t("reset", lang)
            self.reset.layout.width = "auto"
            self.upload.layout.width = "auto"
            self.accordion.titles = tuple(t(k, lang) for k, _ in self.groups)
            for f in self.fields.values():
                f.relabel(lang)
            metric = self.fields["contract.metric"].widget
            mv = metric.value
            metric.options = [(choice("contract.metric", k, lang), k) for k in ("prevented_case", "success")]
            metric.value = mv
            disc = self.fields["discounting"].widget
            dv = disc.value
            disc.options = [(choice("discounting", k, lang), k) for k in (*SCHEDULES, "constant")]
            disc.value = dv
            for h, b in self.fields["contract.payers"].widget.boxes.items():
                b.description = choice("holder", h, lang)
            self.costs.relabel(lang)
            self.uncertainty.relabel(lang)
            self.excel_button.description = t("make_excel", lang)
            self.excel_link.value = ""
            self.keep_title.value = f"<h3>{escape(t('g_keep', lang))}</h3>"
            self.share_label.value = f'{escape(t("share", lang))}<br><small style="color:#555">{escape(t("share_help", lang))}</small>'
        self._show_problems()
        self._render()

    def _show_problems(self) -> None:
        problems = self.session.problems
        for path, f in self.fields.items():
            msg = problems.get(path)
            f.show(translate_message(msg, self.lang) if msg else None)
        self.costs.show({k: translate_message(v, self.lang) for k, v in problems.items()})
        stale = self.session.stale
        self.status.value = self._status_html() if self.session.result else ""
        if self._top_error:
            self.top_message.value = self._error_html(translate_message(self._top_error, self.lang))
        else:
            self.top_message.value = self._note_html(self._note) if self._note else ""
        self.results_box_stale(stale)

    def results_box_stale(self, stale: bool) -> None:
        for wid in (self.figures, self.chart_corridor, self.chart_savings, self.chart_cash):
            if stale:
                wid.add_class("sib-stale")
            else:
                wid.remove_class("sib-stale")

    def _error_html(self, text: str) -> str:
        return f'<div style="color:#b00020;border:1px solid #b00020;padding:6px;margin:4px 0" role="alert">⚠ {escape(text)}</div>'

    def _note_html(self, text: str) -> str:
        return f'<div style="color:#1b5e20;border:1px solid #1b5e20;padding:6px;margin:4px 0">{escape(text)}</div>'

    def _status_html(self) -> str:
        r, lang = self.session.result, self.lang
        cur = r.case.currency
        parts = []
        if self.session.stale:
            parts.append(f'<div class="sib-stale-note" style="color:#b00020;font-weight:bold">{escape(t("stale", lang))}</div>')
        if r.corridor is not None:
            lo, hi = r.corridor
            parts.append(f'<div class="sib-deal" style="background:#e8f5e9;padding:8px">'
                         f'{escape(t("deal", lang, lo=fmt_money(lo, lang, cur), hi=fmt_money(hi, lang, cur)))} '
                         f'{escape(t("price_in" if lo <= r.case.contract.price <= hi else "price_out", lang, price=fmt_money(r.case.contract.price, lang, cur)))}</div>')
        elif r.cofunding_per_outcome is not None:
            parts.append(f'<div class="sib-nodeal" style="background:#ffebee;padding:8px">'
                         f'{escape(t("no_deal", lang, gap=fmt_money(r.cofunding_per_outcome, lang, cur)))}</div>')
        else:
            parts.append(f'<div class="sib-nodeal" style="background:#ffebee;padding:8px">{escape(t("no_outcomes", lang))}</div>')
        return "".join(parts)

    def _render(self) -> None:
        """Key figures, charts, downloads and the share link from the session's last good result."""
        r, lang = self.session.result, self.lang
        cur = r.case.currency
        self.status.value = self._status_html()
        table = r.summary(lang)
        by_name = {row.name: row for row in table.itertuples()}
        cards = []
        for name in CARDS:
            row = by_name[name]
            value = row.value
            cards.append(
                f'<div class="sib-card" data-name="{name}" data-value="{"" if value is None else repr(float(value))}" '
                f'style="display:inline-block;vertical-align:top;width:220px;margin:3px;padding:6px;border:1px solid #ccc;border-radius:4px">'
                f'<div style="font-size:85%;color:#444">{escape(row.label)}</div>'
                f'<div style="font-size:140%;font-weight:bold">{escape(fmt_figure(name, value, lang, cur))}</div>'
                f'<div style="font-size:80%;color:#666">{escape(result_unit(row.unit, lang))}</div></div>')
        rows = "".join(
            f'<tr class="sib-row" data-name="{row.name}"><td>{escape(row.label)}</td>'
            f'<td style="text-align:right;padding-left:12px">{escape(fmt_figure(row.name, row.value, lang, cur))}</td>'
            f'<td style="padding-left:8px;color:#666">{escape(result_unit(row.unit, lang))}</td></tr>'
            for row in table.itertuples())
        more = "Alle nøgletal" if lang == "da" else "All key figures"
        self.figures.value = (
            f'<h3 style="margin:6px 0">{escape(t("results", lang))}</h3>{"".join(cards)}'
            f'<div style="font-size:85%;color:#555">{escape(t("price_year", lang, cur=cur, year=r.case.price_year))}</div>'
            f'<details><summary>{escape(more)}</summary><table class="sib-table">'
            f'<tr><th style="text-align:left">{escape(t("col_figure", lang))}</th><th>{escape(t("col_value", lang))}</th>'
            f'<th>{escape(t("col_unit", lang))}</th></tr>{rows}</table></details>')
        self.chart_corridor.value = charts.corridor_chart(r, lang)
        self.chart_savings.value = charts.savings_chart(r, lang)
        self.chart_cash.value = charts.cash_chart(r, lang)
        self.yaml_link.value = export.download_link(export.case_yaml(r), export.filename(r, "yaml"), export.YAML_TYPE,
                                                    t("download_yaml", lang), "sib-yaml-link")
        self.excel_link.value = ""
        self.share.value = self.session.query(self.key, lang) if self.source == "template" else "–"
        self.uncertainty.mark_stale()


def show(lang: str = "da", query: str | None = None) -> App:
    """Build and display the app (in a notebook or Voilà); ``query`` defaults to Voilà's ``QUERY_STRING``."""
    app = App(lang, query)
    display(_css(w.HTML(_STYLE), "sib-style"))
    display(app.widget)
    return app


_STYLE = """<style>
.sib-stale { opacity: 0.55; }
.sib-app .widget-label, .sib-app .widget-html { overflow: visible; }
.sib-help small { display: block; margin: -4px 0 6px 4px; }
.sib-message { min-width: 0; }
.sib-table td, .sib-table th { padding: 1px 4px; }
</style>"""
