"""Fused explicit Runge-Kutta loops for linear stencil operators ``du/dt = D(u) + boundary data``.

One call advances ``nsteps`` steps of an explicit Butcher tableau ``(A, b)`` entirely inside numba: each stage
writes ``u + dt sum_r A[s, r] K_r`` into the interior of the ghosted work array, fills its ghosts with the
boundary offsets of that stage time (``offsets[step, stage]``), and applies the stencil. ``offsets`` may be a
zero-stride broadcast view when the boundary data is time independent. No allocation inside the loop.
"""
from __future__ import annotations

from numba import njit

from .ghosts import fill_ghosts_1d, fill_ghosts_2d
from .stencils import apply_stencil_1d, apply_stencil_2d


@njit(cache=True)
def rk_advance_1d(u, ue, K, A, b, nsteps, dt, g, periodic, W, offsets, coef):
    n = u.shape[0]
    s = b.shape[0]
    for step in range(nsteps):
        for st in range(s):
            for i in range(n):
                v = u[i]
                for r in range(st):
                    if A[st, r] != 0.0:
                        v += dt * A[st, r] * K[r, i]
                ue[g + i] = v
            fill_ghosts_1d(ue, g, periodic, W, offsets[step, st])
            apply_stencil_1d(ue, g, coef, K[st])
        for i in range(n):
            v = u[i]
            for st in range(s):
                v += dt * b[st] * K[st, i]
            u[i] = v


@njit(cache=True)
def rk_advance_2d(u, ue, K, A, b, nsteps, dt, g, periodic_x, periodic_y, Wx, Wy, offsets_x, offsets_y,
                  coef_x, coef_y):
    nx, ny = u.shape
    s = b.shape[0]
    for step in range(nsteps):
        for st in range(s):
            for i in range(nx):
                for j in range(ny):
                    v = u[i, j]
                    for r in range(st):
                        if A[st, r] != 0.0:
                            v += dt * A[st, r] * K[r, i, j]
                    ue[g + i, g + j] = v
            fill_ghosts_2d(ue, g, periodic_x, periodic_y, Wx, offsets_x[step, st], Wy, offsets_y[step, st])
            apply_stencil_2d(ue, g, coef_x, coef_y, K[st])
        for i in range(nx):
            for j in range(ny):
                v = u[i, j]
                for st in range(s):
                    v += dt * b[st] * K[st, i, j]
                u[i, j] = v
