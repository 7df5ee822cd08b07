"""The app's widgets: inputs grouped as a user thinks, live key figures and charts, downloads, two languages.

Few widget models (each one costs kernel time, websocket traffic and a model in the browser): an input group's
widgets are made when the group is first opened, and kept; the key figures, tables and charts are one HTML
widget; the cost table is an HTML table with a small editor; layouts and styles are shared (:class:`Kit`).

Every callback goes through :meth:`App._guard`, which turns any error into a message (beside the widget
for refused input, at the top otherwise) and keeps the last good result: the browser never sees a
traceback. Widget values are untrusted (a browser can set any trait), so each is parsed in the page's
language and validated through the case model before it is used. Refused values are never clamped.
"""
from __future__ import annotations

import contextlib
from html import escape
from typing import Any, Callable

import ipywidgets as w
from IPython.display import HTML, display

from ..case import Case
from ..costs import catalogue
from ..discount import SCHEDULES
from .. import tables
from ..errors import CaseError, Problem
from ..i18n import text
from . import charts, export
from .card import KEY as CARD_KEY
from .card import CardTable
from .inputs import (format_co_payers, format_list, format_number_input, parse_co_payers, parse_int, parse_number, parse_text,
                     parse_value)
from .kit import CheckboxStyle, Kit, css, echo_html, error_html
from .state import BLANK, Session, apply_changes, case_from_upload, open_template, parse_query, template_name, templates
from .texts import choice, field_text, fmt_figure, fmt_money, fmt_share, holder_text, problems_text, result_unit, t

LABEL_W = "300px"
CARDS = ("savings_per_case", "commissioner_max", "public_sector_max", "investor_min", "cofunding_per_outcome",
         "investor_irr", "commissioner_npv")
#: The key figures of a rate card of several rows: factors on the card (1 = the card as written) and ratios.
SCALE_CARDS = ("savings_per_case", "commissioner_max_scale", "public_sector_max_scale", "investor_min_scale",
               "benefit_cost_ratio", "investor_irr", "commissioner_npv")
#: Prices that a card of several rows does not have (the scales speak); left out of its table of figures.
V1_PRICES = ("commissioner_max", "public_sector_max", "societal_max", "wrong_pocket_gap", "investor_min", "corridor_low",
             "corridor_high", "cofunding_per_outcome", "price")
CARD = "contract.card"  #: the rate-card table's place in the contract group
#: Input groups in page order; ``None``: a group with its own widgets (cost table, uncertainty panel).
GROUPS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("g_cohort", ("name", "cohort.participants")),
    ("g_outcome", ("outcome.baseline_rate", "outcome.relative_reduction", "outcome.drop_off", "outcome.onset_lag_years",
                   "adjustments.attribution", "adjustments.displacement", "adjustments.optimism_bias")),
    ("g_costs", None),
    ("g_intervention", ("intervention.cost_per_participant", "intervention.delivery_years", "intervention.fixed_cost_per_year")),
    ("g_contract", (CARD, "contract.metric", "contract.price", "contract.payment_lag_years", "contract.threshold",
                    "contract.cap", "contract.cap_per_participant", "contract.co_payers", "contract.guarantee",
                    "contract.payers",
                    "contract.investor_share", "contract.investor_required_return")),
    ("g_discount", ("discounting", "discounting.rate", "outcome.horizon_years")),
    ("g_uncertainty", None),
)
OPEN = 1  #: the group open on first render
#: Share inputs: slider range and step (readout as "60 %", written by the app in the page's language).
SHARES = {"outcome.baseline_rate": (0.0, 1.0, 0.01), "outcome.relative_reduction": (0.0, 1.0, 0.01),
          "outcome.drop_off": (0.0, 1.0, 0.01), "adjustments.attribution": (0.0, 1.0, 0.01),
          "adjustments.displacement": (0.0, 1.0, 0.01), "contract.investor_share": (0.0, 1.0, 0.01),
          "adjustments.optimism_bias": (0.0, 0.95, 0.01), "contract.investor_required_return": (0.0, 0.3, 0.005),
          "discounting.rate": (0.0, 0.1, 0.0025)}
MONEY = ("intervention.cost_per_participant", "contract.price", "contract.cap", "contract.cap_per_participant")
INTS = ("outcome.onset_lag_years", "outcome.horizon_years", "intervention.delivery_years", "contract.payment_lag_years")
LISTS = ("cohort.participants", "intervention.fixed_cost_per_year")


def card_names(result: Any) -> tuple[str, ...]:
    """The key figures shown as cards: prices for a v1 contract or a card of one row, factors on the card for a
    card of several rows; the society's maximum too where it differs from the public sector's (a case with
    participant, others or non-public holders)."""
    scale = several_rows(result.case)
    names = SCALE_CARDS if scale else CARDS
    pub, soc = ((result.public_sector_max_scale, result.societal_max_scale) if scale
                else (result.public_sector_max, result.societal_max))
    if pub is not None and soc is not None and abs(soc - pub) > 1e-9 * max(1.0, abs(pub)):
        i = names.index("public_sector_max_scale" if scale else "public_sector_max") + 1
        names = (*names[:i], "societal_max_scale" if scale else "societal_max", *names[i:])
    return names


def several_rows(case: Case) -> bool:
    """True for a rate card of several rows: its break-even figures are factors on the card, not prices."""
    return len(case.contract.rows()) > 1


def _cls(path: str) -> str:
    return "sib-field-" + path.replace(".", "-")


def _money_text(x: float, lang: str) -> str:
    """How a money box shows what it read: ``150.000 kr.`` (da) or ``150000 DKK`` (en)."""
    return f"{format_number_input(x, lang)} {'kr.' if lang == 'da' else 'DKK'}"


def _implied_reduction(case: Case) -> float:
    o = case.outcome
    return 0.0 if o.p0 <= 0 else max(0.0, min(1.0, 1.0 - o.p1 / o.p0))


def _implied_drop_off(case: Case) -> float:
    o = case.outcome
    if o.drop_off is not None:
        return o.drop_off
    p = o.persistence or [1.0]
    return max(0.0, min(1.0, 1.0 - p[1] / p[0])) if len(p) > 1 and p[0] > 0 else 0.0


class Field:
    """One input: label, widget, and beside it how the value was read or why it was refused."""

    def __init__(self, kit: Kit, path: str, widget: w.Widget, read: Callable[[str], Any],
                 write: Callable[[Case, str], str]):
        self.path, self.widget, self._read, self._write = path, widget, read, write
        self.label = kit.html(width=LABEL_W)
        self.message = kit.html("", "sib-message", flex="1 1 120px", min_width="120px")
        self.box = kit.box(w.HBox, [self.label, widget, self.message], "sib-field", _cls(path),
                           align_items="flex-start", flex_flow="row wrap")
        self.echo = ""

    def read(self, lang: str) -> Any:
        return self._read(lang)

    def write(self, case: Case, lang: str) -> None:
        self.echo = self._write(case, lang) or ""

    def relabel(self, lang: str) -> None:
        label, unit, help_ = field_text(self.path, lang)
        unit = f" ({escape(unit)})" if unit else ""
        self.label.value = (f'<div title="{escape(help_)}" style="line-height:1.25"><b style="font-weight:600">{escape(label)}</b>'
                            f'{unit}<br><small style="color:#555">{escape(help_)}</small></div>')

    def show(self, message: str | None) -> None:
        self.message.value = error_html(message) if message else (echo_html(self.echo) if self.echo else "")


class CostTable:
    """The cost items per case: one HTML table, and an editor for the chosen row (add, change, remove)."""

    OWN = "__own__"
    SHARES = [i / 20 for i in range(21)]

    def __init__(self, app: App):
        self.app = app
        kit = app.kit
        self.items: list[dict[str, Any]] = []
        self.help = kit.html("", "sib-help")
        self.table = kit.html("", "sib-cost-table", width="100%")
        dw = "initial"
        self.pick = kit.dropdown("sib-cost-pick", description_width=dw, width="auto", min_width="180px")
        self.item = kit.dropdown("sib-cost-item", description_width=dw, width="100%")
        self.amount = kit.text("sib-cost-amount", description_width=dw, width="230px")
        self.holder = kit.dropdown("sib-cost-holder", description_width=dw, width="190px")
        self.quantity = kit.text("sib-cost-quantity", description_width=dw, width="260px")
        self.years = kit.text("sib-cost-years", description_width=dw, width="110px")
        self.cashable = kit.dropdown("sib-cost-cashable", description_width=dw, width="210px")
        self.direction = kit.dropdown("sib-cost-direction", description_width=dw, width="190px")
        self.add = kit.button("plus", "sib-cost-add", width="auto")
        self.remove = kit.button("trash", "sib-cost-remove", width="auto")
        self.message = kit.html("", "sib-message")
        self.pick.observe(lambda _: app._guard(None, self._on_pick), "value")
        for wid in (self.item, self.amount, self.holder, self.quantity, self.years, self.cashable, self.direction):
            wid.observe(lambda _: app._guard("costs_per_case", self.commit), "value")
        self.add.on_click(lambda _: app._guard("costs_per_case", self._add_row))
        self.remove.on_click(lambda _: app._guard("costs_per_case", self._remove_row))
        wrap = {"flex_flow": "row wrap", "align_items": "center", "width": "100%"}
        editor = kit.box(w.VBox, [
            kit.box(w.HBox, [self.pick, self.add, self.remove], **wrap),
            self.item,
            kit.box(w.HBox, [self.amount, self.holder, self.quantity, self.years, self.cashable, self.direction], **wrap),
            self.message], "sib-cost-editor", border="1px solid #ccc", padding="4px", width="100%")
        self.widget = kit.box(w.VBox, [self.help, self.table, editor], "sib-costs", width="100%")
        with app._quiet():
            self.item.options = self._options(app.lang)
            self.holder.options = self._holders(app.lang)
            self.direction.options = [(t("c_" + d, app.lang), d) for d in ("avoided", "incurred")]

    # -- reading the editor -------------------------------------------------------------------------

    def _row(self) -> int | None:
        i = self.pick.value
        return i if isinstance(i, int) and 0 <= i < len(self.items) else None

    def read(self) -> dict[str, Any]:
        """The chosen row as the editor shows it (values parsed in the page's language)."""
        i, lang = self._row(), self.app.lang
        path = f"costs_per_case.{i}"
        item: dict[str, Any] = {}
        if self.item.value == self.OWN:
            item["amount"] = parse_number(f"{path}.amount", self.amount.value, lang)
            item["holder"] = self.holder.value
            label = self.items[i].get("label") if i is not None else None
            if label:
                item["label"] = label
        else:
            item["item"] = self.item.value
            if str(self.amount.value).strip():
                item["amount"] = parse_number(f"{path}.amount", self.amount.value, lang)
        from .inputs import parse_list

        item["quantity"] = parse_list(f"{path}.quantity", self.quantity.value, lang=lang)
        if str(self.years.value).strip():
            if isinstance(item["quantity"], list):
                raise CaseError(Problem(f"{path}.years", self.years.value, "leave years empty when quantity is a list by year",
                                        "app.years_with_list"))
            item["years"] = parse_int(f"{path}.years", self.years.value, lang)
        cashable = self.cashable.value
        if not isinstance(cashable, float) or not 0.0 <= cashable <= 1.0:
            raise CaseError(Problem(f"{path}.cashable", cashable, "must lie between 0 and 1", "number.out_of_range",
                                    {"lo": 0.0, "hi": 1.0}))
        item["cashable"] = cashable
        if self.direction.value == "incurred":
            item["direction"] = "incurred"
        elif self.direction.value != "avoided":
            raise CaseError(Problem(f"{path}.direction", self.direction.value, "must be avoided or incurred", "app.choice",
                                    {"allowed": "avoided, incurred"}))
        return item

    def commit(self) -> None:
        i = self._row()
        if i is None:
            return
        self._enable()
        items = [dict(x) for x in self.items]
        items[i] = self.read()
        self.app._set("costs_per_case", items)

    def _add_row(self) -> None:
        area = self.app.session.case.area
        cat = catalogue().frame()
        keys = [k for k in cat.index if cat.at[k, "area"] == area] or list(cat.index)
        items = [*self.items, {"item": keys[0], "quantity": 1.0, "years": 1}]
        if self.app._set("costs_per_case", items):
            self._select(len(items) - 1)

    def _remove_row(self) -> None:
        i = self._row()
        if i is None:
            return
        items = [x for k, x in enumerate(self.items) if k != i]
        if self.app._set("costs_per_case", items):
            self._select(min(i, len(items) - 1))

    def _on_pick(self) -> None:
        self._load_editor()
        self.render()

    # -- writing --------------------------------------------------------------------------------------

    def _options(self, lang: str) -> list[tuple[str, str]]:
        cat = catalogue().frame()
        area = self.app.session.case.area
        order = sorted(cat.index, key=lambda k: (cat.at[k, "area"] != area, k))
        label = "label_da" if lang == "da" else "label_en"
        opts = [(f"{cat.at[k, label]} ({cat.at[k, 'unit']}, {choice('holder', cat.at[k, 'holder'], lang)})", k) for k in order]
        return [(t("c_own", lang), self.OWN), *opts]

    def _holders(self, lang: str) -> list[tuple[str, str]]:
        """The holders a cost item can name in this case (standard and declared), by their labels."""
        case = self.app.session.case
        return [(holder_text(case, h, lang), h) for h in case.holder_perspectives()]

    def write(self, case: Case) -> None:
        """Take the rows from ``case`` (the last good one) and show them; the chosen row stays chosen."""
        self.items = [c.model_dump(exclude_none=True) for c in case.costs_per_case]
        options = self._holders(self.app.lang)
        if list(self.holder.options) != options:
            with self.app._quiet():
                self.holder.options = options
        self._help()
        self._select(self._row() if self._row() is not None else 0)

    def _select(self, i: int) -> None:
        lang = self.app.lang
        with self.app._quiet():
            self.pick.options = [(f"{k + 1}: {self._name(x, lang)[:60]}", k) for k, x in enumerate(self.items)]
            self.pick.value = i if 0 <= i < len(self.items) else None
        self._load_editor()
        self.render()

    def _name(self, item: dict[str, Any], lang: str) -> str:
        if "item" in item:  # the catalogue's rows by key (not its DataFrame: that is built anew on every call)
            row = catalogue().rows.get(item["item"])
            return str(item["item"] if row is None else (row.label_da if lang == "da" else row.label_en))
        return str(item.get("label") or t("c_own", lang))

    def _holder(self, item: dict[str, Any]) -> str:
        """The budget a row saves for: the catalogue's holder for a catalogue item (a state item says stat)."""
        if "item" in item:
            row = catalogue().rows.get(item["item"])
            if row is not None:
                return str(row.holder)
        return str(item.get("holder", "kommune"))

    def _load_editor(self) -> None:
        i, lang = self._row(), self.app.lang
        item = self.items[i] if i is not None else {"amount": 0.0, "quantity": 1.0}
        with self.app._quiet():
            self.item.value = item.get("item", self.OWN) if item.get("item", self.OWN) in dict(self.item.options).values() else self.OWN
            self.amount.value = "" if item.get("amount") is None else format_list(item["amount"], lang)
            self.holder.value = self._holder(item)
            self.quantity.value = format_list(item.get("quantity", 1.0), lang)
            self.years.value = "" if item.get("years") is None else str(item["years"])
            share = float(item.get("cashable", 1.0))
            opts = sorted({*self.SHARES, share})
            self.cashable.options = [(fmt_share(s, lang), s) for s in opts]
            self.cashable.value = share
            self.direction.value = item.get("direction") or "avoided"
        self._enable()

    def _enable(self) -> None:
        self.holder.disabled = self.item.value != self.OWN
        if self.item.value != self.OWN:
            with self.app._quiet():
                self.holder.value = self._holder({"item": self.item.value})
        for wid in (self.item, self.amount, self.holder, self.quantity, self.years, self.cashable, self.direction, self.remove):
            wid.disabled = wid.disabled if wid is self.holder else self._row() is None

    def render(self) -> None:
        """The table of all rows (the chosen one highlighted), in the page's language."""
        lang, r = self.app.lang, self.app.session.result
        cur = r.case.currency
        cols = [t(k, lang) for k in ("c_item", "c_holder", "c_amount", "c_quantity", "c_years", "c_cashable", "c_direction",
                                     "c_saving")]
        head = "".join(f'<th style="text-align:{"left" if k < 2 else "right"};padding:2px 6px">{escape(c)}</th>'
                       for k, c in enumerate(cols))
        rows = []
        for k, item in enumerate(self.items):
            unit = r.items["unit_cost"].iloc[k] if k < len(r.items) else item.get("amount")
            saving = r.items["savings_per_case"].iloc[k] if k < len(r.items) else None
            chosen = ' style="background:#e3f2fd"' if k == self._row() else ""
            cells = [self._name(item, lang), holder_text(r.case, self._holder(item), lang), fmt_money(unit, lang, cur),
                     format_list(item.get("quantity", 1.0), lang), "" if item.get("years") is None else str(item["years"]),
                     fmt_share(float(item.get("cashable", 1.0)), lang), t("c_" + (item.get("direction") or "avoided"), lang),
                     fmt_money(saving, lang, cur)]
            tds = "".join(f'<td style="text-align:{"left" if j < 2 else "right"};padding:2px 6px;'
                          f'{"white-space:nowrap" if j >= 1 else "overflow-wrap:anywhere;min-width:12em"}">{escape(c)}</td>'
                          for j, c in enumerate(cells))
            rows.append(f'<tr class="sib-cost-row sib-cost-row-{k}"{chosen}><td style="padding:2px 4px">{k + 1}</td>{tds}</tr>')
        self.table.value = (f'<div style="overflow-x:auto;max-width:100%"><table class="sib-table" style="border-collapse:collapse;'
                            f'width:100%;font-size:90%"><tr><th>#</th>{head}</tr>{"".join(rows)}</table></div>')

    def _help(self) -> None:
        """The help text, and the budgets of this case with their perspectives (declared ones by their labels)."""
        lang, case = self.app.lang, self.app.session.case
        holders = ", ".join(f"{holder_text(case, h, lang)} ({t('p_' + p, lang)})" for h, p in case.holder_perspectives().items())
        self.help.value = (f'<small style="color:#555">{escape(t("c_help", lang))}</small>'
                           f'<small class="sib-holders" style="color:#555">{escape(t("c_holders", lang))}: {escape(holders)}</small>')

    def relabel(self, lang: str) -> None:
        self._help()
        with self.app._quiet():
            value = self.item.value
            self.item.options = self._options(lang)
            self.item.value = value
            hv = self.holder.value
            self.holder.options = self._holders(lang)
            self.holder.value = hv if hv in dict(self.holder.options).values() else "kommune"
            dv = self.direction.value
            self.direction.options = [(t("c_" + d, lang), d) for d in ("avoided", "incurred")]
            self.direction.value = dv if dv in ("avoided", "incurred") else "avoided"
            for wid, key in ((self.pick, "c_row"), (self.item, "c_item"), (self.amount, "c_amount"), (self.holder, "c_holder"),
                             (self.quantity, "c_quantity"), (self.years, "c_years"), (self.cashable, "c_cashable"),
                             (self.direction, "c_direction")):
                wid.description = t(key, lang)
            self.add.description = t("c_add", lang)
            self.remove.description = t("c_remove", lang)
        self._select(self._row() if self._row() is not None else 0)

    def show(self, problems: list[Problem]) -> None:
        self.message.value = error_html(problems_text(problems, self.app.lang)) if problems else ""


class App:
    """The whole app for one browser session (Voilà gives each page its own kernel)."""

    def __init__(self, lang: str = "da", query: str | None = None):
        import os

        self.lang = lang if lang in ("da", "en") else "da"
        self.kit = Kit()
        self._muted = 0
        self._top: list[Problem] = []
        self._top_source = ""
        self._note = ""
        self.paths = templates()
        query = os.environ.get("QUERY_STRING", "") if query is None else query
        key, qlang, changes, problems = parse_query(query)
        self.lang = qlang or self.lang
        default = next(iter(self.paths), BLANK)
        if key is not None and key not in self.paths and key != BLANK:
            allowed = ", ".join(dict.fromkeys([*self.paths, BLANK]))
            problems.insert(0, Problem("template", key, f"no such template; allowed: {allowed}", "app.template", {"allowed": allowed}))
            key = None
        self.key = key or default
        case = open_template(self.key)
        case, refused = apply_changes(case, changes)
        problems.extend(refused)
        self.session = Session(case, origin=open_template(self.key))
        self.source = "template"
        self.fields: dict[str, Field] = {}
        self.costs: CostTable | None = None
        self.card: CardTable | None = None
        self.uncertainty: Any = None
        self._build()
        self._top = list(problems)
        if changes and not problems:
            self._note = "query_loaded"
            self._note_keys = ", ".join(changes)
        self._relabel()

    def take(self, query: str) -> bool:
        """Take a page's URL ``query`` if this app, built with none, already shows what it asks for: the same
        template, no changed inputs, nothing refused. A language the query names is switched to. False: build anew."""
        key, lang, changes, problems = parse_query(query)
        if changes or problems or key not in (None, self.key):
            return False
        if lang and lang != self.lang:
            self.language.value = lang  # relabels through _on_language
        return True

    # -- building ----------------------------------------------------------------------------------

    def _build(self) -> None:
        kit = self.kit
        self.title = kit.html("", "sib-title")
        self.language = css(w.ToggleButtons(options=[("Dansk", "da"), ("English", "en")], value=self.lang,
                                            style=kit.style(w.ToggleButtonsStyle), layout=kit.layout()), "sib-lang")
        self.language.observe(lambda ch: self._guard(None, self._on_language), "value")
        self.template = kit.dropdown("sib-template", width="380px")
        self.template.observe(lambda ch: self._guard(None, self._on_template), "value")
        self.upload = css(w.FileUpload(accept=".yaml,.yml", multiple=False, layout=kit.layout(width="auto"),
                                       style=kit.style(w.ButtonStyle)), "sib-upload")
        self.upload.observe(lambda ch: self._guard("upload", self._on_upload), "value")
        self.reset = kit.button("undo", "sib-reset", width="auto")
        self.reset.on_click(lambda _: self._guard(None, self._on_reset))
        self.top_message = kit.html("", "sib-top-message")

        self.group_widgets: dict[int, w.Widget] = {}
        placeholders = [kit.box(w.VBox, []) for _ in GROUPS]
        self.accordion = css(w.Accordion(children=placeholders, selected_index=None, layout=kit.layout()), "sib-groups")
        self._open_group(OPEN)
        self.accordion.selected_index = OPEN
        self.accordion.observe(self._on_group, "selected_index")

        self.results = kit.html("", "sib-results-body")
        self.keep = kit.html("", "sib-keep")
        self.excel_button = kit.button("file-excel-o", "sib-make-excel", width="auto")
        self.excel_button.on_click(lambda _: self._guard(None, self._on_excel))
        self.excel_link = kit.html("", "sib-excel")
        keep = kit.box(w.VBox, [self.keep, kit.box(w.HBox, [self.excel_button, self.excel_link], flex_flow="row wrap")])
        left = kit.box(w.VBox, [self.accordion], flex="1 1 640px", min_width="420px", max_width="100%")
        right = kit.box(w.VBox, [self.top_message, self.results, keep], "sib-results", flex="1 1 520px", min_width="380px",
                        max_width="100%")
        head = kit.box(w.VBox, [self.title, kit.box(w.HBox, [self.language, self.template, self.upload, self.reset],
                                                    flex_flow="row wrap", align_items="center")])
        self.widget = kit.box(w.VBox, [head, kit.box(w.HBox, [left, right], flex_flow="row wrap", align_items="flex-start")],
                              "sib-app")

    def _open_group(self, i: int) -> w.Widget:
        """The widgets of group ``i``, made on first use (set from the case and labelled) and kept."""
        if i in self.group_widgets:
            return self.group_widgets[i]
        key, paths = GROUPS[i]
        if key == "g_costs":
            self.costs = CostTable(self)
            widget = self.costs.widget
        elif key == "g_uncertainty":
            from .uncertainty import Panel  # the Monte Carlo panel: only when its group is opened

            self.uncertainty = Panel(self.kit, lambda: self.session.case, lambda: self.lang, lambda act: self._guard(None, act))
            widget = self.uncertainty.widget
        else:
            widget = self.kit.box(w.VBox, [self._card() if p == CARD else self._field(p) for p in paths])
        self.group_widgets[i] = widget
        if hasattr(self, "results"):  # after the first render: set the new widgets from the current case
            if key == "g_costs":
                self.costs.write(self.session.case)
                self.costs.relabel(self.lang)
            elif paths:
                with self._quiet():
                    for p in paths:
                        if p in self.fields:
                            self.fields[p].write(self.session.case, self.lang)
                self._relabel_inputs(paths)
                if CARD in paths:
                    self.card.relabel(self.lang)
                    self.card.write(self.session.case)
                    self._show_contract_kind()
            self._show_problems()
        children = list(self.accordion.children)
        children[i] = widget
        self.accordion.children = tuple(children)
        return widget

    def _card(self) -> w.Widget:
        """The rate-card table of the contract group."""
        self.card = CardTable(self)
        return self.card.widget

    def _show_contract_kind(self) -> None:
        """Show the metric and price inputs for a v1 contract, the card's editor for a rate card."""
        card = self.session.case.contract.outcomes is not None
        for p in ("contract.metric", "contract.price"):
            if p in self.fields:
                box = self.fields[p].box
                (box.add_class if card else box.remove_class)("sib-hidden")

    def _field(self, path: str) -> w.Widget:
        """Make the input for ``path`` with its parser (widget value, language -> case value) and writer."""
        kit = self.kit
        if path in SHARES:
            lo, hi, step = SHARES[path]
            wid = w.FloatSlider(min=lo, max=hi, step=step, readout=False, continuous_update=False,
                                layout=kit.layout(width="300px"), style=kit.style(w.SliderStyle))
            value: Callable[[Case], float] = {
                "outcome.relative_reduction": _implied_reduction, "outcome.drop_off": _implied_drop_off,
                "discounting.rate": lambda c: c.discounting if isinstance(c.discounting, float) else 0.035,
            }.get(path, lambda c: c.get(path))
            decimals = 2 if path == "discounting.rate" else 1

            def read_share(lang: str) -> float:
                return parse_number(path, round(float(wid.value), 6), lang, lo, hi)

            def write_share(c: Case, lang: str) -> str:
                wid.value = value(c)
                return fmt_share(wid.value, lang, decimals)
            f = Field(kit, path, wid, read_share, write_share)
        elif path in MONEY or path in INTS or path in LISTS or path in ("name", "contract.threshold", "contract.co_payers",
                                                                        "contract.guarantee"):
            wid = kit.text(width="300px" if path in ("name", "contract.co_payers") else "200px")

            def read_text(lang: str) -> Any:
                if path == "name":
                    return parse_text(path, wid.value)
                if path == "contract.co_payers":
                    return parse_co_payers(path, wid.value, lang)
                if path == "contract.guarantee":  # the amount; the guarantor's name is kept from the case
                    value = parse_value(path, wid.value, lang=lang)
                    by = (self.session.case.get(path) or {}).get("by")
                    return value if value is None or not by else {**value, "by": by}
                if path in INTS:
                    return parse_int(path, wid.value, lang)
                return parse_value(path, wid.value, lang=lang)

            def write_text(c: Case, lang: str) -> str:
                v = c.get(path)
                if path == "name":
                    wid.value = c.name_in(lang)
                elif path == "contract.co_payers":
                    wid.value = format_co_payers(v, lang)
                elif path == "contract.guarantee":
                    wid.value = "" if v is None else _money_text(v["amount"], lang)
                elif v is None:
                    wid.value = ""
                elif path in MONEY:
                    wid.value = _money_text(v, lang)
                else:
                    wid.value = format_list(v, lang)
                if v is None:
                    empty = {"contract.cap": "no_cap", "contract.cap_per_participant": "no_cap",
                             "contract.threshold": "no_threshold", "contract.co_payers": "co_payers_none",
                             "contract.guarantee": "no_guarantee"}.get(path)
                    return t(empty, lang) if empty else ""
                return fmt_share(v, lang) if path == "contract.threshold" else ""
            f = Field(kit, path, wid, read_text, write_text)
        elif path in ("contract.metric", "discounting"):
            keys = ("prevented_case", "success") if path == "contract.metric" else (*SCHEDULES, "constant")
            wid = kit.dropdown(width="220px")
            wid.options = [(k, k) for k in keys]

            def read_choice(lang: str) -> Any:
                if path == "discounting" and wid.value == "constant":
                    return self.fields["discounting.rate"].read(lang) if "discounting.rate" in self.fields else 0.035
                return parse_value(path, str(wid.value))

            def write_choice(c: Case, lang: str) -> str:
                v = c.get(path)
                wid.value = v if path == "contract.metric" or isinstance(v, str) else "constant"
                return ""
            f = Field(kit, path, wid, read_choice, write_choice)
        elif path == "contract.payers":
            # one box per public holder of the case: kommune, region, stat and the public holders it declares (a box
            # is made when a case first declares its holder, and kept)
            boxes: dict[str, w.Checkbox] = {}
            wid = kit.box(w.HBox, [], flex_flow="row wrap")
            wid.boxes = boxes  # type: ignore[attr-defined]

            def public(c: Case) -> list[str]:
                return [h for h, p in c.holder_perspectives().items() if p == "public"]

            def read_payers(lang: str) -> list[str]:
                shown = set(public(self.session.case))
                payers = [h for h, b in boxes.items() if b.value is True and h in shown]
                if not payers:
                    raise CaseError(Problem(path, [], "tick at least one payer", "app.no_payer"))
                return payers

            def write_payers(c: Case, lang: str) -> str:
                for h in public(c):
                    if h not in boxes:
                        boxes[h] = w.Checkbox(indent=False, layout=kit.layout(width="auto", min_width="110px"),
                                              style=kit.style(CheckboxStyle))
                        boxes[h].observe(lambda _ch: self._guard(path, lambda: self._on_field(path, path)), "value")
                    boxes[h].value = h in c.contract.payers
                    boxes[h].description = holder_text(c, h, lang)
                children = tuple(boxes[h] for h in public(c))
                if wid.children != children:
                    wid.children = children
                return ""
            f = Field(kit, path, wid, read_payers, write_payers)
        else:  # pragma: no cover - a programming error, caught by the tests
            raise KeyError(path)
        self.fields[path] = f
        target = "discounting" if path == "discounting.rate" else path
        watched = [] if path == "contract.payers" else [f.widget]  # the payers' boxes are watched as they are made
        for wid_ in watched:
            wid_.observe(lambda _ch, p=path, tgt=target: self._guard(p, lambda: self._on_field(p, tgt)), "value")
        return f.box

    # -- events ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _quiet(self):
        """Set widgets without their callbacks running."""
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    def _guard(self, key: str | None, action: Callable[[], None]) -> None:
        """Run a callback; refused input becomes a message beside its widget, anything else one at the top.

        ``key`` names the input (its messages go beside it); ``None`` or ``"upload"`` put them at the top.
        """
        if self._muted:
            return
        top = key in (None, "upload")
        if top:
            self._top, self._top_source = [], ""
        try:
            action()
        except CaseError as exc:
            if top:
                self._top, self._top_source = list(exc.problems), str(exc.source or "")[:120]
            else:
                self.session.refuse(key, exc)
        except Exception as exc:  # noqa: BLE001 - a user must never see a traceback
            p = Problem(key or "", f"{type(exc).__name__}: {exc}", "unexpected error", "app.unexpected")
            if top:
                self._top = [p]
            else:
                self.session.problems[key] = [p]
        try:
            self._show_problems()
        except Exception:  # noqa: BLE001
            pass

    def _on_field(self, path: str, target: str) -> None:
        if path == "discounting.rate" and self.fields["discounting"].widget.value != "constant":
            return
        value = self.fields[target].read(self.lang)
        if self.session.set(target, value, key=path):
            if target != path:
                self.session.problems.pop(target, None)
            with self._quiet():  # echo how the value was read ("150.000 kr.")
                self.fields[path].write(self.session.case, self.lang)
                if target != path:
                    self.fields[target].write(self.session.case, self.lang)
            self._render()

    def _set(self, path: str, value: Any) -> bool:
        if self.session.set(path, value):
            self._write_all()
            return True
        return False

    def _on_group(self, _change: Any = None) -> None:
        """Make an opened group's widgets (once) and put them into the page."""
        i = self.accordion.selected_index
        try:
            if isinstance(i, int) and 0 <= i < len(GROUPS):
                self._open_group(i)
        except Exception:  # noqa: BLE001 - a user must never see a traceback; the group stays empty
            pass

    def _on_language(self) -> None:
        self.lang = self.language.value if self.language.value in ("da", "en") else "da"
        self._write_all(render=False)  # boxes show numbers the new language's way
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
        try:
            case = case_from_upload(name, bytes(f["content"]))
        finally:
            with self._quiet():
                self.upload.value = ()  # the bytes are not kept
        self.session.load(case)
        self.source = "upload"
        self._note = "uploaded"
        self._note_keys = case.name_in(self.lang)
        self._write_all()

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

    def _write_all(self, render: bool = True) -> None:
        """Set every made widget from the session's case without triggering callbacks."""
        case = self.session.case
        with self._quiet():
            for f in self.fields.values():
                f.write(case, self.lang)
            if self.template.options:
                self.template.value = self.key if self.source == "template" else None
        if self.costs is not None:
            self.costs.write(case)
        if self.card is not None:
            self.card.write(case)
            self._show_contract_kind()
        if render:
            self._show_problems()
            self._render()

    def _relabel_inputs(self, only: tuple[str, ...] | None = None) -> None:
        """Label the made inputs (``only`` these paths, where given) in the page's language."""
        lang = self.lang
        with self._quiet():
            for p, f in self.fields.items():
                if only is None or p in only:
                    f.relabel(lang)
            if "contract.metric" in self.fields:
                metric = self.fields["contract.metric"].widget
                mv = metric.value
                metric.options = [(choice("contract.metric", k, lang), k) for k in ("prevented_case", "success")]
                metric.value = mv
            if "discounting" in self.fields:
                disc = self.fields["discounting"].widget
                dv = disc.value
                disc.options = [(choice("discounting", k, lang), k) for k in (*SCHEDULES, "constant")]
                disc.value = dv
            if "contract.payers" in self.fields:
                for h, b in self.fields["contract.payers"].widget.boxes.items():
                    b.description = holder_text(self.session.case, h, lang)
        if only is not None:
            return
        if self.costs is not None:
            self.costs.relabel(lang)
        if self.card is not None:
            self.card.relabel(lang)
        if self.uncertainty is not None:
            self.uncertainty.relabel(lang)

    def _relabel(self) -> None:
        lang = self.lang
        with self._quiet():
            self.language.value = lang
            self.title.value = (f'<h2 style="margin:4px 0">{escape(t("title", lang))}</h2>'
                                f'<p style="max-width:1100px">{escape(t("intro", lang))}</p>')
            options = [(template_name(p, lang), k) for k, p in self.paths.items()]
            if BLANK not in self.paths:
                options.append((t("blank", lang), BLANK))
            self.template.options = options
            self.template.value = self.key if self.source == "template" else None
            self.template.description = t("template", lang)
            self.template.tooltip = t("template_help", lang)
            self.upload.description = t("upload", lang)
            self.upload.tooltip = t("upload_help", lang)
            self.reset.description = t("reset", lang)
            self.accordion.titles = tuple(t(k, lang) for k, _ in GROUPS)
            self.excel_button.description = t("make_excel", lang)
            self.excel_link.value = ""
        self._relabel_inputs()
        self._write_all()

    def _show_problems(self) -> None:
        problems, lang = self.session.problems, self.lang
        for path, f in self.fields.items():
            msg = problems.get(path)
            f.show(problems_text(msg, lang) if msg else None)
        if self.costs is not None:
            self.costs.show(problems.get("costs_per_case", []))
        if self.card is not None:
            self.card.show(problems.get(CARD_KEY, []))
        # problems of inputs whose group is not open (a URL value, say) are shown at the top
        shown = {"costs_per_case"} | ({CARD_KEY} if self.card is not None else set())
        elsewhere = [p for k, v in problems.items() if k not in self.fields and k not in shown for p in v]
        top = self._top + elsewhere
        if top:
            source = f"{self._top_source}: " if self._top and self._top_source else ""
            self.top_message.value = self._error_html(source + problems_text(top, lang))
        elif self._note:
            self.top_message.value = self._note_html(t(self._note, lang, **({"keys": self._note_keys} if self._note == "query_loaded"
                                                                              else {"name": self._note_keys})))
        else:
            self.top_message.value = ""
        self._compose()

    def _error_html(self, text: str) -> str:
        return (f'<div style="color:#b00020;border:1px solid #b00020;padding:6px;margin:4px 0;overflow-wrap:anywhere;'
                f'max-height:12em;overflow-y:auto" role="alert">⚠ {escape(text)}</div>')

    def _note_html(self, text: str) -> str:
        return f'<div style="color:#1b5e20;border:1px solid #1b5e20;padding:6px;margin:4px 0;overflow-wrap:anywhere">{escape(text)}</div>'

    def _status_html(self) -> str:
        r, lang = self.session.result, self.lang
        cur = r.case.currency
        parts = []
        if self.session.stale:
            parts.append(f'<div class="sib-stale-note" style="color:#b00020;font-weight:bold">{escape(t("stale", lang))}</div>')
        if several_rows(r.case):
            parts.append(self._status_scale_html())
        elif r.corridor is not None:
            lo, hi = r.corridor
            price = r.case.contract.rows()[0].price  # a v1 price or the price of a card's one row
            parts.append(f'<div class="sib-deal" style="background:#e8f5e9;padding:8px">'
                         f'{escape(t("deal", lang, lo=fmt_money(lo, lang, cur), hi=fmt_money(hi, lang, cur)))} '
                         f'{escape(t("price_in" if lo <= price <= hi else "price_out", lang, price=fmt_money(price, lang, cur)))}</div>')
        elif r.cofunding_per_outcome is not None:
            parts.append(f'<div class="sib-nodeal" style="background:#ffebee;padding:8px">'
                         f'{escape(t("no_deal", lang, gap=fmt_money(r.cofunding_per_outcome, lang, cur)))}</div>')
        else:
            parts.append(f'<div class="sib-nodeal" style="background:#ffebee;padding:8px">{escape(t("no_outcomes", lang))}</div>')
        return "".join(parts)

    def _status_scale_html(self) -> str:
        """The status of a card of several rows, in factors on the card (1 = the card as written)."""
        r, lang = self.session.result, self.lang
        f = lambda v: fmt_figure("corridor_scale_low", v, lang)  # noqa: E731
        if r.corridor_scale is not None:
            lo, hi = r.corridor_scale
            return (f'<div class="sib-deal" style="background:#e8f5e9;padding:8px">{escape(t("deal_scale", lang, lo=f(lo), hi=f(hi)))} '
                    f'{escape(t("scale_in" if lo <= 1.0 <= hi else "scale_out", lang))}</div>')
        if r.investor_min_scale is not None and r.commissioner_max_scale is not None:
            return (f'<div class="sib-nodeal" style="background:#ffebee;padding:8px">'
                    f'{escape(t("no_deal_scale", lang, imin=f(r.investor_min_scale), cmax=f(r.commissioner_max_scale)))}</div>')
        return f'<div class="sib-nodeal" style="background:#ffebee;padding:8px">{escape(t("no_outcomes", lang))}</div>'

    def _budgets_html(self) -> str:
        """Each budget's effect by programme year, undiscounted (the payer's net, the other holders' savings, the
        co-payers' payments): a fold-out table, as in the report and the business-case notebook."""
        r, lang = self.session.result, self.lang
        frame = tables.net_budget_table(r, lang)
        head = "".join(f'<th style="text-align:right;padding-left:8px">{escape(str(c))}</th>' for c in frame.columns)
        body = "".join(
            f'<tr><td>{escape(str(year))}</td>'
            + "".join(f'<td style="text-align:right;padding-left:8px">{escape(str(v))}</td>' for v in row) + "</tr>"
            for year, row in zip(frame.index, frame.itertuples(index=False)))
        unit = text("net.title", lang) + f" ({r.case.currency}, {r.case.price_year})"
        return (f'<details class="sib-budgets"><summary>{escape(text("net.heading", lang))}</summary>'
                f'<div style="font-size:85%;color:#555">{escape(unit)}</div>'
                f'<table class="sib-table" style="table-layout:fixed;width:100%;font-size:85%;overflow-wrap:anywhere"><tr><th style="text-align:left">{escape(str(frame.index.name))}</th>{head}</tr>'
                f'{body}</table><div class="sib-chart-budgets">{charts.budget_chart(r, lang)}</div></details>')

    def _card_html(self) -> str:
        """A small table of the card: price and break-even prices by row (for a rate card)."""
        r, lang = self.session.result, self.lang
        if r.case.contract.outcomes is None:
            return ""
        be, cur = r.break_even_prices, r.case.currency
        cols = [("price", "k_price"), ("commissioner_max", "k_cmax"), ("public_sector_max", "k_pmax"),
                ("investor_min", "k_imin")]
        if "societal_max" in be.columns and not be["societal_max"].equals(be["public_sector_max"]):
            cols.insert(3, ("societal_max", "k_smax"))
        head = "".join(f'<th style="text-align:right;padding:1px 6px">{escape(t(k, lang))}</th>' for _, k in cols)
        rows = []
        for key, row in be.iterrows():
            cells = "".join(f'<td style="text-align:right;padding:1px 6px;white-space:nowrap" data-col="{c}">'
                            f'{escape(fmt_money(_finite(row.get(c)), lang, cur))}</td>' for c, _ in cols)
            rows.append(f'<tr class="sib-be-row" data-key="{escape(str(key))}"><td style="overflow-wrap:anywhere">'
                        f'{escape(str(row.get("label") or key))}</td>{cells}</tr>')
        return (f'<div class="sib-card-prices"><h4 style="margin:8px 0 2px">{escape(t("card_rows", lang))}</h4>'
                f'<div style="overflow-x:auto"><table class="sib-table" style="font-size:90%;border-collapse:collapse">'
                f'<tr><th style="text-align:left">{escape(t("k_label", lang))}</th>{head}</tr>{"".join(rows)}</table></div></div>')

    def _compose(self) -> None:
        """The results widget: status, key figures and charts in one HTML (faded while an input is refused)."""
        if not hasattr(self, "_body"):
            return
        stale = " sib-stale" if self.session.stale else ""
        self.results.value = (f'<div class="sib-status">{self._status_html()}</div>'
                              f'<div class="sib-shown{stale}">{self._body}</div>')

    def _render(self) -> None:
        """Key figures, charts, downloads and the share link from the session's last good result."""
        r, lang = self.session.result, self.lang
        cur = r.case.currency
        table = r.summary(lang)
        scale = several_rows(r.case)
        if scale:  # the card's prices have no single break-even price; the factors on the card speak
            table = table[~table["name"].isin(V1_PRICES)]
        by_name = {row.name: row for row in table.itertuples()}
        cards = []
        for name in card_names(r):
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
        figures = (
            f'<h3 style="margin:6px 0">{escape(t("results", lang))}</h3>{"".join(cards)}'
            f'<div style="font-size:85%;color:#555">{escape(t("price_year", lang, cur=cur, year=r.case.price_year))}</div>'
            f'<details><summary>{escape(t("all_figures", lang))}</summary><table class="sib-table">'
            f'<tr><th style="text-align:left">{escape(t("col_figure", lang))}</th><th>{escape(t("col_value", lang))}</th>'
            f'<th>{escape(t("col_unit", lang))}</th></tr>{rows}</table></details>{self._card_html()}'
            f'{self._budgets_html()}')
        self._body = (f'<div class="sib-figures">{figures}</div>'
                      f'<div class="sib-chart-corridor">{charts.corridor_chart(r, lang)}</div>'
                      f'<div class="sib-chart-savings">{charts.savings_chart(r, lang)}</div>'
                      f'<div class="sib-chart-cash">{charts.cash_chart(r, lang)}</div>')
        self._compose()
        share = self.session.query(self.key, lang) if self.source == "template" else "–"
        yaml_link = export.download_link(export.case_yaml(r), export.filename(r, "yaml"), export.YAML_TYPE,
                                         t("download_yaml", lang), "sib-yaml-link")
        self.keep.value = (f'<h3>{escape(t("g_keep", lang))}</h3><div class="sib-yaml">{yaml_link}</div>'
                           f'<div style="margin-top:6px">{escape(t("share", lang))}<br><small style="color:#555">'
                           f'{escape(t("share_help", lang))}</small></div>'
                           f'<textarea class="sib-share" readonly rows="3" style="width:95%;font-family:monospace">'
                           f'{escape(share)}</textarea>')
        self.share = share
        self.excel_link.value = ""
        if self.costs is not None:
            self.costs.render()
        if self.card is not None:
            self.card.render()
        if self.uncertainty is not None:
            self.uncertainty.mark_stale()

    # -- for tests and the benchmark -------------------------------------------------------------------

    def open_all_groups(self) -> None:
        """Make every group's widgets (as a user opening each group in turn would)."""
        for i in range(len(GROUPS)):
            self._open_group(i)


def _finite(v: Any) -> float | None:
    return None if v is None or v != v else float(v)


def show(lang: str = "da", query: str | None = None, app: App | None = None) -> App:
    """Build and display the app (in a notebook or Voilà); ``query`` defaults to Voilà's ``QUERY_STRING``;
    ``app``: one already built (see :func:`sibmodel.app.show`)."""
    app = app or App(lang, query)
    display(HTML(_STYLE + _UPLOAD_LIMIT_JS))
    display(app.widget)
    return app


_STYLE = """<style>
.sib-stale { opacity: 0.55; }
.sib-app .widget-label, .sib-app .widget-html { overflow: visible; }
.sib-app .widget-html-content { white-space: normal; max-width: 100%; line-height: 1.4; }
.sib-help small { display: block; margin: -4px 0 6px 4px; }
.sib-message { min-width: 0; }
.sib-message .widget-html-content { overflow-wrap: anywhere; }
.sib-table td, .sib-table th { padding: 1px 4px; }
.sib-hidden { display: none !important; }
.sib-cost-item select { max-width: 100%; }
.sib-app .widget-inline-hbox .widget-label { max-width: none; }
</style>"""

#: The upload widget has no size limit in the browser: this refuses a file over the limit in the file picker,
#: before any byte is sent to the kernel, and says so beside the button (the kernel checks again).
_UPLOAD_LIMIT_JS = """<script>
(function () {
  // ipywidgets' FileUpload reads the chosen file from a file input that is not in the page, so its 'change'
  // event cannot be caught from the document: when the upload button is clicked, the click on that hidden
  // input is intercepted to put a size check in front of the widget's own reading of the file.
  if (window.sibUploadLimit) return;
  window.sibUploadLimit = %d;
  let armed = 0;
  function refuse(file) {
    const lang = ((document.querySelector('.sib-lang .mod-active') || {}).textContent || '').trim() === 'English' ? 'en' : 'da';
    const kb = Math.round(window.sibUploadLimit / 1024), size = Math.round(file.size / 1024);
    const name = file.name.slice(0, 80);
    const text = lang === 'da'
      ? 'Sagsfilen "' + name + '" er for stor (' + size + ' kB; højst ' + kb + ' kB). Den er ikke sendt.'
      : 'The case file "' + name + '" is too large (' + size + ' kB; at most ' + kb + ' kB). It was not sent.';
    let box = document.querySelector('.sib-upload-refused');
    if (!box) {
      box = document.createElement('div');
      box.className = 'sib-upload-refused';
      box.setAttribute('role', 'alert');
      box.style.cssText = 'color:#b00020;border:1px solid #b00020;padding:6px;margin:4px 0;overflow-wrap:anywhere';
      const top = document.querySelector('.sib-top-message');
      if (top && top.parentNode) top.parentNode.insertBefore(box, top); else document.body.prepend(box);
    }
    box.textContent = '\\u26a0 ' + text;
  }
  function guard(ev) {
    const files = Array.from(ev.target.files || []);
    const big = files.find(function (f) { return f.size > window.sibUploadLimit; });
    if (!big) return;
    ev.stopImmediatePropagation();
    ev.target.value = '';
    refuse(big);
  }
  document.addEventListener('click', function (ev) {
    if (ev.target && ev.target.closest && ev.target.closest('.sib-upload')) {
      armed = Date.now();
      const box = document.querySelector('.sib-upload-refused');
      if (box) box.remove();
    }
  }, true);
  const click = HTMLInputElement.prototype.click;
  HTMLInputElement.prototype.click = function () {
    if (this.type === 'file' && Date.now() - armed < 2000 && !this.sibGuarded) {
      this.sibGuarded = true;
      this.addEventListener('change', guard, true);  // at the target, capturing listeners run first
    }
    return click.apply(this, arguments);
  };
})();
</script>"""


def _upload_js() -> str:
    from .state import MAX_UPLOAD_BYTES

    return _UPLOAD_LIMIT_JS.replace("%d", str(MAX_UPLOAD_BYTES))


_UPLOAD_LIMIT_JS = _upload_js()
