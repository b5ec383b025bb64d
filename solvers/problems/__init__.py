"""Problems: assembly of a runnable problem (grid, boundaries, operator, scheme, dt) and its exact solution."""
