"""The package's layers import only downwards and no two modules import each other, read from the source with ``ast``.

Every import counts, at module level or inside a function (a deferred import is still a dependency). Imports under
``if TYPE_CHECKING:`` never run, so they cannot make a cycle, but they still must not reach up a layer.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

import simulation

PACKAGE = Path(simulation.__file__).resolve().parent
LAYERS = ("inputs", "core", "execution", "analysis", "frontends")
"""From the bottom up: a module may import its own layer and the layers before it in this list."""


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    type_only: bool


def modules(package: Path) -> dict[str, Path]:
    """Dotted name -> file of every module of ``package`` (a package is named by its ``__init__.py``)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[ast.AST]:
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                inside.update(ast.walk(statement))
    return inside


def imports(package: Path) -> list[Import]:
    """Every import of one of the package's modules by another, resolved to the module it names."""
    known = modules(package)
    top = package.name

    def resolve(name: str) -> str:  # ``a.b.NAME`` names module ``a.b`` when NAME is not a module
        while name not in known:
            name = name.rpartition(".")[0]
        return name

    found = []
    for source, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        type_only = _type_checking_nodes(tree)
        here = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target == top or target.startswith(top + "."):
                    found.append(Import(source, resolve(target), node in type_only))
    return [found_import for found_import in found if found_import.source != found_import.target]


def cycles(found: list[Import]) -> list[set[str]]:
    """Groups of modules that import each other, directly or round a loop, at run time."""
    graph = nx.DiGraph((i.source, i.target) for i in found if not i.type_only)
    return sorted((group for group in nx.strongly_connected_components(graph) if len(group) > 1), key=sorted)


def layer_of(module: str) -> str | None:
    """The layer of ``pkg.LAYER.rest``; None for the top package, which every layer may import (``__version__``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def upward(found: list[Import]) -> list[str]:
    """Imports of a module in a higher layer, as ``source -> target`` lines (the top package may import any)."""
    rank = {layer: n for n, layer in enumerate(LAYERS)}
    return [f"{i.source} -> {i.target}" for i in found
            if rank.get(layer_of(i.target), -1) > rank.get(layer_of(i.source), len(LAYERS))]


# ------------------------------------------------------------------ the package itself
def test_every_module_lies_in_a_layer() -> None:
    outside = [name for name in modules(PACKAGE) if name != "simulation" and layer_of(name) not in LAYERS]
    assert not outside, f"modules outside the layers {LAYERS}: {outside}"


def test_no_import_cycles() -> None:
    assert cycles(imports(PACKAGE)) == []


def test_layers_import_only_downwards() -> None:
    assert upward(imports(PACKAGE)) == [], f"layers from the bottom up: {LAYERS}"


def test_the_public_names_import() -> None:
    names = [*simulation.__all__, *simulation._LAZY]
    assert {"MissionModel", "Config", "MECHANISMS", "run_scenario", "run_experiment"} <= set(names)
    for name in names:
        value = getattr(simulation, name)
        assert value is getattr(importlib.import_module(simulation._LAZY[name]), name)
    with pytest.raises(AttributeError, match="no attribute 'model'"):
        _ = simulation.model


# ------------------------------------------------------------------ the checker, on a package made up for the test
MADE_UP = {
    "__init__.py": "__version__ = '0'\n",
    "inputs/__init__.py": "",
    "inputs/files.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from simulation.core.model import Model\n",
    "core/__init__.py": "",
    "core/model.py": "from simulation.core.b import f\nfrom simulation.inputs import files\nfrom simulation import __version__\n",
    "core/b.py": "def f():\n    from simulation.core import c\n",
    "core/c.py": "from . import model\n",
    "core/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from simulation.core.e import E\n",
    "core/e.py": "import simulation.core.d\n",
    "frontends/cli.py": "from simulation.core.model import Model\n",
}
"""model -> b -> (in a function) c -> (relative) model is a cycle; d <-> e and files -> model are type-only."""


@pytest.fixture
def made_up(tmp_path: Path) -> list[Import]:
    for name, text in MADE_UP.items():
        path = tmp_path / "simulation" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return imports(tmp_path / "simulation")


def test_the_checker_finds_a_cycle_through_a_deferred_and_a_relative_import(made_up: list[Import]) -> None:
    assert cycles(made_up) == [{"simulation.core.model", "simulation.core.b", "simulation.core.c"}]
    assert Import("simulation.core.d", "simulation.core.e", type_only=True) in made_up


def test_the_checker_finds_an_import_up_a_layer_even_for_type_hints_only(made_up: list[Import]) -> None:
    assert upward(made_up) == ["simulation.inputs.files -> simulation.core.model"]

