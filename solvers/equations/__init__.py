"""Equations: semi-discrete operators built from grids, boundary closures, stencils and the space-scheme registry."""
