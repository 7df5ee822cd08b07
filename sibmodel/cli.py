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
