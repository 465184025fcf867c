"""Resistance by vested interests and resentment from neglected parts of government."""

from __future__ import annotations

import numpy as np


def threat(vested, exposure, ambition, specificity, focal_weight, active):
    """Threat each incumbent feels from each mission; a clear target focuses it."""
    focal = (1.0 - focal_weight) + focal_weight * specificity
    return vested[:, None] * exposure * (ambition * focal * active)[None, :]


def resistance(lobbying, exposure, resentment, uninvolved, conversion):
    """Resistance per mission in [0, 1]: mean lobbying among exposed firms plus the
    share of resentment in uninvolved ministries that turns against the mission."""
    exposed = exposure.sum(axis=0)
    lobby = np.divide(lobbying.sum(axis=0), exposed, out=np.zeros(lobbying.shape[1]), where=exposed > 0)
    n_min = max(uninvolved.shape[0], 1)
    turned = conversion * (resentment[:, None] * uninvolved).sum(axis=0) / n_min
    return np.clip(lobby + turned, 0.0, 1.0)


def neglect_pressure(draw, involved_share):
    """Pressure felt by ministries left out: missions draw resources, concentrated on few."""
    return float(np.mean(draw)) * (1.0 - involved_share) if draw.size else 0.0


def update_resentment(resentment, involved, pressure, rate, decay):
    """Ministries outside every active mission grow resentful; resentment fades slowly."""
    grow = rate * pressure * (1.0 - involved)
    return np.clip(resentment + grow - decay * resentment, 0.0, 1.0)
