"""sibmodel: business cases for social investments (social impact bonds).

What one prevented case saves each public budget, the break-even outcome prices of the commissioner and
the investor, the price corridor, and the investor's returns.
"""
from .case import HOLDERS, Case, case_schema, load_case
from .costs import Catalogue, PriceIndex, UnitCost, catalogue, price_index, resolve_costs, unit_costs
from .discount import SCHEDULES, discount_factors, rates
from .errors import CaseError, Problem
from .model import Result, evaluate
from .pricing import irr

__all__ = [
    "HOLDERS", "SCHEDULES", "Case", "CaseError", "Catalogue", "PriceIndex", "Problem", "Result", "UnitCost",
    "case_schema", "catalogue", "discount_factors", "evaluate", "irr", "load_case", "price_index", "rates",
    "resolve_costs", "unit_costs",
]
__version__ = "0.1.0"
