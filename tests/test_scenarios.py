"""Scenario files: every shipped file validates and runs; resolution rules; one error per bad-input kind."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from simulation.execution.runner import make_specs, run_one
from simulation.inputs.params import Config
from simulation.inputs.scenario import (
    SCENARIO_DIR,
    ScenarioError,
    changed_parameters,
    list_scenarios,
    load_scenario,
    resolve,
    scenario_files,
)

FILES = scenario_files()
REQUIRED = ("baseline", "moonshot", "energiewende", "iceland-youth", "india-renewables", "ato-fix-it-squads",
            "ddc-portfolio", "eu-missions")
SOURCE_TAG = re.compile(r"#.*(\[read|\[domain table|\[recalled|assumption)")


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ shipped files
def test_the_required_scenarios_ship():
    assert {p.stem for p in FILES} >= set(REQUIRED)
    assert [name for name, _ in list_scenarios()] == sorted(p.stem for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_file_validates_and_runs(path):
    config = load_scenario(path)
    assert config.name == path.stem
    assert config.description and "\n" not in config.description and not config.description.startswith("INVALID")
    short = config.model_copy(update={"time": config.time.model_copy(update={"steps": 6})})
    result = run_one(make_specs(short, [7], path.stem)[0])
    assert result.ok, result.error
    assert result.steps["step"].max() == 6
    assert result.steps["mission"].nunique() == config.portfolio.count
    assert len(result.missions) == config.portfolio.count


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_value_in_a_scenario_file_names_its_source(path):
    """Each line that sets a value says where it comes from: [read], [domain table], [recalled] or assumption.

    Observations and events are exempt: each has a ``source`` of its own, which the schema requires; so is a calibrated
    file's ``calibration:`` record, written by ``missions calibrate`` (what the fit cost and held out)."""
    unsourced, observed = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0]
        if code.strip() and not code[0].isspace():
            observed = code.startswith(("observed:", "calibration:", "events:"))  # each item names its source
        if observed:
            continue
        setting = re.match(r"^\s*-?\s*[\w.]+:\s*(\S.*)?$", code)
        sets_a_value = setting and setting.group(1) and not re.match(r"^\s*(description|extends):", code)
        if sets_a_value and not SOURCE_TAG.search(line):
            unsourced.append(f"{path.name}:{number}: {line.strip()}")
    assert not unsourced, "\n".join(unsourced)


def test_baseline_is_the_schema_defaults():
    assert changed_parameters(load_scenario("baseline")) == {}


def test_named_missions_and_portfolios():
    ddc = load_scenario("ddc-portfolio").portfolio.resolved()
    assert [m.name for m in ddc] == ["A Future where Young People Thrive",
                                     "Designing the Irresistible Circular Society",
                                     "Responsible and Ethical Digitisation"]
    eu = load_scenario("eu-missions").portfolio.resolved()
    assert len(eu) == 5 and all(m.name and not m.name.startswith("Mission ") for m in eu)


def test_shipped_extends_chains():
    """A child scenario is its parent plus the child's dotted overrides."""
    moon, leader_only = load_scenario("moonshot"), resolve("moonshot-leader-only")
    assert changed_parameters(leader_only.config).items() ^ changed_parameters(moon).items() == {
        ("portfolio.mission.commitment", 0.95), ("portfolio.mission.commitment", 0.3)}
    assert [s.path.stem for s in leader_only.sources] == ["moonshot-leader-only", "moonshot"]
    six = load_scenario("eu-missions-bauhaus").portfolio.resolved()
    five = load_scenario("eu-missions").portfolio.resolved()
    assert [m.name for m in six] == [m.name for m in five] + ["New European Bauhaus"]


# ------------------------------------------------------------------ resolution rules
def test_extends_deep_merges_then_applies_overrides(tmp_path):
    write(tmp_path, "parent.yaml", "description: parent\nportfolio:\n  count: 2\n  mission: {ambition: 0.9, "
                                   "specificity: 0.8}\n  missions: [{name: A}, {name: B}]\n")
    child = write(tmp_path, "child.yaml", "extends: parent\nportfolio:\n  mission: {ambition: 0.4}\n"
                                          "  missions: [{name: C}]\noverrides:\n  portfolio.mission.ambition: 0.5\n")
    resolved = resolve(child, {"portfolio.mission.monitoring": 0.9})
    config = resolved.config
    assert config.name == "child" and config.description == "parent"
    assert config.portfolio.count == 2  # from the parent
    assert config.portfolio.mission.specificity == 0.8  # parent's sibling key survives the merge
    assert config.portfolio.mission.ambition == 0.5  # the child's dotted override beats its own section
    assert config.portfolio.mission.monitoring == 0.9  # the caller's override comes last
    assert [m.name for m in config.portfolio.resolved()] == ["C", "Mission 2"]  # lists are replaced
    assert resolved.overrides == {"portfolio.mission.monitoring": 0.9}
    assert [(s.path.name, s.sha256) for s in resolved.sources] == [
        (p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in (child, tmp_path / "parent.yaml")]


def test_an_override_may_append_the_next_list_item(tmp_path):
    path = write(tmp_path, "two.yaml", "portfolio:\n  count: 3\n  missions: [{name: A}, {name: B}]\n")
    config = load_scenario(path, {"portfolio.missions.2.ambition": 0.2})
    assert config.portfolio.resolved()[2].ambition == 0.2
    with pytest.raises(ScenarioError, match=r"overrides: portfolio\.missions\.4: no item"):
        load_scenario(path, {"portfolio.missions.4.ambition": 0.2})


def test_a_config_resolves_with_overrides():
    resolved = resolve(Config(), {"lockin.rule": "sunset"}, origin="--set")
    assert resolved.config.lockin.rule == "sunset" and resolved.sources == ()
    with pytest.raises(ScenarioError, match=r"^--set: lockin\.rule: expected one of 'none', 'review' or 'sunset'"):
        resolve(Config(), {"lockin.rule": "often"}, origin="--set")


def test_scenario_dir_is_the_repository_folder():
    assert Path(__file__).resolve().parent.parent / "scenarios" == SCENARIO_DIR


# ------------------------------------------------------------------ bad input: one message per problem
BAD_FILES = {
    "unknown key": ("portfolio:\n  mision:\n    ambition: 0.9\n",
                    r"bad\.yaml: portfolio\.mision: unknown key 'mision'; did you mean 'mission'\?"),
    "wrong type": ("portfolio:\n  mission:\n    ambition: high\n",
                   r"bad\.yaml: portfolio\.mission\.ambition: expected a number \(got 'high'\)"),
    "not a whole number": ("time:\n  steps: 2.5\n", r"bad\.yaml: time\.steps: expected a whole number \(got 2\.5\)"),
    "out of range": ("portfolio:\n  missions:\n    - ambition: 1.5\n",
                     r"bad\.yaml: portfolio\.missions\.0\.ambition: expected a number <= 1\.0 \(got 1\.5\)"),
    "bad choice": ("lockin:\n  rule: sometimes\n",
                   r"bad\.yaml: lockin\.rule: expected one of 'none', 'review' or 'sunset' \(got 'sometimes'\)"),
    "section as a scalar": ("time: 5\n", r"bad\.yaml: time: expected a mapping of keys \(got 5\)"),
    "cross-field rule": ("portfolio:\n  ministries_per_mission: 50\n",
                         r"bad\.yaml: .*portfolio\.ministries_per_mission exceeds population\.ministries"),
    "event on no mission": ("events:\n  - {month: 3, mission: Nowhere, progress: 0.1, source: a paper}\n",
                            r"bad\.yaml: events\.0\.mission: .*'Nowhere' is no mission's name; expected one of: Mission 1"),
    "event out of range": ("events:\n  - {month: 3, mission: Mission 1, progress: 2.0, source: a paper}\n",
                           r"bad\.yaml: events\.0\.progress: expected a number <= 1\.0 \(got 2\.0\)"),
    "event without source": ("events:\n  - {month: 3, mission: Mission 1, progress: 0.1}\n",
                             r"bad\.yaml: events\.0\.source: field required"),
    "retired key": ("attention:\n  recovered_at: 0.3\n",
                    r"bad\.yaml: attention\.recovered_at: replaced by attention\.recovery_point"),
    "malformed YAML": ("portfolio:\n  count: [1\n", r"bad\.yaml: malformed YAML at line \d+, column \d+"),
    "not a mapping": ("- 1\n- 2\n", r"bad\.yaml: expected a mapping of schema sections at the top level"),
    "extends itself": ("extends: bad\n", r"bad\.yaml: extends: cycle bad\.yaml -> bad\.yaml"),
    "extends a missing file": ("extends: nowhere\n", r"bad\.yaml: extends: nowhere: unknown scenario; available:"),
    "overrides not a mapping": ("overrides: [1]\n", r"bad\.yaml: overrides: expected a mapping of dotted keys"),
    "unknown override key": ("overrides:\n  lockin.rules: none\n",
                             r"bad\.yaml: overrides: lockin\.rules: unknown key 'rules'; did you mean 'rule'\?"),
}


@pytest.mark.parametrize("text, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_scenario_file_names_file_and_key(tmp_path, text, message):
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert re.search(message, str(caught.value)), str(caught.value)
    assert str(path) in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, "bad.yaml", "time: {steps: 0}\nportfolio: {count: 0}\nfoo: 1\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    keys = sorted(problem.split(": ")[1] for problem in caught.value.problems)
    assert keys == ["foo", "portfolio.count", "time.steps"]


def test_a_two_cycle_is_found(tmp_path):
    write(tmp_path, "a.yaml", "extends: b\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError, match=r"a\.yaml: extends: cycle a\.yaml -> b\.yaml -> a\.yaml"):
        load_scenario(tmp_path / "a.yaml")


def test_missing_file_and_unknown_name():
    with pytest.raises(ScenarioError, match=r"nowhere/x\.yaml: file not found"):
        load_scenario("nowhere/x.yaml")
    with pytest.raises(ScenarioError, match=r"^mooonshot: unknown scenario; available: .*\bmoonshot\b"):
        load_scenario("mooonshot")


def test_error_names_the_file_that_set_the_bad_value(tmp_path):
    write(tmp_path, "parent.yaml", "portfolio:\n  mission: {ambition: 3}\n")
    child = write(tmp_path, "child.yaml", "extends: parent\ntime: {steps: 12}\n")
    with pytest.raises(ScenarioError, match=r"parent\.yaml: portfolio\.mission\.ambition: expected a number <= 1"):
        load_scenario(child)
    with pytest.raises(ScenarioError, match=r"^--set: portfolio\.mission\.ambition: expected a number <= 1"):
        resolve("baseline", {"portfolio.mission.ambition": 3}, origin="--set")


@pytest.mark.parametrize("key, message", [
    ("portfolio.mision.ambition", r"portfolio\.mision: unknown key 'mision'"),
    ("seed.value", r"seed: has no keys below it"),
    ("portfolio.missions.first.name", r"portfolio\.missions\.first: expected a list index"),
])
def test_bad_override_keys(key, message):
    with pytest.raises(ScenarioError, match=rf"^overrides: {message}"):
        load_scenario("baseline", {key: 1})


def test_anchors_and_merge_keys_within_the_budget_load(tmp_path):
    path = write(tmp_path, "anchors.yaml", "portfolio:\n  count: 2\n  missions:\n    - &first {name: A, ambition: 0.4}\n"
                                           "    - <<: *first\n      name: B\n")
    missions = load_scenario(path).portfolio.resolved()
    assert [(m.name, m.ambition) for m in missions] == [("A", 0.4), ("B", 0.4)]


def test_a_template_name_that_would_repeat_is_numbered():
    config = load_scenario("moonshot", {"portfolio.count": 3, "time.steps": 6})
    assert [m.name for m in config.portfolio.resolved()] == [
        "Land a man on the Moon and return him safely", "Mission 2", "Mission 3"]
    result = run_one(make_specs(config, [7])[0])  # it failed after simulating: duplicate mission names
    assert result.ok, result.error
    assert result.missions["mission_name"].nunique() == 3
