"""Each mechanism's switch changes the outcome it should, in the direction it should.

Every case runs the same setting with the mechanism on and off (same seeds:
common random numbers) and compares one outcome.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from simulation import MECHANISMS, Config, MissionModel
from simulation.core.rng import replicate_seeds
from simulation.core.rules.governance import MISSION
from simulation.inputs.params import bounds, leaf_fields, with_overrides

SEEDS = replicate_seeds(3, 3)


def series(name: str) -> Callable[[MissionModel], float]:
    def read(model: MissionModel) -> float:
        return float(model.recorder.mission_series(name).mean())
    return read


def actors(name: str, kind: int | slice = slice(0, 3)) -> Callable[[MissionModel], float]:
    def read(model: MissionModel) -> float:
        return float(np.nanmean(model.recorder.actor_series(name)[:, kind]))
    return read


def summary(name: str) -> Callable[[MissionModel], float]:
    def read(model: MissionModel) -> float:
        return float(model.summary()[name])
    return read


def non_mission_facet_share(model: MissionModel) -> float:
    return float((model.recorder.mission_series("facet") != MISSION).mean())


def total_lapsed(model: MissionModel) -> float:
    return float(model.missions.lapsed.sum())


@dataclass(frozen=True)
class Case:
    setting: dict
    outcome: Callable[[MissionModel], float]
    on_vs_off: str  # ">" : the outcome is larger with the mechanism on; "<": smaller


CASES = {
    "ambition": Case({"portfolio.mission.ambition": 1.0}, series("despair"), ">"),
    "commitment": Case({"portfolio.mission.commitment": 0.0, "portfolio.mission.leadership": 0.0},
                       summary("mean_progress"), "<"),
    "momentum": Case({"portfolio.mission.specificity": 0.0, "portfolio.mission.monitoring": 0.0},
                     summary("mean_progress"), "<"),
    "attention": Case({"portfolio.count": 8}, actors("burnt_out"), ">"),
    "resistance": Case({"resistance.vested_interest": 1.0}, summary("mean_progress"), "<"),
    "neglect": Case({"portfolio.overlap": 1.0}, summary("final_resentment"), ">"),
    "creep": Case({"creep.rate": 0.3}, summary("creep"), ">"),
    "lockin": Case({"portfolio.mission.ambition": 0.3}, summary("spend_after_purpose"), ">"),
    "ramifications": Case({"ramifications.rate": 3.0}, series("legitimacy"), "<"),
    "gap": Case({"portfolio.mission.ambition": 1.0, "funding.national.annual_budget": 10.0},
                actors("cynicism"), ">"),
    "new_voices": Case({"new_voices.inclusion": 0.0}, summary("mean_progress"), "<"),
    "silos": Case({"silos.silo_tendency": 1.0, "silos.alignment": 0.0}, summary("mean_progress"), "<"),
    "cycles": Case({}, total_lapsed, ">"),
    "facets": Case({}, non_mission_facet_share, ">"),
}


def mean_outcome(case: Case, enabled: bool) -> float:
    config = with_overrides(Config(), {**case.setting, "time.steps": 96})
    name = next(k for k, v in CASES.items() if v is case)
    config = with_overrides(config, {f"{name}.enabled": enabled})
    return float(np.mean([case.outcome(MissionModel(config, seed=s).run()) for s in SEEDS]))


def test_every_mechanism_has_a_case():
    assert set(CASES) == set(MECHANISMS)


@pytest.mark.parametrize("mechanism", list(CASES))
def test_switch_changes_the_outcome_it_should(mechanism):
    case = CASES[mechanism]
    on, off = mean_outcome(case, True), mean_outcome(case, False)
    assert (on > off) if case.on_vs_off == ">" else (on < off), f"{mechanism}: on={on:.4f} off={off:.4f}"
    assert abs(on - off) > 1e-3 * max(abs(on), abs(off), 1e-9), f"{mechanism}: effect too small to trust"


def test_leader_departure_hurts_only_when_commitment_mechanism_is_on():
    def progress(enabled: bool, leaves: int | None) -> float:
        cfg = with_overrides(Config(), {"commitment.enabled": enabled, "portfolio.mission.leader_leaves_at": leaves,
                                        "portfolio.mission.commitment": 0.1, "portfolio.mission.leadership": 1.0,
                                        "commitment.trust": 0.9, "time.steps": 96})
        return float(np.mean([MissionModel(cfg, seed=s).run().summary()["mean_progress"] for s in SEEDS]))

    assert progress(True, 12) < progress(True, None)
    assert progress(False, 12) == progress(False, None)


def test_the_money_a_trusted_leader_unlocks_leaves_with_the_leader_but_a_statute_keeps_its_own():
    def received_after(commitment: float, leaves: int | None, seed: int) -> float:
        """Money the mission received in the two years after month 12, when the leader leaves (or not)."""
        cfg = with_overrides(Config(), {"portfolio.count": 1, "portfolio.mission.commitment": commitment,
                                        "portfolio.mission.leadership": 1.0, "commitment.trust": 0.9,
                                        "portfolio.mission.leader_leaves_at": leaves, "time.steps": 36})
        got = MissionModel(cfg, seed=seed).run().recorder.mission_series("received")[:, 0]
        return float(got[35] - got[11])

    for seed in SEEDS:
        low = received_after(0.1, 12, seed) / received_after(0.1, None, seed)
        high = received_after(0.9, 12, seed) / received_after(0.9, None, seed)
        assert low < 0.7, low  # the money the leader unlocked goes with the leader (0.55 measured)
        assert high == pytest.approx(1.0, abs=0.01)  # what the statute grants stays


ACT_WHEN_OFF: dict[str, dict[str, str]] = {
    "ambition": {"stretch": "sets the meaning of the neutral ambition every actor then sees",
                 "grace": "also times funders' and the public's judgement",
                 "incremental_reach": "how work turns into change", "radical_gain": "how work turns into change",
                 "ripple": "how work turns into change"},
    "commitment": {"commitment_weight": "sets the pull of the neutral commitment",
                   "leadership_weight": "sets the pull of the neutral leader",
                   "budget_weight": "state funders release money for the neutral commitment"},
    "momentum": {"weight": "sets the pull of the neutral momentum",
                 "smoothing": "actors still see progress (for despair), at neutral visibility",
                 "noise": "actors still see progress (for despair), at neutral visibility"},
    "resistance": {"drag": "resentful ministries still resist", "erosion": "resentful ministries still resist"},
    "lockin": {"problem_hazard": "the world moves on anyway"},
    "gap": {"cynicism_weight": "actors keep their cynical disposition"},
    "new_voices": {"citizen_weight": "who can do the work", "challenger_weight": "who can do the work",
                   "challenger_insight": "who can do the work"},
}
"""Keys of a mechanism's section that still act with the mechanism off, and why (docs/ODD.md, "Switches")."""

SMALL = {"population.ministries": 10, "population.firms": 40, "population.citizens": 60, "network.degree": 4,
         "portfolio.ministries_per_mission": 3, "time.steps": 40}


def _other_value(info, value):
    _, hi = bounds(info)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1 if hi is None or value + 1 <= hi else value - 1
    if isinstance(value, float):
        return value * 0.5 + 0.5 * (hi if hi is not None and hi < 10 * max(value, 1.0) else 2 * value + 1)
    if isinstance(value, str):
        return next(c for c in ("review", "none") if c != value)
    return None


INERT_WHEN_OFF: dict[str, dict] = {
    "commitment": {"portfolio.mission.commitment": 0.2, "portfolio.mission.leadership": 0.9,
                   "portfolio.mission.leader_leaves_at": 5},
}
"""Keys outside a mechanism's section that only it reads: with it off they must not act either."""

ALL_ACT_WHEN_OFF = {"momentum"}
"""Mechanisms whose every parameter still acts when off (tested by the neutral-momentum test below)."""


def test_only_the_listed_mechanisms_have_no_inert_parameter():
    config = Config()
    empty = {name for name in MECHANISMS
             if not [k for k, _, _ in leaf_fields(getattr(config, name), f"{name}.")
                     if k.split(".")[-1] not in {"enabled", *ACT_WHEN_OFF.get(name, {})}]}
    assert empty == ALL_ACT_WHEN_OFF


@pytest.mark.parametrize("mechanism", [m for m in MECHANISMS if m not in ALL_ACT_WHEN_OFF])
def test_off_means_neutral_its_parameters_no_longer_act(mechanism):
    """With a mechanism off, changing any parameter of its section changes nothing, except the
    parameters listed (with why) in ACT_WHEN_OFF."""
    base = with_overrides(Config(), {**SMALL, "portfolio.mission.leader_leaves_at": 20, f"{mechanism}.enabled": False})
    reference = MissionModel(base, seed=SEEDS[0]).run()
    section = getattr(base, mechanism)
    inert = [(key, info, value) for key, info, value in leaf_fields(section, f"{mechanism}.")
             if key.split(".")[-1] not in {"enabled", *ACT_WHEN_OFF.get(mechanism, {})}]
    for key, changed in INERT_WHEN_OFF.get(mechanism, {}).items():
        model = MissionModel(with_overrides(base, {key: changed}), seed=SEEDS[0]).run()
        assert model.summary() == reference.summary(), f"{key} acts with {mechanism} off"
    for key, info, value in inert:
        changed = _other_value(info, value)
        model = MissionModel(with_overrides(base, {key: changed}), seed=SEEDS[0]).run()
        assert model.summary() == reference.summary(), f"{key} acts with {mechanism} off ({value} -> {changed})"


def test_momentum_off_holds_every_live_mission_at_neutral_momentum():
    cfg = with_overrides(Config(), {"momentum.enabled": False, "portfolio.mission.leader_leaves_at": 12,
                                    "time.steps": 48})
    model = MissionModel(cfg, seed=SEEDS[0]).run()
    frame = model.mission_frame()
    live = frame["status"].isin(["active", "locked_in"])
    assert live.sum() > 100 and (frame.loc[live, "momentum"] == 0.5).all()


def test_resistance_off_stops_lobbying_but_resentment_still_resists():
    def run(resistance: bool, neglect: bool) -> MissionModel:
        cfg = with_overrides(Config(), {"resistance.enabled": resistance, "neglect.enabled": neglect,
                                        "portfolio.overlap": 1.0, "time.steps": 96})
        return MissionModel(cfg, seed=SEEDS[0]).run()

    resentful, neither = run(False, True), run(False, False)
    assert not resentful.actors.lobbying.any()
    assert resentful.summary()["mean_resistance"] > 0 and neither.summary()["mean_resistance"] == 0
    assert resentful.summary()["progress_auc"] < neither.summary()["progress_auc"]
    assert resentful.summary()["mean_resistance"] < run(True, True).summary()["mean_resistance"]
