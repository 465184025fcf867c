"""Plain-language lines about what happens in a run, for a class watching it month by month.

:func:`snapshot` reads what the story follows from a model; a :class:`Narrator`
takes one snapshot a month and says what changed. It keeps state so that the
lines read as one story rather than a log:

- a state has two thresholds (one to enter, a lower one to leave) and must
  hold for a few months before it is told, so a value that wanders around a
  threshold, or a facet that flips for a month, is not told each time;
- what starts is paired with what ends: a stall with its recovery, a wave of
  burn-out or resistance with its easing, and each wave's peak is told once,
  with the actor types behind it (or at the end of the run, if still on);
- milestones (goals reached, lock-in, missions ended or retired, leaders
  leaving, the end) are marked so the page can keep them in view;
- a mission whose problem went away is explained (the world moved on, with
  the scenario's monthly chance of it), and missions go by short labels.

Everything here is a pure function of snapshots, so it is tested without a
browser or a model run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from simulation.core.rules.governance import ADAPTIVE, ANTICIPATORY, ENHANCEMENT, FACETS, MISSION, Status
from simulation.core.state import ACTOR_KINDS
from simulation.inputs.params import ReviewRule

if TYPE_CHECKING:
    from simulation.core.model import MissionModel

# (enter, leave) thresholds of the followed levels
STRONG_MOMENTUM = (0.6, 0.45)
STALLED_MOMENTUM = (0.2, 0.35)
RESISTANCE = (0.15, 0.10)  # a mission's resistance
LOW_SUPPORT = (0.3, 0.38)
CYNICISM = (0.2, 0.15)
RESENTMENT = (0.2, 0.15)
BURNOUT = (0.10, 0.06)  # burnt-out share of the hardest-hit actor type (citizens, most actors, rarely burn out)
DWELL = 3  # months a new state of momentum, support or mood must hold before it is told
FACET_DWELL = 6  # months a new facet must hold before it is told
SPREADING = 2.0  # burn-out is told again when it has doubled since last told
COMMITMENT_SHIFT = 0.02  # an election shift smaller than this is "commitment holds"
LABEL_CHARS = 26  # the longest short label of a mission

PLURALS = {"ministry": "ministries", "firm": "firms", "citizen": "citizens"}
STOP_WORDS = {"a", "an", "the", "of", "to", "and", "for", "in", "on", "by", "our", "with", "where"}


@dataclass(frozen=True)
class Event:
    """One notable thing that happened in a month."""

    month: int
    kind: str  # election, leader, goal, lock-in, ended, review, facet, creep, momentum, stall, ...
    text: str
    milestone: bool = False  # the page keeps milestones in view

    @property
    def line(self) -> str:
        return f"Month {self.month}: {self.text}"


MILESTONES = ("leader", "goal", "lock-in", "ended", "review", "end")


@dataclass(frozen=True)
class Snapshot:
    """What the narrative follows, at the end of one month."""

    month: int
    last_month: int
    labels: tuple[str, ...]
    status: np.ndarray
    facet: np.ndarray
    achieved: np.ndarray
    problem_gone: np.ndarray
    share: np.ndarray  # progress towards each goal
    commitment: np.ndarray
    leader_present: np.ndarray
    creep: np.ndarray
    momentum: np.ndarray
    legitimacy: np.ndarray
    resistance: np.ndarray
    burnt_out: float  # share of all actors
    burnt_by_type: dict[str, float]  # share of each actor type (plural name)
    cynicism: float  # mean over all actors
    resentment: float  # mean over ministries
    election: bool  # an election was held this month
    review: str  # "review", "sunset" or "" (this month)
    problem_hazard: float  # monthly chance that a mission's problem goes away
    grace: int  # months before actors judge whether a mission keeps pace (no stall is told before)


def mission_names(model) -> list[str]:
    """The missions' names, made unique where a scenario repeats one (charts and lines tell them apart)."""
    out: list[str] = []
    for i, name in enumerate(model.missions.names):
        out.append(f"{name} ({i + 1})" if name in out else name)
    return out


def short_label(name: str) -> str:
    """A mission's name cut to a few words for lines and legends: up to a clause break
    (comma, colon, dash, bracket, " and ", " by "), then to whole words within LABEL_CHARS."""
    head = re.split(r",|:| - | \(| and | by ", name, maxsplit=1)[0].strip() or name
    if len(head) <= LABEL_CHARS:
        return head
    words: list[str] = []
    for word in head.split():
        if len(" ".join([*words, word])) > LABEL_CHARS:
            break
        words.append(word)
    while len(words) > 1 and words[-1].lower() in STOP_WORDS:
        words.pop()
    return " ".join(words) or head[:LABEL_CHARS]


def mission_labels(model) -> list[str]:
    """Short labels of the missions, unique (the full name where two labels would coincide)."""
    names = mission_names(model)
    labels = [short_label(name) for name in names]
    return [label if labels.count(label) == 1 else name for label, name in zip(labels, names, strict=True)]


def snapshot(model: MissionModel) -> Snapshot:
    """The model's state as the narrative sees it."""
    c, m, a = model.config, model.missions, model.actors
    month = model.month
    lk = c.lockin
    review = ""
    if lk.enabled and lk.rule is ReviewRule.REVIEW and month >= lk.first_review \
            and (month - lk.first_review) % lk.review_interval == 0:
        review = "review"
    elif lk.enabled and lk.rule is ReviewRule.SUNSET and month == lk.first_review:
        review = "sunset"
    by_type = {PLURALS[kind]: float(a.burnt_out[a.kind == k].mean()) for k, kind in enumerate(ACTOR_KINDS)
               if (a.kind == k).any()}
    return Snapshot(
        month=month, last_month=c.time.steps, labels=tuple(mission_labels(model)), status=m.status.copy(),
        facet=m.facet.copy(), achieved=m.achieved.copy(), problem_gone=m.problem_gone.copy(), share=m.share.copy(),
        commitment=m.commitment.copy(), leader_present=m.leader_present.copy(), creep=m.creep.copy(),
        momentum=m.momentum.copy(), legitimacy=m.legitimacy.copy(), resistance=m.resistance.copy(),
        burnt_out=float(a.burnt_out.mean()), burnt_by_type=by_type, cynicism=float(a.cynicism.mean()),
        resentment=float(a.resentment[a.ministries].mean()),
        election=bool(c.cycles.enabled and month > 0 and month % c.cycles.election_interval == 0),
        review=review, problem_hazard=lk.problem_hazard, grace=c.ambition.grace,
    )


class Level:
    """States that start once a value is past ``enter`` for ``dwell`` months running and stop once it is
    back past ``leave`` for as long (one state per mission, or a single one)."""

    def __init__(self, size: int, thresholds: tuple[float, float], *, above: bool = True, dwell: int = 1) -> None:
        self.enter, self.leave = thresholds
        self.above, self.dwell = above, dwell
        self.on = np.zeros(size, dtype=bool)
        self.streak = np.zeros(size, dtype=int)
        self.since = np.zeros(size, dtype=int)  # month the current state started

    def update(self, value, month: int, where=True) -> tuple[np.ndarray, np.ndarray]:
        """(started, stopped) this month; only where ``where`` holds (elsewhere the state is left as it is)."""
        value = np.atleast_1d(np.asarray(value, dtype=float))
        if self.above:
            toward = np.where(self.on, value < self.leave, value >= self.enter)
        else:
            toward = np.where(self.on, value > self.leave, value <= self.enter)
        self.streak = np.where(toward & where, self.streak + 1, 0)
        flip = self.streak >= self.dwell
        self.on ^= flip
        self.since[flip] = month - self.dwell + 1
        self.streak[flip] = 0
        return flip & self.on, flip & ~self.on


@dataclass
class Wave:
    """A portfolio-wide level while it is on: its peak so far and what to say about it."""

    peak: float = -np.inf
    month: int = 0
    detail: str = ""
    told: float = 0.0  # the level last told (burn-out is told again when it doubles)

    def record(self, value: float, month: int, detail: str) -> None:
        if value > self.peak:
            self.peak, self.month, self.detail = value, month, detail


def _pct(x: float) -> str:
    return "under 1%" if 0 < x < 0.005 else f"{100 * x:.0f}%"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


FACET_TEXT = {
    MISSION: "{} returns to its mission facet: the goal as framed fits again",
    ENHANCEMENT: "{} moves into enhancement: most of the work is done, attention shifts from why to how",
    ADAPTIVE: "{} turns adaptive: its framing no longer fits reality, so it rethinks its approach",
    ANTICIPATORY: "{} turns anticipatory: side effects make the way ahead uncertain",
}
"""What each facet means when a mission enters it (keys are indices into FACETS)."""


def facet_text(facet: int, label: str) -> str:
    return FACET_TEXT.get(facet, "{} moves into its " + FACETS[facet] + " facet").format(label)


@dataclass
class Narrator:
    """Follows one run's snapshots and tells what changed, as :class:`Event` lines."""

    first: Snapshot
    previous: Snapshot = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.first.labels)
        self.previous = self.first
        self.strong = Level(n, STRONG_MOMENTUM, dwell=DWELL)
        self.stalled = Level(n, STALLED_MOMENTUM, above=False, dwell=DWELL)
        self.resisted = Level(n, RESISTANCE)
        self.unsupported = Level(n, LOW_SUPPORT, above=False, dwell=DWELL)
        self.cynical = Level(1, CYNICISM, dwell=DWELL)
        self.resentful = Level(1, RESENTMENT, dwell=DWELL)
        self.burning = Level(1, BURNOUT)
        self.burnout, self.resistance = Wave(), Wave()
        self.resistance_on = False
        self.facet_told = self.first.facet.astype(int).copy()
        self.facet_seen = self.first.facet.astype(int).copy()
        self.facet_streak = np.zeros(n, dtype=int)
        self.stall_start = np.zeros(n, dtype=int)

    def observe(self, now: Snapshot) -> list[Event]:
        """The events of the month that ``now`` closes, in reading order."""
        before, self.previous = self.previous, now
        out: list[tuple[str, str]] = []
        self._politics(before, now, out)
        self._missions(before, now, out)
        self._ecosystem(now, out)
        if now.month == now.last_month and before.month < now.last_month:
            self._end(now, out)
        return [Event(now.month, kind, text, kind in MILESTONES) for kind, text in out]

    # ------------------------------------------------------------------ the parts of a month's story
    def _politics(self, before: Snapshot, now: Snapshot, out: list) -> None:
        if not now.election:
            return
        live = (before.status == Status.ACTIVE) | (before.status == Status.LOCKED_IN)
        shift = now.commitment - before.commitment
        up = [f"{now.labels[i]} ({before.commitment[i]:.2f} → {now.commitment[i]:.2f})"
              for i in np.flatnonzero(live & (shift >= COMMITMENT_SHIFT))]
        down = [f"{now.labels[i]} ({before.commitment[i]:.2f} → {now.commitment[i]:.2f})"
                for i in np.flatnonzero(live & (shift <= -COMMITMENT_SHIFT))]
        if not up and not down:
            out.append(("election", "an election; commitment to the missions holds"))
            return
        parts = ([f"rises for {_join(up)}"] if up else []) + ([f"falls for {_join(down)}"] if down else [])
        out.append(("election", "an election brings a new government: commitment " + ", and ".join(parts)))

    def _missions(self, before: Snapshot, now: Snapshot, out: list) -> None:
        labels, month = now.labels, now.month
        pursuing = now.status == Status.ACTIVE
        live = pursuing | (now.status == Status.LOCKED_IN)
        for i, label in enumerate(labels):
            if before.leader_present[i] > 0 and now.leader_present[i] == 0:
                out.append(("leader", f"the leader of {label} leaves; engagement and momentum suffer"))
            self._status(i, before, now, out)
            if now.creep[i] > before.creep[i]:
                out.append(("creep", f"{label} takes on an extra goal (mission creep): more work, less focus"))
        # facets: told once a new one has held for FACET_DWELL months, while the mission is live
        facet = now.facet.astype(int)
        self.facet_streak = np.where(facet == self.facet_seen, self.facet_streak + 1, 1)
        self.facet_seen = facet
        for i in np.flatnonzero(live & (self.facet_streak >= FACET_DWELL) & (facet != self.facet_told)):
            self.facet_told[i] = facet[i]
            out.append(("facet", f"{facet_text(int(facet[i]), labels[i])} (since month {month - FACET_DWELL + 1})"))
        gained, lost = self.strong.update(now.momentum, month, where=pursuing)
        stalled, recovered = self.stalled.update(now.momentum, month, where=pursuing & (month > now.grace))
        self._grouped(out, "momentum", gained, labels, "{} gains momentum: visible progress draws people in",
                      "{} gain momentum: visible progress draws people in")
        self._each(out, "momentum", lost, lambda i: f"{labels[i]} loses its momentum ({now.momentum[i]:.2f})")
        self._each(out, "stall", stalled,
                   lambda i: f"{labels[i]} stalls: progress is too slow to keep people going "
                             f"(momentum {now.momentum[i]:.2f})")
        self._each(out, "recovery", recovered,
                   lambda i: f"{labels[i]} picks up again after stalling since month {self.stall_start[i]} "
                             f"(momentum {now.momentum[i]:.2f})")
        self.stall_start = np.where(stalled, self.stalled.since, self.stall_start)
        resisted, _ = self.resisted.update(now.resistance, month, where=live)
        self.resisted.on &= live  # an ended mission meets no more resistance
        if resisted.any():
            names = [labels[i] for i in np.flatnonzero(resisted)]
            out.append(("resistance", f"vested interests push back against {_join(names)} "
                                      f"(resistance {now.resistance[resisted].max():.2f})"))
        fell, rose = self.unsupported.update(now.legitimacy, month, where=pursuing & (month > 1))
        self._each(out, "support", fell, lambda i: f"public support for {labels[i]} falls to {_pct(now.legitimacy[i])}")
        self._each(out, "support", rose,
                   lambda i: f"public support for {labels[i]} recovers to {_pct(now.legitimacy[i])}")

    def _status(self, i: int, before: Snapshot, now: Snapshot, out: list) -> None:
        label = now.labels[i]
        was, status = Status(int(before.status[i])), Status(int(now.status[i]))
        if now.achieved[i] and not before.achieved[i]:
            if status is Status.LOCKED_IN:
                out.append(("lock-in", f"{label} reaches its goal, but funding goes on: lock-in"))
            elif status is Status.ACHIEVED:
                out.append(("goal", f"{label} reaches its goal; the mission ends and its funding stops"))
        elif now.problem_gone[i] and not before.problem_gone[i] and not now.achieved[i]:
            why = (f"the world moves on: the problem behind {label} goes away (a {100 * now.problem_hazard:.1f}% "
                   f"chance each month), with the mission at {_pct(now.share[i])} of its goal")
            if status is Status.LOCKED_IN:
                out.append(("lock-in", f"{why}; funding goes on for a purpose that is gone: lock-in"))
            else:
                out.append(("ended", f"{why}; with its purpose gone, the mission is retired"))
        elif was is not status and status not in (Status.ACTIVE, Status.LOCKED_IN):
            out.append(_ending(label, was, status, now.review))

    def _ecosystem(self, now: Snapshot, out: list) -> None:
        month = now.month
        worst = max(now.burnt_by_type, key=now.burnt_by_type.get) if now.burnt_by_type else ""
        hardest = f"{_pct(now.burnt_by_type[worst])} of {worst}" if worst else ""
        level = now.burnt_by_type[worst] if worst else now.burnt_out
        started, stopped = self.burning.update(level, month)
        if self.burning.on[0] or stopped[0]:
            self.burnout.record(level, month, _burnt_detail(now))
        if started[0]:
            self.burnout = Wave(level, month, _burnt_detail(now), told=level)
            out.append(("burn-out", f"burn-out spreads: {_pct(now.burnt_out)} of all actors are burnt out ({hardest})"))
        elif self.burning.on[0] and level >= SPREADING * self.burnout.told and level - self.burnout.told >= 0.05:
            self.burnout.told = level
            out.append(("burn-out", f"burn-out keeps spreading: {_pct(now.burnt_out)} of all actors ({hardest})"))
        elif stopped[0]:
            out.append(("burn-out", f"burn-out eases to {_pct(now.burnt_out)} of all actors, after a peak in month "
                                    f"{self.burnout.month}: {self.burnout.detail}"))
            self.burnout = Wave()
        live = (now.status == Status.ACTIVE) | (now.status == Status.LOCKED_IN)
        top = float(now.resistance[live].max()) if live.any() else 0.0
        if self.resisted.on.any():
            self.resistance_on = True
            at = int(np.argmax(np.where(live, now.resistance, -1.0)))
            self.resistance.record(top, month, f"{top:.2f} against {now.labels[at]}")
        elif self.resistance_on:
            self.resistance_on = False
            out.append(("resistance", f"resistance fades, after a peak of {self.resistance.detail} "
                                      f"in month {self.resistance.month}"))
            self.resistance = Wave()
        grew, eased = self.resentful.update(now.resentment, month)
        if grew[0]:
            out.append(("resentment", "ministries left out of the missions grow resentful and start to resist"))
        elif eased[0]:
            out.append(("resentment", "the resentment of ministries left out of the missions eases"))
        grew, faded = self.cynical.update(now.cynicism, month)
        if grew[0]:
            out.append(("cynicism", f"cynicism grows: promises outrun the money ({_pct(now.cynicism)} cynical "
                                    "on average)"))
        elif faded[0]:
            out.append(("cynicism", "cynicism fades as resources catch up with promises"))

    def _end(self, now: Snapshot, out: list) -> None:
        if self.burning.on[0]:
            out.append(("burn-out", f"burn-out peaked in month {self.burnout.month}: {self.burnout.detail}"))
        if self.resistance_on:
            out.append(("resistance", f"resistance peaked in month {self.resistance.month}: "
                                      f"{self.resistance.detail}"))
        reached = [now.labels[i] for i in np.flatnonzero(now.achieved)]
        text = f"the run ends: {len(reached)} of {len(now.labels)} missions reached their goal"
        text += f" ({_join(reached)})" if reached else ""
        still = [now.labels[i] for i in np.flatnonzero(self.stalled.on & (now.status == Status.ACTIVE))]
        if still:
            text += f"; still stalled: {_join(still)}"
        out.append(("end", text))

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _each(out: list, kind: str, where: np.ndarray, text) -> None:
        out.extend((kind, text(i)) for i in np.flatnonzero(where))

    @staticmethod
    def _grouped(out: list, kind: str, where: np.ndarray, labels, one: str, several: str) -> None:
        names = [labels[i] for i in np.flatnonzero(where)]
        if names:
            out.append((kind, (one if len(names) == 1 else several).format(_join(names))))


def _burnt_detail(now: Snapshot) -> str:
    types = ", ".join(f"{_pct(share)} of {plural}" for plural, share in now.burnt_by_type.items())
    return f"{_pct(now.burnt_out)} of all actors ({types})"


def status_word(status: int) -> str:
    """A status of the model's (rules.governance.Status) in plain words: its name, 'pursuing' for active."""
    status = Status(status)
    return "pursuing" if status is Status.ACTIVE else status.name.lower().replace("_", " ")


def _ending(label: str, was: Status, now: Status, review: str) -> tuple[str, str]:
    """The line for a mission that ends for a reason other than reaching its goal this month."""
    if was is Status.LOCKED_IN:
        why = {"review": "a review ends the lock-in of", "sunset": "the sunset clause ends the lock-in of"}
        if review:
            return "review", f"{why[review]} {label}: its funding stops"
        return "ended", f"funding for {label} finally winds down: the lock-in is over"
    if review == "sunset":
        return "review", f"the sunset clause ends {label} before it reached its goal"
    if review == "review":
        return "review", f"a review finds {label} off track and stops it"
    return "ended", f"{label} ends ({status_word(now)})"

