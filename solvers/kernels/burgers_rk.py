"""Fused explicit Runge-Kutta loop for the 1D Burgers flux operator (:mod:`solvers.kernels.fluxes`).

One call advances ``nsteps`` steps of a Butcher tableau ``(A, b)`` for ``w' = nu(t) D2 w - d/dx f(w, x, t)``
entirely inside numba: per stage the ghost cells are filled (affine rule + offsets of that stage), the fused
flux-and-diffusion sweep :func:`~solvers.kernels.fluxes.burgers_rhs_1d` writes ``K[stage]``, and the stage
combinations are plain loops. The time-dependent coefficients ``(nu, c2, c1)`` of every stage are tabulated by
the caller (``coef[step, stage, 0:3]``), as are the boundary offsets (``offsets[step, stage, 2, g]``). No
allocation inside the loop (the scaled diffusion weights live in ``dscaled``).
"""
from __future__ import annotations

from numba import njit

from .fluxes import burgers_rhs_1d
from .ghosts import fill_ghosts_1d


@njit(cache=True)
def rk_burgers_1d(w, ue, K, A, b, nsteps, dt, g, periodic, W, offsets, coef, h, x0, flux_id, d2, dscaled):
    n = w.shape[0]
    s = b.shape[0]
    for step in range(nsteps):
        for st in range(s):
            ue[g:g + n] = w
            for r in range(st):
                a = dt * A[st, r]
                if a != 0.0:
                    kr = K[r]
                    for i in range(n):
                        ue[g + i] += a * kr[i]
            fill_ghosts_1d(ue, g, periodic, W, offsets[step, st])
            nu = coef[step, st, 0]
            for m in range(d2.shape[0]):
                dscaled[m] = nu * d2[m]
            burgers_rhs_1d(ue, g, n, h, x0, flux_id, coef[step, st, 1], coef[step, st, 2], dscaled, K[st])
        for st in range(s):
            a = dt * b[st]
            if a != 0.0:
                ks = K[st]
                for i in range(n):
                    w[i] += a * ks[i]
