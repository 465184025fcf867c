"""Unit tests of the pure rules, with hand-computed expectations."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from simulation.rules import governance as gov
from simulation.rules import mobilisation as mob
from simulation.rules import money, opinion, opposition
from simulation.rules import progress as prog
from simulation.rules.governance import Status


# ---------------------------------------------------------------- mobilisation
def test_salience_falls_with_each_extra_mission():
    assert mob.salience(1, 0.5) == 1.0
    assert mob.salience(3, 0.5) == pytest.approx(0.5)
    assert mob.salience(0, 0.5) == 1.0


def test_stretch_rises_with_ambition_and_is_neutral_at_full_ambition():
    assert_allclose(mob.stretch(np.array([0.0, 0.5, 1.0]), 0.8), [0.2, 0.6, 1.0])


def test_leadership_mobilises_only_with_trust():
    high = mob.political_pull(0.0, 1.0, 1.0, trust=0.9, w_commit=1.0, w_lead=1.0)
    low = mob.political_pull(0.0, 1.0, 1.0, trust=0.0, w_commit=1.0, w_lead=1.0)
    gone = mob.political_pull(0.0, 1.0, 0.0, trust=0.9, w_commit=1.0, w_lead=1.0)
    committed = mob.political_pull(0.8, 0.0, 0.0, trust=0.0, w_commit=1.0, w_lead=1.0)
    assert (high, low, gone, committed) == pytest.approx((0.9, 0.0, 0.0, 0.8))


def test_despair_is_the_share_of_remaining_work_left_undone_after_grace():
    d = mob.despair(pace=np.array([1.0, 1.0, 1.0, 1.0]), remaining_work=np.array([20.0, 5.0, 0.0, 20.0]),
                    months_left=np.array([10.0, 10.0, 10.0, 10.0]), age=np.array([12, 12, 12, 3]), grace=6)
    assert_allclose(d, [0.5, 0.0, 0.0, 0.0])


def test_willingness_saturates_and_is_gated():
    exposure = np.array([[1.0, 0.0], [1.0, 1.0]])
    w = mob.willingness(exposure, gate=np.array([1.0, 0.5]), cynicism=np.array([0.0, 0.0]),
                        pull=np.array([np.log(2.0), 0.0]), money_weight=np.zeros(2), funding=np.zeros(2))
    assert_allclose(w, [[0.5, 0.0], [0.25, 0.0]])


def test_effort_is_squeezed_to_capacity_left_by_fatigue():
    exposure = np.ones((1, 2))
    ask = np.array([0.5, 0.5])
    active = np.ones(2)
    demand = mob.demand(exposure, ask, active)
    assert_allclose(demand, [1.0])
    effort = mob.allocate_effort(np.ones((1, 2)), exposure, ask, active, demand, capacity=np.array([1.0]),
                                 fatigue=np.array([0.5]), burnt_out=np.array([False]))
    assert_allclose(effort, [[0.25, 0.25]])
    out = mob.allocate_effort(np.ones((1, 2)), exposure, ask, active, demand, np.array([1.0]), np.array([0.0]),
                              np.array([True]))
    assert_allclose(out, 0.0)


def test_fatigue_builds_above_sustainable_load_and_recovers_slower_when_deep():
    f = mob.update_fatigue(np.array([0.2, 0.2, 0.8]), np.array([2.0, 0.0, 0.0]), 1.0, 0.1, 0.1)
    assert_allclose(f, [0.3, 0.2 - 0.1 * 0.8, 0.8 - 0.1 * 0.2])


def test_burnout_has_hysteresis():
    burnt = mob.update_burnout(np.array([False, True, True, False]), np.array([0.8, 0.5, 0.2, 0.5]), 0.75, 0.35)
    assert burnt.tolist() == [True, True, False, False]


def test_leader_loss_hurts_uncommitted_missions_more():
    assert_allclose(mob.leader_loss(np.array([0.0, 1.0]), 0.8), [0.2, 1.0])


# ---------------------------------------------------------------- progress
def test_group_effort_weights_each_groups_delivered_share():
    effort = np.array([[0.5], [0.0], [1.0]])
    exposure = np.ones((3, 1))
    groups = [slice(0, 1), slice(1, 3)]
    index = prog.group_effort(effort, exposure, np.array([1.0]), groups, [0.5, 0.5])
    assert_allclose(index, [0.5 * 0.5 + 0.5 * 0.5])


def test_group_effort_of_an_unexposed_group_is_zero():
    index = prog.group_effort(np.zeros((2, 1)), np.zeros((2, 1)), np.array([1.0]), [slice(0, 2)], [1.0])
    assert_allclose(index, [0.0])


def test_innovation_needs_ambition_and_room_to_rethink():
    assert_allclose(prog.innovation(np.array([0.0, 1.0, 1.0]), np.array([0.0, 0.0, 1.0]), 1.5), [1.0, 2.5, 1.0])


def test_coordination_cost_grows_with_ministries_unless_aligned():
    c = prog.coordination(np.array([1.0, 5.0, 5.0]), 0.5, np.array([0.0, 0.0, 1.0]), 0.5)
    assert_allclose(c, [1.0, 1.0 / 2.0, 1.0])


def test_drag_and_learning_curve():
    assert_allclose(prog.drag(np.array([0.0, 0.5]), 2.0), [1.0, 0.5])
    assert_allclose(prog.learning(np.array([0.0, np.inf]), 0.3, 12.0), [0.3, 1.0])


def test_pace_is_cobb_douglas_with_money_capped():
    assert prog.pace(2.0, 0.25, 4.0, 0.5, 1.0) == pytest.approx(2.0 * 0.5 * 1.0)
    assert prog.pace(2.0, 0.0, 1.0, 0.5, 1.0) == 0.0


def test_perceived_pace_hides_progress_without_indicators():
    assert prog.perceived_pace(1.0, 1.0, 5.0, 1.0, 3.0) == pytest.approx(1.0)
    assert prog.perceived_pace(1.0, 0.0, 0.5, 2.0, 1.0) == pytest.approx(1.0)
    assert prog.perceived_pace(1.0, 0.0, 0.5, 2.0, -3.0) == 0.0


def test_momentum_follows_felt_pace():
    assert_allclose(prog.update_momentum(np.array([0.0, 1.0]), np.array([2.0, 0.0]), np.array([1.0, 1.0]), 0.5),
                    [0.5, 0.5])


# ---------------------------------------------------------------- opposition
def test_a_specific_mission_focuses_threat():
    vague = opposition.threat(np.array([1.0]), np.ones((1, 1)), np.array([1.0]), np.array([0.0]), 0.5, np.ones(1))
    clear = opposition.threat(np.array([1.0]), np.ones((1, 1)), np.array([1.0]), np.array([1.0]), 0.5, np.ones(1))
    assert_allclose([vague[0, 0], clear[0, 0]], [0.5, 1.0])


def test_resistance_combines_lobbying_and_turned_resentment():
    lobbying = np.array([[0.4], [0.0]])
    exposure = np.array([[1.0], [1.0]])
    r = opposition.resistance(lobbying, exposure, resentment=np.array([1.0, 0.0]),
                              uninvolved=np.array([[1.0], [1.0]]), conversion=0.5)
    assert_allclose(r, [0.2 + 0.25])


def test_resentment_grows_only_outside_missions_and_with_concentration():
    pressure_concentrated = opposition.neglect_pressure(np.array([1.0]), involved_share=0.25)
    pressure_spread = opposition.neglect_pressure(np.array([1.0]), involved_share=0.75)
    assert pressure_concentrated > pressure_spread
    r = opposition.update_resentment(np.zeros(2), np.array([0.0, 1.0]), 0.5, 0.1, 0.0)
    assert_allclose(r, [0.05, 0.0])


# ---------------------------------------------------------------- opinion
def test_legitimacy_is_citizens_mean_support_per_mission():
    assert_allclose(opinion.legitimacy(np.array([[0.2, 1.0], [0.6, 0.0]])), [0.4, 0.5])


def test_support_target_erodes_for_affected_citizens():
    t = opinion.support_target(np.array([0.8]), np.array([0.0, 0.5]), np.array([[0.0], [1.0]]),
                               np.array([0.5]), 0.6)
    assert_allclose(t, [[0.8], [0.4 - 0.3]])


def test_social_influence_moves_towards_neighbours():
    import scipy.sparse as sp

    adjacency = sp.csr_array(np.array([[0.0, 1.0], [1.0, 0.0]]))
    s = opinion.social_influence(np.array([[0.0], [1.0]]), adjacency, np.array([1.0, 1.0]), 0.25)
    assert_allclose(s, [[0.25], [0.75]])


def test_cynicism_grows_with_the_ambition_action_gap():
    gap = opinion.credibility_gap(np.array([1.0, 0.35, 0.0]), 0.7)
    assert_allclose(gap, [0.0, 0.5, 1.0])
    c = opinion.update_cynicism(np.zeros(1), np.ones((1, 2)), np.array([1.0, 0.0]), np.ones(2), 0.2, 0.0)
    assert_allclose(c, [0.1])


def test_side_effects_grow_with_pace_and_fade():
    assert_allclose(opinion.update_side_effects(np.array([0.5]), np.array([0.0]), 1.0, 0.1), [0.45])
    assert opinion.update_side_effects(np.array([0.0]), np.array([2.0]), 1.0, 0.1)[0] > 0


# ---------------------------------------------------------------- money
def test_tranches_spread_what_is_left_over_paying_months():
    assert money.paying_month(1, 2) is False
    assert money.paying_month(2, 2) is True
    assert_allclose(money.tranche(np.array([100.0]), 2, 12, 2), [10.0])
    assert_allclose(money.tranche(np.array([50.0]), 11, 12, 2), [50.0])


def test_allocation_shares_sum_to_one_over_live_missions():
    target = money.allocation_target(np.array([1.0, 3.0, 1.0]), np.ones((2, 3)), np.array([True, True, False]))
    assert_allclose(target, [[0.25, 0.75, 0.0], [0.25, 0.75, 0.0]])
    assert_allclose(money.allocation_target(np.ones(2), np.ones((1, 2)), np.zeros(2, bool)), 0.0)


def test_risk_averse_funders_cut_stalled_missions_more():
    h = money.health(np.array([0.0, 1.0]), np.array([True, False]), 0.6, np.array([1.0, 0.5]))
    assert_allclose(h, [[0.4, 0.5], [1.0, 0.5]])


def test_payments_conserve_money():
    payments = money.pay(np.array([10.0, 4.0]), np.array([[0.5, 0.5], [0.25, 0.25]]))
    assert payments.sum() == pytest.approx(10.0 + 2.0)
    assert_allclose(money.spend(np.array([10.0, 10.0]), np.array([True, False]), 0.5), [5.0, 0.0])
    assert_allclose(money.year_end_lapse(np.array([10.0]), 0.25), [7.5])


# ---------------------------------------------------------------- governance
def test_election_cuts_commitment_to_most_missions_and_raises_it_for_the_championed():
    commitment, size = np.full(4, 0.5), np.array([0.0, 1.0, 0.0, 1.0])
    direction = np.array([0.9, 0.9, 0.1, 0.1])  # renewal 0.25: the last two are championed
    assert_allclose(gov.election_shift(commitment, size, direction, 0.4, 0.25), [0.5, 0.3, 0.5, 0.7])
    assert_allclose(gov.election_shift(commitment, size, direction, 0.4, 0.0), [0.5, 0.3, 0.5, 0.3])
    moved = gov.election_shift(np.array([0.0, 1.0]), np.ones(2), np.array([0.0, 1.0]), 1.0, 0.5)
    assert_allclose(moved, [1.0, 0.0])  # stays within [0, 1] at the extremes


def test_creep_needs_momentum_support_and_a_live_goal():
    assert_allclose(gov.creep_chance(np.array([1.0, 1.0, 0.0]), np.array([1.0, 1.0, 1.0]),
                                     np.array([1.0, 0.0, 1.0]), 0.1), [0.1, 0.0, 0.0])


def test_purpose_check_locks_in_or_ends():
    status = np.array([Status.ACTIVE, Status.ACTIVE, Status.ACTIVE])
    achieved = np.array([True, False, False])
    gone = np.array([False, True, False])
    locked = gov.purpose_check(status, achieved, gone, lock_in=True)
    ended = gov.purpose_check(status, achieved, gone, lock_in=False)
    assert locked.tolist() == [Status.LOCKED_IN, Status.LOCKED_IN, Status.ACTIVE]
    assert ended.tolist() == [Status.ACHIEVED, Status.RETIRED, Status.ACTIVE]


def test_review_ends_past_purpose_and_abandons_off_track():
    status = np.array([Status.LOCKED_IN, Status.ACTIVE, Status.ACTIVE, Status.ABANDONED])
    out = gov.review(status, achieved=np.array([True, False, False, False]), problem_gone=np.zeros(4, bool),
                     share=np.array([1.0, 0.1, 0.5, 0.0]), age=60, horizon=np.full(4, 120.0), on_track=0.5)
    assert out.tolist() == [Status.ACHIEVED, Status.ABANDONED, Status.ACTIVE, Status.ABANDONED]


def test_sunset_ends_every_live_mission():
    out = gov.sunset(np.array([Status.ACTIVE, Status.LOCKED_IN, Status.RETIRED]),
                     np.array([False, True, False]), np.array([False, False, True]))
    assert out.tolist() == [Status.ABANDONED, Status.ACHIEVED, Status.RETIRED]


def test_facets_follow_progress_fit_and_uncertainty():
    f = gov.facet(current=np.array([0, 0, 0, 2, 0]), share=np.array([0.9, 0.1, 0.1, 0.1, 0.9]),
                  fit=np.array([1.0, 0.2, 1.0, 0.5, 0.2]), uncertainty=np.array([0.0, 0.0, 0.9, 0.0, 0.0]),
                  enhancement_at=0.8, adaptive_below=0.4, anticipatory_above=0.6)
    assert f.tolist() == [gov.ENHANCEMENT, gov.ADAPTIVE, gov.ANTICIPATORY, gov.ADAPTIVE, gov.ADAPTIVE]


def test_framing_fit_recovers_while_adaptive():
    fit = gov.drift_fit(np.array([0.3, 0.3]), np.array([gov.ADAPTIVE, gov.MISSION]), np.zeros(2), 0.05)
    assert_allclose(fit, [0.35, 0.3])
