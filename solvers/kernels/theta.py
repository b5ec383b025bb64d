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
                              lower_scaled, cprime, inv_pivot, z, alpha, gamma, z_denominator, cyclic):
    """``nsteps`` theta steps in 1D with the factored (cyclic) tridiagonal ``I - theta dt L``.

    ``offsets`` has shape (nsteps, 2, 2, g): boundary offsets at t_n and t_{n+1} of each step. Each step is two
    sweeps (three when cyclic): the right-hand side is formed inside the forward elimination and the backward
    substitution writes ``u``; the arithmetic is that of :func:`theta_rhs_1d` + :func:`cyclic_solve`, operation
    for operation, so the result is the same to the last bit (:func:`_theta_step_unfused` is that reference).
    """
    n = u.shape[0]
    if n < 3 or g != 1 or coef.shape[0] != 3:
        for step in range(nsteps):
            _theta_step_unfused(u, ue, work, dt, theta, g, periodic, W, offsets[step], coef,
                                lower_scaled, cprime, inv_pivot, z, alpha, gamma, z_denominator, cyclic)
        return
    d = work[:n]
    explicit = (1.0 - theta) * dt
    implicit = theta * dt
    c0, c1, c2 = coef[0], coef[1], coef[2]
    M = W.shape[2]
    for step in range(nsteps):
        now, nxt = offsets[step, 0], offsets[step, 1]
        # ghost values of u^n, as fill_ghosts_1d computes them
        if periodic:
            lo, hi = u[n - 1], u[0]
        else:
            lo, hi = now[0, 0], now[1, 0]
            for m in range(M):
                lo += W[0, 0, m] * u[m]
                hi += W[1, 0, m] * u[n - 1 - m]
        # forward sweep: rhs_i = u_i + (1 - theta) dt (L u + b^n)_i (+ theta dt b^{n+1}_i), then eliminate
        r = u[0] + explicit * (c0 * lo + c1 * u[0] + c2 * u[1])
        if not periodic:
            r += implicit * (c0 * nxt[0, 0])
        prev = r * inv_pivot[0]
        d[0] = prev
        for i in range(1, n - 1):
            r = u[i] + explicit * (c0 * u[i - 1] + c1 * u[i] + c2 * u[i + 1])
            prev = r * inv_pivot[i] - lower_scaled[i] * prev     # recurrence: one mul + one sub deep
            d[i] = prev
        r = u[n - 1] + explicit * (c0 * u[n - 2] + c1 * u[n - 1] + c2 * hi)
        if not periodic:
            r += implicit * (c2 * nxt[1, 0])
        d[n - 1] = r * inv_pivot[n - 1] - lower_scaled[n - 1] * prev
        # backward substitution (then the Sherman-Morrison correction when cyclic)
        if cyclic:
            for i in range(n - 2, -1, -1):
                d[i] -= cprime[i] * d[i + 1]
            f = (d[0] + alpha * d[n - 1] / gamma) / z_denominator
            for i in range(n):
                u[i] = d[i] - f * z[i]
        else:
            nxt_value = d[n - 1]
            u[n - 1] = nxt_value
            for i in range(n - 2, -1, -1):
                nxt_value = d[i] - cprime[i] * nxt_value
                u[i] = nxt_value


@njit(cache=True)
def _theta_step_unfused(u, ue, work, dt, theta, g, periodic, W, offsets, coef,
                        lower_scaled, cprime, inv_pivot, z, alpha, gamma, z_denominator, cyclic):
    """One theta step as separate passes: :func:`theta_rhs_1d`, then :func:`cyclic_solve` (any ``g``, ``n``)."""
    n = u.shape[0]
    rhs = work[:n]
    tmp = work[n:]
    theta_rhs_1d(u, ue, tmp, rhs, dt, theta, g, periodic, W, offsets[0], offsets[1], coef)
    cyclic_solve(lower_scaled, cprime, inv_pivot, z, alpha, gamma, z_denominator, cyclic, rhs)
    u[:] = rhs
