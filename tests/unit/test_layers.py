"""The layers import one way: the window (reader.ui) → the core → storage, never back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import reader

ROOT = Path(reader.__file__).parent


def _layer(module: str) -> str:
    """Which layer a module of the package belongs to."""
    if module.startswith("reader.ui"):
        return "ui"
    if module.startswith("reader.storage"):
        return "storage"
    if module.startswith("reader.cli"):
        return "cli"  # a front end beside the window: it starts the window or the core
    return "core"


# What each layer may import from the package. The command line may start the window.
ALLOWED = {
    "ui": {"ui", "core"},
    "cli": {"cli", "core", "storage", "ui"},
    "core": {"core", "storage"},
    "storage": {"storage"},
}
# The core may reach storage only through its public entry points, never its models'
# module-level state (there is none) or internals.
STORAGE_ENTRY_POINTS = {"reader.storage.database", "reader.storage.backup",
                        "reader.storage.migrations", "reader.storage.models"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, module: str) -> set[str]:
    """Every module of the package this file imports, at the top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return {n for n in names if n == "reader" or n.startswith("reader.")}


MODULES = _modules()


def test_every_package_is_seen():
    layers = {_layer(name) for name in MODULES}
    assert layers == {"ui", "core", "storage", "cli"}
    assert {"reader.library", "reader.articles", "reader.storage.database",
            "reader.annotations.highlights", "reader.importing.sources",
            "reader.document.model", "reader.export.exporter", "reader.search.fulltext",
            "reader.ui.main_window"} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_one_way(module):
    layer = _layer(module)
    wrong = []
    for imported in _imports(MODULES[module], module):
        if imported == "reader" or imported not in MODULES and imported.rpartition(".")[0] in MODULES:
            imported = imported if imported in MODULES else imported.rpartition(".")[0]
        if imported == "reader":
            continue  # the package's own constants (name, version)
        if _layer(imported) not in ALLOWED[layer]:
            wrong.append(imported)
    assert not wrong, f"{module} ({layer}) imports {sorted(wrong)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m) == "ui"))
def test_the_window_never_touches_storage(module):
    """The UI reaches the library only through the Library facade and its records."""
    assert not {i for i in _imports(MODULES[module], module) if i.startswith("reader.storage")}
