"""The contract and financial figures of a case as JSON shaped like an INDIGO impact-bond project.

INDIGO is the data standard of the Government Outcomes Lab (University of Oxford) for impact bonds
(github.com/INDIGO-Initiative/indigo-data-standard, ``schema/project.json``). Every INDIGO value is an object
``{"value": ...}``; money is ``{"currency": {"value": "DKK"}, "amount": {"value": 1.0}}``. This module fills
the fields a business case knows before signing (see ``docs/reports.md`` for the mapping) and ships
:data:`SCHEMA`, a JSON Schema of exactly those fields with the standard's types and code lists, so an export
can be checked before it is sent. Amounts are in the case's currency and price year (real terms, undiscounted);
INDIGO's ``amount_usd`` fields are left to GO Lab, who convert with World Bank rates.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .case import Case
from .model import Result, evaluate

STANDARD = "INDIGO data standard, project schema (github.com/INDIGO-Initiative/indigo-data-standard, schema/project.json)"

#: sibmodel areas and INDIGO's policy_sector code list (only where the match is plain).
POLICY_SECTORS = {
    "family_violence": "Child and family welfare",
    "child_and_family": "Child and family welfare",
    "homelessness": "Homelessness",
    "youth_education_employment": "Employment and training",
    "employment": "Employment and training",
    "education": "Education",
    "health": "Health",
    "criminal_justice": "Criminal justice",
}

_PUBLIC_SECTOR = "Government/Public Sector/Public Bank"
_METRIC_TEXT = {
    "prevented_case": ("Prevented case: the measured reduction in the share of participants who end in the case "
                       "(baseline rate minus the rate with the intervention), per participant"),
    "success": "Success: a participant who does not end in the case (deadweight included)",
}


def _v(value: Any) -> dict[str, Any]:
    return {"value": value}


def _money(currency: str, amount: float) -> dict[str, Any]:
    return {"currency": _v(currency), "amount": _v(float(amount))}


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def _finite(node: Any) -> Any:
    """``node`` with every non-finite number (NaN, inf) replaced by None: INDIGO files are strict JSON."""
    if isinstance(node, dict):
        return {k: _finite(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_finite(v) for v in node]
    if isinstance(node, float) and not math.isfinite(node):
        return None
    return node


def dumps(data: dict[str, Any]) -> str:
    """An INDIGO project as strict JSON text (no NaN or Infinity; ``allow_nan=False``)."""
    return json.dumps(_finite(data), indent=2, ensure_ascii=False, allow_nan=False)


def to_indigo(case: Case, result: Result | None = None, start_year: int | None = None,
              include_model_figures: bool = True) -> dict[str, Any]:
    """The case as an INDIGO project (a dict ready for ``json.dumps``).

    ``start_year`` is the calendar year of programme year 0; without it, outcome payments carry no period and
    name their programme year in ``notes``. ``include_model_figures`` adds ``x_sibmodel`` with the break-even
    prices (not part of INDIGO; importers ignore unknown keys).
    """
    res = result or evaluate(case)
    k, o, cur = case.contract, case.outcome, case.currency
    cf = res.cash_flows
    n = float(sum(case.cohort.participants))
    financed = float(cf["investor_financed"].sum())
    per_max = o.p0 if k.metric == "prevented_case" else 1.0
    max_payment = k.cap if k.cap is not None else k.price * n * per_max
    max_note = ("the contract cap" if k.cap is not None else
                "no cap: price x every outcome that could be paid (all participants"
                + (", each at most the baseline rate" if k.metric == "prevented_case" else "") + ")")
    metric_id = "outcome-1"
    target = (f"Rate of ending in the case: {o.p0:.4g} without the intervention, {o.p1:.4g} with it "
              f"(relative reduction {_pct(1 - o.p1 / o.p0) if o.p0 > 0 else 'n/a'}); "
              f"expected paid outcomes {res.paid_outcomes:.4g}")
    project: dict[str, Any] = {
        "name": _v(case.name_in("en")),
        "stage_development": _v("Early-stage design"),
        "purpose_and_classifications": {
            "social_challenge": _v(case.description_in("en") or case.name_in("en")),
        },
        "service_and_beneficiaries": {
            "targeted_number_service_users_or_beneficiaries_total": _v(n),
            "unit_type_targeted_service_users_or_beneficiaries": _v("Individual"),
        },
        "overall_project_finance": {
            "total_investment_commitment": {"currency": _v(cur), "amount": {"exact": _v(financed)}},
            "maximum_potential_outcome_payment_v2": _money(cur, max_payment),
            "maximum_potential_return_type": _v("IRR"),
            "notes": (f"Ex-ante business case in {case.price_year} prices (real terms). Investment = the investor's "
                      f"share ({_pct(k.investor_share)}) of the intervention cost; maximum outcome payment = {max_note}."),
        },
        "investment_details": {
            "internal_rate_of_return": {"target": _v(_pct(k.investor_required_return))},
            "notes": "Target = the investor's required return used for its break-even price.",
        },
        "investments": [{
            "id": "investment-1",
            "investment_commitment": {"currency": _v(cur), "amount": {"exact": _v(financed)}},
            "maximum_potential_return_type": _v("IRR"),
            "notes": (f"Projected IRR at the contract price: "
                      f"{_pct(res.investor_irr) if res.investor_irr is not None else 'none (no sign change)'}"),
        }],
        "outcome_metrics": [{
            "id": metric_id,
            "definition": _v(_METRIC_TEXT[k.metric] + (f": {o.description}" if o.description else "")),
            "targeted_number_of_service_users_or_beneficiaries_total": _v(n),
            "unit_type_of_targeted_service_users_or_beneficiaries": _v("Individual"),
            "outcome_metric_target": _v(target),
        }],
        "outcome_pricings": [{
            "outcome_metric_id": _v(metric_id),
            "currency": _v(cur),
            "price_per_unit": {"amount": _v(float(k.price))},
            "maximum_price_if_all_targets_achieved": {"amount": _v(f"{max_payment:.2f}")},
            "price_description": _v(f"{k.price:,.2f} {cur} per paid outcome, paid {k.payment_lag_years} year(s) after "
                                    f"enrolment, in {case.price_year} prices"),
        }],
        "outcome_payment_commitments": [{
            "organisation_role_category": _v(_PUBLIC_SECTOR),
            "maximum_potential_outcome_payment": _money(cur, max_payment),
            "result_type": _v("Overall"),
            "notes": "Payers: " + ", ".join(k.payers),
        }],
        "outcome_payments": [],
        "sources": [{
            "id": "source-1",
            "name": _v("sibmodel ex-ante business case"),
            "type": _v("Business case model"),
            "notes": "Generated from the case file; figures are projections, not outcomes achieved.",
        }],
    }
    sector = POLICY_SECTORS.get(case.area or "")
    if sector:
        project["purpose_and_classifications"]["policy_sector"] = _v(sector)
    for t, amount in enumerate(cf["outcome_payments"]):
        if amount <= 0:
            continue
        item: dict[str, Any] = {
            "outcome_metric_id": _v(metric_id),
            "type": _v("Planned"),
            "money": _money(cur, float(amount)),
            "notes": f"programme year {t}",
        }
        if start_year is not None:
            y = f"{start_year + t:04d}"
            item["period"] = {"start_date": _v(y), "end_date": _v(y)}
        project["outcome_payments"].append(item)
    if include_model_figures:
        project["x_sibmodel"] = {
            "note": "Not part of INDIGO: sibmodel's break-even prices for this case.",
            "price_year": case.price_year,
            "currency": cur,
            "key_figures": {name: (None if isinstance(v, float) and not math.isfinite(v) else v)
                            for name, v in res.key_figures().items()},
        }
    return _finite(project)


def write_indigo(case: Case, path: str | Path, **kwargs: Any) -> dict[str, Any]:
    """Write :func:`to_indigo` to ``path`` as UTF-8 JSON and return the dict."""
    data = to_indigo(case, **kwargs)
    Path(path).write_text(dumps(data) + "\n", encoding="utf-8")
    return data


# -- The schema of the fields exported, with the types and code lists of INDIGO's project.json ----------------

def _obj(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(required), "additionalProperties": False}


_STR = _obj({"value": {"type": "string"}}, ("value",))
_NUM = _obj({"value": {"type": "number"}}, ("value",))
_DATE = _obj({"value": {"type": "string",
                        "pattern": "^[0-9]{4}$|^[0-9]{4}-[0-9]{2}$|^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}, ("value",))


def _enum(*values: str) -> dict[str, Any]:
    return _obj({"value": {"type": "string", "enum": list(values)}}, ("value",))


_MONEY = _obj({"currency": _STR, "amount": _NUM}, ("currency", "amount"))
_TEXT = {"type": "string"}

SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "INDIGO project: the fields sibmodel exports",
    "description": "A strict subset of " + STANDARD + "; types and code lists as in the standard.",
    **_obj({
        "name": _STR,
        "stage_development": _enum("Early-stage design", "Late-stage design", "Contracted", "Implementation",
                                   "Service delivery complete", "Complete"),
        "purpose_and_classifications": _obj({
            "social_challenge": _STR,
            "policy_sector": _enum("Employment and training", "Child and family welfare", "Health", "Homelessness",
                                   "Education", "Criminal justice", "Agriculture and environment", "Poverty reduction"),
        }),
        "service_and_beneficiaries": _obj({
            "targeted_number_service_users_or_beneficiaries_total": _NUM,
            "unit_type_targeted_service_users_or_beneficiaries": _enum("Individual", "Other"),
        }),
        "overall_project_finance": _obj({
            "total_investment_commitment": _obj({"currency": _STR, "amount": _obj({"exact": _NUM})}),
            "maximum_potential_outcome_payment_v2": _MONEY,
            "maximum_potential_return_type": _STR,
            "notes": _TEXT,
        }),
        "investment_details": _obj({
            "internal_rate_of_return": _obj({"target": _STR}),
            "notes": _TEXT,
        }),
        "investments": {"type": "array", "items": _obj({
            "id": _TEXT,
            "investment_commitment": _obj({"currency": _STR, "amount": _obj({"exact": _NUM})}),
            "maximum_potential_return_type": _enum("IRR", "Average annual return"),
            "notes": _TEXT,
        })},
        "outcome_metrics": {"type": "array", "minItems": 1, "items": _obj({
            "id": _TEXT,
            "definition": _STR,
            "targeted_number_of_service_users_or_beneficiaries_total": _NUM,
            "unit_type_of_targeted_service_users_or_beneficiaries": _enum("Individual", "Other"),
            "outcome_metric_target": _STR,
        }, ("id", "definition"))},
        "outcome_pricings": {"type": "array", "items": _obj({
            "outcome_metric_id": _STR,
            "currency": _STR,
            "price_per_unit": _obj({"amount": _NUM}),
            "maximum_price_if_all_targets_achieved": _obj({"amount": _STR}),
            "price_description": _STR,
        }, ("outcome_metric_id", "currency", "price_per_unit"))},
        "outcome_payment_commitments": {"type": "array", "items": _obj({
            "organisation_role_category": _enum(
                "Nonprofit/NGO", "Foundation/Philanthropist", "Government/Public Sector/Public Bank",
                "Multilateral/Bilateral/Intergovernmental Financial Institution", "Corporate Giving",
                "Investment Fund", "Other"),
            "maximum_potential_outcome_payment": _MONEY,
            "result_type": _enum("Interim", "Overall"),
            "notes": _TEXT,
        })},
        "outcome_payments": {"type": "array", "items": _obj({
            "outcome_metric_id": _STR,
            "period": _obj({"start_date": _DATE, "end_date": _DATE}),
            "type": _enum("Planned", "Actual"),
            "money": _MONEY,
            "notes": _TEXT,
        }, ("outcome_metric_id", "type", "money"))},
        "sources": {"type": "array", "minItems": 1, "items": _obj({
            "id": _TEXT, "name": _STR, "type": _STR, "notes": _TEXT,
        })},
        "x_sibmodel": {"type": "object"},
    }, ("name", "outcome_metrics", "outcome_pricings")),
}
