"""Partial adjustment: how every stock in the model moves towards what drives it."""

from __future__ import annotations


def approach(current, target, speed):
    """Move ``current`` a share ``speed`` of the way towards ``target``."""
    return current + speed * (target - current)
