"""The ``observed:`` and ``assumptions:`` sections of case files: validated like every key, checked against the scenario."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulation.core.metrics import MISSION_METRICS
from simulation.frontends.cli import main
from simulation.inputs.evidence import QUANTITIES, TIME_TO_GOAL, HoldOut, selector
from simulation.inputs.scenario import ScenarioError, resolve, scenario_files

MOON = "Land a man on the Moon and return him safely"


def write(directory: Path, text: str, name: str = "case.yaml") -> Path:
    path = directory / name
    path.write_text("extends: moonshot\n" + text, encoding="utf-8")
    return path


def observation(**changes) -> str:
    fields = {"month": 98, "mission": MOON, "quantity": "progress", "value": 1.0, "source": "a source", **changes}
    return "observed:\n  - {" + ", ".join(f"{k}: {v}" for k, v in fields.items() if v is not None) + "}\n"


def test_every_quantity_is_one_the_model_records_per_mission():
    shares = {m.name for m in MISSION_METRICS if m.unit == "share"}
    assert set(QUANTITIES) - {TIME_TO_GOAL} <= shares
    from simulation.core.metrics import mission_summary
    from simulation.core.model import MissionModel
    model = MissionModel(resolve("moonshot", {"time.steps": 2}).config, rng=1).run()
    assert TIME_TO_GOAL in mission_summary(model.missions, model.recorder.facet_months)[0]


def test_shipped_cases_carry_observations_with_sources():
    observed = {p.stem: resolve(p).evidence.observed.root for p in scenario_files()}
    assert all(observed[case] for case in ("moonshot", "energiewende", "india-renewables", "iceland-youth",
                                           "eu-missions"))
    assert not observed["ato-fix-it-squads"] and not observed["ddc-portfolio"]  # no outcome is known
    assert not observed["moonshot-leader-only"]  # a counterfactual replaces its parent's with none
    assert all(o.source.strip() for obs in observed.values() for o in obs)
    bands = [o.justified_band for obs in observed.values() for o in obs]
    assert all(b is not None and b.reason.startswith("assumption") for b in bands)  # each says how wide, and why


def calibrated(selector: str, **extra) -> str:
    """Two observations (months 98 and 50) and a calibration: section holding out ``selector``."""
    fields = ", ".join(f"{k}: {v}" for k, v in {"runs": 10, "minutes": 1.5, "workers": 2, **extra}.items())
    return (observation() + "  - {month: 50, mission: " + MOON + ", quantity: progress, value: 0.4, source: s, "
            "id: half-way}\n" + f"calibration: {{{fields}, held_out: [{selector}]}}\n")


BAD = {
    "unknown key": (observation(colour="red"), r"observed\.0\.colour: unknown key 'colour'; expected one of: month"),
    "unknown quantity": (observation(quantity="progres"), r"observed\.0\.quantity: expected one of 'progress'"),
    "month out of range": (observation(month=-1), r"observed\.0\.month: expected a number >= 0 \(got -1\)"),
    "whole months": (observation(month=2.5), r"observed\.0\.month: expected a whole number"),
    "beyond the run": (observation(month=200), r"observed\.0\.month: expected a month <= time\.steps, 139"),
    "share above 1": (observation(value=1.5), r"observed\.0: progress is a share"),
    "no source": (observation(source=None), r"observed\.0\.source: field required"),
    "both ranges": (observation(value=0.5, uncertainty=0.1, low=0.4, high=0.6),
                    r"observed\.0: give either uncertainty or low and high"),
    "half a range": (observation(value=0.5, low=0.4), r"observed\.0: low and high go together"),
    "value outside its range": (observation(value=0.3, low=0.4, high=0.6), r"observed\.0: expected low <= value"),
    "unknown mission": (observation(mission="Mars"), r"observed\.0\.mission: expected one of the scenario's "
                                                     r"missions: Land a man .* \(got 'Mars'\)"),
    "bad weight": (observation(mission="{" + MOON + ": 0}"), r"observed\.0\.mission: expected weights > 0"),
    "not a list": ("observed: {month: 3}\n", r"observed: expected a list \(got "),
    "justified band unknown key": (observation(justified_band="{width: 0.2, reason: r, colour: red}"),
                                   r"observed\.0\.justified_band\.colour: unknown key 'colour'; expected one of: width"),
    "justified band of no width": (observation(justified_band="{width: 0, reason: r}"),
                                   r"observed\.0\.justified_band\.width: expected a number > 0\.0 \(got 0\)"),
    "justified band wider than a share": (observation(justified_band="{width: 1.5, reason: r}"),
                                          r"observed\.0: progress is a share: a justified band is at most 1 wide"),
    "justified band without its reason": (observation(justified_band="{width: 0.2}"),
                                          r"observed\.0\.justified_band\.reason: field required"),
    "prior of an unknown key": ("assumptions:\n  lockin.hols: {low: 0.1, high: 0.9}\n",
                                r"assumptions\.lockin\.hols: unknown key 'hols'"),
    "prior beyond the schema": ("assumptions:\n  lockin.hold: {low: 0.5, high: 1.5}\n",
                                r"assumptions\.lockin\.hold: expected a range within the schema's bounds"),
    "prior reversed": ("assumptions:\n  lockin.hold: {low: 0.9, high: 0.5}\n",
                       r"assumptions\.lockin\.hold: expected low < high"),
    "prior unknown field": ("assumptions:\n  lockin.hold: {low: 0.5, high: 0.9, mode: 0.7}\n",
                            r"assumptions\.lockin\.hold\.mode: unknown key 'mode'"),
    "prior of a count": ("assumptions:\n  time.steps: {low: 10, high: 20}\n",
                         r"assumptions\.time\.steps: expected a real-valued parameter"),
    "id twice": (observation(id="a") + "  - {month: 9, mission: " + MOON + ", quantity: progress, value: 0.1, "
                 "source: s, id: a}\n", r"observed\.1\.id: expected an id unique in the file \(got 'a' twice\)"),
    "id not a name": (observation(id="'A b'"), r"observed\.0\.id: expected an id of lower-case letters, digits and '-' \(got 'A b'\)"),
    "calibration unknown key": (calibrated("{month: 98}", cost=3), r"calibration\.cost: unknown key 'cost'"),
    "calibration without its cost": ("calibration: {minutes: 1, workers: 2}\n", r"calibration\.runs: field required"),
    "hold-out unknown key": (calibrated("{colour: red}"),
                             r"calibration\.held_out\.0\.colour: unknown key 'colour'; expected one of: id, month"),
    "hold-out of nothing": (calibrated("{}"), r"calibration\.held_out\.0: expected at least one of: id, month"),
    "hold-out selecting none": (calibrated("{month: 97}"), r"calibration\.held_out\.0: expected a selector "
                                                           r"matching one of the 2 observations \(got month=97\)"),
    "hold-out selecting all": (calibrated("{quantity: progress}"), r"calibration\.held_out: expected observations "
                                                                  r"left to fit; the selectors hold out all 2"),
    "hold-out of a group by mission": (observation(mission="{" + MOON + ": 1}") + "calibration: {runs: 1, minutes: 0, "
                                       "workers: 1, held_out: [{mission: " + MOON + "}]}\n",
                                       r"calibration\.held_out\.0: expected a selector matching one of the 1 "),
}


@pytest.mark.parametrize(("text", "message"), BAD.values(), ids=BAD.keys())
def test_a_bad_section_names_file_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        resolve(path)
    assert len(caught.value.problems) == 1, caught.value.problems
    assert re.search(f"^{re.escape(str(path))}: {message}", caught.value.problems[0]), caught.value.problems[0]


def test_bad_observations_exit_2_and_write_nothing(tmp_path, capsys):
    path = write(tmp_path, observation(quantity="joy"))
    assert main(["run", str(path), "--steps", "3", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: observed.0.quantity" in err
    assert not (tmp_path / "out").exists()


def test_a_child_inherits_or_replaces_its_parents_observations(tmp_path):
    parent = write(tmp_path, observation(value=0.9, uncertainty=0.05), "parent.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent\n", encoding="utf-8")
    (obs,) = resolve(child).evidence.observed.root
    assert obs.value == 0.9 and obs.range == pytest.approx((0.85, 0.95))
    child.write_text("extends: parent\nobserved: []\n", encoding="utf-8")
    assert resolve(child).evidence.observed.root == []
    assert resolve(parent).evidence.observed.root[0].weights == {MOON: 1.0}


def test_a_run_may_be_cut_short_of_its_observations():
    resolved = resolve("moonshot", {"time.steps": 6})
    assert resolved.config.time.steps == 6 and resolved.evidence.observed.root[0].month == 98


def test_a_calibration_section_marks_the_observations_it_held_out(tmp_path):
    for chosen in ("{month: 50}", "{id: half-way}", "{mission: " + MOON + ", month: 50}", "{month: 50, id: half-way}"):
        resolved = resolve(write(tmp_path, calibrated(chosen)))
        assert resolved.evidence.held_out == [False, True], chosen
        assert resolved.evidence.calibration.runs == 10
    child = tmp_path / "child.yaml"
    child.write_text("extends: case\n", encoding="utf-8")  # inherited, like the other sections
    assert resolve(child).evidence.held_out == [False, True]
    assert resolve("moonshot").evidence.calibration is None and resolve("moonshot").evidence.held_out == [False]


FLAGS = {
    "unknown key": ("colour=red", "--hold-out: colour: unknown key 'colour'; expected one of: id, month"),
    "no value": ("month", "--hold-out: expected key=value with a key of: id, month, mission, quantity"),
    "not a month": ("month=June", "--hold-out: month: expected a whole number (got 'June')"),
    "not a quantity": ("quantity=joy", "--hold-out: quantity: expected one of 'progress'"),
}


@pytest.mark.parametrize(("text", "message"), FLAGS.values(), ids=FLAGS.keys())
def test_a_bad_hold_out_flag_names_the_flag_and_key(text, message):
    with pytest.raises(ScenarioError) as caught:
        selector(text)
    assert caught.value.problems == [caught.value.problems[0]] and caught.value.problems[0].startswith(message)


def test_a_hold_out_flag_reads_as_the_file_writes_it():
    assert selector("month=216") == HoldOut(month=216)
    assert selector(" mission = Wind 60 GW ").given == {"mission": "Wind 60 GW"}
    assert selector("quantity=time_to_goal").label == "quantity=time_to_goal"
