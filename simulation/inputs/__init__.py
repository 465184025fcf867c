"""Inputs, the lowest layer: the parameter schema, the caps on what an input may cost, and scenario files read safely and validated.

Imports nothing else of the package, so a bad file fails before the model is loaded.
"""
