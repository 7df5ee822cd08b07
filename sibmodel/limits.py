"""The limits on what a case file and a simulation may ask for, stated once and checked at the edge.

Every bound here is checked before any expensive work (parsing, evaluation, allocation), and a value beyond it
is refused with one line naming the field, the value and the limit (:class:`~sibmodel.errors.CaseError`).
Within these limits every evaluation ends in finite figures (or None where a figure does not exist) and takes
well under a second (``benchmarks/evaluate_scaling.py``). Money is in the case's currency; the limits are far
above any real social investment. See "Limits" in ``docs/model.md``.
"""
from __future__ import annotations

import math
from typing import Any

from .errors import ArgumentError, CaseError, Problem

# -- the file -----------------------------------------------------------------------------------------------
#: Largest case file (bytes of UTF-8 YAML). The templates are 4-7 KB.
MAX_FILE_BYTES = 256 * 1024
#: Most YAML aliases (``*name``) in one file.
MAX_ALIASES = 100
#: Deepest nesting of mappings and lists (a case needs 5: case > costs_per_case > item > quantity > distribution).
MAX_DEPTH = 20
#: Most values (mappings, lists and scalars) in a file, counted after aliases are expanded.
MAX_NODES = 100_000
#: Longest text value (name, description, label), in characters.
MAX_TEXT_CHARS = 10_000

# -- lists ----------------------------------------------------------------------------------------------------
#: Most enrolment years (``cohort.participants``).
MAX_COHORT_YEARS = 50
#: Most entries of a list by year (``outcome.persistence``, a cost item's ``quantity``,
#: ``intervention.fixed_cost_per_year``); ``horizon_years`` is at most 200 too.
MAX_YEARS = 200
#: Most consequence cost items (``costs_per_case``).
MAX_COST_ITEMS = 100

# -- magnitudes -----------------------------------------------------------------------------------------------
#: Every amount of money (per unit, per participant, per year, a price or a cap) is below this.
MAX_MONEY = 1e12
#: Participants enrolled in one programme year are below this.
MAX_PARTICIPANTS = 1e7
#: Units of a cost per case per year (a quantity) are below this.
MAX_QUANTITY = 1e6
#: Any other number (and every parameter of a distribution) is at most this in magnitude.
MAX_NUMBER = 1e15
#: The investor's required return is at least this (the discount factor over 450 years stays finite).
MIN_REQUIRED_RETURN = -0.5

# -- simulations ---------------------------------------------------------------------------------------------
#: Most Monte Carlo draws per simulation unless the caller raises it (``max_draws=``, CLI ``--max-draws``).
MAX_DRAWS = 1_000_000
#: Largest estimated memory of a simulation (bytes) unless the caller raises the limit on draws.
MAX_SIMULATION_BYTES = 2_000_000_000

#: Money fields by dotted path pattern (``*`` any list index).
_MONEY = ("costs_per_case.*.amount", "intervention.cost_per_participant", "intervention.fixed_cost_per_year",
          "intervention.fixed_cost_per_year.*", "contract.price", "contract.cap")
_PARTICIPANTS = ("cohort.participants.*",)
_QUANTITY = ("costs_per_case.*.quantity", "costs_per_case.*.quantity.*")
_LISTS = {"cohort.participants": MAX_COHORT_YEARS, "outcome.persistence": MAX_YEARS,
          "costs_per_case.*.quantity": MAX_YEARS, "intervention.fixed_cost_per_year": MAX_YEARS,
          "costs_per_case": MAX_COST_ITEMS}

#: ISO 4217 alphabetic codes in use (including funds and the X codes for gold, SDR and testing).
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF
CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR
LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT
TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG
XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL
""".split())


def _fits(path: str, pattern: str) -> bool:
    """True if dotted ``path`` fits ``pattern`` (``*`` stands for any list index)."""
    parts, pp = path.split("."), pattern.split(".")
    return len(pp) == len(parts) and all(p == q or (p == "*" and q.isdigit()) for p, q in zip(pp, parts))


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(_fits(path, pat) for pat in patterns)


def _list_limit(path: str) -> int | None:
    return next((n for pat, n in _LISTS.items() if _fits(path, pat)), None)


def _number_problem(path: str, x: float) -> str | None:
    """What is wrong with number ``x`` at ``path`` (None if it is within the limits)."""
    if not math.isfinite(x):
        return "every number must be finite (not .inf or .nan)"
    if _matches(path, _MONEY):
        if abs(x) >= MAX_MONEY:
            return f"an amount of money must be below {MAX_MONEY:g}"
    elif _matches(path, _PARTICIPANTS):
        if abs(x) >= MAX_PARTICIPANTS:
            return f"participants in one year must be below {MAX_PARTICIPANTS:g}"
    elif _matches(path, _QUANTITY):
        if abs(x) >= MAX_QUANTITY:
            return f"a quantity must be below {MAX_QUANTITY:g} units per case per year"
    elif abs(x) > MAX_NUMBER:
        return f"a number must be at most {MAX_NUMBER:g} in magnitude"
    if path == "contract.investor_required_return" and x < MIN_REQUIRED_RETURN:
        return f"the required return must be at least {MIN_REQUIRED_RETURN:g}"
    return None


def _distribution_problem(path: str, spec: dict[str, Any]) -> str | None:
    """A distribution whose values reach past the field's limits: its ends where they are finite, else its
    mean -+ six standard deviations (for a lognormal ``exp(meanlog + 6 sdlog)``)."""
    from .distributions import Distribution, DistributionError

    try:
        d = Distribution.from_spec(spec)
    except DistributionError:
        return None  # the case's own validation reports it, with its message
    p = d.p
    if d.is_point:
        return _number_problem(path, p["point"])
    lo, hi = d.support
    if d.kind == "lognormal":
        hi = math.exp(min(p["meanlog"] + 6 * p["sdlog"], 709.0))
    elif d.kind == "gamma":
        hi = p["shape"] * p["scale"] + 6 * math.sqrt(p["shape"]) * p["scale"]
    elif d.kind == "normal":
        lo, hi = max(lo, p["loc"] - 6 * p["scale"]), min(hi, p["loc"] + 6 * p["scale"])
    for end in (lo, hi):
        problem = _number_problem(path, end)
        if problem:
            return f"{problem}; this {d.kind} distribution reaches {end:.3g} (its end, or mean -+ 6 sd)"
    return None


def check_case_data(data: Any, source: str | None = None) -> None:
    """Refuse plain case data beyond the limits: nesting, size, list lengths, text lengths, magnitudes,
    non-finite numbers and the currency code. Raises :class:`CaseError` with every problem found (at most 20
    are listed). The walk is iterative and stops at the first structural problem, so hostile data costs
    little; data that contains itself is refused as nested too deeply."""
    from .distributions import is_distribution

    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]  # depth: containers from the top, the case itself 1
    nodes = 0
    while stack:
        node, path, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise CaseError(Problem(path, "(nested)", f"nested more than {MAX_DEPTH} levels deep; a case needs at most 5"), source)
        if nodes > MAX_NODES:
            raise CaseError(Problem(path or "", "(data)", f"more than {MAX_NODES:,} values in a case"), source)
        if isinstance(node, dict):
            if path and is_distribution(node):
                for k, v in node.items():
                    if isinstance(v, float) and not math.isfinite(v):
                        problems.append(Problem(f"{path}.{k}", v, "every number must be finite (not .inf or .nan)"))
                if not problems:
                    message = _distribution_problem(path, node)
                    if message:
                        problems.append(Problem(path, node, message))
                continue
            if len(node) > MAX_COST_ITEMS:
                raise CaseError(Problem(path, f"({len(node)} keys)", f"a section has at most {MAX_COST_ITEMS} keys"), source)
            for k, v in node.items():
                stack.append((v, f"{path}.{k}" if path else str(k), depth + 1))
        elif isinstance(node, list):
            limit = _list_limit(path)
            if len(node) > (limit if limit is not None else MAX_YEARS):
                raise CaseError(Problem(path, f"(a list of {len(node):,} entries)",
                                        f"at most {limit if limit is not None else MAX_YEARS} entries"), source)
            for i, v in enumerate(node):
                stack.append((v, f"{path}.{i}", depth + 1))
        elif isinstance(node, bool):
            continue
        elif isinstance(node, (int, float)):
            try:
                x = float(node)
            except OverflowError:
                problems.append(Problem(path, f"(a whole number of about {int(node.bit_length() * 0.30103) + 1} digits)",
                                        f"a number must be at most {MAX_NUMBER:g} in magnitude"))
                continue
            message = _number_problem(path, x)
            if message:
                problems.append(Problem(path, node, message))
        elif isinstance(node, str):
            if len(node) > MAX_TEXT_CHARS:
                problems.append(Problem(path, node, f"a text has at most {MAX_TEXT_CHARS:,} characters; got {len(node):,}"))
            elif path == "currency" and node not in CURRENCIES:
                problems.append(Problem(path, node, "must be an ISO 4217 currency code in capitals, such as DKK, EUR or GBP"))
    if problems:
        raise CaseError(problems, source)


def check_draws(draws: int, max_draws: int | None = None, estimate: int = 0) -> None:
    """Refuse a simulation of more than ``max_draws`` draws (default :data:`MAX_DRAWS`) before anything is
    allocated; the message gives ``estimate``, the memory the run would take (bytes, see
    :func:`simulation_bytes`). Raises :class:`ArgumentError`."""
    limit = MAX_DRAWS if max_draws is None else max_draws
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ArgumentError(Problem("max_draws", limit, "must be a whole number >= 1"))
    if draws > limit or (max_draws is None and estimate > MAX_SIMULATION_BYTES):
        allowed = f"at most {limit:,} draws" if draws > limit else f"at most {MAX_SIMULATION_BYTES / 1e6:,.0f} MB"
        raise ArgumentError(Problem("draws", draws, (
            f"{allowed} (this run would need about {estimate / 1e6:,.0f} MB of memory); "
            "raise the limit with max_draws= or --max-draws if the machine has the memory")))


def simulation_bytes(case: Any, draws: int, columns: int, chunk_size: int) -> int:
    """Estimated peak memory of a simulation (bytes): 8 bytes per kept column and draw, plus one chunk's
    working arrays (about twelve arrays over programme years and three over holders and horizon years)."""
    o, iv, c = case.outcome, case.intervention, case.contract
    E = len(case.cohort.participants)
    F = len(iv.fixed_cost_per_year) if isinstance(iv.fixed_cost_per_year, list) else E
    T = max(E + o.onset_lag_years + o.horizon_years - 1, E - 1 + iv.delivery_years, E + c.payment_lag_years, F)
    per_draw = 8 * (12 * T + 3 * 3 * o.horizon_years + 4 * E)
    return int(draws) * 8 * max(int(columns), 1) + min(int(draws), int(chunk_size)) * per_draw
