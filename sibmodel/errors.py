"""The errors users see. Each problem names the field (dotted path), the value and what is allowed.

``SibmodelError`` is the base of every error the package raises on purpose; ``CaseError`` is a case or data file
that cannot be used, ``ArgumentError`` a bad argument to a function of the API. A ``Problem`` may carry a
``code`` (and ``params``) so that a surface can translate the message by code rather than by its English words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: A message line is cut to this many characters, a value shown in it to ``VALUE_CHARS``.
MESSAGE_CHARS = 300
VALUE_CHARS = 80


def shorten(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis and the length left out."""
    if len(text) <= limit:
        return text
    cut = limit - 30  # room for the note below, up to 10 digits
    return f"{text[:cut]}… ({len(text) - cut} more characters)"


@dataclass(frozen=True)
class Problem:
    """One problem in an input: where (dotted path), what was given, what is allowed.

    ``code`` names the kind of problem (for example ``"number.thousands_separator"``) and ``params`` its details,
    for surfaces that translate messages; both are optional.
    """

    path: str
    value: object
    message: str
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        shown = "" if self.value is _MISSING else f" = {shorten(_repr(self.value), VALUE_CHARS)}"
        return shorten(f"{self.path or '(case)'}{shown}: {self.message}")


_MISSING = object()


def _repr(value: object) -> str:
    """``repr(value)``, or a placeholder where Python cannot show it (an integer of over 4,300 digits, data
    nested beyond the recursion limit)."""
    try:
        return repr(value)
    except (ValueError, RecursionError):
        return f"(a {type(value).__name__} too large to show)"


class SibmodelError(Exception):
    """Base of every error sibmodel raises for something a user can fix."""


class _ProblemsError(SibmodelError, ValueError):
    def __init__(self, problems: list[Problem] | Problem, source: str | None = None):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        self.source = source
        head = f"{shorten(source, 120)}: " if source else ""
        lines = [str(p) for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"... and {len(self.problems) - 20} more problems")
        text = lines[0] if len(lines) == 1 else f"{len(self.problems)} problems:\n  " + "\n  ".join(lines)
        super().__init__(head + text)


class CaseError(_ProblemsError):
    """A case (or a data file) that cannot be used; ``problems`` lists each problem."""


class ArgumentError(_ProblemsError):
    """A bad argument to a function of the Python API (not a problem in the case itself)."""


def problem(path: str, message: str, value: object = _MISSING, code: str | None = None, **params: Any) -> Problem:
    return Problem(path, value, message, code, params)
