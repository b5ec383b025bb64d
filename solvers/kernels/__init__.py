"""Numba kernels: ghost filling, stencils, fluxes (two-state and WENO5), tridiagonal solves and fused
time-stepping loops; and :mod:`~solvers.kernels.etd`, the ETDRK4 coefficient tables and basis changes (numpy only).

Every kernel is a module-level ``@njit(cache=True)`` function taking the grid constants as arguments, so it
compiles once per machine (on-disk cache) and is reused by every grid and scheme with the same types. Kernels
import nothing above them: the registered schemes (``solvers.equations``, ``solvers.integrators``) name the kernel
ids and pass the arrays (stencil weights, ghost widths) the kernels take.
"""
