"""Command line: ``sibmodel evaluate|simulate|export|schema|new|app``; ``sibmodel --help`` lists them.

Bad input exits with status 2 and one message naming the field, the value and what is allowed; no traceback.
Numbers given with ``--set`` are read by ``sibmodel.numbers.parse_number`` (the app's parser): YAML numbers such
as ``150000``, ``0.3`` and ``1e5``; a thousands separator is refused, never read as a smaller number.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any, Sequence

import yaml

from . import __version__
from .app import serve
from .case import load_case
from .errors import CaseError, Problem, SibmodelError
from .model import evaluate
from .numbers import parse_number

#: What stands in the table for a figure that does not exist (no corridor, no IRR, no payback).
MISSING = "\u2013"
# a value that starts like a number ("150.000", "1e5", "-3", ".5") is read as one, never as a string
_NUMBERISH = re.compile(r"[-+\u2212]?\.?\d")
_INTEGER = re.compile(r"[-+]?\d+")


def _parse_set(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` as (dotted path, value): numbers by ``parse_number``, mappings, lists and words as YAML."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise CaseError(Problem("--set", text, "write key=value, e.g. outcome.relative_reduction=0.3",
                                code="cli.set_syntax"))
    if not raw:
        return key, None
    if _NUMBERISH.match(raw):
        value = parse_number(raw, "en", path=key)
        return key, int(raw) if _INTEGER.fullmatch(raw) else value
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        return key, raw
    if isinstance(value, float):  # .inf, .nan
        return key, parse_number(raw, "en", path=key)
    return key, value


def _load(args: argparse.Namespace):
    case = load_case(args.case)
    if args.set:
        case = case.update(dict(_parse_set(s) for s in args.set))
    return case


def _format_value(v: Any) -> str:
    """A figure for the table: "\u2013" where it does not exist; from 10 up five significant digits without
    trailing zeros (12.345 stays 12.345, 60.0 is 60, 1,234,567.8 is 1,234,568); four decimals below 10."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return MISSING
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if abs(v) < 10:
        return f"{v:,.4f}"
    digits = int(math.floor(math.log10(abs(v)))) + 1
    text = f"{v:,.{max(0, 5 - digits)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _clean(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v


def _cmd_evaluate(args: argparse.Namespace) -> int:
    case = _load(args)
    result = evaluate(case)
    if args.format == "json":
        figures = {k: _clean(v) for k, v in result.key_figures().items()}
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
    from .schema import documented_schema

    text = json.dumps(documented_schema(), indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from .resources import template_file
    from .schema import SCHEMA_FILE, documented_schema

    source = template_file(args.area)
    target = Path(args.output) if args.output else Path.cwd() / source.name
    if target.suffix not in (".yaml", ".yml"):
        raise CaseError(Problem("--output", str(target), "the case file name must end in .yaml", code="cli.new_suffix"))
    try:
        with open(target, "x", encoding="utf-8") as f:
            f.write(source.read_text(encoding="utf-8"))
    except FileExistsError:
        raise CaseError(Problem("--output", str(target), "exists already; sibmodel new does not overwrite: choose "
                                "another name with --output or remove the file", code="cli.new_exists")) from None
    schema = target.parent / SCHEMA_FILE
    schema.write_text(json.dumps(documented_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target} (from the {source.stem} template; replace its values, then: sibmodel evaluate "
          f"{target.name})\nwrote {schema} (editors with the YAML language server complete and check the case)",
          file=sys.stderr)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .errors import _MISSING

    if not (args.xlsx or args.json):
        raise CaseError(Problem("--xlsx/--json", _MISSING, "give at least one output file, e.g. --xlsx case.xlsx"))
    if args.xlsx and not args.xlsx.lower().endswith(".xlsx"):
        raise CaseError(Problem("--xlsx", args.xlsx, "the workbook file name must end in .xlsx"))
    case = _load(args)
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
    from .montecarlo import CHUNK_SIZE, simulate

    if args.draws < 1:
        raise CaseError(Problem("--draws", args.draws, "must be a whole number >= 1"))
    if args.seed is not None and args.seed < 0:
        raise CaseError(Problem("--seed", args.seed, "must be a whole number >= 0"))
    case = _load(args)
    if not case.distributions:
        print("warning: nothing in this case is uncertain: no input is a distribution such as "
              "{dist: beta, mean: 0.6, sd: 0.05}, so every draw gives the same figures"
              + (" apart from the evaluation noise" if args.noise else "")
              + "; write distributions in the case or with --set", file=sys.stderr)
    show = not args.quiet and args.draws > CHUNK_SIZE
    sim = simulate(case, args.draws, args.seed, noise=args.noise, progress=show)
    if args.draws_csv:
        sim.draws.join(sim.inputs).to_csv(args.draws_csv, index_label="draw")
    table = sim.summary(args.lang)
    if args.format == "json":
        figures = {r["name"]: {k: _clean(r[k]) for k in ("point", "mean", "p5", "p50", "p95")}
                   for _, r in table.iterrows() if not r["name"].startswith("prob_")}
        print(json.dumps({"case": case.name, "price_year": case.price_year, "currency": case.currency,
                          "draws": sim.n, "seed": sim.seed, "noise": sim.noise,
                          "probabilities": {k: _clean(float(v)) for k, v in sim.probabilities().items()},
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
            print(f"  {r['label']:<{width}}  " + "  ".join(f"{_format_value(c):>12}" for c in cells) + f"  {r['unit']}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line's argument parser (every option has a help text)."""
    p = argparse.ArgumentParser(prog="sibmodel", description="Business cases for social investments.")
    p.add_argument("--version", action="version", version=f"sibmodel {__version__}",
                   help="print the version of sibmodel and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", help="what to do (COMMAND --help for more)")
    set_help = ("change a value at a dotted path, e.g. --set contract.price=150000 (repeatable); numbers as in YAML "
                "(150000, 0.3, 1e5), never with a thousands separator; lists and mappings as YAML")
    case_help = "a case file (YAML); start one with: sibmodel new AREA"
    format_help = "output: a table for people (default), JSON or CSV for programs"
    ev = sub.add_parser("evaluate", help="evaluate a case file and print its key figures")
    ev.add_argument("case", help=case_help)
    ev.add_argument("--set", action="append", metavar="KEY=VALUE", help=set_help)
    ev.add_argument("--format", choices=["table", "json", "csv"], default="table", help=format_help)
    ev.add_argument("--lang", choices=["da", "en"], default="en", help="label language of the table")
    ev.set_defaults(run=_cmd_evaluate)
    sc = sub.add_parser("schema", help="print the JSON Schema of case files (for editor autocompletion)")
    sc.add_argument("-o", "--output", metavar="FILE", help="write to this file instead of standard output")
    sc.set_defaults(run=_cmd_schema)
    nw = sub.add_parser("new", help="write a commented case file from a template into the current directory")
    nw.add_argument("area", metavar="AREA", help="the template to start from: "
                    + ", ".join(_template_names()) + " (blank: placeholders only)")
    nw.add_argument("-o", "--output", metavar="FILE",
                    help="the new case file (default AREA.yaml in the current directory; never overwritten)")
    nw.set_defaults(run=_cmd_new)
    ex = sub.add_parser("export", help="write the business case as an Excel workbook with live formulas and/or INDIGO JSON")
    ex.add_argument("case", help=case_help)
    ex.add_argument("--xlsx", metavar="FILE", help="write the formula workbook here (.xlsx)")
    ex.add_argument("--json", metavar="FILE", help="write the contract and finance figures as INDIGO project JSON here")
    ex.add_argument("--set", action="append", metavar="KEY=VALUE", help=set_help)
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
                    help=set_help + ", e.g. a distribution: --set 'outcome.baseline_rate={dist: beta, mean: 0.6, sd: 0.05}'")
    si.add_argument("--format", choices=["table", "json", "csv"], default="table", help=format_help)
    si.add_argument("--lang", choices=["da", "en"], default="en", help="label language")
    si.add_argument("--draws-csv", metavar="FILE", help="also write every draw (figures and sampled inputs) to this CSV")
    si.add_argument("--quiet", action="store_true", help="no progress bar (shown on runs of more than one chunk)")
    si.set_defaults(run=_cmd_simulate)
    ap = sub.add_parser("app", help="serve the app for municipal users on http://localhost:PORT")
    serve.add_arguments(ap)
    ap.set_defaults(run=serve.main)
    return p


def _template_names() -> list[str]:
    from .resources import template_files

    return list(template_files())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status: 0 done, 2 bad input (one message on standard error)."""
    args = parser().parse_args(argv)
    try:
        status = args.run(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # the reader went away (``sibmodel schema | head``): stop quietly, and keep Python's exit flush quiet too
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (SibmodelError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
