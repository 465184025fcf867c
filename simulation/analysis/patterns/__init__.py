"""Pattern-oriented validation: the ten patterns of the model brief, each claimed, ablated and stress-tested.

Each pattern is a spec (``experiments/patterns/specs/pNN.yaml``, see
:mod:`.spec`) over one or more experiment files in ``experiments/patterns/``.
Its claims are paired statistical statements with 95% intervals
(:mod:`.claims`); two ablation arms, the credited mechanism switched off and
the coefficient that names the pattern neutralised, decide whether it is
emergent or by design (:mod:`.verdict`); robustness cases run it on other
shipped scenarios, on 240-month runs and across a Latin hypercube of the other
parameters (:mod:`.robustness`). ``python -m simulation.analysis.patterns`` runs it all
and writes ``docs/patterns.md`` with a figure per pattern in
``results/examples/patterns/`` (:mod:`.report`).
"""

from simulation.analysis.patterns.claims import ClaimResult, Result, check
from simulation.analysis.patterns.evaluation import Case, Evaluation, ablation_arms, evaluate, run_pattern
from simulation.analysis.patterns.execute import INTACT, Variant
from simulation.analysis.patterns.spec import PATTERN_DIR, PENDING_OUTCOMES, SPEC_DIR, Pattern, PatternSpec, load_patterns
from simulation.analysis.patterns.stats import Estimate, estimate, levels, paired, select, steps_down
from simulation.analysis.patterns.verdict import FRACTION, Verdict, classify

__all__ = [
    "FRACTION", "INTACT", "PATTERNS", "PATTERN_DIR", "PENDING_OUTCOMES", "SPEC_DIR", "Case", "ClaimResult",
    "Estimate", "Evaluation", "Pattern", "PatternSpec", "Result", "Variant", "Verdict", "ablation_arms", "check",
    "classify", "estimate", "evaluate", "levels", "load_patterns", "paired", "run_pattern", "select", "steps_down",
]


def __getattr__(name: str):
    if name == "PATTERNS":  # loaded (and validated) on first use, not at import
        return load_patterns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
