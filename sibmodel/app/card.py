"""The rate card in the app: one HTML table of the card's rows and a small editor for the chosen row.

Same pattern as the cost table: the rows are shown in one HTML widget; a handful of inputs edit the chosen row
(add, change, remove). Every value is parsed in the page's language and validated by the case model; a refused
value is shown beside the editor (problem key ``contract.outcomes``) and the last good result stays. A v1
contract (one ``metric`` and ``price``) keeps its own inputs; where its card would give the same results (the
persistence of year 0 is 1) a button turns it into a card of one row.
"""
from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..case import Case
from ..errors import CaseError, Problem
from .inputs import format_number_input, parse_int, parse_number, parse_text
from .kit import error_html
from .texts import fmt_money, fmt_share, problems_text, t

if TYPE_CHECKING:  # pragma: no cover
    from .widgets import App

KEY = "contract.outcomes"  #: where the card's problems are kept
PAYS = ("prevented", "success", "own")
PAID_FOR = ("improvement", "all")


def can_convert(case: Case) -> bool:
    """True if ``case`` has a v1 contract whose one-row card gives the same results (persistence in year 0 is 1)."""
    o = case.outcome
    p0 = 1.0 if o.drop_off is not None else float((o.persistence or [1.0])[0])
    return case.contract.outcomes is None and abs(p0 - 1.0) < 1e-12


def as_card(case: Case) -> dict[str, Any]:
    """The contract of a v1 ``case`` as a rate card of one row (``metric`` and ``price`` become the row)."""
    c = case.contract.model_dump(exclude_none=True)
    metric, price = c.pop("metric", "prevented_case"), c.pop("price")
    c["outcomes"] = [{"key": metric, "pays": "prevented" if metric == "prevented_case" else "success", "year": 0, "price": price}]
    return c


class CardTable:
    """The rate-card rows: one HTML table, and an editor for the chosen row (add, change, remove)."""

    def __init__(self, app: App):
        self.app = app
        kit = app.kit
        self.rows: list[dict[str, Any]] = []
        self.help = kit.html("", "sib-help")
        self.table = kit.html("", "sib-card-table", width="100%")
        self.convert = kit.button("table", "sib-card-convert", width="auto")
        dw = "initial"
        self.pick = kit.dropdown("sib-card-pick", description_width=dw, width="auto", min_width="180px")
        self.key = kit.text("sib-card-key", description_width=dw, width="230px")
        self.label = kit.text("sib-card-label", description_width=dw, width="100%")
        self.pays = kit.dropdown("sib-card-pays", description_width=dw, width="250px")
        self.year = kit.text("sib-card-year", description_width=dw, width="210px")
        self.price = kit.text("sib-card-price", description_width=dw, width="230px")
        self.baseline = kit.text("sib-card-baseline", description_width=dw, width="230px")
        self.treated = kit.text("sib-card-treated", description_width=dw, width="230px")
        self.paid_for = kit.dropdown("sib-card-paid-for", description_width=dw, width="260px")
        self.add = kit.button("plus", "sib-card-add", width="auto")
        self.remove = kit.button("trash", "sib-card-remove", width="auto")
        self.message = kit.html("", "sib-message")
        self.inputs = (self.key, self.label, self.pays, self.year, self.price, self.baseline, self.treated, self.paid_for)
        self.pick.observe(lambda _: app._guard(None, self._on_pick), "value")
        for wid in self.inputs:
            wid.observe(lambda _: app._guard(KEY, self.commit), "value")
        self.add.on_click(lambda _: app._guard(KEY, self._add_row))
        self.remove.on_click(lambda _: app._guard(KEY, self._remove_row))
        self.convert.on_click(lambda _: app._guard(KEY, self._convert))
        wrap = {"flex_flow": "row wrap", "align_items": "center", "width": "100%"}
        self.own = kit.box(w.HBox, [self.baseline, self.treated, self.paid_for], **wrap)
        self.editor = kit.box(w.VBox, [
            kit.box(w.HBox, [self.pick, self.add, self.remove], **wrap),
            kit.box(w.HBox, [self.key, self.pays, self.year, self.price], **wrap),
            self.label, self.own, self.message], "sib-card-editor", border="1px solid #ccc", padding="4px", width="100%")
        self.widget = kit.box(w.VBox, [self.help, self.table, self.convert, self.editor], "sib-card", width="100%")

    # -- reading --------------------------------------------------------------------------------------

    def _row(self) -> int | None:
        i = self.pick.value
        return i if isinstance(i, int) and 0 <= i < len(self.rows) else None

    def read(self) -> dict[str, Any]:
        """The chosen row as the editor shows it (numbers parsed in the page's language)."""
        i, lang = self._row(), self.app.lang
        path = f"{KEY}.{i}"
        pays = self.pays.value
        if pays not in PAYS:
            raise CaseError(Problem(f"{path}.pays", pays, "must be one of prevented, success, own", "app.choice",
                                    {"allowed": ", ".join(PAYS)}))
        row: dict[str, Any] = {"key": parse_text(f"{path}.key", self.key.value).strip(),
                               "label": parse_text(f"{path}.label", self.label.value), "pays": pays,
                               "year": parse_int(f"{path}.year", self.year.value, lang, 0, 200),
                               "price": parse_number(f"{path}.price", self.price.value, lang, 0.0)}
        if pays == "own":
            if str(self.baseline.value).strip():
                row["baseline_rate"] = parse_number(f"{path}.baseline_rate", self.baseline.value, lang, 0.0, 1.0)
            row["treated_rate"] = parse_number(f"{path}.treated_rate", self.treated.value, lang, 0.0, 1.0)
            paid_for = self.paid_for.value
            if paid_for not in PAID_FOR:
                raise CaseError(Problem(f"{path}.paid_for", paid_for, "must be improvement or all", "app.choice",
                                        {"allowed": ", ".join(PAID_FOR)}))
            row["paid_for"] = paid_for
        return row

    def commit(self) -> None:
        i = self._row()
        if i is None:
            return
        self._enable()
        rows = [dict(x) for x in self.rows]
        rows[i] = self.read()
        self.app._set(KEY, rows)

    def _add_row(self) -> None:
        keys = {r["key"] for r in self.rows}
        n = len(self.rows) + 1
        while f"row_{n}" in keys:
            n += 1
        rows = [*self.rows, {"key": f"row_{n}", "pays": "prevented", "year": 0, "price": 0.0}]
        if self.app._set(KEY, rows):
            self._select(len(rows) - 1)

    def _remove_row(self) -> None:
        i = self._row()
        if i is None or len(self.rows) < 2:
            return
        rows = [x for k, x in enumerate(self.rows) if k != i]
        if self.app._set(KEY, rows):
            self._select(min(i, len(rows) - 1))

    def _convert(self) -> None:
        case = self.app.session.case
        if can_convert(case):
            self.app.session.problems.pop("contract.price", None)
            if self.app._set("contract", as_card(case)):
                self._select(0)

    def _on_pick(self) -> None:
        self._load_editor()
        self.render()

    # -- writing --------------------------------------------------------------------------------------

    def write(self, case: Case) -> None:
        """Take the rows from ``case`` (the last good one) and show them; the chosen row stays chosen."""
        self.rows = [r.model_dump(exclude_none=True) for r in case.contract.outcomes or []]
        card = bool(self.rows)
        for wid, show in ((self.editor, card), (self.convert, not card and can_convert(case))):
            (wid.remove_class if show else wid.add_class)("sib-hidden")
        self._select(self._row() if self._row() is not None else 0)

    def _select(self, i: int) -> None:
        with self.app._quiet():
            self.pick.options = [(f"{k + 1}: {(r.get('label') or r['key'])[:60]}", k) for k, r in enumerate(self.rows)]
            self.pick.value = i if 0 <= i < len(self.rows) else None
        self._load_editor()
        self.render()

    def _load_editor(self) -> None:
        i, lang = self._row(), self.app.lang
        row = self.rows[i] if i is not None else {"key": "", "pays": "prevented", "year": 0, "price": 0.0}
        with self.app._quiet():
            self.key.value = str(row.get("key", ""))
            self.label.value = str(row.get("label", ""))
            self.pays.value = row.get("pays", "prevented")
            self.year.value = str(row.get("year", 0))
            self.price.value = format_number_input(float(row.get("price", 0.0)), lang)
            b = row.get("baseline_rate")
            self.baseline.value = "" if b is None else format_number_input(float(b), lang)
            self.treated.value = format_number_input(float(row.get("treated_rate", 0.0)), lang)
            self.paid_for.value = row.get("paid_for", "improvement")
        self._enable()

    def _enable(self) -> None:
        own = self.pays.value == "own"
        (self.own.remove_class if own else self.own.add_class)("sib-hidden")
        none = self._row() is None
        for wid in self.inputs:
            wid.disabled = none
        self.remove.disabled = none or len(self.rows) < 2

    def render(self) -> None:
        """The table of the rows (the chosen one highlighted) with paid outcomes and break-even prices by row."""
        lang, r = self.app.lang, self.app.session.result
        cur = r.case.currency
        if r.case.contract.outcomes is None:
            self.table.value = f'<small style="color:#555">{escape(t("k_v1", lang))}</small>'
            return
        be = r.break_even_prices
        paid = r.paid_outcomes_by_row
        cols = [t(k, lang) for k in ("k_label", "k_pays", "k_year", "k_price", "k_paid", "k_cmax", "k_imin")]
        head = "".join(f'<th style="text-align:{"left" if k < 2 else "right"};padding:2px 6px">{escape(c)}</th>'
                       for k, c in enumerate(cols))
        out = []
        for k, row in enumerate(self.rows):
            key = row["key"]
            own = ""
            if row.get("pays") == "own":
                own = (f' ({fmt_share(row.get("baseline_rate", 0.0), lang)} → {fmt_share(row.get("treated_rate"), lang)}, '
                       f'{t("k_" + row.get("paid_for", "improvement"), lang)})')
            cells = [(row.get("label") or key), t("k_" + row.get("pays", "prevented"), lang) + own, str(row.get("year", 0)),
                     fmt_money(row.get("price"), lang, cur),
                     _num(paid.get(key) if key in paid.index else None, lang),
                     fmt_money(_get(be, key, "commissioner_max"), lang, cur), fmt_money(_get(be, key, "investor_min"), lang, cur)]
            tds = "".join(f'<td style="text-align:{"left" if j < 2 else "right"};padding:2px 6px;'
                          f'{"overflow-wrap:anywhere;min-width:10em" if j == 0 else "white-space:nowrap"}">{escape(c)}</td>'
                          for j, c in enumerate(cells))
            chosen = ' style="background:#e3f2fd"' if k == self._row() else ""
            out.append(f'<tr class="sib-card-row sib-card-row-{k}" data-key="{escape(key)}"{chosen}>'
                       f'<td style="padding:2px 4px">{k + 1}</td>{tds}</tr>')
        self.table.value = (f'<div style="overflow-x:auto;max-width:100%"><table class="sib-table" style="border-collapse:collapse;'
                            f'width:100%;font-size:90%"><tr><th>#</th>{head}</tr>{"".join(out)}</table></div>')

    def relabel(self, lang: str) -> None:
        self.help.value = f'<small style="color:#555">{escape(t("k_help", lang))}</small>'
        with self.app._quiet():
            pv, fv = self.pays.value, self.paid_for.value
            self.pays.options = [(t("k_" + p, lang), p) for p in PAYS]
            self.pays.value = pv if pv in PAYS else "prevented"
            self.paid_for.options = [(t("k_" + p, lang), p) for p in PAID_FOR]
            self.paid_for.value = fv if fv in PAID_FOR else "improvement"
            for wid, key in ((self.pick, "k_row"), (self.key, "k_key"), (self.label, "k_label"), (self.pays, "k_pays"),
                             (self.year, "k_year"), (self.price, "k_price"), (self.baseline, "k_baseline"),
                             (self.treated, "k_treated"), (self.paid_for, "k_paid_for")):
                wid.description = t(key, lang)
            self.add.description = t("k_add", lang)
            self.remove.description = t("k_remove", lang)
            self.convert.description = t("k_convert", lang)
        self._select(self._row() if self._row() is not None else 0)

    def show(self, problems: list[Problem]) -> None:
        self.message.value = error_html(problems_text(problems, self.app.lang)) if problems else ""


def _get(frame: Any, key: str, col: str) -> float | None:
    try:
        v = frame.at[key, col]
    except KeyError:
        return None
    return None if v is None or v != v else float(v)


def _num(v: Any, lang: str) -> str:
    from .texts import fmt_number

    return fmt_number(None if v is None or v != v else float(v), lang, 1)
