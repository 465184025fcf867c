"""The page's look: one style sheet, and the document settings Solara leaves out (language).

Sized for a projector at 1366x768: the settings column and two panels a row
side by side, a control bar that stays at the top while the page scrolls, a
visible focus ring for keyboard users. Under 1100 CSS pixels (a small
screen, or 150% zoom) the settings go above the panels, their controls side
by side, instead of beside them, so nothing covers the charts.
"""

from __future__ import annotations

import ipyvue
import solara
import traitlets

CSS = """
.me-page { font-family: Roboto, Arial, sans-serif; color: #222; background: #f3f4f6; min-height: 100vh; }
.me-title { display: flex; align-items: baseline; gap: 12px; padding: 6px 16px; background: #1f3b73; color: white; }
.me-title h1 { font-size: 20px; font-weight: 600; margin: 0; }
.me-title span { font-size: 14px; opacity: 0.85; }
.me-body { display: flex; align-items: flex-start; gap: 12px; padding: 8px 12px; }
.me-settings { flex: 0 0 290px; position: sticky; top: 0; max-height: 100vh; overflow-y: auto; background: white;
               padding: 10px 12px; border-radius: 4px; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.18); }
.me-main { flex: 1 1 0; min-width: 0; }
@media (max-width: 1100px) {  /* the settings above the panels, their controls side by side */
  .me-body { flex-direction: column; align-items: stretch; }
  .me-settings { flex: none; position: static; max-height: none; display: grid; gap: 0 18px;
                 grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); align-items: end; }
}
.me-preset-text { display: block; font-size: 13px; color: #555; margin: 4px 0 6px; }
.me-group { display: block; font-weight: 600; font-size: 14px; margin-top: 8px; }
.me-seed { align-items: center; flex-wrap: nowrap; }
.me-seed-input { max-width: 110px; }
.me-control { padding-right: 4px; }
.me-downloads { margin-top: 8px; display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; }
.me-downloads .me-group { flex: 0 0 100%; }
.me-downloads .v-btn, .me-new-run { text-transform: none !important; letter-spacing: normal !important; }
.me-about, .me-box-things-to-try { font-size: 15px; line-height: 1.45; }
.me-box.me-box-about, .me-box.me-box-things-to-try { height: auto; min-height: 400px; }
.me-about h3, .me-box-things-to-try h3 { font-size: 17px; font-weight: 600; margin: 0 0 6px; }
.me-about details { margin: 6px 0; }
.me-about summary { cursor: pointer; font-weight: 500; }
.me-try { border-top: 1px solid #e4e4e4; padding: 6px 0; }
.me-try h4 { font-size: 15px; font-weight: 600; margin: 0; }
.me-try p { margin: 2px 0; }
.me-try .v-btn { text-transform: none !important; letter-spacing: normal; }
.me-controls { position: sticky; top: 0; z-index: 5; background: white; padding: 6px 10px; margin-bottom: 8px;
               border-radius: 4px; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.25); display: flex; flex-wrap: wrap;
               align-items: center; gap: 6px 14px; }
.me-buttons { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
.me-btn { text-transform: none !important; letter-spacing: normal !important; font-size: 15px !important; }
.me-attention { box-shadow: 0 0 0 3px #f5a623 !important; }
.me-speed { display: flex; align-items: center; gap: 6px; }
.me-speed-label { font-size: 14px; color: #444; }
.me-speed .v-btn { text-transform: none !important; letter-spacing: normal; }
.me-monitors { display: flex; flex-wrap: wrap; gap: 6px; }
.me-monitor { border: 1px solid #c9ced6; border-radius: 3px; padding: 1px 8px; background: #fafbfc; line-height: 1.2; }
.me-monitor span { display: block; font-size: 11px; color: #555; }
.me-monitor b { font-size: 15px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.me-cue { color: #8a4b00; background: #fff3dc; border-radius: 3px; padding: 2px 8px; font-weight: 500; }
.me-notice, .me-error { margin: 0 !important; }
.me-panel { height: 100%; display: flex; flex-direction: column; }
.me-panel h3 { font-size: 17px; font-weight: 600; margin: 0 0 2px 0; }
.me-sub { font-size: 13px; color: #555; margin-bottom: 6px; }
.me-narrative { overflow-y: auto; flex: 1; font-size: 15px; line-height: 1.35; }
.me-narrative div { padding: 3px 6px; margin: 2px 0; border-left: 5px solid #999; background: #f5f5f5; }
.me-narrative b, .me-milestones b { font-variant-numeric: tabular-nums; }
.me-milestones { max-height: 40%; overflow-y: auto; font-size: 14px; line-height: 1.3; margin-bottom: 4px; }
.me-milestones div { padding: 2px 6px; margin: 1px 0; border-left: 5px solid #999; background: #fff8e1; }
.me-glance { overflow-y: auto; flex: 1; }
.me-glance table, .me-compare-summary table { border-collapse: collapse; width: 100%; font-size: 14px; }
.me-glance th, .me-compare-summary th { text-align: left; font-weight: 600; border-bottom: 2px solid #ccc;
                                         padding: 3px 4px; }
.me-glance td, .me-compare-summary td { border-bottom: 1px solid #e4e4e4; padding: 3px 4px; }
.me-glance td, .me-glance th { white-space: nowrap; }
.me-glance td:first-child { max-width: 170px; overflow: hidden; text-overflow: ellipsis; }
.me-compare-summary td { white-space: nowrap; }
.me-bar { display: inline-block; height: 11px; background: #e8e8e8; width: 36px; vertical-align: middle; }
.me-bar span { display: block; height: 11px; }
.me-dashboard [class*="col"] { min-width: 0; }  /* a long name must not widen its column */
.me-box { min-width: 0; height: 400px; overflow: hidden; padding: 10px 12px; background: white; border-radius: 4px;
          box-shadow: 0 1px 3px rgba(0, 0, 0, 0.18); }
.me-box .vega-embed { width: 100%; }
.me-box.me-box-compare-settings, .me-box.me-box-compare-summary { height: auto; min-height: 400px; }
.me-box-compare-summary { overflow-y: auto; }
.me-compare-sides { flex-wrap: nowrap; gap: 16px; }
.me-compare-side { flex: 1 1 0; min-width: 0; }
.me-compare-side .v-select { margin: 4px 0 6px; }
.me-compare-seeds { max-width: 260px; }
.me-compare-summary small { color: #666; }
.me-compare-summary details { margin-top: 8px; font-size: 14px; }
#vg-tooltip-element { pointer-events: none; }  /* a chart's tooltip must not take the pointer off its chart */
.me-dashboard .v-window__container, .me-dashboard .v-window-item { transition: none !important; }  /* no slide */
.me-control .v-input__slider .v-input__slot { flex-wrap: wrap; }
.me-control .v-input__slider .v-label { flex: 0 0 100%; margin: 0 !important; font-size: 14px; color: #333;
                                        height: auto; white-space: normal; line-height: 1.3; }
.me-control .v-input__slider { margin-top: 6px; }
.v-input--checkbox { margin-top: 0; }
.v-input--checkbox .v-messages { display: none; }
:focus-visible, .v-slider__thumb-container--focused .v-slider__thumb { outline: 3px solid #f5a623 !important;
                                                                       outline-offset: 2px; }
"""

PAGE_SETUP_VUE = """
<template><span class="me-page-setup" style="display: none"></span></template>
<script>
module.exports = {
    mounted() {
        document.documentElement.lang = this.lang;
    },
}
</script>
"""


class PageSetupWidget(ipyvue.VueTemplate):
    """Sets the document's language, which Solara's page template does not."""

    template = traitlets.Unicode(PAGE_SETUP_VUE).tag(sync=True)
    lang = traitlets.Unicode("en").tag(sync=True)


@solara.component
def PageSetup(lang: str = "en"):
    PageSetupWidget.element(lang=lang)
