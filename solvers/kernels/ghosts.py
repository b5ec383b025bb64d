"""Ghost-cell filling for the affine boundary rule of :mod:`solvers.grids.boundaries`.

Layout: an extended array carries ``g`` ghost layers on every side; interior unknowns are ``ue[g:g+n]``
(1D) or ``ue[g:g+nx, g:g+ny]`` (2D; corner ghosts are never read by the cross-shaped stencils).
``W`` has shape (2, g, M) (low face, high face), ``offset`` shape (2, g) in 1D and (2, g, n_along) in 2D.
"""
from __future__ import annotations

from numba import njit


@njit(cache=True)
def fill_ghosts_1d(ue, g, periodic, W, offset):
    n = ue.shape[0] - 2 * g
    if periodic:
        for j in range(g):
            ue[g - 1 - j] = ue[g + n - 1 - j]
            ue[g + n + j] = ue[g + j]
        return
    M = W.shape[2]
    for j in range(g):
        lo = offset[0, j]
        hi = offset[1, j]
        for m in range(M):
            lo += W[0, j, m] * ue[g + m]
            hi += W[1, j, m] * ue[g + n - 1 - m]
        ue[g - 1 - j] = lo
        ue[g + n + j] = hi


@njit(cache=True)
def fill_ghosts_2d(ue, g, periodic_x, periodic_y, Wx, offset_x, Wy, offset_y):
    nx = ue.shape[0] - 2 * g
    ny = ue.shape[1] - 2 * g
    Mx = Wx.shape[2]
    My = Wy.shape[2]
    # x faces (rows i < g and i >= g + nx), along y
    for jy in range(ny):
        c = g + jy
        if periodic_x:
            for j in range(g):
                ue[g - 1 - j, c] = ue[g + nx - 1 - j, c]
                ue[g + nx + j, c] = ue[g + j, c]
        else:
            for j in range(g):
                lo = offset_x[0, j, jy]
                hi = offset_x[1, j, jy]
                for m in range(Mx):
                    lo += Wx[0, j, m] * ue[g + m, c]
                    hi += Wx[1, j, m] * ue[g + nx - 1 - m, c]
                ue[g - 1 - j, c] = lo
                ue[g + nx + j, c] = hi
    # y faces, along x
    for ix in range(nx):
        r = g + ix
        if periodic_y:
            for j in range(g):
                ue[r, g - 1 - j] = ue[r, g + ny - 1 - j]
                ue[r, g + ny + j] = ue[r, g + j]
        else:
            for j in range(g):
                lo = offset_y[0, j, ix]
                hi = offset_y[1, j, ix]
                for m in range(My):
                    lo += Wy[0, j, m] * ue[r, g + m]
                    hi += Wy[1, j, m] * ue[r, g + ny - 1 - m]
                ue[r, g - 1 - j] = lo
                ue[r, g + ny + j] = hi
