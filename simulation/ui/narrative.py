"""Plain-language lines about what just happened, for a class watching the model run.

:func:`snapshot` reads what matters for the story from a model; :func:`events`
compares two snapshots, taken before and after a step, and says what changed:
elections, goals reached, lock-in, reviews, facet changes, momentum gained or
lost, burn-out, resistance, support and cynicism. Both are pure functions of
their inputs, so they are tested without a browser.

Levels that wander (momentum, burn-out, resistance ...) have two thresholds,
one to enter a state and a lower one to leave it, so a value hovering at a
threshold does not fill the narrative with back-and-forth lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simulation.params import ReviewRule
from simulation.rules.governance import ADAPTIVE, ANTICIPATORY, ENHANCEMENT, MISSION, Status

if TYPE_CHECKING:
    from simulation.model import MissionModel

# (enter, leave) thresholds of the tracked levels
STRONG_MOMENTUM = (0.6, 0.5)
STALLED_MOMENTUM = (0.2, 0.3)
RESISTANCE = (0.15, 0.10)
LOW_SUPPORT = (0.3, 0.35)
CYNICISM = (0.2, 0.15)
RESENTMENT = (0.2, 0.15)
BURNOUT = (0.05, 0.03)
COMMITMENT_SHIFT = 0.02  # an election shift smaller than this is "commitment holds"


@dataclass(frozen=True)
class Event:
    """One notable thing that happened in a month."""

    month: int
    kind: str  # election, goal, lock-in, ended, review, facet, momentum, burn-out, resistance, support, ...
    text: str

    @property
    def line(self) -> str:
        return f"step {self.month}: {self.text}"


@dataclass(frozen=True)
class Snapshot:
    """What the narrative follows, at the end of one month."""

    month: int
    last_month: int
    names: tuple[str, ...]
    status: np.ndarray
    facet: np.ndarray
    achieved: np.ndarray
    problem_gone: np.ndarray
    commitment: np.ndarray
    leader_present: np.ndarray
    creep: np.ndarray
    momentum: np.ndarray
    legitimacy: np.ndarray
    resistance: np.ndarray
    burnt_out: float  # share of all actors
    cynicism: float  # mean over all actors
    resentment: float  # mean over ministries
    election: bool  # an election was held this month
    review: str  # "review", "sunset" or "" (this month)
    # hysteresis states
    strong: np.ndarray  # momentum strong
    stalled: np.ndarray  # momentum stalled
    resisted: np.ndarray
    unsupported: np.ndarray
    cynical: bool
    resentful: bool
    burning_out: bool


def mission_names(model: MissionModel) -> list[str]:
    """The missions' names, made unique where a scenario repeats one (charts and lines tell them apart)."""
    out: list[str] = []
    for i, name in enumerate(model.missions.names):
        out.append(f"{name} ({i + 1})" if name in out else name)
    return out


def _level(value, previous, enter_leave, above=True):
    """True where ``value`` has entered a state (past ``enter``) and not yet left it (back past ``leave``)."""
    enter, leave = enter_leave
    if above:
        return (value >= enter) | (previous & (value > leave))
    return (value <= enter) | (previous & (value < leave))


def snapshot(model: MissionModel, previous: Snapshot | None = None) -> Snapshot:
    """The model's state as the narrative sees it; levels continue from ``previous``."""
    c, m, a = model.config, model.missions, model.actors
    n, month = m.count, model.month

    def prev(attr: str, default):
        return default if previous is None else getattr(previous, attr)

    false = np.zeros(n, dtype=bool)
    review = ""
    lk = c.lockin
    if lk.enabled and lk.rule is ReviewRule.REVIEW and month >= lk.first_review \
            and (month - lk.first_review) % lk.review_interval == 0:
        review = "review"
    elif lk.enabled and lk.rule is ReviewRule.SUNSET and month == lk.first_review:
        review = "sunset"
    legitimacy = m.legitimacy.copy()
    cynicism = float(a.cynicism.mean())
    resentment = float(a.resentment[a.ministries].mean())
    burnt = float(a.burnt_out.mean())
    started = month > 0  # month 0 has no opinion yet: support and levels start neutral
    return Snapshot(
        month=month, last_month=c.time.steps, names=tuple(mission_names(model)), status=m.status.copy(),
        facet=m.facet.copy(), achieved=m.achieved.copy(), problem_gone=m.problem_gone.copy(),
        commitment=m.commitment.copy(), leader_present=m.leader_present.copy(), creep=m.creep.copy(),
        momentum=m.momentum.copy(), legitimacy=legitimacy, resistance=m.resistance.copy(),
        burnt_out=burnt, cynicism=cynicism, resentment=resentment,
        election=bool(c.cycles.enabled and month > 0 and month % c.cycles.election_interval == 0),
        review=review,
        strong=_level(m.momentum, prev("strong", false), STRONG_MOMENTUM),
        stalled=_level(m.momentum, prev("stalled", false), STALLED_MOMENTUM, above=False) & started,
        resisted=_level(m.resistance, prev("resisted", false), RESISTANCE),
        unsupported=_level(legitimacy, prev("unsupported", false), LOW_SUPPORT, above=False) & started,
        cynical=bool(_level(cynicism, prev("cynical", False), CYNICISM)),
        resentful=bool(_level(resentment, prev("resentful", False), RESENTMENT)),
        burning_out=bool(_level(burnt, prev("burning_out", False), BURNOUT)),
    )


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


FACET_TEXT = {
    MISSION: "{} is back on course towards its goal",
    ENHANCEMENT: "{} moves into enhancement: most of the work is done, attention shifts from why to how",
    ADAPTIVE: "{} turns adaptive: its framing no longer fits reality, so it rethinks its approach",
    ANTICIPATORY: "{} turns anticipatory: side effects make the way ahead uncertain",
}


def events(before: Snapshot, after: Snapshot) -> list[Event]:
    """Plain-language events between two snapshots of the same model, in reading order."""
    out: list[tuple[str, str]] = []

    def say(kind: str, text: str) -> None:
        out.append((kind, text))

    names = after.names
    live_before = (before.status == Status.ACTIVE) | (before.status == Status.LOCKED_IN)
    pursuing = after.status == Status.ACTIVE

    # elections
    if after.election:
        shifted = [(names[i], before.commitment[i], after.commitment[i]) for i in range(len(names))
                   if abs(after.commitment[i] - before.commitment[i]) >= COMMITMENT_SHIFT and live_before[i]]
        if shifted:
            detail = "; ".join(f"commitment to {n} {'rises' if a > b else 'drops'} ({b:.2f} → {a:.2f})"
                               for n, b, a in shifted)
            say("election", f"election — a new government: {detail}")
        else:
            say("election", "election — commitment to the missions holds")

    for i, name in enumerate(names):
        if before.leader_present[i] > 0 and after.leader_present[i] == 0:
            say("leader", f"the leader of {name} leaves; engagement and momentum suffer")
        # goals, lock-in and endings
        newly_achieved = after.achieved[i] and not before.achieved[i]
        newly_gone = after.problem_gone[i] and not before.problem_gone[i] and not after.achieved[i]
        was, now = Status(int(before.status[i])), Status(int(after.status[i]))
        if newly_achieved:
            if now is Status.LOCKED_IN:
                say("lock-in", f"{name} reached its goal but funding continues: lock-in")
            elif now is Status.ACHIEVED:
                say("goal", f"{name} reached its goal; the mission ends and its funding stops")
        elif newly_gone:
            if now is Status.LOCKED_IN:
                say("lock-in", f"the problem behind {name} went away, but funding continues: lock-in")
            else:
                say("ended", f"the problem behind {name} went away; the mission is retired")
        elif was is not now and now in (Status.ACHIEVED, Status.RETIRED, Status.ABANDONED):
            say(*_ending(name, was, now, after.review))
        # facets (only for missions still live, where the facet means something)
        if after.facet[i] != before.facet[i] and live_before[i] and now in (Status.ACTIVE, Status.LOCKED_IN):
            say("facet", FACET_TEXT[int(after.facet[i])].format(name))
        if after.creep[i] > before.creep[i]:
            say("creep", f"{name} takes on an extra goal (mission creep): more work, less focus")
        if not pursuing[i]:
            continue
        # momentum, resistance, support
        if after.strong[i] and not before.strong[i]:
            say("momentum", f"{name} gains momentum: visible progress draws people in")
        if after.stalled[i] and not before.stalled[i] and before.month > 1:
            say("stall", f"{name} stalls: momentum is lost ({after.momentum[i]:.2f})")
        if after.resisted[i] and not before.resisted[i]:
            say("resistance", f"vested interests push back against {name} (resistance {after.resistance[i]:.2f})")
        if after.unsupported[i] and not before.unsupported[i]:
            say("support", f"public support for {name} falls to {_pct(after.legitimacy[i])}")
        elif before.unsupported[i] and not after.unsupported[i]:
            say("support", f"public support for {name} recovers to {_pct(after.legitimacy[i])}")

    # the ecosystem as a whole
    if after.burning_out and not before.burning_out:
        say("burn-out", f"burn-out spreads: {_pct(after.burnt_out)} of all actors are burnt out")
    elif before.burning_out and not after.burning_out:
        say("burn-out", f"burn-out eases: {_pct(after.burnt_out)} of actors are burnt out")
    if after.resentful and not before.resentful:
        say("resentment", "ministries left out of the missions grow resentful and start to resist")
    if after.cynical and not before.cynical:
        say("cynicism", f"cynicism grows: promises outrun the money ({_pct(after.cynicism)} cynical on average)")
    elif before.cynical and not after.cynical:
        say("cynicism", "cynicism fades as resources catch up with promises")

    if after.month == after.last_month and before.month < after.last_month:
        done = int(after.achieved.sum())
        say("end", f"the run ends: {done} of {len(names)} missions reached their goal")
    return [Event(after.month, kind, text) for kind, text in out]


def _ending(name: str, was: Status, now: Status, review: str) -> tuple[str, str]:
    """The line for a mission that ends for a reason other than reaching its goal this month."""
    if was is Status.LOCKED_IN:
        why = {"review": "a review ends the lock-in of", "sunset": "the sunset clause ends the lock-in of"}
        if review:
            return "review", f"{why[review]} {name}: its funding stops"
        return "ended", f"funding for {name} finally winds down: the lock-in is over"
    if review == "sunset":
        return "review", f"the sunset clause ends {name} before it reached its goal"
    if review == "review":
        return "review", f"a review finds {name} off track and stops it"
    return "ended", f"{name} ends ({now.name.lower()})"
