"""Command line: ``sibmodel evaluate CASE.yaml [--set key=value ...] [--format table|json|csv]``, ``sibmodel schema``.

Bad input exits with status 2 and one message naming the field, the value and what is allowed; no traceback.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, Sequence

import yaml

from .app import serve
from .case import case_schema, load_case
from .errors import CaseError
from .model import evaluate


def _parse_set(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"--set {text!r}: write key=value, e.g. outcome.relative_reduction=0.3")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def _format_value(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.4f}" if abs(v) < 10 else f"{v:,.0f}"
    return str(v)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    case = load_case(args.case)
    if args.set:
        case = case.update(dict(_parse_set(s) for s in args.set))
    result = evaluate(case)
    if args.format == "json":
        figures = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in result.key_figures().items()}
        print(json.dumps({"case": case.name, "price_year": case.price_year, "currency": case.currency,
                          "results": figures}, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        print(result.summary().to_csv(index=False), end="")
    else:
        table = result.summary(args.lang)
        width = max(map(len, table["label"]))
        print(f"{case.name} ({case.currency}, {case.price_year} prices)")
        for _, row in table.iterrows():
            print(f"  {row['label']:<{width}}  {_format_value(row['value']):>14}  {row['unit']}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    text = json.dumps(case_schema(), indent=2, ensure_ascii=False)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .errors import _MISSING, Problem

    if not (args.xlsx or args.json):
        raise CaseError(Problem("--xlsx/--json", _MISSING, "give at least one output file, e.g. --xlsx case.xlsx"))
    if args.xlsx and not args.xlsx.lower().endswith(".xlsx"):
        raise CaseError(Problem("--xlsx", args.xlsx, "the workbook file name must end in .xlsx"))
    case = load_case(args.case)
    if args.set:
        case = case.update(dict(_parse_set(s) for s in args.set))
    if args.xlsx:
        from .excel import write_workbook

        simulation, note = None, ""
        if args.draws:
            from .montecarlo import simulate

            sim = simulate(case, draws=args.draws, seed=args.seed)
            simulation, note = sim.summary(args.lang), f"{args.draws} draws, seed {sim.seed}"
        write_workbook(case, args.xlsx, lang=args.lang, simulation=simulation, simulation_note=note)
        print(f"wrote {args.xlsx} (live formulas; open in Excel or LibreOffice)", file=sys.stderr)
    if args.json:
        from .indigo import write_indigo

        write_indigo(case, args.json, start_year=args.start_year)
        print(f"wrote {args.json} (INDIGO impact-bond project JSON)", file=sys.stderr)
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .errors import Problem
    from .montecarlo import CHUNK_SIZE, simulate

    if args.draws < 1:
        raise CaseError(Problem("--draws", args.draws, "must be a whole number >= 1"))
    if args.seed is not None and args.seed < 0:
        raise CaseError(Problem("--seed", args.seed, "must be a whole number >= 0"))
    case = load_case(args.case)
    if args.set:
        case = case.update(dict(_parse_set(s) for s in args.set))
    show = not args.quiet and args.draws > CHUNK_SIZE
    sim = simulate(case, args.draws, args.seed, noise=args.noise, progress=show)
    if args.draws_csv:
        sim.draws.join(sim.inputs).to_csv(args.draws_csv, index_label="draw")
    table = sim.summary(args.lang)
    if args.format == "json":
        clean = lambda v: None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v  # noqa: E731
        figures = {r["name"]: {k: clean(r[k]) for k in ("point", "mean", "p5", "p50", "p95")}
                   for _, r in table.iterrows() if not r["name"].startswith("prob_")}
        print(json.dumps({"case": case.name, "price_year": case.price_year, "currency": case.currency,
                          "draws": sim.n, "seed": sim.seed, "noise": sim.noise,
                          "probabilities": {k: clean(float(v)) for k, v in sim.probabilities().items()},
                          "figures": figures}, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        print(table.to_csv(index=False), end="")
    else:
        print(f"{case.name} ({case.currency}, {case.price_year} prices): {sim.n:,} draws, seed {sim.seed}"
              + (", evaluation noise" if sim.noise else ""))
        width = max(map(len, table["label"]))
        head = "point", "mean", "5 %", "50 %", "95 %"
        print(f"  {'':<{width}}  " + "  ".join(f"{h:>12}" for h in head))
        for _, r in table.iterrows():
            cells = [r["point"], r["mean"], r["p5"], r["p50"], r["p95"]]
            cells = [None if c is None or (isinstance(c, float) and not math.isfinite(c)) else c for c in cells]
            print(f"  {r['label']:<{width}}  " + "  ".join(f"{_format_value(c):>12}" for c in cells) + f"  {r['unit']}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sibmodel", description="Business cases for social investments.")
    sub = p.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="evaluate a case file and print its key figures")
    ev.add_argument("case", help="a case file (YAML)")
    ev.add_argument("--set", action="append", metavar="KEY=VALUE",
                    help="change a value at a dotted path, e.g. --set contract.price=150000 (repeatable)")
    ev.add_argument("--format", choices=["table", "json", "csv"], default="table")
    ev.add_argument("--lang", choices=["da", "en"], default="en", help="label language of the table")
    ev.set_defaults(run=_cmd_evaluate)
    sc = sub.add_parser("schema", help="print the JSON Schema of case files (for editor autocompletion)")
    sc.add_argument("-o", "--output", help="write to this file instead of standard output")
    sc.set_defaults(run=_cmd_schema)
    ex = sub.add_parser("export", help="write the business case as an Excel workbook with live formulas and/or INDIGO JSON")
    ex.add_argument("case", help="a case file (YAML)")
    ex.add_argument("--xlsx", metavar="FILE", help="write the formula workbook here (.xlsx)")
    ex.add_argument("--json", metavar="FILE", help="write the contract and finance figures as INDIGO project JSON here")
    ex.add_argument("--set", action="append", metavar="KEY=VALUE", help="change a value at a dotted path (repeatable)")
    ex.add_argument("--lang", choices=["da", "en"], default="en", help="language of the workbook's sheets and labels")
    ex.add_argument("--start-year", type=int, metavar="YEAR",
                    help="calendar year of programme year 0 (dates the INDIGO outcome payments)")
    ex.add_argument("--draws", type=int, default=0, metavar="N",
                    help="add a Simulation sheet with N Monte Carlo draws (values, not formulas)")
    ex.add_argument("--seed", type=int, default=None, help="seed of the Monte Carlo draws (reproducible)")
    ex.set_defaults(run=_cmd_export)
    si = sub.add_parser("simulate", help="Monte Carlo over the case's distributions: probabilities and percentiles")
    si.add_argument("case", help="a case file (YAML) whose inputs may be distributions")
    si.add_argument("--draws", type=int, default=10_000, help="number of draws (default 10000)")
    si.add_argument("--seed", type=int, default=None, help="seed for a reproducible run (default: fresh, printed)")
    si.add_argument("--noise", action="store_true", help="binomial evaluation noise: payments follow the measured outcome")
    si.add_argument("--set", action="append", metavar="KEY=VALUE",
                    help="change a value at a dotted path; a distribution as YAML, e.g. "
                         "--set 'outcome.baseline_rate={dist: beta, mean: 0.6, sd: 0.05}' (repeatable)")
    si.add_argument("--format", choices=["table", "json", "csv"], default="table")
    si.add_argument("--lang", choices=["da", "en"], default="en", help="label language")
    si.add_argument("--draws-csv", metavar="FILE", help="also write every draw (figures and sampled inputs) to this CSV")
    si.add_argument("--quiet", action="store_true", help="no progress bar (shown on runs of more than one chunk)")
    si.set_defaults(run=_cmd_simulate)
    ap = sub.add_parser("app", help="serve the app for municipal users on http://localhost:PORT")
    serve.add_arguments(ap)
    ap.set_defaults(run=serve.main)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (CaseError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
