"""The structure the README promises, checked on the source: no import cycle between modules (function-level
imports included), imports only downward along the pipeline, no module over 400 lines, no equation-name
comparison outside the family registry."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("solvers", "postprocess")
MAX_LINES = 400
FAMILY_NAMES = {"heat", "burgers", "mfg"}
# floors of the pipeline, bottom to top: a module may import its own floor and the floors below
FLOORS = [
    {"solvers.errors", "solvers.registry", "solvers.kernels", "solvers.closed_forms", "solvers.grids",
     "solvers.hooks", "solvers.progress", "solvers.__init__", "solvers", "postprocess"},
    {"solvers.measurements", "solvers.equations", "solvers.config", "solvers.storage"},
    {"solvers.integrators"},
    {"solvers.problems"},
    {"solvers.analysis"},
    {"solvers.families"},
    {"solvers.runs", "solvers.studies", "solvers.bench"},
    {"solvers.api", "solvers.cli", "solvers.__main__"},
]


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text())
    is_pkg = path.name == "__init__.py"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                prefix = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join(prefix + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _floor(name: str) -> int:
    best, depth = None, -1
    for level, members in enumerate(FLOORS):
        for m in members:
            if (name == m or name.startswith(m + ".")) and len(m) > depth:
                best, depth = level, len(m)
    assert best is not None, f"{name} is on no floor of the pipeline (add it to FLOORS)"
    return best


def test_no_import_cycle_between_modules():
    graph = _graph()
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):                       # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            # a package's __init__ re-exporting its own submodules is not a cycle of modules
            if len(comp) > 1 and not all(c.startswith(min(comp, key=len) + ".") or c == min(comp, key=len)
                                         for c in comp):
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == [], f"import cycles: {cycles}"


def test_imports_run_down_the_pipeline():
    graph = _graph()
    upward = [(a, b) for a, deps in graph.items() for b in deps
              if not b.startswith(a + ".") and _floor(b) > _floor(a)]
    assert upward == [], f"imports from a lower floor to a higher one: {upward}"
    assert not any(b.startswith("postprocess") for a, deps in graph.items() for b in deps
                   if a.split(".")[0] == "solvers" and _floor(a) < _floor("solvers.api")), \
        "numerics import postprocess"
    assert not any(b.startswith("solvers") for a, deps in graph.items() for b in deps if a.startswith("postprocess"))


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules().values()
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


def test_equation_names_are_compared_only_in_the_family_registry():
    found = []
    for name, path in _modules().items():
        if name.startswith("solvers.families"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                for c in [node.left, *node.comparators]:
                    if isinstance(c, ast.Constant) and c.value in FAMILY_NAMES:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], f"equation names compared outside solvers/families: {found}"
