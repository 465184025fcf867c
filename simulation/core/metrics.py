"""Named metrics: what is recorded each step and what summarises a run.

Metrics are module-level functions or attribute readers (never lambdas) so
models pickle for parallel runs and every metric has a name, a unit and a
description that docs and plots can show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from simulation.core.rules.axes import sum_missions
from simulation.core.rules.governance import FACETS, Status
from simulation.core.state import ACTOR_KINDS, Actors, Funders, Missions

if TYPE_CHECKING:
    from simulation.core.model import MissionModel


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    description: str
    read: Callable


MISSION_METRICS: tuple[Metric, ...] = (
    Metric("progress", "share", "Work done over the (possibly crept) goal", attrgetter("share")),
    Metric("transformation", "share of a radical goal",
           "Change away from the status quo, including the ripple of radical solutions beyond the aim",
           attrgetter("transformation")),
    Metric("engagement", "share", "Share of the most time exposed actors could work that they give the mission",
           attrgetter("engagement")),
    Metric("radical_share", "share", "Share of the mission's work put into radical solutions", attrgetter("radical_share")),
    Metric("work_done", "work units", "Cumulative work done", attrgetter("work_done")),
    Metric("work_needed", "work units", "Work the goal needs, including crept extras", attrgetter("work_needed")),
    Metric("momentum", "share", "Smoothed sense of keeping up with the needed pace", attrgetter("momentum")),
    Metric("commitment", "share", "Formal political commitment", attrgetter("commitment")),
    Metric("legitimacy", "share", "Mean citizen support (social licence)", attrgetter("legitimacy")),
    Metric("resistance", "share", "Lobbying by vested interests plus resentment turned against it", attrgetter("resistance")),
    Metric("despair", "share", "Share of remaining work the current pace leaves undone", attrgetter("despair")),
    Metric("credibility", "share", "Resources relative to what the ambition needs (smoothed)", attrgetter("credibility")),
    Metric("effort", "index", "Effort index: each group's time on the mission over its exposed capacity, weighted "
           "by the group's share of the work (can exceed 1 with overtime)", attrgetter("effort")),
    Metric("pace", "work units per month", "Work done this month", attrgetter("pace")),
    Metric("side_effects", "share", "Stock of unintended consequences", attrgetter("side_effects")),
    Metric("spend", "MU per month", "Money spent this month", attrgetter("spent_now")),
    Metric("received", "MU", "Cumulative money received from funders", attrgetter("received")),
    Metric("treasury", "MU", "Money held, unspent", attrgetter("treasury")),
    Metric("creep", "goals", "Extra goals added under the mission's umbrella", attrgetter("creep")),
    Metric("facet", "code", "Facet: " + ", ".join(f"{i} {f}" for i, f in enumerate(FACETS)), attrgetter("facet")),
    Metric("status", "code", "Status: " + ", ".join(f"{s.value} {s.name.lower()}" for s in Status), attrgetter("status")),
)
"""Recorded for each mission at every step."""


def per_actor_engagement(actors: Actors) -> np.ndarray:
    """Share of each actor's working time given to missions, in [0, 1]."""
    missions = sum_missions(actors.engagement)
    working = missions + actors.own_work
    return np.divide(missions, working, out=np.zeros_like(working), where=working > 0)


ACTOR_METRICS: tuple[str, ...] = ("engagement", "fatigue", "burnt_out", "resentment", "cynicism")
ACTOR_TYPES: tuple[str, ...] = (*ACTOR_KINDS, "funder")


def actor_table(actors: Actors, funders: Funders, live: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Actor-type means (types x ACTOR_METRICS), written into ``out`` if given; not-applicable cells are NaN.

    Each kind is a contiguous block of rows (``Actors.kinds``), so one sum per kind and metric over its rows gives
    its means (the same pairwise sums, so the same bits, as the mean of each column's rows), with no stacked copy."""
    columns = (per_actor_engagement(actors), actors.fatigue, actors.burnt_out, actors.resentment, actors.cynicism)
    out = np.full((*columns[0].shape[:-1], len(ACTOR_TYPES), len(ACTOR_METRICS)), np.nan) if out is None else out
    out[:] = np.nan
    for k, rows in enumerate(actors.kinds):
        if rows.stop > rows.start:
            for j, column in enumerate(columns):
                out[..., k, j] = column[..., rows].sum(axis=-1) / (rows.stop - rows.start)
    if funders.kind.size:
        out[..., -1, 0] = (funders.allocation * live[..., None, :]).sum(axis=-1).mean(axis=-1)
    return out


# ------------------------------------------------------------- portfolio series
def mean_progress(model: MissionModel) -> float:
    return float(model.missions.share.mean())


def burnt_out_share(model: MissionModel) -> float:
    return float(model.actors.burnt_out.mean())


def mean_legitimacy(model: MissionModel) -> float:
    return float(model.missions.legitimacy.mean())


def mean_resistance(model: MissionModel) -> float:
    return float(model.missions.resistance.mean())


def mean_cynicism(model: MissionModel) -> float:
    return float(model.actors.cynicism.mean())


def monthly_spend(model: MissionModel) -> float:
    return float(model.missions.spent_now.sum())


MODEL_REPORTERS: dict[str, Callable] = {
    "mean_progress": mean_progress,
    "burnt_out": burnt_out_share,
    "legitimacy": mean_legitimacy,
    "resistance": mean_resistance,
    "cynicism": mean_cynicism,
    "spend": monthly_spend,
}
"""Portfolio-level series for Mesa's DataCollector (and SolaraViz plots), named as the Parquet columns."""


# ------------------------------------------------------------- summaries
def mission_summary(missions: Missions, facet_months: np.ndarray) -> list[dict]:
    """One record per mission at the end of a run."""
    rows = []
    for m, name in enumerate(missions.names):
        achieved = bool(missions.achieved[m])
        rows.append({
            "mission": m,
            "mission_name": name,
            "achieved": achieved,
            "time_to_goal": float(missions.achieved_at[m]) if achieved else np.nan,
            "progress": float(missions.share[m]),
            "transformation": float(missions.transformation[m]),
            "retired": bool(missions.retired[m]),
            "status": Status(int(missions.status[m])).name.lower(),
            "final_facet": FACETS[int(missions.facet[m])],
            "spend": float(missions.spent[m]),
            "spend_after_purpose": float(missions.spent_after_purpose[m]),
            "creep": int(missions.creep[m]),
            **{f"months_{f}": int(facet_months[m, i]) for i, f in enumerate(FACETS)},
        })
    return rows


OUTCOMES: tuple[str, ...] = (
    "missions", "achieved", "achieved_share", "retired_share", "failed_share", "all_achieved", "mean_time_to_goal",
    "mean_progress", "progress_auc", "transformation", "mean_engagement", "mean_momentum", "mean_legitimacy",
    "mean_resistance", "total_progress", "peak_burnt_out", *(f"peak_burnt_out_{k}" for k in ACTOR_KINDS),
    "final_burnt_out", "spend", "spend_after_purpose", "paid_by_funders", "unpaid_budget", "final_legitimacy",
    "peak_resistance", "final_cynicism", "mean_cynicism", "final_resentment", "mean_resentment", "creep",
)
"""Names of the run outcomes, as in :func:`run_summary` (experiments refer to them)."""


def run_summary(model: MissionModel) -> dict:
    """Portfolio outcomes of a finished run (one row of runs.parquet)."""
    m, a = model.missions, model.actors
    series = model.recorder
    achieved, retired = m.achieved, m.retired
    burnt = series.actor_series("burnt_out")[:, :len(ACTOR_KINDS)]
    counts = np.array([(a.kind == k).sum() for k in range(len(ACTOR_KINDS))], dtype=float)
    engaged = series.mission_series("engagement")
    pursuing = (series.mission_series("status") == Status.ACTIVE) & (series.mission_series("progress") < 1.0)
    return {
        "missions": m.count,
        "achieved": int(achieved.sum()),
        "achieved_share": float(achieved.mean()),
        "retired_share": float(retired.mean()),
        "failed_share": float((~achieved & ~retired).mean()),
        "all_achieved": bool(achieved.all()),
        "mean_time_to_goal": float(m.achieved_at[achieved].mean()) if achieved.any() else np.nan,
        "mean_progress": float(m.share.mean()),
        "progress_auc": float(series.mission_series("progress").mean()),
        "transformation": float(m.transformation.sum()),
        "mean_engagement": float(engaged[1:][pursuing[1:]].mean()) if pursuing[1:].any() else 0.0,
        "mean_momentum": float(series.mission_series("momentum").mean()),
        "mean_legitimacy": float(series.mission_series("legitimacy").mean()),
        "mean_resistance": float(series.mission_series("resistance").mean()),
        "total_progress": float(m.share.sum()),
        "peak_burnt_out": float(np.nanmax(burnt @ counts / counts.sum())),
        **{f"peak_burnt_out_{k}": float(np.nanmax(burnt[:, i])) if counts[i] else 0.0
           for i, k in enumerate(ACTOR_KINDS)},
        "final_burnt_out": float(a.burnt_out.mean()),
        "spend": float(m.spent.sum()),
        "spend_after_purpose": float(m.spent_after_purpose.sum()),
        "paid_by_funders": float(model.funders.paid.sum()),
        "unpaid_budget": float((model.funders.unpaid + model.funders.budget_left).sum()),
        "final_legitimacy": float(m.legitimacy.mean()),
        "peak_resistance": float(series.mission_series("resistance").max()),
        "final_cynicism": float(a.cynicism.mean()),
        "mean_cynicism": float(np.nanmean(series.actor_series("cynicism")[:, :len(ACTOR_KINDS)] @ counts / counts.sum())),
        "final_resentment": float(a.resentment[a.ministries].mean()),
        "mean_resentment": float(series.actor_series("resentment")[:, 0].mean()),
        "creep": int(m.creep.sum()),
    }
