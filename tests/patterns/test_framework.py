"""The pattern framework itself (fast): specs are validated data, claims and verdicts follow their definitions
on tables whose answer is known, the hypercube is a seeded Latin hypercube within the stated range, runs
are paired and deterministic, and the page shows what the specs say."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import TypeAdapter

from simulation.analysis.patterns import FRACTION, PATTERNS, Variant, ablation_arms, classify, evaluate, load_patterns, report, run_pattern
from simulation.analysis.patterns.claims import ClaimResult, Result, check
from simulation.analysis.patterns.claims import evaluate as evaluate_claim
from simulation.analysis.patterns.evaluation import Case, Evaluation, judge
from simulation.analysis.patterns.execute import CPU, run_variants, summarise, summarise_ensemble
from simulation.analysis.patterns.report import DOCS, figure, page
from simulation.analysis.patterns.robustness import FULL, cases, focal, hypercube, is_design_key, parameters, zero_defaults
from simulation.analysis.patterns.spec import PATTERN_DIR, SPEC_DIR, Claim, Direction
from simulation.analysis.patterns.stats import estimate, steps_down
from simulation.execution.runner import RunSpec
from simulation.execution.workers import process_pool as executor
from simulation.inputs.params import Config, bounds, field_of, with_overrides
from simulation.inputs.scenario import ScenarioError

CLAIM = TypeAdapter(Claim)


# ------------------------------------------------------------------ the shipped specs
def test_the_ten_patterns_load_in_order():
    assert [p.key for p in PATTERNS] == [f"P{i}" for i in range(1, 11)]
    for p in PATTERNS:
        assert len(p.spec.robustness.scenarios) >= 3
        assert p.headline.experiment in p.experiments


def test_the_page_shows_what_the_specs_say():
    text = DOCS.read_text(encoding="utf-8")
    for p in PATTERNS:
        section = text.split(f"## {p.key} ", 1)[1].split("\n## ", 1)[0]
        assert f"Claimed *{p.spec.claimed}*" in section, f"{p.key}: docs/patterns.md is stale; run python -m simulation.analysis.patterns"
        assert all(f"`{key}`" in section for key in p.spec.switches)
        assert all(f"`{key}: " in section for key in p.spec.coefficient or {})


# ------------------------------------------------------------------ spec validation
@pytest.fixture
def spec_dirs(tmp_path):
    """A copy of the shipped specs and experiments to break one at a time."""
    experiments = tmp_path / "experiments"
    shutil.copytree(PATTERN_DIR, experiments, ignore=shutil.ignore_patterns("specs"))
    specs = tmp_path / "specs"
    shutil.copytree(SPEC_DIR, specs)
    return specs, experiments


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


BREAKS = [
    ("p04.yaml", lambda d: d.update(mechansim="x"), "mechansim: unknown key 'mechansim'; did you mean 'mechanism'?"),
    ("p04.yaml", lambda d: d.update(mechanism="resistance.drag"), "mechanism: expected a mechanism's switch"),
    ("p04.yaml", lambda d: d.update(mechanism="resistance.enabeld"), "mechanism: resistance.enabeld: unknown key"),
    ("p04.yaml", lambda d: d.update(mechanism=["resistance.enabled", "resistance.enabled"]),
     "mechanism: expected one switch or a list of different ones"),
    ("p04.yaml", lambda d: d.update(mechanism=[]), "mechanism: expected one switch or a list of different ones"),
    ("p04.yaml", lambda d: d.update(mechanism=["resistance.enabled", "resistance.drag"]),
     "mechanism: expected a mechanism's switch, a key ending in .enabled (got resistance.drag)"),
    ("p04.yaml", lambda d: d.update(coefficient={"resistance.focal_weight": 2}), "coefficient.resistance.focal_weight"),
    ("p04.yaml", lambda d: d.update(coefficient={"resistance.vested_interest": 0}),
     "coefficient: resistance.vested_interest is a factor"),
    ("p04.yaml", lambda d: d.update(coefficient=None, coefficient_note=""), "coefficient_note: say why"),
    ("p04.yaml", lambda d: d["claims"][0].update(measure="mean_resistence"), "claims.0.measure: unknown outcome"),
    ("p04.yaml", lambda d: d["claims"][0].update(measure="peak_resistance"), "is not one of the natural measures"),
    ("p04.yaml", lambda d: d["claims"][1].update(factor="resistance.drag"), "claims.1.factor: 'resistance.drag' is not"),
    ("p04.yaml", lambda d: d["claims"][0]["from"].pop("resistance.vested_interest"),
     "claims.0.from: give a value for resistance.vested_interest"),
    ("p04.yaml", lambda d: d["claims"][0]["to"].update({"portfolio.mission.specificity": 0.7}),
     "claims.0.to.portfolio.mission.specificity: 0.7 is not a level"),
    ("p04.yaml", lambda d: d["claims"][0].update(kind="slope"), "claims.0: input tag 'slope'"),
    ("p04.yaml", lambda d: d["claims"][0].update(experiment="p04-resistence"), "experiment p04-resistence"),
    ("p04.yaml", lambda d: d["robustness"].update(scenarios=["moonshot", "energiewende"]), "robustness.scenarios"),
    ("p04.yaml", lambda d: d["robustness"].update(scenarios=["moonshot", "energiewende", "atlantis"]),
     "unknown scenario 'atlantis'"),
    ("p04.yaml", lambda d: d["robustness"].update(unfit={"moonshot": "why"}), "moonshot is also listed as unfit"),
    ("p04.yaml", lambda d: d["robustness"].update(scenarios=["moonshot", "energiewende", "baseline"]),
     "baseline is the base scenario"),
    ("p04.yaml", lambda d: d.update(key="P5"), "key: P5 is also the key of another spec"),
    ("p04.yaml", lambda d: d.update(claimed="emergentish"), "claimed: "),
]


@pytest.mark.parametrize(("name", "change", "message"), BREAKS, ids=[b[2][:40] for b in BREAKS])
def test_a_broken_spec_is_rejected_naming_its_file_and_key(spec_dirs, name, change, message):
    specs, experiments = spec_dirs
    _edit(specs / name, change)
    with pytest.raises(ScenarioError) as error:
        load_patterns(specs, experiments)
    lines = [line for line in error.value.problems if message in line]
    assert lines, error.value.problems
    assert all(line.startswith(str(specs)) for line in error.value.problems)


def test_mechanisms_credited_together_are_switched_off_together_and_their_coefficients_neutralised_together():
    p2 = next(p for p in PATTERNS if p.key == "P2")
    assert p2.spec.switches == ("attention.enabled", "ambition.enabled")
    off, neutral = ablation_arms(p2)
    assert off.fixed == {"attention.enabled": False, "ambition.enabled": False}
    assert neutral.fixed == {"attention.salience_decay": 0.0, "ambition.despair_weight": 0.0}
    assert p2.spec.switched_off == "attention.enabled: false, ambition.enabled: false"


def test_a_broken_pattern_experiment_is_reported_through_its_spec(spec_dirs):
    specs, experiments = spec_dirs
    _edit(experiments / "p10-concentration.yaml", lambda d: d["factors"].update({"portfolio.overlap": {"levels": [2.0]}}))
    with pytest.raises(ScenarioError, match=r"p10.yaml: experiment p10-concentration: .*portfolio.overlap"):
        load_patterns(specs, experiments)


# ------------------------------------------------------------------ claims on known tables
def table(values: dict, factor: str = "x", replicates: int = 12, noise: float = 0.01, seed: int = 0) -> pd.DataFrame:
    """Runs at each level of ``factor`` with the given mean outcome ``y``, paired noise shared by a replicate."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0, 1.0, replicates)
    rows = [{"replicate": r, factor: level, "y": mean + shared[r] + noise * rng.normal()}
            for level, mean in values.items() for r in range(replicates)]
    return pd.DataFrame(rows)


def claim(kind: str, **fields):
    return CLAIM.validate_python({"kind": kind, "name": kind, "experiment": "e", "measure": "y", **fields})


def test_a_peak_holds_only_at_an_interior_level_with_both_ends_below():
    u = evaluate_claim(claim("peak", factor="x"), {"e": table({0: 1.0, 1: 2.0, 2: 1.5})})
    assert u.holds and u.detail.endswith("x = 1") and u.effect.value == pytest.approx(-0.5, abs=0.02)
    rising = evaluate_claim(claim("peak", factor="x"), {"e": table({0: 1.0, 1: 2.0, 2: 3.0})})
    assert not rising.holds and rising.effect.value == 0
    flat_end = evaluate_claim(claim("peak", factor="x"), {"e": table({0: 1.0, 1: 2.0, 2: 2.0}, noise=0.2)})
    assert not flat_end.holds


def test_a_trend_holds_when_the_ends_differ_and_no_step_goes_significantly_back():
    up = claim("trend", factor="x", expect="increase")
    assert evaluate_claim(up, {"e": table({0: 1.0, 1: 1.5, 2: 2.0})}).holds
    back = evaluate_claim(up, {"e": table({0: 1.0, 1: 2.5, 2: 2.0})})
    assert not back.holds and "goes back after x = 1" in back.detail
    down = evaluate_claim(claim("trend", factor="x", expect="decrease"), {"e": table({0: 1.0, 1: 1.5, 2: 2.0})})
    assert not down.holds and down.effect.value == pytest.approx(1.0, abs=0.02)
    assert steps_down(table({0: 2.0, 1: 1.5, 2: 1.0}), "x", "y") and not steps_down(table({0: 1.0, 1: 2.0}), "x", "y")


def test_a_failing_claim_says_why_it_fails():
    up = claim("difference", **{"from": {"x": 0}, "to": {"x": 1}}, expect="increase")
    assert evaluate_claim(up, {"e": table({0: 1.0, 1: 0.5})}).shortfall == "reversed"
    weak = evaluate_claim(up, {"e": table({0: 1.0, 1: 1.0})})
    assert not weak.holds and weak.shortfall == "not significant"
    rising = evaluate_claim(claim("peak", factor="x"), {"e": table({0: 1.0, 1: 2.0, 2: 3.0})})
    assert rising.shortfall == "no interior peak"
    faint = evaluate_claim(claim("peak", factor="x"), {"e": table({0: 1.0, 1: 1.05, 2: 1.0}, noise=0.05)})
    assert not faint.holds and faint.detail.endswith("x = 1") and faint.shortfall == "not significant"
    back = evaluate_claim(claim("trend", factor="x", expect="increase"), {"e": table({0: 1.0, 1: 2.5, 2: 2.0})})
    assert back.shortfall == "goes back"
    none = evaluate_claim(up, {"e": table({0: 0.0, 1: 0.0}).assign(y=0.0)})  # say, no mission achieved anywhere
    assert not none.holds and none.shortfall == "no variation" and none.detail == "y is 0 in every run"
    other = table({0: 1.0, 1: 1.0, 2: 3.0}).assign(y=lambda t: np.where(t["x"] == 2, t["y"], 0.0))
    assert evaluate_claim(up, {"e": other}).shortfall == "no variation"  # only the runs compared count
    assert evaluate_claim(claim("trend", factor="x", expect="decrease"), {"e": other}).shortfall == "goes back"


def test_a_robustness_case_names_each_failing_claim_with_its_effect_and_why(tiny):
    flat = {k: v.assign(progress_auc=1.0) for k, v in run_pattern(tiny, workers=1)[1].items()}
    case = judge(tiny, "LHS", "LHS 1", flat)
    name = tiny.spec.claims[0].name
    assert case.holds is False and case.shortfalls == ("no variation",)
    assert case.note == f"{name}: +0.000 [+0.000, +0.000] (progress_auc is 1 in every run), no variation"
    runs = pd.concat(flat.values())
    assert case.state == pytest.approx({m: runs[m].mean() for m in ("mean_engagement", "achieved_share")})


def test_the_state_of_the_cases_that_hold_is_set_against_that_of_those_that_fail(tiny):
    cases_ = [Case("LHS", "a", True, state={"mean_engagement": 0.3}), Case("LHS", "b", True, state={"mean_engagement": 0.1}),
              Case("LHS", "c", False, state={"mean_engagement": 0.05}), Case("LHS", "d", None)]
    ev = Evaluation(tiny, None, None, {}, cases=cases_)
    assert ev.state_by_verdict("mean_engagement") == pytest.approx({True: 0.2, False: 0.05})
    assert ev.state_by_verdict("achieved_share") == {}


def test_a_difference_beyond_another_compares_them_replicate_by_replicate():
    runs = table({0: 1.0, 1: 1.3, 2: 1.0, 3: 1.05})  # effect 0.3 at high trust (0 -> 1), 0.05 at low (2 -> 3)
    helps_more = claim("difference", **{"from": {"x": 0}, "to": {"x": 1}}, expect="increase",
                       beyond={"from": {"x": 2}, "to": {"x": 3}, "times": 3})
    result = evaluate_claim(helps_more, {"e": runs})
    assert result.holds and result.effect.value == pytest.approx(0.3 - 3 * 0.05, abs=0.02)
    assert not evaluate_claim(helps_more.model_copy(update={"beyond": helps_more.beyond.model_copy(
        update={"times": 7})}), {"e": runs}).holds


def test_a_level_and_a_missing_outcome():
    above = claim("level", at={"x": 0}, above=0.5)
    assert evaluate_claim(above, {"e": table({0: 1.0})}).holds
    assert not evaluate_claim(above.model_copy(update={"above": 1.5}), {"e": table({0: 1.0})}).holds
    gone = evaluate_claim(claim("level", at={"x": 0}, above=0.5).model_copy(update={"measure": "z"}),
                          {"e": table({0: 1.0})})
    assert gone.holds is None and "`z` is not a run outcome yet" in gone.detail


def test_a_pattern_holds_only_if_every_claim_does():
    runs = {"e": table({0: 1.0, 1: 2.0})}
    good = claim("difference", **{"from": {"x": 0}, "to": {"x": 1}}, expect="increase")
    bad, missing = good.model_copy(update={"expect": Direction.DECREASE}), good.model_copy(update={"measure": "z"})
    assert check([good], [], runs).holds is True
    assert check([good, missing], [], runs).holds is None
    assert check([good, missing, bad], [], runs).holds is False


# ------------------------------------------------------------------ verdicts
def effect(values, sign: int = 1) -> ClaimResult:
    expect = "increase" if sign > 0 else "decrease"
    values = pd.Series(np.asarray(values, dtype=float))
    e = estimate(values.to_numpy())
    return ClaimResult(claim("difference", **{"from": {"x": 0}, "to": {"x": 1}}, expect=expect),
                       bool(e.toward(sign)[0] > 0), values, e)


def verdict(intact, off, neutral, coefficient=True):
    return classify(Result([intact]), off, neutral, "m.enabled: false", {"m.k": 0} if coefficient else None)


NOISE = np.linspace(-0.05, 0.05, 12)


def test_emergent_needs_all_three_criteria():
    intact, off, neutral = effect(1.0 + NOISE), effect(0.1 + NOISE), effect(0.6 + NOISE * 0.5)
    assert verdict(intact, off, neutral).computed == "emergent"
    assert verdict(intact, off, None, coefficient=False).computed == "emergent"
    no = verdict(intact, effect(0.9 + NOISE), neutral)
    assert no.computed == "by design" and not no.vanishes and "does not vanish" in no.reasons[0]
    gone = verdict(intact, off, effect(0.0 * NOISE))
    assert gone.computed == "by design" and gone.present is False
    same = verdict(intact, off, effect(1.0 + NOISE))
    assert same.computed == "by design" and same.present and same.weaker is False


def test_vanishing_needs_evidence_of_absence_not_a_wide_interval():
    intact = effect(1.0 + NOISE)
    assert verdict(intact, effect(np.zeros(12)), None, False).vanishes  # exactly gone
    assert verdict(intact, effect(-0.5 + NOISE), None, False).vanishes  # reversed
    assert verdict(intact, effect(FRACTION * 0.5 + NOISE * 0.1), None, False).vanishes  # a remnant
    wide = effect(np.linspace(-2.0, 2.0, 12))  # mean 0, but the interval reaches far above a quarter of 1
    assert not verdict(intact, wide, None, False).vanishes
    assert verdict(effect(-1.0 + NOISE, -1), effect(0.2 + NOISE, -1), None, False).vanishes  # direction-aware


def test_a_pattern_with_a_missing_outcome_is_not_evaluable_unless_a_criterion_already_fails():
    intact, off = effect(1.0 + NOISE), effect(0.1 + NOISE)
    missing = ClaimResult(intact.claim.model_copy(update={"measure": "z"}), None, detail="missing")
    assert classify(Result([intact, missing]), off, None, "m.enabled: false", None).computed == "not evaluable"
    assert classify(Result([intact, missing]), effect(1.0 + NOISE), None, "m.enabled: false", None).computed == "by design"


# ------------------------------------------------------------------ the hypercube
def test_the_hypercube_is_a_seeded_latin_hypercube_within_the_spread():
    cube, params = hypercube(), parameters().set_index("key")
    assert cube.shape == (FULL.lhs_points, len(params))
    assert cube.equals(hypercube())
    for key in cube.columns:
        p, values = params.loc[key], cube[key].to_numpy()
        ends = sorted((p.default * (1 - FULL.spread), p.default * (1 + FULL.spread)))  # a negative default flips them
        lo, hi = max(p.low, ends[0]), min(p.high, ends[1])
        slack = 0.5 if p.integer else 1e-9
        assert ((values >= lo - slack) & (values <= hi + slack)).all(), key
        if p.integer:
            assert cube[key].dtype.kind == "i", key
        elif p.low <= ends[0] and ends[1] <= p.high:  # unclipped: one value in each of the 20 strata
            strata = np.floor((values / p.default - (1 - FULL.spread)) / (2 * FULL.spread) * FULL.lhs_points)
            assert sorted(strata.astype(int)) == list(range(FULL.lhs_points)), key


def test_a_parameter_added_to_the_schema_moves_no_other_column_of_the_hypercube(monkeypatch):
    full = hypercube()
    fewer = parameters().iloc[::2].reset_index(drop=True)
    monkeypatch.setattr("simulation.analysis.patterns.robustness.parameters", lambda: fewer)
    pd.testing.assert_frame_equal(hypercube(), full[list(fewer["key"])])


def test_the_hypercube_leaves_out_design_keys_zero_defaults_and_each_patterns_focal_keys():
    keys = set(parameters()["key"])
    assert not {k for k in keys if is_design_key(k)} | (keys & set(zero_defaults()))
    assert {"time.steps", "population.citizens", "funding.national.count", "portfolio.count"}.isdisjoint(keys)
    assert {"attention.resilience", "choice.base_pull", "funding.cost_per_work", "cycles.budget_delay"} <= keys
    for p in PATTERNS:
        lhs = [v for family, v in cases(p) if family == "LHS"]
        assert len(lhs) == FULL.lhs_points
        assert all(not focal(p) & set(v.fixed) for v in lhs), p.key
        assert all(bounds(field_of(k))[0] is None or v.fixed[k] >= bounds(field_of(k))[0] for v in lhs[:1] for k in v.fixed)


def test_every_robustness_value_is_valid_for_the_schema():
    from simulation.inputs.params import with_overrides

    for v in cases(PATTERNS[3]):
        if v[0] == "LHS":
            with_overrides(Config(), dict(v[1].fixed))


# ------------------------------------------------------------------ running
@pytest.fixture
def tiny(tmp_path):
    """A one-claim pattern over a 2-level, 3-replicate, 6-month experiment."""
    experiments, specs = tmp_path / "experiments", tmp_path / "specs"
    experiments.mkdir()
    specs.mkdir()
    (experiments / "tiny.yaml").write_text(yaml.safe_dump({
        "scenario": "baseline", "replicates": 3, "seed": 5, "steps": 6,
        "factors": {"portfolio.count": {"levels": [1, 3]}}}), encoding="utf-8")
    spec = yaml.safe_load((SPEC_DIR / "p02.yaml").read_text(encoding="utf-8"))
    spec["claims"], spec["diagnostics"] = spec["claims"][1:2], []
    spec["claims"][0]["experiment"] = "tiny"
    spec["robustness"]["scenarios"] = ["moonshot", "energiewende", "iceland-youth"]
    spec["robustness"]["unfit"] = {}
    (specs / "p02.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return load_patterns(specs, experiments)[0]


def test_runs_are_paired_and_identical_for_any_worker_count(tiny):
    jobs = [(Variant("intact"), ["tiny"]), (Variant("off", fixed={"attention.enabled": False}), ["tiny"])]
    with executor(1) as one:
        serial = run_variants(tiny, jobs, one)
    with executor(2) as two:
        parallel = run_variants(tiny, jobs, two)
    for name in ("intact", "off"):
        a, b = serial[name]["tiny"].drop(columns="cpu_s"), parallel[name]["tiny"].drop(columns="cpu_s")
        pd.testing.assert_frame_equal(a, b)
        assert (a.groupby("replicate")["seed"].nunique() == 1).all()  # replicate k: one seed at every point
    assert serial["intact"]["tiny"]["seed"].equals(serial["off"]["tiny"]["seed"])  # and in every arm
    assert not serial["intact"]["tiny"]["progress_auc"].equals(serial["off"]["tiny"]["progress_auc"])


def test_design_points_advanced_in_one_ensemble_each_give_their_own_runs():
    base = with_overrides(Config(), {"time.steps": 24})
    points = [with_overrides(base, {"portfolio.mission.ambition": a}) for a in (0.3, 0.9)]
    group = tuple(RunSpec(f"r{k}", "t", k % 2, 40 + k % 2, points[k // 2], point=k // 2) for k in range(4))
    together = [{k: v for k, v in row.items() if k != CPU} for row in summarise_ensemble(group)]
    alone = [{k: v for k, v in summarise(spec).items() if k != CPU} for spec in group]
    assert together == alone
    assert together[0] != together[2]  # control: same seed, the points' own ambition makes them differ


def test_an_evaluation_runs_the_arms_and_reports_a_scenario_that_cannot_host(tiny, tmp_path):
    host = cases(tiny, scenarios=2, lhs=1, long=False)
    with executor(1) as pool:
        ev = evaluate(tiny, pool, host)
    assert set(ev.tables) == {"intact", "mechanism off", "coefficient neutral"}
    assert ev.runs == 6 * (3 + 3) - 6  # 3 arms and 3 cases of 6 runs, less energiewende that cannot host
    energiewende = next(c for c in ev.cases if c.name == "scenario energiewende")
    assert energiewende.holds is False and "cannot host" in energiewende.note and "portfolio.count" in energiewende.note
    assert ev.cpu_s > 0
    alone, tables = run_pattern(tiny, workers=1)  # the intact arm on its own gives the same verdict, to the digit
    assert alone.effect == ev.intact.effect and set(tables) == {"tiny"}
    text = page([ev], {}, tmp_path / "docs" / "patterns.md", FULL, "ci", 1, 1.0)
    assert "## P2 Portfolio dilution and burn-out" in text and "scenario energiewende" in text
    assert "| case | holds | engagement | achieved | what fails |" in text
    lhs = next(c for c in ev.cases if c.name == "LHS 1")
    assert f"| LHS 1 | {'yes' if lhs.holds else '**no**'} | {lhs.state['mean_engagement']:.2f} |" in text
    assert figure(ev) is not None


def test_the_page_can_be_written_for_some_patterns_only_and_never_over_the_shipped_one(tiny, tmp_path, monkeypatch,
                                                                                       capsys):
    monkeypatch.setattr(report, "load_patterns", lambda: (tiny,))
    out, figures = tmp_path / "some.md", tmp_path / "figures"
    for argv, says in ((["--patterns", "P2,P11", "--out", str(out), "--figures", str(figures)], "unknown P11"),
                       (["--patterns", "P2"], "give --out and --figures")):
        with pytest.raises(SystemExit) as exit_:
            report.main(argv)
        assert exit_.value.code == 2 and says in capsys.readouterr().err
    assert not out.exists() and not figures.exists()
    assert report.main(["--patterns", "p2", "--robustness", "none", "-w", "1", "--out", str(out),
                        "--figures", str(figures)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "## P2 Portfolio dilution and burn-out" in text and "Hold on their natural measures: 1 of 1" in text
    assert sorted(p.name for p in figures.iterdir()) == ["p2.png"]


def test_the_hypercube_points_are_set_side_by_side_across_patterns(tiny):
    """Per hypercube point: the patterns failing there and the mean state of its runs, and the failures
    counted apart where missions starve."""
    from simulation.analysis.patterns.report import hypercube_section

    def ev(key, holds, achieved):
        cases_ = [Case("LHS", f"LHS {i + 1}", h, state={"mean_engagement": 0.1 * (i + 1), "achieved_share": a})
                  for i, (h, a) in enumerate(zip(holds, achieved, strict=True))]
        cases_.append(Case("scenarios", "scenario x", False))  # not a hypercube case
        pattern = type(tiny)(tiny.spec.model_copy(update={"key": key}), tiny.path, tiny.experiments)
        return Evaluation(pattern, None, None, {}, cases=cases_)

    text = hypercube_section([ev("P1", [False, True, True], [0.0, 0.5, 0.9]),
                              ev("P2", [False, False, True], [0.1, 0.4, 0.7])])
    assert "| LHS 1 | 2 of 2 | P1, P2 | 0.10 | 0.05 |" in text
    assert "| LHS 2 | 1 of 2 | P2 | 0.20 | 0.45 |" in text
    assert "| LHS 3 | 0 of 2 | - | 0.30 | 0.80 |" in text
    assert "At the 1 point where missions achieve under 10% of their goals, 2 of 2 pattern cases fail (100%); " \
           "at the 2 points elsewhere, 1 of 4 pattern cases fail (25%)." in text
    assert "scenario x" not in text
    assert hypercube_section([]) == ""
