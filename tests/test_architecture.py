"""ARCHITECTURE.md stays true: every module is on the map, and no layer imports a higher one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
# Known, deliberate exceptions: (importing module, imported module) with the reason.
ALLOWED = {
    ("samorg/sources/nb_library_stats.py", "samorg.municipalities"):
        "readers check municipality codes against the code table (lazy import inside the function)",
}
ORDER = ["base", "config", "sources", "clean", "store", "demo", "models", "plots", "report", "cli", "api"]


def _map() -> dict[str, str]:
    rows = re.findall(r"^\| `(samorg/[^`]+)` \| (\w+) \|", (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"), re.M)
    return dict(rows)


def _layer(module_path: str, mapping: dict[str, str]) -> str | None:
    for key, layer in sorted(mapping.items(), key=lambda kv: -len(kv[0])):
        if module_path == key or (key.endswith("/") and module_path.startswith(key)):
            return layer
    return None


def test_every_module_is_on_the_map():
    mapping = _map()
    missing = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if _layer(str(p.relative_to(SRC)), mapping) is None]
    assert not missing, f"add these to ARCHITECTURE.md: {missing}"


def test_no_layer_imports_a_higher_one():
    mapping = _map()
    bad = []
    for path in SRC.rglob("*.py"):
        rel = str(path.relative_to(SRC))
        own = _layer(rel, mapping)
        if own in ("api", "cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("samorg"):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("samorg")]
            for name in names:
                parts = name.split(".")
                target = "/".join(parts) + ".py"
                if not (SRC / target).exists():
                    target = "/".join(parts) + "/"
                layer = _layer(target, mapping) or _layer("/".join(parts) + "/__init__.py", mapping)
                if (rel, name) in ALLOWED:
                    continue
                if layer and ORDER.index(layer) > ORDER.index(own) and layer != "api":
                    bad.append(f"{rel} ({own}) imports {name} ({layer})")
    assert not bad, bad
