"""The mission-ecosystem model: ministries, firms, funders and citizens around a portfolio of missions.

Domain spec: the project's model brief, drawn from OECD OPSI's "Innovation
facets part 4: Mission-oriented innovation" and the OECD / Danish Design
Centre missions survey; equations and sources are in ``docs/ODD.md``.
One step is one month. Each phase gathers arrays, calls pure rules from
``simulation.rules`` and writes the results back.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from simulation import metrics
from simulation.agents import Citizen, Firm, Funder, Ministry
from simulation.model_args import finished, model_inputs
from simulation.params import Config, ReviewRule
from simulation.recorder import Recorder
from simulation.rng import int_seed, stream, stream_seed
from simulation.rules import governance as gov
from simulation.rules import mobilisation as mob
from simulation.rules import money, opinion, opposition
from simulation.rules import progress as prog
from simulation.state import build_actors, build_funders, build_missions, ministry_sets

STREAMS = ("init", "world", "elections", "indicators", "creep", "facets")
"""Named random streams; each draws only for its own process."""
NEUTRAL_MOMENTUM = 0.5
"""Momentum of every live mission while the momentum mechanism is off: neither stalled nor flying."""


class MissionModel(mesa.Model):
    """A portfolio of missions pursued by an ecosystem of actors, month by month."""

    def __init__(self, config: Config | None = None, *, rng: Any = None, seed: Any = None, agent_data: bool = False,
                 **kwargs: Any) -> None:
        config, seed = model_inputs(config, rng, seed, kwargs)  # Mesa's conventions: simulation.model_args
        super().__init__(rng=stream_seed(seed, "mesa"))
        self.config, self.seed, self.month = config, seed, 0
        self.streams = {name: stream(seed, name) for name in STREAMS}
        init = self.streams["init"]
        pf = config.portfolio
        sets = ministry_sets(config.population.ministries, pf.count, pf.ministries_per_mission, pf.overlap)
        self.actors = build_actors(config, pf.count, sets, init, int_seed(seed, "network"))
        self.missions = build_missions(config, pf.resolved(), init, self.actors.silo, sets)
        self.funders = build_funders(config, self.missions)
        self.lead_ministry = np.array([s[0] for s in sets])
        if not config.momentum.enabled:
            self.missions.momentum[:] = NEUTRAL_MOMENTUM
        self.missions.legitimacy = opinion.legitimacy(self.actors.support)  # the licence a mission starts with
        self._create_agents()
        self.recorder = Recorder(config.time.steps, pf.count, self.actors.kind.size, agents=agent_data)
        self.datacollector = mesa.DataCollector(model_reporters=metrics.MODEL_REPORTERS)
        self.record()

    def _create_agents(self) -> None:
        a = self.actors
        for cls, rows in ((Ministry, a.ministries), (Firm, slice(a.groups[1].start, a.groups[2].stop)),
                          (Citizen, a.citizens)):
            cls.create_agents(self, rows.stop - rows.start, list(range(rows.start, rows.stop)))
        Funder.create_agents(self, self.funders.kind.size, list(range(self.funders.kind.size)))

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One month, in a fixed order of phases."""
        if finished(self):
            return
        self.open_month()  # budgets, elections, leaders leaving
        self.fund()  # funders pay tranches; missions spend
        self.mobilise()  # engagement under attention limits; fatigue and burn-out
        self.oppose()  # resentment of the neglected; resistance of vested interests
        self.advance()  # progress, momentum, despair
        self.shape_opinion()  # citizens' support, cynicism, side effects
        self.govern()  # creep, lock-in, reviews, facets
        self.close_month()  # year-end lapse; record
        self.running = self.month < self.config.time.steps

    def run(self) -> MissionModel:
        """Run to the configured number of steps."""
        while self.month < self.config.time.steps:
            self.step()
        return self

    # ------------------------------------------------------------------ phases
    def open_month(self) -> None:
        c, m = self.config, self.missions
        self.month += 1
        if self.month_of_year == 0:
            self.funders.unpaid += self.funders.budget_left
            self.funders.budget_left = self.funders.annual_budget.copy()
        if c.cycles.enabled and self.month % c.cycles.election_interval == 0:
            turnover, size, direction = np.split(self.streams["elections"].random(2 * m.count + 1), [1, m.count + 1])
            if turnover[0] < c.cycles.turnover:
                m.commitment = gov.election_shift(m.commitment, size, direction, c.cycles.commitment_shock,
                                                  c.cycles.renewal)
        leaving = (m.leader_leaves_at == self.month) & (m.leader_present > 0)
        if leaving.any():
            m.leader_present[leaving] = 0.0
            if c.commitment.enabled:
                kept = np.where(leaving, mob.leader_loss(m.commitment, c.commitment.leader_shock), 1.0)
                self.actors.engagement *= kept[None, :]
                if c.momentum.enabled:
                    m.momentum *= kept

    def fund(self) -> None:
        c, m, f = self.config, self.missions, self.funders
        stalled = (m.momentum < 0.2) & (self.month > c.ambition.grace)
        target = money.allocation_target(
            m.budget_share, money.health(f.risk_appetite, stalled, c.funding.stall_penalty, m.hold), m.live)
        f.allocation = np.where(m.live[None, :], mob.approach(f.allocation, target, c.funding.reallocation), 0.0)
        delay = c.cycles.budget_delay if c.cycles.enabled else 0
        if money.paying_month(self.month_of_year, delay):
            payments = money.pay(money.tranche(f.budget_left, self.month_of_year, c.time.steps_per_year, delay),
                                 f.allocation)
            f.budget_left -= payments.sum(axis=1)
            f.paid += payments.sum(axis=1)
            m.received += payments.sum(axis=0)
            m.treasury += payments.sum(axis=0)
        m.spent_now = money.spend(m.treasury, m.live, c.funding.spend_rate)
        m.treasury -= m.spent_now
        m.spent += m.spent_now
        m.spent_after_purpose += m.spent_now * (m.achieved | m.problem_gone)
        need = c.funding.cost_per_work * m.work_needed / m.horizon
        m.money_ratio = np.minimum(m.spent_now / need, 1.0)
        m.credibility = mob.approach(m.credibility, m.money_ratio, 0.1)

    def mobilise(self) -> None:
        c, m, a = self.config, self.missions, self.actors
        live = m.live.astype(float)
        salience = mob.salience(int(m.pursuing.sum()), c.attention.salience_decay) if c.attention.enabled else 1.0
        stretch = mob.stretch(m.ambition, c.ambition.stretch) if c.ambition.enabled else np.ones(m.count)
        cm = c.commitment
        political = (mob.political_pull(m.commitment, m.leadership, m.leader_present, cm.trust, cm.commitment_weight,
                                        cm.leadership_weight) if cm.enabled else np.ones(m.count))
        pull = mob.mission_pull(political, m.momentum, m.legitimacy, salience, stretch, m.despair,
                                c.momentum.weight, c.ambition.despair_weight)
        exposure = a.exposure * (1.0 - self._side_effect_cost()) if c.ramifications.enabled else a.exposure
        willing = mob.willingness(exposure, a.gate, a.cynicism, pull * live, a.money_weight, m.money_ratio)
        ask = c.attention.ask * (0.5 + m.ambition)
        demand = mob.demand(a.exposure, ask, live)
        if c.attention.enabled:
            effort = mob.allocate_effort(willing, a.exposure, ask, live, demand, a.capacity, a.fatigue, a.burnt_out)
            at = c.attention
            load = np.where(a.burnt_out, 0.0, demand / a.capacity)  # the burnt-out have disengaged
            a.fatigue = mob.update_fatigue(a.fatigue, load, at.sustainable_load, at.fatigue_build,
                                           at.fatigue_recovery)
            a.burnt_out = mob.update_burnout(a.burnt_out, a.fatigue, at.burnout_at, at.recovered_at)
        else:
            effort = np.minimum(willing, a.exposure * (ask * live)[None, :])
        a.engagement = mob.approach(a.engagement, effort, c.production.adaptation)

    def oppose(self) -> None:
        c, m, a = self.config, self.missions, self.actors
        mins = a.ministries
        live = m.live.astype(float)
        involved = (a.exposure[mins] * live[None, :]).max(axis=1) if m.count else np.zeros(mins.stop)
        if c.neglect.enabled:
            pressure = opposition.neglect_pressure(m.money_ratio * live, involved.mean())
            a.resentment[mins] = opposition.update_resentment(a.resentment[mins], involved, pressure,
                                                              c.neglect.rate, c.neglect.decay)
        r = c.resistance
        if r.enabled:
            inc = a.incumbents
            threat = opposition.threat(a.vested[inc], a.exposure[inc], m.ambition, m.specificity, r.focal_weight, live)
            a.lobbying = mob.approach(a.lobbying, threat, r.mobilisation)
        firms = slice(a.groups[1].start, a.groups[2].stop)
        lobbying = np.zeros((firms.stop - firms.start, m.count))
        lobbying[: a.lobbying.shape[0]] = a.lobbying
        conversion = c.neglect.conversion if c.neglect.enabled else 0.0
        m.resistance = opposition.resistance(lobbying, a.exposure[firms], a.resentment[mins],
                                             1.0 - a.exposure[mins], conversion) * live
        m.commitment = np.clip(m.commitment - r.erosion * m.resistance, 0.0, 1.0)

    def advance(self) -> None:
        c, m, a = self.config, self.missions, self.actors
        weights = self._group_weights()
        ask = c.attention.ask * (0.5 + m.ambition)
        effort = a.engagement.copy()
        if c.silos.enabled:
            effort[a.ministries] *= (1.0 - a.silo[a.ministries] * (1.0 - c.silos.alignment))[:, None]
        m.effort = prog.group_effort(effort, a.exposure, ask, a.groups, weights)
        multiplier = prog.drag(m.resistance, c.resistance.drag)
        if c.ambition.enabled:
            multiplier = multiplier * prog.innovation(m.ambition, m.prescriptiveness, c.ambition.radical_gain)
        if c.silos.enabled:
            multiplier = multiplier * prog.coordination(m.n_ministries, m.silo, c.silos.alignment,
                                                        c.silos.coordination_cost)
        if c.facets.enabled:
            fc = c.facets
            multiplier = multiplier * np.array([1.0, fc.enhancement_pace, fc.adaptive_pace, fc.anticipatory_pace])[m.facet]
        multiplier = multiplier * prog.learning(m.experience, c.production.novice_productivity,
                                                c.production.learning_effort)
        m.experience += m.effort
        pursuing = m.pursuing & ~m.achieved
        m.pace = prog.pace(c.production.productivity, m.effort, m.money_ratio, c.production.effort_elasticity,
                           multiplier) * pursuing
        m.work_done = np.minimum(m.work_done + m.pace, np.where(pursuing, np.inf, m.work_done))
        reference = m.work_needed / m.horizon
        visibility = 0.5 * (m.specificity + m.monitoring)
        seen = prog.perceived_pace(m.pace, visibility, c.momentum.noise, reference,
                                   self.streams["indicators"].standard_normal(m.count))
        m.seen_pace = mob.approach(m.seen_pace, seen, c.momentum.smoothing)
        momentum = prog.update_momentum(m.momentum, seen, reference, c.momentum.smoothing) if c.momentum.enabled \
            else NEUTRAL_MOMENTUM
        m.momentum = np.where(m.live, momentum, 0.0)
        if c.ambition.enabled:
            m.despair = mob.despair(m.seen_pace, m.work_needed - m.work_done, m.horizon - self.month, self.month,
                                    c.ambition.grace) * pursuing

    def shape_opinion(self) -> None:
        c, m, a = self.config, self.missions, self.actors
        cit = a.citizens
        stretch = mob.stretch(m.ambition, c.ambition.stretch) if c.ambition.enabled else np.ones(m.count)
        side = m.side_effects if c.ramifications.enabled else np.zeros(m.count)
        target = opinion.support_target(opinion.appeal(stretch, m.momentum), a.cynicism[cit], a.affected[cit], side,
                                        c.ramifications.erosion)
        support = mob.approach(a.support, target, 0.1)
        a.support = opinion.social_influence(support, a.adjacency, a.degree, c.network.influence)
        m.legitimacy = opinion.legitimacy(a.support)
        if c.gap.enabled:
            gap = opinion.credibility_gap(m.credibility, c.gap.credibility_floor) * (self.month > c.ambition.grace)
            a.cynicism = opinion.update_cynicism(a.cynicism, a.exposure, gap, m.live, c.gap.rate, c.gap.decay)
        if c.ramifications.enabled:
            ratio = m.pace / np.maximum(m.work_needed / m.horizon, 1e-12)
            m.side_effects = opinion.update_side_effects(m.side_effects, ratio, c.ramifications.rate,
                                                         c.ramifications.decay)

    def govern(self) -> None:
        c, m = self.config, self.missions
        newly = (m.work_done >= m.work_needed) & ~m.achieved & m.pursuing
        m.achieved_at[newly] = self.month
        world = self.streams["world"].random(m.count)
        m.problem_gone |= m.pursuing & ~m.achieved & (world < c.lockin.problem_hazard)
        if c.creep.enabled:
            chance = gov.creep_chance(m.share, m.legitimacy, m.pursuing & ~m.achieved, c.creep.rate)
            crept = self.streams["creep"].random(m.count) < chance
            m.work_needed = m.work_needed + crept * c.creep.size * m.goal_size * m.ambition
            m.specificity = m.specificity * np.where(crept, 1.0 - c.creep.focus_loss, 1.0)
            m.creep += crept
        self._apply_lock_in()
        if c.facets.enabled:
            fc = c.facets
            noise = self.streams["facets"].normal(0.0, fc.framing_drift, m.count)
            m.framing_fit = gov.drift_fit(m.framing_fit, m.facet, noise, fc.reframing)
            m.facet = gov.facet(m.facet, m.share, m.framing_fit, m.side_effects, fc.enhancement_at,
                                fc.adaptive_below, fc.anticipatory_above).astype(np.int8)

    def close_month(self) -> None:
        c, m = self.config, self.missions
        if self.month_of_year == c.time.steps_per_year - 1:
            carry = c.cycles.carry_over if c.cycles.enabled else 1.0
            lapse = money.year_end_lapse(m.treasury, carry)
            m.treasury -= lapse
            m.lapsed += lapse
        self.record()

    # ------------------------------------------------------------------ helpers
    @property
    def month_of_year(self) -> int:
        """Month within the fiscal year; month 1 of a run is month 0 of year 1."""
        return (self.month - 1) % self.config.time.steps_per_year

    def _side_effect_cost(self) -> np.ndarray:
        return np.clip(self.config.ramifications.erosion * self.actors.affected * self.missions.side_effects, 0.0, 1.0)

    def _group_weights(self) -> list[float]:
        """Shares of the mission's needed effort from ministries, incumbents, challengers and citizens."""
        c = self.config
        citizens = c.new_voices.citizen_weight
        gov_share = (1.0 - citizens) * c.production.government_weight
        firms = 1.0 - citizens - gov_share
        challengers = c.new_voices.challenger_weight
        return [gov_share, firms * (1.0 - challengers), firms * challengers, citizens]

    def _apply_lock_in(self) -> None:
        c, m = self.config, self.missions
        lk = c.lockin
        m.status = gov.purpose_check(m.status, m.achieved, m.problem_gone, lk.enabled).astype(np.int8)
        locked = m.status == gov.Status.LOCKED_IN
        m.hold = np.where(locked, m.hold * lk.hold, m.hold)
        faded = locked & (m.hold < 0.05)
        m.status = np.where(faded, gov.end_status(m.achieved, m.problem_gone), m.status).astype(np.int8)
        age = self.month
        if lk.rule is ReviewRule.REVIEW and age >= lk.first_review and (age - lk.first_review) % lk.review_interval == 0:
            m.status = gov.review(m.status, m.achieved, m.problem_gone, m.share, age, m.horizon, lk.on_track).astype(np.int8)
        elif lk.rule is ReviewRule.SUNSET and age == lk.first_review:
            m.status = gov.sunset(m.status, m.achieved, m.problem_gone).astype(np.int8)
        m.hold = np.where(m.live, m.hold, 0.0)

    def record(self) -> None:
        self.recorder.record(self.missions, self.actors, self.funders)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ results
    def mission_frame(self):
        return self.recorder.mission_frame(self.missions.names)

    def actor_frame(self):
        return self.recorder.actor_frame()

    def agent_frame(self):
        return self.recorder.agent_frame(self.actors.kind)

    def summary(self) -> dict:
        return metrics.run_summary(self)

    def mission_summary(self) -> list[dict]:
        return metrics.mission_summary(self.missions, self.recorder.facet_months)
