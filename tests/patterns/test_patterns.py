"""Pattern validation (slow): every pattern holds, its claimed class is the one computed from its ablation arms,
and it holds in the CI subset of its robustness cases (the first host scenario and the first hypercube point;
``python -m simulation.analysis.patterns`` runs the full design for docs/patterns.md).

A claim on an outcome ``simulation.core.metrics`` does not report yet cannot be evaluated: its test is a strict
xfail, so it fails, and must be un-marked, once the outcome exists. ``TODAY`` lists what fails on today's
model although its outcomes exist (issue 10); strict too, so an entry must go once it passes.
"""

import pytest

from simulation.analysis.patterns import PATTERNS, evaluate
from simulation.analysis.patterns.report import ROBUSTNESS
from simulation.analysis.patterns.robustness import cases
from simulation.core.metrics import OUTCOMES
from simulation.execution.workers import process_pool as executor

TODAY: dict[str, dict[str, str]] = {
    "holds": {},
    "class": {},
    "robust": {
        "P1": "moonshot: at twice the template's goal size, transformation still rises at ambition 1.0 (no interior peak)",
        "P2": "moonshot: a single national funder's budget sustains up to 8 missions of its size, so total progress keeps "
              "rising",
        "P3": "first hypercube point: the loss at low commitment is less than 1.5 times that at high commitment (reversed)",
        "P5": "first hypercube point: no mission is achieved in any run there (no variation), so an early review cuts "
              "nothing; the rule's cut in spending after purpose is not significant",
        "P7": "moonshot: its budget is so ample that a cut to 30 bites a modest goal as much as a radical one; at the "
              "first hypercube point cynicism rises less at high ambition than at modest (reversed)",
        "P9": "iceland-youth (more success gathers fewer extra goals there; creep cuts nothing, every run achieves) and the "
              "first hypercube point (creep cuts nothing: no mission is achieved in any run of that experiment, no variation)",
    },
}
"""Known failures on today's model, per test and pattern, with the reason (issue 10)."""


def missing(claims) -> list[str]:
    return sorted({c.measure for c in claims if c.measure not in OUTCOMES})


def cases_for(test: str, needs) -> list:
    out = []
    for pattern in PATTERNS:
        absent = missing(needs(pattern))
        if absent:
            mark = pytest.mark.xfail(strict=True, reason=f"not a run outcome yet: {', '.join(absent)}")
        elif pattern.key in TODAY[test]:
            mark = pytest.mark.xfail(strict=True, reason=TODAY[test][pattern.key])
        else:
            mark = ()
        out.append(pytest.param(pattern, marks=mark, id=pattern.key))
    return out


@pytest.fixture(scope="module")
def pool():
    with executor(2) as pool:
        yield pool


@pytest.fixture(scope="module")
def evaluations():
    return {}


@pytest.fixture
def evaluation(pattern, pool, evaluations):
    """The pattern's intact and ablation arms and its CI robustness cases, run once per module."""
    if pattern.key not in evaluations:
        ev = evaluate(pattern, pool, cases(pattern, **ROBUSTNESS["ci"]))
        print(f"{pattern.key}: {ev.verdict.computed}; {ev.runs} runs, {ev.cpu_s:.0f} CPU-s, {ev.wall_s:.0f} s")
        for claim in ev.intact.claims:
            print(f"  {claim.claim.name}: {claim.describe()}")
        evaluations[pattern.key] = ev
    return evaluations[pattern.key]


@pytest.mark.slow
@pytest.mark.parametrize("pattern", cases_for("holds", lambda p: p.spec.claims))
def test_pattern_holds(pattern, evaluation):
    failing = {c.claim.name: c.describe() for c in evaluation.intact.claims if c.holds is not True}
    assert evaluation.intact.holds is True, f"{pattern.key} {pattern.title}: {failing}"


@pytest.mark.slow
@pytest.mark.parametrize("pattern", cases_for("class", lambda p: [p.headline]))
def test_claimed_class_is_the_computed_one(pattern, evaluation):
    verdict = evaluation.verdict
    assert verdict.computed == pattern.spec.claimed, (
        f"{pattern.key} claims '{pattern.spec.claimed}' but is computed '{verdict.computed}': "
        f"{'; '.join(verdict.reasons) or 'all three criteria hold'} (off: {evaluation.off.describe()}; "
        f"neutral: {evaluation.neutral.describe() if evaluation.neutral else 'n/a'}); update the spec or the rules")


@pytest.mark.slow
@pytest.mark.parametrize("pattern", cases_for("robust", lambda p: p.spec.claims))
def test_pattern_holds_in_its_robustness_subset(pattern, evaluation):
    failing = [f"{c.name}: {c.note}" for c in evaluation.cases if c.holds is not True]
    assert evaluation.cases and not failing, f"{pattern.key} fails in: {failing}"
