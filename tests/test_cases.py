"""The case table: the model's spread over replicates against each observation, computed right and not stale; each
shipped calibrated case inside its 90% band at the observations it fitted (its held-out ones are only reported)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.analysis.cases import (
    DOCS,
    Case,
    Entry,
    Row,
    case_files,
    compare,
    entries,
    figure,
    observation_cell,
    real_cell,
    run_case,
    table,
)
from simulation.inputs.evidence import Calibrated, HoldOut, Observation
from simulation.inputs.scenario import resolve


def obs(**fields) -> Observation:
    return Observation.model_validate({"month": 2, "quantity": "progress", "source": "s", **fields})


def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five replicates of two missions: A's progress at month 2 is 0.1 .. 0.5, B's is 0.9 throughout."""
    steps = pd.DataFrame([{"run_id": f"r{k}", "step": step, "mission_name": name,
                           "progress": (0.1 * (k + 1) if name == "A" else 0.9) * (step == 2)}
                          for k in range(5) for step in range(4) for name in ("A", "B")])
    missions = pd.DataFrame({"run_id": [f"r{k}" for k in range(5)], "mission_name": "A",
                             "time_to_goal": [10, 12, np.nan, 14, np.nan]})
    return steps, missions


def test_the_table_reads_each_replicate_at_the_month_and_summarises_the_spread():
    steps, missions = tables()
    rows = compare([obs(mission="A", value=0.6, uncertainty=0.05), obs(mission="A", value=0.5, uncertainty=0.05),
                    obs(mission={"A": 1, "B": 3}, value=0.2, low=0.1, high=0.3),
                    obs(mission="A", quantity="time_to_goal", month=3, value=12),
                    obs(mission="A", month=30, value=0.5)], steps, missions, months=20)
    assert len(rows) == 4  # month 30 lies beyond the run
    above, edge, weighted, met = rows
    assert above.replicates == 5
    assert above.quantiles == pytest.approx(np.quantile([0.1, 0.2, 0.3, 0.4, 0.5], [0.05, 0.25, 0.5, 0.75, 0.95]))
    assert above.median == pytest.approx(0.3) and above.band90 == pytest.approx((0.12, 0.48))
    assert not above.inside and edge.inside  # 0.55-0.65 misses the band; 0.45-0.55 overlaps it
    mean = (np.array([0.1, 0.2, 0.3, 0.4, 0.5]) + 3 * 0.9) / 4  # weights 1 and 3
    assert weighted.median == pytest.approx(np.median(mean)) and not weighted.inside
    assert met.median == pytest.approx(14) and met.band90[1] == pytest.approx(21) and met.inside  # never: month 21
    assert "never]" in table_of([met], months=20) and "| 12 |" in table_of([met], months=20)


def test_a_band_wider_than_the_real_spread_justifies_is_marked_and_counted():
    steps, missions = tables()  # A's 90% band at month 2: [0.12, 0.48], 0.36 wide
    rows = compare([obs(mission="A", value=0.3, uncertainty=0.05, justified_band={"width": 0.3, "reason": "r"}),
                    obs(mission="A", value=0.3, uncertainty=0.05, justified_band={"width": 0.4, "reason": "why"}),
                    obs(mission="A", value=0.3, uncertainty=0.05)], steps, missions, months=20)
    assert [r.narrow for r in rows] == [False, True, None]
    wide, fine, unsaid = (line.split(" | ") for line in table_of(rows, 20).splitlines()[2:])
    assert wide[2:4] == ["0.30: r", "0.30 [0.12, 0.48] in, too wide"] and fine[2:4] == ["0.40: why", "0.30 [0.12, 0.48] in"]
    assert unsaid[2] == "–" and Entry(Case("c", "d", 20, rows, steps)).counts()[3] == (1, 2)


def table_of(rows: list[Row], months: int) -> str:
    return table(Case("c", "d", months, rows, pd.DataFrame()))


def test_the_calibrated_variant_sits_beside_its_case_fitted_and_held_out_apart(tmp_path):
    steps, missions = tables()
    observed = [obs(mission="A", value=0.3, uncertainty=0.05), obs(mission="B", value=0.5, uncertainty=0.05, id="b")]
    base, variant = tmp_path / "c.yaml", tmp_path / "c-calibrated.yaml"
    written = Case("c", "d", 20, compare(observed, steps, missions, 20), steps, path=base)
    record = Calibrated(runs=10, minutes=1.0, workers=2, held_out=[HoldOut(id="b")])
    calibrated = Case("c-calibrated", "d", 20, compare(observed, steps, missions, 20, [False, True]), steps,
                      record, variant, base)
    alone = Case("x", "d", 20, compare(observed[:1], steps, missions, 20), steps, path=tmp_path / "x.yaml")
    assert entries([written, alone, calibrated]) == [Entry(written, calibrated), Entry(alone)]
    a, b = ([cell.strip() for cell in line.split("|")[1:-1]] for line in table(written, calibrated).splitlines()[2:])
    assert a[2:6] == ["–", "0.30 [0.12, 0.48] in", "0.30 [0.12, 0.48] in", "–"]  # fitted
    assert b[2:6] == ["–", "0.90 [0.90, 0.90] **out**", "–", "0.90 [0.90, 0.90] **out**"]  # held out: reported
    assert Entry(written, calibrated).counts() == ((1, 2), (1, 1), (0, 1), (0, 0))  # no band justified: none counted
    assert Entry(alone).counts() == ((1, 1), (0, 0), (0, 0), (0, 0))
    assert figure(written, calibrated).axes


def test_a_tiny_case_runs_against_its_observations(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text("""extends: moonshot
time: {steps: 12}  # assumption
population: {ministries: 6, firms: 10, citizens: 30}  # assumption
portfolio: {ministries_per_mission: 3}  # assumption
observed:
  - {month: 6, mission: Land a man on the Moon and return him safely, quantity: progress, value: 0.05, uncertainty: 0.05, source: s}
  - {month: 12, mission: Land a man on the Moon and return him safely, quantity: time_to_goal, value: 11, source: s}
""", encoding="utf-8")
    case = run_case(path, replicates=3)
    assert [r.replicates for r in case.rows] == [3, 3]
    assert case.rows[1].median == 13  # not met within 12 months: "never"
    assert case.steps["run_id"].nunique() == 3
    assert figure(case).axes


def test_the_page_shows_every_case_files_observations():
    text = DOCS.read_text(encoding="utf-8")
    for path in case_files():
        resolved = resolve(path)
        calibrated = resolved.evidence.calibration is not None
        name = resolved.sources[1].path.stem if calibrated else path.stem  # beside the case it calibrates
        section = text.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        assert not calibrated or f"[`scenarios/{path.stem}.yaml`]" in section, f"{path.stem}: not on the page"
        for o in resolved.evidence.observed.root:
            assert f"| {observation_cell(o)} | {real_cell(o)} |" in section, \
                f"{path.stem}: docs/cases.md is stale; run python -m simulation.analysis.cases"


CALIBRATED = [p for p in case_files() if resolve(p).evidence.calibration is not None]


CI_REPLICATES = 20
"""Half the page's replicates, to keep CI short (3 to 7 s a case on two cores); the verdicts are the page's."""


@pytest.fixture(scope="module")
def pool():
    from simulation.execution.workers import process_pool

    with process_pool(2) as found:
        yield found


@pytest.mark.slow
@pytest.mark.parametrize("path", CALIBRATED, ids=lambda p: p.stem)
def test_a_shipped_calibrated_case_lies_inside_its_band_where_it_was_fitted(path, pool):
    case = run_case(path, CI_REPLICATES, executor=pool)
    ev = resolve(path).evidence
    assert [r.held_out for r in case.rows] == [held for o, held in zip(ev.observed.root, ev.held_out, strict=True)
                                               if o.month <= case.months]  # reported, in their own column
    outside = [r.observation.label for r in case.rows if not r.held_out and not r.inside]
    assert not outside, f"{path.stem}: fitted but outside the 90% band: {outside}"


def test_every_shipped_calibrated_case_is_tested():
    assert {p.stem for p in CALIBRATED} >= {f"{case}-calibrated" for case in ("energiewende", "eu-missions", "iceland-youth",
                                                                         "india-renewables", "moonshot")}
