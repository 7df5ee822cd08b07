"""Reading case files: :func:`load_case` (a path in, a validated :class:`~sibmodel.case.Case` out).

The file is size-checked before it is read, parsed with the limited safe loader (:mod:`sibmodel.yamlio`),
checked against :mod:`sibmodel.limits`, validated, and its catalogue keys and price years resolved, so a case
that loads also evaluates. Every failure is a :class:`~sibmodel.errors.CaseError` naming the file.
"""
from __future__ import annotations

from pathlib import Path

from . import limits
from .case import Case
from .errors import CaseError, Problem


def load_case(path: str | Path) -> Case:
    """Read and validate a case file (YAML, safe loader, within the limits). Raises :class:`CaseError` with
    every problem.

    Catalogue keys and price years are checked too, so a case that loads also evaluates.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise CaseError(Problem("", str(p), "not a file (give the path of a case file)"))
        if size > limits.MAX_FILE_BYTES:
            raise CaseError(Problem("", str(p), f"the file is too large ({size:,} bytes; at most {limits.MAX_FILE_BYTES:,})"))
        with p.open("rb") as f:
            raw = f.read(limits.MAX_FILE_BYTES + 1)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise CaseError(Problem("", str(p), "case file not found")) from None
    except UnicodeDecodeError:
        raise CaseError(Problem("", str(p), "the file is not UTF-8 text (a case file is YAML)")) from None
    except OSError as exc:
        raise CaseError(Problem("", str(p), f"cannot read the case file: {exc.strerror or exc}")) from None
    case = Case.from_yaml(text, source=str(p))
    from .costs import resolve_costs  # late import: costs depends on case

    try:
        resolve_costs(case)
    except CaseError as exc:
        raise CaseError(exc.problems, str(p)) from None
    return case
