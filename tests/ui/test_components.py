"""The educators' page without a browser: controls from the schema and the checks on what a browser sends,
the model adapter, the narrative, charts, the network view, and the page rendered in-process with
``solara.render`` (each panel failing alone)."""

from __future__ import annotations

import dataclasses
import io
from enum import Enum
from html import escape

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara

from simulation.core.model import MissionModel
from simulation.core.rules.governance import FACETS, Status
from simulation.frontends.ui import SERVER_ENV, about, charts, command, compare, export, panels
from simulation.frontends.ui.controls import (
    CONTROLS,
    DEFAULT_PRESET,
    SLIDERS,
    SWITCHES,
    InvalidInput,
    accept,
    accept_seed,
    configure,
    load_preset,
    presets,
    values_of,
)
from simulation.frontends.ui.frame import Frame
from simulation.frontends.ui.model import UIModel
from simulation.frontends.ui.narrative import mission_labels, mission_names, status_word
from simulation.frontends.ui.network import OUTSIDERS_Y, build, frames, network_chart
from simulation.frontends.ui.panels import Dashboard, glance_html, narrative_html
from simulation.inputs.params import Config, ReviewRule, bounds, field_of, get_dotted
from simulation.inputs.scenario import SCENARIO_DIR, list_scenarios, load_scenario


@pytest.fixture(scope="module")
def model() -> UIModel:
    """A default-preset model 60 months in."""
    model = UIModel()
    for _ in range(60):
        model.step()
    return model


@pytest.fixture(scope="module")
def running(model) -> Frame:
    """What the page draws of that model."""
    return Frame.of(model)


# ------------------------------------------------------------------ controls
def test_ambition_slider_reads_bounds_and_default_from_the_schema():
    info = field_of("portfolio.mission.ambition")
    control = CONTROLS["ambition"]
    assert control.kind == "SliderFloat"
    assert bounds(control.info) == bounds(info) == (0.0, 1.0)
    assert control.value_in(Config()) == info.default


@pytest.mark.parametrize("control", SLIDERS + SWITCHES, ids=lambda c: c.name)
def test_every_control_mirrors_its_schema_field(control):
    info = field_of(control.key)
    default = info.default.value if isinstance(info.default, Enum) else info.default
    assert control.value_in(Config()) == default
    if control.kind == "Checkbox":
        section = Config.model_fields[control.key.split(".")[0]].annotation
        assert control.help == section.__doc__.strip().splitlines()[0]  # what the mechanism does
        return
    assert info.description in control.help
    if control.kind == "Select":
        assert control.choices == [rule.value for rule in ReviewRule]
    else:
        assert control.kind in ("SliderFloat", "SliderInt")
        lo, hi = bounds(info)
        assert f"{lo:g} to {hi:g}" in control.help  # the tooltip gives the range, and the unit if any
        assert control.unit in control.help or control.unit == "share"


def test_teaching_controls_and_one_switch_per_mechanism():
    keys = {c.key for c in SLIDERS}
    assert {"portfolio.mission.ambition", "portfolio.mission.commitment", "portfolio.mission.leadership",
            "portfolio.count", "attention.resilience", "resistance.vested_interest",
            "portfolio.mission.specificity", "lockin.rule", "new_voices.inclusion"} <= keys
    assert [c.key for c in SWITCHES] == [f"{name}.enabled" for name in Config.model_fields
                                         if name in {s.key.split(".")[0] for s in SWITCHES}]


def test_controls_start_at_the_presets_values():
    config = load_scenario("moonshot")
    values = values_of(load_preset("moonshot"))
    for name, control in CONTROLS.items():
        value = get_dotted(config, control.key)
        assert values[name] == (value.value if isinstance(value, Enum) else value)


@pytest.mark.parametrize("name", ["/etc/passwd", "../../etc/passwd", str(SCENARIO_DIR / "baseline.yaml"),
                                  "baseline.yaml", "", None, 42, ["baseline"]])
def test_a_preset_is_a_shipped_name_never_a_path(name):
    with pytest.raises(InvalidInput, match="unknown preset"):
        load_preset(name)


@pytest.mark.parametrize(("name", "value", "why"), [
    ("ambition", 1.5, "expected 0 to 1"), ("ambition", -0.1, "expected 0 to 1"), ("ambition", "0.5", "a number"),
    ("ambition", float("nan"), "a number"), ("ambition", True, "a number"), ("missions", 2.5, "whole number"),
    ("missions", 13, "expected 1 to 12"), ("review_rule", "/etc/passwd", "one of"), ("cycles_on", "yes", "on or off"),
    ("preset", "moonshot", "unknown control"), (None, 1, "unknown control"),
])
def test_a_value_outside_the_schema_is_refused(name, value, why):
    with pytest.raises(InvalidInput, match=why):
        accept(name, value)


def test_a_value_inside_the_schema_is_taken_as_the_controls_type():
    assert accept("missions", 4.0) == 4 and isinstance(accept("missions", 4.0), int)
    assert accept("ambition", 1) == 1.0 and isinstance(accept("ambition", 1), float)
    assert accept("review_rule", "sunset") == "sunset" and accept("cycles_on", False) is False
    assert accept_seed(7) == 7
    for bad in (-1, 2**63, "7", 1.5, True):
        with pytest.raises(InvalidInput, match="Seed"):
            accept_seed(bad)


def test_presets_are_the_shipped_scenarios():
    names = [name for name, _ in presets()]
    assert DEFAULT_PRESET in names
    assert names == [name for name, text in list_scenarios() if not text.startswith("INVALID")]
    assert {"baseline", "moonshot", "energiewende", "iceland-youth"} <= set(names)


def test_configure_applies_values_by_dotted_key():
    config = configure(Config(), {"missions": 5, "vested_interest": 0.9, "review_rule": "sunset",
                                  "cycles_on": False})
    assert config.portfolio.count == 5
    assert config.resistance.vested_interest == 0.9
    assert config.lockin.rule is ReviewRule.SUNSET
    assert config.cycles.enabled is False


def test_a_moved_template_slider_moves_every_mission_but_an_unmoved_one_keeps_per_mission_values():
    base = load_scenario("energiewende")
    assert base.portfolio.missions, "energiewende sets missions one by one"
    kept = configure(base, {"ambition": base.portfolio.mission.ambition})
    assert [m.ambition for m in kept.portfolio.resolved()] == [m.ambition for m in base.portfolio.resolved()]
    moved = configure(base, {"ambition": 0.95})
    assert {m.ambition for m in moved.portfolio.resolved()} == {0.95}


def test_fewer_missions_than_the_preset_lists_drops_the_extra_overrides():
    base = load_scenario("eu-missions")
    config = configure(base, {"missions": 2})
    assert config.portfolio.count == 2
    assert [m.name for m in config.portfolio.resolved()] == [m.name for m in base.portfolio.resolved()[:2]]


def test_more_missions_than_a_named_preset_get_names_of_their_own():
    config = configure(load_scenario("moonshot"), {"missions": 3})
    names = [m.name for m in config.portfolio.resolved()]
    assert names[0] == load_scenario("moonshot").portfolio.mission.name and names[1:] == ["Mission 2", "Mission 3"]


def test_repeated_mission_names_are_told_apart():
    model = UIModel()
    model.missions.names = ["Clean air", "Clean air", "Water"]
    assert mission_names(model) == ["Clean air", "Clean air (2)", "Water"]
    assert set(charts.mission_colours(model)) == set(mission_names(model))


def test_unknown_control_is_an_error():
    with pytest.raises(TypeError, match="unknown control"):
        configure(Config(), {"ambitoin": 0.5})


# ------------------------------------------------------------------ the model adapter
def test_adapter_builds_from_a_preset_a_seed_and_control_values():
    model = UIModel(preset="moonshot", seed=7, missions=4, review_rule="review")
    assert model.missions.count == 4 and model.seed == 7
    assert model.config.lockin.rule is ReviewRule.REVIEW
    assert model.config.name == load_scenario("moonshot").name


def test_adapter_runs_to_the_end_and_says_so():
    model = UIModel(preset="ato-fix-it-squads")
    steps = model.config.time.steps
    while model.running:
        model.step()
    assert model.month == steps and model.recorder.n == steps + 1
    assert model.events[-1].kind == "end"


def test_adapter_matches_the_plain_model_on_the_same_config():
    ui = UIModel(missions=2)
    config = configure(load_scenario(DEFAULT_PRESET), {"missions": 2})
    plain = MissionModel(config, rng=config.seed)  # the page replays a preset with the preset's seed
    for _ in range(24):
        ui.step()
        plain.step()
    np.testing.assert_array_equal(ui.recorder.mission_series("progress"), plain.recorder.mission_series("progress"))


# ------------------------------------------------------------------ charts and network
@pytest.mark.parametrize("build_chart", charts.CHARTS, ids=lambda f: f.__name__)
def test_every_chart_is_a_valid_vega_lite_spec_with_title_and_mission_names(running, build_chart):
    chart = build_chart(running)
    chart.to_dict(validate=True)  # the page skips validation for speed; here it must pass
    spec = charts.spec(chart)
    assert spec["$schema"] == charts.VEGA_LITE_SCHEMA
    assert spec["title"]["text"] if "title" in spec else spec["layer"][-1]["title"]["text"]
    data = "".join(str(d) for d in spec["datasets"].values())
    if build_chart not in (charts.engagement_chart, charts.burnout_chart):
        assert all(label in data for label in mission_labels(running))


def walk(node):
    """Every dict inside a Vega-Lite specification."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


@pytest.fixture(scope="module")
def six() -> Frame:
    """Six missions with long names, 40 months in: the projector's hardest case."""
    model = UIModel(preset="eu-missions-bauhaus")
    for _ in range(40):
        model.step()
    return Frame.of(model)


@pytest.mark.parametrize("build_chart", charts.CHARTS, ids=lambda f: f.__name__)
def test_legends_go_below_the_plot_with_short_labels(six, build_chart):
    spec = charts.spec(build_chart(six))
    charted = {key: value for key, value in spec.items() if key != "config"}  # the style's legend defaults
    legends = [node["legend"] for node in walk(charted) if isinstance(node.get("legend"), dict)]
    assert (legends and all(legend.get("orient") == "bottom" for legend in legends)) or "facet" in spec
    data = "".join(str(d) for d in spec["datasets"].values())
    assert "Adaptation to climate change" not in data
    if build_chart not in (charts.engagement_chart, charts.burnout_chart):  # by actor type, not mission
        assert "Adaptation to climate" in data


@pytest.mark.parametrize("build_chart", [charts.progress_chart, charts.spending_chart, charts.legitimacy_chart],
                         ids=lambda f: f.__name__)
def test_pointing_at_a_line_or_its_legend_entry_highlights_it(running, build_chart):
    spec = charts.spec(build_chart(running))
    params = {p["name"]: p for node in walk(spec) for p in node.get("params", []) if isinstance(p, dict)}
    assert params["pick"]["bind"] == "legend" and params["hover"]["select"]["on"] in ("mousemove", "mouseover")
    conditions = [node["opacity"]["condition"] for node in walk(spec) if isinstance(node.get("opacity"), dict)
                  and "condition" in node["opacity"]]
    assert [c["test"] for c in conditions] == [{"and": [{"param": "hover"}, {"param": "pick"}]}]


def test_momentum_of_five_or_more_missions_is_small_multiples(running, six):
    assert "facet" not in charts.spec(charts.momentum_chart(running))  # three missions: one chart
    spec = charts.spec(charts.momentum_chart(six))
    assert spec["facet"]["field"] == "series" and spec["columns"] == 3
    assert spec["facet"]["sort"] == mission_labels(six)


def test_the_resistance_chart_fits_its_levels_and_says_what_they_cost(six):
    chart = charts.resistance_chart(six)
    spec = charts.spec(chart)
    (top,) = {node["y"]["scale"]["domain"][1] for node in walk(spec) if "scale" in node.get("y", {})}
    assert 0.25 <= top < 1.0  # not a flat line at the bottom of a 0-1 axis
    worst = six.missions.resistance[six.missions.live].max()
    slower = round(100 * (1 - 1 / (1 + six.config.resistance.drag * worst)))
    assert f"slows progress by up to {slower}% now" in spec["title"]["subtitle"]


def test_every_status_of_the_model_has_words_and_a_phase():
    assert [status_word(s) for s in Status] == ["pursuing", "locked in", "achieved", "abandoned", "retired"]
    assert {charts.phase(s) for s in Status} == set(charts.PHASES)


def test_the_glance_table_names_missions_by_label_with_the_full_name_on_hover(six):
    html = glance_html(six)
    assert '<td title="100 climate-neutral and smart cities">' in html and "100 climate-neutral</td>" in html
    assert html.count("<tr>") == 7


def test_network_is_a_readable_sample(running):
    eco = build(running)
    a = running.actors
    assert len(eco.actors) + eco.funders.size < 120  # not a thousand-node hairball
    assert set(range(a.ministries.start, a.ministries.stop)) <= set(eco.actors.tolist())
    assert eco.funders.size == running.funders.kind.size
    assert {"incumbent firm", "challenger firm", "citizen"} <= set(eco.actor_types)
    xy = np.array(list(eco.positions.values()))
    assert xy[:, 0].min() >= -1 and xy[:, 0].max() <= 1 and xy[:, 1].min() >= OUTSIDERS_Y and xy[:, 1].max() <= 1
    nodes, links, missions = frames(running, eco)
    assert len(nodes) == len(eco.actors) + eco.funders.size and len(missions) == running.missions.count
    assert nodes["engagement"].between(0, 1).all() and len(links) > 0
    network_chart(running, eco).to_dict(validate=True)


def test_network_sample_is_fixed_per_seed_and_leaves_the_model_untouched():
    one, two = UIModel(), UIModel()
    eco_one, eco_two = build(one), build(two)
    np.testing.assert_array_equal(eco_one.actors, eco_two.actors)
    assert eco_one.positions == eco_two.positions
    for _ in range(12):
        one.step()
        two.step()
    np.testing.assert_array_equal(one.recorder.missions, two.recorder.missions)


def test_panels_html_is_escaped_and_names_the_missions(running):
    glance = glance_html(running)
    assert all(name in glance for name in running.missions.names)
    hostile = dataclasses.replace(running, events=(*running.events, dataclasses.replace(running.events[-1],
                                                                                       text="<script>x</script>")))
    assert "&lt;script&gt;" in narrative_html(hostile) and "<script>" not in narrative_html(hostile)


def test_comparison_runs_both_settings_over_the_same_seeds():
    chosen = {"A": compare.Setting.of_preset("baseline", missions=1), "B": compare.Setting.of_preset("baseline", missions=4)}
    results = compare.run_all(chosen, 3)
    one, four = results["A"], results["B"]
    assert one.label == "A: baseline, 1 mission" and four.label == "B: baseline, 4 missions"
    assert list(one.summaries["seed"]) == list(four.summaries["seed"]) and one.summaries["seed"].nunique() == 3
    assert set(one.summaries["missions"]) == {1} and set(four.summaries["missions"]) == {4}
    assert len(one.series) == 3 * (load_scenario(DEFAULT_PRESET).time.steps + 1)
    html = compare.summary_html(results)
    assert "Median of 3 seeds" in html and "B − A" in html and "Every outcome of the model" in html
    for chart in compare.COMPARED:
        spec = charts.spec(compare.comparison_chart(results, *chart))
        assert spec["title"]["subtitle"].startswith("Median of 3 seeds; band")


def test_a_sides_new_preset_brings_its_sliders_back_to_the_presets_values():
    """Issue 14, item 3: a side kept its number of missions when its preset changed (an invalid comparison)."""
    moved = compare.Setting.of_preset("moonshot-leader-only", missions=4)
    fresh = compare.Setting.of_preset("moonshot")
    assert moved.changes() == {"missions": 4} and fresh.changes() == {}
    assert fresh.values == {c.name: c.value_in(load_scenario("moonshot")) for c in SLIDERS}
    assert fresh.label("B") == "B: moonshot"


def test_every_outcome_of_the_model_is_in_the_comparison(monkeypatch):
    """New outcomes of the model (metrics.OUTCOMES) show up without a change here."""
    chosen = compare.defaults()
    results = compare.run_all(chosen, 1)
    for outcome in results.values():
        outcome.summaries["retired_share"] = 0.25
    monkeypatch.setattr(compare.metrics, "OUTCOMES", (*compare.metrics.OUTCOMES, "retired_share"))
    assert "Retired share" in compare.summary_html(results)


# ------------------------------------------------------------------ the page, rendered in-process
def panel_html(rc, name: str) -> str:
    """The HTML inside the panel ``name`` (its frame has CSS class ``me-box-<name>``)."""
    return rc.find(v.Html, class_=f"me-box me-box-{name}").find(solara.widgets.HTML).widget.unsafe_innerHTML


def button(rc, label: str) -> v.Btn:
    return rc.find(v.Btn, attributes={"aria-label": label}).widget


def bar(rc) -> dict:
    """The control bar's state attributes (month, playing, preset ...)."""
    return rc.find(v.Html, class_="me-controls").widget.attributes


def test_page_steps_resets_and_changes_preset():
    from simulation.frontends.ui.app import Page

    _box, rc = solara.render(Page(), handle_error=False)
    assert bar(rc)["data-month"] == "0"
    assert "Nothing has happened yet" in panel_html(rc, "narrative")
    for _ in range(3):
        button(rc, "Step").click()
    assert bar(rc)["data-month"] == "3"
    assert "Month 3 of" in panel_html(rc, "narrative")
    missions = rc.find(v.Slider, label="Number of missions: 3").widget
    missions.v_model = 5
    assert "Settings changed" in str(rc.find(v.Html, class_="me-controls").widget)  # the cue, until Reset
    rc.find(children=["Settings changed: press Reset to apply them"]).assert_single()
    button(rc, "Reset").click()  # sliders apply on Reset
    assert bar(rc)["data-month"] == "0" and "Mission 5" in panel_html(rc, "glance")
    assert not rc.find(children=["Settings changed: press Reset to apply them"])
    rc.find(v.Select, label="Scenario preset").widget.v_model = "moonshot"  # a preset applies at once
    moonshot = load_scenario("moonshot")
    assert bar(rc)["data-preset"] == "moonshot" and bar(rc)["data-seed"] == str(moonshot.seed)
    assert rc.find(v.Slider, label=f"Number of missions: {moonshot.portfolio.count}")
    assert rc.find(v.Slider, label=f"Ambition: {moonshot.portfolio.mission.ambition:g}")
    assert moonshot.portfolio.resolved()[0].name in panel_html(rc, "glance")
    rc.close()


def test_page_refuses_a_tampered_preset_and_slider_value_and_keeps_going():
    from simulation.frontends.ui.app import Page

    _box, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Select, label="Scenario preset").widget.v_model = "/etc/passwd"
    assert bar(rc)["data-preset"] == "baseline"
    rc.find(children=["Not taken: unknown preset: pick one from the list."]).assert_single()
    rc.find(v.Slider, label="Ambition: 0.6").widget.v_model = 7
    rc.find(children=["Not taken: Ambition: expected 0 to 1."]).assert_single()
    rc.find(v.TextField, label="Seed").widget.v_model = "12; rm -rf /"
    rc.find(children=["Not taken: Seed: expected a whole number."]).assert_single()
    rc.find(v.BtnToggle).widget.v_model = 99
    rc.find(children=["Not taken: Speed: expected one of Slow, Normal, Fast, Fastest."]).assert_single()
    rc.find(v.Checkbox, label="Mechanism: cycles").widget.v_model = "yes"
    rc.find(children=["Not taken: Mechanism: cycles: expected on or off."]).assert_single()
    assert not rc.find(children=["Settings changed: press Reset to apply them"])  # nothing was taken
    button(rc, "Reset").click()  # nothing was taken, so the run is the preset's
    button(rc, "Step").click()
    assert bar(rc)["data-month"] == "1" and bar(rc)["data-seed"] == str(load_scenario("baseline").seed)
    rc.close()


def test_a_new_random_run_draws_a_seed_and_a_typed_seed_applies_on_reset():
    from simulation.frontends.ui.app import Page

    _box, rc = solara.render(Page(), handle_error=False)
    seed = bar(rc)["data-seed"]
    button(rc, "New random run").click()
    assert bar(rc)["data-seed"] != seed and bar(rc)["data-month"] == "0"
    rc.find(v.TextField, label="Seed").widget.v_model = "123"
    assert bar(rc)["data-seed"] != "123"
    button(rc, "Reset").click()
    assert bar(rc)["data-seed"] == "123"
    rc.close()


def test_leaving_the_page_stops_its_play_loop():
    """Issue 14, item 2: the play loop stops when the page goes (Solara closes the session's render context)."""
    import threading

    from simulation.frontends.ui.app import Page

    _box, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Select, label="Scenario preset").widget.v_model = "iceland-youth"
    button(rc, "Play").click()
    assert bar(rc)["data-playing"] == "true"
    loops = [t for t in threading.enumerate() if t.name.startswith("missions-play-")]
    assert loops
    rc.close()
    for loop in loops:
        loop.join(30)
    assert not any(loop.is_alive() for loop in loops)


def test_a_failing_panel_shows_one_sentence_and_the_others_go_on(monkeypatch, caplog):
    def broken(frame):
        raise ValueError("All arrays must be of the same length")

    missions = panels.TABS[0]
    monkeypatch.setattr(panels, "TABS", ((missions[0], (("momentum-chart", broken), *missions[1][1:])),
                                         *panels.TABS[1:]))
    from simulation.frontends.ui.app import Page

    _box, rc = solara.render(Page(), handle_error=False)
    button(rc, "Step").click()
    failed = rc.find(v.Html, class_="me-box me-box-momentum-chart").find(v.Alert)
    assert "This panel could not be drawn (ValueError)" in str(failed.widget.children)
    assert "same length" not in str(failed.widget.children)  # the exception's text stays in the log
    assert "Month 1 of" in panel_html(rc, "narrative")  # the other panels are drawn
    assert "All arrays must be of the same length" in caplog.text
    rc.close()


def test_dashboard_renders_every_panel_of_the_first_tab(running):
    _box, rc = solara.render(Dashboard(running, solara.reactive(0), lambda item: None), handle_error=False)
    frames_ = {cls for w in rc.find(v.Html).widgets for cls in (w.class_ or "").split()}
    assert {"me-box-progress-chart", "me-box-narrative", "me-box-momentum-chart", "me-box-glance",
            "me-box-facet-chart", "me-box-spending-chart"} <= frames_
    assert len(rc.find(solara.widgets.VegaLite)) == 4
    rc.close()


def test_about_says_what_every_control_status_and_facet_means():
    html = about.about_html()
    assert all(escape(c.label) in html and escape(c.help) in html for c in CONTROLS.values())
    assert all(f"<li>{status_word(s)}</li>" in html for s in Status)
    assert all(f"<b>{facet}</b>" in html for facet in FACETS)


@pytest.mark.parametrize("item", about.THINGS_TO_TRY, ids=lambda t: t.title)
def test_every_thing_to_try_is_a_valid_setting(item):
    assert item.preset in [name for name, _ in presets()]
    assert all(accept(name, value) == value for name, value in item.values.items())
    UIModel(preset=item.preset, **item.values)


def test_a_thing_to_try_sets_the_page_up_and_opens_the_missions(model):
    from simulation.frontends.ui.app import Page

    _box, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Tabs).widget.v_model = 3  # the About tab
    button(rc, "Try it: Too many missions at once").click()
    assert bar(rc)["data-preset"] == "baseline" and bar(rc)["data-month"] == "0"
    assert "Mission 6" in panel_html(rc, "glance")  # the Missions tab is open again
    rc.close()


def test_the_run_downloads_as_tidy_tables_with_their_provenance(running):
    missions = pd.read_csv(io.StringIO(export.csv(running, "missions")))
    assert len(missions) == (running.month + 1) * running.missions.count
    assert {"step", "mission_name", "progress", "momentum", "status", "preset", "seed"} <= set(missions.columns)
    assert set(missions["seed"]) == {running.seed} and set(missions["preset"]) == {running.preset}
    actors = pd.read_csv(io.StringIO(export.csv(running, "actors")))
    assert {"step", "actor_type", "burnt_out", "preset", "seed"} <= set(actors.columns)
    assert export.filename("moonshot", 7, "actors") == "moonshot-seed7-actors.csv"


def test_serve_command_is_offline_and_local():
    cmd = command(port=9999)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and cmd[cmd.index("--port") + 1] == "9999"
    assert "--production" in cmd and "--no-check-version" in cmd
    assert SERVER_ENV["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


@pytest.mark.parametrize(("host", "warned"), [("127.0.0.1", False), ("localhost", False), ("::1", False),
                                              ("[::1]", False), ("0.0.0.0", True), ("192.168.1.20", True),
                                              ("::", True), ("classroom.local", True)])
def test_ui_on_an_interface_beyond_this_computer_warns_that_the_page_has_no_authentication(
        monkeypatch, capsys, host, warned):
    import simulation.frontends.ui
    from simulation.frontends.cli import main

    calls = []
    monkeypatch.setattr(simulation.frontends.ui, "serve", lambda host, port: calls.append((host, port)) or 0)
    assert main(["ui", "--host", host, "--port", "9001"]) == 0
    assert calls == [(host, 9001)]
    err = capsys.readouterr().err
    assert ("no authentication" in err) is warned
    if warned:
        assert err.count("\n") == 1 and f"{host}:9001" in err
