"""The one error type users see: each problem names the field (dotted path), the value and what is allowed."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input: where (dotted path), what was given, what is allowed."""

    path: str
    value: object
    message: str

    def __str__(self) -> str:
        shown = "" if self.value is _MISSING else f" = {self.value!r}"
        return f"{self.path or '(case)'}{shown}: {self.message}"


_MISSING = object()


class CaseError(ValueError):
    """A case (or a data file) that cannot be used; ``problems`` lists each problem."""

    def __init__(self, problems: list[Problem] | Problem, source: str | None = None):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        lines = [str(p) for p in self.problems]
        text = lines[0] if len(lines) == 1 else f"{len(lines)} problems:\n  " + "\n  ".join(lines)
        super().__init__(head + text)


def problem(path: str, message: str, value: object = _MISSING) -> Problem:
    return Problem(path, value, message)
