"""The case file's JSON Schema as editors use it: every field described, ``item`` limited to the catalogue's keys.

``documented_schema()`` starts from ``sibmodel.case.case_schema()`` (the model's own descriptions win) and fills
in a description where the model has none. ``sibmodel schema`` prints it; a case file's first line
``# yaml-language-server: $schema=case.schema.json`` lets editors with the YAML language server use it.
"""
from __future__ import annotations

from typing import Any

from .case import case_schema
from .costs import catalogue

#: File name of the schema next to the case files (templates/ and what ``sibmodel new`` writes).
SCHEMA_FILE = "case.schema.json"

#: Descriptions of fields the model leaves undescribed, by definition name ("" for the top level) and field.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "": {
        "name": "Name of the business case, shown in tables, reports and the app",
        "area": "Programme area (e.g. family_violence); selects the catalogue rows that fit the case",
        "currency": "Currency of every amount in the case (DKK)",
        "price_year": "Price year of every amount: catalogue costs are moved to it with the net price index",
        "discounting": "A named schedule (dk-fm-2021, uk-green-book) or a constant real rate per year",
        "cohort": "Who enrols, by programme year",
        "outcome": "The outcome that is prevented: rates without and with the intervention, lag, horizon, drop-off",
        "adjustments": "Attribution, displacement and optimism bias; they reduce the savings only",
        "costs_per_case": "Consequence costs of one case, by budget holder and relative year",
        "intervention": "What the intervention costs (DKK, case price year)",
        "contract": "The outcome contract: metric, price, payers, cap and the investor's terms",
    },
    "Contract": {
        "metric": "What is paid for: a prevented case (treated vs. baseline) or each success",
        "payment_lag_years": "Years from the outcome until it is paid",
        "payers": "Budget holders that pay for outcomes (kommune, region, stat)",
    },
    "CostItem": {"label": "Label of a cost given by amount (a catalogue item brings its own)"},
    "Intervention": {"delivery_years": "Years over which the cost per participant is spread"},
    "Outcome": {"description": "What the case is, in words (shown in reports)"},
    "Distribution": {
        "dist": "Family of the distribution",
        "mean": "Mean (beta, normal, gamma, lognormal)",
        "sd": "Standard deviation (beta, normal, gamma, lognormal)",
        "a": "First shape parameter (beta)",
        "b": "Second shape parameter (beta)",
        "lower": "Lower bound (uniform; truncation of normal)",
        "upper": "Upper bound (uniform; truncation of normal)",
        "meanlog": "Mean of the logarithm (lognormal)",
        "sdlog": "Standard deviation of the logarithm (lognormal)",
        "shape": "Shape parameter (gamma)",
        "scale": "Scale parameter (gamma)",
        "low": "Smallest value (triangular, pert)",
        "mode": "Most likely value (triangular, pert)",
        "high": "Largest value (triangular, pert)",
    },
}


def _describe(node: dict[str, Any], texts: dict[str, str]) -> None:
    for key, prop in node.get("properties", {}).items():
        if not prop.get("description"):
            prop["description"] = texts.get(key) or prop.get("title") or key  # a new field: at least its title


def documented_schema() -> dict[str, Any]:
    """JSON Schema of case files with a description on every field and the catalogue's keys as ``item``'s enum."""
    schema = case_schema()
    _describe(schema, DESCRIPTIONS[""])
    for name, node in schema.get("$defs", {}).items():
        _describe(node, DESCRIPTIONS.get(name, {}))
    item = schema.get("$defs", {}).get("CostItem", {}).get("properties", {}).get("item")
    if item is not None:
        rows = catalogue().rows
        keys = sorted(rows)
        choice = {"type": "string", "enum": keys,
                  "markdownEnumDescriptions": [f"{rows[k].label_en} ({rows[k].holder}, {rows[k].amount:,.0f} "
                                               f"{rows[k].currency} {rows[k].unit}, {rows[k].price_year})" for k in keys]}
        options = item.pop("anyOf", None)
        item["anyOf"] = [choice, {"type": "null"}] if options else [choice]
        item.pop("type", None)
    return schema
