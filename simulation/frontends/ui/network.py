"""The ecosystem view: a readable sample of the actors as a network around the missions.

Drawing a thousand agents gives a hairball, so the view shows every ministry
and funder, a sample of incumbent and challenger firms, and a few citizens'
neighbourhoods of the social network (each a citizen and the people they are
tied to, so the ties inside a neighbourhood show). Missions are the hubs;
an actor is linked to the missions it is exposed to, a funder to the missions
it funds. Colour is the actor type, size is engagement, a red ring marks the
burnt out, and a link's strength is the engagement (or funding) it carries.

The sample and the layout are fixed when the model is built (:func:`build`),
so from month to month only sizes, rings and link strengths change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import altair as alt
import networkx as nx
import numpy as np
import pandas as pd

from simulation.core.metrics import per_actor_engagement
from simulation.core.rng import int_seed, stream
from simulation.core.state import FUNDER_KINDS
from simulation.frontends.ui.charts import ACTOR_COLOURS, inline, mission_colours
from simulation.frontends.ui.narrative import mission_labels, mission_names

if TYPE_CHECKING:
    from simulation.frontends.ui.frame import Frame

FIRMS_SHOWN = 10  # of each kind: incumbents and challengers
NEIGHBOURHOODS = 3  # citizens' neighbourhoods shown
NODE_TYPES = ("ministry", "incumbent firm", "challenger firm", "citizen", "funder")


@dataclass(frozen=True)
class Ecosystem:
    """The sampled actors and funders, their types and fixed positions."""

    actors: np.ndarray  # rows of model.actors shown
    actor_types: list[str]
    funders: np.ndarray  # rows of model.funders shown
    ties: list[tuple[int, int]]  # social ties between shown citizens (actor rows)
    positions: dict[tuple[str, int], tuple[float, float]]  # ("mission"|"actor"|"funder", index) -> (x, y)


def sample(model: Frame) -> tuple[np.ndarray, list[str]]:
    """Actor rows to show and their types: all ministries, some firms of each kind, a few neighbourhoods.

    Draws from a generator of its own, seeded from the run's seed, so the model's
    random streams are untouched and the same run always shows the same sample.
    """
    a = model.actors
    rng = stream(model.seed, "ui-network")
    rows = list(range(a.ministries.start, a.ministries.stop))
    types = ["ministry"] * len(rows)
    for group, label in ((a.groups[1], "incumbent firm"), (a.groups[2], "challenger firm")):
        members = np.arange(group.start, group.stop)
        chosen = np.sort(rng.choice(members, size=min(FIRMS_SHOWN, members.size), replace=False))
        rows += chosen.tolist()
        types += [label] * chosen.size
    citizens = a.citizens
    seeds = rng.choice(citizens.stop - citizens.start, size=min(NEIGHBOURHOODS, citizens.stop - citizens.start),
                       replace=False)
    shown: list[int] = []
    for s in seeds:
        for c in (int(s), *a.adjacency[[int(s)]].indices.tolist()):
            if citizens.start + c not in shown:
                shown.append(citizens.start + c)
    rows += shown
    types += ["citizen"] * len(shown)
    return np.asarray(rows), types


def build(model: Frame) -> Ecosystem:
    """The sample, its social ties and its layout."""
    a, m = model.actors, model.missions
    rows, types = sample(model)
    citizen_rows = [r for r, t in zip(rows, types, strict=True) if t == "citizen"]
    start = a.citizens.start
    local = set(citizen_rows)
    ties = sorted({(min(r, start + c), max(r, start + c)) for r in citizen_rows
                   for c in a.adjacency[[r - start]].indices.tolist() if start + c in local})
    funders = np.arange(model.funders.kind.size)

    graph = nx.Graph()
    graph.add_nodes_from(("mission", i) for i in range(m.count))
    for row in rows:
        graph.add_node(("actor", int(row)))
        for mission in np.flatnonzero(a.exposure[row]):
            graph.add_edge(("actor", int(row)), ("mission", int(mission)))
    for j in funders:
        graph.add_node(("funder", int(j)))
        for mission in range(m.count):
            graph.add_edge(("funder", int(j)), ("mission", mission))
    graph.add_edges_from((("actor", r), ("actor", s)) for r, s in ties)
    return Ecosystem(rows, types, funders, ties, layout(graph, model.seed))


BELOW = alt.Legend(orient="bottom", columns=3, symbolSize=120, labelLimit=150)
"""Legends go below the network, which keeps the panel's whole width."""

OUTSIDERS_Y = -1.2
"""Height of the row of actors in no mission (below the network)."""


def layout(graph: nx.Graph, seed: int) -> dict[tuple[str, int], tuple[float, float]]:
    """Positions in [-1, 1]: a spring layout of everyone in a mission, and a row below for those in none.

    Every position lies inside the chart's fixed domain: Vega-Lite shrinks a
    chart that fits its container until stray marks fit too.
    """
    outsiders = sorted(node for node in graph if graph.degree(node) == 0 and node[0] != "mission")
    inside = graph.subgraph(node for node in graph if node not in set(outsiders))
    missions = sorted(node for node in inside if node[0] == "mission")
    angle = 2 * np.pi * np.arange(len(missions)) / max(len(missions), 1) + np.pi / 2
    hubs = {node: (0.55 * np.cos(t), 0.55 * np.sin(t)) for node, t in zip(missions, angle, strict=True)}
    if len(missions) == 1:
        hubs = {missions[0]: (0.0, 0.0)}
    placed = nx.spring_layout(inside, pos=hubs, fixed=list(hubs), k=0.15, iterations=100,
                              seed=int_seed(seed, "ui-layout") % 2**31) if len(inside) > len(hubs) else hubs
    reach = max((max(abs(x), abs(y)) for x, y in placed.values()), default=1.0) or 1.0
    positions = {node: (float(x / reach), float(y / reach)) for node, (x, y) in placed.items()}
    for k, node in enumerate(outsiders):
        positions[node] = (float(-0.9 + 1.8 * k / max(len(outsiders) - 1, 1)), OUTSIDERS_Y)
    return positions


def frames(model: Frame, eco: Ecosystem) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(nodes, links, missions) tables for the current month."""
    a, m, f = model.actors, model.missions, model.funders
    engagement = per_actor_engagement(a)
    live = m.live.astype(float)
    funding = (f.allocation * live[None, :]).sum(axis=1)
    pos = eco.positions
    nodes = pd.DataFrame({
        "x": [pos[("actor", int(r))][0] for r in eco.actors] + [pos[("funder", int(j))][0] for j in eco.funders],
        "y": [pos[("actor", int(r))][1] for r in eco.actors] + [pos[("funder", int(j))][1] for j in eco.funders],
        "type": eco.actor_types + ["funder"] * eco.funders.size,
        "engagement": np.concatenate([engagement[eco.actors], np.clip(funding[eco.funders], 0, 1)]),
        "burnt_out": np.concatenate([a.burnt_out[eco.actors], np.zeros(eco.funders.size, bool)]),
        "who": [f"{t} #{int(r)}" for t, r in zip(eco.actor_types, eco.actors, strict=True)]
        + [f"{FUNDER_KINDS[f.kind[j]]} funder" for j in eco.funders],
    })
    nodes["state"] = np.where(nodes["burnt_out"], "burnt out", "active")
    links = []
    for r in eco.actors:
        for mission in np.flatnonzero(a.exposure[r]):
            links.append((*pos[("actor", int(r))], *pos[("mission", int(mission))], a.engagement[r, mission]))
    for j in eco.funders:
        for mission in range(m.count):
            share = f.allocation[j, mission] * live[mission]
            if share > 0.01:
                links.append((*pos[("funder", int(j))], *pos[("mission", mission)], share))
    for r, s in eco.ties:
        links.append((*pos[("actor", r)], *pos[("actor", s)], 0.15))
    edges = pd.DataFrame(links, columns=["x", "y", "x2", "y2", "strength"])
    missions = pd.DataFrame({
        "x": [pos[("mission", i)][0] for i in range(m.count)],
        "y": [pos[("mission", i)][1] for i in range(m.count)],
        "mission": mission_names(model),
        "label": mission_labels(model),
        "progress": np.round(100 * m.share, 0),
    })
    return nodes, edges, missions


def network_chart(model: Frame, eco: Ecosystem) -> alt.LayerChart:
    nodes, edges, missions = frames(model, eco)
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-1.15, 1.15], nice=False))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[OUTSIDERS_Y - 0.1, 1.1], nice=False))
    links = alt.Chart(inline(edges)).mark_rule(color="#7f8c8d", strokeWidth=1.5).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        opacity=alt.Opacity("strength:Q", legend=None, scale=alt.Scale(domain=[0, 1], range=[0.08, 0.9])),
    )
    colours = {t: ACTOR_COLOURS[t] for t in NODE_TYPES}
    points = alt.Chart(inline(nodes)).mark_circle(opacity=0.9, strokeWidth=2.5).encode(
        x=x, y=y,
        color=alt.Color("type:N", title=None, sort=list(NODE_TYPES), legend=BELOW,
                        scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        size=alt.Size("engagement:Q", title="Engagement", scale=alt.Scale(domain=[0, 1], range=[25, 420]),
                      legend=None),
        stroke=alt.Stroke("state:N", legend=None,  # the subtitle says what a red ring means
                          scale=alt.Scale(domain=["active", "burnt out"], range=["#ffffff", "#e3000b"])),
        tooltip=[alt.Tooltip("who:N", title="Actor"), alt.Tooltip("engagement:Q", format=".2f"),
                 alt.Tooltip("state:N", title="State")],
    )
    hub_colours = mission_colours(model)
    hubs = alt.Chart(inline(missions)).mark_point(shape="diamond", filled=True, size=900, opacity=1, stroke="#222222",
                                          strokeWidth=1.5).encode(
        x=x, y=y,
        fill=alt.Fill("label:N", legend=None,
                      scale=alt.Scale(domain=list(hub_colours), range=list(hub_colours.values()))),
        tooltip=[alt.Tooltip("mission:N", title="Mission"), alt.Tooltip("progress:Q", title="Progress (%)")],
    )
    labels = alt.Chart(inline(missions)).mark_text(dy=-24, fontSize=14, fontWeight="bold", color="#111111").encode(
        x=x, y=y, text="label:N")
    layers = [links, points, hubs, labels]
    if any(y == OUTSIDERS_Y for _, y in eco.positions.values()):
        note = pd.DataFrame({"x": [-1.12], "y": [OUTSIDERS_Y + 0.1], "text": ["in no mission:"]})
        layers.append(alt.Chart(inline(note)).mark_text(align="left", fontSize=12, color="#666666").encode(
            x=x, y=y, text="text:N"))
    shown = len(eco.actors) + eco.funders.size
    return alt.layer(*layers).resolve_scale(color="independent").resolve_legend(opacity="independent").properties(
        title=alt.Title("The ecosystem", subtitle=f"{shown} of {model.n_agents} agents; size: engagement, "
                                                  "red ring: burnt out; diamonds: missions"),
        width="container", height=280)
