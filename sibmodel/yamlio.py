"""YAML for case files: a safe loader with limits, and a dumper that keeps text intact.

:func:`load_yaml` parses with PyYAML's safe loader (libyaml where available) and refuses, before building any
Python object: a text larger than :data:`~sibmodel.limits.MAX_FILE_BYTES`, nesting deeper than
:data:`~sibmodel.limits.MAX_DEPTH`, more than :data:`~sibmodel.limits.MAX_ALIASES` aliases, more than
:data:`~sibmodel.limits.MAX_NODES` values once aliases are expanded (a "billion laughs" file), an alias that
contains itself, and a key given twice in one mapping. :func:`dump_yaml` writes text that reads back the same
(line and paragraph separators such as U+0085 are escaped instead of folded into spaces).
"""
from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import limits
from .errors import _MISSING, CaseError, Problem

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, mark: Any):
        self.key, self.mark = key, mark


class SafeCaseLoader(_Base):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader that refuses a key given twice in one mapping (merge keys ``<<`` excepted)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                twice = key in seen
            except TypeError:  # an unhashable key: the base class reports it
                break
            if twice:
                raise _DuplicateKey(key, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


SafeCaseLoader.add_constructor("tag:yaml.org,2002:map", SafeCaseLoader.construct_yaml_map)


def _where(mark: Any) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


def _refuse(message: str, source: str | None, value: Any = _MISSING) -> CaseError:
    return CaseError(Problem("", value, message), source)


def _scan(text: str, source: str | None) -> None:
    """First pass over the parser's events (no objects built): depth, aliases and values."""
    loader = SafeCaseLoader(text)
    depth = aliases = values = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                values += 1
                if depth > limits.MAX_DEPTH:
                    raise _refuse(f"nested more than {limits.MAX_DEPTH} levels deep{_where(event.start_mark)}; "
                                  "a case needs at most 5", source)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > limits.MAX_ALIASES:
                    raise _refuse(f"more than {limits.MAX_ALIASES} aliases (*name){_where(event.start_mark)}", source)
            elif isinstance(event, yaml.ScalarEvent):
                values += 1
            if values > limits.MAX_NODES:
                raise _refuse(f"more than {limits.MAX_NODES:,} values{_where(event.start_mark)}", source)
    finally:
        loader.dispose()


def _expanded(root: Node, source: str | None) -> None:
    """Refuse a node graph whose aliases expand past the limits or that contains itself (iterative)."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            height[key] = 1 + max((height[id(k)] for k in kids), default=0)
            if size[key] > limits.MAX_NODES:
                raise _refuse(f"the aliases expand to more than {limits.MAX_NODES:,} values{_where(node.start_mark)}", source)
            if height[key] > limits.MAX_DEPTH + 1:
                raise _refuse(f"the aliases nest more than {limits.MAX_DEPTH} levels deep{_where(node.start_mark)}", source)
            continue
        if key in size:
            continue
        if key in on_path:
            raise _refuse(f"an alias refers to the value that contains it{_where(node.start_mark)}", source)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in _children(node) if id(k) not in size)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load_yaml(text: str, source: str | None = None) -> Any:
    """Parse one YAML document within the limits (see the module docstring); :class:`CaseError` otherwise."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.MAX_FILE_BYTES:
        raise _refuse(f"the file is too large ({size:,} bytes; at most {limits.MAX_FILE_BYTES:,})", source)
    try:
        _scan(text, source)
        loader = SafeCaseLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _expanded(node, source)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except CaseError:
        raise
    except _DuplicateKey as exc:
        shown = limits_text(exc.key)
        raise CaseError(Problem(shown, _MISSING, f"this key is given twice in one section{_where(exc.mark)}; "
                                                 "keep one (the second would silently replace the first)"), source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _refuse(f"not valid YAML{_where(mark)}: {getattr(exc, 'problem', None) or exc}", source) from None
    except (RecursionError, MemoryError, OverflowError, ValueError) as exc:  # defence in depth: never a traceback
        if "integer string conversion" in str(exc):
            raise _refuse("a whole number has more than 4,300 digits (numbers must be at most 1e15)", source) from None
        raise _refuse(f"cannot read this YAML: {type(exc).__name__}", source) from None


def limits_text(key: Any) -> str:
    """A key as shown in a message (cut to 80 characters)."""
    text = str(key)
    return text if len(text) <= 80 else text[:77] + "..."


class _TextDumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """A safe dumper that writes text with line or paragraph separators double-quoted (escaped), so that it
    reads back unchanged."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(ch in value for ch in "\x85\u2028\u2029\r"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_TextDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """``data`` as YAML (keys in their order, Unicode kept) that :func:`load_yaml` reads back equal."""
    return yaml.dump(data, Dumper=_TextDumper, sort_keys=False, allow_unicode=True)
