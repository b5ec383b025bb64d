"""Centred finite-difference stencils on the extended (ghosted) arrays.

``coef`` holds the ``2g+1`` weights of a centred stencil already divided by ``h`` (first derivative) or
``h^2`` (second derivative) and multiplied by any physical factor (e.g. the diffusivity ``nu``). The weights of
the registered schemes (``central2``: order 2, ``central4``: order 4, Fornberg 1988) are stated on their entries,
:data:`solvers.equations.space.SPACE_SCHEMES` (``SpaceScheme.first_derivative`` / ``second_derivative``); the
kernels here take any such array.
"""
from __future__ import annotations


from numba import njit, prange

from .ghosts import fill_ghosts_2d


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


# ---------------------------------------------------------------------------------------------------------------
# parallel=True variants (numba prange over the rows of the 2D grid). Same arithmetic, same order of operations
# as the serial kernels, so the results are bitwise identical. The stencil sweep reads and writes contiguous rows
# of the flattened arrays (the serial kernel indexes 2D views), which alone makes it about 2x faster on one thread
# from ~100^2 points up. Below a measured size the fork/join does not pay: the explicit heat stepper chooses them
# by ``solvers.integrators.steppers.PARALLEL_MIN_POINTS`` (``gridshock bench`` re-measures the crossover).
# ---------------------------------------------------------------------------------------------------------------

from . import threads as _threads  # noqa: E402,F401  (OpenMP wait policy, before numba starts its threads)


@njit(cache=True, parallel=True)
def stencil_sweep_2d_parallel(src, dst, dg, g, cx, cy, f, add_centre):
    """Rows in parallel: ``dst[dg + i, dg + j] = f * (Dx + Dy) src (+ src if add_centre)`` at interior point
    ``(i, j)`` of ``src`` (``g`` ghost layers); ``dst`` has ``dg`` of them (``0``: a plain ``nx x ny`` array such as
    a stage slope, ``g``: the ghosted twin of ``src``). Both C-contiguous. The same arithmetic, in the same order,
    as :func:`solvers.kernels.runge_kutta._stencil_sweep_2d`; every operand is a contiguous 1D row of the
    flattened arrays, so the inner loop streams and vectorises (3- and 5-point stencils)."""
    nx, ny = src.shape[0] - 2 * g, src.shape[1] - 2 * g
    ws, wd = src.shape[1], dst.shape[1]
    s, d = src.reshape(-1), dst.reshape(-1)
    centre = 1.0 if add_centre else 0.0
    if cx.shape[0] == 3:
        c0, c1, c2 = f * cx[0], centre + f * (cx[1] + cy[1]), f * cx[2]
        d0, d2 = f * cy[0], f * cy[2]
        for i in prange(nx):
            r, o = (g + i) * ws + g, (dg + i) * wd + dg
            xm, xc, xp = s[r - ws:r - ws + ny], s[r:r + ny], s[r + ws:r + ws + ny]
            ym, yp = s[r - 1:r - 1 + ny], s[r + 1:r + 1 + ny]
            row = d[o:o + ny]
            for j in range(ny):
                row[j] = c0 * xm[j] + c1 * xc[j] + c2 * xp[j] + d0 * ym[j] + d2 * yp[j]
    else:
        c0, c1, c2, c3, c4 = f * cx[0], f * cx[1], centre + f * (cx[2] + cy[2]), f * cx[3], f * cx[4]
        d0, d1, d3, d4 = f * cy[0], f * cy[1], f * cy[3], f * cy[4]
        for i in prange(nx):
            r, o = (g + i) * ws + g, (dg + i) * wd + dg
            xmm, xm = s[r - 2 * ws:r - 2 * ws + ny], s[r - ws:r - ws + ny]
            xc = s[r:r + ny]
            xp, xpp = s[r + ws:r + ws + ny], s[r + 2 * ws:r + 2 * ws + ny]
            ymm, ym = s[r - 2:r - 2 + ny], s[r - 1:r - 1 + ny]
            yp, ypp = s[r + 1:r + 1 + ny], s[r + 2:r + 2 + ny]
            row = d[o:o + ny]
            for j in range(ny):
                row[j] = (c0 * xmm[j] + c1 * xm[j] + c2 * xc[j] + c3 * xp[j] + c4 * xpp[j]
                          + d0 * ymm[j] + d1 * ym[j] + d3 * yp[j] + d4 * ypp[j])


@njit(cache=True, parallel=True)
def _axpy_2d_parallel(y, a, x):
    """``y += a * x`` (2D, ``y`` may be a strided view), rows in parallel."""
    for i in prange(y.shape[0]):
        for j in range(y.shape[1]):
            y[i, j] += a * x[i, j]


@njit(cache=True, parallel=True)
def _copy_2d_parallel(dst, src):
    """``dst[...] = src`` (2D views), rows in parallel."""
    for i in prange(dst.shape[0]):
        for j in range(dst.shape[1]):
            dst[i, j] = src[i, j]


@njit(cache=True)
def rk_advance_2d_parallel(u, ue, se, K, A, b, nsteps, dt, g, periodic_x, periodic_y, Wx, Wy, offsets_x, offsets_y,
                           coef_x, coef_y):
    """:func:`solvers.kernels.runge_kutta.rk_advance_2d` with every O(nx ny) sweep (stencil, stage
    combinations, copies) split by rows across the numba threads; ghost filling (O(nx + ny)) stays serial.
    Same signature and bitwise the same result."""
    nx, ny = u.shape
    s = b.shape[0]
    _copy_2d_parallel(ue[g:g + nx, g:g + ny], u)
    for step in range(nsteps):
        fill_ghosts_2d(ue, g, periodic_x, periodic_y, Wx, offsets_x[step, 0], Wy, offsets_y[step, 0])
        if s == 1:                                   # forward Euler: one fused sweep, then swap buffers
            stencil_sweep_2d_parallel(ue, se, g, g, coef_x, coef_y, dt * b[0], True)
            ue, se = se, ue
            continue
        stencil_sweep_2d_parallel(ue, K[0], 0, g, coef_x, coef_y, 1.0, False)
        state = ue[g:g + nx, g:g + ny]
        stage = se[g:g + nx, g:g + ny]
        for st in range(1, s):
            _copy_2d_parallel(stage, state)
            for r in range(st):
                if A[st, r] != 0.0:
                    _axpy_2d_parallel(stage, dt * A[st, r], K[r])
            fill_ghosts_2d(se, g, periodic_x, periodic_y, Wx, offsets_x[step, st], Wy, offsets_y[step, st])
            stencil_sweep_2d_parallel(se, K[st], 0, g, coef_x, coef_y, 1.0, False)
        for st in range(s):
            _axpy_2d_parallel(state, dt * b[st], K[st])
    _copy_2d_parallel(u, ue[g:g + nx, g:g + ny])
