"""No import cycles anywhere in the samorg package (static, via ast; issue 16).

Edges are the imports that run when a module is imported: module-level ``import``/``from … import``
statements (also inside top-level ``if``/``try``), not those inside functions and not those under
``if TYPE_CHECKING``. ``from pkg import name`` points at ``pkg.name`` when that is a module, else at
``pkg``. A submodule importing its own package (``from samorg.models import _inference``) is an edge to
the submodule only: Python resolves it without running the package's ``__init__`` again.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "samorg"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _top_level_imports(tree: ast.Module) -> list[ast.stmt]:
    found: list[ast.stmt] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append(node)
            elif isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" not in test:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return found


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.append(full if full in modules else base)
            for target in targets:
                if target not in modules or target == name:
                    continue
                if name.startswith(target + "."):
                    continue  # a submodule importing (from) its own package
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_the_samorg_package_has_no_import_cycles():
    modules = _modules()
    assert "samorg.models.ordinal" in modules and len(modules) > 40
    cycles = _cycles(_edges(modules))
    assert not cycles, "import cycles (each line: modules importing each other): " + "; ".join(
        " ↔ ".join(c) for c in cycles)


def test_the_checker_finds_a_cycle(tmp_path):
    """The checker can fail: the ordinal/ordinal_change pair as it was before issue 16."""
    graph = {"samorg.models.ordinal": {"samorg.models.ordinal_change"},
             "samorg.models.ordinal_change": {"samorg.models.ordinal"}, "samorg.models.its": set()}
    assert _cycles(graph) == [["samorg.models.ordinal", "samorg.models.ordinal_change"]]
    pkg = tmp_path / "samorg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from samorg import b\n")
    (pkg / "b.py").write_text("import samorg.a\n\ndef f():\n    from samorg import c\n")
    (pkg / "c.py").write_text("from samorg.b import f\n")
    modules = {"samorg": pkg / "__init__.py", "samorg.a": pkg / "a.py", "samorg.b": pkg / "b.py",
               "samorg.c": pkg / "c.py"}
    assert _cycles(_edges(modules)) == [["samorg.a", "samorg.b"]]  # b → c is inside a function
