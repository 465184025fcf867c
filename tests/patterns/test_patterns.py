"""Pattern-oriented validation: all ten patterns of the brief hold, under three variants.

Slow (a few minutes on two cores): run with ``pytest -m slow`` or as part of the full suite.
Effect sizes are printed; ``python -m simulation.patterns`` writes them to docs/patterns.md.
"""

import pytest

from simulation.patterns import PATTERNS, VARIANTS, run_pattern


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.key)
def test_pattern_holds(pattern, variant):
    result, _ = run_pattern(pattern, variant, workers=2)
    details = "; ".join(f"{k}: {v}" for k, v in result.details.items())
    print(f"{pattern.key} [{variant}] effect {result.effect} | {details}")
    assert result.holds, f"{pattern.key} {pattern.title} fails under '{variant}': {details}"
