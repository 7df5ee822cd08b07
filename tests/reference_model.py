"""Independent, plain-Python reference implementation of the sibmodel deterministic model.

Written from /work/shared/DESIGN.md ("The deterministic model", "Contract and prices", "The case file",
"Results") only, without looking at the sibmodel package. Used by tests to cross-check the vectorised
model. Explicit loops, stdlib only; clarity beats speed.

Choices where DESIGN.md is silent (keep in sync with the report to the lead):
- A `persistence` list shorter than J: missing relative years have persistence 0 (like a short `quantity` list).
- A number `quantity` with `years` > J is truncated to J.
- Enrolment years are 0 .. len(participants)-1; a number `fixed_cost_per_year` is charged in each of them.
- The programme timeline for cost, payments and investor cash flows is T = max(last cost year,
  last payment year) + 1, and `payments_by_year`, `investor_cash_flows` and `cost_by_year` all have length T.
- `savings_by_year[h]` has length len(participants) + L + J.
- Holders appear in the order in which they first occur in `costs_per_case`; a payer without items saves 0.
- A break-even price whose denominator (PV of paid outcomes) is 0 is None; investor_moic with no financed
  cost is None.

Design v2 ("Contracts as rate cards, signed value streams, perspectives"), choices where DESIGN.md is silent:
- A v1 contract (`metric` + `price`) is one row measured at enrolment *without* persistence (v1 paid the
  measured effect p0 - p1 whatever persistence[0] is); rows of `outcomes` use persistence[year].
- Threshold: a cohort is paid when (p0 - p1) / p0 >= threshold - 1e-12 (p0 = 0: reduction 0).
- cap_per_participant: rows taken in order of their year (card order within a year); a row pays
  min(price, cap - sum of the prices of the rows before it), at least 0. Both caps are ignored by the scales.
- Fees: `contract.fees`, each paid by the commissioner (added to the fee in every break-even and in
  commissioner_npv) or the investor (added to what it puts in: investor_min, NPV, IRR, MOIC denominator);
  a number means that amount in every enrolment year. They are not part of pv_cost.
- Guarantee: `contract.guarantee.amount` covers the investor's undiscounted loss (what it put in minus what
  it received) up to that amount, paid in the contract's last payment year (n_enrol - 1 + lag + the latest
  row year); the scales ignore it.
- savings_per_case_by_holder keeps only holders that have items (as in v1).
- A scale that overflows (a card worth almost nothing) is None, like a break-even price over a zero denominator.
"""
import math

SCHEDULES = {
    # (last year of the band inclusive, rate); the final band is open-ended (math.inf)
    "dk-fm-2021": [(35, 0.035), (70, 0.025), (math.inf, 0.015)],
    "uk-green-book": [(30, 0.035), (75, 0.030), (125, 0.025), (200, 0.020), (300, 0.015), (math.inf, 0.010)],
}


def rate_for_year(discounting, s):
    """Annual rate r(s) of the schedule for year s."""
    if isinstance(discounting, str):
        for last_year, rate in SCHEDULES[discounting]:
            if s <= last_year:
                return rate
        raise AssertionError("unreachable")
    return float(discounting)


def discount_factor(discounting, t):
    """DF(0) = 1, DF(t) = prod_{s=0}^{t-1} 1 / (1 + r(s))."""
    df = 1.0
    for s in range(t):
        df = df / (1.0 + rate_for_year(discounting, s))
    return df


def present_value(flows, discounting):
    total = 0.0
    for t in range(len(flows)):
        total += flows[t] * discount_factor(discounting, t)
    return total


def quantity_by_year(item, J):
    """Quantity per case for relative years 0..J-1 (a short list means zero afterwards)."""
    q = item.get("quantity", 1)
    result = [0.0] * J
    if isinstance(q, (list, tuple)):
        for j in range(min(len(q), J)):
            result[j] = float(q[j])
    else:
        years = item.get("years", J)
        for j in range(min(years, J)):
            result[j] = float(q)
    return result


def persistence_by_year(outcome, J):
    result = [0.0] * J
    if "persistence" in outcome:
        # Choice: a persistence list shorter than J means persistence 0 in the missing years.
        pers = outcome["persistence"]
        for j in range(min(len(pers), J)):
            result[j] = float(pers[j])
    else:
        drop_off = outcome.get("drop_off", 0.0)
        for j in range(J):
            result[j] = (1.0 - drop_off) ** j
    return result


def npv_at(flows, rate):
    total = 0.0
    for t in range(len(flows)):
        total += flows[t] / (1.0 + rate) ** t
    return total


def irr_bisection(flows, low=-0.99, high=10.0, iterations=200):
    """Rate where the NPV of the flows is 0, by plain bisection; None if no sign change / no root."""
    has_negative = any(f < 0 for f in flows)
    has_positive = any(f > 0 for f in flows)
    if not (has_negative and has_positive):
        return None
    f_low = npv_at(flows, low)
    f_high = npv_at(flows, high)
    if f_low == 0:
        return low
    if f_high == 0:
        return high
    if (f_low > 0) == (f_high > 0):
        return None
    for _ in range(iterations):
        mid = (low + high) / 2.0
        f_mid = npv_at(flows, mid)
        if f_mid == 0:
            return mid
        if (f_mid > 0) == (f_low > 0):
            low, f_low = mid, f_mid
        else:
            high = mid
    return (low + high) / 2.0


PUBLIC = ("kommune", "region", "stat")


def public_holders(case):
    names = list(PUBLIC)
    for name, spec in (case.get("holders") or {}).items():
        if spec.get("perspective", "public") == "public":
            names.append(name)
    return names


def card_rows(contract):
    """The rate card as (key, pays, year, price, use_persistence, baseline, treated, paid_for)."""
    if "outcomes" not in contract or contract["outcomes"] is None:
        pays = "prevented" if contract.get("metric", "prevented_case") == "prevented_case" else "success"
        return [(contract.get("metric", "prevented_case"), pays, 0, float(contract["price"]), False, 0.0, 0.0, "improvement")]
    rows = []
    for r in contract["outcomes"]:
        rows.append((r["key"], r.get("pays", "prevented"), int(r.get("year", 0)), float(r["price"]), True,
                     float(r.get("baseline_rate", 0.0) or 0.0), float(r.get("treated_rate", 0.0) or 0.0),
                     r.get("paid_for", "improvement") or "improvement"))
    return rows


def reference_evaluate(case):
    disc = case["discounting"]
    participants = [float(x) for x in case["cohort"]["participants"]]
    n_enrol = len(participants)
    outcome = case["outcome"]
    adj = case.get("adjustments") or {}
    iv = case["intervention"]
    contract = case["contract"]

    # --- outcome ---
    p0 = float(outcome["baseline_rate"])
    if "treated_rate" in outcome:
        p1 = float(outcome["treated_rate"])
    else:
        p1 = p0 * (1.0 - float(outcome["relative_reduction"]))
    L = int(outcome.get("onset_lag_years", 0))
    J = int(outcome["horizon_years"])
    persistence = persistence_by_year(outcome, J)
    factor = adj.get("attribution", 1.0) * (1.0 - adj.get("displacement", 0.0)) * (1.0 - adj.get("optimism_bias", 0.0))
    prevented = [participants[e] * (p0 - p1) * factor for e in range(n_enrol)]

    # --- savings ---
    holders = []
    for item in case["costs_per_case"]:
        if item["holder"] not in holders:
            holders.append(item["holder"])
    S_h = {h: 0.0 for h in holders}
    pv_h = {h: 0.0 for h in holders}
    savings_by_year = {h: [0.0] * (n_enrol + L + J) for h in holders}
    for item in case["costs_per_case"]:
        h = item["holder"]
        sign = -1.0 if item.get("direction") == "incurred" else 1.0
        unit_cost = sign * float(item["amount"]) * float(item.get("cashable", 1.0))
        qty = quantity_by_year(item, J)
        for j in range(J):
            per_case = unit_cost * qty[j] * persistence[j]
            S_h[h] += per_case * discount_factor(disc, j)
            for e in range(n_enrol):
                pv_h[h] += prevented[e] * per_case * discount_factor(disc, e + L + j)
                savings_by_year[h][e + L + j] += prevented[e] * per_case

    # --- intervention cost by programme year ---
    cpp = float(iv["cost_per_participant"])
    D = int(iv.get("delivery_years", 1))
    fixed = iv.get("fixed_cost_per_year", 0)
    if isinstance(fixed, (list, tuple)):
        fixed_by_year = [float(x) for x in fixed]
    else:
        fixed_by_year = [float(fixed)] * n_enrol  # a number: that amount in every enrolment year
    lag = int(contract.get("payment_lag_years", 0))
    rows = card_rows(contract)
    fees = contract.get("fees") or []
    fee_lists = []
    for f in fees:
        amt = f["amount"]
        fee_lists.append((f["paid_by"], [float(x) for x in amt] if isinstance(amt, (list, tuple)) else [float(amt)] * n_enrol))
    T = max(n_enrol - 1 + D, len(fixed_by_year), n_enrol + lag + max(r[2] for r in rows), *[len(x) for _, x in fee_lists])
    cost = [0.0] * T
    for t in range(T):
        for e in range(n_enrol):
            if e <= t < e + D:
                cost[t] += participants[e] * cpp / D
        if t < len(fixed_by_year):
            cost[t] += fixed_by_year[t]
    fee_com = [0.0] * T
    fee_inv = [0.0] * T
    for who, amounts in fee_lists:
        for t, x in enumerate(amounts):
            if who == "commissioner":
                fee_com[t] += x
            else:
                fee_inv[t] += x

    # --- contract: the rate card, threshold, paid outcomes by row and year ---
    threshold = contract.get("threshold")
    paid_cohort = []
    for e in range(n_enrol):
        reduction = (p0 - p1) / p0 if p0 > 0 else 0.0
        paid_cohort.append(threshold is None or reduction >= float(threshold) - 1e-12)
    paid_by_row = {}
    for key, pays, year, price, use_p, base, treated, paid_for in rows:
        by_year = [0.0] * T
        factor = persistence[year] if use_p and pays != "own" else 1.0
        for e in range(n_enrol):
            if not paid_cohort[e]:
                continue
            if pays == "prevented":
                per = (p0 - p1) * factor
            elif pays == "success":
                per = 1.0 - p0 + (p0 - p1) * factor
            elif paid_for == "all":
                per = treated
            else:
                per = treated - base
            by_year[e + year + lag] += participants[e] * max(per, 0.0)
        paid_by_row[key] = by_year
    paid_by_year = [sum(paid_by_row[r[0]][t] for r in rows) for t in range(T)]
    card_by_year = [sum(r[3] * paid_by_row[r[0]][t] for r in rows) for t in range(T)]  # no caps

    # per-participant cap: rows nested in time
    cap_pp = contract.get("cap_per_participant")
    effective = {}
    earned_before = 0.0
    for r in sorted(rows, key=lambda r: r[2]):
        if cap_pp is None:
            effective[r[0]] = r[3]
        else:
            effective[r[0]] = max(0.0, min(r[3], float(cap_pp) - earned_before))
        earned_before += r[3]
    payments = [sum(effective[r[0]] * paid_by_row[r[0]][t] for r in rows) for t in range(T)]
    cap = contract.get("cap")
    if cap is not None:
        # cutting the latest payments first = paying the earliest first until the cap is used up (written this
        # way so that a tiny early payment is not lost in the rounding of a large total)
        remaining = float(cap)
        for t in range(T):
            paid = min(payments[t], remaining)
            payments[t] = paid
            remaining -= paid

    co_payers = contract.get("co_payers") or []
    s_all = sum(float(c["share"]) for c in co_payers)
    s_priv = sum(float(c["share"]) for c in co_payers if not c.get("public", True))

    share = float(contract.get("investor_share", 1.0))
    payers = contract.get("payers", ["kommune"])
    ri = float(contract["investor_required_return"])
    financed = [share * c for c in cost]
    fee = [(1.0 - share) * c + fee_com[t] for t, c in enumerate(cost)]
    put_in = [financed[t] + fee_inv[t] for t in range(T)]

    pv_fee = present_value(fee, disc)
    pv_paid = present_value(paid_by_year, disc)
    pv_payer_savings = sum(pv_h.get(h, 0.0) for h in payers)
    public = public_holders(case)
    pv_public_savings = sum(v for h, v in pv_h.items() if h in public)
    pv_all_savings = sum(pv_h.values())
    one_row = len(rows) == 1
    commissioner_max = public_sector_max = societal_max = investor_min = None
    pv_ri_paid = npv_at(paid_by_year, ri)
    if one_row and pv_paid > 0:
        commissioner_max = (pv_payer_savings - pv_fee) / ((1.0 - s_all) * pv_paid)
        public_sector_max = (pv_public_savings - pv_fee) / ((1.0 - s_priv) * pv_paid)
        societal_max = (pv_all_savings - pv_fee) / pv_paid
    if one_row and pv_ri_paid > 0:
        investor_min = max(npv_at(put_in, ri) / pv_ri_paid, 0.0)
    # a ratio that overflows (a vanishing denominator) does not exist
    commissioner_max, public_sector_max, societal_max, investor_min = [
        x if x is None or math.isfinite(x) else None for x in (commissioner_max, public_sector_max, societal_max, investor_min)]
    if investor_min is not None and commissioner_max is not None and investor_min <= commissioner_max:
        corridor = (investor_min, commissioner_max)
    else:
        corridor = None
    V = present_value(card_by_year, disc)
    Vi = npv_at(card_by_year, ri)
    scales = {"commissioner_max_scale": None, "public_sector_max_scale": None, "societal_max_scale": None,
              "investor_min_scale": None}
    if V > 0:
        scales["commissioner_max_scale"] = (pv_payer_savings - pv_fee) / ((1.0 - s_all) * V)
        scales["public_sector_max_scale"] = (pv_public_savings - pv_fee) / ((1.0 - s_priv) * V)
        scales["societal_max_scale"] = (pv_all_savings - pv_fee) / V
    if Vi > 0:
        scales["investor_min_scale"] = max(npv_at(put_in, ri) / Vi, 0.0)
    for name, value in scales.items():   # a ratio over a vanishing card value does not exist
        if value is not None and not math.isfinite(value):
            scales[name] = None
    lo, hi = scales["investor_min_scale"], scales["commissioner_max_scale"]
    corridor_scale = (lo, hi) if lo is not None and hi is not None and lo <= hi else None

    cash_flows = [-put_in[t] + payments[t] for t in range(T)]
    guarantee_paid = 0.0
    if contract.get("guarantee") is not None:
        loss = max(0.0, -sum(cash_flows))
        guarantee_paid = min(loss, float(contract["guarantee"]["amount"]))
        cash_flows[n_enrol - 1 + lag + max(r[2] for r in rows)] += guarantee_paid
    total_put_in = sum(put_in)
    commissioner_npv = pv_payer_savings - (1.0 - s_all) * present_value(payments, disc) - pv_fee
    pv_cost = present_value(cost, disc)

    return {
        "prevented_cases": sum(prevented),
        "paid_outcomes": sum(paid_by_year),
        "savings_per_case": float(sum(S_h.values())),
        "savings_per_case_by_holder": S_h,
        "pv_savings": pv_all_savings,
        "pv_savings_by_holder": pv_h,
        "pv_cost": pv_cost,
        "commissioner_max": commissioner_max,
        "public_sector_max": public_sector_max,
        "investor_min": investor_min,
        "corridor": corridor,
        "payments_by_year": payments,
        "investor_cash_flows": cash_flows,
        "investor_npv": npv_at(cash_flows, ri),
        "investor_moic": (sum(payments) + guarantee_paid) / total_put_in if total_put_in != 0 else None,
        "investor_irr": irr_bisection(cash_flows),
        "commissioner_npv": commissioner_npv,
        "savings_by_year": savings_by_year,
        "cost_by_year": cost,  # extra: intervention cost by programme year (undiscounted)
        # design v2
        "societal_max": societal_max,
        "pv_savings_public": pv_public_savings,
        "benefit_cost_ratio": pv_all_savings / pv_cost if pv_cost > 0 else None,
        "public_benefit_cost_ratio": pv_public_savings / pv_cost if pv_cost > 0 else None,
        **scales,
        "corridor_scale": corridor_scale,
        "paid_outcomes_by_row": {k: sum(v) for k, v in paid_by_row.items()},
        "cohorts_paid": sum(paid_cohort) / n_enrol,
        "guarantee_paid": guarantee_paid,
        "co_payer_payments": s_all * sum(payments),
    }
