"""``python -m solvers`` is the ``gridshock`` command."""
from .cli import main

raise SystemExit(main())
