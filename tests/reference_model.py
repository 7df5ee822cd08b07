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
        unit_cost = float(item["amount"]) * float(item.get("cashable", 1.0))
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
    T = max(n_enrol - 1 + D, len(fixed_by_year), n_enrol + lag)
    cost = [0.0] * T
    for t in range(T):
        for e in range(n_enrol):
            if e <= t < e + D:
                cost[t] += participants[e] * cpp / D
        if t < len(fixed_by_year):
            cost[t] += fixed_by_year[t]

    # --- contract: paid outcomes and payments ---
    metric = contract["metric"]
    paid_by_year = [0.0] * T  # paid outcomes in the year they are paid
    for e in range(n_enrol):
        if metric == "prevented_case":
            paid_e = participants[e] * (p0 - p1)  # measured effect, no adjustments
        elif metric == "success":
            paid_e = participants[e] * (1.0 - p1)
        else:
            raise ValueError("unknown metric %r" % metric)
        paid_by_year[e + lag] += paid_e
    price = float(contract["price"])
    payments = [price * paid_by_year[t] for t in range(T)]
    cap = contract.get("cap")
    if cap is not None:
        excess = sum(payments) - float(cap)
        t = T - 1
        while excess > 0 and t >= 0:  # cut the latest payments first
            cut = min(payments[t], excess)
            payments[t] -= cut
            excess -= cut
            t -= 1

    share = float(contract.get("investor_share", 1.0))
    payers = contract.get("payers", ["kommune"])
    ri = float(contract["investor_required_return"])
    financed = [share * c for c in cost]
    fee = [(1.0 - share) * c for c in cost]

    pv_fee = present_value(fee, disc)
    pv_paid = present_value(paid_by_year, disc)
    pv_payer_savings = sum(pv_h.get(h, 0.0) for h in payers)
    pv_all_savings = sum(pv_h.values())
    commissioner_max = (pv_payer_savings - pv_fee) / pv_paid if pv_paid != 0 else None
    public_sector_max = (pv_all_savings - pv_fee) / pv_paid if pv_paid != 0 else None
    pv_ri_paid = npv_at(paid_by_year, ri)
    investor_min = npv_at(financed, ri) / pv_ri_paid if pv_ri_paid != 0 else None
    if investor_min is not None and commissioner_max is not None and investor_min <= commissioner_max:
        corridor = (investor_min, commissioner_max)
    else:
        corridor = None

    cash_flows = [-financed[t] + payments[t] for t in range(T)]
    total_financed = sum(financed)
    commissioner_npv = pv_payer_savings - present_value(payments, disc) - pv_fee

    return {
        "prevented_cases": sum(prevented),
        "paid_outcomes": sum(paid_by_year),
        "savings_per_case": float(sum(S_h.values())),
        "savings_per_case_by_holder": S_h,
        "pv_savings": pv_all_savings,
        "pv_savings_by_holder": pv_h,
        "pv_cost": present_value(cost, disc),
        "commissioner_max": commissioner_max,
        "public_sector_max": public_sector_max,
        "investor_min": investor_min,
        "corridor": corridor,
        "payments_by_year": payments,
        "investor_cash_flows": cash_flows,
        "investor_npv": npv_at(cash_flows, ri),
        "investor_moic": sum(payments) / total_financed if total_financed != 0 else None,
        "investor_irr": irr_bisection(cash_flows),
        "commissioner_npv": commissioner_npv,
        "savings_by_year": savings_by_year,
        "cost_by_year": cost,  # extra: intervention cost by programme year (undiscounted)
    }
