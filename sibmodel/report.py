"""A self-contained report of a business case: HTML (always) and PDF (where a converter is present).

The report is the business-case notebook (``notebooks/01_business_case.ipynb``), executed with papermill for
one case, wrapped in pages this module writes from ``evaluate()``: a summary page (key figures, the price
corridor and a verdict), charts, the inputs with their sources (the case file's own comments and the unit-cost
catalogue), and the caveats. nbconvert renders it through ``templates/nbconvert/sibmodel_report``: no code,
no JavaScript, inline CSS and images, so the file reads offline. Money is in the case's currency and price year.

Command line: ``python -m sibmodel.report CASE.yaml [--lang da|en] [--outdir reports] [--notebook NB]``
(``make report CASE=...``).
"""
from __future__ import annotations

import argparse
import base64
import datetime as _dt
import html
import io
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from . import prose
from .case import Case
from .caseio import load_case
from .costs import catalogue, price_index
from . import resources
from .errors import CaseError, Problem
from .i18n import (LANGS, currency_symbol, discount_label, fmt_number, fmt_pct, fmt_value, holder_label, label,
                   text, unit)
from .model import Result, evaluate
from . import tables as tb
from .tables import input_label

TEMPLATE_DIR = resources.nbconvert_template_dir()
TEMPLATE = "sibmodel_report"
DEFAULT_NOTEBOOK = resources.notebooks_dir() / "01_business_case.ipynb"

# -- words -------------------------------------------------------------------------------------------------

def _t(key: str, lang: str, **params: Any) -> str:
    return text(f"report.{key}", lang, **params)


def _e(value: Any) -> str:
    """User or model text made inert in HTML."""
    return html.escape(str(value), quote=True)


def _version() -> str:
    from . import __version__

    return __version__


# -- the case file's own comments (notes and sources of inputs) --------------------------------------------

_LINE = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[A-Za-z_][\w]*)\s*:\s*(?P<value>[^#]*?)\s*(#\s*(?P<comment>.*))?$")


def case_comments(text: str) -> dict[str, str]:
    """Comments after values in a YAML case file by dotted path (``outcome.baseline_rate`` -> ``"assumption: ..."``).

    A line-based reading for the usual block style; list items are numbered (``costs_per_case.0.quantity``).
    """
    out: dict[str, str] = {}
    stack: list[tuple[int, str]] = []      # (indent, key) of open mappings
    counters: dict[str, int] = {}          # list path -> index of the current item
    for raw in text.splitlines():
        m = _LINE.match(raw)
        if not m or raw.lstrip().startswith("#"):
            continue
        indent = len(m["indent"])
        if m["dash"]:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent = ".".join(k for _, k in stack)
            counters[parent] = counters.get(parent, -1) + 1
            stack.append((indent, str(counters[parent])))
            indent += len(m["dash"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([k for _, k in stack] + [m["key"]])
        if m["comment"]:
            out[path] = m["comment"].strip()
        if not m["value"]:
            stack.append((indent, m["key"]))
    return out


# -- charts -------------------------------------------------------------------------------------------------

def _png(fig) -> str:
    """A matplotlib Figure as a base64 PNG (inline in the report: no file, no remote asset)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def charts(res: Result, lang: str) -> dict[str, str]:
    """Base64 PNGs of the notebooks' charts (:mod:`sibmodel.charts`): the corridor, savings by year and holder,
    the investor's cash flow."""
    from . import charts as ch  # matplotlib only when a report is built

    return {"corridor": _png(ch.price_corridor(res, lang)), "savings": _png(ch.savings_by_year(res, lang)),
            "cash": _png(ch.investor_cash_flow(res, lang)), "budgets": _png(ch.net_budget_by_year(res, lang))}


# -- pages ---------------------------------------------------------------------------------------------------

def _html_cell(body: str, tags: Sequence[str] = ()) -> Any:
    cell = new_code_cell(source="", metadata={"tags": list(tags)})
    cell.outputs = [new_output("display_data", data={"text/html": body})]
    return cell


def _img(b64: str, alt: str) -> str:
    return f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}"></p>'


def verdict(res: Result, lang: str) -> tuple[str, str]:
    """The corridor in words (HTML, user text escaped), and its class (good, bad or neutral)."""
    sentences, cls = prose.verdict(res, lang)
    return " ".join(prose.html_sentence(x) for x in sentences), cls


def summary_html(res: Result, lang: str, corridor_chart: str = "") -> str:
    """The summary page: headline figures, the corridor verdict and the table of key figures (with exact values
    in ``data-value`` attributes, so the report can be checked against the model)."""
    case = res.case
    cur = case.currency
    body, cls = verdict(res, lang)
    kpis = tb.headline_figures(res)
    figs = res.key_figures()
    cards = "".join(
        f'<div class="sib-kpi"><div class="label">{_e(label(n, lang))}</div>'
        f'<div class="value">{_e(fmt_value(figs[n], n, lang, cur))}</div>'
        f'<div class="label">{_e(unit(n, lang, cur))}</div></div>' for n in kpis)
    rows = "".join(
        f'<tr><td>{_e(label(n, lang))}</td>'
        f'<td class="num" data-name="{_e(n)}" data-value="{"" if v is None else repr(float(v))}">{_e(fmt_value(v, n, lang, cur))}</td>'
        f'<td>{_e(unit(n, lang, cur))}</td></tr>' for n, v in figs.items())
    wp = prose.wrong_pocket(res, lang)
    extra = f"<p>{prose.html_sentence(wp)}</p>" if wp else ""
    deal = prose.deal_sentences(res, lang)
    extra += "".join(f"<p>{prose.html_sentence(x)}</p>" for x in deal)
    return (f'<section class="sib-summary"><h2>{_t("summary", lang)}</h2><div class="sib-kpis">{cards}</div>'
            f'<div class="sib-verdict {cls}"><b>{_t("corridor", lang)}.</b> {body}</div>{extra}{corridor_chart}'
            f'<h3>{_t("key_figures", lang)}</h3><table class="sib-key-figures"><thead><tr>'
            f'<th>{text("table.key_figure", lang)}</th><th class="num">{text("table.value", lang)}</th>'
            f'<th>{text("table.unit", lang)}</th></tr></thead><tbody>{rows}</tbody></table></section>')


def _table_html(frame: Any, cls: str, index: bool = False) -> str:
    """A formatted table (text cells) as HTML, every cell escaped."""
    return frame.to_html(index=index, escape=True, border=0, classes=cls, na_rep="–")


def contract_html(res: Result, lang: str) -> str:
    """The contract page: the rate card with its break-even prices by row (and, for several rows, the scales),
    the deal's terms (co-payers, threshold, caps, fees, guarantee), and savings by holder and perspective."""
    card = tb.is_card(res.case)
    scales = (f'<h3>{_e(text("card.scale_row", lang))}</h3>' + _table_html(tb.scales_table(res, lang), "sib-scales")
              if card else "")
    return (f'<section class="sib-contract"><h2>{_e(_t("contract", lang))}</h2>'
            f'<h3>{_e(_t("card", lang))}</h3>' + _table_html(tb.break_even_table(res, lang), "sib-card") + scales
            + f'<h3>{_e(_t("terms", lang))}</h3>' + _table_html(tb.contract_table(res, lang), "sib-terms")
            + f'<h3>{_e(_t("perspectives", lang))}</h3>' + _table_html(tb.perspectives_table(res, lang), "sib-persp")
            + "</section>")


def budgets_html(res: Result, lang: str, chart: str = "") -> str:
    """Each budget's effect by programme year (undiscounted): the payer's net, the other holders' savings and
    the co-payers' payments, as a table and a chart."""
    return (f'<section class="sib-budgets"><h2>{_e(text("net.heading", lang))}</h2>'
            + _table_html(tb.net_budget_table(res, lang), "sib-net", index=True) + chart + "</section>")


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [kv for k, v in data.items() for kv in _flatten(v, f"{prefix}{k}.")]
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return [kv for i, v in enumerate(data) for kv in _flatten(v, f"{prefix}{i}.")]
    return [(prefix[:-1], data)]


def _note(comment: str) -> str:
    """A note from the case file: the author's own words (in the language they wrote), escaped and marked."""
    return f'<span class="sib-note">{_e(comment)}</span>' if comment else ""


def _shown(value: Any, lang: str) -> str:
    if isinstance(value, list):
        return "; ".join(_shown(x, lang) for x in value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        return fmt_number(value, lang)
    return str(value)


def inputs_html(case: Case, res: Result, lang: str, comments: dict[str, str]) -> str:
    """Every input of the case with its note or source, then the unit costs with their sources."""
    rows = []
    for path, value in _flatten(case.to_dict()):
        if path.startswith("costs_per_case") or path.split(".")[0] == "name" or path.startswith("outcome.description"):
            continue  # the name and the description head the report, in its language
        if path == "contract.metric":
            value = text(f"metric.{value}", lang)
        elif path == "contract.payers":
            value = ", ".join(holder_label(h, lang) for h in value)
        elif path == "discounting":
            value = discount_label(value, lang, bands=True)
        cls = "num" if isinstance(value, (int, float, list)) and not isinstance(value, bool) else "text"
        try:
            name = f"{_e(input_label(path, lang, case))}<br><code>{_e(path)}</code>"
        except KeyError:
            name = f"<code>{_e(path)}</code>"
        rows.append(f"<tr><td>{name}</td><td class='{cls}'>{_e(_shown(value, lang))}</td>"
                    f"<td>{_note(comments.get(path, ''))}</td></tr>")
    cat = catalogue()
    items = []
    for i, (it, ci) in enumerate(zip(res.items.itertuples(index=False), case.costs_per_case)):
        row = cat[ci.item] if ci.item and ci.item in cat else None
        url = row.url if row is not None else ""
        link = f' <a href="{_e(url)}">{_e(url)}</a>' if url.startswith(("http://", "https://")) else ""
        note = comments.get(f"costs_per_case.{i}.quantity") or comments.get(f"costs_per_case.{i}.item", "")
        src = f"<cite>{_e(it.source)}</cite>" + link + (f"<br><i>{_note(note)}</i>" if note else "")
        items.append(f"<tr><td>{_e(it.label_da if lang == 'da' else it.label_en)}</td>"
                     f"<td>{_e(holder_label(it.holder, lang))}</td>"
                     f"<td class='num'>{_e(fmt_number(it.unit_cost, lang, 0))}</td>"
                     f"<td class='num'>{_e(fmt_pct(it.cashable, lang, 0))}</td>"
                     f"<td class='num'>{_e(fmt_number(it.savings_per_case, lang, 0))}</td><td>{src}</td></tr>")
    idx = price_index()
    cur = currency_symbol(case.currency, lang)
    return (f'<section><h2>{_t("inputs", lang)}</h2><table><thead><tr><th>{_t("field", lang)}</th>'
            f'<th class="num">{text("table.value", lang)}</th><th>{_t("note", lang)}</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>'
            f'<h3>{_t("unit_costs", lang)} ({_e(cur)}, {case.price_year})</h3><table><thead><tr>'
            f'<th>{_t("item", lang)}</th><th>{text("table.holder", lang)}</th><th class="num">{_t("unit_cost", lang)}</th>'
            f'<th class="num">{text("table.cashable", lang)}</th><th class="num">{_t("per_case", lang)}</th>'
            f'<th>{text("table.source", lang)}</th></tr></thead><tbody>{"".join(items)}</tbody></table>'
            f'<p>{_e(_t("price_index", lang, name=idx.name, a=idx.years[0], b=idx.years[1]))}</p></section>')


def caveats(case: Case, res: Result, lang: str, comments: dict[str, str]) -> tuple[list[str], list[str]]:
    """(what is assumed, what is uncertain) for this case, as sentences (see :func:`sibmodel.prose.caveats`)."""
    return prose.caveats(res, lang, comments)


def caveats_html(case: Case, res: Result, lang: str, comments: dict[str, str]) -> str:
    assumed, uncertain = prose.caveats(res, lang, comments)
    li = lambda xs: "".join(f"<li>{prose.html_sentence(x)}</li>" for x in xs)  # noqa: E731
    return (f'<section class="sib-caveats"><h2>{_t("caveats", lang)}</h2><h3>{_t("assumed", lang)}</h3>'
            f'<ul>{li(assumed)}</ul><h3>{_t("uncertain", lang)}</h3><ul>{li(uncertain)}</ul></section>')


# -- building -------------------------------------------------------------------------------------------------

def run_notebook(notebook: Path, case_path: Path, lang: str, timeout: int = 600) -> Any:
    """Execute the business-case notebook for this case with papermill; pass only the parameters it declares."""
    import papermill as pm

    declared = pm.inspect_notebook(str(notebook))
    wanted = {"case_path": str(case_path.resolve()), "lang": lang, "language": lang}
    params = {k: v for k, v in wanted.items() if k in declared}
    with tempfile.TemporaryDirectory(prefix="sibmodel-report-") as tmp:
        out = Path(tmp) / notebook.name
        pm.execute_notebook(str(notebook), str(out), parameters=params, cwd=str(notebook.parent),
                            progress_bar=False, log_output=False, execution_timeout=timeout, kernel_name="python3")
        return nbformat.read(out, as_version=4)


def compose(case: Case, res: Result, lang: str, executed: Any | None, comments: dict[str, str],
            missing_note: str | None = None) -> Any:
    """The report notebook: title and summary, charts, the executed notebook's outputs, inputs, caveats.

    Every text from the case is escaped. The notebook's own Markdown cells are kept in English reports only:
    a Danish report shows the notebook's outputs (tables, charts, conclusion in Danish) under its own headings.
    """
    today = _dt.date.today().isoformat()
    name = case.name_in(lang)
    nb = new_notebook()
    nb.metadata["title"] = f"{_t('title', lang)}: {name}"
    nb.metadata["sibmodel"] = {"footer": _t("footer", lang, version=_version(), case=name, date=today)}
    lead = _t("lead", lang, cur=currency_symbol(case.currency, lang), year=case.price_year,
              disc=discount_label(case.discounting, lang), date=today, version=_version())
    pics = charts(res, lang)
    cur = currency_symbol(case.currency, lang)
    description = case.description_in(lang)
    cells = [
        _html_cell(f'<h1>{_e(name)}</h1><p class="sib-lead">{_e(lead)}</p>'
                   + (f"<p>{_e(description)}</p>" if description else "")),
        _html_cell(summary_html(res, lang, _img(pics["corridor"], _t(
            "chart_corridor_scale" if tb.is_card(case) else "chart_corridor", lang, cur=cur)))),
        _html_cell(contract_html(res, lang)),
        _html_cell(budgets_html(res, lang, _img(pics["budgets"], text("net.title", lang)))),
    ]
    if executed is None:  # the notebook has its own charts; without it the report draws the essential two
        cells.append(_html_cell(f'<h2>{_t("charts", lang)}</h2>' + _img(pics["savings"], _t("chart_savings", lang, cur=cur))
                                + _img(pics["cash"], _t("chart_cash", lang, cur=cur))))
    if executed is not None:
        cells.append(_html_cell(f'<h2>{_t("detail", lang)}</h2>'))
        for cell in executed.cells:
            tags = cell.get("metadata", {}).get("tags", [])
            if "parameters" in tags or "injected-parameters" in tags or "remove-from-report" in tags:
                continue
            if cell.cell_type == "markdown" and lang != "en":
                continue
            if cell.cell_type == "code":
                cell.outputs = [out for out in cell.get("outputs", [])
                                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
                                and out.get("output_type") != "error"
                                and not (set(out.get("data", {"-": 0})) <= {"application/json"})]
            cells.append(cell)
    elif missing_note:
        cells.append(_html_cell(f"<p><i>{_e(missing_note)}</i></p>"))
    cells.append(_html_cell(inputs_html(case, res, lang, comments)))
    cells.append(_html_cell(caveats_html(case, res, lang, comments)))
    nb.cells = cells
    return nb


_ASSET = re.compile(r"""<(?:script|img|link|iframe|source|video|audio|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
                    re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?\s*(?:https?:)?//)""", re.IGNORECASE)


def remote_assets(text: str) -> list[str]:
    """Places where the HTML would fetch something over the network (scripts, styles, images, fonts)."""
    return [m.group(0) for m in _ASSET.finditer(text)] + [m.group(0) for m in _CSS_URL.finditer(text)]


def to_html(nb: Any, lang: str) -> str:
    """Render a report notebook through the sibmodel nbconvert template (no code, no remote assets)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATE_DIR)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            language_code=lang, embed_images=True)
    body, _ = exporter.from_notebook_node(nb)
    bad = remote_assets(body)
    if bad:
        raise RuntimeError(f"the report would load remote assets: {bad[:3]}")
    return body


def _run(cmd: list[str], tool: str, timeout: float, lang: str) -> tuple[subprocess.CompletedProcess | None, str | None]:
    """Run a converter; on a timeout kill it (and its children) and return a clear message instead."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        import os
        import signal

        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        proc.communicate()
        return None, text("message.report.pdf_timeout", lang, tool=tool, seconds=f"{timeout:g}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), None


def to_pdf(html_path: Path, pdf_path: Path, timeout: float = 120, lang: str = "en") -> str | None:
    """Print the HTML to PDF with chromium (or LibreOffice Writer); returns None on success, else why not (in
    ``lang``). A converter that runs past ``timeout`` seconds is stopped with a one-line message."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            with tempfile.TemporaryDirectory(prefix="sibmodel-chromium-") as prof:
                cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                       "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={prof}",
                       "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
                proc, late = _run(cmd, name, timeout, lang)
            if late:
                return late
            if pdf_path.exists() and pdf_path.stat().st_size > 0:
                return None
            return text("message.report.pdf_failed", lang, tool=name, code=proc.returncode,
                        detail=proc.stderr.strip()[-300:])
    exe = shutil.which("soffice")
    if exe:
        with tempfile.TemporaryDirectory(prefix="sibmodel-lo-") as prof:
            cmd = [exe, f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--convert-to",
                   "pdf:writer_web_pdf_Export", "--outdir", str(pdf_path.parent), str(html_path)]
            proc, late = _run(cmd, "LibreOffice", timeout, lang)
        if late:
            return late
        made = pdf_path.parent / (html_path.stem + ".pdf")
        if made.exists() and made.stat().st_size > 0:
            if made != pdf_path:
                made.replace(pdf_path)
            return None
        return text("message.report.pdf_failed", lang, tool="LibreOffice", code=proc.returncode,
                    detail=proc.stderr.strip()[-200:])
    return text("message.report.no_pdf_converter", lang)


@dataclass
class Report:
    """The files a report run wrote; ``pdf`` is None when no converter was available (``pdf_note`` says why)."""

    html: Path
    pdf: Path | None
    pdf_note: str | None
    notebook_used: bool


def build_report(case_path: str | Path, lang: str = "en", outdir: str | Path = "reports",
                 notebook: str | Path | None = None, pdf: bool = True, timeout: int = 600,
                 pdf_timeout: float = 120) -> Report:
    """Write ``<outdir>/<case>.<lang>.html`` (and ``.pdf``) for a case file; see the module docstring."""
    if lang not in LANGS:
        raise CaseError(Problem("--lang", lang, "allowed: da, en"))
    case_path = Path(case_path)
    case = load_case(case_path)
    res = evaluate(case)
    comments = case_comments(case_path.read_text(encoding="utf-8"))
    nb_path = Path(notebook) if notebook is not None else DEFAULT_NOTEBOOK
    if notebook is not None and not nb_path.exists():
        raise CaseError(Problem("--notebook", str(nb_path), "notebook not found"))
    try:
        executed = run_notebook(nb_path, case_path, lang, timeout) if nb_path.exists() else None
    except Exception as exc:  # papermill's cell errors carry the notebook's traceback: keep one line
        first = str(exc).strip().splitlines()
        raise RuntimeError(f"{nb_path}: the notebook failed: {first[-1] if first else type(exc).__name__}") from None
    note = None if executed is not None else _t("no_notebook", lang, path=nb_path)
    report_nb = compose(case, res, lang, executed, comments, note)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    html_path = outdir / f"{case_path.stem}.{lang}.html"
    html_path.write_text(to_html(report_nb, lang), encoding="utf-8")
    pdf_path, pdf_note = None, None
    if pdf:
        target = outdir / f"{case_path.stem}.{lang}.pdf"
        pdf_note = to_pdf(html_path, target, timeout=pdf_timeout, lang=lang)
        pdf_path = target if pdf_note is None else None
    return Report(html_path, pdf_path, pdf_note, executed is not None)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sibmodel.report", description="Write the HTML/PDF report of a case.")
    p.add_argument("case", help="a case file (YAML)")
    p.add_argument("--lang", choices=["da", "en"], default="en")
    p.add_argument("--outdir", default="reports")
    p.add_argument("--notebook", help=f"the business-case notebook (default: the packaged {DEFAULT_NOTEBOOK.name})")
    p.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    args = p.parse_args(argv)
    try:
        rep = build_report(args.case, args.lang, args.outdir, args.notebook, pdf=not args.no_pdf)
    except (CaseError, ValueError, OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {rep.html}")
    if rep.pdf:
        print(f"wrote {rep.pdf}")
    elif rep.pdf_note and not args.no_pdf:
        print(f"no PDF: {rep.pdf_note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
