"""The model's schedule over state arrays, for one run or for R replicates stacked on a leading axis.

Domain spec: the project's model brief, drawn from OECD OPSI's "Innovation
facets part 4: Mission-oriented innovation" and the OECD / Danish Design
Centre missions survey; equations and sources are in ``docs/ODD.md``.
One step is one month. Each phase gathers arrays, calls pure rules from
``simulation.core.rules`` and writes the results back.

Every phase addresses the actor and mission axes as -2/-1, so the same code
advances one run (arrays shaped (A, M)) or an ensemble (arrays shaped
(R, A, M), see :mod:`simulation.core.ensemble`). Each replicate keeps its own
seed and random streams, and the summation order along every axis is the one
a run alone uses, so a replicate of an ensemble is bit-identical to the same
seed run alone. :class:`~simulation.core.model.MissionModel` is this engine
with no replicate axis, plus Mesa's agents and DataCollector.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulation.core import fused, varying
from simulation.core.model_args import finished
from simulation.core.recorder import Recorder
from simulation.core.rng import int_seed, stream
from simulation.core.rules import choice, money, opinion, opposition, progress, work
from simulation.core.rules import governance as gov
from simulation.core.rules.adjust import approach
from simulation.core.rules.axes import max_missions, per_pair, sum_actors
from simulation.core.run_tables import RunTables
from simulation.core.state import build_actors, build_funders, build_missions, ministry_sets, stack
from simulation.inputs.params import Config, ReviewRule

STREAMS = ("init", "world", "elections", "indicators", "creep", "facets", "purpose")
"""Named random streams; each draws only for its own process."""
DRAWN_AHEAD = 12
"""Months of draws a stream takes at once (:meth:`Engine.draw`)."""


@dataclass
class Ahead:
    """A stream's draws for the months ahead: drawn as ``how`` (method, arguments, size), next to use ``next``."""

    how: tuple
    values: np.ndarray
    next: int = 0


class Engine(RunTables):
    """A portfolio of missions pursued by an ecosystem of actors, month by month.

    ``seeds`` is one run seed (no replicate axis) or a sequence of them (one replicate each, stacked); the
    replicates of a sequence run on ``config``, or on ``config[k]`` each where a sequence of configurations of
    one structure is given (:mod:`simulation.core.varying`)."""

    def __init__(self, config: Config | Sequence[Config], seeds: int | Sequence[int], agent_data: bool = False) -> None:
        batched = not isinstance(seeds, int | np.integer)
        runs = [int(s) for s in seeds] if batched else [int(seeds)]
        configs = list(config) if isinstance(config, Sequence) else [config] * len(runs)
        if len(configs) != len(runs):
            raise ValueError(f"{len(configs)} configurations for {len(runs)} seeds")
        self.config, self.configs, self.month = configs[0], configs, 0
        self.p = varying.parameters(configs)  # what the phases read: one value, or one per replicate
        config = self.config  # the structure every replicate shares
        self.replicates = len(runs) if batched else None
        if not batched:
            self.seed = runs[0]
        streams = [{name: stream(seed, name) for name in STREAMS} for seed in runs]
        pf = config.portfolio
        sets = ministry_sets(config.population.ministries, pf.count, pf.ministries_per_mission, pf.overlap)
        parts = []
        for seed, own, cfg in zip(runs, streams, configs, strict=True):
            actors = build_actors(cfg, pf.count, sets, own["init"], int_seed(seed, "network"))
            missions = build_missions(cfg, cfg.portfolio.resolved(), own["init"], actors.silo, sets)
            parts.append((missions, actors, build_funders(cfg, missions)))
        if batched:
            self.missions, self.actors, self.funders = (stack([p[i] for p in parts]) for i in range(3))
            self.streams = {name: [own[name] for own in streams] for name in STREAMS}
        else:
            (self.missions, self.actors, self.funders), self.streams = parts[0], streams[0]
        self._ahead: dict[str, Ahead] = {}
        self.lead_ministry = np.array([s[0] for s in sets])
        a = self.actors  # who is exposed to which mission, and with what capacity, is fixed for the run:
        self.exposed = a.exposure > 0
        self.rooms = progress.exposed_capacity(a.exposure, a.capacity, a.groups)  # each group's, for effort
        self.room = sum_actors(a.exposure * (self.p.choice.overtime * a.capacity)[..., None])  # all, for engagement
        self.exposed_incumbents = sum_actors(a.exposure[..., a.incumbents, :])  # for lobbying's share
        if not config.momentum.enabled:
            self.missions.momentum[:] = choice.NEUTRAL
        self.missions.legitimacy = opinion.legitimacy(self.actors.support)  # the licence a mission starts with
        lead = () if self.replicates is None else (self.replicates,)
        self.recorder = Recorder(config.time.steps, pf.count, self.actors.kind.size, agents=agent_data, lead=lead)
        at, ch = self.p.attention, self.p.choice
        self.work_setting = work.Setting(at.enabled, at.fatigue_weight, choice.bau_bias(ch.slack, ch.overtime),
                                         at.crowding, ch.overtime, self.p.production.adaptation, at.money_relief,
                                         at.progress_relief, at.fatigue_build, at.fatigue_recovery, at.recovery_point)
        self.running = True
        self.record()

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One month, in a fixed order of phases."""
        if finished(self):
            return
        self.open_month()  # budgets, elections, leaders leaving
        self.fund()  # funders pay tranches; missions spend
        self.mobilise()  # every actor splits its time; fatigue and burn-out from what it gives
        self.oppose()  # neglected ministries resent; incumbents decide whether to lobby
        self.advance()  # incremental and radical change; what actors see of it: momentum, despair
        self.shape_opinion()  # citizens' support, cynicism, side effects
        self.govern()  # goals met, problems gone, goals attached (creep), lock-in, reviews, facets
        self.close_month()  # year-end lapse; record
        self.running = self.month < self.config.time.steps

    def run(self) -> Engine:
        """Run to the configured number of steps."""
        while self.month < self.config.time.steps:
            self.step()
        return self

    # ------------------------------------------------------------------ phases
    def open_month(self) -> None:
        c, m, f = self.p, self.missions, self.funders
        self.month += 1
        if self.month_of_year == 0:
            f.unpaid += f.budget_left
            f.budget_left[...] = f.annual_budget
        if c.cycles.enabled and self.month % c.cycles.election_interval == 0:
            turnover, size, direction = np.split(self.draw("elections", "random", size=2 * m.count + 1), [1, m.count + 1],
                                                 axis=-1)
            shifted = gov.election_shift(m.commitment, size, direction, c.cycles.commitment_shock, c.cycles.renewal)
            m.commitment = np.where(turnover < c.cycles.turnover, shifted, m.commitment)
        m.leader_present[m.leader_leaves_at == self.month] = 0.0  # what that costs follows from choices

    def fund(self) -> None:
        c, m, f = self.p, self.missions, self.funders
        stalled = money.stalled(m.momentum) * (self.month > c.ambition.grace)
        grant = money.health(f.risk_appetite, stalled, c.funding.stall_penalty, m.hold)
        grant = grant * money.release(f.political, self._backing_seen(), c.commitment.budget_weight)
        target = money.allocation_target(m.budget_share, grant, m.live)
        f.allocation = np.where(m.live[..., None, :], approach(f.allocation, target, per_pair(c.funding.reallocation)), 0.0)
        delay = c.cycles.budget_delay if c.cycles.enabled else 0
        if money.paying_month(self.month_of_year, delay):
            tranche = money.tranche(f.budget_left, self.month_of_year, c.time.steps_per_year, delay)
            payments = money.pay(tranche, f.allocation)
            f.budget_left -= tranche
            f.unpaid += tranche - payments.sum(axis=-1)  # what a funder holds back is not paid later in the year
            f.paid += payments.sum(axis=-1)
            m.received += payments.sum(axis=-2)
            m.treasury += payments.sum(axis=-2)
        m.spent_now = money.spend(m.treasury, m.live, c.funding.spend_rate)
        m.treasury -= m.spent_now
        m.spent += m.spent_now
        m.spent_after_purpose += m.spent_now * (m.achieved | m.problem_gone)
        full_pace = c.funding.cost_per_work * c.production.productivity  # what work at full pace costs a month
        m.money_ratio = money.money_ratio(m.spent_now, full_pace)
        announced = c.funding.cost_per_work * self._needed_pace()  # what the announced goal needs a month
        m.credibility = approach(m.credibility, np.minimum(m.spent_now / np.maximum(announced, 1e-12), 1.0), 0.1)

    def mobilise(self) -> None:
        m, a = self.missions, self.actors
        effort = work.Effort(a.engagement, a.own_work, a.fatigue, a.burnt_out)
        effort = fused.month_of_work(self._drivers(), self.exposed, m.live, effort, a.capacity, a.threshold,
                                     m.money_ratio, m.momentum, self.work_setting)
        a.engagement, a.own_work, a.fatigue, a.burnt_out = effort

    def oppose(self) -> None:
        c, m, a = self.p, self.missions, self.actors
        mins, inc = a.ministries, a.incumbents
        live = m.live.astype(float)
        if c.neglect.enabled:
            involved = max_missions(a.exposure[..., mins, :] * live[..., None, :])
            loss = opposition.own_work_loss(involved, a.own_work[..., mins], a.own_reference[..., mins])
            a.resentment[..., mins] = opposition.update_resentment(a.resentment[..., mins], loss, c.neglect.rate,
                                                                   c.neglect.decay)
        r = c.resistance
        if r.enabled:
            loss = opposition.expected_loss(a.vested[..., inc], a.exposure[..., inc, :], self._ambition_seen() * live,
                                            m.specificity, self._commitment_seen(), m.momentum, r.focal_weight)
            others = opposition.lobbying_share(a.lobbying[..., inc, :], self.exposed_incumbents)
            decides = opposition.lobbies(loss, a.lobby_cost[..., inc], others, r.coalition) & (a.exposure[..., inc, :] > 0)
            a.lobbying[..., inc, :] = approach(a.lobbying[..., inc, :], decides.astype(float), per_pair(r.mobilisation))
        lobby = opposition.lobbying_share(a.lobbying[..., inc, :], self.exposed_incumbents)
        conversion = c.neglect.conversion if c.neglect.enabled else 0.0
        m.resistance = opposition.resistance(lobby, a.resentment[..., mins], 1.0 - a.exposure[..., mins, :],
                                             conversion) * live
        m.commitment = np.clip(m.commitment - r.erosion * m.resistance, 0.0, 1.0)

    def advance(self) -> None:
        c, m, a = self.p, self.missions, self.actors
        amb, prod = c.ambition, c.production
        effort = a.engagement.copy()
        if c.silos.enabled:
            mins = a.ministries
            effort[..., mins, :] *= (1.0 - a.silo[..., mins] * (1.0 - c.silos.alignment))[..., None]
        m.effort = progress.group_effort(effort, self.rooms, a.groups, self._group_weights())
        m.engagement = self._engagement()
        multiplier = progress.drag(m.resistance, c.resistance.drag)
        if c.silos.enabled:
            multiplier = multiplier * progress.coordination(m.n_ministries, m.silo, c.silos.alignment,
                                                            c.silos.coordination_cost)
        if c.facets.enabled:
            fc = c.facets
            multiplier = multiplier * gov.facet_pace(m.facet, fc.enhancement_pace, fc.adaptive_pace, fc.anticipatory_pace)
        multiplier = multiplier * progress.learning(m.experience, prod.novice_productivity, prod.learning_effort)
        m.experience += m.effort
        radical = progress.radical_share(self._goal_seen() / m.goal_size, amb.incremental_reach, m.prescriptiveness)
        m.radical_share = radical * m.pursuing  # past its purpose, a mission only polishes what it has
        work = progress.pace(prod.productivity, m.effort, m.money_ratio, prod.effort_elasticity, multiplier) * m.live
        radical_work = work * m.radical_share
        m.radical_experience += radical_work
        insight = progress.radical_productivity(m.radical_experience, prod.learning_effort, amb.radical_gain,
                                                progress.challenger_share(a.engagement, a.incumbents, a.challengers),
                                                c.new_voices.challenger_insight)
        gained = progress.incremental_gain(work - radical_work, m.incremental, amb.incremental_reach * m.goal_size)
        m.incremental += gained
        m.radical += radical_work * insight
        m.pace = gained + radical_work * insight
        m.external += self._outside_change()
        m.work_done = m.incremental + m.radical + m.external
        reference = self._needed_pace()
        visibility = 0.5 * (m.specificity + m.monitoring) if c.momentum.enabled else choice.NEUTRAL
        seen = progress.perceived_pace(m.pace, visibility, c.momentum.noise, reference,
                                       self.draw("indicators", "standard_normal", size=m.count))
        m.seen_pace = approach(m.seen_pace, seen, c.momentum.smoothing)
        felt = progress.momentum(m.seen_pace, reference) if c.momentum.enabled else choice.NEUTRAL
        m.momentum = np.where(m.live, felt, 0.0)
        if amb.enabled:
            hopeless = progress.despair(m.seen_pace, m.work_needed - m.work_done, m.horizon - self.month, amb.grace)
            judging = m.pursuing & (self.month >= amb.grace)
            m.despair = np.where(judging, approach(m.despair, hopeless, 1.0 / max(amb.grace, 1)), 0.0)

    def shape_opinion(self) -> None:
        c, m, a = self.p, self.missions, self.actors
        cit = a.citizens
        side = m.side_effects if c.ramifications.enabled else np.zeros_like(m.side_effects)
        appeal = opinion.appeal(self._meaning(), m.momentum, self._commitment_seen())
        a.support = fused.citizens_month(appeal, a.cynicism[..., cit], a.affected[..., cit, :], side,
                                         c.ramifications.erosion, a.support, a.adjacency, a.degree, c.network.influence)
        m.legitimacy = opinion.legitimacy(a.support)
        if c.gap.enabled:
            gap = opinion.credibility_gap(m.credibility, c.gap.credibility_floor) * (self.month > c.ambition.grace) * m.live
            a.disillusion = fused.update_disillusion(a.disillusion, a.exposure, gap, c.gap.rate, c.gap.decay)
        if c.ramifications.enabled:
            ratio = m.pace / np.maximum(m.work_needed / m.horizon, 1e-12)
            m.side_effects = opinion.update_side_effects(m.side_effects, ratio, c.ramifications.rate,
                                                         c.ramifications.decay)

    def govern(self) -> None:
        c, m = self.p, self.missions
        newly = (m.work_done >= m.work_needed) & ~m.achieved & m.pursuing
        m.achieved_at[newly] = self.month
        world = self.draw("world", "random", size=m.count)
        m.problem_gone |= m.pursuing & ~m.achieved & (world < c.lockin.problem_hazard)
        if c.creep.enabled:
            self._attach_goals()
        self._apply_lock_in()
        if c.facets.enabled:
            fc = c.facets
            noise = 0.0 + fc.framing_drift * self.draw("facets", "standard_normal", size=m.count)  # normal(0, drift)
            m.framing_fit = gov.drift_fit(m.framing_fit, m.facet, noise, fc.reframing)
            m.facet = gov.facet(m.facet, m.share, m.framing_fit, m.side_effects, fc.enhancement_at,
                                fc.adaptive_below, fc.anticipatory_above).astype(np.int8)

    def close_month(self) -> None:
        c, m = self.p, self.missions
        if self.month_of_year == c.time.steps_per_year - 1:
            carry = c.cycles.carry_over if c.cycles.enabled else 1.0
            lapse = money.year_end_lapse(m.treasury, carry)
            m.treasury -= lapse
            m.lapsed += lapse
        self.record()

    def record(self) -> None:
        self.recorder.record(self.missions, self.actors, self.funders)

    # ------------------------------------------------------------------ helpers
    @property
    def month_of_year(self) -> int:
        """Month within the fiscal year; month 1 of a run is month 0 of year 1."""
        return (self.month - 1) % self.config.time.steps_per_year

    def draw(self, name: str, method: str, *args: Any, size: int | tuple[int, ...]) -> np.ndarray:
        """This month's draws of stream ``name`` shaped ``size``, one set per replicate from the replicate's own
        stream, stacked on the replicate axis.

        A stream draws for DRAWN_AHEAD months at once, one call per replicate, not one a month: a Generator fills
        an array element after element, so the values are the ones monthly calls give, and an ensemble's step
        does not pay a call per replicate and stream every month. A stream is drawn one way only."""
        how = (method, args, size)
        ahead = self._ahead.get(name)
        if ahead is not None and ahead.how != how:
            raise ValueError(f"stream {name!r} drawn as {how}, after {ahead.how}")
        if ahead is None or ahead.next == len(ahead.values):
            shape = (DRAWN_AHEAD, *(size if isinstance(size, tuple) else (size,)))
            found = self.streams[name]
            values = getattr(found, method)(*args, size=shape) if self.replicates is None else \
                np.stack([getattr(g, method)(*args, size=shape) for g in found], axis=1)
            ahead = self._ahead[name] = Ahead(how, values)
        ahead.next += 1
        return ahead.values[ahead.next - 1]

    def _ambition_seen(self) -> np.ndarray:
        """The ambition actors respond to: the mission's own, or a neutral 0.5 when ambition is off
        (the goal's size still sets the work needed, but no actor reacts to how far it reaches)."""
        m = self.missions
        return m.ambition if self.config.ambition.enabled else np.full_like(m.ambition, choice.NEUTRAL)

    def _goal_seen(self) -> np.ndarray:
        """The goal actors judge progress against, in work units, crept goals included."""
        m = self.missions
        return m.work_needed - m.goal_size * (m.ambition - self._ambition_seen())

    def _needed_pace(self) -> np.ndarray:
        """The pace the goal actors see needs over the horizon."""
        return self._goal_seen() / self.missions.horizon

    def _commitment_seen(self) -> np.ndarray:
        """The formal commitment actors and funders respond to: the mission's own, or a neutral 0.5 when the
        commitment mechanism is off."""
        m = self.missions
        return m.commitment if self.config.commitment.enabled else np.full_like(m.commitment, choice.NEUTRAL)

    def _backing_seen(self) -> np.ndarray:
        """The political backing state funders release money on: the stronger of formal commitment and a present
        leader's push as far as funders trust it; neutral when the commitment mechanism is off."""
        c, m = self.p, self.missions
        if not c.commitment.enabled:
            return self._commitment_seen()
        return money.backing(m.commitment, m.leadership * m.leader_present, c.commitment.trust)

    def _meaning(self) -> np.ndarray:
        """What a mission's ambition means to those asked to work on it."""
        return choice.meaning(self._ambition_seen())

    def _drivers(self) -> choice.Drivers:
        """The weighted terms of every actor's utility for every mission, each from its own mechanism."""
        c, m, a = self.p, self.missions, self.actors
        cm = c.commitment
        mission = c.ambition.stretch * self._meaning() + c.momentum.weight * m.momentum
        if c.ambition.enabled:
            mission = mission - c.ambition.despair_weight * m.despair
        if cm.enabled:
            mission = mission + cm.commitment_weight * m.commitment
        if c.attention.enabled:  # each replicate's own count of other live missions
            mission = mission - c.attention.salience_decay * np.maximum(m.live.sum(axis=-1, keepdims=True) - 1, 0)
        ch = c.choice  # mission work is weighed against the actor's own work, not against rest
        actor = ch.base_pull + choice.bau_bias(ch.slack, ch.overtime) - c.gap.cynicism_weight * a.cynicism
        if not cm.enabled:  # every mission as if formally half-committed, with a leader half-trusted
            actor = actor + choice.NEUTRAL * (cm.commitment_weight + choice.NEUTRAL**2 * cm.leadership_weight)
        if c.new_voices.enabled:
            nv = c.new_voices
            actor = actor + nv.respect_weight * (nv.inclusion - choice.NEUTRAL) * a.new_voice
        push, trusted = choice.leadership_factors(m.leadership, m.leader_present, a.trust, a.cynicism,
                                                  cm.leadership_weight) if cm.enabled else (None, None)
        rm = c.ramifications
        affected, side = (a.affected, m.side_effects) if rm.enabled else (None, None)
        return choice.Drivers(mission, actor, a.grant_pull, m.money_ratio, push, trusted, rm.erosion, affected, side)

    def _engagement(self) -> np.ndarray:
        """Share of the most time exposed actors could work that they give each mission, in [0, 1]."""
        room = self.room
        return np.divide(sum_actors(self.actors.engagement), room, out=np.zeros(room.shape), where=room > 0)

    def _outside_change(self) -> np.ndarray | float:
        """What the events under way this month move, per mission, in work units (``Config.events``): data, so
        not part of the pace actors judge the mission by. Their months are shared by an ensemble's replicates."""
        under_way = [e.month <= self.month < e.month + e.months for e in self.config.events]
        return self.missions.event_work[..., under_way, :].sum(axis=-2) if any(under_way) else 0.0

    def _attach_goals(self) -> None:
        """Ministries attach goals of their own to missions whose success and support make it pay."""
        c, m, a = self.p, self.missions, self.actors
        mins = a.ministries
        attraction = gov.attraction(m.share, m.legitimacy, m.momentum, c.creep.success_weight) * (m.pursuing & ~m.achieved)
        pays = gov.attach_pays(a.goal_fit[..., mins, :], attraction, c.creep.cost, m.specificity,
                               a.attached[..., mins, :])
        attach = pays & (self.draw("creep", "random", size=pays.shape[-2:]) < per_pair(c.creep.rate))
        a.attached[..., mins, :] |= attach
        added = attach.sum(axis=-2)
        m.work_needed = m.work_needed + added * c.creep.size * m.goal_size * m.ambition
        m.specificity = m.specificity * (1.0 - c.creep.focus_loss) ** added
        m.creep += added

    def _group_weights(self) -> list[float]:
        """Shares of the mission's work from ministries, incumbents, challengers and citizens."""
        c = self.p
        citizens = c.new_voices.citizen_weight
        gov_share = (1.0 - citizens) * c.production.government_weight
        firms = 1.0 - citizens - gov_share
        challengers = c.new_voices.challenger_weight
        return [gov_share, firms * (1.0 - challengers), firms * challengers, citizens]

    def _apply_lock_in(self) -> None:
        c, m = self.p, self.missions
        lk = c.lockin
        m.status = gov.purpose_check(m.status, m.achieved, m.problem_gone, lk.enabled).astype(np.int8)
        locked = m.status == gov.Status.LOCKED_IN
        visibility = 0.5 * (m.specificity + m.monitoring)
        m.purpose_seen |= locked & gov.reveals(visibility, self.draw("purpose", "random", size=m.count))
        m.hold = np.where(locked & m.purpose_seen, m.hold * lk.hold, m.hold)
        faded = locked & (m.hold < 0.05)
        m.status = np.where(faded, gov.end_status(m.achieved, m.problem_gone), m.status).astype(np.int8)
        age = self.month
        reviews = lk.enabled  # with no lock-in to guard against there are no reviews or sunsets either
        if reviews and lk.rule is ReviewRule.REVIEW and age >= lk.first_review \
                and (age - lk.first_review) % lk.review_interval == 0:
            m.status = gov.review(m.status, m.achieved, m.problem_gone, m.share, age, m.horizon, lk.on_track).astype(np.int8)
        elif reviews and lk.rule is ReviewRule.SUNSET and age == lk.first_review:
            m.status = gov.sunset(m.status, m.achieved, m.problem_gone).astype(np.int8)
        m.hold = np.where(m.live, m.hold, 0.0)
