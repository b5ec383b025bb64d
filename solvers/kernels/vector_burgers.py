"""Advective terms of the 2D vector Burgers system on ghosted arrays (numba).

The system (score form, ANALYTIC.md §1) is ``u_t = nu Lap u + sigma (u . grad) u`` with ``u = (u1, u2)``; in
the notation of :mod:`solvers.equations.advection` the transport term is ``-grad(c2 |u|^2)`` (gradient form,
``c2 = -sigma/2``) or ``-(a . grad) u`` with velocity ``a = 2 c2 u`` (non-conservative form). Both forms agree
for irrotational ``u`` because ``(u . grad) u = (1/2) grad |u|^2 + (curl u) x u``.

* :func:`gradient_advection_2d` — centred differences of ``q = c2 |u|^2`` (order 2, or 4 with the 5-point
  first derivative ``(q_{i-2} - 8 q_{i-1} + 8 q_{i+1} - q_{i+2}) / (12 h)``). Centred difference
  operators commute (``Dx Dy = Dy Dx``), so the discrete curl of this term vanishes identically and the
  discrete curl of the solution only diffuses.
* :func:`upwind_advection_2d` — ``a_x d_x u_c + a_y d_y u_c`` with one-sided derivatives taken from the
  upwind side of ``a``: first order (``scheme =`` :data:`UPWIND1`) or the WENO5 derivatives of Jiang & Peng
  (SIAM J. Sci. Comput. 21, 2000; Osher & Fedkiw 2003 §3.4), fifth order on smooth data (:data:`WENO5`).
  The registered 2D upwind schemes name their id (``AdvectionScheme.upwind_kernel_2d``).

Layout: ``ue`` has shape ``(2, nx + 2g, ny + 2g)`` with ghost cells filled; corner ghosts are never read.
"""
from __future__ import annotations

from numba import njit

# Kernel ids of the one-sided derivatives of :func:`upwind_advection_2d`.
UPWIND1 = 0
WENO5 = 1


@njit(cache=True)
def gradient_advection_2d(ue, g, hx, hy, c2, q, out, accumulate, order):
    """``out[c] (+)= -D_c q`` with ``q = c2 (u1^2 + u2^2)`` and ``D`` the centred difference of ``order`` 2 or 4."""
    nx = out.shape[1]
    ny = out.shape[2]
    r = 1 if order == 2 else 2
    for i in range(g - r, g + nx + r):
        for j in range(g - r, g + ny + r):
            q[i, j] = c2 * (ue[0, i, j] * ue[0, i, j] + ue[1, i, j] * ue[1, i, j])
    if order == 2:
        fx = 0.5 / hx
        fy = 0.5 / hy
        for i in range(nx):
            for j in range(ny):
                ii = i + g
                jj = j + g
                dx = fx * (q[ii + 1, jj] - q[ii - 1, jj])
                dy = fy * (q[ii, jj + 1] - q[ii, jj - 1])
                out[0, i, j] = out[0, i, j] - dx if accumulate else -dx   # never read out when not accumulating
                out[1, i, j] = out[1, i, j] - dy if accumulate else -dy
    else:
        fx = 1.0 / (12.0 * hx)
        fy = 1.0 / (12.0 * hy)
        for i in range(nx):
            for j in range(ny):
                ii = i + g
                jj = j + g
                dx = fx * (q[ii - 2, jj] - 8.0 * q[ii - 1, jj] + 8.0 * q[ii + 1, jj] - q[ii + 2, jj])
                dy = fy * (q[ii, jj - 2] - 8.0 * q[ii, jj - 1] + 8.0 * q[ii, jj + 1] - q[ii, jj + 2])
                out[0, i, j] = out[0, i, j] - dx if accumulate else -dx
                out[1, i, j] = out[1, i, j] - dy if accumulate else -dy


@njit(cache=True, inline="always", error_model="numpy")
def _weno5_derivative(v1, v2, v3, v4, v5):
    """HJ-WENO5 (Jiang & Peng 2000): derivative from the five upwind-ordered differences ``v1..v5``."""
    p1 = v1 / 3.0 - 7.0 * v2 / 6.0 + 11.0 * v3 / 6.0
    p2 = -v2 / 6.0 + 5.0 * v3 / 6.0 + v4 / 3.0
    p3 = v3 / 3.0 + 5.0 * v4 / 6.0 - v5 / 6.0
    s1 = 13.0 / 12.0 * (v1 - 2 * v2 + v3) ** 2 + 0.25 * (v1 - 4 * v2 + 3 * v3) ** 2
    s2 = 13.0 / 12.0 * (v2 - 2 * v3 + v4) ** 2 + 0.25 * (v2 - v4) ** 2
    s3 = 13.0 / 12.0 * (v3 - 2 * v4 + v5) ** 2 + 0.25 * (3 * v3 - 4 * v4 + v5) ** 2
    big = max(v1 * v1, v2 * v2, v3 * v3, v4 * v4, v5 * v5)
    eps = 1e-6 * big + 1e-99        # scale-invariant epsilon (Osher & Fedkiw 2003, eq. 3.37)
    a1 = 0.1 / (s1 + eps) ** 2
    a2 = 0.6 / (s2 + eps) ** 2
    a3 = 0.3 / (s3 + eps) ** 2
    return (a1 * p1 + a2 * p2 + a3 * p3) / (a1 + a2 + a3)


@njit(cache=True, inline="always", error_model="numpy")
def _one_sided(m3, m2, m1, c0, p1, p2, p3, h, positive, scheme):
    """Upwind-biased derivative at the centre ``c0`` of seven consecutive values along one axis (``m*`` behind,
    ``p*`` ahead); ``positive``: the velocity is >= 0, so the stencil leans backward."""
    if scheme == UPWIND1:
        return (c0 - m1) / h if positive else (p1 - c0) / h
    if positive:
        return _weno5_derivative((m2 - m3) / h, (m1 - m2) / h, (c0 - m1) / h, (p1 - c0) / h, (p2 - p1) / h)
    return _weno5_derivative((p3 - p2) / h, (p2 - p1) / h, (p1 - c0) / h, (c0 - m1) / h, (m1 - m2) / h)


@njit(cache=True, error_model="numpy")   # no zero-division checks: divisors are h and >= eps^2
def upwind_advection_2d(ue, g, hx, hy, c2, scheme, out, accumulate):
    """``out[c] (+)= -(a_x d_x u_c + a_y d_y u_c)``, ``a = 2 c2 u``, derivatives from the upwind side.

    Index arithmetic on ``ue`` directly (no per-point views); the y sweep runs along contiguous rows. For
    ``scheme = UPWIND1`` only the nearest neighbours are read (the outer ones are clamped into the array)."""
    nx = out.shape[1]
    ny = out.shape[2]
    r = 3 if scheme == WENO5 else 1
    for c in range(2):
        for i in range(nx):
            ii = i + g
            for j in range(ny):
                jj = j + g
                ax = 2.0 * c2 * ue[0, ii, jj]
                ay = 2.0 * c2 * ue[1, ii, jj]
                dx = _one_sided(ue[c, ii - r, jj], ue[c, ii - min(r, 2), jj], ue[c, ii - 1, jj], ue[c, ii, jj],
                                ue[c, ii + 1, jj], ue[c, ii + min(r, 2), jj], ue[c, ii + r, jj], hx, ax >= 0.0, scheme)
                dy = _one_sided(ue[c, ii, jj - r], ue[c, ii, jj - min(r, 2)], ue[c, ii, jj - 1], ue[c, ii, jj],
                                ue[c, ii, jj + 1], ue[c, ii, jj + min(r, 2)], ue[c, ii, jj + r], hy, ay >= 0.0, scheme)
                out[c, i, j] = out[c, i, j] - (ax * dx + ay * dy) if accumulate else -(ax * dx + ay * dy)
