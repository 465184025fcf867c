"""The model: seeded random streams, the rules (pure numpy), the state arrays, Mesa agents, metrics and the recorder.

Imports only :mod:`simulation.inputs` (a model is built from a validated config or a scenario's name).
"""
