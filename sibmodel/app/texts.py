"""Every text the app shows, in Danish (``da``, the default) and English (``en``), and number formatting.

Labels of result figures come from the results' own summary; numbers, money, percentages and budget holders are
formatted by :mod:`sibmodel.i18n` (one formatter for the package); this module holds the app's own words: group
titles, input labels with their unit and help text, buttons, messages worded by problem code, chart captions.
"""
from __future__ import annotations

import re
from typing import Any

from .. import i18n

LANGS = ("da", "en")

#: key -> (Danish, English)
_T: dict[str, tuple[str, str]] = {
    "title": ("Business case for en social investering", "Business case for a social investment"),
    "intro": (
        "Vælg en skabelon eller hent en sagsfil, og justér forudsætningerne. Nøgletallene og figurerne til højre "
        "opdateres med det samme. Alle beløb er i faste priser (prisåret står under nøgletallene). Intet forlader "
        "din maskine.",
        "Pick a template or upload a case file, and adjust the assumptions. The key figures and charts on the right "
        "update at once. All amounts are in fixed prices (the price year is shown below the key figures). Nothing "
        "leaves your machine.",
    ),
    "language": ("Sprog", "Language"),
    "template": ("Skabelon", "Template"),
    "template_help": ("Et eksempel for et indsatsområde; tallene markeret som antagelser skal tilpasses.",
                      "An example for a programme area; figures marked as assumptions need tuning."),
    "blank": ("Tom sag (kun eget beløb)", "Blank case (own amounts only)"),
    "upload": ("Hent sagsfil (YAML)", "Upload case file (YAML)"),
    "reset": ("Nulstil til skabelonen", "Reset to the template"),
    # groups
    "g_cohort": ("Målgruppe og deltagere", "Target group and cohort"),
    "g_outcome": ("Udgangspunkt og effekt", "Baseline and effect"),
    "g_costs": ("Omkostninger pr. sag", "Costs per case"),
    "g_intervention": ("Indsatsens omkostninger", "The intervention's cost"),
    "g_contract": ("Kontrakten", "The contract"),
    "g_discount": ("Diskontering og horisont", "Discounting and horizon"),
    "g_uncertainty": ("Usikkerhed", "Uncertainty"),
    "g_keep": ("Gem arbejdet", "Keep the work"),
    # results
    "results": ("Nøgletal", "Key figures"),
    "charts": ("Figurer", "Charts"),
    "stale": ("Viser det seneste gyldige resultat: ret den markerede indtastning.",
              "Showing the last valid result: correct the marked input."),
    "deal": ("Der er en priskorridor: en pris mellem {lo} og {hi} pr. resultat holder både betaler og investor skadesløse.",
             "There is a price corridor: a price between {lo} and {hi} per outcome leaves both commissioner and investor whole."),
    "no_deal": ("Ingen priskorridor: investor kræver {gap} mere pr. resultat, end betaleren kan betale. "
                "Medfinansiering (fx fra staten) på {gap} pr. resultat lukker hullet.",
                "No price corridor: the investor needs {gap} more per outcome than the commissioner can pay. "
                "Co-funding (for example from the state) of {gap} per outcome closes the gap."),
    "no_outcomes": ("Ingen betalte resultater: med denne effekt betaler kontrakten intet, og der kan ikke beregnes priser.",
                    "No paid outcomes: with this effect the contract pays nothing and no prices can be computed."),
    "price_in": ("Kontraktens pris ({price}) ligger i korridoren.", "The contract price ({price}) lies in the corridor."),
    "price_out": ("Kontraktens pris ({price}) ligger uden for korridoren.", "The contract price ({price}) lies outside the corridor."),
    "price_year": ("Beløb i {cur}, {year}-priser, faste priser.", "Amounts in {cur}, {year} prices, real terms."),
    "all_figures": ("Alle nøgletal", "All key figures"),
    "upload_help": ("En sagsfil i YAML, højst 256 kB.", "A case file in YAML, at most 256 kB."),
    "col_figure": ("Nøgletal", "Figure"),
    "col_value": ("Værdi", "Value"),
    "col_unit": ("Enhed", "Unit"),
    "ch_savings": ("Besparelser pr. år og budget (udiskonteret)", "Savings by year and budget (undiscounted)"),
    "ch_corridor": ("Priskorridor og kontraktens pris", "Price corridor and the contract price"),
    "ch_cash": ("Investors pengestrøm pr. år", "Investor's cash flow by year"),
    "year": ("Programår", "Programme year"),
    "cumulative": ("Akkumuleret", "Cumulative"),
    "investor_min_short": ("Investors minimum", "Investor minimum"),
    "commissioner_max_short": ("Betalers maksimum", "Commissioner maximum"),
    "public_max_short": ("Offentlig sektors maksimum", "Public sector maximum"),
    "price_short": ("Kontraktpris", "Contract price"),
    # keep
    "download_yaml": ("Hent sagen som YAML", "Download the case as YAML"),
    "make_excel": ("Lav Excel-fil med resultaterne", "Make an Excel file of the results"),
    "download_excel": ("Hent Excel-filen", "Download the Excel file"),
    "share": ("Link til disse forudsætninger", "Link to these assumptions"),
    "share_help": ("Tilføj teksten til appens adresse for at åbne samme forudsætninger igen.",
                   "Append this to the app's address to open the same assumptions again."),
    "uploaded": ("Sagen '{name}' er indlæst.", "The case '{name}' is loaded."),
    "query_loaded": ("Forudsætninger fra adressen er indlæst: {keys}.", "Assumptions from the address are loaded: {keys}."),
    # costs table
    "c_item": ("Post (enhedspris)", "Item (unit cost)"),
    "c_amount": ("Beløb pr. enhed", "Amount per unit"),
    "c_holder": ("Budget", "Budget"),
    "c_quantity": ("Antal pr. sag pr. år", "Quantity per case per year"),
    "c_years": ("År", "Years"),
    "c_cashable": ("Realiserbar andel", "Cashable share"),
    "c_add": ("Tilføj post", "Add item"),
    "c_remove": ("Fjern valgt post", "Remove chosen item"),
    "c_row": ("Post nr.", "Item no."),
    "c_saving": ("Besparelse pr. sag", "Saving per case"),
    "c_own": ("Eget beløb", "Own amount"),
    "c_help": (
        "Hver post er en udgift, som en forebygget sag sparer. Vælg en enhedspris fra kataloget (med kilde) eller "
        "'Eget beløb'. Antal: ét tal for hvert af de første 'År' år, eller en liste pr. år adskilt med semikolon "
        "(fx 30; 10; 5). 'Beløb pr. enhed' tomt betyder katalogets pris, ført til sagens prisår. Retning 'påføres': "
        "en udgift, som forebyggelsen skaber (fx SU under uddannelse); den trækkes fra besparelsen.",
        "Each item is a cost that a prevented case saves. Pick a unit cost from the catalogue (with its source) or "
        "'Own amount'. Quantity: one number for each of the first 'Years' years, or a list by year separated by "
        "semicolons (e.g. 30; 10; 5). An empty 'Amount per unit' means the catalogue price, moved to the case's "
        "price year. Direction 'incurred': a cost that prevention causes (e.g. SU while studying); it is subtracted "
        "from the saving.",
    ),
    # uncertainty
    "u_missing": ("Usikkerhedsberegningen (Monte Carlo) er ikke installeret i denne version; tallene ovenfor er punktskøn.",
                  "The uncertainty engine (Monte Carlo) is not installed in this version; the figures are point estimates."),
    "u_intro": ("Angiv usikkerheden (standardafvigelse) på de vigtigste forudsætninger og kør simuleringen.",
                "Give the uncertainty (standard deviation) of the key inputs and run the simulation."),
    "u_run": ("Kør simulering", "Run simulation"),
    "u_sd_effect": ("Usikkerhed på effekten (sd)", "Uncertainty of the effect (sd)"),
    "u_sd_baseline": ("Usikkerhed på udgangspunktet (sd)", "Uncertainty of the baseline (sd)"),
    "u_draws": ("Antal simuleringer", "Number of draws"),
    "u_prob": ("Sandsynlighed", "Probability"),
    "u_p_commissioner": ("Betaleren sparer penge", "The commissioner saves money"),
    "u_p_investor": ("Investor får mindst sit krævede afkast", "The investor earns at least its required return"),
    "u_p_corridor": ("Der findes en priskorridor", "A price corridor exists"),
    "u_tornado": ("Følsomhed (tornado): betalers nettonutidsværdi", "Sensitivity (tornado): commissioner's net present value"),
    "u_tornado_axis": ("Betalers nettonutidsværdi (kr.), når hver forudsætning går fra lav til høj",
                       "Commissioner's net present value (DKK) as each input goes from low to high"),
    "u_accept": ("Acceptkurve: sandsynlighed for gevinst mod pris", "Acceptability curve: probability of gain against price"),
    "u_failed": ("Simuleringen kunne ikke køres: {msg}", "The simulation could not run: {msg}"),
    "u_stale": ("Forudsætningerne er ændret siden simuleringen; kør den igen.",
                "The assumptions changed since the simulation; run it again."),
    # errors
    "err_unexpected": ("Uventet fejl; det seneste gyldige resultat vises. Detalje: {msg}",
                       "Unexpected error; the last valid result is shown. Detail: {msg}"),
    "err_number": ("skal være et tal", "must be a number"),
    "err_finite": ("skal være et endeligt tal", "must be a finite number"),
    "err_ambiguous": ("er tvetydigt: skriv tallet uden tusindtalsseparator (fx 150000)",
                      "is ambiguous: write the number without a thousands separator (e.g. 150000)"),
    "err_range": ("skal ligge mellem {lo} og {hi}", "must lie between {lo} and {hi}"),
    "err_upload_size": ("filen er for stor (højst {kb} kB)", "the file is too large (at most {kb} kB)"),
    "err_upload_text": ("filen er ikke tekst i UTF-8", "the file is not UTF-8 text"),
    "none": ("–", "–"),
    "no_cap": ("tom = intet loft", "empty = no cap"),
}

#: Input fields: path -> (label da, label en, unit da, unit en, help da, help en)
FIELDS: dict[str, tuple[str, str, str, str, str, str]] = {
    "name": ("Sagens navn", "Name of the case", "", "", "Vises i filer og rapporter.", "Shown in files and reports."),
    "cohort.participants": (
        "Deltagere pr. år", "Participants per year", "personer", "people",
        "Antal, der starter i programår 0, 1, 2, … adskilt med semikolon (fx 8; 8; 9).",
        "Number who enrol in programme years 0, 1, 2, … separated by semicolons (e.g. 8; 8; 9)."),
    "outcome.baseline_rate": (
        "Udgangspunkt uden indsats", "Baseline rate without the intervention", "andel", "share",
        "Andelen af deltagerne, der ender i den dyre situation uden indsatsen (p0).",
        "Share of participants who end in the costly situation without the intervention (p0)."),
    "outcome.relative_reduction": (
        "Effekt: relativ reduktion", "Effect: relative reduction", "andel", "share",
        "Hvor meget indsatsen sænker andelen: 40 % betyder, at 0,6 bliver til 0,36.",
        "How much the intervention lowers the rate: 40 % means 0.6 becomes 0.36."),
    "outcome.drop_off": (
        "Tilbagefald pr. år", "Relapse per year", "andel", "share",
        "Andelen af forebyggede sager, der alligevel opstår hvert år efter.",
        "Share of prevented cases that still occur in each later year."),
    "outcome.onset_lag_years": (
        "Forsinkelse før besparelser", "Delay before savings", "år", "years",
        "År fra indskrivning, til besparelserne begynder.", "Years from enrolment until savings start."),
    "adjustments.attribution": (
        "Tilskrivning", "Attribution", "andel", "share",
        "Andel af effekten, der skyldes denne indsats (1 = hele).", "Share of the effect due to this intervention (1 = all)."),
    "adjustments.displacement": (
        "Fortrængning", "Displacement", "andel", "share",
        "Andel af besparelsen, der dukker op et andet sted.", "Share of the saving that reappears elsewhere."),
    "adjustments.optimism_bias": (
        "Korrektion for optimisme", "Optimism bias correction", "andel", "share",
        "Nedskrivning af besparelserne ved svag evidens.", "Reduction of the savings where the evidence is weak."),
    "intervention.cost_per_participant": (
        "Pris pr. deltager", "Cost per participant", "kr.", "DKK",
        "Indsatsens pris pr. deltager, fordelt jævnt over leveringsårene.",
        "The intervention's cost per participant, spread evenly over the delivery years."),
    "intervention.delivery_years": (
        "Leveringsår", "Delivery years", "år", "years",
        "Over hvor mange år prisen pr. deltager betales.", "Over how many years the cost per participant falls."),
    "intervention.fixed_cost_per_year": (
        "Faste omkostninger pr. år", "Fixed cost per year", "kr.", "DKK",
        "Ét beløb for hvert indskrivningsår, eller en liste pr. programår adskilt med semikolon.",
        "One amount for every enrolment year, or a list by programme year separated by semicolons."),
    "contract.metric": (
        "Der betales for", "Payment is for", "", "",
        "Forebyggede sager (den målte effekt) eller succeser (alle, der ikke ender i sagen; betaler også for dødvægt).",
        "Prevented cases (the measured effect) or successes (everyone who does not end in the case; pays for deadweight too)."),
    "contract.price": (
        "Pris pr. resultat", "Price per outcome", "kr.", "DKK",
        "Hvad betaleren betaler investor pr. opnået resultat.", "What the commissioner pays the investor per outcome."),
    "contract.payment_lag_years": (
        "Betaling efter", "Payment after", "år", "years",
        "År fra indskrivning, til resultatet er målt og betalt.", "Years from enrolment until the outcome is verified and paid."),
    "contract.cap": (
        "Loft over betalinger", "Cap on payments", "kr.", "DKK",
        "Højeste samlede resultatbetaling (udiskonteret); tomt = intet loft.",
        "Highest total outcome payment (undiscounted); empty = no cap."),
    "contract.payers": (
        "Betalere", "Payers", "", "",
        "Budgetter, der betaler, og hvis besparelser tæller for betaleren.",
        "Budgets that pay and whose savings count for the commissioner."),
    "contract.investor_share": (
        "Investors andel af finansieringen", "Investor's share of the financing", "andel", "share",
        "Resten betaler betaleren løbende som honorar.", "The commissioner pays the rest as a fee when it arises."),
    "contract.investor_required_return": (
        "Investors krævede afkast", "Investor's required return", "pr. år", "per year",
        "Den rente, investor kræver; giver investors laveste pris.", "The return the investor requires; gives its minimum price."),
    "discounting": (
        "Diskonteringsrente", "Discount rate", "", "",
        "Finansministeriets satser (3,5 % i år 0-35) eller en fast rente.",
        "Finansministeriet's rates (3.5 % years 0-35) or a constant rate."),
    "discounting.rate": (
        "Fast rente", "Constant rate", "pr. år", "per year", "Bruges, når 'Fast rente' er valgt.", "Used when 'Constant rate' is chosen."),
    "outcome.horizon_years": (
        "Horisont", "Horizon", "år", "years",
        "Hvor mange år konsekvenserne af en sag følges (SØM følger op til 10 år).",
        "How many years the consequences of a case are followed (SØM follows up to 10 years)."),
}

CHOICES: dict[str, dict[str, tuple[str, str]]] = {
    "contract.metric": {"prevented_case": ("Forebyggede sager", "Prevented cases"), "success": ("Succeser", "Successes")},
    "discounting": {"dk-fm-2021": ("Finansministeriet (2021)", "Finansministeriet (2021)"),
                    "uk-green-book": ("UK Green Book", "UK Green Book"),
                    "constant": ("Fast rente", "Constant rate")},
    "holder": {"kommune": ("kommune", "municipality"), "region": ("region", "region"), "stat": ("stat", "state")},
}

#: Result units in Danish (the result table's own units are English).
_UNITS_DA = {"cases": "sager", "outcomes": "resultater", "per year": "pr. år", "times": "gange",
             "programme year": "programår", "share": "andel"}


def t(key: str, lang: str, **kw: Any) -> str:
    """The text ``key`` in ``lang`` with ``{placeholders}`` filled in."""
    text = _T[key][0 if lang == "da" else 1]
    return text.format(**kw) if kw else text


def field_text(path: str, lang: str) -> tuple[str, str, str]:
    """(label, unit, help) of an input field in ``lang``."""
    da, en, uda, uen, hda, hen = FIELDS[path]
    return (da, uda, hda) if lang == "da" else (en, uen, hen)


def choice(group: str, key: str, lang: str) -> str:
    if group == "holder":
        return i18n.holder_label(key, lang)
    return CHOICES[group][key][0 if lang == "da" else 1]


def result_unit(unit: str, lang: str) -> str:
    """A result unit such as 'DKK per outcome' in ``lang``."""
    if lang != "da":
        return unit
    if unit in _UNITS_DA:
        return _UNITS_DA[unit]
    return unit.replace("DKK", "kr.").replace(" per case", " pr. sag").replace(" per outcome", " pr. resultat")


def fmt_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """A number with the language's separators: 1.234.567,5 (da) or 1,234,567.5 (en); '–' for None
    (:func:`sibmodel.i18n.fmt_number`, the package's one formatter)."""
    return i18n.fmt_number(value, lang, decimals)


def fmt_money(value: float | None, lang: str, currency: str = "DKK") -> str:
    """Money rounded to whole units with the currency: '150.000 kr.' or 'DKK 150,000' (:func:`sibmodel.i18n.fmt_money`)."""
    return i18n.fmt_money(value, lang, currency)


def fmt_share(value: float | None, lang: str, decimals: int = 1) -> str:
    """A share as a percentage: 0.071 -> '7,1 %' (da) or '7.1 %' (en); whole percentages without decimals
    (:func:`sibmodel.i18n.fmt_pct`)."""
    if value is not None and decimals and abs(round(100 * value, decimals) - round(100 * value)) < 1e-9:
        decimals = 0
    return i18n.fmt_pct(value, lang, decimals)


def fmt_figure(name: str, value: Any, lang: str, currency: str = "DKK") -> str:
    """A key figure formatted for reading: money whole, shares as percentages, counts with decimals, factors on
    the rate card and benefit-cost ratios with two decimals."""
    if value is None:
        return "–"
    if name in FACTORS:
        return fmt_number(value, lang, 2)
    if name == "cohorts_paid":
        return fmt_share(value, lang)
    if name in ("investor_irr", "investor_required_return", "switching_relative_reduction"):
        return fmt_share(value, lang)
    if name == "payback_year":
        return str(int(value))
    if name == "investor_moic":
        return fmt_number(value, lang, 2)
    if name in ("prevented_cases", "paid_outcomes"):
        return fmt_number(value, lang, 1)
    return fmt_number(value, lang)


_T["download_formulas"] = ("Hent Excel med formler", "Download Excel with formulas")

#: Problem codes (``Problem.code``) -> (Danish, English) wording; ``{name}`` placeholders are ``Problem.params``.
_CODES: dict[str, tuple[str, str]] = {
    "number.not_a_number": ("skal være et tal", "must be a number"),
    "number.invalid": ("er ikke et tal (skriv fx 150.000, 0,5 eller 1e5)", "is not a number (write e.g. 150000, 0.5 or 1e5)"),
    "number.empty": ("skriv et tal", "write a number"),
    "number.percent": ("skriv en andel som brøk uden %, fx 0,3 for 30 %", "write a share as a fraction without %, e.g. 0.3 for 30 %"),
    "number.decimal_comma": ("på engelsk er decimaltegnet punktum, ikke komma: skriv {suggestion}",
                             "English input marks decimals with a point, not a comma: write {suggestion}"),
    "number.decimal_point": ("på dansk er decimaltegnet komma, og punktum adskiller tusinder i grupper af tre: skriv {suggestion}",
                             "Danish input marks decimals with a comma and separates thousands with a point in groups of "
                             "three: write {suggestion}"),
    "number.grouping": ("tusindtalsseparatorerne står ikke i grupper af tre cifre (fx 1.234.567)",
                        "the thousands separators are not in groups of three digits (e.g. 1.234.567)"),
    "number.language": ("ukendt sprog; tilladt: da, en", "unknown language; allowed: da, en"),
    "number.not_finite": ("skal være et endeligt tal", "must be a finite number"),
    "number.out_of_range": ("skal ligge mellem {lo} og {hi}", "must lie between {lo} and {hi}"),
    "number.thousands_separator": ("har en tusindtalsseparator, som engelsk indtastning ikke tager (den kunne læses som et "
                                   "mindre tal): skriv {suggestion}",
                                   "has a thousands separator, which English input does not take (it could be read as a "
                                   "smaller number): write {suggestion}"),
    "number.danish_point": ("på dansk adskiller '.' tusinder (1.234.567), og ',' er decimaltegnet (0,5)",
                            "in Danish '.' separates thousands (1.234.567) and ',' is the decimal mark (0,5)"),
    "number.ambiguous": ("er tvetydigt: et punktum foran tre cifre er tusindtalsseparator på dansk; skriv tallet uden (fx 150000 eller 150)",
                         "is ambiguous: a point before three digits reads as a thousands separator in Danish; write the number "
                         "without it (e.g. 150000, or 150)"),
    "number.decimal_marks": ("har mere end ét decimalkomma", "has more than one decimal comma"),
    "number.not_integer": ("skal være et helt tal", "must be a whole number"),
    "number.list": ("skal være et tal eller en liste af tal adskilt med ';'", "must be a number or a list of numbers separated by ';'"),
    "text.too_long": ("er for lang ({n} tegn; højst {limit})", "is too long ({n} characters; at most {limit})"),
    "app.unknown_input": ("er ikke en indtastning i appen; tilladt: template, lang, {allowed}",
                          "not an input of the app; allowed: template, lang, {allowed}"),
    "app.choice": ("skal være en af: {allowed}", "must be one of: {allowed}"),
    "app.payers": ("skal være en eller flere af {allowed}, adskilt med komma", "must be one or more of {allowed}, separated by commas"),
    "app.discounting": ("skal være en af {allowed} eller en fast rente som 0.035",
                        "must be one of {allowed} or a constant rate such as 0.035"),
    "app.no_payer": ("vælg mindst én betaler", "tick at least one payer"),
    "app.years_with_list": ("lad 'År' stå tomt, når antal er en liste pr. år", "leave years empty when quantity is a list by year"),
    "app.template": ("findes ikke som skabelon; tilladt: {allowed}", "no such template; allowed: {allowed}"),
    "app.unexpected": ("uventet fejl; det seneste gyldige resultat vises", "unexpected error; the last valid result is shown"),
    "query.too_long": ("adressen er for lang; højst {limit} tegn parametre læses", "the address is too long; at most {limit} characters of parameters are read"),
    "query.too_many": ("for mange parametre; højst {limit} læses", "too many parameters; at most {limit} are read"),
    "upload.too_large": ("filen er for stor ({n} byte; højst {limit})", "the file is too large ({n} bytes; at most {limit})"),
    "upload.not_text": ("filen er ikke tekst i UTF-8 (en sagsfil er YAML)", "the file is not UTF-8 text (a case file is YAML)"),
}

#: Field labels for messages that name a place rather than an input.
_PLACES = {"address": ("adressen", "the address"), "upload": ("sagsfilen", "the case file")}


def _param(value: Any, lang: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    decimals = 0 if float(value).is_integer() else min(6, len(repr(float(value)).split(".")[-1]))
    return fmt_number(value, lang, decimals).replace("−", "-")


def problem_text(problem: Any, lang: str) -> str:
    """One problem worded in ``lang``: ``path = value: what is allowed`` (by its code where it has one)."""
    from ..errors import Problem

    code = getattr(problem, "code", None)
    if code in _CODES:
        params = {k: _param(v, lang) for k, v in (problem.params or {}).items()}
        try:
            message = _CODES[code][0 if lang == "da" else 1].format(**params)
        except (KeyError, IndexError):
            message = problem.message if lang != "da" else translate_message(problem.message, lang)
    else:
        message = translate_message(problem.message, lang)
    place = _PLACES.get(problem.path, (problem.path, problem.path))[0 if lang == "da" else 1] or "(case)"
    return str(Problem(place, problem.value, message))


def problems_text(problems: list[Any], lang: str) -> str:
    """Several problems, one after another, each worded in ``lang``."""
    return "; ".join(problem_text(p, lang) for p in problems)


#: Danish wording of the model's (English) validation messages; the field path and value stay as they are.
_MESSAGES_DA = (
    ("must be greater than or equal to", "skal være mindst"),
    ("must be less than or equal to", "må højst være"),
    ("must be greater than", "skal være større end"),
    ("must be less than", "skal være mindre end"),
    ("must be a number", "skal være et tal"),
    ("must be a finite number", "skal være et endeligt tal"),
    ("must be a whole number of years", "skal være et helt antal år"),
    ("must be a whole number", "skal være et helt tal"),
    ("must lie between", "skal ligge mellem"),
    ("or a constant rate such as", "eller en fast rente som fx"),
    ("must be one of", "skal være en af"),
    ("must have at least", "skal have mindst"),
    ("is not an index of a list of", "er ikke et nummer i en liste med"),
    ("no such field in a case", "findes ikke i en sag"),
    ("not valid YAML", "ikke gyldig YAML"),
    ("is ambiguous: write the number without thousands separators", "er tvetydigt: skriv tallet uden tusindtalsseparator"),
    ("decimal comma or point", "decimalkomma eller -punktum"),
    ("tick at least one payer", "vælg mindst én betaler"),
    ("required field is missing", "feltet mangler"),
    ("not a key of the unit-cost catalogue", "findes ikke i enhedspriskataloget"),
    ("must be a valid number", "skal være et gyldigt tal"),
    ("must not exceed", "må ikke overstige"),
    ("at least one participant must enrol", "mindst én deltager skal starte"),
    ("leave years empty when quantity is a list by year", "lad 'År' stå tomt, når antal er en liste pr. år"),
)


def translate_message(message: str, lang: str) -> str:
    """A problem message in ``lang`` (the common phrases translated to Danish; paths and values unchanged)."""
    if lang != "da" or not message:
        return message
    for en, da in _MESSAGES_DA:
        message = message.replace(en, da)
    # decimal points in the numbers of the message become decimal commas (paths such as a.0.b are left alone)
    return re.sub(r"(?<![\w.])(-?\d+)\.(\d+)(?![\w.])", r"\1,\2", message)


# -- rate cards, co-payers, threshold, direction and holders -----------------------------------------------
_T.update({
    "k_help": ("Prislisten (rate card): hver række betaler en pris pr. resultat målt i et år efter indskrivningen. "
               "'Forebygget' betaler for en forebygget sag, der stadig er forebygget i målingsåret; 'succes' for en "
               "deltager, der ikke er i sagen; 'eget mål' for et resultat med egne andele uden og med indsatsen.",
               "The rate card: each row pays a price per outcome measured in a year after enrolment. 'Prevented' pays "
               "for a prevented case still prevented in the measurement year; 'success' for a participant not in the "
               "case; 'own outcome' for an outcome with rates of its own without and with the intervention."),
    "k_v1": ("Kontrakten har én pris for ét resultat (felterne nedenfor).",
             "The contract has one price for one outcome (the fields below)."),
    "k_convert": ("Gør kontrakten til en prisliste", "Turn the contract into a rate card"),
    "k_row": ("Række nr.", "Row no."),
    "k_key": ("Nøgle", "Key"),
    "k_label": ("Resultat", "Outcome"),
    "k_pays": ("Betaler for", "Pays for"),
    "k_year": ("Målingsår", "Measured in year"),
    "k_price": ("Pris", "Price"),
    "k_paid": ("Betalte resultater", "Paid outcomes"),
    "k_cmax": ("Betalers maks. pris", "Commissioner max price"),
    "k_imin": ("Investors min. pris", "Investor min price"),
    "k_smax": ("Samfundets maks. pris", "Societal max price"),
    "k_pmax": ("Off. sektors maks. pris", "Public sector max price"),
    "k_baseline": ("Andel uden indsats", "Rate without"),
    "k_treated": ("Andel med indsats", "Rate with"),
    "k_paid_for": ("Betales for", "Paid for"),
    "k_prevented": ("forebygget sag", "prevented case"),
    "k_success": ("succes", "success"),
    "k_own": ("eget mål", "own outcome"),
    "k_improvement": ("forbedringen", "the improvement"),
    "k_all": ("alle med resultatet", "everyone reaching it"),
    "k_add": ("Tilføj række", "Add row"),
    "k_remove": ("Fjern valgt række", "Remove chosen row"),
    "k_table": ("Break-even-priser pr. række", "Break-even prices by row"),
    "c_direction": ("Retning", "Direction"),
    "c_avoided": ("spares", "avoided"),
    "c_incurred": ("påføres", "incurred"),
    "c_holders": ("Budgetter i sagen", "Budgets of this case"),
    "p_public": ("offentlig", "public"),
    "p_participant": ("deltager", "participant"),
    "p_others": ("andre", "others"),
    "no_threshold": ("tom = ingen tærskel", "empty = no threshold"),
    "co_payers_none": ("tom = ingen medbetalere", "empty = no co-payers"),
    "no_guarantee": ("tom = ingen garanti", "empty = no guarantee"),
    "private": ("privat", "private"),
    "deal_scale": ("Der er en skalakorridor: prislisten ganget med en faktor mellem {lo} og {hi} holder både betaler og "
                   "investor skadesløse.",
                   "There is a scale corridor: the rate card times a factor between {lo} and {hi} leaves both commissioner "
                   "and investor whole."),
    "scale_in": ("Prislisten som skrevet (faktor 1) ligger i korridoren.", "The card as written (factor 1) lies in the corridor."),
    "scale_out": ("Prislisten som skrevet (faktor 1) ligger uden for korridoren.",
                  "The card as written (factor 1) lies outside the corridor."),
    "no_deal_scale": ("Ingen skalakorridor: investor kræver prislisten ganget med {imin}, men betaleren kan højst betale "
                      "{cmax} gange prislisten.",
                      "No scale corridor: the investor needs the rate card times {imin}, but the commissioner can pay at "
                      "most {cmax} times the card."),
    "ch_corridor_scale": ("Skalakorridor og prislisten som skrevet", "Scale corridor and the card as written"),
    "card_short": ("Prislisten (1)", "The card (1)"),
    "scale_unit": ("gange prislisten", "times the rate card"),
    "card_rows": ("Prislisten: priser og break-even-priser pr. række", "The rate card: prices and break-even prices by row"),
})
FIELDS.update({
    "contract.guarantee": (
        "Garanti for første tab", "First-loss guarantee", "kr.", "DKK",
        "En tredjepart dækker investors tab (finansieret omkostning og honorarer minus modtagne betalinger, "
        "udiskonteret) op til dette beløb, betalt i kontraktens sidste betalingsår; tomt = ingen garanti.",
        "A third party covers the investor's loss (financed cost and fees minus payments received, undiscounted) "
        "up to this amount, paid in the contract's last payment year; empty = no guarantee."),
    "contract.threshold": (
        "Tærskel for betaling", "Payment threshold", "andel", "share",
        "Et hold betales kun, hvis den målte relative reduktion er mindst dette (fx 0,1); tomt = ingen tærskel.",
        "A cohort is paid only if its measured relative reduction is at least this (e.g. 0.1); empty = no threshold."),
    "contract.cap_per_participant": (
        "Loft pr. deltager", "Cap per participant", "kr.", "DKK",
        "Højst så meget kan én deltager udløse på hele prislisten; tomt = intet loft.",
        "At most this much can one participant earn across the card; empty = no cap."),
    "contract.co_payers": (
        "Medbetalere", "Co-payers", "", "",
        "Betaler en andel af hver resultatbetaling: 'navn: andel', adskilt med semikolon; tilføj 'privat' for "
        "private midler (fx Den Sociale Investeringsfond: 0,5).",
        "Pay a share of every outcome payment: 'name: share', separated by semicolons; add 'private' for private "
        "money (e.g. Den Sociale Investeringsfond: 0.5)."),
})
_CODES.update({
    "case.at_least": ("skal være mindst {limit}", "must be greater than or equal to {limit}"),
    "case.at_most": ("må højst være {limit}", "must be less than or equal to {limit}"),
    "case.above": ("skal være større end {limit}", "must be greater than {limit}"),
    "case.below": ("skal være mindre end {limit}", "must be less than {limit}"),
    "case.missing": ("feltet mangler", "required field is missing"),
    "case.too_short": ("skal have mindst {limit} element(er)", "must have at least {limit} entry"),
    "app.co_payers": ("skriv 'navn: andel' adskilt med semikolon, fx Fonden: 0,5", "write 'name: share' separated by semicolons, e.g. The fund: 0.5"),
})

#: Key figures read as factors on the rate card or as ratios (two decimals).
FACTORS = ("commissioner_max_scale", "public_sector_max_scale", "societal_max_scale", "investor_min_scale",
           "corridor_scale_low", "corridor_scale_high", "benefit_cost_ratio", "public_benefit_cost_ratio")


def holder_text(case: Any, holder: str, lang: str) -> str:
    """A budget holder's name in ``lang``: a declared holder by its own label, the others by the package's words."""
    spec = (getattr(case, "holders", None) or {}).get(holder)
    if spec is not None:
        return (spec.label_da if lang == "da" else spec.label_en) or spec.label_en or spec.label_da or holder
    return i18n.holder_label(holder, lang)
