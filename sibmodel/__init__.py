"""sibmodel: business cases for social investments (social impact bonds).

What one prevented case saves each public budget, the break-even outcome prices of the commissioner and
the investor, the price corridor, and the investor's returns.
"""
from .case import HOLDERS, Case, case_schema
from .caseio import load_case
from . import limits  # the bounds on every input, stated once (docs/model.md "Limits")
from .costs import Catalogue, PriceIndex, UnitCost, catalogue, price_index, resolve_costs, unit_costs
from .discount import SCHEDULES, discount_factors, rates
from .errors import ArgumentError, CaseError, Problem, SibmodelError
from .model import Result, evaluate
from .pricing import irr
from . import evidence  # statsmodels is imported only when an estimate is made
# Uncertainty (issue 4): distributions, Monte Carlo, sensitivity, value of information; dask only with client=
from .distributions import Distribution
from .pricing import irr_many
from .sensitivity import acceptability, plot_acceptability, plot_tornado, switching_values, tornado, two_way
from .montecarlo import Simulation, simulate
from .voi import evpi, evppi

__all__ = [
    "Distribution", "Simulation", "acceptability", "evpi", "evppi", "irr_many", "plot_acceptability", "plot_tornado",
    "simulate",
    "switching_values", "tornado", "two_way",
]

__all__ += [
    "ArgumentError", "HOLDERS", "SCHEDULES", "Case", "CaseError", "SibmodelError", "Catalogue", "PriceIndex", "Problem", "Result", "UnitCost",
    "case_schema", "catalogue", "discount_factors", "evaluate", "irr", "load_case", "price_index", "rates",
    "resolve_costs", "unit_costs",
]
__version__ = "0.1.0"

# Exports and reports load openpyxl/nbconvert only when first used.
_LAZY = {"write_workbook": "excel", "to_indigo": "indigo", "write_indigo": "indigo", "build_report": "report"}
__all__ += list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'sibmodel' has no attribute {name!r}")
