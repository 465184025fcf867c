"""Pure rules of the model: numpy arrays in, numpy arrays out, no Mesa import.

Keeping the rules free of model objects makes each one testable with
hand-computed numbers and lets the model apply them to whole agent sets at once.

Every rule is shape-agnostic: per-actor arrays end in the actor axis (``..., A``),
per-mission arrays in the mission axis (``..., M``) and per-pair arrays in both
(``..., A, M``), so replicates can be stacked on leading axes. Reductions over
actors use axis -2 of pair arrays; nothing indexes axis 0.
"""
