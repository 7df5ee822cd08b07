"""The report renders offline, shows no code, and carries the key figures of evaluate()."""
from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

import sibmodel
import nbformat

from sibmodel import prose
from sibmodel.i18n import fmt_value
from sibmodel.report import DEFAULT_NOTEBOOK, build_report, case_comments, compose, remote_assets, to_html
from tests.conftest import TEMPLATES

FIXTURE = Path(__file__).parent / "fixtures" / "business_case_fixture.ipynb"
CASE = TEMPLATES / "family_violence.yaml"


class _Scan(HTMLParser):
    """Collects key-figure cells (data-name/data-value and shown text), tags and text."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, tuple[str, str]] = {}
        self.tags: list[tuple[str, dict]] = []
        self._open: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "td" and "data-name" in a:
            self._open = a["data-name"]
            self.figures[self._open] = (a["data-value"], "")

    def handle_endtag(self, tag):
        if tag == "td":
            self._open = None

    def handle_data(self, data):
        self.text.append(data)
        if self._open:
            v, shown = self.figures[self._open]
            self.figures[self._open] = (v, shown + data)


def _scan(text: str) -> _Scan:
    s = _Scan()
    s.feed(text)
    return s


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, object]:
    """English from the small fixture notebook with PDF (where a converter exists); Danish from the real
    business-case notebook (notebooks/01_business_case.ipynb), HTML only."""
    out = tmp_path_factory.mktemp("reports")
    return {"en": build_report(CASE, "en", out, notebook=FIXTURE, pdf=True),
            "da": build_report(CASE, "da", out, notebook=DEFAULT_NOTEBOOK, pdf=False)}


@pytest.mark.parametrize("lang", ["en", "da"])
def test_report_has_no_code_and_no_remote_assets(reports, lang):
    rep = reports[lang]
    text = rep.html.read_text(encoding="utf-8")
    assert rep.notebook_used
    assert f'<html lang="{lang}">' in text
    assert remote_assets(text) == []
    scan = _scan(text)
    assert not [t for t, _ in scan.tags if t == "script"]
    for tag, a in scan.tags:  # every image is inline
        if tag == "img":
            assert a["src"].startswith("data:image/png;base64,")
    assert sum(1 for t, _ in scan.tags if t == "img") >= 2  # the corridor on the summary page and the notebook's
    # No code: no source line of the notebook reaches the report (nor stderr); its outputs do.
    assert "jp-CodeMirrorEditor" not in text and "jp-InputPrompt" not in text and "In&nbsp;[" not in text
    notebook = nbformat.read(FIXTURE if lang == "en" else DEFAULT_NOTEBOOK, as_version=4)
    code = [line.strip() for c in notebook.cells if c.cell_type == "code" for line in c.source.splitlines()]
    code = [line for line in code if len(line) > 12 and not line.startswith("#")]
    assert code and [line for line in code if line in text or html.escape(line, quote=False) in text] == []
    if lang == "en":
        assert "FIXTURE-STDERR-NOISE" not in text and "FIXTURE-OUTPUT-MARKER" in text


@pytest.mark.parametrize("lang", ["en", "da"])
def test_report_key_figures_equal_evaluate(reports, lang):
    res = sibmodel.evaluate(sibmodel.load_case(CASE))
    figs = _scan(reports[lang].html.read_text(encoding="utf-8")).figures
    assert set(figs) == set(res.key_figures())
    for name, value in res.key_figures().items():
        stored, shown = figs[name]
        if value is None:
            assert stored == "" and shown == "–"
            continue
        assert float(stored) == value  # exact: repr round-trips
        if name in ("commissioner_max", "investor_min", "pv_savings", "price"):  # money, whole units
            expected = f"{round(value):,}"
            assert shown == (expected.replace(",", ".") if lang == "da" else expected)


def test_summary_states_the_corridor_and_the_sections(reports):
    res = sibmodel.evaluate(sibmodel.load_case(CASE))
    text = " ".join(_scan(reports["en"].html.read_text(encoding="utf-8")).text)
    if res.corridor:
        assert "A deal is possible" in text and f"{round(res.corridor[0]):,}" in text
    else:
        assert "No price corridor" in text and f"DKK {round(res.cofunding_per_outcome):,}" in text
    for heading in ("Summary", "The business case in detail", "Inputs and their sources", "Caveats",
                    "What is assumed", "What is uncertain"):
        assert heading in text
    cat = sibmodel.catalogue()
    case = sibmodel.load_case(CASE)
    for item in case.costs_per_case:  # every catalogue source is cited
        if item.item:
            assert cat[item.item].source in text
    assert "Prisindeks" not in text  # English report
    da = " ".join(_scan(reports["da"].html.read_text(encoding="utf-8")).text)
    assert "Sammenfatning" in da and "Forbehold" in da


def test_pdf_is_written_where_a_converter_exists(reports):
    rep = reports["en"]
    has_converter = any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))
    if has_converter:
        assert rep.pdf is not None and rep.pdf.read_bytes()[:5] == b"%PDF-" and rep.pdf.stat().st_size > 20_000
    else:  # the HTML is complete and the run says why there is no PDF
        assert rep.pdf is None and rep.pdf_note
    assert reports["da"].pdf is None  # not asked for


def test_without_the_notebook_the_summary_inputs_and_caveats_still_render():
    case = sibmodel.load_case(CASE)
    res = sibmodel.evaluate(case)
    nb = compose(case, res, "en", None, case_comments(CASE.read_text(encoding="utf-8")), "notebook missing")
    text = to_html(nb, "en")
    assert "notebook missing" in text and "Caveats" in text and "The business case in detail" not in text
    assert text.count('src="data:image/png;base64,') == 4  # corridor, budgets by year, savings by year, investor cash flow
    assert _scan(text).figures["commissioner_max"][0] == repr(res.commissioner_max)


def test_missing_notebook_given_explicitly_is_refused(tmp_path):
    with pytest.raises(sibmodel.CaseError, match="--notebook = .*notebook not found"):
        build_report(CASE, "en", tmp_path, notebook=tmp_path / "nope.ipynb", pdf=False)
    with pytest.raises(sibmodel.CaseError, match="--lang = 'de'"):
        build_report(CASE, "de", tmp_path, pdf=False)


def test_remote_asset_check_catches_cdn_links_but_not_citations():
    assert remote_assets('<script src="https://cdn.example/x.js"></script>')
    assert remote_assets("<link rel='stylesheet' href='//cdn.example/x.css'>")
    assert remote_assets("<style>@import url(https://fonts.example/f.css);</style>")
    assert remote_assets('<img alt="" src="http://example.org/a.png">')
    assert remote_assets('<a href="https://www.dst.dk/">Danmarks Statistik</a>') == []


def test_case_comments_by_dotted_path():
    text = (
        "name: X  # not a value comment? yes it is\n"
        "outcome:\n"
        "  baseline_rate: 0.6   # assumption: share of families\n"
        "  horizon_years: 10\n"
        "costs_per_case:\n"
        "  - item: a            # first item\n"
        "    quantity: 30       # assumption: days\n"
        "  - amount: 5\n"
        "    holder: kommune    # second holder\n"
        "contract:\n"
        "  payers: [kommune]    # who pays\n"
    )
    got = case_comments(text)
    assert got == {"name": "not a value comment? yes it is", "outcome.baseline_rate": "assumption: share of families",
                   "costs_per_case.0.item": "first item", "costs_per_case.0.quantity": "assumption: days",
                   "costs_per_case.1.holder": "second holder", "contract.payers": "who pays"}


@pytest.mark.parametrize("name, value, lang, shown", [
    ("commissioner_max", 1234567.5, "en", "1,234,568"),
    ("commissioner_max", 1234567.5, "da", "1.234.568"),
    ("investor_irr", -0.4969, "en", "-49.7 %"),
    ("investor_irr", 0.0725, "da", "7,2 %"),
    ("investor_moic", 1.5, "da", "1,50"),
    ("payback_year", 3, "en", "3"),
    ("investor_irr", None, "en", "–"),
    ("investor_irr", float("nan"), "da", "–"),
])
def test_number_format(name, value, lang, shown):
    assert fmt_value(value, name, lang) == shown


def test_the_point_value_caveat_says_whether_the_case_has_distributions():
    case = sibmodel.load_case(CASE)
    assert case.distributions  # the template gives distributions for some inputs
    _, uncertain = prose.caveats(sibmodel.evaluate(case), "da")
    assert uncertain[0].startswith(f"{len(case.distributions)} input har en fordeling")
    point = case.update({path: float(d.mean) for path, d in case.distributions.items()})
    assert not point.distributions
    _, uncertain = prose.caveats(sibmodel.evaluate(point), "en")
    assert uncertain[0].startswith("Every input is a point value")


# -- English in the Danish report ----------------------------------------------------------------------------

ENGLISH = set("the of and to is are an with that from by which not but were has their they what who when "
              "each than into this these those would could should there".split())


class _Visible(HTMLParser):
    """Visible text, leaving out code, links, cited titles, the case author's own notes, styles and scripts."""
    SKIP = {"style", "script", "code", "a", "cite", "title", "head"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "br", "meta", "link", "hr", "input"):
            return
        self.stack.append(tag in self.SKIP or ("class", "sib-note") in attrs)

    def handle_endtag(self, tag):
        if tag in ("img", "br", "meta", "link", "hr", "input"):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.out.append(data)


def english_words(html_text: str, cited: list[str] = ()) -> list[str]:
    """English function words in the visible text, with the ``cited`` sources (titles and their notes) taken out."""
    v = _Visible()
    v.feed(html_text)
    visible = " ".join(" ".join(v.out).split())
    for source in cited:
        visible = visible.replace(" ".join(source.split()), " ")
    return [w for w in re.findall(r"[a-zæøå']+", visible.lower()) if w in ENGLISH]


def test_english_function_words_in_the_danish_report(reports):
    """The Danish report (built from the real business-case notebook) has at most a handful of English
    function words in its visible text; code, links, cited titles and the case author's notes aside."""
    cited = [str(x) for x in sibmodel.evaluate(sibmodel.load_case(CASE)).items["source"].dropna()]
    words = english_words(reports["da"].html.read_text(encoding="utf-8"), cited)
    assert len(words) <= 5, words
    assert len(english_words(reports["en"].html.read_text(encoding="utf-8"))) > 50  # the counter does count


# -- rate cards and the other design-v2 elements -----------------------------------------------------------------

CARDS = ["homelessness_housing_first", "youth_education_employment", "family_violence"]


@pytest.mark.parametrize("lang", ["en", "da"])
@pytest.mark.parametrize("name", CARDS)
def test_every_template_renders_with_its_card_terms_and_budgets(name, lang):
    """Without the notebook (fast): a card of several rows speaks in scales, shows each row with its price and
    break-even prices, the co-payers, and each budget's net effect by year; the key figures stay exact."""
    path = TEMPLATES / f"{name}.yaml"
    case = sibmodel.load_case(path)
    res = sibmodel.evaluate(case)
    page = to_html(compose(case, res, lang, None, case_comments(path.read_text(encoding="utf-8"))), lang)
    scan = _scan(page)
    words = " ".join(scan.text)
    assert set(scan.figures) == set(res.key_figures())
    for row in case.contract.rows():
        shown = fmt_value(row.price, "price", lang, case.currency)
        assert shown in words
    be = res.break_even_prices
    for v in be["commissioner_max"]:
        assert fmt_value(v, "commissioner_max", lang, case.currency) in words
    for cp in case.contract.co_payers or []:
        assert cp.name in words
    if len(case.contract.rows()) > 1:
        assert res.commissioner_max is None and res.commissioner_max_scale is not None
        scale = prose.fmt_scale(res.commissioner_max_scale, lang)
        assert scale in words
        assert ("gange prislisten" if lang == "da" else "times the card") in words
    # the payer's net by year: total undiscounted as the table's last row
    from sibmodel.tables import net_budget_by_year
    total = float(net_budget_by_year(res)["payers"].sum())
    assert fmt_value(total, "total_payments", lang, case.currency).replace("kr.", "").replace("DKK", "").strip() in words


def test_caveats_of_a_card_name_the_cap_cut_by_row():
    """A binding cap on a card of several rows: the caveat states the cut (sum of row prices x paid outcomes by
    row minus what is paid), computed here independently from the cash flows."""
    case = sibmodel.load_case(TEMPLATES / "homelessness_housing_first.yaml")
    uncapped = sibmodel.evaluate(case).total_payments
    capped = case.update({"contract.cap": round(uncapped / 2)})
    res = sibmodel.evaluate(capped)
    _, uncertain = prose.caveats(res, "en")
    cut = uncapped - res.total_payments
    assert res.total_payments == pytest.approx(round(uncapped / 2))
    assert any(f"cut by DKK {round(cut):,}" in s for s in uncertain)
