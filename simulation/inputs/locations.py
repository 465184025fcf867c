"""Where scenario and experiment files are found: the user's directories first, then the shipped ones.

The repository's top-level ``scenarios/`` and ``experiments/`` are the source
of truth; a built wheel carries them inside the package (``simulation/scenarios``,
``simulation/experiments``), found here with ``importlib.resources``. In a
source checkout (an editable install) they are read where they are.

A name (``missions run moonshot``) is looked up in the ``scenarios/`` (or
``experiments/``) folder of each directory of ``$MISSIONS_PATH``
(``os.pathsep``-separated; default: the current directory), then in the
shipped folder. A user's file of the same name wins.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PATH_VARIABLE = "MISSIONS_PATH"
SUFFIXES = (".yaml", ".yml")


def shipped(kind: str) -> Path:
    """The shipped folder ``kind`` (``scenarios`` or ``experiments``): in the installed package, else the checkout's."""
    packaged = resources.files("simulation") / kind
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / kind


def search_path(kind: str) -> list[Path]:
    """The existing folders searched for ``kind`` files, in order, each once."""
    roots = [Path(p) for p in os.environ.get(PATH_VARIABLE, os.curdir).split(os.pathsep) if p]
    found: list[Path] = []
    for folder in [*(root / kind for root in roots), shipped(kind)]:
        if folder.is_dir() and all(folder.resolve() != seen.resolve() for seen in found):
            found.append(folder)
    return found


def find(kind: str, name: str) -> Path | None:
    """The first file called ``name`` (with a YAML suffix) on the search path of ``kind``."""
    for folder in search_path(kind):
        for suffix in SUFFIXES:
            if (folder / f"{name}{suffix}").is_file():
                return folder / f"{name}{suffix}"
    return None


def files(kind: str, folder: Path | None = None) -> list[Path]:
    """The YAML files of ``folder``, or of the whole search path (a name once, the first found), by name."""
    folders = [Path(folder)] if folder is not None else search_path(kind)
    by_name: dict[str, Path] = {}
    for where in folders:
        for path in sorted(where.glob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                by_name.setdefault(path.stem, path)
    return [by_name[name] for name in sorted(by_name)]
