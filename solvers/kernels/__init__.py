"""Numba kernels: ghost filling, stencils, tridiagonal solves and fused time-stepping loops.

Every kernel is a module-level ``@njit(cache=True)`` function taking the grid constants as arguments, so it
compiles once per machine (on-disk cache) and is reused by every grid and scheme with the same types.
"""
