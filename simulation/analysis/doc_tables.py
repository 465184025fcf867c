"""The ODD's parameter table, generated from the schema so the document cannot drift from it.

``python -m simulation.analysis.doc_tables`` prints the table; ``--write`` refreshes it
in place in ``docs/ODD.md``, between the marker lines below. ``tests/test_docs.py``
fails when the two differ, so re-run ``--write`` after changing a default.
"""

from __future__ import annotations

import argparse
from enum import Enum
from pathlib import Path
from typing import Any

from simulation.inputs.params import Config, bounds, leaf_fields

ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
START, END = "<!-- parameter-table:start -->", "<!-- parameter-table:end -->"
SKIPPED = {"portfolio.missions"}
"""Per-mission overrides: same fields as ``portfolio.mission``, described in prose instead."""


def _value(value: Any) -> str:
    """A default as a scenario file would write it."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return f'"{value}"' if value == "" else str(value)


def _bounds(info: Any) -> str:
    lo, hi = bounds(info)
    if lo is None and hi is None:
        return "–"
    if hi is None:
        return f"≥ {_value(lo)}"
    return f"≤ {_value(hi)}" if lo is None else f"[{_value(lo)}, {_value(hi)}]"


def _rows(config: Config) -> list[str]:
    """Rows for every leaf field but the per-mission overrides."""
    rows = []
    for key, info, value in leaf_fields(config):
        if key in SKIPPED:
            continue
        unit = (info.json_schema_extra or {}).get("unit") or "–"
        doc = (info.description or "").replace("|", "\\|")
        rows.append(f"| `{key}` | {_value(value)} | {_bounds(info)} | {unit} | {doc} |")
    return rows


def parameter_table() -> str:
    """The Markdown table of every parameter: dotted key, default, bounds, unit, description."""
    head = ["| Key | Default | Bounds | Unit | Description |", "| --- | --- | --- | --- | --- |"]
    return "\n".join(head + _rows(Config())) + "\n"


def split_markers(text: str) -> tuple[str, str, str]:
    """(before, between, after) the marker lines; ``between`` excludes both marker lines."""
    head, rest = text.split(START + "\n", 1)
    between, tail = rest.split(END, 1)
    return head + START + "\n", between, END + tail


def write(path: Path = ODD_PATH) -> None:
    """Replace the table between the markers of ``path`` with the schema's current one."""
    head, _, tail = split_markers(path.read_text(encoding="utf-8"))
    path.write_text(head + parameter_table() + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"refresh the table in {ODD_PATH.name} in place")
    if parser.parse_args(argv).write:
        write()
    else:
        print(parameter_table(), end="")


if __name__ == "__main__":
    main()
