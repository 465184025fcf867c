"""``python -m simulation.patterns``: evaluate every pattern and write docs/patterns.md with its figures."""

from simulation.patterns.report import main

raise SystemExit(main())
