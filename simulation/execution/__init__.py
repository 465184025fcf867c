"""Running many models: batches, experiment designs, sweeps, worker processes or Dask, the results store, EMA Workbench.

Imports only :mod:`simulation.core` and :mod:`simulation.inputs`.
"""
