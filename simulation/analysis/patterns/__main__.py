"""``python -m simulation.analysis.patterns``: evaluate every pattern and write docs/patterns.md with its figures."""

from simulation.analysis.patterns.report import main

raise SystemExit(main())
