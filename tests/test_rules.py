"""Unit tests of the pure rules, with hand-computed expectations, and their shape-agnosticism."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from simulation.core.rules import choice, money, opinion, opposition, progress, strain
from simulation.core.rules import governance as gov
from simulation.core.rules.adjust import approach
from simulation.core.rules.governance import Status


# ---------------------------------------------------------------- choice
def test_with_no_mission_calling_an_actor_works_all_but_its_slack():
    bias = choice.bau_bias(0.1, 1.5)
    rest, own, missions = choice.nested_shares(np.zeros(1), np.full(1, bias), np.zeros((1, 2)), np.zeros((1, 2), bool), 0.5)
    assert_allclose(1.5 * own, [0.9])
    assert_allclose(rest + own, [1.0])
    assert_allclose(missions, 0.0)


def test_nested_shares_sum_to_one_and_follow_utility():
    u = np.array([[0.0, 1.0, -1.0]])
    rest, own, missions = choice.nested_shares(np.zeros(1), np.zeros(1), u, np.ones((1, 3), bool), 0.0)
    assert_allclose(rest + own + missions.sum(axis=-1), [1.0])
    assert missions[0, 1] > missions[0, 0] > missions[0, 2]
    # crowding 0 is a flat logit over all five options
    flat = np.exp([0.0, 0.0, 0.0, 1.0, -1.0]) / np.exp([0.0, 0.0, 0.0, 1.0, -1.0]).sum()
    assert_allclose(missions[0], flat[2:])


def test_crowded_missions_share_one_claim_on_time():
    u = np.zeros((1, 4))
    one = choice.nested_shares(np.zeros(1), np.zeros(1), u, np.array([[True, False, False, False]]), 0.999)[2].sum()
    four = choice.nested_shares(np.zeros(1), np.zeros(1), u, np.ones((1, 4), bool), 0.999)[2].sum()
    separate = choice.nested_shares(np.zeros(1), np.zeros(1), u, np.ones((1, 4), bool), 0.0)[2].sum()
    assert four == pytest.approx(one, rel=1e-2)  # fully crowded: four missions take the time of one
    assert separate > four  # separate claims: each new mission draws more time from rest and own work


def test_unavailable_missions_get_no_time_and_no_option_means_no_mission_time():
    rest, own, missions = choice.nested_shares(np.zeros(2), np.zeros(2), np.full((2, 2), 5.0),
                                               np.array([[True, False], [False, False]]), 0.5)
    assert missions[0, 1] == 0.0 and missions[1].sum() == 0.0
    assert_allclose(rest[1] + own[1], 1.0)


def test_nested_shares_are_the_textbook_nested_logit_even_beside_huge_unavailable_utilities():
    rng = np.random.default_rng(3)
    u_rest, u_bau, u = rng.normal(size=(2, 50)), rng.normal(size=(2, 50)), rng.normal(0, 3, (2, 50, 4))
    available = rng.random((2, 50, 4)) < 0.5
    u_huge = np.where(available, u, 1e6)  # what an unavailable mission would offer must not leak in
    tau = 1.0 - 0.3
    with np.errstate(all="raise"):
        rest, own, missions = choice.nested_shares(u_rest, u_bau, u_huge, available, 0.3)
    inner = np.where(available, np.exp(u / tau), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # actors with no mission open: log 0, 0 / 0
        options = np.stack([u_rest, u_bau, tau * np.log(inner.sum(axis=-1))])
        share = np.exp(options) / np.exp(options).sum(axis=0)
        within = inner / inner.sum(axis=-1, keepdims=True)
    assert_allclose(rest, share[0], rtol=1e-12)
    assert_allclose(own, share[1], rtol=1e-12)
    assert_allclose(missions, np.nan_to_num(share[2][..., None] * within), rtol=1e-12, atol=1e-300)


def test_independent_shares_weigh_each_mission_on_its_own():
    rest, own, missions = choice.independent_shares(np.zeros(1), np.zeros(1), np.array([[0.0, np.log(2.0)]]),
                                                    np.ones((1, 2), bool))
    assert_allclose(missions, [[1 / 3, 0.5]])
    assert_allclose(rest + own, [1.0])


def test_leadership_mobilises_only_as_far_as_actors_trust_it():
    push, trusted = choice.leadership_factors(np.array([1.0, 1.0]), np.array([1.0, 0.0]), np.array([0.9, 0.1]),
                                              np.array([0.0, 0.5]), 2.0)
    pull = choice.mission_utility(choice.Drivers(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), push, trusted))
    assert_allclose(pull, [[2.0 * 0.81, 0.0], [2.0 * 0.0025, 0.0]])


def test_meaning_rises_with_ambition_with_diminishing_returns():
    assert_allclose(choice.meaning(np.array([0.0, 0.5, 1.0])), [0.0, 0.75, 1.0])


def test_utility_is_the_sum_of_its_drivers():
    drivers = choice.Drivers(mission=np.array([0.5, 1.0]), actor=np.array([-1.0, 0.0]), grant_pull=np.array([1.0, 2.0]),
                             funding=np.array([0.0, 0.5]), push=np.array([1.0, 0.0]), trusted=np.array([0.5, 1.0]),
                             erosion=2.0, affected=np.array([[0.0, 1.0], [0.0, 0.0]]), side_effects=np.array([0.0, 0.25]))
    assert_allclose(choice.mission_utility(drivers), [[0.5 - 1 + 0 + 0.5, 1.0 - 1 + 0.5 + 0 - 0.5], [0.5 + 1.0, 1.0 + 1.0]])


# ---------------------------------------------------------------- strain
def test_funded_visibly_moving_mission_work_strains_less():
    work = np.array([[1.0]])
    plain = strain.strain(np.zeros(1), work, np.ones(1), np.zeros(1), np.zeros(1), 0.2, 0.1)
    relieved = strain.strain(np.zeros(1), work, np.ones(1), np.ones(1), np.ones(1), 0.2, 0.1)
    assert_allclose([plain[0], relieved[0]], [1.0, 0.7])
    assert_allclose(strain.strain(np.ones(1), work, np.full(1, 2.0), np.zeros(1), np.zeros(1), 0.2, 0.1), [1.0])


def test_fatigue_builds_above_capacity_and_recovers_slower_when_deep():
    f = strain.update_fatigue(np.array([0.2, 0.2, 0.8]), np.array([2.0, 0.0, 0.0]), 0.1, 0.1)
    assert_allclose(f, [0.3, 0.2 - 0.1 * 0.8, 0.8 - 0.1 * 0.2])


def test_burnout_at_each_actors_own_threshold_with_hysteresis():
    burnt = strain.update_burnout(np.array([False, False, True, True]), np.array([0.5, 0.5, 0.3, 0.2]),
                                  np.array([0.4, 0.6, 0.5, 0.5]), 0.5)
    assert burnt.tolist() == [True, False, True, False]


# ---------------------------------------------------------------- progress
def test_group_effort_is_each_groups_share_of_exposed_capacity():
    effort = np.array([[0.5], [0.0], [1.0]])
    exposure = np.array([[1.0], [1.0], [1.0]])
    capacity = np.array([1.0, 1.0, 2.0])
    groups = [slice(0, 2), slice(2, 3)]
    rooms = progress.exposed_capacity(exposure, capacity, groups)
    assert_allclose(rooms, [[2.0], [2.0]])
    index = progress.group_effort(effort, rooms, groups, [0.6, 0.4])
    assert_allclose(index, [0.6 * 0.25 + 0.4 * 0.5])
    nobody = progress.exposed_capacity(np.zeros((3, 1)), capacity, [slice(0, 3)])
    assert_allclose(progress.group_effort(effort, nobody, [slice(0, 3)], [1.0]), [0.0])


def test_incremental_goals_draw_only_incremental_work():
    share = progress.radical_share(np.array([0.1, 0.2, 0.4, 0.8, 0.8]), 0.4, np.array([0, 0, 0, 0, 0.5]))
    assert_allclose(share, [0.0, 0.0, 0.5, 0.75, 0.375])


def test_incremental_change_has_diminishing_returns_up_to_its_reach():
    assert_allclose(progress.incremental_gain(np.array([1.0, 1.0, 1.0]), np.array([0.0, 20.0, 40.0]), 40.0),
                    [1.0, 0.5, 0.0])
    assert_allclose(progress.incremental_gain(np.ones(1), np.zeros(1), 0.0), [0.0])


def test_radical_work_is_learnt_and_helped_by_challengers():
    p = progress.radical_productivity(np.array([0.0, 1e9, 1e9]), 4.0, 1.5, np.array([0.0, 0.0, 0.5]), 1.0)
    assert_allclose(p, [1.0, 2.5, 3.75])
    share = progress.challenger_share(np.array([[1.0], [3.0], [9.0]]), slice(0, 1), slice(1, 2))
    assert_allclose(share, [0.75])


def test_coordination_cost_grows_with_ministries_unless_aligned():
    c = progress.coordination(np.array([1.0, 5.0, 5.0]), np.array([1.0, 1.0, 1.0]), 0.0, 0.5)
    assert_allclose(c, [1.0, 1 / 3, 1 / 3])
    assert_allclose(progress.coordination(np.array([5.0]), np.array([1.0]), 1.0, 0.5), [1.0])


def test_drag_and_learning_curve():
    assert_allclose(progress.drag(np.array([0.0, 1.0]), 1.0), [1.0, 0.5])
    assert_allclose(progress.learning(np.array([0.0, 1e9]), 0.3, 4.0), [0.3, 1.0])


def test_pace_is_cobb_douglas_with_money_capped():
    assert_allclose(progress.pace(2.0, np.array([1.0, 0.25]), np.array([2.0, 1.0]), 0.5, 1.0), [2.0, 1.0])


def test_perceived_pace_credits_all_progress_only_with_indicators():
    seen = progress.perceived_pace(np.array([1.0, 1.0]), np.array([1.0, 0.0]), 1.0, 1.0, np.zeros(2))
    assert_allclose(seen, [1.0, 0.5])
    noisy = progress.perceived_pace(np.array([1.0, 1.0]), np.array([1.0, 0.0]), 1.0, 1.0, np.ones(2))
    assert_allclose(noisy, [1.0, 1.5])


def test_momentum_is_the_seen_pace_against_the_needed_pace():
    assert_allclose(progress.momentum(np.array([0.5, 2.0, -1.0]), np.array([1.0, 1.0, 1.0])), [0.5, 1.0, 0.0])


def test_despair_is_the_share_of_remaining_work_the_seen_pace_leaves_undone():
    d = progress.despair(np.array([1.0, 1.0, 1.0, 1.0]), np.array([20.0, 5.0, 0.0, 20.0]),
                         np.array([10.0, 10.0, 10.0, -5.0]), grace=4)
    assert_allclose(d, [0.5, 0.0, 0.0, 0.8])  # past the deadline actors allow themselves the grace months


# ---------------------------------------------------------------- opposition
def test_a_credible_legible_mission_threatens_incumbents_most():
    loss = opposition.expected_loss(np.array([1.0, 0.0]), np.ones((2, 2)), np.array([1.0, 1.0]),
                                    np.array([1.0, 0.0]), np.array([1.0, 1.0]), np.array([1.0, 1.0]), 0.5)
    assert_allclose(loss, [[1.0, 0.5], [0.0, 0.0]])


def test_incumbents_lobby_when_loss_beats_cost_and_coalitions_cut_the_cost():
    loss = np.array([[0.3, 0.3]])
    decide = opposition.lobbies(loss, np.array([0.4]), others=np.array([0.0, 1.0]), coalition=0.5)
    assert decide.tolist() == [[False, True]]


def test_resistance_combines_lobbying_share_and_turned_resentment():
    share = opposition.lobbying_share(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([2.0, 0.0]))  # 2 exposed, none
    assert_allclose(share, [0.5, 0.0])
    r = opposition.resistance(share, np.array([1.0, 0.0]), np.array([[1.0, 1.0], [1.0, 1.0]]), 0.5)
    assert_allclose(r, [0.75, 0.25])


def test_ministries_outside_missions_lose_their_colleagues_cooperation():
    loss = opposition.own_work_loss(np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.5, 1.0]), np.ones(3))
    assert_allclose(loss, [0.25, 0.0, 0.25])
    assert_allclose(opposition.update_resentment(np.array([0.5]), np.array([1.0]), 0.1, 0.2), [0.5])


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


def test_disillusion_grows_with_the_ambition_action_gap_and_fades():
    gap = opinion.credibility_gap(np.array([1.0, 0.35, 0.0]), 0.7)
    assert_allclose(gap, [0.0, 0.5, 1.0])
    d = opinion.update_disillusion(np.array([0.0, 0.5]), np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([1.0, 0.0]),
                                   0.2, 0.1)
    assert_allclose(d, [0.1, 0.45])


def test_citizens_find_meaningful_moving_committed_missions_appealing():
    a = opinion.appeal(np.array([0.0, 1.0, 1.0, 1.0]), np.array([1.0, 1.0, 0.0, 1.0]), np.array([1.0, 1.0, 1.0, 0.0]))
    assert_allclose(a, [0.25, 1.0, 0.5, 0.5])


def test_side_effects_grow_with_pace_and_fade():
    assert_allclose(opinion.update_side_effects(np.array([0.5]), np.array([0.0]), 1.0, 0.1), [0.45])
    assert opinion.update_side_effects(np.array([0.0]), np.array([2.0]), 1.0, 0.1)[0] > 0


# ---------------------------------------------------------------- money
def test_tranches_spread_what_is_left_over_paying_months():
    assert money.paying_month(1, 2) is False
    assert money.paying_month(2, 2) is True
    assert_allclose(money.tranche(np.array([100.0]), 2, 12, 2), [10.0])
    assert_allclose(money.tranche(np.array([50.0]), 11, 12, 2), [50.0])


def test_allocation_splits_each_funders_grant_over_live_missions_by_claim():
    target = money.allocation_target(np.array([1.0, 3.0, 1.0]), np.ones((2, 3)), np.array([True, True, False]))
    assert_allclose(target, [[0.25, 0.75, 0.0], [0.25, 0.75, 0.0]])
    half = money.allocation_target(np.array([1.0, 3.0]), np.array([[0.5, 1.0]]), np.array([True, True]))
    assert_allclose(half, [[0.125, 0.75]])  # what a funder does not grant it keeps
    assert_allclose(money.allocation_target(np.ones(2), np.ones((1, 2)), np.zeros(2, bool)), 0.0)


def test_risk_averse_funders_cut_stalled_missions_more():
    stalled = money.stalled(np.array([0.0, 0.25, 0.5, 1.0]))
    assert_allclose(stalled, [1.0, 0.5, 0.0, 0.0])
    h = money.health(np.array([0.0, 1.0]), np.array([1.0, 0.0]), 0.6, np.array([1.0, 0.5]))
    assert_allclose(h, [[0.4, 0.5], [1.0, 0.5]])


def test_state_funders_release_money_by_formal_commitment():
    r = money.release(np.array([True, False]), np.array([0.0, 1.0]), 0.6)
    assert_allclose(r, [[0.4, 1.0], [1.0, 1.0]])


def test_a_trusted_leader_backs_funds_only_beyond_what_commitment_grants():
    commitment = np.array([0.2, 0.9])
    alone = money.backing(commitment, np.zeros(2), 0.9)
    assert_allclose(alone, commitment)  # no leader: formal commitment only
    led = money.backing(commitment, np.ones(2), 0.9)
    assert_allclose(led - alone, [0.81 - 0.2, 0.0])  # what leaves with the leader: all of it at 0.2, nothing at 0.9
    assert_allclose(money.backing(commitment, np.ones(2), 0.1), commitment)  # an untrusted leader unlocks nothing
    assert np.all((led >= 0.0) & (led <= 1.0))


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


def test_attaching_a_goal_pays_on_a_successful_supported_vague_mission():
    attraction = gov.attraction(np.array([1.0, 1.0, 0.0]), np.array([0.8, 0.8, 0.8]), np.array([1.0, 1.0, 0.0]), 1.0)
    assert_allclose(attraction, [0.8, 0.8, 0.0])
    fit = np.array([[0.5, 0.5, 1.0], [1.0, 1.0, 1.0]])
    pays = gov.attach_pays(fit, attraction, 0.5, np.array([0.0, 1.0, 0.0]), np.array([[False] * 3, [True, False, False]]))
    # cost 0.25 for a vague mission, 0.5 for a specific one; an actor attaches once per mission
    assert pays.tolist() == [[True, False, False], [False, True, False]]


def test_a_missions_attraction_rests_on_success_as_far_as_its_weight_says():
    progress, support, momentum = np.array([0.0, 0.5, 1.0]), np.array([0.6, 0.6, 0.3]), np.array([0.0, 0.5, 1.0])
    assert_allclose(gov.attraction(progress, support, momentum, 0.0), support)  # support alone
    assert_allclose(gov.attraction(progress, support, momentum, 0.5), [0.3, 0.45, 0.3])
    stacked = gov.attraction(np.stack([progress] * 2), np.stack([support] * 2), np.stack([momentum] * 2), 1.0)
    assert_allclose(stacked, np.stack([[0.0, 0.3, 0.3]] * 2))  # shape-agnostic: a leading replicate axis


def test_indicators_show_funders_a_mission_past_its_purpose_by_visibility():
    assert gov.reveals(np.array([0.9, 0.1]), np.array([0.5, 0.5])).tolist() == [True, False]


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


# ---------------------------------------------------------------- shape-agnostic
def _stack(*arrays):
    return np.stack(arrays)


def test_rules_work_on_replicates_stacked_on_a_leading_axis():
    """Every rule gives, for each replicate of a stacked batch, what it gives that replicate alone."""
    rng = np.random.default_rng(7)
    reps, actors, missions = 3, 5, 2
    u = rng.normal(size=(reps, actors, missions))
    available = rng.random((reps, actors, missions)) < 0.7
    fatigue, cap = rng.random((reps, actors)), rng.uniform(0.5, 1.5, (reps, actors))
    work = rng.random((reps, actors, missions))
    per_mission = rng.random((reps, missions))
    groups = [slice(0, 2), slice(2, 5)]
    checks = [
        lambda i: choice.nested_shares(fatigue[i], fatigue[i] * 0, u[i], available[i], 0.4)[2],
        lambda i: choice.independent_shares(fatigue[i], fatigue[i] * 0, u[i], available[i])[2],
        lambda i: choice.mission_utility(choice.Drivers(per_mission[i], fatigue[i], cap[i], per_mission[i],
                                                        *choice.leadership_factors(per_mission[i], per_mission[i],
                                                                                   fatigue[i], cap[i] / 2, 1.0),
                                                        0.5, work[i], per_mission[i])),
        lambda i: strain.strain(fatigue[i], work[i], cap[i], per_mission[i], per_mission[i], 0.2, 0.1),
        lambda i: progress.group_effort(work[i], progress.exposed_capacity(available[i] * 1.0, cap[i], groups), groups,
                                        [0.5, 0.5]),
        lambda i: progress.challenger_share(work[i], groups[0], groups[1]),
        lambda i: opposition.expected_loss(fatigue[i], available[i] * 1.0, per_mission[i], per_mission[i],
                                           per_mission[i], per_mission[i], 0.5),
        lambda i: opposition.lobbies(work[i], fatigue[i], per_mission[i], 0.5),
        lambda i: opposition.lobbying_share(work[i], available[i].sum(axis=-2) * 1.0),
        lambda i: opposition.resistance(per_mission[i], fatigue[i], work[i], 0.5),
        lambda i: opposition.own_work_loss(fatigue[i] > 0.5, cap[i], np.ones(actors)),
        lambda i: opinion.support_target(per_mission[i], fatigue[i], work[i], per_mission[i], 0.5),
        lambda i: opinion.legitimacy(work[i]),
        lambda i: opinion.update_disillusion(fatigue[i], work[i], per_mission[i], 0.1, 0.1),
        lambda i: money.allocation_target(per_mission[i], work[i][:3], per_mission[i] > 0.3),
        lambda i: money.release(np.array([True, False, True]), per_mission[i], 0.5),
        lambda i: money.backing(per_mission[i], per_mission[i] ** 2, 0.7),
        lambda i: money.health(np.array([0.1, 0.5, 0.9]), per_mission[i], 0.6, per_mission[i]),
        lambda i: gov.attach_pays(work[i], per_mission[i], 0.3, per_mission[i], available[i]),
    ]
    stacked = [
        choice.nested_shares(fatigue, fatigue * 0, u, available, 0.4)[2],
        choice.independent_shares(fatigue, fatigue * 0, u, available)[2],
        choice.mission_utility(choice.Drivers(per_mission, fatigue, cap, per_mission,
                                              *choice.leadership_factors(per_mission, per_mission, fatigue, cap / 2, 1.0),
                                              0.5, work, per_mission)),
        strain.strain(fatigue, work, cap, per_mission, per_mission, 0.2, 0.1),
        progress.group_effort(work, progress.exposed_capacity(available * 1.0, cap, groups), groups, [0.5, 0.5]),
        progress.challenger_share(work, groups[0], groups[1]),
        opposition.expected_loss(fatigue, available * 1.0, per_mission, per_mission, per_mission, per_mission, 0.5),
        opposition.lobbies(work, fatigue, per_mission, 0.5),
        opposition.lobbying_share(work, available.sum(axis=-2) * 1.0),
        opposition.resistance(per_mission, fatigue, work, 0.5),
        opposition.own_work_loss(fatigue > 0.5, cap, np.ones((reps, actors))),
        opinion.support_target(per_mission, fatigue, work, per_mission, 0.5),
        opinion.legitimacy(work),
        opinion.update_disillusion(fatigue, work, per_mission, 0.1, 0.1),
        money.allocation_target(per_mission, work[:, :3], per_mission > 0.3),
        money.release(np.array([True, False, True]), per_mission, 0.5),
        money.backing(per_mission, per_mission ** 2, 0.7),
        money.health(np.array([0.1, 0.5, 0.9]), per_mission, 0.6, per_mission),
        gov.attach_pays(work, per_mission, 0.3, per_mission, available),
    ]
    for k, (single, batch) in enumerate(zip(checks, stacked, strict=True)):
        for i in range(reps):
            assert_allclose(batch[i], single(i), err_msg=f"rule {k} differs on replicate {i}")


def test_social_influence_on_a_block_diagonal_network_is_each_replicates_own():
    rng = np.random.default_rng(3)
    support = rng.random((2, 4, 2))
    nets = [sp.random_array((4, 4), density=0.5, random_state=rng, format="csr") for _ in range(2)]
    degree = [np.maximum(np.asarray(n.sum(axis=1)).ravel(), 1.0) for n in nets]
    block = sp.block_diag(nets, format="csr")
    together = opinion.social_influence(support, block, np.stack(degree), 0.3)
    assert together.shape == support.shape
    for i in range(2):  # bit for bit: each citizen's neighbours are summed in its own network's order
        assert_array_equal(together[i], opinion.social_influence(support[i], nets[i], degree[i], 0.3))


def test_approach_moves_part_of_the_way():
    assert_allclose(approach(np.array([0.0, 1.0]), np.array([1.0, 0.0]), 0.25), [0.25, 0.75])
