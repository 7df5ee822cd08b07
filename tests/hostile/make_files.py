"""Write the hostile case files of this folder (run from the repository root: python tests/hostile/make_files.py).

Each file is a small valid case with one hostile change; tests/test_hostile.py says what each must give.
"""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BASE = {
    "name": "Hostile input", "price_year": 2023, "discounting": 0.035,
    "cohort": {"participants": [100]},
    "outcome": {"baseline_rate": 0.5, "relative_reduction": 0.2, "horizon_years": 5, "drop_off": 0.1},
    "costs_per_case": [{"amount": 100000, "holder": "kommune", "quantity": 1}],
    "intervention": {"cost_per_participant": 20000},
    "contract": {"price": 50000, "payment_lag_years": 1, "investor_required_return": 0.07},
}


def case(**changes) -> dict:
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = data
        parts = path.split("__")
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


def dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=10_000)


def dist(**spec) -> dict:
    return spec


FILES: dict[str, str] = {}
# aliases: nine levels of nine aliases each ("billion laughs"), 722 bytes in the report that found it
lol = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
prev = "a"
for n in "bcdefghi":
    lol += f"{n}: &{n} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    prev = n
FILES["aliases_billion_laughs.yaml"] = dump(BASE) + "x:\n" + "".join("  " + line + "\n" for line in lol.splitlines())
FILES["aliases_self_reference.yaml"] = dump(BASE) + "loop: &loop [*loop]\n"
FILES["aliases_in_values.yaml"] = dump(BASE).replace("name: Hostile input", "name: &n Hostile input") + "area: *n\n"
FILES["depth_1000_lists.yaml"] = dump(BASE) + "deep: " + "[" * 1000 + "]" * 1000 + "\n"
FILES["depth_block_30.yaml"] = dump(BASE) + "deep:\n" + "".join("  " * i + "- \n" for i in range(1, 31))
FILES["duplicate_contract.yaml"] = dump(BASE) + "contract:\n  price: 1\n"
FILES["duplicate_nested_key.yaml"] = dump(BASE).replace("price: 50000,", "price: 50000, price: 1,")
FILES["integer_over_1e308.yaml"] = dump(BASE).replace("price: 50000", "price: 1" + "0" * 400)
FILES["inf_amount.yaml"] = dump(case(costs_per_case__0__amount=float("inf")))
FILES["nan_price.yaml"] = dump(case(contract__price=float("nan")))
FILES["amount_1e308.yaml"] = dump(case(costs_per_case__0__amount=1e308))
FILES["participants_2_3e307.yaml"] = dump(case(cohort__participants=[2.3e307]))
FILES["participants_1e6.yaml"] = dump(case(cohort__participants=[1_000_000]))
FILES["participants_1e7.yaml"] = dump(case(cohort__participants=[10_000_000]))
FILES["fixed_cost_400_years.yaml"] = dump(case(intervention__fixed_cost_per_year=[100000, 0] * 200))
FILES["fixed_cost_200_years.yaml"] = dump(case(intervention__fixed_cost_per_year=[100000, 0] * 100))
FILES["cohort_200_alternating_years.yaml"] = dump(case(cohort__participants=[100, 0] * 100))
FILES["cohort_50_alternating_years.yaml"] = dump(case(cohort__participants=[100, 0] * 25))
FILES["horizon_200_lags_200.yaml"] = dump(case(outcome__horizon_years=200, outcome__onset_lag_years=200,
                                              contract__payment_lag_years=200, cohort__participants=[100, 0] * 25,
                                              intervention__fixed_cost_per_year=[100000, 0] * 100))
FILES["currency_script.yaml"] = dump(case(currency="<img src=x onerror=alert(document.domain)>"))
FILES["required_return_minus_099.yaml"] = dump(case(contract__investor_required_return=-0.99))
FILES["participants_tiny.yaml"] = dump(case(cohort__participants=[1e-300]))
FILES["beta_sd_1e-300.yaml"] = dump(case(outcome__baseline_rate=dist(dist="beta", mean=0.5, sd=1e-300)))
FILES["beta_a_1e308.yaml"] = dump(case(outcome__baseline_rate=dist(dist="beta", a=1e308, b=1)))
FILES["beta_a_tiny.yaml"] = dump(case(outcome__baseline_rate=dist(dist="beta", a=1e-300, b=1)))
FILES["lognormal_cv_overflow.yaml"] = dump(case(costs_per_case__0__amount=dist(dist="lognormal", mean=1e-300, sd=1e15)))
FILES["lognormal_meanlog_700.yaml"] = dump(case(costs_per_case__0__amount=dist(dist="lognormal", meanlog=700, sdlog=5)))
FILES["lognormal_reaches_1e12.yaml"] = dump(case(costs_per_case__0__amount=dist(dist="lognormal", meanlog=11, sdlog=3)))
FILES["gamma_sd_1e-300.yaml"] = dump(case(costs_per_case__0__amount=dist(dist="gamma", mean=1000, sd=1e-300)))
FILES["gamma_shape_scale_1e200.yaml"] = dump(case(costs_per_case__0__amount=dist(dist="gamma", shape=1e200, scale=1e200)))
FILES["normal_sd_1e-300.yaml"] = dump(case(contract__price=dist(dist="normal", mean=50000, sd=1e-300, lower=0)))
FILES["normal_mean_1e308.yaml"] = dump(case(contract__price=dist(dist="normal", mean=1e308, sd=1, lower=0)))
FILES["uniform_1e308.yaml"] = dump(case(contract__price=dist(dist="uniform", low=0, high=1e308)))
FILES["triangular_huge.yaml"] = dump(case(contract__price=dist(dist="triangular", low=0, mode=1, high=1e20)))
FILES["pert_inf.yaml"] = dump(case(contract__price=dist(dist="pert", low=0, mode=1, high=float("inf"))))
FILES["text_20000_chars.yaml"] = dump(case(name="x" * 20_000))
FILES["label_nel.yaml"] = dump(case(costs_per_case__0__label="one\x85two\u2028three"))
FILES["key_with_brackets.yaml"] = dump(BASE) + '"9\\":[ase(x)": 1\n'
FILES["not_a_mapping.yaml"] = "- 1\n- 2\n"
FILES["python_tag.yaml"] = dump(BASE) + "x: !!python/object/apply:os.system ['echo hi']\n"


if __name__ == "__main__":
    for old in HERE.glob("*.yaml"):
        old.unlink()
    for name, text in FILES.items():
        (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(FILES)} files, {sum(len(t.encode()) for t in FILES.values()):,} bytes")
