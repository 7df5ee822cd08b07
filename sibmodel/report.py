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

from .case import HOLDERS, Case, load_case
from .costs import catalogue, price_index
from . import resources
from .errors import CaseError, Problem
from .labels import HOLDER_LABELS, label, unit
from .model import Result, evaluate

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = resources.nbconvert_template_dir()
TEMPLATE = "sibmodel_report"
DEFAULT_NOTEBOOK = resources.notebooks_dir() / "01_business_case.ipynb"

# -- words -------------------------------------------------------------------------------------------------

_T: dict[str, dict[str, str]] = {
    "en": {
        "title": "Business case", "summary": "Summary", "key_figures": "Key figures", "figure": "Figure",
        "value": "Value", "unit": "Unit", "corridor": "Price corridor", "charts": "Charts",
        "detail": "The business case in detail", "inputs": "Inputs and their sources", "caveats": "Caveats",
        "assumed": "What is assumed", "uncertain": "What is uncertain",
        "input": "Input", "field": "Field", "note": "Note or source in the case file",
        "unit_costs": "Unit costs of one case", "item": "Item", "holder": "Budget holder",
        "unit_cost": "Unit cost", "cashable": "Cashable", "per_case": "Savings per prevented case, PV", "source": "Source",
        "lead": "{cur}, {year} prices (real terms); discounting: {disc}. Report made {date} by sibmodel {version}.",
        "corridor_yes": ("A deal is possible: any price per outcome from <b>{lo}</b> (the investor's minimum at its "
                         "required return of {ri}) to <b>{hi}</b> (the most the paying {payers} can pay from its own "
                         "savings) leaves both sides at least even. The contract price is {price}."),
        "corridor_no": ("No price corridor: the investor needs at least <b>{lo}</b> per outcome, but the paying "
                        "{payers} can pay at most <b>{hi}</b> from its own savings. Co-funding of <b>{gap}</b> per "
                        "outcome (for example from the state, which also saves) would close the gap."),
        "corridor_none": "No outcomes are paid at these inputs, so no break-even price exists.",
        "price_inside": "The contract price lies inside the corridor.",
        "price_above": "The contract price is above what the commissioner saves: it pays more than it gets back.",
        "price_below": "The contract price is below the investor's minimum: the expected return is below {ri}.",
        "wrong_pocket": ("Of the public sector's savings, {share} fall to budgets that do not pay (the wrong pocket): "
                         "{gap} per outcome."),
        "chart_corridor": "Break-even prices per outcome ({cur})",
        "chart_savings": "Savings by programme year and budget holder ({cur}, undiscounted)",
        "chart_cash": "Investor's cash flow by programme year ({cur})",
        "investor_min": "investor's minimum", "commissioner_max": "commissioner's maximum",
        "public_sector_max": "public sector's maximum", "price": "contract price", "year": "programme year",
        "no_notebook": ("The business-case notebook was not found ({path}); this report has the summary, inputs and "
                        "caveats only."),
        "na": "n/a", "footer": "sibmodel {version} · {case} · {date}",
        "assumption_inputs": "Inputs the case file marks as assumptions: {items}.",
        "point": ("Every input is a point value: the baseline rate, the effect and the costs are estimates with "
                  "uncertainty that this deterministic business case does not show (see the Monte Carlo analysis)."),
        "switch": ("The paying {payers} breaks even at the contract price only if the relative reduction is at least "
                   "{sw} (the case assumes {rr})."),
        "switch_none": "Even a relative reduction of 100 % does not make the contract pay for the commissioner.",
        "real": ("All amounts are in {year} prices, real terms; catalogue amounts from other years are moved with "
                 "Danmarks Statistik's net price index. Discounting: {disc}."),
        "cashable_caveat": ("Savings count only the cashable share of each cost ({cash}); a cost that is not released "
                     "when a case is prevented saves nothing in the budget."),
        "persistence": ("A prevented case is assumed to stay prevented with the persistence shown under inputs, "
                        "for {J} years; effects beyond the evaluated period are extrapolations."),
        "adjust": ("Savings are adjusted for attribution ({a}), displacement ({d}) and optimism bias ({o}); payments "
                   "are not."),
        "cap": "The payment cap binds: the latest payments are cut by {cut}.",
        "metric_success": ("The contract pays for successes (participants who do not end in the case), so it also pays "
                           "for those who would have succeeded anyway."),
        "payback_none": "The investor does not get its money back within the programme's timeline at the contract price.",
    },
    "da": {
        "title": "Business case", "summary": "Sammenfatning", "key_figures": "Nøgletal", "figure": "Nøgletal",
        "value": "Værdi", "unit": "Enhed", "corridor": "Priskorridor", "charts": "Figurer",
        "detail": "Business casen i detaljer", "inputs": "Inddata og kilder", "caveats": "Forbehold",
        "assumed": "Hvad der er antaget", "uncertain": "Hvad der er usikkert",
        "input": "Inddata", "field": "Felt", "note": "Note eller kilde i sagsfilen",
        "unit_costs": "Enhedsomkostninger for én sag", "item": "Post", "holder": "Budgetholder",
        "unit_cost": "Enhedsomkostning", "cashable": "Realiserbar andel", "per_case": "Besparelse pr. forebygget sag, NV",
        "source": "Kilde",
        "lead": "{cur}, {year}-priser (faste priser); diskontering: {disc}. Rapporten er lavet {date} af sibmodel {version}.",
        "corridor_yes": ("Der er basis for en aftale: enhver pris pr. resultat fra <b>{lo}</b> (investors laveste pris ved "
                         "et krævet afkast på {ri}) til <b>{hi}</b> (det meste, den betalende {payers} kan betale af egne "
                         "besparelser) lader begge parter mindst gå i nul. Kontraktens pris er {price}."),
        "corridor_no": ("Der er ingen priskorridor: investor skal have mindst <b>{lo}</b> pr. resultat, men den betalende "
                        "{payers} kan højst betale <b>{hi}</b> af egne besparelser. Medfinansiering på <b>{gap}</b> pr. "
                        "resultat (fx fra staten, der også sparer) vil lukke hullet."),
        "corridor_none": "Ingen resultater betales ved disse inddata, så der findes ingen break-even-pris.",
        "price_inside": "Kontraktens pris ligger i korridoren.",
        "price_above": "Kontraktens pris er over betalers besparelse: betaler betaler mere, end den får igen.",
        "price_below": "Kontraktens pris er under investors laveste pris: det forventede afkast er under {ri}.",
        "wrong_pocket": ("Af den offentlige sektors besparelser falder {share} hos budgetter, der ikke betaler (forkert "
                         "lomme): {gap} pr. resultat."),
        "chart_corridor": "Break-even-priser pr. resultat ({cur})",
        "chart_savings": "Besparelser pr. programår og budgetholder ({cur}, udiskonteret)",
        "chart_cash": "Investors pengestrøm pr. programår ({cur})",
        "investor_min": "investors laveste", "commissioner_max": "betalers højeste",
        "public_sector_max": "offentlig sektors højeste", "price": "kontraktpris", "year": "programår",
        "no_notebook": ("Business case-notesbogen blev ikke fundet ({path}); rapporten har kun sammenfatning, inddata "
                        "og forbehold."),
        "na": "ikke defineret", "footer": "sibmodel {version} · {case} · {date}",
        "assumption_inputs": "Inddata, som sagsfilen markerer som antagelser: {items}.",
        "point": ("Alle inddata er punktværdier: basisraten, effekten og omkostningerne er skøn med usikkerhed, som "
                  "denne deterministiske business case ikke viser (se Monte Carlo-analysen)."),
        "switch": ("Den betalende {payers} går i nul ved kontraktens pris, kun hvis den relative reduktion er mindst "
                   "{sw} (sagen antager {rr})."),
        "switch_none": "Selv en relativ reduktion på 100 % får ikke kontrakten til at betale sig for betaler.",
        "real": ("Alle beløb er i {year}-priser, faste priser; katalogbeløb fra andre år er fremskrevet med Danmarks "
                 "Statistiks nettoprisindeks. Diskontering: {disc}."),
        "cashable_caveat": ("Besparelser tæller kun den realiserbare andel af hver omkostning ({cash}); en omkostning, der ikke "
                     "frigøres, når en sag forebygges, sparer intet i budgettet."),
        "persistence": ("En forebygget sag antages at forblive forebygget med den vedvarenhed, der står under inddata, "
                        "i {J} år; virkninger ud over den evaluerede periode er fremskrivninger."),
        "adjust": ("Besparelser er justeret for attribution ({a}), fortrængning ({d}) og optimismebias ({o}); "
                   "betalinger er ikke."),
        "cap": "Loftet over betalinger binder: de seneste betalinger skæres med {cut}.",
        "metric_success": ("Kontrakten betaler for succeser (deltagere, der ikke ender i sagen), så den betaler også for "
                           "dem, der ville have klaret sig alligevel."),
        "payback_none": "Investor får ikke sine penge igen inden for programmets tidslinje ved kontraktens pris.",
    },
}

_PCT = {"investor_irr", "investor_required_return", "switching_relative_reduction"}
_COUNT = {"prevented_cases", "paid_outcomes", "investor_moic"}


def fmt(name: str, value: Any, lang: str) -> str:
    """A key figure as text: money rounded to whole units, shares in %, counts to 2 decimals (da: 1.234,5)."""
    if value is None:
        return _T[lang]["na"]
    if name in _PCT:
        text = f"{100 * value:,.1f} %"
    elif name in _COUNT:
        text = f"{value:,.2f}"
    elif name == "payback_year":
        text = str(int(value))
    else:
        text = f"{value:,.0f}"
    if lang == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _money(v: float | None, cur: str, lang: str) -> str:
    return f"{fmt('pv_cost', v, lang)} {cur}" if v is not None else _T[lang]["na"]


def _disc(case: Case) -> str:
    return case.discounting if isinstance(case.discounting, str) else f"{100 * case.discounting:.2f} % a year"


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
            "cash": _png(ch.investor_cash_flow(res, lang))}


# -- pages ---------------------------------------------------------------------------------------------------

def _html_cell(body: str, tags: Sequence[str] = ()) -> Any:
    cell = new_code_cell(source="", metadata={"tags": list(tags)})
    cell.outputs = [new_output("display_data", data={"text/html": body})]
    return cell


def _img(b64: str, alt: str) -> str:
    return f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}"></p>'


def _payers(case: Case, lang: str) -> str:
    return " + ".join(HOLDER_LABELS[h][lang] for h in case.contract.payers)


def verdict(res: Result, lang: str) -> tuple[str, str]:
    """The corridor in words, and its class (good, bad or neutral)."""
    t, case = _T[lang], res.case
    cur, k = case.currency, case.contract
    ri = fmt("investor_required_return", k.investor_required_return, lang)
    if res.investor_min is None or res.commissioner_max is None:
        return t["corridor_none"], ""
    args = dict(lo=_money(res.investor_min, cur, lang), hi=_money(res.commissioner_max, cur, lang), ri=ri,
                payers=_payers(case, lang), price=_money(k.price, cur, lang),
                gap=_money(res.cofunding_per_outcome, cur, lang))
    if res.corridor:
        text = t["corridor_yes"].format(**args)
        if res.investor_min <= k.price <= res.commissioner_max:
            text += " " + t["price_inside"]
        elif k.price > res.commissioner_max:
            text += " " + t["price_above"]
        else:
            text += " " + t["price_below"].format(ri=ri)
        return text, "good"
    return t["corridor_no"].format(**args), "bad"


def summary_html(res: Result, lang: str, corridor_chart: str = "") -> str:
    """The summary page: headline figures, the corridor verdict and the table of key figures (with exact values
    in ``data-value`` attributes, so the report can be checked against the model)."""
    t, case = _T[lang], res.case
    cur = case.currency
    text, cls = verdict(res, lang)
    kpis = ["savings_per_case", "commissioner_max", "investor_min", "investor_irr"]
    figs = res.key_figures()
    cards = "".join(
        f'<div class="sib-kpi"><div class="label">{html.escape(label(n, lang))}</div>'
        f'<div class="value">{html.escape(fmt(n, figs[n], lang))}</div>'
        f'<div class="label">{html.escape(unit(n, cur))}</div></div>' for n in kpis)
    rows = "".join(
        f'<tr><td>{html.escape(label(n, lang))}</td>'
        f'<td class="num" data-name="{n}" data-value="{"" if v is None else repr(float(v))}">{html.escape(fmt(n, v, lang))}</td>'
        f'<td>{html.escape(unit(n, cur))}</td></tr>' for n, v in figs.items())
    extra = ""
    if res.wrong_pocket_gap is not None and res.pv_savings > 0:
        payer_share = sum(float(res.pv_savings_by_holder[h]) for h in case.contract.payers) / res.pv_savings
        if payer_share < 1 - 1e-12:
            extra = "<p>" + t["wrong_pocket"].format(share=fmt("investor_irr", 1 - payer_share, lang),
                                                     gap=_money(res.wrong_pocket_gap, cur, lang)) + "</p>"
    return (f'<section class="sib-summary"><h2>{t["summary"]}</h2><div class="sib-kpis">{cards}</div>'
            f'<div class="sib-verdict {cls}"><b>{t["corridor"]}.</b> {text}</div>{extra}{corridor_chart}'
            f'<h3>{t["key_figures"]}</h3><table class="sib-key-figures"><thead><tr><th>{t["figure"]}</th>'
            f'<th class="num">{t["value"]}</th><th>{t["unit"]}</th></tr></thead><tbody>{rows}</tbody></table></section>')


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [kv for k, v in data.items() for kv in _flatten(v, f"{prefix}{k}.")]
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return [kv for i, v in enumerate(data) for kv in _flatten(v, f"{prefix}{i}.")]
    return [(prefix[:-1], data)]


def inputs_html(case: Case, res: Result, lang: str, comments: dict[str, str]) -> str:
    """Every input of the case with its note or source, then the unit costs with their sources."""
    t = _T[lang]
    rows = []
    for path, value in _flatten(case.to_dict()):
        if path.startswith("costs_per_case") or path in ("name",):
            continue
        shown = ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in value) if isinstance(value, list) else (
            f"{value:g}" if isinstance(value, float) else str(value))
        cls = "num" if isinstance(value, (int, float, list)) else "text"
        rows.append(f"<tr><td><code>{html.escape(path)}</code></td><td class='{cls}'>{html.escape(shown)}</td>"
                    f"<td>{html.escape(comments.get(path, ''))}</td></tr>")
    cat = catalogue()
    items = []
    for i, (it, ci) in enumerate(zip(res.items.itertuples(index=False), case.costs_per_case)):
        row = cat[ci.item] if ci.item and ci.item in cat else None
        url = row.url if row is not None else ""
        link = f' <a href="{html.escape(url)}">{html.escape(url)}</a>' if url.startswith(("http://", "https://")) else ""
        note = comments.get(f"costs_per_case.{i}.quantity") or comments.get(f"costs_per_case.{i}.item", "")
        src = html.escape(it.source) + link + (f"<br><i>{html.escape(note)}</i>" if note else "")
        items.append(f"<tr><td>{html.escape(it.label_da if lang == 'da' else it.label_en)}</td>"
                     f"<td>{HOLDER_LABELS[it.holder][lang]}</td>"
                     f"<td class='num'>{fmt('price', it.unit_cost, lang)}</td><td class='num'>{it.cashable:g}</td>"
                     f"<td class='num'>{fmt('price', it.savings_per_case, lang)}</td><td>{src}</td></tr>")
    idx = price_index()
    return (f'<section><h2>{t["inputs"]}</h2><table><thead><tr><th>{t["field"]}</th><th class="num">{t["value"]}</th>'
            f'<th>{t["note"]}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<h3>{t["unit_costs"]} ({case.currency}, {case.price_year})</h3><table><thead><tr><th>{t["item"]}</th>'
            f'<th>{t["holder"]}</th><th class="num">{t["unit_cost"]}</th><th class="num">{t["cashable"]}</th>'
            f'<th class="num">{t["per_case"]}</th><th>{t["source"]}</th></tr></thead><tbody>{"".join(items)}</tbody></table>'
            f'<p>{html.escape(idx.name)}: data/price_index.csv ({idx.years[0]}-{idx.years[1]}).</p></section>')


def caveats(case: Case, res: Result, lang: str, comments: dict[str, str]) -> tuple[list[str], list[str]]:
    """(what is assumed, what is uncertain) for this case, as sentences."""
    t, o, a, k = _T[lang], case.outcome, case.adjustments, case.contract
    assumed = [t["real"].format(year=case.price_year, disc=_disc(case))]
    marked = sorted(p for p, c in comments.items() if c.lower().startswith(("assumption", "antagelse")))
    if marked:
        assumed.append(t["assumption_inputs"].format(items=", ".join(marked)))
    assumed.append(t["cashable_caveat"].format(cash=", ".join(f"{c.cashable:g}" for c in case.costs_per_case) or "-"))
    assumed.append(t["adjust"].format(a=f"{a.attribution:g}", d=f"{a.displacement:g}", o=f"{a.optimism_bias:g}"))
    if k.metric == "success":
        assumed.append(t["metric_success"])
    uncertain = [t["point"], t["persistence"].format(J=o.horizon_years)]
    rr = 1 - o.p1 / o.p0 if o.p0 > 0 else 0.0
    sw = res.switching_relative_reduction
    uncertain.append(t["switch"].format(payers=_payers(case, lang), sw=fmt("investor_irr", sw, lang),
                                        rr=fmt("investor_irr", rr, lang)) if sw is not None else t["switch_none"])
    uncapped = float((k.price * res.cash_flows["paid_outcomes"]).sum())
    if k.cap is not None and uncapped > res.total_payments + 1e-6:
        uncertain.append(t["cap"].format(cut=_money(uncapped - res.total_payments, case.currency, lang)))
    if res.payback_year is None and k.investor_share > 0:
        uncertain.append(t["payback_none"])
    return assumed, uncertain


def caveats_html(case: Case, res: Result, lang: str, comments: dict[str, str]) -> str:
    t = _T[lang]
    assumed, uncertain = caveats(case, res, lang, comments)
    li = lambda xs: "".join(f"<li>{html.escape(x)}</li>" for x in xs)  # noqa: E731
    return (f'<section class="sib-caveats"><h2>{t["caveats"]}</h2><h3>{t["assumed"]}</h3><ul>{li(assumed)}</ul>'
            f'<h3>{t["uncertain"]}</h3><ul>{li(uncertain)}</ul></section>')


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
    """The report notebook: title and summary, charts, the executed notebook's outputs, inputs, caveats."""
    t = _T[lang]
    today = _dt.date.today().isoformat()
    nb = new_notebook()
    nb.metadata["title"] = f"{t['title']}: {case.name}"
    nb.metadata["sibmodel"] = {"footer": t["footer"].format(version=_version(), case=case.name, date=today)}
    lead = t["lead"].format(cur=case.currency, year=case.price_year, disc=_disc(case), date=today, version=_version())
    pics = charts(res, lang)
    cur = case.currency
    cells = [
        _html_cell(f'<h1>{html.escape(case.name)}</h1><p class="sib-lead">{html.escape(lead)}</p>'
                   + (f"<p>{html.escape(o)}</p>" if (o := case.outcome.description) else "")),
        _html_cell(summary_html(res, lang, _img(pics["corridor"], t["chart_corridor"].format(cur=cur)))),
    ]
    if executed is None:  # the notebook has its own charts; without it the report draws the essential two
        cells.append(_html_cell(f'<h2>{t["charts"]}</h2>' + _img(pics["savings"], t["chart_savings"].format(cur=cur))
                                + _img(pics["cash"], t["chart_cash"].format(cur=cur))))
    if executed is not None:
        cells.append(_html_cell(f'<h2>{t["detail"]}</h2>'))
        for cell in executed.cells:
            tags = cell.get("metadata", {}).get("tags", [])
            if "parameters" in tags or "injected-parameters" in tags or "remove-from-report" in tags:
                continue
            if cell.cell_type == "code":
                cell.outputs = [out for out in cell.get("outputs", [])
                                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
                                and out.get("output_type") != "error"
                                and not (set(out.get("data", {"-": 0})) <= {"application/json"})]
            cells.append(cell)
    elif missing_note:
        cells.append(_html_cell(f"<p><i>{html.escape(missing_note)}</i></p>"))
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


def to_pdf(html_path: Path, pdf_path: Path, timeout: int = 180) -> str | None:
    """Print the HTML to PDF with chromium (or LibreOffice Writer); returns None on success, else why not."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            with tempfile.TemporaryDirectory(prefix="sibmodel-chromium-") as prof:
                cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                       "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={prof}",
                       "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            if pdf_path.exists() and pdf_path.stat().st_size > 0:
                return None
            return f"{name} failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"
    exe = shutil.which("soffice")
    if exe:
        with tempfile.TemporaryDirectory(prefix="sibmodel-lo-") as prof:
            cmd = [exe, f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--convert-to",
                   "pdf:writer_web_pdf_Export", "--outdir", str(pdf_path.parent), str(html_path)]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        made = pdf_path.parent / (html_path.stem + ".pdf")
        if made.exists() and made.stat().st_size > 0:
            if made != pdf_path:
                made.replace(pdf_path)
            return None
        return f"LibreOffice could not print HTML (needs libreoffice-writer): {proc.stderr.strip()[-200:]}"
    return "no PDF converter found (install chromium or libreoffice-writer); the HTML report is complete"


@dataclass
class Report:
    """The files a report run wrote; ``pdf`` is None when no converter was available (``pdf_note`` says why)."""

    html: Path
    pdf: Path | None
    pdf_note: str | None
    notebook_used: bool


def build_report(case_path: str | Path, lang: str = "en", outdir: str | Path = "reports",
                 notebook: str | Path | None = None, pdf: bool = True, timeout: int = 600) -> Report:
    """Write ``<outdir>/<case>.<lang>.html`` (and ``.pdf``) for a case file; see the module docstring."""
    if lang not in _T:
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
    note = None if executed is not None else _T[lang]["no_notebook"].format(path=nb_path)
    report_nb = compose(case, res, lang, executed, comments, note)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    html_path = outdir / f"{case_path.stem}.{lang}.html"
    html_path.write_text(to_html(report_nb, lang), encoding="utf-8")
    pdf_path, pdf_note = None, None
    if pdf:
        target = outdir / f"{case_path.stem}.{lang}.pdf"
        pdf_note = to_pdf(html_path, target)
        pdf_path = target if pdf_note is None else None
    return Report(html_path, pdf_path, pdf_note, executed is not None)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sibmodel.report", description="Write the HTML/PDF report of a case.")
    p.add_argument("case", help="a case file (YAML)")
    p.add_argument("--lang", choices=["da", "en"], default="en")
    p.add_argument("--outdir", default="reports")
    p.add_argument("--notebook", help=f"the business-case notebook (default {DEFAULT_NOTEBOOK.relative_to(ROOT)})")
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
