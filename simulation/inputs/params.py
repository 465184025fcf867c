"""The parameter schema: every default, bound, unit and choice, written once.

Scenario files, experiment files, CLI ``--set`` flags and UI sliders all refer
to these fields by dotted key (``attention.fatigue_build``,
``portfolio.mission.ambition``, ``portfolio.missions.0.commitment``) and never
restate a default or a bound. Units live in each field's ``unit`` extra.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from simulation.inputs.limits import MAX_NAME_CHARS


def param(default: Any, *, ge: float | None = None, le: float | None = None, gt: float | None = None, unit: str = "",
          doc: str) -> Any:
    """A schema field with bounds, a unit and a one-line description.

    Strict: a count is a whole number, not ``true``, ``'2'`` or ``2.0``; a share is a number, not text.
    """
    return Field(default, ge=ge, gt=gt, le=le, strict=True, description=doc, json_schema_extra={"unit": unit})


SAFE_NAME = r"^[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]*$"
"""A name that is also one folder name: no ``/``, ``\\`` or control character, not starting with ``.``."""


def name_field(default: str, doc: str) -> Any:
    """The name of a scenario or experiment, which names its results folder."""
    return Field(default, min_length=1, max_length=MAX_NAME_CHARS, pattern=SAFE_NAME, description=doc)


def share(default: float, doc: str) -> Any:
    """A dimensionless value in [0, 1]."""
    return param(default, ge=0.0, le=1.0, unit="share", doc=doc)


def per_month(default: float, doc: str, le: float = 1.0) -> Any:
    """A per-month rate in [0, le]."""
    return param(default, ge=0.0, le=le, unit="per month", doc=doc)


class Section(BaseModel):
    """Base of every schema section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Switchable(Section):
    """A mechanism that experiments can switch off to isolate its effect."""

    enabled: bool = Field(True, strict=True, description="Turn the mechanism on or off")


# ---------------------------------------------------------------- time, people
class Time(Section):
    steps: int = param(120, ge=1, le=2400, unit="months", doc="Length of a run")
    steps_per_year: int = param(12, ge=1, le=52, unit="steps", doc="Steps in a fiscal year")


class Population(Section):
    ministries: int = param(20, ge=1, le=500, unit="agents", doc="Government organisations")
    firms: int = param(180, ge=0, le=20000, unit="agents", doc="Firms (incumbents and challengers)")
    citizens: int = param(793, ge=2, le=200000, unit="agents", doc="Citizens on the social network")
    challenger_share: float = share(0.4, "Share of firms that are challengers (new entrants)")
    firm_relevance: float = share(0.5, "Chance that a firm's sector is touched by a given mission")
    citizen_interest: float = share(0.3, "Chance that a citizen cares about a given mission")


class Network(Section):
    degree: int = param(8, ge=2, le=100, unit="neighbours", doc="Mean neighbours per citizen (small world)")
    rewiring: float = share(0.1, "Small-world rewiring probability")
    influence: float = per_month(0.2, "Pull of neighbours' mean support on a citizen's support")


# ---------------------------------------------------------------- funders
class FunderKind(Section):
    count: int = param(1, ge=0, le=1000, unit="agents", doc="Funders of this kind")
    annual_budget: float = param(0.0, ge=0.0, le=1e6, unit="MU per year", doc="Budget of each funder per fiscal year")
    risk_appetite: float = share(0.5, "Tolerance for stalled or uncertain missions")


class Funding(Section):
    """Survey default: the state dominates; regional less; philanthropy and impact almost absent."""

    national: FunderKind = FunderKind(count=1, annual_budget=150.0, risk_appetite=0.5)
    regional: FunderKind = FunderKind(count=4, annual_budget=10.0, risk_appetite=0.4)
    philanthropic: FunderKind = FunderKind(count=1, annual_budget=2.0, risk_appetite=0.7)
    impact: FunderKind = FunderKind(count=1, annual_budget=1.0, risk_appetite=0.6)
    reallocation: float = per_month(0.1, "Speed at which funders move their allocation towards its target")
    stall_penalty: float = share(0.6, "Cut in a stalled mission's allocation for a funder with no risk appetite")
    spend_rate: float = per_month(0.5, "Share of a mission's treasury spent each month")
    cost_per_work: float = param(8.0, ge=0.01, le=1e4, unit="MU per work unit", doc="Money needed per unit of work")


# ---------------------------------------------------------------- missions
class Mission(Section):
    """One mission of the portfolio. ``portfolio.mission`` is the template every mission starts from."""

    name: str = Field("", description="Display name; empty means 'Mission N'")
    goal_size: float = param(100.0, ge=1.0, le=1e5, unit="work units", doc="Work a fully radical goal needs")
    ambition: float = share(0.6, "Distance from the status quo: 0 incremental, 1 radical")
    specificity: float = share(0.5, "Clear target and tangible indicators (1) vs a vague vision (0)")
    prescriptiveness: float = share(0.2, "Granular detail about the means, leaving no room to rethink how")
    monitoring: float = share(0.3, "Quality of monitoring and evaluation")
    commitment: float = share(0.7, "Formal political / senior commitment")
    leadership: float = share(0.5, "Push from a charismatic leader")
    leader_leaves_at: int | None = param(None, ge=0, le=2400, unit="month", doc="Month the leader leaves (none: stays)")
    horizon: int = param(120, ge=1, le=2400, unit="months", doc="Deadline the goal is announced for")
    budget_share: float = param(1.0, ge=0.0, le=100.0, unit="weight", doc="Relative claim on funders' budgets")
    initial_progress: float = param(0.0, ge=0.0, le=0.99, unit="share",
                                    doc="Progress already made at month 0, for a goal set as a level partly reached")


def _all_optional(model: type[Section], name: str) -> type[Section]:
    """A copy of ``model`` whose fields are all optional, keeping their bounds and docs."""
    fields = {}
    for key, info in model.model_fields.items():
        optional = copy.copy(info)
        optional.default = None
        fields[key] = (info.annotation | None, optional)
    return create_model(name, __base__=Section, __doc__=f"Overrides of {model.__name__}; every field optional.", **fields)


MissionOverride = _all_optional(Mission, "MissionOverride")


class Portfolio(Section):
    count: int = param(3, ge=1, le=12, unit="missions", doc="Missions run at once")
    mission: Mission = Mission()
    missions: list[MissionOverride] = Field(default_factory=list, description="Overrides for missions 1..count")
    ministries_per_mission: int = param(5, ge=1, le=500, unit="ministries", doc="Ministries each mission draws on")
    overlap: float = share(0.0, "0: missions draw on distinct ministries where possible; 1: all on the same ones")

    @model_validator(mode="after")
    def _overrides_fit(self) -> Portfolio:
        if len(self.missions) > self.count:
            raise ValueError(f"{len(self.missions)} mission overrides given but portfolio.count is {self.count}")
        names = [m.name for m in self.resolved()]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"missions {names.index(name) + 1} and {i + 1} are both named {name!r}; "
                                 f"give each its own name in portfolio.missions")
        return self

    def resolved(self) -> list[Mission]:
        """The portfolio's missions: the template with each override applied.

        A mission named by nobody, or only by a template whose name an earlier mission has, is "Mission k".
        """
        out: list[Mission] = []
        for i in range(self.count):
            update = self.missions[i].model_dump(exclude_none=True) if i < len(self.missions) else {}
            m = self.mission.model_copy(update=update)
            inherited = "name" not in update and any(m.name == earlier.name for earlier in out)
            out.append(m if m.name and not inherited else m.model_copy(update={"name": f"Mission {i + 1}"}))
        return out


class Event(Section):
    """A change in a mission's indicator that the world, not the mission, made (a pandemic year, a recession).

    Data, with its source, not a mechanism: it moves the mission's measured level (its progress, and its goal's
    being met) by ``progress`` of the goal, spread evenly over ``months`` months from ``month``. Actors know such
    a cause when they see one, so it is not part of the pace they judge the mission's own work by."""

    month: int = param(..., ge=1, le=2400, unit="month", doc="First month of the change")
    months: int = param(1, ge=1, le=2400, unit="months", doc="Months the change is spread over, evenly")
    mission: str = Field(..., min_length=1, max_length=MAX_NAME_CHARS, description="Name of the mission it moves")
    progress: float = param(..., ge=-1.0, le=1.0, unit="share of goal", doc="The whole change, as a share of the goal")
    source: str = Field(..., min_length=1, max_length=500, description="Where the change is documented")


# ---------------------------------------------------------------- mechanisms
class Choice(Section):
    """How every actor splits its working time each month (not switchable: the core of the model).

    Options: rest, its own business-as-usual work, and the live missions it is exposed to, chosen by a
    nested logit: missions form one nest, so concurrent missions partly compete for the same attention."""

    overtime: float = param(1.5, ge=1.0, le=3.0, unit="capacity", doc="Most an actor can work in a month, relative to its sustainable capacity")
    slack: float = param(0.1, ge=0.01, le=0.9, unit="share", doc="Share of capacity an actor leaves unused when no mission calls on it")
    base_pull: float = param(-2.6054651081, ge=-10.0, le=10.0, unit="utility",
                             doc="Utility of mission work before any driver, relative to the actor's own business-as-usual work")
    capacity_spread: float = param(0.3, ge=0.0, le=2.0, unit="log sd", doc="Spread of actors' sustainable capacity (lognormal, mean 1)")


class Ambition(Switchable):
    """M1: a goal near the status quo draws little engagement and only incremental solutions;
    one far beyond reach loses support as progress feels insufficient ('why bother').

    Off: every actor responds to a neutral ambition of 0.5 (meaning, the choice of solutions, the pace it judges
    momentum and credibility against, incumbents' threat); no despair. The goal's size still sets the work."""

    stretch: float = param(2.0, ge=0.0, le=10.0, unit="utility",
                           doc="Meaning a fully radical goal adds to mission work (pull per unit of meaning)")
    despair_weight: float = param(2.5, ge=0.0, le=10.0, unit="utility", doc="Pull lost when the pace actors see leaves the goal out of reach")
    grace: int = param(12, ge=0, le=600, unit="months", doc="Months before actors judge feasibility, and over which despair builds")
    incremental_reach: float = share(0.4, "How far incremental solutions alone can move the status quo (share of a fully radical goal)")
    radical_gain: float = param(1.5, ge=0.0, le=10.0, unit="multiplier", doc="Extra productivity of radical solutions once learnt")
    ripple: float = param(0.5, ge=0.0, le=10.0, unit="per unit radical change",
                          doc="Change radical solutions cause beyond the mission's aim, as they diffuse")


class Commitment(Switchable):
    """M2: formal commitment mobilises on its own; leadership only where actors trust it.

    Off: actors and funders treat every mission as half-committed (0.5) with a half-trusted leader of 0.5 who never leaves."""

    trust: float = share(0.5, "Institutional trust that lets leadership mobilise (lowered by each actor's cynicism)")
    commitment_weight: float = param(1.5, ge=0.0, le=10.0, unit="utility", doc="Pull of formal commitment on actors")
    leadership_weight: float = param(2.5, ge=0.0, le=10.0, unit="utility", doc="Pull of leadership, times the actor's trust")
    budget_weight: float = share(0.8, "How far state funders' release of money follows formal commitment")


class Momentum(Switchable):
    """M3: visible progress builds momentum, which draws engagement; indicators make progress visible.

    Off: indicators do not change what actors see (every mission is seen as at visibility 0.5) and every
    live mission's momentum is held at a neutral 0.5."""

    smoothing: float = per_month(0.15, "Weight of this month's perceived pace in momentum")
    weight: float = param(1.0, ge=0.0, le=10.0, unit="utility", doc="Pull of momentum on actors")
    noise: float = param(1.0, ge=0.0, le=10.0, unit="pace units", doc="Noise of perceived pace without indicators")


class Attention(Switchable):
    """M4: missions compete for limited working time; effort beyond capacity builds fatigue and burn-out.

    Off: each mission is chosen on its own, with no competition for time, no fatigue and no burn-out; as missions
    then take nothing from own work, neglected ministries have nothing to resent (M6 stays silent)."""

    crowding: float = share(0.3, "How far concurrent missions compete for the same attention (0: each a separate claim; 1: one shared claim)")
    salience_decay: float = param(0.05, ge=0.0, le=5.0, unit="utility per extra mission",
                                  doc="Pull each mission loses per other live mission ('too many priorities')")
    fatigue_weight: float = param(1.5, ge=0.0, le=20.0, unit="utility", doc="Pull of rest per unit fatigue")
    fatigue_build: float = per_month(0.2, "Fatigue gained per unit of strain above capacity")
    fatigue_recovery: float = per_month(0.08, "Fatigue shed per unit of spare capacity, slowed by fatigue itself")
    money_relief: float = share(0.2, "Share of the strain of mission work that full funding takes away (staff, tools)")
    progress_relief: float = share(0.1, "Share of the strain of mission work that visible progress takes away")
    resilience: float = share(0.6, "Mean fatigue at which an actor burns out")
    resilience_spread: float = share(0.4, "Spread of burn-out thresholds: each is resilience x U(1 - s, 1 + s)")
    recovery_point: float = share(0.5, "Share of its own threshold that fatigue must fall below before a burnt-out actor returns")


class Resistance(Switchable):
    """M5: incumbents lobby when their expected loss from a credible, legible mission outweighs lobbying's cost.

    Off: incumbents do not lobby. Resistance from resentful ministries (M6) still drags and erodes."""

    vested_interest: float = share(0.6, "Mean stake of incumbents in the status quo")
    mobilisation: float = per_month(0.1, "Speed at which lobbying follows incumbents' decisions")
    focal_weight: float = share(0.6, "How much a specific target makes the threat legible (1: a vague mission is invisible)")
    lobby_cost: float = param(0.35, ge=0.0, le=10.0, unit="stake", doc="Mean cost of lobbying, in units of expected loss")
    coalition: float = share(0.3, "Share of lobbying's cost that others already lobbying take off")
    drag: float = param(1.5, ge=0.0, le=20.0, unit="per unit resistance", doc="Slow-down of progress by resistance")
    erosion: float = per_month(0.01, "Commitment eroded per unit resistance (lobbying and resentful ministries)")


class Neglect(Switchable):
    """M6: ministries whose own work is deprioritised by missions grow resentful and can resist.

    Off: no resentment."""

    rate: float = per_month(0.05, "Resentment gained per unit of a ministry's net loss to the missions")
    decay: float = per_month(0.02, "Monthly fading of resentment")
    conversion: float = share(0.5, "Share of resentment that turns into resistance")


class Creep(Switchable):
    """M7: actors attach extra goals to a mission when its success and support make that pay.

    Off: no extra goals."""

    rate: float = per_month(0.003, "Monthly chance that a ministry for which attaching a goal pays does so")
    cost: float = param(0.4, ge=0.0, le=10.0, unit="attraction",
                        doc="Cost of attaching a goal to a fully specific mission (halved for a vague one)")
    size: float = param(0.15, ge=0.0, le=5.0, unit="share of goal", doc="Work added by one extra goal")
    focus_loss: float = share(0.1, "Specificity lost with each extra goal")
    success_weight: float = share(1.0, "How far a mission's worth to those attaching goals rests on its visible success, "
                                       "beyond its support")


class ReviewRule(StrEnum):
    NONE = "none"
    REVIEW = "review"
    SUNSET = "sunset"


class LockIn(Switchable):
    """M8: funders keep paying a mission past its purpose until indicators show it and the invested ecosystem lets go.

    Off: a mission ends as soon as its goal is met or its problem is gone, and no review or sunset rule applies."""

    rule: ReviewRule = Field(ReviewRule.NONE, description="none | review (periodic) | sunset (fixed end)")
    first_review: int = param(36, ge=1, le=2400, unit="months", doc="Age of the first review, or of the sunset")
    review_interval: int = param(24, ge=1, le=2400, unit="months", doc="Months between reviews")
    on_track: float = share(0.75, "A review abandons a mission below this share of the linear path to its goal")
    hold: float = share(0.97, "Monthly persistence of funders' allocation once indicators show a mission is past its purpose")
    problem_hazard: float = per_month(0.001, "Monthly chance that the world moves on and the problem goes away")


class Ramifications(Switchable):
    """M9: pushing hard carries costs borne by some citizens and firms, eroding support.

    Off: no side effects."""

    rate: float = param(0.5, ge=0.0, le=10.0, unit="per pace unit", doc="Side effects per unit of progress pace")
    decay: float = per_month(0.03, "Monthly fading of side effects")
    affected_share: float = share(0.2, "Share of citizens and firms bearing the costs")
    erosion: float = share(0.6, "Support lost by affected actors per unit side effect")


class Gap(Switchable):
    """M10: announced ambition far above the resources behind it breeds cynicism.

    Off: cynicism stays at each actor's initial disposition."""

    credibility_floor: float = share(0.8, "Resources/needs ratio below which cynicism grows")
    rate: float = per_month(0.05, "Cynicism gained per unit credibility gap")
    decay: float = per_month(0.01, "Monthly fading of cynicism back to each actor's disposition")
    cynicism_weight: float = param(2.0, ge=0.0, le=10.0, unit="utility", doc="Pull of mission work lost per unit cynicism")


class NewVoices(Switchable):
    """M11: engaging actors beyond the usual players widens capacity; disrespect shuts it off.

    Off: challengers and citizens engage like the usual players, whatever the inclusion."""

    inclusion: float = share(0.5, "Respect and room given to challengers and citizens")
    respect_weight: float = param(1.5, ge=0.0, le=20.0, unit="utility", doc="Pull on new voices per unit of inclusion above or below 0.5")
    citizen_weight: float = share(0.25, "Share of mission work citizens can bring when engaged")
    challenger_weight: float = share(0.5, "Share of firms' mission work that challengers can bring")
    challenger_insight: float = param(1.0, ge=0.0, le=10.0, unit="multiplier", doc="Extra radical productivity challengers bring")


class Silos(Switchable):
    """M12: aligned resources across ministries move a mission; silos slow it.

    Off: no silo friction."""

    silo_tendency: float = share(0.5, "Mean silo tendency of ministries")
    alignment: float = share(0.3, "Cross-government alignment of budgets and mandates")
    coordination_cost: float = param(0.3, ge=0.0, le=10.0, unit="per extra ministry", doc="Friction per ministry a mission spans")


class Cycles(Switchable):
    """M13: elections shift commitment; annual budgets fit multi-year missions poorly.

    Off: no elections, funds flow from the first month and nothing lapses."""

    election_interval: int = param(48, ge=1, le=2400, unit="months", doc="Months between elections")
    turnover: float = share(0.5, "Chance that an election changes government")
    commitment_shock: float = share(0.4, "Largest share of commitment (or of the room above it) a new government moves")
    renewal: float = share(0.25, "Chance that a new government champions a mission and raises its commitment")
    budget_delay: int = param(2, ge=0, le=11, unit="months", doc="Months each fiscal year before funds flow")
    carry_over: float = share(0.5, "Share of a mission's unspent treasury kept at year end (rest lapses)")


class Facet(StrEnum):
    MISSION = "mission"
    ENHANCEMENT = "enhancement"
    ADAPTIVE = "adaptive"
    ANTICIPATORY = "anticipatory"


class Facets(Switchable):
    """M14: activity drifts to the enhancement, adaptive or anticipatory facet.

    Off: every mission stays in the mission facet at its full pace; framing fit does not drift."""

    enhancement_at: float = share(0.8, "Progress share from which attention moves from why to process")
    framing_drift: float = param(0.04, ge=0.0, le=1.0, unit="per sqrt month", doc="Volatility of how well the framing fits reality")
    adaptive_below: float = share(0.4, "Framing fit below which the mission turns adaptive")
    reframing: float = per_month(0.05, "Monthly recovery of framing fit while adaptive")
    anticipatory_above: float = share(0.6, "Uncertainty above which the mission turns anticipatory")
    enhancement_pace: float = share(0.8, "Pace multiplier in the enhancement facet")
    adaptive_pace: float = share(0.5, "Pace multiplier in the adaptive facet")
    anticipatory_pace: float = share(0.3, "Pace multiplier in the anticipatory facet")


class Production(Section):
    """How effort and money turn into change."""

    productivity: float = param(1.5, ge=0.0, le=100.0, unit="work units per month", doc="Pace at full effort and funding")
    effort_elasticity: float = share(0.6, "Weight of effort against money in the pace")
    novice_productivity: float = share(0.3, "Productivity of a mission with no experience, relative to a practised one")
    learning_effort: float = param(4.0, ge=0.01, le=1e4, unit="effort-months", doc="Experience that closes 63% of a learning curve")
    adaptation: float = per_month(0.3, "Speed at which actors move their time towards what they choose")
    government_weight: float = share(0.5, "Government's share of the non-citizen work a mission needs (rest: firms)")
    grant_pull_firms: float = param(1.5, ge=0.0, le=10.0, unit="utility", doc="Pull of a fully funded mission on firms")
    grant_pull_ministries: float = param(0.5, ge=0.0, le=10.0, unit="utility", doc="Pull of a fully funded mission on ministries")


class Config(Section):
    """A complete, resolved scenario."""

    name: str = name_field("default", "Scenario name")
    description: str = Field("Three missions of similar scale on default settings.", description="One line")
    seed: int = param(42, ge=0, le=2**63 - 1, unit="", doc="Root seed of a run")
    time: Time = Time()
    population: Population = Population()
    network: Network = Network()
    funding: Funding = Funding()
    portfolio: Portfolio = Portfolio()
    production: Production = Production()
    choice: Choice = Choice()
    ambition: Ambition = Ambition()
    commitment: Commitment = Commitment()
    momentum: Momentum = Momentum()
    attention: Attention = Attention()
    resistance: Resistance = Resistance()
    neglect: Neglect = Neglect()
    creep: Creep = Creep()
    lockin: LockIn = LockIn()
    ramifications: Ramifications = Ramifications()
    gap: Gap = Gap()
    new_voices: NewVoices = NewVoices()
    silos: Silos = Silos()
    cycles: Cycles = Cycles()
    facets: Facets = Facets()
    events: list[Event] = Field(default_factory=list, max_length=100,
                                description="Dated changes to missions' indicators from outside the model")

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        names = [m.name for m in self.portfolio.resolved()]
        for i, event in enumerate(self.events):
            if event.mission not in names:
                raise ValueError(f"events.{i}.mission {event.mission!r} is no mission's name; "
                                 f"expected one of: {', '.join(names)}")
        if self.portfolio.ministries_per_mission > self.population.ministries:
            raise ValueError("portfolio.ministries_per_mission exceeds population.ministries")
        if self.network.degree >= self.population.citizens:
            raise ValueError("network.degree must be below population.citizens")
        return self


MECHANISMS: tuple[str, ...] = (
    "ambition", "commitment", "momentum", "attention", "resistance", "neglect", "creep",
    "lockin", "ramifications", "gap", "new_voices", "silos", "cycles", "facets",
)
"""The fourteen switchable mechanisms, in the brief's order, by section name."""


RETIRED_KEYS: dict[str, str] = {
    "population.business_as_usual": "removed: actors now choose how much time their own work gets (see choice.slack and choice.overtime)",
    "attention.ask": "removed: missions no longer ask a fixed effort; each actor chooses its own (see choice.overtime, attention.crowding)",
    "attention.sustainable_load": "removed: each actor's sustainable load is its own capacity (see choice.capacity_spread)",
    "attention.burnout_at": "replaced by attention.resilience (the mean burn-out threshold; thresholds now differ between actors)",
    "attention.recovered_at": "replaced by attention.recovery_point (a share of each actor's own threshold)",
    "commitment.leader_shock": "removed: what a leader's departure costs now follows from actors' choices once the leader's pull is gone",
}
"""Keys that earlier versions accepted, with what replaced them; loading one is an error that says so."""


def retired(key: str) -> str | None:
    """Why dotted ``key`` is no longer accepted and what replaced it, or None if it never existed."""
    return RETIRED_KEYS.get(".".join(part for part in key.split(".") if not part.isdigit()))


# ---------------------------------------------------------------- dotted keys
def _step_into(node: Any, part: str, path: str) -> Any:
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise KeyError(f"{path}: no item {part!r} (list of {len(node)})")
        return node[int(part)]
    if not isinstance(node, dict) or part not in node:
        raise KeyError(f"{path}: unknown key {part!r}")
    return node[part]


def set_dotted(data: dict, key: str, value: Any) -> dict:
    """A copy of nested ``data`` with ``key`` (``a.b.0.c``) set to ``value``.

    Missing dict levels are created so that overrides may name keys a scenario
    file left at their defaults; list items must exist. Only the containers on
    the key's path are copied (O(depth), so a sweep can apply thousands of
    design points quickly); the rest is shared with ``data``, which is left as it was.
    """
    out = _shallow(data)
    parts = key.split(".")
    node: Any = out
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, dict) and part not in node:
            node[part] = {}
        child = _shallow(_step_into(node, part, ".".join(parts[: i + 1])))
        node[int(part) if isinstance(node, list) else part] = child
        node = child
    if isinstance(node, list):
        _step_into(node, parts[-1], key)
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value
    return out


def _shallow(node: Any) -> Any:
    return dict(node) if isinstance(node, dict) else list(node) if isinstance(node, list) else node


def with_overrides(config: Config, overrides: dict[str, Any]) -> Config:
    """``config`` with dotted-key overrides applied and the whole validated again."""
    data = config.model_dump(mode="json", exclude_defaults=False)
    for key, value in overrides.items():
        field_of(key)
        data = set_dotted(data, key, value)
    return Config.model_validate(data)


def get_dotted(config: Config, key: str) -> Any:
    """The value at dotted ``key`` of ``config``."""
    node: Any = config.model_dump(mode="python")
    for i, part in enumerate(key.split(".")):
        node = _step_into(node, part, ".".join(key.split(".")[: i + 1]))
    return node


def field_of(key: str) -> Any:
    """The pydantic FieldInfo behind dotted ``key``: its default, bounds, unit and description.

    List indices (``portfolio.missions.0.ambition``) resolve to the item schema.
    """
    model: Any = Config
    info = None
    parts = key.split(".")
    for i, part in enumerate(parts):
        if part.isdigit() and info is not None:
            continue
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            raise KeyError(f"{'.'.join(parts[: i + 1])}: unknown key {part!r}")
        info = fields[part]
        model = _inner_model(info.annotation)
    return info


def leaf_fields(section: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(dotted key, FieldInfo, value) of every leaf under ``section``, walking the *instance*
    (nested defaults, such as each funder's budget, differ from their class defaults)."""
    for name, info in type(section).model_fields.items():
        key, value = f"{prefix}{name}", getattr(section, name)
        if isinstance(value, BaseModel):
            yield from leaf_fields(value, f"{key}.")
        else:
            yield key, info, value


def _inner_model(annotation: Any) -> Any:
    """The BaseModel class inside ``annotation`` (``X``, ``list[X]``, ``X | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def bounds(info: Any) -> tuple[float | None, float | None]:
    """(lower, upper) bounds of a numeric field, None where unbounded."""
    lo = hi = None
    for item in info.metadata:
        lo = getattr(item, "ge", lo) if getattr(item, "ge", None) is not None else lo
        hi = getattr(item, "le", hi) if getattr(item, "le", None) is not None else hi
    return lo, hi
