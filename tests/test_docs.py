"""The ODD cannot drift from the code: its parameter table is the schema's, and every mechanism is described."""

from simulation.analysis.doc_tables import ODD_PATH, parameter_table, split_markers
from simulation.inputs.params import MECHANISMS


def test_parameter_table_matches_the_schema():
    _, table, _ = split_markers(ODD_PATH.read_text(encoding="utf-8"))
    assert table == parameter_table(), "docs/ODD.md is stale: run `python -m simulation.analysis.doc_tables --write`"


def test_every_mechanism_is_described_outside_the_table():
    before, _, after = split_markers(ODD_PATH.read_text(encoding="utf-8"))
    prose = before + after
    missing = [name for name in MECHANISMS if f"(`{name}`)" not in prose]
    assert not missing, f"no ODD submodel heading names these mechanism sections: {missing}"
