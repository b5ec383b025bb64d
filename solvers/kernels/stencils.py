"""Centred finite-difference stencils on the extended (ghosted) arrays.

``coef`` holds the ``2g+1`` weights of a centred stencil already divided by ``h`` (first derivative) or
``h^2`` (second derivative) and multiplied by any physical factor (e.g. the diffusivity ``nu``):

* ``central2``: ``u_xx ~ (u_{i-1} - 2 u_i + u_{i+1}) / h^2`` and ``u_x ~ (u_{i+1} - u_{i-1}) / (2h)``,
  truncation error O(h^2).
* ``central4``: ``u_xx ~ (-u_{i-2} + 16 u_{i-1} - 30 u_i + 16 u_{i+1} - u_{i+2}) / (12 h^2)`` and
  ``u_x ~ (u_{i-2} - 8 u_{i-1} + 8 u_{i+1} - u_{i+2}) / (12 h)``, truncation error O(h^4)
  (Fornberg 1988, Table 1).
"""
from __future__ import annotations

import numpy as np
from numba import njit

SECOND_DERIVATIVE = {
    "central2": np.array([1.0, -2.0, 1.0]),
    "central4": np.array([-1.0, 16.0, -30.0, 16.0, -1.0]) / 12.0,
}
FIRST_DERIVATIVE = {
    "central2": np.array([-0.5, 0.0, 0.5]),
    "central4": np.array([1.0, -8.0, 0.0, 8.0, -1.0]) / 12.0,
}
# sup over wavenumbers of the symbol of -d^2/dx^2 (times h^2): the spectral radius for explicit stability
SECOND_DERIVATIVE_SPECTRAL_RADIUS = {"central2": 4.0, "central4": 16.0 / 3.0}


@njit(cache=True)
def apply_stencil_1d(ue, g, coef, out):
    """``out[i] = sum_k coef[k] * ue[i + g - w//2 + k]`` for the n interior points (``len(coef) = w <= 2g+1``)."""
    n = out.shape[0]
    w = coef.shape[0]
    lo = g - w // 2
    for i in range(n):
        out[i] = 0.0
    for k in range(w):           # one shifted view per coefficient: non-negative indices, vectorisable
        c = coef[k]
        a = ue[lo + k:lo + k + n]
        for i in range(n):
            out[i] += c * a[i]


@njit(cache=True)
def apply_stencil_2d(ue, g, coef_x, coef_y, out):
    """Cross-shaped stencil: ``out = Dx(ue) + Dy(ue)`` on the interior (either coefficient set may be zero)."""
    nx, ny = out.shape
    for i in range(nx):
        for j in range(ny):
            out[i, j] = 0.0
    wx = coef_x.shape[0]
    for k in range(wx):
        c = coef_x[k]
        a = ue[g - wx // 2 + k:g - wx // 2 + k + nx, g:g + ny]
        for i in range(nx):
            for j in range(ny):
                out[i, j] += c * a[i, j]
    wy = coef_y.shape[0]
    for k in range(wy):
        c = coef_y[k]
        a = ue[g:g + nx, g - wy // 2 + k:g - wy // 2 + k + ny]
        for i in range(nx):
            for j in range(ny):
                out[i, j] += c * a[i, j]
