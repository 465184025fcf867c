#!/usr/bin/env bash
# Fill Solara's CDN proxy cache from the npm registry, so the UI works offline.
#
# Solara serves /_solara/cdn/<package>@<version>/<file> from <venv>/share/solara/cdn/
# and, when a file is missing there, fetches it from cdn.jsdelivr.net at run time.
# This script puts every package the UI loads into that cache at install time,
# using only the npm registry through npm's ordinary client (`npm pack`).
#
# Usage: .ci/fill_solara_cdn.sh [VENV] [extra npm specs...]
# Safe to run again: packages already in the cache are skipped.
set -euo pipefail

venv=${1:-.venv}
[ $# -gt 0 ] && shift
cache="$venv/share/solara/cdn"

specs=(
    "@widgetti/solara-vuetify-app@10.1.1"      # the Vue 2 app shell (ipyvuetify < 2)
    "requirejs@2.3.6"                          # module loader used by every page
    "font-awesome@4.5.0"                       # icons
    "@widgetti/vue-grid-layout@2.3.13-alpha.2" # SolaraViz's draggable grid
    "mermaid@10.8.0"                           # solara.Markdown
    "katex@0.16.9"                             # solara.Markdown
    "vega@5"                                   # solara.FigureAltair (charts)
    "vega-lite@5"
    "vega-embed@6"
    "$@"
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$cache"
for spec in "${specs[@]}"; do
    dest="$cache/$spec"
    if [ -f "$dest/package.json" ]; then
        continue
    fi
    tgz=$(cd "$tmp" && npm pack "$spec" --silent 2>/dev/null | tail -1)
    mkdir -p "$tmp/unpacked"
    tar xzf "$tmp/$tgz" -C "$tmp/unpacked" --strip-components=1
    mkdir -p "$(dirname "$dest")"
    rm -rf "$dest"
    mv "$tmp/unpacked" "$dest"  # appears complete or not at all
    echo "cached $spec"
done
