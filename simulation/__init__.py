"""Mission ecosystems: an agent-based model of mission-oriented innovation on Mesa."""

from simulation.api import run_experiment as run_experiment
from simulation.api import run_scenario as run_scenario
from simulation.model import MissionModel
from simulation.params import MECHANISMS, Config

__all__ = ["MECHANISMS", "Config", "MissionModel"]
__version__ = "0.1.0"
