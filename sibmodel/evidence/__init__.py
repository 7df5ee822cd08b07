"""Evidence for the inputs of a case, estimated with statsmodels and written into a case as distributions.

- :func:`meta_analysis`: random-effects pooling of study effects (DerSimonian-Laird, Paule-Mandel, REML),
  tau^2, I^2, forest plot, and the implied distribution of ``outcome.relative_reduction``.
- :func:`baseline_from_counts`: a baseline rate with its Wilson interval (beta distribution).
- :func:`baseline_from_register`: a binomial GLM on individual data predicting the baseline for a
  municipality's own target-group mix.
- :func:`evaluation_design`: minimum detectable effect, power, the probability that the evaluation confirms
  payment and the investor's risk of not being paid although the intervention works.
- :func:`historical_counterfactual`: a time-series forecast with prediction intervals as the baseline of a
  contract that pays on a fall against history.

Each returns a value object with ``.summary(lang)``, ``.plot()`` (a matplotlib Figure) and
``.to_case(case, path)``. statsmodels and matplotlib are imported only when an estimate is made.
"""
from .baseline import BaselineRate, RegisterBaseline, baseline_from_counts, baseline_from_register
from .forecast import Counterfactual, historical_counterfactual
from .meta import MetaAnalysis, RelativeReduction, load_studies, meta_analysis
from .power import EvaluationDesign, evaluation_design

__all__ = [
    "BaselineRate", "Counterfactual", "EvaluationDesign", "MetaAnalysis", "RegisterBaseline", "RelativeReduction",
    "baseline_from_counts", "baseline_from_register", "evaluation_design", "historical_counterfactual",
    "load_studies", "meta_analysis",
]
