"""The results store: one directory per batch, written so that it is either complete or plainly not.

A batch writes into ``<run dir>.partial`` and renames it to its final name
only when every file is in place; each file inside is written to a temporary
name and moved into place with ``os.replace``. A run killed at any moment
therefore leaves at most a ``*.partial`` directory (safe to delete), never a
directory or a table that looks complete. Results are write-once: a run
directory that exists and is not empty is never written into.

Layout of a run directory (column meanings in ``results/README.md``)::

    steps.parquet     per run, month and mission: the mission metrics
    actors.parquet    per run, month and actor type: engagement, fatigue, burn-out ...
    missions.parquet  per run and mission: end-of-run outcomes
    runs.parquet      per run: parameters that differ from the defaults, seed, outcomes
    manifest.json     provenance: resolved config, input hashes, versions, git, command, timings
    plots/*.png       figures across replicates
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.execution.errors import OutputError
from simulation.execution.runner import RunResult, joined

TABLES = ("steps", "actors", "missions", "runs")
FORMAT = 2
"""Version of the results layout, in every manifest: 2 added ``point``, every parameter in runs.parquet, a
string ``error`` column, categorical ``mission_name``/``status``/``final_facet`` in missions.parquet."""
TYPED = {"error": pa.string()}
"""Columns whose type does not depend on their values (an all-empty ``error`` column is still text)."""
ROW_GROUP_BYTES = 64 << 20
"""Gathered tables are written in row groups of about this many bytes of data (Parquet readers like them large)."""
PARTIAL = ".partial"
PACKAGES = ("mesa", "numpy", "pandas", "pydantic", "pyarrow", "scipy", "networkx", "matplotlib", "pyyaml", "tqdm")
REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ locations
def default_run_dir(scenario: str, root: Path | str = "results", now: datetime | None = None) -> Path:
    """``<root>/<scenario>/<UTC timestamp>-<short random id>``: unique, sortable by time."""
    now = now or datetime.now(UTC)
    return Path(root) / scenario / f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def staging_dir(final: Path) -> Path:
    """Where a batch writes before its directory gets its final name."""
    return final.with_name(final.name + PARTIAL)


def check_output(final: Path) -> None:
    """Refuse a directory that already holds something, or one a run is still writing."""
    final = Path(final)
    if final.exists() and (not final.is_dir() or any(final.iterdir())):
        raise OutputError(f"{final}: already exists and is not empty; results are write-once, choose a new directory")
    if staging_dir(final).exists():
        raise OutputError(f"{staging_dir(final)}: exists: another run is writing there, or one was killed "
                          f"(delete it to reuse the name)")


@contextlib.contextmanager
def staged(final: Path) -> Iterator[Path]:
    """Create ``<final>.partial``, yield it, and rename it to ``final`` if the block completes.

    If the block raises (Ctrl-C included) the partial directory is removed; if
    the process is killed outright it stays behind, named ``*.partial``.
    """
    final = Path(final)
    check_output(final)
    stage = staging_dir(final)
    stage.mkdir(parents=True)
    try:
        yield stage
        _fsync_dir(stage)
        os.replace(stage, final)  # atomic; onto an empty directory too
        _fsync_dir(final.parent)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


# ------------------------------------------------------------------ writing
def atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary name beside ``path``, then move it into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name, kind in TYPED.items():
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, table[name].cast(kind))
    return atomic_write(path, lambda tmp: pq.write_table(table, tmp, use_dictionary=coded(table.schema)))


def coded(schema: pa.Schema) -> list[str]:
    """The columns worth a dictionary in Parquet: text and categories. Trying one for every numeric column too (the
    writer's default) took half the time of writing a sweep's part and made the file larger."""
    return [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
            or pa.types.is_dictionary(f.type)]


def concat_parquet(files: list[Path], path: Path, row_group_bytes: int = ROW_GROUP_BYTES) -> Path:
    """Append Parquet ``files`` into one in row groups of about ``row_group_bytes``, so memory stays
    bounded by one row group however many files there are.

    Their schemas are unified first (a column that is all null in one part and numeric in
    another becomes numeric; a column a part lacks is null there), and pandas' per-file
    index metadata is dropped."""
    if not files:
        return write_table(pd.DataFrame(), path)
    schema = pa.unify_schemas([pq.read_schema(f) for f in files], promote_options="permissive").remove_metadata()

    def conformed(f: Path) -> pa.Table:
        table = pq.read_table(f)
        present = set(table.column_names)  # the property builds a new list at every call
        missing = [n for n in schema.names if n not in present]
        nulls = [pa.nulls(table.num_rows, schema.field(n).type) for n in missing]
        table = pa.Table.from_arrays([*table.columns, *nulls], names=[*table.column_names, *missing])
        return table.select(schema.names).cast(schema)

    def flush(writer: pq.ParquetWriter, pending: list[pa.Table]) -> None:
        group = pa.concat_tables(pending)
        writer.write_table(group, row_group_size=max(group.num_rows, 1))

    def write(tmp: Path) -> None:
        with pq.ParquetWriter(tmp, schema, use_dictionary=coded(schema)) as writer:
            pending: list[pa.Table] = []
            size = 0
            for f in files:
                pending.append(conformed(f))
                size += pending[-1].nbytes
                if size >= row_group_bytes:
                    flush(writer, pending)
                    pending, size = [], 0
            if pending:
                flush(writer, pending)

    return atomic_write(path, write)


def write_json(data: dict, path: Path) -> Path:
    text = json.dumps(data, indent=2, default=_json_default, allow_nan=False) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def tables(results: list[RunResult]) -> dict[str, pd.DataFrame]:
    """The four tables of a batch, runs in run-id order, from its successful and failed runs."""
    done = [r for r in results if r.ok]
    frames = {name: joined(done, name) for name in ("steps", "actors", "missions")}
    runs = pd.DataFrame([{**r.row, "error": r.error} for r in results])
    runs["error"] = runs["error"].astype("str")  # text, missing where the run succeeded, as Parquet reads it back
    frames["runs"] = runs
    return frames


def read_tables(run_dir: Path | str) -> dict[str, pd.DataFrame]:
    """The tables of a written run directory, by name."""
    run_dir = Path(run_dir)
    return {name: pd.read_parquet(run_dir / f"{name}.parquet") for name in TABLES
            if (run_dir / f"{name}.parquet").exists()}


def read_manifest(run_dir: Path | str) -> dict:
    return json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------ provenance
def provenance() -> dict[str, Any]:
    """Versions, platform and git state of the code that is running."""
    versions = {"python": platform.python_version(), "simulation": _version("mission-ecosystems")}
    versions |= {name: _version(name) for name in PACKAGES}
    return {"versions": versions, "platform": platform.platform(), "implementation": sys.implementation.name,
            "git": git_state(REPO)}


def git_state(repo: Path) -> dict[str, Any]:
    """Commit and dirty flag of ``repo``; nulls where git or the repository is absent."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                              timeout=10).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain"))
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ------------------------------------------------------------------ summary
def summary_table(runs: pd.DataFrame, missions: pd.DataFrame) -> pd.DataFrame:
    """Per mission across replicates: shares achieved and retired (problem gone), months to goal, final
    progress and transformation, spend (medians)."""
    if missions.empty:
        return pd.DataFrame()
    grouped = missions.groupby("mission_name", sort=False, observed=True)
    table = pd.DataFrame({
        "achieved": grouped["achieved"].mean(),
        "retired": grouped["retired"].mean(),
        "months to goal": grouped["time_to_goal"].median(),
        "progress": grouped["progress"].median(),
        "transformation": grouped["transformation"].median(),
        "spend (MU)": grouped["spend"].median(),
        "final facet": grouped["final_facet"].agg(lambda s: s.mode().iloc[0]),
    })
    table.index.name = "mission"
    return table


def format_summary(runs: pd.DataFrame, missions: pd.DataFrame) -> str:
    """A short plain-text table for the terminal."""
    table = summary_table(runs, missions)
    if table.empty:
        return "no successful runs"
    shown = table.copy()
    for share in ("achieved", "retired"):
        shown[share] = (100 * shown[share]).map("{:.0f}%".format)
    shown["transformation"] = shown["transformation"].map("{:.2f}".format)
    shown["months to goal"] = shown["months to goal"].map(lambda v: "-" if pd.isna(v) else f"{v:.0f}")
    shown["progress"] = shown["progress"].map("{:.2f}".format)
    shown["spend (MU)"] = shown["spend (MU)"].map("{:,.0f}".format)
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    lines = [shown.to_string(), ""]
    for column, label, fmt in (("mean_progress", "mean progress", "{:.2f}"),
                               ("transformation", "transformation", "{:.2f}"),
                               ("mean_engagement", "mean engagement", "{:.2f}"),
                               ("peak_burnt_out", "peak burnt-out share", "{:.1%}"),
                               ("peak_burnt_out_ministry", "  of ministries", "{:.1%}"),
                               ("peak_burnt_out_firm", "  of firms", "{:.1%}"),
                               ("peak_burnt_out_citizen", "  of citizens", "{:.1%}"),
                               ("final_legitimacy", "final legitimacy", "{:.2f}"),
                               ("final_cynicism", "final cynicism", "{:.2f}")):
        if column in ok:
            q = ok[column].quantile([0.05, 0.5, 0.95])
            lines.append(f"{label:<22} {fmt.format(q[0.5])}  (90% of runs: {fmt.format(q[0.05])} to "
                         f"{fmt.format(q[0.95])})")
    return "\n".join(lines)
