"""Building blocks of the panels: a frame of fixed height, and an Altair chart drawn in the browser,
with a button that saves it as a PNG."""

from __future__ import annotations

import altair as alt
import solara
import traitlets

from simulation.frontends.ui import charts

VEGA_CHART_VUE = r"""
<template>
    <div class="me-chart">
        <button type="button" class="me-save" :aria-label="'Save ' + label + ' as PNG'"
                :title="'Save ' + label + ' as PNG'" @click="save">Save as PNG</button>
        <div ref="plotElement" class="me-vega"></div>
    </div>
</template>
<script>
module.exports = {
    created() {
        this.removed = false;
        this.view = null;
        this.drawing = false;  // a drawing is under way
        this.stale = false;  // the spec changed while drawing: draw again when done
        this.redraw = _.debounce(() => this.vega().then((vegaEmbed) => this.draw(vegaEmbed)), 30);
    },
    mounted() {
        this.redraw();
    },
    destroyed() {
        this.removed = true;
        this.redraw.cancel();
        if (this.view) {
            this.view.finalize();
            this.view = null;
        }
    },
    unmounted() {
        this.$options.destroyed.call(this);
    },
    watch: {
        spec() {
            this.redraw();
        },
    },
    methods: {
        save() {
            if (!this.view) {
                return;
            }
            this.view.toImageURL('png', 2).then((url) => {
                const link = document.createElement('a');
                link.href = url;
                link.download = this.filename + '.png';
                document.body.appendChild(link);
                link.click();
                link.remove();
            });
        },
        draw(vegaEmbed) {
            if (this.drawing) {
                this.stale = true;
                return;
            }
            this.drawing = true;
            this.plot(vegaEmbed).finally(() => {
                this.drawing = false;
                if (this.stale && !this.removed) {
                    this.stale = false;
                    this.draw(vegaEmbed);
                }
            });
        },
        async plot(vegaEmbed) {
            const element = this.$refs.plotElement;
            if (this.removed || !element) {
                return;
            }
            if (this.view) {
                this.view.finalize();
                this.view = null;
            }
            const result = await vegaEmbed(element, JSON.parse(JSON.stringify(this.spec)), {actions: false});
            if (this.removed) {
                result.view.finalize();
            } else {
                this.view = result.view;
            }
        },
        vega() {
            if (!window.meVegaLoaded) {
                window.meVegaLoaded = this.loadRequire().then(() => {
                    const cdn = this.getCdn();
                    window.requirejs.config({
                        map: {
                            '*': {
                                'vega': `${cdn}/vega@5/build/vega.min.js`,
                                'vega-lite': `${cdn}/vega-lite@5/build/vega-lite.min.js`,
                                'vega-embed': `${cdn}/vega-embed@6/build/vega-embed.min.js`,
                            }
                        }
                    });
                    return new Promise((resolve, reject) => {
                        window.requirejs(['vega', 'vega-lite', 'vega-embed'], (vega, vegaLite, vegaEmbed) => {
                            resolve(vegaEmbed);
                        }, reject);
                    });
                });
            }
            return window.meVegaLoaded;
        },
        loadRequire() {
            if (window.requirejs) {
                return Promise.resolve();
            }
            return new Promise((resolve, reject) => {
                const script = document.createElement('script');
                script.src = `${this.getCdn()}/requirejs@2.3.6/require.js`;
                script.onload = resolve;
                script.onerror = reject;
                document.head.appendChild(script);
            });
        },
        getJupyterBaseUrl() {
            if (document.getElementsByTagName("base").length) {
                return "./";
            }
            const labConfigData = document.getElementById('jupyter-config-data');
            if (labConfigData) {
                return JSON.parse(labConfigData.textContent).baseUrl;
            }
            let base = document.body.dataset.baseUrl || document.baseURI;
            if (!base.endsWith('/')) {
                base += '/';
            }
            return base;
        },
        getCdn() {
            return this.cdn || (window.solara ? window.solara.cdn : `${this.getJupyterBaseUrl()}_solara/cdn`);
        },
    },
}
</script>
<style id="me-vega-style">
.me-chart {
    position: relative;
}
.me-vega {
    width: 100%;
}
.me-save {
    position: absolute; top: 0; right: 0; z-index: 2; font-size: 12px; padding: 1px 6px; color: #333;
    border: 1px solid #bbb; border-radius: 3px; background: white;
}
</style>
"""


class VegaChart(solara.widgets.VegaLite):
    """A Vega-Lite chart widget, redrawn whenever its ``spec`` changes.

    Solara's own chart widget, changed for a page that redraws many charts a
    second and removes them on every tab switch:

    - a redraw still pending when the chart is removed is cancelled (Solara's
      runs anyway and throws "Cannot read properties of undefined (reading
      'classList')" in the browser);
    - one drawing at a time: a spec that arrives while one is drawn is drawn
      next, so the latest spec is always the one shown;
    - the previous Vega view is finalized before the next one is made, so
      listeners and timers do not pile up over a long run;
    - vega, vega-lite and vega-embed are loaded once per page (from Solara's
      local asset cache, as Solara's widget does).

    The template is kept here rather than in a ``.vue`` file so that it ships
    with the Python package.
    """

    template_file = None
    filename = traitlets.Unicode("chart").tag(sync=True)  # of the saved PNG, without the extension
    label = traitlets.Unicode("the chart").tag(sync=True)  # what the save button names

    @traitlets.default("template")
    def _template(self) -> str:
        return VEGA_CHART_VUE



def title_of(spec: dict) -> str:
    """A chart's title, from its specification (or a layer's)."""
    for node in (spec, *spec.get("layer", [])):
        title = node.get("title")
        if title:
            return title.get("text", "") if isinstance(title, dict) else str(title)
    return "the chart"


@solara.component
def Figure(chart: alt.TopLevelMixin, name: str = "chart"):
    """An Altair chart, drawn in the browser by Vega-Lite; ``name`` names its PNG file.

    After the first render the specification goes straight to the widget instead
    of through the element's arguments: Solara's renderer walks every value of
    every element's arguments on every update, which for a few charts' worth of
    nested specification cost more than the rest of a step.
    """
    spec = charts.spec(chart)
    first = solara.use_memo(lambda: spec, [])  # what the widget is created with
    element = VegaChart.element(spec=first, filename=name, label=title_of(spec))

    def show() -> None:
        solara.get_widget(element).spec = spec

    solara.use_effect(show, None)  # after every render


@solara.component
def Box(children=(), name: str = ""):
    """A panel's frame: fixed height, so rows line up."""
    solara.Div(children=list(children), classes=["me-box", f"me-box-{name}"] if name else ["me-box"])
