"""Reading results: plots, sweep analysis, comparisons, the pattern validation and the ODD's parameter table.

Imports only the layers below: execution, core, inputs.
"""
