"""The current run as tables to download: missions and actor types month by month, as CSV.

The tables are the recorder's tidy frames (the columns of ``steps.parquet``
and ``actors.parquet`` in ``results/README.md``, one row per month and
mission or actor type), with the preset and seed in every row so a file
says where it came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from simulation.frontends.ui.frame import Frame


def missions_table(frame: Frame) -> pd.DataFrame:
    table = frame.recorder.mission_frame(frame.missions.names)
    return table.assign(preset=frame.preset, seed=frame.seed)


def actors_table(frame: Frame) -> pd.DataFrame:
    return frame.recorder.actor_frame().assign(preset=frame.preset, seed=frame.seed)


TABLES = {"missions": missions_table, "actors": actors_table}


def csv(frame: Frame, table: str) -> str:
    """Table ``table`` (a key of TABLES) of ``frame``'s run so far, as CSV text."""
    return TABLES[table](frame).to_csv(index=False, float_format="%.6g")


def filename(preset: str, seed: int, table: str) -> str:
    return f"{preset}-seed{seed}-{table}.csv"
