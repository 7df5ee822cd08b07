"""Sentences written from the numbers of a business case, in Danish or English: the conclusion, the verdict on
the price corridor, the caveats and the uncertainty conclusion.

Each function returns plain sentences in which ``**...**`` marks emphasis and user text (currency, names) is
raw; :func:`markdown` and :func:`html_sentence` make them inert for Markdown and HTML. Money is in the case's
currency and price year; nothing here computes the model.
"""
from __future__ import annotations

import html
from typing import Any, Sequence

import pandas as pd

from .case import Case
from .i18n import check_lang, discount_label, fmt_money, fmt_number, fmt_pct, holder_label, join
from .model import Result


# -- making sentences inert ------------------------------------------------------------------------------------

_MD = str.maketrans({"[": "\\[", "]": "\\]", "`": "\\`", "\\": "\\\\"})


def md_inert(sentence: str) -> str:
    """A sentence for Markdown: HTML escaped and ``[ ] ` \\`` escaped, so no user text becomes markup or a link
    (``**`` emphasis stays)."""
    return html.escape(sentence, quote=False).translate(_MD)


def markdown(sentences: Sequence[str]) -> str:
    """Sentences as Markdown bullet points, inert."""
    return "\n".join(f"- {md_inert(s)}" for s in sentences)


def html_sentence(sentence: str) -> str:
    """A sentence as HTML: escaped, with ``**...**`` as ``<b>...</b>``."""
    parts = html.escape(sentence, quote=True).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


# -- words about budget holders ------------------------------------------------------------------------------

def payers(case: Case, lang: str) -> str:
    """The paying budget holders with article: ``kommunen og staten`` / ``the municipality and state``."""
    names = join([holder_label(h, lang, definite=True) for h in case.contract.payers], lang)
    return names if lang == "da" else "the " + names


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def assumed_reduction(case: Case) -> float | None:
    """The relative reduction the case assumes: given, or ``1 - p1/p0``; None where ``p0`` is 0."""
    o = case.outcome
    if o.relative_reduction is not None:
        return o.relative_reduction
    return 1.0 - o.p1 / o.p0 if o.p0 > 0 else None


def is_card(case: Case) -> bool:
    """True for a rate card of several rows: break-even is then a scale of the card, not a price."""
    return len(case.contract.rows()) > 1


def contract_price(result: Result) -> float:
    """The price per outcome of a one-row contract (a v1 ``price`` or the one row of ``outcomes``)."""
    return float(result.case.contract.rows()[0].price)


def pays_success(case: Case) -> bool:
    """True where some row of the card pays for successes (and so for deadweight)."""
    return any(r.pays == "success" for r in case.contract.rows())


def fmt_scale(x: float | None, lang: str) -> str:
    """A scale of the rate card (1 = the prices as written), three decimals (so 0.995 does not read as 1)."""
    return fmt_number(x, lang, 3)


def _card_sentences(result: Result, lang: str) -> list[str]:
    """The conclusion on a rate card of several rows: break-even scales, corridor in scales, the card as written."""
    r, c = result, result.case
    da = lang == "da"
    m = lambda x: fmt_money(x, lang, c.currency)  # noqa: E731
    pct = lambda x, d=1: fmt_pct(x, lang, d)  # noqa: E731
    sc = lambda x: fmt_scale(x, lang)  # noqa: E731
    who = payers(c, lang)
    plural = len(c.contract.payers) > 1
    ri = pct(c.contract.real_required_return)
    rows = c.contract.rows()
    out = [f"Kontrakten er en prisliste med {len(rows)} rækker; break-even er derfor en skala af hele prislisten "
           f"(1 = priserne som skrevet), og tabellen over break-even-priser viser hver rækkes pris ved den skala."
           if da else
           f"The contract is a rate card of {len(rows)} rows, so break-even is a scale of the whole card (1 = the "
           f"prices as written); the table of break-even prices shows each row's price at that scale."]
    com, inv = r.commissioner_max_scale, r.investor_min_scale
    if com is None or inv is None:
        out.append("Prislisten betaler ikke for nogen resultater ved disse input, så der er ingen break-even-skala."
                   if da else "The card pays for no outcomes at these inputs, so there is no break-even scale.")
        return out
    out.append(f"{_cap(who)} kan højst betale **{sc(com)} gange prislisten** og stadig gå i nul på "
               f"{'egne budgetter' if plural else 'eget budget'}; investor skal have mindst **{sc(inv)} gange "
               f"prislisten** for at få sit krævede afkast på {ri} om året." if da else
               f"{_cap(who)} can pay at most **{sc(com)} times the card** and still break even on "
               f"{'their own budgets' if plural else 'its own budget'}; the investor needs at least **{sc(inv)} "
               f"times the card** to earn its required {ri} a year.")
    if r.corridor_scale is not None:
        lo, hi = r.corridor_scale
        out.append(f"**Der er en korridor** fra {sc(lo)} til {sc(hi)} gange prislisten: en skala heri holder både "
                   f"betaler og investor skadesløse." if da else
                   f"**A corridor exists** from {sc(lo)} to {sc(hi)} times the card: a scale inside it leaves both "
                   f"the payer and the investor whole.")
    else:
        pub = r.public_sector_max_scale
        tail = ""
        if pub is not None and pub > com:
            tail = ((f" Hele den offentlige sektor kunne betale op til {sc(pub)} gange prislisten (forkert lomme, "
                     f"kassetænkning)" + (", nok til at lukke hullet." if pub >= inv else ", heller ikke nok."))
                    if da else
                    (f" The public sector as a whole could pay up to {sc(pub)} times the card (the wrong pocket)"
                     + (", enough to close the gap." if pub >= inv else ", still not enough.")))
        out.append((f"**Der er ingen korridor**: investor skal have {sc(inv)} gange prislisten, men {who} kan højst "
                    f"betale {sc(com)} gange." if da else
                    f"**No corridor exists**: the investor needs {sc(inv)} times the card, but {who} can pay at most "
                    f"{sc(com)} times.") + tail)
    if r.corridor_scale is not None and inv <= 1.0 <= com:
        where = "ligger i korridoren" if da else "lies inside the corridor"
    elif com < 1.0 < inv:
        where = ("er over betalers højeste og under investors laveste skala" if da else
                 "is above the payer's maximum and below the investor's minimum scale")
    elif 1.0 > com:
        where = "er over betalers højeste skala" if da else "is above the payer's maximum scale"
    else:
        where = "er under investors laveste skala" if da else "is below the investor's minimum scale"
    if r.investor_irr is not None:
        irr = (f"investors interne rente er {pct(r.investor_irr)} om året" if da else
               f"the investor's internal rate of return is {pct(r.investor_irr)} a year")
    else:
        irr = "investor har ingen intern rente" if da else "the investor has no internal rate of return"
    moic = fmt_number(r.investor_moic, lang, 2)
    out.append(f"Prislisten som skrevet (skala 1) {where}. Ved den er betalers nettonutidsværdi "
               f"{m(r.commissioner_npv)}, og {irr} (afkastmultipel {moic})." if da else
               f"The card as written (scale 1) {where}. At it the payers' net present value is "
               f"{m(r.commissioner_npv)}, and {irr} (money multiple {moic}).")
    return out


def deal_sentences(result: Result, lang: str) -> list[str]:
    """What the deal adds beyond one price: co-payers and their share, threshold, fees, first-loss guarantee,
    and the perspectives (public sector and society, benefit-cost ratios, holders outside the public sector)."""
    check_lang(lang)
    r, c = result, result.case
    k, da = c.contract, lang == "da"
    m = lambda x: fmt_money(x, lang, c.currency)  # noqa: E731
    pct = lambda x: fmt_pct(x, lang, 0)  # noqa: E731
    out: list[str] = []
    if k.co_payers:
        names = join([f"{cp.name} ({pct(cp.share)}{'' if cp.public else (', privat' if da else ', private')})"
                      for cp in k.co_payers], lang)
        out.append(f"Medbetalere betaler en fast andel af hver resultatbetaling: {names}; {payers(c, lang)} betaler "
                   f"resten ({pct(1 - k.co_payer_share)}). Medbetalerne betaler {m(r.co_payer_payments)} i alt "
                   f"(udiskonteret)." if da else
                   f"Co-payers pay a fixed share of every outcome payment: {names}; {payers(c, lang)} pay"
                   f"{'' if len(k.payers) > 1 else 's'} the rest ({pct(1 - k.co_payer_share)}). The co-payers pay "
                   f"{m(r.co_payer_payments)} in all (undiscounted).")
    if k.threshold is not None:
        out.append(f"Et hold betales kun, hvis dets målte relative reduktion er mindst {pct(k.threshold)}; ved disse "
                   f"input når {pct(r.cohorts_paid)} af holdene tærsklen." if da else
                   f"A cohort is paid only if its measured relative reduction is at least {pct(k.threshold)}; at "
                   f"these inputs {pct(r.cohorts_paid)} of the cohorts meet it.")
    for who in ("commissioner", "investor"):
        total = float(r.cash_flows[f"intermediary_fees_{who}"].sum())
        if total > 0:
            out.append((f"Formidler- og evalueringshonorarer betalt af {'betaler' if who == 'commissioner' else 'investor'}: "
                        f"{m(total)} i alt (udiskonteret)." if da else
                        f"Intermediary and evaluation fees paid by the {who}: {m(total)} in all (undiscounted)."))
    if k.guarantee is not None:
        by = k.guarantee.by or ("en tredjepart" if da else "a third party")
        out.append(f"En tabsgaranti (first loss) fra {by} dækker investors tab op til {m(k.guarantee.amount)}; ved "
                   f"disse input udbetales {m(r.guarantee_paid)}." if da else
                   f"A first-loss guarantee from {by} covers the investor's loss up to {m(k.guarantee.amount)}; at "
                   f"these inputs it pays out {m(r.guarantee_paid)}.")
    persp = r.holder_perspectives
    private = [h for h in (persp.index if persp is not None else []) if persp[h] != "public"]
    if private or r.benefit_cost_ratio is not None:
        bcr = fmt_number(r.benefit_cost_ratio, lang, 2)
        pbcr = fmt_number(r.public_benefit_cost_ratio, lang, 2)
        extra = ""
        if private:
            vals = join([f"{holder_label(h, lang)} {m(float(r.pv_savings_by_holder[h]))}" for h in private], lang)
            extra = (f" Uden for den offentlige sektor (nutidsværdi): {vals}." if da else
                     f" Outside the public sector (present value): {vals}.")
        out.append(f"Gevinst-omkostningsforholdet er {bcr} for alle perspektiver og {pbcr} for den offentlige "
                   f"sektor (nutidsværdi af besparelser over nutidsværdi af indsatsens omkostninger).{extra}" if da else
                   f"The benefit-cost ratio is {bcr} over all perspectives and {pbcr} for the public sector (present "
                   f"value of savings over present value of the intervention cost).{extra}")
    return out


# -- the conclusion ------------------------------------------------------------------------------------------

def conclusion_sentences(result: Result, lang: str) -> list[str]:
    """The conclusion of one evaluated case as sentences: who saves, the two break-even prices, corridor or gap
    (and the wrong pocket), the contract price, and the effect the payer needs."""
    check_lang(lang)
    r, c = result, result.case
    cur = c.currency
    m = lambda x: fmt_money(x, lang, cur)  # noqa: E731
    pct = lambda x, d=1: fmt_pct(x, lang, d)  # noqa: E731
    da = lang == "da"
    who = payers(c, lang)
    plural = len(c.contract.payers) > 1
    lines: list[str] = []

    total = r.savings_per_case
    shares = {h: v / total for h, v in r.savings_per_case_by_holder.items() if total > 0 and v != 0}
    split = join([f"{pct(s, 0)} {'til' if da else 'to the'} {holder_label(h, lang, definite=True)}"
                  for h, s in shares.items()], lang)
    J = c.outcome.horizon_years
    persp = r.holder_perspectives
    public_only = persp is None or bool((persp == "public").all())
    whom = (("den offentlige sektor" if da else "the public sector") if public_only else
            ("samfundet (alle perspektiver)" if da else "society (all perspectives)"))
    lines.append((f"En forebygget sag sparer {whom} **{m(total)}** i nutidsværdi over {J} år"
                  if da else
                  f"One prevented case saves {whom} **{m(total)}** in present value over {J} years")
                 + (f" ({split})." if split else "."))

    if is_card(c):
        lines += _card_sentences(r, lang)
        lines += _switching_sentences(r, lang)
        return lines + deal_sentences(r, lang)
    ri = pct(c.contract.real_required_return)
    if r.commissioner_max is not None and r.investor_min is not None:
        lines.append(f"{_cap(who)} kan højst betale **{m(r.commissioner_max)}** pr. resultat og stadig gå i nul på "
                     f"{'egne budgetter' if plural else 'eget budget'}; investor skal have mindst "
                     f"**{m(r.investor_min)}** pr. resultat for at få sit krævede afkast på {ri} om året." if da else
                     f"{_cap(who)} can pay at most **{m(r.commissioner_max)}** per outcome and still break even on "
                     f"{'their own budgets' if plural else 'its own budget'}; the investor needs at least "
                     f"**{m(r.investor_min)}** per outcome to earn its required {ri} a year.")
    else:
        lines.append("Kontrakten betaler ikke for nogen resultater, så der er ingen break-even-priser." if da else
                     "The contract pays for no outcomes, so there are no break-even prices.")

    gap = r.wrong_pocket_gap
    if r.corridor is not None:
        lo, hi = r.corridor
        lines.append(f"**Der er en priskorridor** fra {m(lo)} til {m(hi)} pr. resultat: en pris heri holder både "
                     f"betaler og investor skadesløse." if da else
                     f"**A price corridor exists** from {m(lo)} to {m(hi)} per outcome: a price inside it leaves "
                     f"both the payer and the investor whole.")
    elif r.cofunding_per_outcome is not None:
        cf = r.cofunding_per_outcome
        tail = ""
        if gap is not None and gap > 0:
            if gap >= cf:
                tail = (f"Andre offentlige budgetter sparer {m(gap)} pr. resultat (forkert lomme, kassetænkning), "
                        f"nok til at dække hullet, hvis de medfinansierer." if da else
                        f"Other public budgets save {m(gap)} per outcome, enough to close the gap if they co-fund.")
            else:
                tail = (f"Selv de besparelser, der falder i andre offentlige budgetter ({m(gap)} pr. resultat), "
                        f"dækker ikke hullet." if da else
                        f"Even the savings that fall to other public budgets ({m(gap)} per outcome) do not close it.")
        lines.append((f"**Der er ingen priskorridor**: investor skal have {m(cf)} mere pr. resultat, end "
                      f"{who} kan betale. {tail}" if da else
                      f"**No price corridor exists**: the investor needs {m(cf)} more per outcome than {who} "
                      f"can pay. {tail}").rstrip())

    price = contract_price(r)
    if r.commissioner_max is not None and r.investor_min is not None:
        if r.corridor is not None and r.investor_min <= price <= r.commissioner_max:
            where = "ligger i korridoren" if da else "lies inside the corridor"
        elif r.commissioner_max < price < r.investor_min:
            where = ("er over betalers højeste og under investors laveste pris" if da else
                     "is above the payer's maximum and below the investor's minimum")
        elif price > r.commissioner_max:
            where = "er over betalers højeste pris" if da else "is above the payer's maximum"
        else:
            where = "er under investors laveste pris" if da else "is below the investor's minimum"
        moic = fmt_number(r.investor_moic, lang, 2)
        if r.investor_irr is not None:
            inv = (f"investors interne rente er {pct(r.investor_irr)} om året" if da else
                   f"the investor's internal rate of return is {pct(r.investor_irr)} a year")
        else:
            inv = "investor har ingen intern rente" if da else "the investor has no internal rate of return"
        capped = c.contract.cap is not None and r.total_payments < price * r.paid_outcomes * (1 - 1e-12)
        cap_note = ((" Loftet over betalingerne begrænser, hvad der betales." if da else " The cap limits what is paid.")
                    if capped else "")
        lines.append(f"Kontraktens pris på {m(price)} {where}.{cap_note} Ved den pris er betalers "
                     f"nettonutidsværdi {m(r.commissioner_npv)}, og {inv} (afkastmultipel {moic})." if da else
                     f"The contract price of {m(price)} {where}.{cap_note} At that price the payers' net present "
                     f"value is {m(r.commissioner_npv)}, and {inv} (money multiple {moic}).")

    lines += _switching_sentences(r, lang)
    return lines + deal_sentences(r, lang)


def _switching_sentences(result: Result, lang: str) -> list[str]:
    """The effect the payers need to break even at the contract's prices, and the deadweight of success rows."""
    r, c, da = result, result.case, lang == "da"
    who = payers(c, lang)
    plural = len(c.contract.payers) > 1
    at = (("prislisten som skrevet" if da else "the card as written") if is_card(c) else
          ("kontraktens pris" if da else "the contract price"))
    lines = []
    s = r.switching_relative_reduction
    assumed = fmt_pct(assumed_reduction(c), lang, 0)
    if s is None:
        lines.append(f"Selv en fuld effekt ville ikke få {who} til at gå i nul ved {at}." if da else
                     f"Even a complete effect would not let {who} break even at {at}.")
    else:
        lines.append(f"{_cap(who)} går i nul ved {at}, når den relative reduktion er mindst {fmt_pct(s, lang, 0)} "
                     f"(casen antager {assumed})." if da else
                     f"{_cap(who)} {'break' if plural else 'breaks'} even at {at} from a relative "
                     f"reduction of {fmt_pct(s, lang, 0)} (the case assumes {assumed}).")
    if pays_success(c):
        lines.append("Kontrakten betaler for succeser, dvs. også for deltagere, der ville have klaret sig uden "
                     "indsatsen (dødvægt)." if da else
                     "The contract pays for successes, so it also pays for participants who would have done well "
                     "without the intervention (deadweight).")
    return lines


def conclusion(result: Result, lang: str = "en") -> str:
    """A short conclusion (Markdown bullet points, user text inert) written from the numbers of one case."""
    return markdown(conclusion_sentences(result, lang))


# -- the report's verdict and caveats ----------------------------------------------------------------------------

def verdict(result: Result, lang: str) -> tuple[list[str], str]:
    """The price corridor in sentences, and its class (``good``, ``bad`` or ``""``)."""
    check_lang(lang)
    r, c = result, result.case
    k, cur, da = c.contract, c.currency, lang == "da"
    m = lambda x: fmt_money(x, lang, cur)  # noqa: E731
    ri = fmt_pct(k.real_required_return, lang)
    who = payers(c, lang)
    if is_card(c):
        return _card_verdict(r, lang)
    price = contract_price(r)
    if r.investor_min is None or r.commissioner_max is None:
        return (["Der betales ingen resultater ved disse input, så der findes ingen break-even-pris." if da else
                 "No outcomes are paid at these inputs, so no break-even price exists."], "")
    if r.corridor:
        out = [f"Der er grundlag for en aftale: enhver pris pr. resultat fra **{m(r.investor_min)}** (investors laveste "
               f"pris ved et krævet afkast på {ri}) til **{m(r.commissioner_max)}** (det højeste, {who} kan betale af "
               f"egne besparelser) lader begge parter mindst gå i nul. Kontraktens pris er {m(price)}." if da else
               f"A deal is possible: any price per outcome from **{m(r.investor_min)}** (the investor's minimum at its "
               f"required return of {ri}) to **{m(r.commissioner_max)}** (the most {who} can pay from own savings) "
               f"leaves both sides at least even. The contract price is {m(price)}."]
        if r.investor_min <= price <= r.commissioner_max:
            out.append("Kontraktens pris ligger i korridoren." if da else "The contract price lies inside the corridor.")
        elif price > r.commissioner_max:
            out.append("Kontraktens pris er over betalers besparelse: betaler betaler mere, end den får igen." if da else
                       "The contract price is above what the commissioner saves: it pays more than it gets back.")
        else:
            out.append(f"Kontraktens pris er under investors laveste pris: det forventede afkast er under {ri}." if da
                       else f"The contract price is below the investor's minimum: the expected return is below {ri}.")
        return out, "good"
    return ([f"Der er ingen priskorridor: investor skal have mindst **{m(r.investor_min)}** pr. resultat, men {who} "
             f"kan højst betale **{m(r.commissioner_max)}** af egne besparelser. Medfinansiering på "
             f"**{m(r.cofunding_per_outcome)}** pr. resultat (fx fra et budget, der også sparer) vil lukke hullet."
             if da else
             f"No price corridor: the investor needs at least **{m(r.investor_min)}** per outcome, but {who} can pay "
             f"at most **{m(r.commissioner_max)}** from own savings. Co-funding of **{m(r.cofunding_per_outcome)}** "
             f"per outcome (for example from a budget that also saves) would close the gap."], "bad")


def _card_verdict(result: Result, lang: str) -> tuple[list[str], str]:
    """The verdict on a rate card of several rows, in scales of the card (1 = the prices as written)."""
    r, c = result, result.case
    da = lang == "da"
    sc = lambda x: fmt_scale(x, lang)  # noqa: E731
    ri = fmt_pct(c.contract.real_required_return, lang)
    who = payers(c, lang)
    com, inv = r.commissioner_max_scale, r.investor_min_scale
    if com is None or inv is None:
        return (["Prislisten betaler ingen resultater ved disse input, så der findes ingen break-even-skala." if da
                 else "The card pays for no outcomes at these inputs, so no break-even scale exists."], "")
    if r.corridor_scale is not None:
        out = [f"Der er grundlag for en aftale: enhver skala af prislisten fra **{sc(inv)}** (investors laveste ved et "
               f"krævet afkast på {ri}) til **{sc(com)}** (det højeste, {who} kan betale af egne besparelser) lader "
               f"begge parter mindst gå i nul. Prislisten som skrevet har skala 1." if da else
               f"A deal is possible: any scale of the rate card from **{sc(inv)}** (the investor's minimum at its "
               f"required return of {ri}) to **{sc(com)}** (the most {who} can pay from own savings) leaves both "
               f"sides at least even. The card as written has scale 1."]
        if inv <= 1.0 <= com:
            out.append("Prislisten som skrevet ligger i korridoren." if da else
                       "The card as written lies inside the corridor.")
        elif 1.0 > com:
            out.append("Prislisten som skrevet er over betalers besparelse: betaler betaler mere, end den får igen."
                       if da else "The card as written is above what the commissioner saves: it pays more than it "
                                  "gets back.")
        else:
            out.append(f"Prislisten som skrevet er under investors laveste skala: det forventede afkast er under {ri}."
                       if da else f"The card as written is below the investor's minimum scale: the expected return "
                                  f"is below {ri}.")
        return out, "good"
    return ([f"Der er ingen korridor: investor skal have mindst **{sc(inv)} gange prislisten**, men {who} kan højst "
             f"betale **{sc(com)} gange** af egne besparelser. Medfinansiering (fx en medbetaler, der også sparer) "
             f"skal dække forskellen." if da else
             f"No corridor: the investor needs at least **{sc(inv)} times the card**, but {who} can pay at most "
             f"**{sc(com)} times** from own savings. Co-funding (for example a co-payer that also saves) must cover "
             f"the difference."], "bad")


def wrong_pocket(result: Result, lang: str) -> str | None:
    """The share and amount of savings that fall to budgets that do not pay; None where the payers keep all."""
    check_lang(lang)
    r, c = result, result.case
    if (r.wrong_pocket_gap is None and not is_card(c)) or not r.pv_savings_public > 0:
        return None
    public = [h for h in r.pv_savings_by_holder.index
              if r.holder_perspectives is None or r.holder_perspectives[h] == "public"]
    payer_share = sum(float(r.pv_savings_by_holder[h]) for h in c.contract.payers if h in public) / r.pv_savings_public
    if payer_share >= 1 - 1e-12:
        return None
    share = fmt_pct(1 - payer_share, lang)
    if not is_card(c) and not r.wrong_pocket_gap > 0:   # co-payers can make the per-outcome gap meaningless
        return (f"Af den offentlige sektors besparelser falder {share} i budgetter, der ikke betaler (forkert lomme, "
                f"kassetænkning)." if lang == "da" else
                f"Of the public sector's savings, {share} fall to budgets that do not pay (the wrong pocket).")
    gap = fmt_money(r.wrong_pocket_gap, lang, c.currency)
    if is_card(c):
        gap_s = (None if r.public_sector_max_scale is None or r.commissioner_max_scale is None
                 else fmt_scale(r.public_sector_max_scale - r.commissioner_max_scale, lang))
        return (f"Af den offentlige sektors besparelser falder {share} i budgetter, der ikke betaler (forkert lomme, "
                f"kassetænkning)" + (f": {gap_s} gange prislisten." if gap_s else ".") if lang == "da" else
                f"Of the public sector's savings, {share} fall to budgets that do not pay (the wrong pocket)"
                + (f": {gap_s} times the card." if gap_s else "."))
    return (f"Af den offentlige sektors besparelser falder {share} i budgetter, der ikke betaler (forkert lomme, "
            f"kassetænkning): {gap} pr. resultat." if lang == "da" else
            f"Of the public sector's savings, {share} fall to budgets that do not pay (the wrong pocket): "
            f"{gap} per outcome.")


def caveats(result: Result, lang: str, comments: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(what is assumed, what is uncertain) for this case, as sentences. The caveat on point values says
    whether the case gives distributions for some inputs."""
    check_lang(lang)
    r, case, da = result, result.case, lang == "da"
    o, a, k = case.outcome, case.adjustments, case.contract
    comments = comments or {}
    pct = lambda x: fmt_pct(x, lang, 0)  # noqa: E731
    disc = discount_label(case.discounting, lang, bands=True)
    assumed = [f"Alle beløb er i {case.price_year}-priser (faste priser); katalogbeløb fra andre år er fremskrevet "
               f"med Danmarks Statistiks nettoprisindeks. Diskontering: {disc}." if da else
               f"All amounts are in {case.price_year} prices, real terms; catalogue amounts from other years are moved "
               f"with Danmarks Statistik's net price index. Discounting: {disc}."]
    marked = sorted(p for p, c in comments.items() if c.lower().startswith(("assumption", "antagelse")))
    if marked:
        from .tables import input_label

        names = join([input_label(p, lang, case) for p in marked], lang)
        assumed.append(f"Input, som casefilen markerer som antagelser: {names}." if da else
                       f"Inputs the case file marks as assumptions: {names}.")
    cash = ", ".join(pct(c.cashable) for c in case.costs_per_case) or "–"
    assumed.append(f"Besparelser tæller kun den realiserbare andel af hver omkostning ({cash}); en omkostning, der "
                   f"ikke frigøres, når en sag forebygges, sparer intet i budgettet." if da else
                   f"Savings count only the cashable share of each cost ({cash}); a cost that is not released when a "
                   f"case is prevented saves nothing in the budget.")
    assumed.append(f"Besparelser er justeret for attribution ({pct(a.attribution)}), fortrængning "
                   f"({pct(a.displacement)}) og optimismebias ({pct(a.optimism_bias)}); betalinger er ikke." if da else
                   f"Savings are adjusted for attribution ({pct(a.attribution)}), displacement ({pct(a.displacement)}) "
                   f"and optimism bias ({pct(a.optimism_bias)}); payments are not.")
    if pays_success(case):
        assumed.append("Kontrakten betaler for succeser (deltagere, der ikke ender i sagen), så den betaler også for "
                       "dem, der ville have klaret sig alligevel (dødvægt)." if da else
                       "The contract pays for successes (participants who do not end in the case), so it also pays "
                       "for those who would have succeeded anyway (deadweight).")
    n = len(case.distributions)
    if n:
        uncertain = [f"{n} input har en fordeling i casefilen; tallene her er punktværdier ved fordelingernes "
                     f"middelværdier. Monte Carlo-analysen (notesbog 02) viser spredningen." if da else
                     f"{n} inputs have a distribution in the case file; the figures here are point values at their "
                     f"means. The Monte Carlo analysis (notebook 02) shows the spread."]
    else:
        uncertain = ["Alle input er punktværdier: basisraten, effekten og omkostningerne er skøn med usikkerhed, som "
                     "denne deterministiske business case ikke viser." if da else
                     "Every input is a point value: the baseline rate, the effect and the costs are estimates with "
                     "uncertainty that this deterministic business case does not show."]
    uncertain.append(f"En forebygget sag antages at forblive forebygget med den varighed, der står under input, i "
                     f"{o.horizon_years} år; virkninger ud over den evaluerede periode er fremskrivninger." if da else
                     f"A prevented case is assumed to stay prevented with the persistence shown under inputs, for "
                     f"{o.horizon_years} years; effects beyond the evaluated period are extrapolations.")
    sw = r.switching_relative_reduction
    who = payers(case, lang)
    if sw is not None:
        at_da, at_en = ("prislisten som skrevet", "the card as written") if is_card(case) else (
            "kontraktens pris", "the contract price")
        uncertain.append(f"{_cap(who)} går kun i nul ved {at_da}, hvis den relative reduktion er mindst "
                         f"{fmt_pct(sw, lang)} (casen antager {fmt_pct(assumed_reduction(case), lang)})." if da else
                         f"{_cap(who)} {'break' if len(k.payers) > 1 else 'breaks'} even at {at_en} only if "
                         f"the relative reduction is at least {fmt_pct(sw, lang)} (the case assumes "
                         f"{fmt_pct(assumed_reduction(case), lang)}).")
    else:
        uncertain.append("Selv en relativ reduktion på 100 % får ikke kontrakten til at betale sig for betaler." if da
                         else "Even a relative reduction of 100 % does not make the contract pay for the commissioner.")
    by_row = r.paid_outcomes_by_row
    uncapped = (float(sum(row.price * float(by_row[row.key]) for row in k.rows())) if by_row is not None
                else float((contract_price(r) * r.cash_flows["paid_outcomes"]).sum()))
    if k.cap is not None and uncapped > r.total_payments + 1e-6:
        cut = fmt_money(uncapped - r.total_payments, lang, case.currency)
        uncertain.append(f"Loftet over betalingerne binder: de seneste betalinger skæres med {cut}." if da else
                         f"The payment cap binds: the latest payments are cut by {cut}.")
    if r.payback_year is None and k.investor_share > 0:
        uncertain.append("Investor får ikke sine penge igen inden for programmets tidslinje ved kontraktens pris." if da
                         else "The investor does not get its money back within the programme's timeline at the "
                              "contract price.")
    return assumed, uncertain


# -- uncertainty ---------------------------------------------------------------------------------------------------

def uncertainty_conclusion(sim: Any, evppi: pd.DataFrame | None = None, lang: str = "en") -> str:
    """A short conclusion (Markdown bullets, inert) from a simulation and, optionally, its EVPPI table."""
    from .tables import group_label

    check_lang(lang)
    da = lang == "da"
    pr = sim.probabilities()
    cur = sim.case.currency
    who = payers(sim.case, lang)
    at_da, at_en = ("prislisten som skrevet", "the card as written") if is_card(sim.case) else (
        "kontraktens pris", "the contract price")
    p = lambda x: fmt_pct(x, lang, 0)  # noqa: E731
    lines = [
        (f"Over {fmt_number(sim.n, lang)} trækninger sparer {who} penge i {p(pr['prob_commissioner_saves'])} "
         f"af tilfældene ved {at_da}; investor taber penge i {p(pr['prob_investor_loss'])} og "
         f"når ikke sit krævede afkast i {p(pr['prob_investor_below_required'])}.") if da else
        (f"Over {fmt_number(sim.n, lang)} draws, {who} saves money in {p(pr['prob_commissioner_saves'])} "
         f"of cases at {at_en}; the investor loses money in {p(pr['prob_investor_loss'])} and "
         f"falls short of its required return in {p(pr['prob_investor_below_required'])}."),
        (f"En priskorridor findes i {p(pr['prob_corridor'])} af trækningerne." if da else
         f"A price corridor exists in {p(pr['prob_corridor'])} of the draws."),
    ]
    if evppi is not None and len(evppi):
        total = float(evppi["evppi"].iloc[-1])
        groups = evppi.iloc[:-1]
        if total > 0 and len(groups):
            top = groups.sort_values("evppi", ascending=False).iloc[0]
            lines.append(
                f"Perfekt information om alle input er højst {fmt_money(total, lang, cur)} værd for beslutningen; "
                f"mest værd er viden om {group_label(top['group'], lang)} ({fmt_money(top['evppi'], lang, cur)})."
                if da else
                f"Perfect information on every input is worth at most {fmt_money(total, lang, cur)} to the decision; "
                f"most valuable is knowledge of the {group_label(top['group'], lang)} "
                f"({fmt_money(top['evppi'], lang, cur)}).")
        else:
            lines.append("Usikkerheden ændrer ikke beslutningen: mere viden har ingen værdi for den." if da else
                         "The uncertainty does not change the decision: more evidence has no value for it.")
    return markdown(lines)
