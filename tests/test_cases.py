"""The case table: the model's spread over replicates against each observation, computed right and not stale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.analysis.cases import DOCS, Row, case_files, compare, figure, observation_cell, real_cell, run_case, table
from simulation.inputs.evidence import Observation
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


def table_of(rows: list[Row], months: int) -> str:
    from simulation.analysis.cases import Case

    return table(Case("c", "d", months, rows, pd.DataFrame()))


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
        section = text.split(f"## {path.stem}\n", 1)[1].split("\n## ", 1)[0]
        for o in resolve(path).evidence.observed.root:
            assert f"| {observation_cell(o)} | {real_cell(o)} |" in section, \
                f"{path.stem}: docs/cases.md is stale; run python -m simulation.analysis.cases"
