"""The play loop without a browser: frames are consistent copies, and no loop outlives Pause, Reset or the page."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from simulation.frontends.ui import charts
from simulation.frontends.ui.frame import Frame
from simulation.frontends.ui.model import UIModel
from simulation.frontends.ui.player import SPEEDS, Player

WAIT_S = 60  # generous: other work may share the machine's cores


def test_step_publishes_a_numbered_frame_of_the_new_month():
    player = Player(UIModel())
    seen: list[int] = []
    player.listen(seen.append)
    first = player.latest
    player.step()
    player.step(2)
    frame = player.latest
    assert (first.month, frame.month) == (0, 3)
    assert frame.recorder.n == 4 and frame.portfolio.shape[0] == 4
    assert seen == sorted(seen) and seen[-1] == frame.seq > first.seq


def test_a_frame_is_a_copy_the_model_cannot_change():
    model = UIModel()
    frame = Frame.of(model)
    progress = frame.recorder.mission_series("progress").copy()
    for _ in range(5):
        model.step()
    assert frame.month == 0 and frame.recorder.n == 1
    np.testing.assert_array_equal(frame.recorder.mission_series("progress"), progress)
    assert frame.missions.spent.sum() == 0 < model.missions.spent.sum()


def test_play_runs_to_the_end_and_stops_by_itself():
    player = Player(UIModel(preset="ato-fix-it-squads"))
    player.play("fastest")
    assert player.wait(WAIT_S)
    frame = player.latest
    assert frame.month == frame.config.time.steps and not frame.playing and not frame.running
    player.step()  # nothing left to run: ignored
    assert player.latest.month == frame.month


def test_pause_stops_the_loop_and_step_is_ignored_while_playing():
    player = Player(UIModel(preset="iceland-youth"))
    player.play("slow")
    player.step()  # the page disables Step while playing; a click that gets through changes nothing
    player.pause()
    assert player.wait(WAIT_S)
    paused = player.latest.month
    assert paused <= 2 and not player.latest.playing
    player.step()
    assert player.latest.month == paused + 1


def test_replace_stops_the_old_loop_before_the_new_model_shows():
    """The ghost run of issue 14: an old loop must never step the next model."""
    player = Player(UIModel(preset="iceland-youth"))
    player.play("fast")
    while player.latest.month < 2:
        time.sleep(0.01)  # polling the player's state
    fresh = UIModel(preset="moonshot")
    player.replace(fresh)
    assert player.wait(WAIT_S)
    assert fresh.month == 0 and player.latest.month == 0 and not player.latest.playing
    assert [t.name for t in threading.enumerate() if t.name.startswith(f"missions-play-{id(player):x}")] == []


def test_playing_again_replaces_the_loop_rather_than_adding_one():
    player = Player(UIModel(preset="iceland-youth"))
    player.play("slow")
    first = player._thread
    player.play("fast")  # a new speed while playing
    first.join(WAIT_S)
    assert not first.is_alive() and player.playing
    player.pause()
    assert player.wait(WAIT_S)


def test_close_stops_playing_for_good_and_calls_no_listener_after():
    player = Player(UIModel(preset="iceland-youth"))
    calls: list[int] = []
    player.listen(calls.append)
    player.play("fast")
    player.close()
    assert player.wait(WAIT_S)
    count = len(calls)
    player.play("fast")
    player.step()
    assert len(calls) == count and not player.playing


def test_frames_stay_consistent_while_the_loop_plays_at_full_speed():
    """Issue 14, item 1: every chart drawn from the latest frame while another thread steps the model."""
    player = Player(UIModel(preset="iceland-youth"))
    player.play("fastest")
    drawn = 0
    while player.playing or drawn == 0:
        frame = player.latest
        assert frame.recorder.n == frame.month + 1 == frame.portfolio.shape[0]
        assert all(len(e.text) > 0 for e in frame.events)
        for build in charts.CHARTS:
            build(frame).to_dict(validate=False)
        drawn += 1
    assert player.wait(WAIT_S) and player.latest.month == player.latest.config.time.steps


def test_a_model_that_fails_stops_the_run_with_a_short_message(caplog):
    model = UIModel()
    original = model.step

    def failing() -> None:
        if model.month == 3:
            raise RuntimeError("/etc/passwd: root:x:0:0")
        original()

    model.step = failing
    player = Player(model)
    player.play("fastest")
    assert player.wait(WAIT_S)
    frame = player.latest
    assert frame.month == 3 and not frame.playing and not frame.running
    assert "failed in month 4" in frame.error and "root" not in frame.error
    assert "RuntimeError" in caplog.text  # the traceback goes to the log


@pytest.mark.parametrize("speed", ["slow", "normal", "fast"])
def test_play_keeps_to_its_speed(speed):
    """Never faster than the speed says (slower is possible on a busy machine)."""
    rate = SPEEDS[speed].months_per_second
    player = Player(UIModel(preset="iceland-youth"))
    start = time.monotonic()
    player.play(speed)
    while player.latest.month < 3:
        time.sleep(0.005)  # polling the player's state
    elapsed = time.monotonic() - start
    player.pause()
    assert player.wait(WAIT_S)
    assert elapsed >= (3 - 1) / rate * 0.95
