"""Keeping the work: the case as YAML (re-uploading it gives identical results) and the results as Excel.

Downloads are ``data:`` links built in the kernel, so nothing is fetched from or sent to another server.
The values workbook is written here with openpyxl; where :mod:`sibmodel.excel` is installed, its
live-formula workbook is offered as well.
"""
from __future__ import annotations

import base64
import importlib.util
import io
import re
from html import escape

from ..model import Result
from .texts import result_unit

YAML_TYPE = "application/x-yaml"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def case_yaml(result: Result) -> bytes:
    """The case of ``result`` as UTF-8 YAML (``Case.to_yaml``)."""
    return result.case.to_yaml().encode("utf-8")


def filename(result: Result, ext: str) -> str:
    """A safe file name from the case name: ``family_violence_treatment_illustrative.yaml``."""
    stem = re.sub(r"[^a-z0-9]+", "_", result.case.name_in("en").lower()).strip("_")[:60] or "case"
    return f"{stem}.{ext}"


def results_xlsx(result: Result, lang: str = "da") -> bytes:
    """The results as an Excel workbook (bytes): key figures, savings by year, cash flows, cost items, the rate card
    with its break-even prices by row, the case."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Key figures" if lang == "en" else "Nøgletal"
    ws.append(["name", "label", "value", "unit"])
    for row in result.summary(lang).itertuples():
        ws.append([row.name, row.label, row.value, result_unit(row.unit, lang)])
    _frame_sheet(wb, "Savings by year" if lang == "en" else "Besparelser pr. år", result.savings_by_year)
    _frame_sheet(wb, "Cash flows" if lang == "en" else "Pengestrømme", result.cash_flows)
    items = result.items.drop(columns=["label_da" if lang == "en" else "label_en"])
    _frame_sheet(wb, "Cost items" if lang == "en" else "Omkostningsposter", items, index=False)
    card = result.break_even_prices.reset_index()
    _frame_sheet(wb, "Rate card" if lang == "en" else "Prisliste", card, index=False)
    wc = wb.create_sheet("Case (YAML)" if lang == "en" else "Sag (YAML)")
    for line in result.case.to_yaml().splitlines():
        wc.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def has_formula_workbook() -> bool:
    """True if :mod:`sibmodel.excel` (the live-formula workbook) is installed."""
    return importlib.util.find_spec("sibmodel.excel") is not None


def formula_xlsx(result: Result, lang: str = "da") -> bytes:
    """The live-formula workbook of :mod:`sibmodel.excel` as bytes (inputs sheet + formulas)."""
    import tempfile
    from pathlib import Path

    from .. import excel

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.xlsx"
        excel.write_workbook(result.case, path, lang=lang)
        return path.read_bytes()


def _frame_sheet(wb, title: str, df, index: bool = True) -> None:
    ws = wb.create_sheet(title)
    cols = list(df.columns)
    ws.append(([df.index.name or "year"] if index else []) + [str(c) for c in cols])
    for key, row in zip(df.index, df.itertuples(index=False)):
        ws.append(([int(key)] if index else []) + [_cell(v) for v in row])


def _cell(v):
    if hasattr(v, "item"):
        v = v.item()
    return None if isinstance(v, float) and v != v else v  # a missing figure is an empty cell, not NaN


def download_link(data: bytes, name: str, mime: str, text: str, css: str) -> str:
    """An HTML link that downloads ``data`` as the file ``name`` without any request to a server."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<a class="sib-download {css}" download="{escape(name)}" href="data:{mime};base64,{b64}" '
            f'style="display:inline-block;padding:4px 10px;border:1px solid #1f5fa8;border-radius:3px;'
            f'text-decoration:none;color:#1f5fa8">⬇ {escape(text)}</a>')
