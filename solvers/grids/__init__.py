"""Uniform Cartesian grids and boundary conditions (the bottom layer: imports nothing else of gridshock)."""
from .boundaries import BOUNDARY_KINDS, BoundaryCondition, boundary_from_spec
from .grid import UniformGrid

__all__ = ["UniformGrid", "BoundaryCondition", "BOUNDARY_KINDS", "boundary_from_spec"]
