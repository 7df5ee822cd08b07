"""The app's uncertainty panel over the Monte Carlo engine: probabilities, tornado, acceptability curve."""
from __future__ import annotations

import re

from sibmodel import load_case
from sibmodel.app.uncertainty import SEED, available, uncertain_case
from sibmodel.app.widgets import App

from conftest import TEMPLATES


def test_spreads_become_beta_distributions_around_the_current_values():
    # point values everywhere (the template's own distributions would be kept as they are)
    case = load_case(TEMPLATES / "family_violence.yaml").update(
        {"outcome.baseline_rate": 0.6, "outcome.relative_reduction": 0.4, "outcome.drop_off": 0.1})
    u = uncertain_case(case, 0.1, 0.0)
    d = u.distributions["outcome.relative_reduction"]
    assert d.kind == "beta" and d.spec["mean"] == case.outcome.relative_reduction and d.spec["sd"] == 0.1
    assert "outcome.baseline_rate" not in u.distributions
    assert uncertain_case(case, 0.0, 0.0) == case


def test_panel_shows_the_engines_probabilities_and_marks_them_stale():
    assert available()  # the engine is part of the package
    from sibmodel.montecarlo import simulate

    app = App("en", "?template=family_violence&contract.investor_share=0.5")
    assert app.uncertainty is None  # made when its group is opened
    app.open_all_groups()
    panel = app.uncertainty
    panel.draws.value = "1000"
    panel.run.click()
    html = panel.out.value
    assert 'data-chart="probabilities"' in html and 'data-chart="tornado"' in html and 'data-chart="acceptability"' in html
    shown = [float(v) for v in re.findall(r'class="sib-value" data-value="([^"]+)"', html)]
    sim = simulate(uncertain_case(app.session.case, 0.1, 0.05), draws=1000, seed=SEED)
    assert shown == list(sim.probabilities().values)
    app.fields["contract.price"].widget.value = "90000"
    assert "run it again" in panel.out.value
