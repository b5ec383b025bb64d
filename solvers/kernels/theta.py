"""Right-hand sides and fused loops of the theta method ``(I - theta dt L) u^{n+1} = (I + (1-theta) dt L) u^n
+ dt (theta b^{n+1} + (1-theta) b^n)`` for a linear stencil operator ``L u + b(t)`` with affine boundary data.

``theta = 1`` is implicit Euler (order 1, L-stable), ``theta = 1/2`` Crank-Nicolson (order 2, A-stable).
``b`` enters through the ghost offsets: ``L_full(u, offset)`` = stencil of ``u`` with ghosts filled from
``offset``, so ``L_full(u, off_n) = L u + b^n`` and ``L_full(0, off_{n+1}) = b^{n+1}``.
"""
from __future__ import annotations

from numba import njit

from .ghosts import fill_ghosts_1d, fill_ghosts_2d
from .stencils import apply_stencil_1d, apply_stencil_2d
from .tridiagonal import cyclic_solve


@njit(cache=True)
def theta_rhs_1d(u, ue, work, out, dt, theta, g, periodic, W, off_now, off_next, coef):
    n = u.shape[0]
    ue[g:g + n] = u
    fill_ghosts_1d(ue, g, periodic, W, off_now)
    apply_stencil_1d(ue, g, coef, out)
    for i in range(n):
        out[i] = u[i] + (1.0 - theta) * dt * out[i]
    if not periodic:
        ue[g:g + n] = 0.0
        fill_ghosts_1d(ue, g, periodic, W, off_next)
        apply_stencil_1d(ue, g, coef, work)
        for i in range(n):
            out[i] += theta * dt * work[i]


@njit(cache=True)
def theta_rhs_2d(u, ue, work, out, dt, theta, g, periodic_x, periodic_y, Wx, Wy, offx_now, offy_now,
                 offx_next, offy_next, coef_x, coef_y):
    nx, ny = u.shape
    ue[g:g + nx, g:g + ny] = u
    fill_ghosts_2d(ue, g, periodic_x, periodic_y, Wx, offx_now, Wy, offy_now)
    apply_stencil_2d(ue, g, coef_x, coef_y, out)
    for i in range(nx):
        for j in range(ny):
            out[i, j] = u[i, j] + (1.0 - theta) * dt * out[i, j]
    if not (periodic_x and periodic_y):
        ue[g:g + nx, g:g + ny] = 0.0
        fill_ghosts_2d(ue, g, periodic_x, periodic_y, Wx, offx_next, Wy, offy_next)
        apply_stencil_2d(ue, g, coef_x, coef_y, work)
        for i in range(nx):
            for j in range(ny):
                out[i, j] += theta * dt * work[i, j]


@njit(cache=True)
def theta_advance_tridiagonal(u, ue, work, nsteps, dt, theta, g, periodic, W, offsets, coef,
                              a, cprime, inv_pivot, z, alpha, gamma, z_denominator, cyclic):
    """``nsteps`` theta steps in 1D with the factored (cyclic) tridiagonal ``I - theta dt L``.

    ``offsets`` has shape (nsteps, 2, 2, g): boundary offsets at t_n and t_{n+1} of each step.
    """
    n = u.shape[0]
    rhs = work[:n]
    tmp = work[n:]
    for step in range(nsteps):
        theta_rhs_1d(u, ue, tmp, rhs, dt, theta, g, periodic, W, offsets[step, 0], offsets[step, 1], coef)
        cyclic_solve(a, cprime, inv_pivot, z, alpha, gamma, z_denominator, cyclic, rhs)
        u[:] = rhs
