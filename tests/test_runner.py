"""The runner and the Python API: seeds, ordering, parallel == serial, failures recorded per run."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import simulation
from simulation.analysis import api
from simulation.core.rng import replicate_seeds
from simulation.execution import runner
from simulation.inputs.params import Config, with_overrides
from simulation.inputs.scenario import ScenarioError, load_scenario

SHORT = {"time.steps": 12}


@pytest.fixture(scope="module")
def small() -> Config:
    return load_scenario("baseline", SHORT)


def assert_same_tables(a: api.Results, b: api.Results) -> None:
    for name in ("steps", "actors", "runs", "missions"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_specs_use_replicate_seeds_and_stable_ids(small):
    specs = runner.make_specs(small, replicate_seeds(5, 3))
    assert [s.run_id for s in specs] == ["baseline-0000", "baseline-0001", "baseline-0002"]
    assert [s.seed for s in specs] == replicate_seeds(5, 3)
    assert [s.replicate for s in specs] == [0, 1, 2]


def test_run_one_is_picklable_and_carries_its_ids(small):
    spec = runner.make_specs(small, [11])[0]
    result = pickle.loads(pickle.dumps(runner.run_one(pickle.loads(pickle.dumps(spec)))))
    assert result.ok and result.wall_s > 0
    for frame in (result.steps, result.actors, result.missions):
        assert list(frame.columns[:4]) == ["run_id", "point", "replicate", "seed"]
        assert set(frame["run_id"]) == {"baseline-0000"} and set(frame["seed"]) == {11}
    assert result.row["run_id"] == "baseline-0000" and result.row["seed"] == 11
    assert result.row["time.steps"] == 12  # every parameter, by dotted key
    assert result.row["portfolio.mission.ambition"] == small.portfolio.mission.ambition
    assert "mean_progress" in result.row


def test_results_are_ordered_by_run_id_whatever_the_executor(small):
    specs = runner.make_specs(small, replicate_seeds(1, 4))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = runner.run_many(list(reversed(specs)), executor=pool, progress=False)
    assert [r.run_id for r in results] == [s.run_id for s in specs]
    serial = runner.run_many(specs, workers=1, progress=False)
    for a, b in zip(results, serial, strict=True):
        pd.testing.assert_frame_equal(a.steps, b.steps)


def test_run_ids_must_be_unique(small):
    spec = runner.make_specs(small, [1])[0]
    with pytest.raises(ValueError, match="unique"):
        runner.run_many([spec, spec], progress=False)


def test_same_seed_same_tables_for_any_workers_and_different_seeds_differ(tmp_path):
    kwargs = {"replicates": 3, "steps": 24, "seed": 9, "plots": False}
    serial = api.run_scenario("baseline", workers=1, out=tmp_path / "serial", **kwargs)
    parallel = api.run_scenario("baseline", workers=2, out=tmp_path / "parallel", **kwargs)
    assert_same_tables(serial, parallel)
    for name in ("steps", "actors", "runs", "missions"):  # the written files too, byte for byte
        file = f"{name}.parquet"
        assert serial.manifest["files"][file]["sha256"] == parallel.manifest["files"][file]["sha256"]
    assert serial.seeds == replicate_seeds(9, 3) == list(serial.runs["seed"])
    other = api.run_scenario("baseline", replicates=3, steps=24, seed=10)
    assert not serial.steps["progress"].equals(other.steps["progress"])
    assert set(other.runs["seed"]).isdisjoint(serial.runs["seed"])


def test_replicates_differ_and_common_random_numbers_hold():
    """Replicate k uses the same seed in every scenario (paired comparisons)."""
    a = api.run_scenario("baseline", replicates=2, steps=12)
    b = api.run_scenario("moonshot", replicates=2, steps=12)
    assert list(a.runs["seed"]) == list(b.runs["seed"]) == replicate_seeds(42, 2)
    first, second = (a.steps[a.steps["replicate"] == k]["legitimacy"].to_numpy() for k in (0, 1))
    assert (first != second).any()


def test_run_scenario_api(small):
    res = simulation.run_scenario(small, replicates=2, overrides={"portfolio.count": 2})
    assert res.path is None and res.manifest is None and not res.failures
    assert len(res.runs) == 2 and set(res.steps["mission"]) == {0, 1}
    assert res.steps["step"].max() == 12
    assert list(res.summary().index) == ["Mission 1", "Mission 2"]
    assert res.seeds == replicate_seeds(small.seed, 2)


@pytest.mark.parametrize("kwargs, message", [
    ({"replicates": 0}, r"replicates: expected a whole number from 1"),
    ({"seed": -1}, r"seed: expected a whole number from 0"),
    ({"steps": 0}, r"^steps: time\.steps: expected a number >= 1"),
    ({"overrides": {"portfolio.mission.ambition": "high"}},
     r"^overrides: portfolio\.mission\.ambition: expected a number"),
    ({"workers": 0}, r"workers: expected a whole number from 1 to"),
])
def test_run_scenario_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ScenarioError, match=message):
        api.run_scenario("baseline", **kwargs)


def test_a_failing_run_is_recorded_not_fatal(small, monkeypatch, tmp_path):
    real, real_ensemble = runner.MissionModel, runner.Ensemble
    bad = replicate_seeds(small.seed, 3)[1]

    def flaky(config, seed):
        if seed == bad:
            raise RuntimeError("boom")
        return real(config, seed=seed)

    def flaky_ensemble(config, seeds):  # an ensemble holding the bad run fails as a whole ...
        if bad in seeds:
            raise RuntimeError("boom")
        return real_ensemble(config, seeds)

    monkeypatch.setattr(runner, "MissionModel", flaky)
    monkeypatch.setattr(runner, "Ensemble", flaky_ensemble)  # ... and its runs are run again alone
    results = runner.run_many(runner.make_specs(small, replicate_seeds(small.seed, 3)), progress=False)
    assert [r.ok for r in results] == [True, False, True]
    assert "RuntimeError: boom" in results[1].error
    with pytest.raises(api.RunError, match=r"1 run\(s\) failed; results written to .*baseline-0001") as caught:
        api.run_scenario(small, replicates=3, out=tmp_path / "out", plots=False)
    manifest = caught.value.path / "manifest.json"
    assert manifest.exists() and "boom" in manifest.read_text()
    runs = pd.read_parquet(caught.value.path / "runs.parquet")
    assert runs["error"].notna().tolist() == [False, True, False]


def test_progress_prints_a_closing_line_without_a_terminal(small, capsys):
    runner.run_many(runner.make_specs(small, [1, 2]), progress=True)
    assert "baseline: 2 runs in" in capsys.readouterr().err
    runner.run_many(runner.make_specs(small, [1, 2]), progress=False)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ ensembles
def test_results_do_not_depend_on_the_ensemble_size(small):
    alone = api.run_scenario(small, replicates=5, ensemble=1)
    for size in (2, 5, None):
        assert_same_tables(alone, api.run_scenario(small, replicates=5, ensemble=size))


def test_an_ensembles_runs_travel_as_one_frame_per_table_and_join_in_order(small):
    specs = runner.make_specs(small, [1, 2, 3, 4])
    together = pickle.loads(pickle.dumps(runner.run_ensemble(specs)))
    assert len({id(r.tables) for r in together}) == 1  # one frame per table, pickled once for the four runs
    alone = [runner.run_one(spec) for spec in specs]
    tables = ("steps", "actors", "missions")
    for a, b in zip(together, alone, strict=True):
        for table in tables:
            pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True)
    kept = [*together[:2], together[3], alone[2]]  # two runs of the ensemble, one after a gap, then a run alone
    for table in tables:
        pd.testing.assert_frame_equal(runner.joined(kept, table),
                                      pd.concat([getattr(r, table) for r in kept], ignore_index=True), check_exact=True)
    assert runner.joined(together, "steps") is together[0].tables.steps  # a whole ensemble as it is
    assert runner.joined([], "steps").empty


def test_runs_of_one_configuration_go_together_up_to_the_size():
    a, b = load_scenario("baseline", SHORT), load_scenario("moonshot", SHORT)
    specs = [*runner.make_specs(a, [1, 2, 3]), *runner.make_specs(b, [4, 5])]
    groups = list(runner.ensembles(specs, 2, len(specs), 1))
    assert [[s.seed for s in g] for g in groups] == [[1, 2], [3], [4, 5]]
    assert runner.singles(groups[0]) == [(groups[0][0],), (groups[0][1],)]


def test_the_ensemble_size_follows_memory_and_workers(small):
    assert runner.ensemble_size(small, runs=1000, workers=1) == runner.MAX_ENSEMBLE
    assert runner.ensemble_size(small, runs=20, workers=2) == 10  # every worker gets a share
    huge = small.model_copy(update={"population": small.population.model_copy(update={"citizens": 2_000_000})})
    assert runner.ensemble_size(huge, runs=1000, workers=1) == 1  # one replicate already fills the budget


@pytest.mark.parametrize("size", [0, runner.MAX_ENSEMBLE + 1, 2.5, True])
def test_a_bad_ensemble_size_is_refused(small, size):
    with pytest.raises(ValueError, match="ensemble: expected a whole number"):
        runner.run_many(runner.make_specs(small, [1]), progress=False, ensemble=size)


def test_sweep_points_that_differ_in_reals_only_go_together_and_split_on_structure_or_gaps():
    base = load_scenario("baseline", SHORT)
    points = [with_overrides(base, {"commitment.trust": t}) for t in (0.2, 0.5, 0.8)]
    specs = [runner.RunSpec(run_id=f"r{i}", point=i, replicate=0, seed=i, scenario="baseline", config=c, order=i)
             for i, c in enumerate(points)]
    assert [len(g) for g in runner.ensembles(specs, 8, 3, 1)] == [3]  # one ensemble across design points
    other = with_overrides(base, {"population.citizens": base.population.citizens + 1})  # a count: another structure
    mixed = [*specs[:2], runner.RunSpec(run_id="r2", point=2, replicate=0, seed=2, scenario="baseline", config=other,
                                        order=2)]
    assert [len(g) for g in runner.ensembles(mixed, 8, 3, 1)] == [2, 1]
    gap = [specs[0], specs[2]]  # a run done before between them: a sweep's part covers consecutive runs
    assert [len(g) for g in runner.ensembles(gap, 8, 2, 1)] == [1, 1]
