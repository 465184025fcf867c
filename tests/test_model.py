"""The model's structure: agents of each type, views onto state, the schedule, outputs."""

import inspect

import numpy as np
import pytest
from pydantic import ValidationError

from simulation import Config, MissionModel
from simulation.core.agents import Citizen, Firm, Funder, Ministry
from simulation.core.rules.governance import Status
from simulation.inputs.params import MissionOverride, bounds, field_of, get_dotted, with_overrides


@pytest.fixture(scope="module")
def model():
    return MissionModel(seed=1).run()


def test_default_scenario_has_about_a_thousand_agents_of_four_types(model):
    pop, funding = model.config.population, model.config.funding
    counts = {cls: len(model.agents_by_type[cls]) for cls in (Ministry, Firm, Citizen, Funder)}
    assert counts == {Ministry: pop.ministries, Firm: pop.firms, Citizen: pop.citizens,
                      Funder: sum(getattr(funding, k).count for k in ("national", "regional", "philanthropic", "impact"))}
    assert len(model.agents) == 1000


def test_agents_are_views_onto_the_state_arrays(model):
    firm = model.agents_by_type[Firm].to_list()[0]
    assert firm.incumbent and firm.vested_interest == model.actors.vested[firm.row]
    assert np.array_equal(firm.engagement, model.actors.engagement[firm.row])
    citizen = model.agents_by_type[Citizen].to_list()[-1]
    assert np.array_equal(citizen.support, model.actors.support[-1])
    leads = [name for m in model.agents_by_type[Ministry] for name in m.leads]
    assert sorted(leads) == sorted(model.missions.names)
    kinds = {f.kind for f in model.agents_by_type[Funder]}
    assert kinds == {"national", "regional", "philanthropic", "impact"}


def test_step_reads_as_the_schedule():
    source = inspect.getsource(MissionModel.step)
    phases = ["open_month", "fund", "mobilise", "oppose", "advance", "shape_opinion", "govern", "close_month"]
    positions = [source.index(f"self.{p}()") for p in phases]
    assert positions == sorted(positions)


def test_tables_are_tidy_and_complete(model):
    missions = model.mission_frame()
    steps = model.config.time.steps + 1
    assert len(missions) == steps * model.missions.count
    assert set(missions["status"].cat.categories) == {s.name.lower() for s in Status}
    assert set(missions["facet"].cat.categories) == {"mission", "enhancement", "adaptive", "anticipatory"}
    actors = model.actor_frame()
    assert len(actors) == steps * 4
    assert actors.query("actor_type == 'funder'")["fatigue"].isna().all()
    assert len(model.datacollector.get_model_vars_dataframe()) == steps


def test_summary_reports_portfolio_and_mission_outcomes(model):
    s = model.summary()
    for key in ("achieved", "mean_time_to_goal", "peak_burnt_out", "spend_after_purpose", "total_progress"):
        assert key in s
    assert s["paid_by_funders"] == pytest.approx(model.missions.received.sum())
    years = (model.month - 1) // model.config.time.steps_per_year + 1  # budget years opened so far
    assert s["paid_by_funders"] + s["unpaid_budget"] == pytest.approx(model.funders.annual_budget.sum() * years)
    rows = model.mission_summary()
    assert [r["mission_name"] for r in rows] == model.missions.names
    assert all(sum(r[f"months_{f}"] for f in ("mission", "enhancement", "adaptive", "anticipatory"))
               <= model.config.time.steps for r in rows)


def test_distinct_and_shared_ministries():
    distinct = MissionModel(with_overrides(Config(), {"portfolio.overlap": 0.0}), seed=1)
    shared = MissionModel(with_overrides(Config(), {"portfolio.overlap": 1.0}), seed=1)
    mins = distinct.actors.ministries
    assert distinct.actors.exposure[mins].sum(axis=1).max() == 1
    assert shared.actors.exposure[mins].sum(axis=1).max() == shared.config.portfolio.count


# ---------------------------------------------------------------- schema
def test_schema_rejects_unknown_keys_and_out_of_range_values():
    with pytest.raises(ValidationError, match=r"attention\.fatigue_buld"):
        Config.model_validate({"attention": {"fatigue_buld": 0.1}})
    with pytest.raises(ValidationError, match=r"portfolio\.mission\.ambition"):
        Config.model_validate({"portfolio": {"mission": {"ambition": 1.5}}})
    with pytest.raises(ValidationError, match="overrides given"):
        Config.model_validate({"portfolio": {"count": 1, "missions": [{}, {}]}})
    with pytest.raises(ValidationError, match="ministries_per_mission exceeds"):
        Config.model_validate({"portfolio": {"ministries_per_mission": 50}})


def test_overrides_keep_the_template_bounds_and_docs():
    info = MissionOverride.model_fields["ambition"]
    assert bounds(info) == bounds(field_of("portfolio.mission.ambition")) == (0.0, 1.0)
    assert bounds(field_of("portfolio.missions.3.ambition")) == (0.0, 1.0)
    assert field_of("portfolio.mission.ambition").default == 0.6


def test_dotted_overrides_are_validated():
    cfg = with_overrides(Config(), {"portfolio.missions": [{"name": "Moon"}], "portfolio.missions.0.ambition": 0.9})
    assert cfg.portfolio.resolved()[0].name == "Moon" and get_dotted(cfg, "portfolio.missions.0.ambition") == 0.9
    assert cfg.portfolio.resolved()[1].name == "Mission 2"
    with pytest.raises(KeyError, match="unknown key"):
        with_overrides(Config(), {"attention.nope": 1})
    with pytest.raises(ValidationError):
        with_overrides(Config(), {"time.steps": 0})
