"""Pure rules of the model: numpy arrays in, numpy arrays out, no Mesa import.

Keeping the rules free of model objects makes each one testable with
hand-computed numbers and lets the model apply them to whole agent sets at once.
"""
