"""A plain SolaraViz over MissionModel, as in Mesa's docs: plot components, sliders by field name, Reset, the end."""

import ipyvuetify as v
import solara
from mesa.visualization import SolaraViz, make_plot_component

from simulation import MissionModel

STEPS = 4


def test_plain_solaraviz_plays_past_the_end_and_resets_with_its_sliders(monkeypatch):
    import simulation.core.model

    built = []
    inputs = simulation.core.model.model_inputs
    monkeypatch.setattr(simulation.core.model, "model_inputs", lambda *args: built.append(inputs(*args)) or built[-1])
    model = MissionModel(rng=1, steps=STEPS)
    params = {"ambition": {"type": "SliderFloat", "value": 0.6, "min": 0.0, "max": 1.0, "step": 0.1,
                           "label": "Ambition"},
              "steps": STEPS}
    page = SolaraViz(model, components=[make_plot_component("mean_progress"), make_plot_component("burnt_out")],
                     model_params=params, name="Missions")
    _box, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)  # as `solara run` lays it out
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(STEPS + 2):  # past the last month: no error, nothing changes
        step.click()
    shown = rc.find(children=[f"Time: {STEPS + 2}.0"])
    shown.assert_single()
    assert model.month == STEPS and not model.running
    rc.find(v.Slider, label="Ambition").widget.v_model = 0.9
    rc.find(v.Btn, children=["Reset"]).widget.click()  # rebuilds MissionModel(ambition=0.9, steps=4, scenario=...)
    rc.find(children=["Time: 0.0"]).assert_single()
    config, seed = built[-1]
    assert config.portfolio.mission.ambition == 0.9 and config.time.steps == STEPS
    assert seed != model.seed  # Mesa's Reset passes no rng: fresh entropy, a new run
    rc.close()
