"""Fused explicit Runge-Kutta loops for linear stencil operators ``du/dt = D(u) + boundary data``.

One call advances ``nsteps`` steps of an explicit Butcher tableau ``(A, b)`` entirely inside numba. The state
lives in a ghosted array for the whole call (copied in and out once). Each stage fills the ghosts of its input
with the boundary offsets of that stage (``offsets[step, stage]``; a zero-stride view when the data is time
independent) and applies the stencil; one-stage schemes (forward Euler) are fused into a single sweep with
double buffering (16 bytes of memory traffic per point and step, like a copy). No allocation in the loop.
"""
from __future__ import annotations

from numba import njit

from .ghosts import fill_ghosts_1d, fill_ghosts_2d


@njit(cache=True)
def _stencil_sweep_1d(src, out, g, coef, f, add_centre):
    """``out[i] = f * stencil(src)[i] (+ src[g+i] if add_centre)`` for the ``len(out)`` interior points of the
    ghosted ``src``. The shifted operands are taken as views so every index in the loop is provably
    non-negative (numba then drops its wrap-around checks and vectorises); coefficients are hoisted into
    scalars, and the 3- and 5-point stencils get their own loops."""
    n = out.shape[0]
    w = coef.shape[0]
    lo = g - w // 2
    centre = 1.0 if add_centre else 0.0
    if w == 3:
        a0, a1, a2 = src[lo:lo + n], src[lo + 1:lo + 1 + n], src[lo + 2:lo + 2 + n]
        c0, c1, c2 = f * coef[0], centre + f * coef[1], f * coef[2]
        for i in range(n):
            out[i] = c0 * a0[i] + c1 * a1[i] + c2 * a2[i]
    else:
        a0, a1, a2 = src[lo:lo + n], src[lo + 1:lo + 1 + n], src[lo + 2:lo + 2 + n]
        a3, a4 = src[lo + 3:lo + 3 + n], src[lo + 4:lo + 4 + n]
        c0, c1, c2, c3, c4 = f * coef[0], f * coef[1], centre + f * coef[2], f * coef[3], f * coef[4]
        for i in range(n):
            out[i] = c0 * a0[i] + c1 * a1[i] + c2 * a2[i] + c3 * a3[i] + c4 * a4[i]


@njit(cache=True)
def rk_advance_1d(u, ue, se, K, A, b, nsteps, dt, g, periodic, W, offsets, coef):
    n = u.shape[0]
    s = b.shape[0]
    ue[g:g + n] = u
    for step in range(nsteps):
        if s == 1:                                   # forward Euler: one fused sweep, then swap buffers
            fill_ghosts_1d(ue, g, periodic, W, offsets[step, 0])
            _stencil_sweep_1d(ue, se[g:g + n], g, coef, dt * b[0], True)
            ue, se = se, ue
            continue
        fill_ghosts_1d(ue, g, periodic, W, offsets[step, 0])
        _stencil_sweep_1d(ue, K[0], g, coef, 1.0, False)
        state = ue[g:g + n]
        stage = se[g:g + n]
        for st in range(1, s):
            stage[:] = state
            for r in range(st):
                if A[st, r] != 0.0:
                    _axpy(stage, dt * A[st, r], K[r])
            fill_ghosts_1d(se, g, periodic, W, offsets[step, st])
            _stencil_sweep_1d(se, K[st], g, coef, 1.0, False)
        for st in range(s):
            _axpy(state, dt * b[st], K[st])
    u[:] = ue[g:g + n]


@njit(cache=True)
def _axpy(y, a, x):
    """``y += a * x`` (1D)."""
    for i in range(y.shape[0]):
        y[i] += a * x[i]


@njit(cache=True)
def _axpy_2d(y, a, x):
    """``y += a * x`` (2D, ``y`` may be a strided view)."""
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            y[i, j] += a * x[i, j]


@njit(cache=True)
def _stencil_sweep_2d(src, out, g, cx, cy, f, add_centre):
    """2D cross stencil ``out = f * (Dx + Dy) src (+ src if add_centre)`` on the interior, via shifted views."""
    nx, ny = out.shape
    wx = cx.shape[0]
    h = wx // 2
    centre = 1.0 if add_centre else 0.0
    if wx == 3:
        xm, xc, xp = src[g - 1:g - 1 + nx, g:g + ny], src[g:g + nx, g:g + ny], src[g + 1:g + 1 + nx, g:g + ny]
        ym, yp = src[g:g + nx, g - 1:g - 1 + ny], src[g:g + nx, g + 1:g + 1 + ny]
        c0, c1, c2 = f * cx[0], centre + f * (cx[1] + cy[1]), f * cx[2]
        d0, d2 = f * cy[0], f * cy[2]
        for i in range(nx):
            for j in range(ny):
                out[i, j] = c0 * xm[i, j] + c1 * xc[i, j] + c2 * xp[i, j] + d0 * ym[i, j] + d2 * yp[i, j]
    else:
        xmm, xm = src[g - 2:g - 2 + nx, g:g + ny], src[g - 1:g - 1 + nx, g:g + ny]
        xc = src[g:g + nx, g:g + ny]
        xp, xpp = src[g + 1:g + 1 + nx, g:g + ny], src[g + 2:g + 2 + nx, g:g + ny]
        ymm, ym = src[g:g + nx, g - 2:g - 2 + ny], src[g:g + nx, g - 1:g - 1 + ny]
        yp, ypp = src[g:g + nx, g + 1:g + 1 + ny], src[g:g + nx, g + 2:g + 2 + ny]
        c0, c1, c2, c3, c4 = f * cx[0], f * cx[1], centre + f * (cx[2] + cy[2]), f * cx[3], f * cx[4]
        d0, d1, d3, d4 = f * cy[0], f * cy[1], f * cy[3], f * cy[4]
        for i in range(nx):
            for j in range(ny):
                out[i, j] = (c0 * xmm[i, j] + c1 * xm[i, j] + c2 * xc[i, j] + c3 * xp[i, j] + c4 * xpp[i, j]
                             + d0 * ymm[i, j] + d1 * ym[i, j] + d3 * yp[i, j] + d4 * ypp[i, j])


@njit(cache=True)
def rk_advance_2d(u, ue, se, K, A, b, nsteps, dt, g, periodic_x, periodic_y, Wx, Wy, offsets_x, offsets_y,
                  coef_x, coef_y):
    nx, ny = u.shape
    s = b.shape[0]
    ue[g:g + nx, g:g + ny] = u
    for step in range(nsteps):
        if s == 1:
            fill_ghosts_2d(ue, g, periodic_x, periodic_y, Wx, offsets_x[step, 0], Wy, offsets_y[step, 0])
            _stencil_sweep_2d(ue, se[g:g + nx, g:g + ny], g, coef_x, coef_y, dt * b[0], True)
            ue, se = se, ue
            continue
        fill_ghosts_2d(ue, g, periodic_x, periodic_y, Wx, offsets_x[step, 0], Wy, offsets_y[step, 0])
        _stencil_sweep_2d(ue, K[0], g, coef_x, coef_y, 1.0, False)
        state = ue[g:g + nx, g:g + ny]
        stage = se[g:g + nx, g:g + ny]
        for st in range(1, s):
            stage[:, :] = state
            for r in range(st):
                if A[st, r] != 0.0:
                    _axpy_2d(stage, dt * A[st, r], K[r])
            fill_ghosts_2d(se, g, periodic_x, periodic_y, Wx, offsets_x[step, st], Wy, offsets_y[step, st])
            _stencil_sweep_2d(se, K[st], g, coef_x, coef_y, 1.0, False)
        for st in range(s):
            _axpy_2d(state, dt * b[st], K[st])
    u[:, :] = ue[g:g + nx, g:g + ny]
