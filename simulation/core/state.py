"""The model's state as arrays, and how a scenario builds it.

Missions, actors (ministries, firms, citizens) and funders each keep their
state in numpy arrays, one row per entity, so rules act on whole populations
at once. Mesa agents are views onto rows of these arrays.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from simulation.core.rules import money
from simulation.core.rules.governance import MISSION, Status
from simulation.core.small_world import watts_strogatz
from simulation.inputs.params import Config, Mission

ACTOR_KINDS = ("ministry", "firm", "citizen")
FUNDER_KINDS = ("national", "regional", "philanthropic", "impact")


@dataclass
class Missions:
    """Per-mission arrays (length = number of missions)."""

    SHARED: ClassVar[tuple[str, ...]] = ()  # arrays the configuration alone fixes: one copy for all replicates
    stacked: ClassVar[frozenset[str]] = frozenset()  # SHARED arrays an ensemble stacks (see stack)
    names: list[str]
    goal_size: np.ndarray
    ambition: np.ndarray
    specificity: np.ndarray
    prescriptiveness: np.ndarray
    monitoring: np.ndarray
    commitment: np.ndarray
    leadership: np.ndarray
    leader_present: np.ndarray
    leader_leaves_at: np.ndarray
    horizon: np.ndarray
    budget_share: np.ndarray
    work_needed: np.ndarray
    n_ministries: np.ndarray
    silo: np.ndarray
    framing_fit: np.ndarray
    ripple: np.ndarray  # how far radical solutions reach beyond the aim (ambition.ripple), per mission
    event_work: np.ndarray  # per event and mission: the work units a month an outside event moves (Config.events)
    external: np.ndarray = field(init=False)  # what outside events moved, in work units, in work_done
    work_done: np.ndarray = field(init=False)  # incremental + radical + external, in work units
    incremental: np.ndarray = field(init=False)
    radical: np.ndarray = field(init=False)
    radical_experience: np.ndarray = field(init=False)
    radical_share: np.ndarray = field(init=False)
    engagement: np.ndarray = field(init=False)
    momentum: np.ndarray = field(init=False)
    seen_pace: np.ndarray = field(init=False)
    pace: np.ndarray = field(init=False)
    effort: np.ndarray = field(init=False)
    experience: np.ndarray = field(init=False)
    despair: np.ndarray = field(init=False)
    legitimacy: np.ndarray = field(init=False)
    resistance: np.ndarray = field(init=False)
    side_effects: np.ndarray = field(init=False)
    credibility: np.ndarray = field(init=False)
    money_ratio: np.ndarray = field(init=False)
    facet: np.ndarray = field(init=False)
    status: np.ndarray = field(init=False)
    hold: np.ndarray = field(init=False)
    achieved_at: np.ndarray = field(init=False)
    problem_gone: np.ndarray = field(init=False)
    purpose_seen: np.ndarray = field(init=False)  # funders' indicators have shown it is past its purpose
    creep: np.ndarray = field(init=False)
    treasury: np.ndarray = field(init=False)
    received: np.ndarray = field(init=False)
    spent: np.ndarray = field(init=False)
    spent_now: np.ndarray = field(init=False)
    lapsed: np.ndarray = field(init=False)
    spent_after_purpose: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.names)
        for name in ("work_done", "external", "incremental", "radical", "radical_experience", "radical_share", "engagement",
                     "momentum", "seen_pace", "pace", "effort", "experience", "despair", "legitimacy",
                     "resistance", "side_effects", "money_ratio", "treasury", "received", "spent",
                     "spent_now", "lapsed", "spent_after_purpose"):
            setattr(self, name, np.zeros(n))
        self.credibility = np.ones(n)
        self.hold = np.ones(n)
        self.facet = np.full(n, MISSION, dtype=np.int8)
        self.status = np.full(n, Status.ACTIVE, dtype=np.int8)
        self.achieved_at = np.full(n, -1, dtype=np.int64)
        self.problem_gone = np.zeros(n, dtype=bool)
        self.purpose_seen = np.zeros(n, dtype=bool)
        self.creep = np.zeros(n, dtype=np.int64)

    @property
    def count(self) -> int:
        return len(self.names)

    @property
    def pursuing(self) -> np.ndarray:
        """Missions still working towards their goal."""
        return self.status == Status.ACTIVE

    @property
    def live(self) -> np.ndarray:
        """Missions that still draw attention and money (pursuing or locked in)."""
        return (self.status == Status.ACTIVE) | (self.status == Status.LOCKED_IN)

    @property
    def achieved(self) -> np.ndarray:
        return self.achieved_at >= 0

    @property
    def retired(self) -> np.ndarray:
        """Missions whose problem went away before their goal was met."""
        return self.problem_gone & ~self.achieved

    @property
    def share(self) -> np.ndarray:
        """Progress towards the (possibly crept) goal, in [0, 1]."""
        return np.minimum(self.work_done / self.work_needed, 1.0)

    @property
    def transformation(self) -> np.ndarray:
        """Change away from the status quo, in units of a fully radical goal: the mission's own
        incremental and radical change plus the ripple of its radical solutions beyond its aim."""
        return (self.incremental + self.radical * (1.0 + self.ripple)) / self.goal_size


@dataclass
class Actors:
    """Ministries, firms and citizens, in that order along the actor axis."""

    SHARED: ClassVar[tuple[str, ...]] = ("kind", "grant_pull", "new_voice")
    stacked: ClassVar[frozenset[str]] = frozenset()  # SHARED arrays an ensemble stacks (see stack)
    kind: np.ndarray  # index into ACTOR_KINDS
    groups: list[slice]  # ministries, incumbent firms, challenger firms, citizens
    exposure: np.ndarray  # (actors, missions) 0/1: the mission concerns the actor (a ministry's mandate)
    affected: np.ndarray  # (actors, missions) bears side effects
    capacity: np.ndarray  # sustainable working time, mean 1
    threshold: np.ndarray  # fatigue at which the actor burns out
    grant_pull: np.ndarray  # utility of a fully funded mission
    new_voice: np.ndarray  # challengers and citizens: outside the usual players
    vested: np.ndarray
    lobby_cost: np.ndarray
    silo: np.ndarray
    trust: np.ndarray
    disposition: np.ndarray  # cynicism an actor starts with and returns to
    goal_fit: np.ndarray  # (actors, missions): how well the actor's own goal would fit under the mission
    engagement: np.ndarray  # (actors, missions): time given to each mission, in capacity units
    own_work: np.ndarray  # time given to own (business-as-usual) work
    own_reference: np.ndarray  # own work with no mission calling
    fatigue: np.ndarray
    burnt_out: np.ndarray
    resentment: np.ndarray
    disillusion: np.ndarray  # cynicism above the disposition
    lobbying: np.ndarray  # (actors, missions), non-zero only for incumbents
    attached: np.ndarray  # (actors, missions): the actor has attached a goal to the mission
    support: np.ndarray  # (citizens, missions)
    adjacency: sp.csr_array
    degree: np.ndarray

    @property
    def cynicism(self) -> np.ndarray:
        return np.clip(self.disposition + self.disillusion, 0.0, 1.0)

    @property
    def ministries(self) -> slice:
        return self.groups[0]

    @property
    def incumbents(self) -> slice:
        return self.groups[1]

    @property
    def challengers(self) -> slice:
        return self.groups[2]

    @property
    def firms(self) -> slice:
        return slice(self.groups[1].start, self.groups[2].stop)

    @property
    def citizens(self) -> slice:
        return self.groups[3]

    @property
    def kinds(self) -> tuple[slice, slice, slice]:
        """The rows of each of ACTOR_KINDS, in order (the actor axis is sorted by kind)."""
        return self.ministries, self.firms, self.citizens


@dataclass
class Funders:
    """National, regional, philanthropic and impact funders."""

    SHARED: ClassVar[tuple[str, ...]] = ("kind", "political", "annual_budget", "risk_appetite")
    stacked: ClassVar[frozenset[str]] = frozenset()  # SHARED arrays an ensemble stacks (see stack)
    kind: np.ndarray  # index into FUNDER_KINDS
    political: np.ndarray  # state funders (national, regional) whose release follows formal commitment
    annual_budget: np.ndarray
    risk_appetite: np.ndarray
    allocation: np.ndarray  # (funders, missions), rows sum to <= 1
    budget_left: np.ndarray = field(init=False)
    paid: np.ndarray = field(init=False)
    unpaid: np.ndarray = field(init=False)  # budget a funder held back (commitment, stalled missions, none live)

    def __post_init__(self) -> None:
        self.budget_left = np.zeros_like(self.annual_budget)
        self.paid = np.zeros_like(self.annual_budget)
        self.unpaid = np.zeros_like(self.annual_budget)


def stack[S: (Missions, Actors, Funders)](parts: list[S]) -> S:
    """The replicates' states as one, each per-replicate array stacked on a new leading axis; a SHARED array
    is kept once unless the replicates' configurations make it differ (``stacked`` names those stacked).

    A social network becomes one block-diagonal matrix over all replicates' citizens (row products over it
    sum each citizen's neighbours in the same order as the replicate's own matrix does)."""
    out = copy.copy(parts[0])
    out.stacked = frozenset(name for name in out.SHARED
                            if any(not np.array_equal(getattr(p, name), getattr(out, name)) for p in parts[1:]))
    for name, value in vars(out).items():
        if name in out.SHARED and name not in out.stacked:
            continue
        if isinstance(value, np.ndarray):
            setattr(out, name, np.stack([getattr(p, name) for p in parts]))
        elif sp.issparse(value):
            setattr(out, name, sp.block_diag([getattr(p, name) for p in parts], format="csr"))
    return out


def take[S: (Missions, Actors, Funders)](state: S, k: int) -> S:
    """Replicate ``k`` of a stacked state, as views onto its arrays."""
    out = copy.copy(state)
    out.stacked = frozenset()
    for name, value in vars(state).items():
        if name in state.SHARED and name not in state.stacked:
            continue
        if isinstance(value, np.ndarray):
            setattr(out, name, value[k])
        elif sp.issparse(value):
            n = value.shape[0] // len(state.degree)
            setattr(out, name, value[k * n:(k + 1) * n, k * n:(k + 1) * n])
    return out


def ministry_sets(n_ministries: int, n_missions: int, per_mission: int, overlap: float) -> list[np.ndarray]:
    """Ministries each mission draws on: a shared core of ``overlap`` x ``per_mission``
    ministries plus distinct ones dealt out in turn (wrapping when they run out)."""
    shared = round(overlap * per_mission)
    core = np.arange(shared)
    pool = n_ministries - shared
    own = per_mission - shared
    return [np.concatenate([core, shared + (m * own + np.arange(own)) % max(pool, 1)]).astype(int)
            for m in range(n_missions)]


def build_missions(config: Config, specs: list[Mission], rng: np.random.Generator, silo: np.ndarray,
                   sets: list[np.ndarray]) -> Missions:
    """Mission arrays from the resolved portfolio."""
    def col(attr: str) -> np.ndarray:
        return np.array([getattr(s, attr) for s in specs], dtype=float)

    ambition = col("ambition")
    goal = col("goal_size")
    prescriptive = col("prescriptiveness")
    missions = Missions(
        names=[s.name for s in specs], goal_size=goal, ambition=ambition, specificity=col("specificity"),
        prescriptiveness=prescriptive, monitoring=col("monitoring"), commitment=col("commitment"),
        leadership=col("leadership"), leader_present=np.ones(len(specs)),
        leader_leaves_at=np.array([-1 if s.leader_leaves_at is None else s.leader_leaves_at for s in specs]),
        horizon=col("horizon"), budget_share=col("budget_share"), work_needed=goal * np.maximum(ambition, 0.01),
        n_ministries=np.array([len(s) for s in sets], dtype=float),
        silo=np.array([silo[s].mean() for s in sets]),
        framing_fit=np.clip(1.0 - 0.5 * prescriptive - 0.1 * rng.random(len(specs)), 0.0, 1.0),
        ripple=np.full(len(specs), config.ambition.ripple),
        event_work=event_work(config, specs),
    )
    # a goal set as a level (175 GW) counts what exists at the start: incremental change as far as that reaches
    existing = col("initial_progress") * missions.work_needed
    missions.incremental = np.minimum(existing, config.ambition.incremental_reach * goal)
    missions.radical = existing - missions.incremental
    missions.work_done = existing
    return missions


def event_work(config: Config, specs: list[Mission]) -> np.ndarray:
    """Per event (rows) and mission (columns), the work units a month it moves while it lasts: its share of the
    goal as announced, spread evenly over its months."""
    out = np.zeros((len(config.events), len(specs)))
    names = [s.name for s in specs]
    for e, event in enumerate(config.events):
        m = names.index(event.mission)
        out[e, m] = event.progress * specs[m].goal_size * max(specs[m].ambition, 0.01) / event.months
    return out


def build_actors(config: Config, n_missions: int, sets: list[np.ndarray], rng: np.random.Generator,
                 network_seed: int) -> Actors:
    """Actor arrays: ministries, incumbent and challenger firms, citizens, each with its own
    capacity, burn-out threshold, trust and cynical disposition."""
    pop, at = config.population, config.attention
    n_chal = round(pop.firms * pop.challenger_share)
    sizes = [pop.ministries, pop.firms - n_chal, n_chal, pop.citizens]
    bounds = np.cumsum([0, *sizes])
    groups = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
    n = int(bounds[-1])
    mins, inc, chal, cit = groups
    firms = slice(inc.start, chal.stop)

    kind = np.repeat(np.array([0, 1, 1, 2], dtype=np.int8), sizes)
    exposure = np.zeros((n, n_missions))
    for m, members in enumerate(sets):
        exposure[members, m] = 1.0
    exposure[firms] = rng.random((pop.firms, n_missions)) < pop.firm_relevance
    exposure[cit] = rng.random((pop.citizens, n_missions)) < pop.citizen_interest

    affected = np.zeros((n, n_missions))
    affected[inc.start:] = rng.random((n - inc.start, n_missions)) < config.ramifications.affected_share

    spread = config.choice.capacity_spread
    capacity = rng.lognormal(-0.5 * spread**2, spread, n)  # mean 1
    threshold = np.clip(at.resilience * rng.uniform(1.0 - at.resilience_spread, 1.0 + at.resilience_spread, n), 0.02, 1.0)
    grant_pull = np.zeros(n)
    grant_pull[mins] = config.production.grant_pull_ministries
    grant_pull[firms] = config.production.grant_pull_firms
    new_voice = np.zeros(n, dtype=bool)
    new_voice[chal.start:] = True
    vested = np.zeros(n)
    vested[inc] = np.clip(config.resistance.vested_interest * rng.uniform(0.5, 1.5, sizes[1]), 0.0, 1.0)
    lobby_cost = config.resistance.lobby_cost * rng.uniform(0.5, 1.5, n)
    silo = np.zeros(n)
    silo[mins] = np.clip(config.silos.silo_tendency * rng.uniform(0.5, 1.5, pop.ministries), 0.0, 1.0)
    trust = np.clip(config.commitment.trust * rng.uniform(0.5, 1.5, n), 0.0, 1.0)
    goal_fit = np.zeros((n, n_missions))
    goal_fit[mins] = rng.random((pop.ministries, n_missions))  # each ministry has goals of its own to place
    disposition = rng.beta(2.0, 12.0, n)

    adjacency = watts_strogatz(pop.citizens, config.network.degree, config.network.rewiring, network_seed)
    degree = np.maximum(np.asarray(adjacency.sum(axis=1)).ravel(), 1.0)

    own_reference = capacity * (1.0 - config.choice.slack)
    return Actors(
        kind=kind, groups=groups, exposure=exposure, affected=affected, capacity=capacity, threshold=threshold,
        grant_pull=grant_pull, new_voice=new_voice, vested=vested, lobby_cost=lobby_cost, silo=silo, trust=trust,
        disposition=disposition, goal_fit=goal_fit, engagement=np.zeros((n, n_missions)),
        own_work=own_reference.copy(), own_reference=own_reference, fatigue=rng.uniform(0.0, 0.2, n),
        burnt_out=np.zeros(n, dtype=bool), resentment=np.zeros(n), disillusion=np.zeros(n),
        lobbying=np.zeros((n, n_missions)), attached=np.zeros((n, n_missions), dtype=bool),
        support=rng.uniform(0.2, 0.6, (pop.citizens, n_missions)), adjacency=adjacency, degree=degree,
    )


def build_funders(config: Config, missions: Missions) -> Funders:
    """Funders of the four kinds with their annual budgets and risk appetites."""
    kinds = [getattr(config.funding, k) for k in FUNDER_KINDS]
    kind = np.repeat(np.arange(len(kinds), dtype=np.int8), [k.count for k in kinds])
    budget = np.repeat([k.annual_budget for k in kinds], [k.count for k in kinds]).astype(float)
    appetite = np.repeat([k.risk_appetite for k in kinds], [k.count for k in kinds]).astype(float)
    allocation = money.allocation_target(missions.budget_share, np.ones((kind.size, missions.count)), missions.live)
    return Funders(kind=kind, political=kind <= 1, annual_budget=budget, risk_appetite=appetite, allocation=allocation)
