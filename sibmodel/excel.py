"""The business case as an Excel workbook whose results are live formulas over an inputs sheet.

An auditor changes an input (a blue cell) and every deterministic result moves: discount factors, savings by
year and budget holder, intervention cost, outcome payments (with the cap cutting the latest payments first),
the investor's cash flow, IRR, money multiple, payback, and the break-even prices and corridor. The formulas
follow ``docs/model.md``; money is in the case's currency and price year.

The *layout* of the timeline (number of enrolment years, horizon J, onset lag L, delivery years, payment lag)
is structural: it is fixed when the workbook is written and shown in grey; change it in the case file and
export again. ``write_workbook`` returns a :class:`Layout` naming the cell of every result, so tests (and
other tools) can read the recalculated values back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter as col
from openpyxl.workbook.defined_name import DefinedName

import re

from .case import Case
from .costs import catalogue, price_index, resolve_costs
from .discount import SCHEDULES
from .errors import CaseError, Problem
from .i18n import check_lang, discount_label, holder_label, label, text, unit, unit_text
from .model import evaluate

#: Defined names that differ from the result name (``price`` would shadow Excel's PRICE function).
_DEFINED = {"price": "price_per_outcome"}

#: Inputs sheet names -> the case's dotted paths (to note inputs that are distributions).
_INPUT_PATHS = {
    "baseline_rate": "outcome.baseline_rate", "relative_reduction": "outcome.relative_reduction",
    "treated_rate": "outcome.treated_rate", "drop_off": "outcome.drop_off",
    "attribution": "adjustments.attribution", "displacement": "adjustments.displacement",
    "optimism_bias": "adjustments.optimism_bias", "cost_per_participant": "intervention.cost_per_participant",
    "contract_price": "contract.price", "contract_cap": "contract.cap", "investor_share": "contract.investor_share",
    "required_return": "contract.investor_required_return",
}

NA = "n/a"  #: what a cell shows where the model's result is None (no outcomes paid, no IRR, ...)

_INPUT = Font(color="1F4E9E")
_INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")
_STRUCT_FILL = PatternFill("solid", fgColor="E7E6E6")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_MONEY = "#,##0.00"
_RATE = "0.0000%"
_NUM = "0.000000"

#: Series written by year on the workbook, and their cash_flows column in ``evaluate``'s result.
CASH_FLOW_ROWS = ("intervention_cost", "investor_financed", "commissioner_fee", "paid_outcomes",
                  "outcome_payments", "investor_cash_flow", "discount_factor", "investor_discount_factor",
                  "co_payer_payments", "commissioner_payments", "intermediary_fees_commissioner",
                  "intermediary_fees_investor", "guarantee")


_CELL_LIKE = re.compile(r"^([a-z]{1,3}[0-9]+|r[0-9]*c[0-9]*|r|c)$", re.IGNORECASE)


def check_supported(case: Case) -> None:
    """Refuse, with one :class:`CaseError` naming the field, a holder whose key a spreadsheet would read as a
    cell reference (``kb1``, ``r2c3``): each holder's savings are a defined name ``pv_savings_<holder>``. Every
    element of a case (a rate card of any rows, incurred items, declared and non-public holders, threshold,
    co-payers, caps in total and per participant, fees, guarantee) is in the workbook as live formulas."""
    bad = sorted(h for h in case.holder_names() if _CELL_LIKE.match(h))
    if bad:
        raise CaseError(Problem("holders", bad, "a holder key must not read as a spreadsheet cell reference "
                                "(letters then digits, e.g. kb1); allowed: a name such as kommune_job"))


@dataclass
class Layout:
    """Where each result lives: ``scalars[name] = "Sheet!$B$3"`` (key figures, ``item_savings_<i>``);
    ``rows[name] = "Sheet!$B$5:$L$5"`` (``savings_<holder>_by_year`` and ``<cash_flows column>_by_year``)."""

    scalars: dict[str, str] = field(default_factory=dict)
    rows: dict[str, str] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)


def _ref(sheet: str, c: int, r: int, absolute: bool = True) -> str:
    s = f"'{sheet}'!" if sheet else ""
    return f"{s}${col(c)}${r}" if absolute else f"{s}{col(c)}{r}"


def _range(sheet: str, c0: int, r0: int, c1: int, r1: int) -> str:
    s = f"'{sheet}'!" if sheet else ""
    return f"{s}${col(c0)}${r0}:${col(c1)}${r1}"


def inert_text(wb: Workbook, formulas: set[tuple[str, str]]) -> int:
    """Every cell openpyxl would store as a formula but that is not one of ``formulas`` (sheet, cell) is stored
    as text: user text such as ``=HYPERLINK(...)`` never becomes a formula (OWASP CSV/formula injection).
    Returns the number of cells made text."""
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and (ws.title, cell.coordinate) not in formulas:
                    cell.data_type = "s"
                    n += 1
    return n


class _Book:
    """What every sheet step shares: the case, the language, the workbook and its layout, and the helpers that
    write a cell, a named scalar or a header. The steps are functions that take the book and what earlier steps
    returned, and return the cell references the next steps need."""

    def __init__(self, case: Case, lang: str):
        check_supported(case)
        self.case, self.lang = case, check_lang(lang)
        self.wb = Workbook()
        self.layout = Layout()
        self.result = evaluate(case)
        self.items = resolve_costs(case)
        self.T = len(self.result.cash_flows)
        self.holders = list(self.result.savings_by_year.columns)            # kommune, region, stat, then the case's own
        self.public = {h: p == "public" for h, p in self.result.holder_perspectives.items()}
        self.E = len(case.cohort.participants)
        self.J = case.outcome.horizon_years
        self.formulas: set[tuple[str, str]] = set()  # (sheet, cell) of the formulas this writer wrote

    # -- helpers ----------------------------------------------------------------------------------------
    def w(self, key: str, **params: Any) -> str:
        """A text of the workbook in its language (``workbook.<key>`` in the catalogue)."""
        return text(f"workbook.{key}", self.lang, **params)

    def unit_word(self, unit_: str) -> str:
        """A unit on the sheets in the workbook's language: a unit code (``share``, ``per year``, ``outcomes``,
        ``money_per_outcome``), the currency, or ``year``/``text``."""
        codes = {"share": "share", "per year": "per_year", "outcomes": "outcomes", "money_per_outcome": "money_per_outcome",
                 self.case.currency: "money"}
        if unit_ in codes:
            return unit_text(codes[unit_], self.lang, self.case.currency)
        if unit_ in ("year", "text"):
            return self.w(f"u_{unit_}")
        return unit_

    def holder_name(self, h: str) -> str:
        """A holder's name in the workbook's language (a declared holder's own label where the case gives one)."""
        spec = (self.case.holders or {}).get(h)
        own = spec and (spec.label_da if self.lang == "da" else spec.label_en)
        return own or holder_label(h, self.lang)

    def lab(self, path: str) -> str:
        """An input's label in the workbook's language, with its dotted path in the case file."""
        return f"{label(path, self.lang)} ({path})"

    def name(self, name: str, ref: str) -> None:
        self.wb.defined_names[name] = DefinedName(name, attr_text=ref)

    def put(self, ws, r: int, c: int, value: Any, *, kind: str = "formula", fmt: str | None = None):
        cell = ws.cell(row=r, column=c, value=value)
        if isinstance(value, str) and value.startswith("="):
            self.formulas.add((ws.title, cell.coordinate))
        if kind == "input":
            cell.font, cell.fill = _INPUT, _INPUT_FILL
        elif kind == "struct":
            cell.fill = _STRUCT_FILL
        if fmt:
            cell.number_format = fmt
        return cell

    def scalar(self, ws, r: int, lab: str, value: Any, name: str, *, kind: str = "input", fmt: str | None = None,
               unit_: str = "", note: str = "", result: bool = False) -> str:
        ws.cell(row=r, column=1, value=lab)
        self.put(ws, r, 2, value, kind=kind, fmt=fmt)
        ws.cell(row=r, column=3, value=self.unit_word(unit_))
        ws.cell(row=r, column=4, value=name)
        if note:
            ws.cell(row=r, column=5, value=note)
        path = _INPUT_PATHS.get(name)
        dist = self.case.distributions.get(path) if path else None
        if dist is not None:
            ws.cell(row=r, column=5, value=self.w("uncertain", spec=dist.spec))
        ref = _ref(ws.title, 2, r)
        self.name(_DEFINED.get(name, name), ref)
        if result:
            self.layout.scalars[name] = ref
        return name

    @staticmethod
    def validate(ws, cells: str, kind: str, **kwargs: Any) -> None:
        """Excel data validation on input cells (a list of allowed texts, or whole numbers in a range)."""
        from openpyxl.worksheet.datavalidation import DataValidation

        dv = DataValidation(type=kind, allow_blank=False, showErrorMessage=True, **kwargs)
        ws.add_data_validation(dv)
        dv.add(cells)

    def year_header(self, ws, r: int, c0: int, n: int, text: str) -> None:
        ws.cell(row=r, column=1, value=text).font = _BOLD
        for t in range(n):
            ws.cell(row=r, column=c0 + t, value=t).font = _BOLD


@dataclass(frozen=True)
class _Inputs:
    """Cells of the inputs sheet that later sheets refer to."""

    sheet: str
    payers: str                 #: range of the payer flags (1/0 by holder)
    bands: str                  #: range of the discount bands (first year, rate)
    participants_row: int
    fixed_row: int
    fixed_n: int                #: number of programme years with a fixed cost
    persistence_row: int
    persistence: str            #: range of persistence by relative year
    card: tuple = ()            #: per card row: (price cell, paid-per-participant cell, year)
    fee_rows: tuple = ()        #: rows of the fees by programme year (commissioner, investor)

    def participants(self, e: int) -> str:
        """The cell of the participants enrolling in programme year ``e``."""
        return _ref(self.sheet, 2 + e, self.participants_row)


@dataclass(frozen=True)
class _Items:
    """The cost items on the unit-costs sheet (rows ``first`` .. ``last``)."""

    sheet: str
    n: int
    holders: str
    costs: str
    cashable: str
    q0: int                     #: first column of the quantities by relative year
    first: int
    last: int
    sign: str = ""              #: range of +1 (avoided) / -1 (incurred) by item

    def q(self, j: int) -> str:
        """The range of every item's quantity in relative year ``j``."""
        return _range(self.sheet, self.q0 + j, self.first, self.q0 + j, self.last)


@dataclass(frozen=True)
class _Savings:
    """Cells of the savings sheet that the cash-flow and prices sheets refer to."""

    sheet: str
    df_row: int
    df: str
    flow_rows: dict[str, int]
    per_case: dict[str, str]    #: savings per prevented case by holder (cell)
    prevented: str              #: prevented cases by enrolment year (range)
    sav_rows: dict[str, int]
    payer_savings_row: int


def _build(case: Case, lang: str, simulation: pd.DataFrame | None, note: str = "") -> _Book:
    """The workbook, sheet by sheet; each step gets what the earlier ones returned."""
    b = _Book(case, lang)
    readme = b.wb.active
    readme.title = b.w("readme")
    inp = _inputs(b)
    items = _unit_costs(b)
    sav = _savings(b, inp, items)
    cf = _cashflow(b, inp, sav)
    _prices(b, inp, sav, cf)
    if simulation is not None:
        _simulation(b, simulation, note)
    _readme(b, readme)
    for ws in b.wb.worksheets:
        ws.column_dimensions["A"].width = 46
        ws.freeze_panes = None
    inert_text(b.wb, b.formulas)
    return b


def _readme(b: _Book, ws) -> None:
    from . import __version__
    c = b.case
    lines = [
        (c.name_in(b.lang), _TITLE), (f"{c.area or ''}", None), ("", None),
        (b.w("blue"), None), (b.w("grey"), None), (b.w("black"), None),
        (b.w("money", cur=c.currency, year=c.price_year), None), (b.w("not_in"), None), ("", None),
        (b.w("generated", version=__version__), None),
    ]
    for i, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=text)
        if font:
            cell.font = font
    r = len(lines) + 2
    for key, title in b.layout.sheets.items():
        ws.cell(row=r, column=1, value=title)
        r += 1
    ws.column_dimensions["A"].width = 110


def _inputs(b: _Book) -> _Inputs:
    c, o, iv, k = b.case, b.case.outcome, b.case.intervention, b.case.contract
    ws = b.wb.create_sheet(b.w("inputs"))
    b.layout.sheets["inputs"] = ws.title
    S = ws.title
    ws.cell(row=1, column=1, value=c.name_in(b.lang)).font = _TITLE
    for i, h in enumerate(("", b.w("h_value"), b.w("h_unit"), b.w("h_name"), b.w("h_note")), start=1):
        if h:
            ws.cell(row=2, column=i, value=h).font = _BOLD
    r = 3
    b.scalar(ws, r, b.lab("price_year"), c.price_year, "price_year", unit_="year"); r += 1
    b.scalar(ws, r, b.lab("outcome.baseline_rate"), o.baseline_rate, "baseline_rate", fmt=_NUM, unit_="share"); r += 1
    if o.treated_rate is not None:
        b.scalar(ws, r, b.lab("outcome.treated_rate"), o.treated_rate, "treated_rate", fmt=_NUM, unit_="share"); r += 1
        b.scalar(ws, r, b.w("rr_formula"), "=IF(baseline_rate>0,1-treated_rate/baseline_rate,0)",
                    "relative_reduction", kind="formula", fmt=_NUM, unit_="share"); r += 1
    else:
        b.scalar(ws, r, b.lab("outcome.relative_reduction"), o.relative_reduction, "relative_reduction", fmt=_NUM, unit_="share"); r += 1
        b.scalar(ws, r, b.w("p1_formula"), "=baseline_rate*(1-relative_reduction)",
                    "treated_rate", kind="formula", fmt=_NUM, unit_="share"); r += 1
    a = c.adjustments
    b.scalar(ws, r, b.lab("adjustments.attribution"), a.attribution, "attribution", fmt=_NUM, unit_="share"); r += 1
    b.scalar(ws, r, b.lab("adjustments.displacement"), a.displacement, "displacement", fmt=_NUM, unit_="share"); r += 1
    b.scalar(ws, r, b.lab("adjustments.optimism_bias"), a.optimism_bias, "optimism_bias", fmt=_NUM, unit_="share"); r += 1
    b.scalar(ws, r, b.w("adjustment"), "=attribution*(1-displacement)*(1-optimism_bias)",
                "adjustment_factor", kind="formula", fmt=_NUM, unit_="share"); r += 1
    b.scalar(ws, r, b.lab("intervention.cost_per_participant"), iv.cost_per_participant,
                "cost_per_participant", fmt=_MONEY, unit_=c.currency); r += 1
    v1 = k.outcomes is None
    if v1:
        b.scalar(ws, r, b.lab("contract.metric"), k.metric or "prevented_case", "metric", unit_="text")
        b.validate(ws, f"B{r}", "list", formula1='"prevented_case,success"'); r += 1
        b.scalar(ws, r, b.lab("contract.price"), k.price, "contract_price", fmt=_MONEY,
                    unit_="money_per_outcome"); r += 1
    b.scalar(ws, r, b.w("threshold"), k.threshold, "threshold", fmt=_NUM,
             unit_="share"); r += 1
    b.scalar(ws, r, b.w("threshold_met"),
             '=IF(threshold="",1,IF(IF(baseline_rate>0,(baseline_rate-treated_rate)/baseline_rate,0)'
             '>=threshold-1E-12,1,0))', "threshold_met", kind="formula", unit_="share"); r += 1
    b.scalar(ws, r, b.w("guarantee_amount"), None if k.guarantee is None else k.guarantee.amount, "guarantee_amount",
             fmt=_MONEY, unit_=c.currency); r += 1
    b.scalar(ws, r, b.lab("contract.cap"), k.cap, "contract_cap", fmt=_MONEY,
                unit_=c.currency); r += 1
    b.scalar(ws, r, b.w("cap_pp"), k.cap_per_participant, "cap_per_participant", fmt=_MONEY,
             unit_=c.currency); r += 1
    b.scalar(ws, r, b.lab("contract.investor_share"), k.investor_share, "investor_share",
                fmt=_NUM, unit_="share"); r += 1
    b.scalar(ws, r, b.lab("contract.investor_required_return"), k.real_required_return,  # real terms, as the model uses it
                "required_return", fmt=_RATE, unit_="per year"); r += 1
    r += 1
    ws.cell(row=r, column=1, value=b.w("payers")).font = _BOLD; r += 1
    payer_first = r
    ws.cell(row=payer_first - 1, column=3, value=b.w("public_flag")).font = _BOLD
    for h in b.holders:
        ws.cell(row=r, column=1, value=f"{h} ({b.holder_name(h)})")
        b.put(ws, r, 2, 1 if h in k.payers else 0, kind="input")
        b.put(ws, r, 3, 1 if b.public[h] else 0, kind="struct")
        r += 1
    b.validate(ws, f"B{payer_first}:B{r - 1}", "whole", operator="between", formula1="0", formula2="1")
    payers = _range(S, 2, payer_first, 2, r - 1)
    b.name("payer_flags", payers)
    b.name("public_flags", _range(S, 3, payer_first, 3, r - 1))
    r += 1
    # Co-payers: each pays a share of every outcome payment; public (1) or not (0).
    ws.cell(row=r, column=1, value=b.w("co_payers")).font = _BOLD
    ws.cell(row=r, column=2, value=b.w("co_share")).font = _BOLD
    ws.cell(row=r, column=3, value=b.w("co_public")).font = _BOLD
    r += 1
    co_first = r
    for cp in k.co_payers or []:
        ws.cell(row=r, column=1, value=cp.name)
        b.put(ws, r, 2, cp.share, kind="input", fmt=_NUM)
        b.put(ws, r, 3, 1 if cp.public else 0, kind="input")
        r += 1
    if r > co_first:
        shares, public = _range(S, 2, co_first, 2, r - 1), _range(S, 3, co_first, 3, r - 1)
        b.scalar(ws, r, b.w("co_share_total"), f"=SUM({shares})", "co_payer_share", kind="formula", fmt=_NUM,
                 unit_="share"); r += 1
        b.scalar(ws, r, b.w("co_share_private"), f"=SUMPRODUCT({shares},1-{public})", "co_payer_private",
                 kind="formula", fmt=_NUM, unit_="share"); r += 1
    else:
        b.scalar(ws, r, b.w("co_share_total"), "=0", "co_payer_share", kind="formula", fmt=_NUM, unit_="share"); r += 1
        b.scalar(ws, r, b.w("co_share_private"), "=0", "co_payer_private", kind="formula", fmt=_NUM,
                 unit_="share"); r += 1
    r += 1
    ws.cell(row=r, column=1, value=b.w("structure")).font = _BOLD; r += 1
    for lab, v in ((b.w("enrolment_years"), b.E), (b.w("horizon"), b.J),
                   (b.w("onset"), o.onset_lag_years),
                   (b.w("delivery"), iv.delivery_years),
                   (b.w("payment_lag"), k.payment_lag_years),
                   (b.w("programme_years"), b.T)):
        ws.cell(row=r, column=1, value=lab)
        b.put(ws, r, 2, v, kind="struct")
        r += 1
    r += 1
    # Discounting: bands (first year, annual rate); the rate of year s is the one whose band contains s.
    ws.cell(row=r, column=1, value=b.w("discounting_head", disc=discount_label(c.discounting, b.lang))).font = _BOLD
    ws.cell(row=r, column=2, value=b.w("from_year")).font = _BOLD
    ws.cell(row=r, column=3, value=b.w("annual_rate")).font = _BOLD
    r += 1
    bands = SCHEDULES[c.discounting] if isinstance(c.discounting, str) else ((0, float(c.discounting)),)
    first = r
    for start, rate in bands:
        ws.cell(row=r, column=1, value=b.w("band"))
        b.put(ws, r, 2, start, kind="struct")
        b.put(ws, r, 3, rate, kind="input", fmt=_RATE)
        r += 1
    bands = _range(S, 2, first, 3, r - 1)
    b.name("discount_bands", bands)
    r += 1
    # Vectors by year.
    b.year_header(ws, r, 2, max(b.E, b.T), b.w("programme_year")); r += 1
    ws.cell(row=r, column=1, value=b.w("participants"))
    for e, n in enumerate(c.cohort.participants):
        b.put(ws, r, 2 + e, n, kind="input")
    participants_row = r
    b.name("participants", _range(S, 2, r, 1 + b.E, r))
    r += 1
    fixed = iv.fixed_cost_per_year if isinstance(iv.fixed_cost_per_year, list) else [iv.fixed_cost_per_year] * b.E
    ws.cell(row=r, column=1, value=b.w("fixed_cost", cur=c.currency))
    for t, v in enumerate(fixed):
        b.put(ws, r, 2 + t, v, kind="input", fmt=_MONEY)
    fixed_row, fixed_n = r, len(fixed)
    r += 2
    b.year_header(ws, r, 2, b.J, b.w("relative_year_long")); r += 1
    ws.cell(row=r, column=1, value=b.w("persistence"))
    if o.persistence is not None:
        pers = list(o.persistence) + [0.0] * (b.J - len(o.persistence))
        for j, v in enumerate(pers):
            b.put(ws, r, 2 + j, v, kind="input", fmt=_NUM)
        ws.cell(row=r, column=2 + b.J, value="(outcome.persistence)")
    else:
        r0 = r
        b.scalar(ws, r + 1, b.lab("outcome.drop_off"), o.drop_off or 0.0, "drop_off", fmt=_NUM, unit_="share")
        ws.cell(row=r0, column=1, value=b.w("persistence_formula"))
        for j in range(b.J):
            hdr = _ref(S, 2 + j, r0 - 1, absolute=False)
            b.put(ws, r0, 2 + j, f"=(1-drop_off)^{hdr}", fmt=_NUM)
    persistence_row = r
    persistence = _range(S, 2, r, 1 + b.J, r)
    b.name("persistence", persistence)
    r += 3
    # The rate card: one line per row (a v1 contract is one row that reads metric and price above).
    ws.cell(row=r, column=1, value=b.w("card_head")).font = _BOLD
    for i in range(10):
        ws.cell(row=r, column=2 + i, value=b.w(f"card_{i}")).font = _BOLD
    r += 1
    card = []
    rows_ = k.rows()
    order = sorted(range(len(rows_)), key=lambda i: rows_[i].year)   # rows nested in time, as the model orders them
    first_row = r
    for pos, row in enumerate(rows_):
        ws.cell(row=r, column=1, value=row.key)
        ws.cell(row=r, column=2, value=row.label or row.key)
        if v1:
            b.put(ws, r, 3, '=IF(metric="success","success","prevented")')
            b.put(ws, r, 6, "=contract_price", fmt=_MONEY)
        else:
            b.put(ws, r, 3, row.pays, kind="input")
            b.put(ws, r, 6, row.price, kind="input", fmt=_MONEY)
        b.put(ws, r, 4, row.year, kind="struct")
        b.put(ws, r, 5, 1 if row.sustained else 0, kind="struct")
        b.put(ws, r, 7, row.baseline_rate, kind="input", fmt=_NUM)
        b.put(ws, r, 8, row.treated_rate, kind="input", fmt=_NUM)
        b.put(ws, r, 9, row.paid_for, kind="input")
        pays, year, sus, base, tr, pf = (_ref("", i, r) for i in (3, 4, 5, 7, 8, 9))
        pk = f'IF(AND({sus}=1,{pays}<>"own"),INDEX(persistence,1,{year}+1),1)'
        per = (f'IF({pays}="own",IF({pf}="all",{tr},{tr}-{base}),IF({pays}="success",'
               f'1-baseline_rate+(baseline_rate-treated_rate)*{pk},(baseline_rate-treated_rate)*{pk}))')
        b.put(ws, r, 10, f"=MAX({per},0)*threshold_met", fmt=_NUM)
        before = order[: order.index(pos)]
        used = "+".join(_ref("", 6, first_row + j) for j in before) or "0"
        # the cap per participant: a row pays only what the cap leaves after the rows measured before it
        b.put(ws, r, 11, f'=IF(cap_per_participant="",{_ref("", 6, r)},'
                         f'MIN(MAX(cap_per_participant-({used}),0),{_ref("", 6, r)}))', fmt=_MONEY)
        card.append((_ref(S, 6, r), _ref(S, 10, r), row.year, _ref(S, 11, r)))
        r += 1
    r += 1
    # Intermediary and evaluation fees by programme year.
    b.year_header(ws, r, 2, b.T, b.w("programme_year")); r += 1
    fee_rows = []
    for who in ("commissioner", "investor"):
        ws.cell(row=r, column=1, value=b.w(f"fees_{who}", cur=c.currency))
        amounts = [0.0] * b.T
        for f in k.fees or []:
            if f.paid_by == who:
                a = f.amount if isinstance(f.amount, list) else [f.amount] * b.E
                for t, v in enumerate(a):
                    amounts[t] += float(v)
        for t, v in enumerate(amounts):
            b.put(ws, r, 2 + t, v, kind="input", fmt=_MONEY)
        fee_rows.append(r)
        r += 1
    ws.column_dimensions["E"].width = 30
    return _Inputs(S, payers, bands, participants_row, fixed_row, fixed_n, persistence_row, persistence,
                   tuple(card), tuple(fee_rows))


def _unit_costs(b: _Book) -> _Items:
    c = b.case
    cat, idx = catalogue(), price_index()
    # Price index sheet: the years the catalogue needs, each with its value.
    wi = b.wb.create_sheet(b.w("index"))
    b.layout.sheets["index"] = wi.title
    wi.cell(row=1, column=1, value=b.w("price_index_head")).font = _BOLD
    series = list(idx.series)  # one column per index (net prices, PL, satsregulering)
    for i, h in enumerate(("year", *series), start=1):
        wi.cell(row=2, column=i, value=h).font = _BOLD
    years = sorted({y for s_ in idx.series.values() for y in s_.values})
    for i, y in enumerate(years, start=3):
        wi.cell(row=i, column=1, value=y)
        for j, name in enumerate(series, start=2):
            if y in idx.series[name].values:
                b.put(wi, i, j, idx.series[name].values[y], kind="input")
    index_range = _range(wi.title, 1, 3, 1 + len(series), 2 + len(years)) if years else None
    src = b.w("index_source")
    wi.cell(row=len(years) + 4, column=1, value=src)
    if index_range:
        b.name("price_index", index_range)

    ws = b.wb.create_sheet(b.w("unit_costs"))
    b.layout.sheets["unit_costs"] = ws.title
    S = ws.title
    heads = [b.w(f"uc_{i}") for i in range(12)]
    ws.cell(row=1, column=1, value=b.w("consequence_head", cur=c.currency, year=c.price_year)).font = _BOLD
    for i, h in enumerate(heads, start=1):
        ws.cell(row=2, column=i, value=h).font = _BOLD
    q0 = len(heads) + 2  # first quantity column
    ws.cell(row=1, column=q0, value=b.w("quantity")).font = _BOLD
    for j in range(b.J):
        ws.cell(row=2, column=q0 + j, value=j).font = _BOLD
    ws.cell(row=2, column=q0 + b.J, value=b.w("direction")).font = _BOLD
    first = 3
    n = len(b.items)
    for i, (it, ci) in enumerate(zip(b.items, c.costs_per_case)):
        r = first + i
        ws.cell(row=r, column=1, value=it.key)
        ws.cell(row=r, column=2, value=it.label_da if b.lang == "da" else it.label_en)
        b.put(ws, r, 3, it.holder, kind="input")
        row = cat[ci.item] if ci.item is not None else None
        if row is not None and ci.amount is None:
            b.put(ws, r, 4, row.amount, kind="input", fmt=_MONEY)
            b.put(ws, r, 5, row.price_year, kind="input")
            if row.price_year == c.price_year:
                b.put(ws, r, 6, f"={_ref('', 4, r)}", fmt=_MONEY)
            else:
                ix_col = 2 + series.index(row.index)  # the row's own index column
                b.put(ws, r, 6, f"={_ref('', 4, r)}*VLOOKUP(price_year,price_index,{ix_col},FALSE)"
                                   f"/VLOOKUP({_ref('', 5, r)},price_index,{ix_col},FALSE)", fmt=_MONEY)
            ws.cell(row=r, column=9, value=row.basis)
            ws.cell(row=r, column=10, value=row.unit)
            ws.cell(row=r, column=11, value=row.source)
            ws.cell(row=r, column=12, value=row.url)
        else:
            b.put(ws, r, 6, it.unit_cost, kind="input", fmt=_MONEY)
            ws.cell(row=r, column=11, value=it.source if row is None else f"amount given in the case; catalogue: {row.source}")
            if row is not None:
                ws.cell(row=r, column=9, value=row.basis)
                ws.cell(row=r, column=10, value=row.unit)
                ws.cell(row=r, column=12, value=row.url)
        b.put(ws, r, 7, it.cashable, kind="input", fmt=_NUM)
        for j, q in enumerate(it.quantity):
            b.put(ws, r, q0 + j, float(q), kind="input")
        b.put(ws, r, q0 + b.J, int(it.sign), kind="input")
        qrow = _range("", q0, r, q0 + b.J - 1, r)
        # savings per case of this item: sign * unit cost * cashable * sum_j q[j] * persistence[j] * DF(j)
        b.put(ws, r, 8, f"={_ref('', q0 + b.J, r)}*{_ref('', 6, r)}*{_ref('', 7, r)}"
                        f"*SUMPRODUCT({qrow},persistence,df_relative)", fmt=_MONEY)
        b.layout.scalars[f"item_savings_{i}"] = _ref(S, 8, r)
    last = first + max(n, 1) - 1
    holders = _range(S, 3, first, 3, last)
    costs = _range(S, 6, first, 6, last)
    cashable = _range(S, 7, first, 7, last)
    if n:
        b.name("item_catalogue_amount", _range(S, 4, first, 4, last))
        b.name("item_unit_cost", costs)
        b.name("item_cashable", cashable)
    for i in (1, 2, 11):
        ws.column_dimensions[col(i)].width = 40 if i != 1 else 36
    return _Items(S, n, holders, costs, cashable, q0, first, last, _range(S, q0 + b.J, first, q0 + b.J, last))


def _savings(b: _Book, inp: _Inputs, items: _Items) -> _Savings:
    c, o = b.case, b.case.outcome
    ws = b.wb.create_sheet(b.w("savings"))
    b.layout.sheets["savings"] = ws.title
    S = ws.title
    T, J, E, L = b.T, b.J, b.E, o.onset_lag_years
    ws.cell(row=1, column=1, value=b.w("savings_head", cur=c.currency, year=c.price_year)).font = _BOLD
    r = 3
    b.year_header(ws, r, 2, T, b.w("programme_year_t")); r += 1
    ws.cell(row=r, column=1, value=b.w("discount_rate"))
    for t in range(T):
        b.put(ws, r, 2 + t, f"=VLOOKUP({_ref('', 2 + t, 3)},discount_bands,2,TRUE)", fmt=_RATE)
    rate_row = r; r += 1
    ws.cell(row=r, column=1, value=b.w("df_public"))
    for t in range(T):
        f = "=1" if t == 0 else f"={_ref('', 1 + t, r)}/(1+{_ref('', 1 + t, rate_row)})"
        b.put(ws, r, 2 + t, f, fmt=_NUM)
    df_row = r
    df = _range(S, 2, r, 1 + T, r)
    b.name("df", df)
    b.name("df_relative", _range(S, 2, r, 1 + J, r))
    r += 2
    # Cost per prevented case by holder and relative year (times persistence).
    b.year_header(ws, r, 2, J, b.w("relative_year")); hdr_j = r; r += 1
    flow_rows = {}
    for h in b.holders:
        ws.cell(row=r, column=1, value=b.w("cost_x_persistence", h=b.holder_name(h)))
        for j in range(J):
            pers = _ref(b.layout.sheets["inputs"], 2 + j, inp.persistence_row)
            if items.n:
                f = (f'=SUMPRODUCT(({items.holders}="{h}")*{items.sign}*{items.costs}*{items.cashable}*'
                     f'{items.q(j)})*{pers}')
            else:
                f = "=0"
            b.put(ws, r, 2 + j, f, fmt=_MONEY)
        flow_rows[h] = r
        r += 1
    r += 1
    ws.cell(row=r, column=1, value=b.w("per_case_pv")).font = _BOLD; r += 1
    per_case = {}
    for h in b.holders:
        ws.cell(row=r, column=1, value=b.holder_name(h))
        b.put(ws, r, 2, f"=SUMPRODUCT({_range('', 2, flow_rows[h], 1 + J, flow_rows[h])},df_relative)", fmt=_MONEY)
        per_case[h] = _ref(S, 2, r)
        r += 1
    r += 1
    # Prevented cases by enrolment year.
    b.year_header(ws, r, 2, E, b.w("enrolment_year")); r += 1
    ws.cell(row=r, column=1, value=b.w("prevented"))
    for e in range(E):
        b.put(ws, r, 2 + e, f"={inp.participants(e)}*(baseline_rate-treated_rate)*adjustment_factor", fmt=_NUM)
    prev_row = r
    prevented = _range(S, 2, r, 1 + E, r)
    r += 2
    # Savings by calendar year: sum_e prevented[e] * flow[h, t - e - L].
    b.year_header(ws, r, 2, T, b.w("programme_year_t")); r += 1
    sav_rows = {}
    for h in b.holders:
        ws.cell(row=r, column=1, value=b.w("savings_h", h=b.holder_name(h)))
        for t in range(T):
            terms = [f"{_ref('', 2 + e, prev_row)}*{_ref('', 2 + (t - e - L), flow_rows[h])}"
                     for e in range(E) if 0 <= t - e - L < J]
            b.put(ws, r, 2 + t, "=" + ("+".join(terms) if terms else "0"), fmt=_MONEY)
        sav_rows[h] = r
        b.layout.rows[f"savings_{h}_by_year"] = _range(S, 2, r, 1 + T, r)
        r += 1
    ws.cell(row=r, column=1, value=b.w("savings_all"))
    for t in range(T):
        b.put(ws, r, 2 + t, f"=SUM({col(2 + t)}{sav_rows[b.holders[0]]}:{col(2 + t)}{sav_rows[b.holders[-1]]})", fmt=_MONEY)
    r += 1
    ws.cell(row=r, column=1, value=b.w("savings_payers"))
    for t in range(T):
        cells = f"{col(2 + t)}{sav_rows[b.holders[0]]}:{col(2 + t)}{sav_rows[b.holders[-1]]}"
        b.put(ws, r, 2 + t, f"=SUMPRODUCT(payer_flags,{cells})", fmt=_MONEY)
    payer_savings_row = r
    return _Savings(S, df_row, df, flow_rows, per_case, prevented, sav_rows, payer_savings_row)


def _cashflow(b: _Book, inp: _Inputs, sav: _Savings) -> dict[str, str]:
    c, iv, k = b.case, b.case.intervention, b.case.contract
    ws = b.wb.create_sheet(b.w("cashflow"))
    b.layout.sheets["cashflow"] = ws.title
    S = ws.title
    T, E, D = b.T, b.E, iv.delivery_years
    ws.cell(row=1, column=1, value=b.w("cashflow_head", cur=c.currency, year=c.price_year)).font = _BOLD
    r = 3
    b.year_header(ws, r, 2, T, b.w("programme_year_t")); hdr = r; r += 1
    rows: dict[str, int] = {}

    def row(name: str, lab: str, formula, fmt: str = _MONEY) -> int:
        nonlocal r
        ws.cell(row=r, column=1, value=lab)
        for t in range(T):
            b.put(ws, r, 2 + t, formula(t), fmt=fmt)
        rows[name] = r
        r += 1
        return r - 1

    def cost(t: int) -> str:
        terms = [f"{inp.participants(t - d)}*cost_per_participant/{D}" for d in range(D) if 0 <= t - d < E]
        if t < inp.fixed_n:
            terms.append(_ref(inp.sheet, 2 + t, inp.fixed_row))
        return "=" + ("+".join(terms) if terms else "0")

    row("intervention_cost", b.w("cost"), cost)
    row("investor_financed", b.w("financed"),
        lambda t: f"=investor_share*{col(2 + t)}{rows['intervention_cost']}")
    row("commissioner_fee", b.w("fee"),
        lambda t: f"={col(2 + t)}{rows['intervention_cost']}-{col(2 + t)}{rows['investor_financed']}")
    lag = k.payment_lag_years
    paid_rows = []
    for i, (price, per, year, _) in enumerate(inp.card):
        start = lag + year
        paid_rows.append(row(f"paid_row_{i}", b.w("paid_row", row=k.rows()[i].key),
                             lambda t, per=per, start=start: (f"={inp.participants(t - start)}*{per}"
                                                              if 0 <= t - start < E else "=0"), fmt=_NUM))
    row("paid_outcomes", b.w("paid"),
        lambda t: "=" + "+".join(f"{col(2 + t)}{pr}" for pr in paid_rows), fmt=_NUM)
    row("card_as_written", b.w("card_as_written"),
        lambda t: "=" + "+".join(f"{price}*{col(2 + t)}{pr}" for (price, _, _, _), pr in zip(inp.card, paid_rows)))
    row("raw_payments", b.w("raw_payments"),
        lambda t: "=" + "+".join(f"{eff}*{col(2 + t)}{pr}" for (_, _, _, eff), pr in zip(inp.card, paid_rows)))
    row("raw_cumulative", b.w("raw_cumulative"),
        lambda t: f"=SUM($B{rows['raw_payments']}:{col(2 + t)}{rows['raw_payments']})")
    rc = rows["raw_cumulative"]
    row("outcome_payments", b.w("payments"),
        lambda t: (f'=IF(contract_cap="",{col(2 + t)}{rows["raw_payments"]},'
                   f'MIN({col(2 + t)}{rc},contract_cap)-' + (f"MIN({col(1 + t)}{rc},contract_cap))" if t else "0)")))
    row("co_payer_payments", b.w("co_payments"), lambda t: f"=co_payer_share*{col(2 + t)}{rows['outcome_payments']}")
    row("commissioner_payments", b.w("commissioner_payments"),
        lambda t: f"=(1-co_payer_share)*{col(2 + t)}{rows['outcome_payments']}")
    fee_com, fee_inv = inp.fee_rows
    row("intermediary_fees_commissioner", b.w("fees_commissioner", cur=c.currency),
        lambda t: f"={_ref(inp.sheet, 2 + t, fee_com)}")
    row("intermediary_fees_investor", b.w("fees_investor", cur=c.currency),
        lambda t: f"={_ref(inp.sheet, 2 + t, fee_inv)}")
    g_year = E - 1 + lag + max(y for _, _, y, _ in inp.card)
    pay_r, fin_r, inv_fee_r = rows["outcome_payments"], rows["investor_financed"], rows["intermediary_fees_investor"]
    last = col(1 + T)
    row("guarantee", b.w("guarantee"),
        lambda t: (f'=IF(guarantee_amount="",0,MIN(MAX(SUM($B{fin_r}:${last}{fin_r})+SUM($B{inv_fee_r}:${last}{inv_fee_r})'
                   f'-SUM($B{pay_r}:${last}{pay_r}),0),guarantee_amount))' if t == g_year else "=0"))
    row("investor_cash_flow", b.w("investor_cf"),
        lambda t: (f"={col(2 + t)}{rows['outcome_payments']}-{col(2 + t)}{rows['investor_financed']}"
                   f"-{col(2 + t)}{rows['intermediary_fees_investor']}+{col(2 + t)}{rows['guarantee']}"))
    row("investor_cumulative", b.w("investor_cum"),
        lambda t: f"=SUM($B{rows['investor_cash_flow']}:{col(2 + t)}{rows['investor_cash_flow']})")
    row("discount_factor", b.w("df_public"),
        lambda t: f"={_ref(sav.sheet, 2 + t, sav.df_row)}", fmt=_NUM)
    row("investor_discount_factor", b.w("investor_df"),
        lambda t: f"=(1+required_return)^-{col(2 + t)}${hdr}", fmt=_NUM)
    row("commissioner_net", b.w("payers_net"),
        lambda t: (f"={_ref(sav.sheet, 2 + t, sav.payer_savings_row)}"
                   f"-{col(2 + t)}{rows['commissioner_payments']}-{col(2 + t)}{rows['commissioner_fee']}"
                   f"-{col(2 + t)}{rows['intermediary_fees_commissioner']}"))
    row("negative_cumulative", b.w("helper_negative"),
        lambda t: f"=IF({col(2 + t)}{rows['investor_cumulative']}<-payback_tolerance,{col(2 + t)}${hdr},-1)", fmt="0")
    for name in CASH_FLOW_ROWS:
        b.layout.rows[f"{name}_by_year"] = _range(S, 2, rows[name], 1 + T, rows[name])
    cf = {name: _range(S, 2, rr, 1 + T, rr) for name, rr in rows.items()}
    cf["years"] = _range(S, 2, hdr, 1 + T, hdr)
    r += 1
    b.scalar(ws, r, b.w("tolerance"),
                f"=1E-9*MAX(1,MAX({cf['investor_cumulative']}),-MIN({cf['investor_cumulative']}))",
                "payback_tolerance", kind="formula")
    return cf


def _prices(b: _Book, inp: _Inputs, sav: _Savings, cf: dict[str, str]) -> None:
    c = b.case
    inp_card = inp.card
    single = len(c.contract.rows()) == 1

    def one(formula: str) -> str:
        """A break-even price per outcome exists for a contract of one row only; a card of several rows: n/a."""
        return formula if single else f'="{NA}"'

    ws = b.wb.create_sheet(b.w("prices"))
    b.layout.sheets["prices"] = ws.title
    cf, cur = cf, c.currency
    ws.cell(row=1, column=1, value=b.w("prices_head", cur=cur, year=c.price_year)).font = _BOLD
    for i, h in enumerate(("", b.w("h_value"), b.w("h_unit"), b.w("h_name")), start=1):
        if h:
            ws.cell(row=2, column=i, value=h).font = _BOLD
    r = 3
    # Helper present values first (named, so the key figures read like the equations in docs/model.md).
    helpers = [
        (b.w("pv_paid"), f"=SUMPRODUCT({cf['paid_outcomes']},df)", "pv_paid", "outcomes"),
        (b.w("pv_fee"), f"=SUMPRODUCT({cf['commissioner_fee']},df)+SUMPRODUCT({cf['intermediary_fees_commissioner']},df)",
         "pv_fee", cur),
        (b.w("pv_financed_ri"), f"=SUMPRODUCT({cf['investor_financed']},{cf['investor_discount_factor']})"
         f"+SUMPRODUCT({cf['intermediary_fees_investor']},{cf['investor_discount_factor']})", "pv_financed_ri", cur),
        (b.w("card_value"), f"=SUMPRODUCT({cf['card_as_written']},df)", "card_value", cur),
        (b.w("card_value_ri"), f"=SUMPRODUCT({cf['card_as_written']},{cf['investor_discount_factor']})", "card_value_ri", cur),
        (b.w("invested_total"), f"=SUM({cf['investor_financed']})+SUM({cf['intermediary_fees_investor']})",
         "invested_total", cur),
        (b.w("pv_paid_ri"), f"=SUMPRODUCT({cf['paid_outcomes']},{cf['investor_discount_factor']})",
         "pv_paid_ri", "outcomes"),
        (b.w("financed_total"), f"=SUM({cf['investor_financed']})", "financed_total", cur),
        # IRR's Newton iteration starts from the annual growth that turns the financed cost into the payments
        # over the gap between their weighted mean years (Excel's default guess of 10 % can miss deep losses).
        (b.w("irr_guess"), f'=IF(AND(financed_total>0,total_payments>0),(total_payments/financed_total)^'
         f'(1/MAX(1,SUMPRODUCT({cf["years"]},{cf["outcome_payments"]})/total_payments'
         f'-SUMPRODUCT({cf["years"]},{cf["investor_financed"]})/financed_total))-1,0.1)', "irr_guess", "per year"),
    ]
    for h in b.holders:
        rng = b.layout.rows[f"savings_{h}_by_year"]
        helpers.append((b.w("pv_savings_h", h=b.holder_name(h)), f"=SUMPRODUCT({rng},df)", f"pv_savings_{h}", cur))
    pv_h = ",".join(f"pv_savings_{h}" for h in b.holders)
    helpers.append((b.w("pv_payers"), f"=SUMPRODUCT(payer_flags,pv_savings_holders)", "pv_savings_payers", cur))
    raw_irr = f"IFERROR(IRR({cf['investor_cash_flow']},irr_guess),IRR({cf['investor_cash_flow']}))"
    fig = {
        "prevented_cases": f"=SUM({sav.prevented})",
        "paid_outcomes": f"=SUM({cf['paid_outcomes']})",
        **{f"savings_per_case_{h}": f"={sav.per_case[h]}" for h in b.holders},
        "savings_per_case": "=" + "+".join(f"savings_per_case_{h}" for h in b.holders),
        "pv_savings": f"=SUM({pv_h})",
        "pv_cost": f"=SUMPRODUCT({cf['intervention_cost']},df)",
        "commissioner_max": one(f'=IF(pv_paid<=0,"{NA}",(pv_savings_payers-pv_fee)/((1-co_payer_share)*pv_paid))'),
        "public_sector_max": one(f'=IF(pv_paid<=0,"{NA}",(pv_savings_public-pv_fee)/((1-co_payer_private)*pv_paid))'),
        "wrong_pocket_gap": one(f'=IF(pv_paid<=0,"{NA}",public_sector_max-commissioner_max)'),
        "investor_min": one(f'=IF(pv_paid_ri<=0,"{NA}",MAX(pv_financed_ri/pv_paid_ri,0))'),
        "corridor_low": one(f'=IF(OR(pv_paid<=0,pv_paid_ri<=0),"{NA}",IF(investor_min<=commissioner_max,investor_min,"{NA}"))'),
        "corridor_high": one(f'=IF(OR(pv_paid<=0,pv_paid_ri<=0),"{NA}",IF(investor_min<=commissioner_max,commissioner_max,"{NA}"))'),
        "cofunding_per_outcome": one(f'=IF(OR(pv_paid<=0,pv_paid_ri<=0),"{NA}",MAX(investor_min-commissioner_max,0))'),
        "price": one(f"={inp_card[0][0]}"),
        "total_payments": f"=SUM({cf['outcome_payments']})",
        "investor_irr": f'=IFERROR({raw_irr},"{NA}")',
        "investor_required_return": "=required_return",
        "investor_moic": f'=IF(invested_total>0,(total_payments+SUM({cf["guarantee"]}))/invested_total,"{NA}")',
        "investor_npv": f"=SUMPRODUCT({cf['investor_cash_flow']},{cf['investor_discount_factor']})",
        "payback_year": (f'=IF(COUNTIF({cf["investor_cash_flow"]},"<0")=0,"{NA}",'
                         f'IF(MAX({cf["negative_cumulative"]})+1<{b.T},MAX({cf["negative_cumulative"]})+1,"{NA}"))'),
        "commissioner_npv": f"=SUMPRODUCT({cf['commissioner_net']},df)",
        # design v2: perspectives (every holder of the workbook is public), the card's scales, threshold, ...
        "pv_savings_public": "=SUMPRODUCT(public_flags,pv_savings_holders)",
        "societal_max": one(f'=IF(pv_paid<=0,"{NA}",(pv_savings-pv_fee)/pv_paid)'),
        "benefit_cost_ratio": f'=IF(pv_cost>0,pv_savings/pv_cost,"{NA}")',
        "public_benefit_cost_ratio": f'=IF(pv_cost>0,pv_savings_public/pv_cost,"{NA}")',
        "commissioner_max_scale": f'=IF(card_value<=0,"{NA}",(pv_savings_payers-pv_fee)/((1-co_payer_share)*card_value))',
        "public_sector_max_scale": f'=IF(card_value<=0,"{NA}",(pv_savings_public-pv_fee)/((1-co_payer_private)*card_value))',
        "societal_max_scale": f'=IF(card_value<=0,"{NA}",(pv_savings-pv_fee)/card_value)',
        "investor_min_scale": f'=IF(card_value_ri<=0,"{NA}",MAX(pv_financed_ri/card_value_ri,0))',
        "corridor_scale_low": (f'=IF(OR(card_value<=0,card_value_ri<=0),"{NA}",IF(investor_min_scale<='
                               f'commissioner_max_scale,investor_min_scale,"{NA}"))'),
        "corridor_scale_high": (f'=IF(OR(card_value<=0,card_value_ri<=0),"{NA}",IF(investor_min_scale<='
                                f'commissioner_max_scale,commissioner_max_scale,"{NA}"))'),
        "cohorts_paid": "=threshold_met",
        "co_payer_payments": "=co_payer_share*total_payments",
        "guarantee_paid": f"=SUM({cf['guarantee']})",
    }
    ws.cell(row=r, column=1, value=b.w("key_figures")).font = _BOLD; r += 1
    for name, formula in fig.items():
        fmt = _RATE if name in ("investor_irr", "investor_required_return") else (
            _NUM if name in ("prevented_cases", "paid_outcomes", "investor_moic", "cohorts_paid", "benefit_cost_ratio",
                             "public_benefit_cost_ratio") or name.endswith(("_scale", "_scale_low", "_scale_high"))
            else ("0" if name == "payback_year" else _MONEY))
        b.scalar(ws, r, label(name, b.lang), formula, name, kind="formula", fmt=fmt,
                    unit_=unit(name, b.lang, cur), result=True)
        r += 1
    r += 1
    ws.cell(row=r, column=1, value=b.w("pv_used")).font = _BOLD; r += 1
    first_pv = None
    for lab, formula, name, u in helpers:
        if name == "pv_savings_payers":
            b.name("pv_savings_holders", _range(ws.title, 2, first_pv, 2, r - 1))
        if name.startswith("pv_savings_") and first_pv is None:
            first_pv = r
        b.scalar(ws, r, lab, formula, name, kind="formula", fmt=_MONEY, unit_=u,
                    result=name.startswith("pv_savings_") and name != "pv_savings_payers")
        r += 1
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 20


def _simulation(b: _Book, table: pd.DataFrame, note: str) -> None:
    ws = b.wb.create_sheet(b.w("simulation"))
    b.layout.sheets["simulation"] = ws.title
    ws.cell(row=1, column=1, value=b.w("mc_summary") + (f"; {note}" if note else "")).font = _BOLD
    frame = table.reset_index() if table.index.name or not isinstance(table.index, pd.RangeIndex) else table
    for i, h in enumerate(frame.columns, start=1):
        ws.cell(row=2, column=i, value=str(h)).font = _BOLD
    for r, values in enumerate(frame.itertuples(index=False), start=3):
        for i, v in enumerate(values, start=1):
            ws.cell(row=r, column=i, value=None if v is None or (isinstance(v, float) and v != v) else
                    (v.item() if hasattr(v, "item") else v))


def write_workbook(case: Case, path: str | Path, lang: str = "en", simulation: pd.DataFrame | None = None,
                   simulation_note: str = "") -> Layout:
    """Write the business case of ``case`` to an ``.xlsx`` file at ``path`` with live formulas.

    ``lang`` (``"en"`` or ``"da"``) sets sheet names and labels; ``simulation`` (optional) is a table of
    Monte Carlo results written as values on its own sheet (``simulation_note``, e.g. draws and seed, heads
    it). Returns the :class:`Layout` of the results.
    """
    book = _build(case, lang, simulation, simulation_note)
    book.wb.calculation.fullCalcOnLoad = True  # Excel and LibreOffice compute every formula when the file opens
    book.wb.save(Path(path))
    return book.layout


def workbook_bytes(case: Case, lang: str = "en", simulation: pd.DataFrame | None = None) -> bytes:
    """The workbook as bytes (for a download button in the app)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sibmodel-xlsx-") as tmp:
        path = Path(tmp) / "case.xlsx"
        write_workbook(case, path, lang=lang, simulation=simulation)
        return path.read_bytes()


def expected_values(case: Case) -> dict[str, Any]:
    """What each named result of the workbook must equal, from :func:`sibmodel.evaluate` (``None`` shows as n/a)."""
    res = evaluate(case)
    out: dict[str, Any] = {k: v for k, v in res.key_figures().items() if k != "switching_relative_reduction"}
    for i, v in enumerate(res.items["savings_per_case"]):
        out[f"item_savings_{i}"] = float(v)
    for h in res.savings_by_year.columns:
        out[f"savings_{h}_by_year"] = res.savings_by_year[h].to_numpy()
    for name in CASH_FLOW_ROWS:
        out[f"{name}_by_year"] = res.cash_flows[name].to_numpy()
    return out


_RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice_path() -> str | None:
    """The LibreOffice executable (``soffice`` or ``libreoffice``) on PATH, or None."""
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(paths: list[str | Path], outdir: str | Path, timeout: float = 300) -> list[Path]:
    """Recalculate workbooks with LibreOffice headless (one process for all) and save them to ``outdir``.

    Uses a throw-away LibreOffice profile that recalculates every formula on load, so the saved files hold
    LibreOffice's values. Raises RuntimeError when LibreOffice is missing or fails.
    """
    import subprocess
    import tempfile

    exe = soffice_path()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed; on Debian: apt-get install libreoffice-calc")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sibmodel-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_PROFILE, encoding="utf-8")
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir),
               *[str(p) for p in paths]]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    out = [outdir / Path(p).name for p in paths]
    missing = [str(p) for p in out if not p.exists()]
    if proc.returncode != 0 or missing:
        raise RuntimeError(f"LibreOffice failed (exit {proc.returncode}); missing {missing}: {proc.stderr.strip()[-500:]}")
    return out


def read_results(path: str | Path, layout: Layout) -> dict[str, Any]:
    """The computed values of a (recalculated) workbook at the cells ``layout`` names: scalars and lists by year."""
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True, read_only=False)

    def cells(ref: str) -> Any:
        sheet, _, rng = ref.rpartition("!")
        ws = wb[sheet.strip("'")]
        got = ws[rng.replace("$", "")]
        if isinstance(got, tuple):
            return [c.value for row in got for c in row]
        return got.value

    out = {name: cells(ref) for name, ref in layout.scalars.items()}
    out.update({name: cells(ref) for name, ref in layout.rows.items()})
    return out
