"""The package is layered: core, then analysis, then presentation and I/O. No import goes upward and there are
no cycles (imports inside functions included)."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "sibmodel"

# i18n (words and number formats, data only) sits in the core so the core's summaries can use its labels.
LAYERS = {
    "core": {"errors", "limits", "i18n", "resources", "numbers", "discount", "distributions", "case", "caseio",
             "costs", "vectorised", "model", "pricing"},
    "analysis": {"montecarlo", "sensitivity", "voi", "evidence"},
    "presentation": {"tables", "prose", "charts", "report", "excel", "indigo", "app", "cli", "__main__", "__init__"},
}
RANK = {m: i for i, layer in enumerate(LAYERS.values()) for m in layer}


def _top(module: str) -> str:
    return module.split(".")[0]


def graph() -> dict[str, set[str]]:
    """Top-level module -> top-level modules of sibmodel it imports (anywhere in its files)."""
    edges: dict[str, set[str]] = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        me = parts[0]
        pkg_parts = parts[:-1] if parts[-1] != "__init__" or len(parts) > 1 else []
        if parts[-1] == "__init__" and len(parts) > 1:
            pkg_parts = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    if node.module and node.module.startswith("sibmodel."):
                        targets.append(node.module.split(".")[1])
                else:
                    base = pkg_parts[: len(pkg_parts) - (node.level - 1)] if node.level > 1 else pkg_parts
                    if node.module:
                        full = base + node.module.split(".")
                    else:
                        full = base + [a.name for a in node.names][:1]
                    if full:
                        targets.append(full[0])
                    else:
                        targets += [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                targets += [a.name.split(".")[1] for a in node.names if a.name.startswith("sibmodel.")]
            for t in targets:
                if t != me:
                    edges.setdefault(me, set()).add(t)
    return edges


def test_every_module_has_a_layer():
    mods = {p.relative_to(PKG).parts[0].removesuffix(".py") for p in PKG.rglob("*.py")}
    assert mods <= set(RANK), sorted(mods - set(RANK))


def test_no_upward_import():
    up = sorted(f"{a} -> {b}" for a, bs in graph().items() for b in bs
                if a in RANK and b in RANK and a != "__init__" and RANK[b] > RANK[a])
    assert not up, up


def test_no_cycle():
    g = graph()
    seen: dict[str, int] = {}
    cycles: list[str] = []

    def visit(n: str, path: list[str]) -> None:
        seen[n] = 1
        for m in sorted(g.get(n, ())):
            if m == "__init__":
                continue
            if seen.get(m) == 1:
                cycles.append(" -> ".join(path[path.index(m):] + [m]) if m in path else f"{n} -> {m}")
            elif m not in seen:
                visit(m, path + [m])
        seen[n] = 2

    for n in sorted(g):
        if n not in seen and n != "__init__":
            visit(n, [n])
    assert not cycles, cycles
