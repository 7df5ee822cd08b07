"""Labels (Danish and English) and units of the result names that users read."""
from __future__ import annotations

HOLDER_LABELS = {
    "kommune": {"da": "kommune", "en": "municipality"},
    "region": {"da": "region", "en": "region"},
    "stat": {"da": "stat", "en": "state"},
    "participant": {"da": "deltager", "en": "participant"},
    "others": {"da": "andre", "en": "others"},
}

# name: (Danish, English, unit); "{cur}" is the case's currency.
_FIGURES: dict[str, tuple[str, str, str]] = {
    "prevented_cases": ("Forebyggede sager (efter justeringer)", "Prevented cases (after adjustments)", "cases"),
    "paid_outcomes": ("Betalte resultater", "Paid outcomes", "outcomes"),
    "savings_per_case": ("Besparelse pr. forebygget sag, nutidsværdi", "Savings per prevented case, present value", "{cur} per case"),
    "pv_savings": ("Samlede besparelser, nutidsværdi", "Total savings, present value", "{cur}"),
    "pv_cost": ("Indsatsens omkostninger, nutidsværdi", "Intervention cost, present value", "{cur}"),
    "commissioner_max": ("Betalers højeste pris (break-even)", "Commissioner's maximum price (break-even)", "{cur} per outcome"),
    "public_sector_max": ("Den offentlige sektors højeste pris", "Public sector's maximum price", "{cur} per outcome"),
    "wrong_pocket_gap": ("Værdi for andre budgetter pr. resultat (forkert lomme)", "Value to other budgets per outcome (wrong pocket)", "{cur} per outcome"),
    "investor_min": ("Investors laveste pris (break-even)", "Investor's minimum price (break-even)", "{cur} per outcome"),
    "corridor_low": ("Priskorridor, nedre grænse", "Price corridor, lower bound", "{cur} per outcome"),
    "corridor_high": ("Priskorridor, øvre grænse", "Price corridor, upper bound", "{cur} per outcome"),
    "cofunding_per_outcome": ("Medfinansiering pr. resultat, der lukker hullet", "Co-funding per outcome that closes the gap", "{cur} per outcome"),
    "price": ("Kontraktens pris pr. resultat", "Contract price per outcome", "{cur} per outcome"),
    "total_payments": ("Resultatbetalinger i alt (udiskonteret)", "Total outcome payments (undiscounted)", "{cur}"),
    "investor_irr": ("Investors interne rente", "Investor's internal rate of return", "per year"),
    "investor_required_return": ("Investors krævede afkast", "Investor's required return", "per year"),
    "investor_moic": ("Investors pengemultiplikator", "Investor's money multiple", "times"),
    "investor_npv": ("Investors nettonutidsværdi", "Investor's net present value", "{cur}"),
    "payback_year": ("Investors tilbagebetalingsår", "Investor's payback year", "programme year"),
    "commissioner_npv": ("Betalers nettonutidsværdi", "Commissioner's net present value", "{cur}"),
    "switching_relative_reduction": (
        "Mindste relative reduktion, hvor betaler går i nul", "Smallest relative reduction at which the commissioner breaks even", "share"),
    # design v2: perspectives, the rate card's break-even scales, threshold, co-payers, guarantee
    "pv_savings_public": ("Besparelser i den offentlige sektor, nutidsværdi", "Public-sector savings, present value", "{cur}"),
    "societal_max": ("Samfundets højeste pris", "Society's maximum price", "{cur} per outcome"),
    "benefit_cost_ratio": ("Gevinst-omkostningsforhold (alle perspektiver)", "Benefit-cost ratio (all perspectives)", "ratio"),
    "public_benefit_cost_ratio": ("Gevinst-omkostningsforhold (offentlig sektor)", "Benefit-cost ratio (public sector)", "ratio"),
    "commissioner_max_scale": ("Betalers højeste skala af prislisten", "Commissioner's maximum scale of the rate card", "times the card"),
    "public_sector_max_scale": ("Den offentlige sektors højeste skala af prislisten", "Public sector's maximum scale of the rate card", "times the card"),
    "societal_max_scale": ("Samfundets højeste skala af prislisten", "Society's maximum scale of the rate card", "times the card"),
    "investor_min_scale": ("Investors laveste skala af prislisten", "Investor's minimum scale of the rate card", "times the card"),
    "corridor_scale_low": ("Skalakorridor, nedre grænse", "Scale corridor, lower bound", "times the card"),
    "corridor_scale_high": ("Skalakorridor, øvre grænse", "Scale corridor, upper bound", "times the card"),
    "cohorts_paid": ("Andel af hold, der når tærsklen", "Share of cohorts that meet the threshold", "share"),
    "co_payer_payments": ("Medbetaleres betalinger i alt (udiskonteret)", "Co-payers' payments in total (undiscounted)", "{cur}"),
    "guarantee_paid": ("Udbetalt garanti (first loss)", "First-loss guarantee paid out", "{cur}"),
}

_BY_HOLDER = {
    "savings_per_case_": ("Besparelse pr. forebygget sag, {h}", "Savings per prevented case, {h}", "{cur} per case"),
    "pv_savings_": ("Besparelser, nutidsværdi, {h}", "Savings, present value, {h}", "{cur}"),
}


def _entry(name: str) -> tuple[str, str, str]:
    if name in _FIGURES:
        return _FIGURES[name]
    for prefix, (da, en, u) in _BY_HOLDER.items():
        holder = name.removeprefix(prefix)
        if name.startswith(prefix) and holder in HOLDER_LABELS:
            hl = HOLDER_LABELS[holder]
            return da.format(h=hl["da"]), en.format(h=hl["en"]), u
    raise KeyError(f"no label for result {name!r}")


def label(name: str, lang: str = "en") -> str:
    """The label of a result name in Danish (``da``) or English (``en``)."""
    da, en, _ = _entry(name)
    return da if lang == "da" else en


def unit(name: str, currency: str = "DKK") -> str:
    """The unit of a result name."""
    return _entry(name)[2].format(cur=currency)
