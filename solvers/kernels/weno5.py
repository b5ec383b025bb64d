"""The WENO5 flux difference of the 1D scalar conservation law with diffusion, block by block.

PDE and layout as in :mod:`solvers.kernels.fluxes`: ``u_t + d/dx f(u, x) = nu u_xx``, ``f(u, x) = c2 u^2 + c1 x u``;
``ue`` has ``g`` ghost cells on each side, cell centres ``x_i = x0 + (i + 1/2) h``; the semi-discrete operator is
``-(F_{i+1/2} - F_{i-1/2}) / h`` (plus an optional 3- or 5-point centred diffusion stencil).

Scheme: finite-difference WENO5 of Jiang & Shu (J. Comput. Phys. 126, 1996) with global Lax-Friedrichs splitting
``f+- = (f(u_i, x_i) +- alpha u_i) / 2`` at cell centres, ``alpha = max |f'|`` over all of ``ue`` (ghosts
included); ``f+`` reconstructed at ``i+1/2`` from cells ``i-2..i+2``, ``f-`` from ``i+3..i-1`` (mirror),
``eps = 1e-6``, linear weights ``(1, 6, 3)/10``. Order 5 on smooth data; it reads 3 cells on either side.

Compute-bound, so it goes by blocks of :data:`WENO5_BLOCK` cells (:func:`weno5_block`: split fluxes once per cell,
then the faces, then the update, each loop vectorised; one division per reconstruction): 1.6-1.7x the per-face
loop it replaced at 1e5 cells (0.34 against 0.55-0.58 ms per sweep, minimum of 61 round-robin repetitions) and
equal to it to round-off. The block, the Lax-Friedrichs speed (:func:`lf_speed`) and the stage set-up
(:func:`weno5_stage_setup`) are shared with the fused Runge-Kutta loops of :mod:`solvers.kernels.burgers_rk`
(Butcher form) and :mod:`solvers.kernels.burgers_lowstorage` (two-register Shu-Osher form).
:func:`weno5_rhs_1d_parallel` spreads the blocks over numba's threads (bitwise the serial sweep); the size rule
:func:`weno5_parallel` says when that pays.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from . import threads as _threads  # noqa: F401  (OpenMP wait policy, before numba starts its threads)
from .ghosts import fill_ghosts_1d

WENO_EPS = 1e-6

# Cells per block of the WENO5 sweeps: the block's scratch (3 x 2049 x 8 B ~ 50 KiB) stays in L1/L2. Blocks of
# 512-8192 cells measured within noise of each other at N = 1e6.
WENO5_BLOCK = 2048


@njit(cache=True, inline='always')
def _weno5_plus(a, b, c, d, e):
    """Jiang-Shu WENO5 value at the right face of ``c`` from the five values ``a..e`` centred on ``c``.

    With ``t_k = eps + beta_k`` the weights ``alpha_k = d_k / t_k^2`` are multiplied through by
    ``10 (t_0 t_1 t_2)^2`` and the ``1/6`` of the ``q_k`` is taken out: ``sum alpha_k q_k / sum alpha_k =
    sum w_k (6 q_k) / (6 sum w_k)`` with ``w_0 = t_1^2 t_2^2``, ``w_1 = 6 t_0^2 t_2^2``, ``w_2 = 3 t_0^2 t_1^2``:
    one division instead of four, the same value up to round-off (``t_k >= eps``, so nothing underflows;
    nothing overflows while ``beta_k < 1e75``)."""
    q0 = 2.0 * a - 7.0 * b + 11.0 * c                  # 6 q_k
    q1 = -b + 5.0 * c + 2.0 * d
    q2 = 2.0 * c + 5.0 * d - e
    s0 = a - 2.0 * b + c
    s1 = b - 2.0 * c + d
    s2 = c - 2.0 * d + e
    r0 = a - 4.0 * b + 3.0 * c
    r1 = b - d
    r2 = 3.0 * c - 4.0 * d + e
    t0 = WENO_EPS + (13.0 / 12.0) * s0 * s0 + 0.25 * r0 * r0
    t1 = WENO_EPS + (13.0 / 12.0) * s1 * s1 + 0.25 * r1 * r1
    t2 = WENO_EPS + (13.0 / 12.0) * s2 * s2 + 0.25 * r2 * r2
    p0 = t0 * t0
    p1 = t1 * t1
    p2 = t2 * t2
    w0 = p1 * p2                                         # 10 d_k prod_{j != k} t_j^2
    w1 = 6.0 * (p0 * p2)
    w2 = 3.0 * (p0 * p1)
    return (w0 * q0 + w1 * q1 + w2 * q2) / (6.0 * (w0 + w1 + w2))


@njit(cache=True, error_model='numpy')
def _weno5_faces(a, c0, m, bm, c1h, c2, alpha, fp, fm, F):
    """Face fluxes ``F[k] = F_{c0+k-1/2}``, ``k = 0..m``, from ``a[j] = u_{c0+j-3}``, ``j = 0..m+5``
    (``bm = c1 x_{-3}``): first the split fluxes ``f+-`` of those cells, once per cell, into ``fp`` / ``fm``,
    then every face from them. Neither loop carries a value from one index to the next, so both vectorise."""
    for j in range(m + 6):
        u = a[j]
        f = (c2 * u + (bm + c1h * (c0 + j))) * u
        fp[j] = 0.5 * (f + alpha * u)
        fm[j] = 0.5 * (f - alpha * u)
    for k in range(m + 1):
        F[k] = (_weno5_plus(fp[k], fp[k + 1], fp[k + 2], fp[k + 3], fp[k + 4])
                + _weno5_plus(fm[k + 5], fm[k + 4], fm[k + 3], fm[k + 2], fm[k + 1]))


@njit(cache=True, error_model='numpy')
def weno5_block(ue, o, c0, m, bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, out, oo, accumulate, fp, fm, F):
    """Cells ``i = c0 .. c0+m-1``: ``out[i - oo] = (.. if accumulate) + D2_i - (F_{i+1/2} - F_{i-1/2}) / h`` with
    ``D2_i = e0 u_{i-2} + e1 u_{i-1} + e2 u_i + e3 u_{i+1} + e4 u_{i+2}``; ``ue[o + j] = u_{j-3}``,
    ``bm = c1 x_{-3}``, face fluxes from :func:`_weno5_faces`; the diffusion sum and the update round exactly as
    the previous per-face kernel's did.

    Only cell and face indices enter the arithmetic, not the block bounds: any blocking gives bitwise the same
    result. Every loop indexes a view from ``range(0, ...)``: an index numba cannot prove non-negative gets a
    wraparound select per load, and such loops ran 5-7x slower (measured)."""
    a = ue[o + c0:o + c0 + m + 6]                        # a[j] = u_{c0+j-3}; ob[k] = out[c0+k-oo]
    ob = out[c0 - oo:c0 - oo + m]
    _weno5_faces(a, c0, m, bm, c1h, c2, alpha, fp, fm, F)
    for k in range(m):
        s = e0 * a[k + 1] + e1 * a[k + 2] + e2 * a[k + 3] + e3 * a[k + 4] + e4 * a[k + 5]
        if accumulate:
            s += ob[k]
        ob[k] = s - (F[k + 1] - F[k]) * invh


@njit(cache=True)
def lf_speed(ue, lo, hi, xg, h, c2, c1):
    """``max |f'(u_j, x_j)|`` over ``ue[lo:hi]``, ``x_j = xg + j h``. Eight running maxima (a max is exact in any
    order, so this is bitwise the max of one running maximum), and for ``c1 == 0`` ``|2 c2| max |u|``, which
    rounds to the same value (rounding is monotone): the loop is then 6x faster than one running maximum of
    ``|2 c2 u + c1 x|``."""
    if c1 == 0.0:
        v = ue[lo:hi]
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
        m = (hi - lo) // 8 * 8
        for j in range(0, m, 8):
            a0 = max(a0, abs(v[j]))
            a1 = max(a1, abs(v[j + 1]))
            a2 = max(a2, abs(v[j + 2]))
            a3 = max(a3, abs(v[j + 3]))
            a4 = max(a4, abs(v[j + 4]))
            a5 = max(a5, abs(v[j + 5]))
            a6 = max(a6, abs(v[j + 6]))
            a7 = max(a7, abs(v[j + 7]))
        for j in range(m, hi - lo):
            a0 = max(a0, abs(v[j]))
        return abs(2.0 * c2) * max(max(max(a0, a1), max(a2, a3)), max(max(a4, a5), max(a6, a7)))
    alpha = 0.0
    for j in range(lo, hi):
        alpha = max(alpha, abs(2.0 * c2 * ue[j] + c1 * (xg + j * h)))
    return alpha


@njit(cache=True)
def diffusion_weights(dw):
    """The five weights of the centred diffusion stencil ``u_{i-2} .. u_{i+2}`` (zeros where unused)."""
    w = dw.shape[0]
    if w == 0:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    if w == 3:
        return 0.0, dw[0], dw[1], dw[2], 0.0
    if w == 5:
        return dw[0], dw[1], dw[2], dw[3], dw[4]
    raise ValueError("diffusion stencil must have 0, 3 or 5 weights")


@njit(cache=True, error_model='numpy')
def sweep_weno5(ue, g, n, h, x0, c2, c1, dw, out, accumulate):
    """The serial sweep ``out[i] = (out[i] if accumulate) + D2(u)_i - (F_{i+1/2} - F_{i-1/2}) / h`` (``g >= 3``,
    checked by the caller, :func:`solvers.kernels.fluxes.flux_divergence_1d` / ``burgers_rhs_1d``)."""
    e0, e1, e2, e3, e4 = diffusion_weights(dw)
    alpha = lf_speed(ue, 0, ue.shape[0], x0 + (0.5 - g) * h, h, c2, c1)   # over all of ue, ghosts included
    invh, c1h, bm = 1.0 / h, c1 * h, c1 * (x0 - 2.5 * h)  # bm = c1 x_{-3}, ue[g - 3 + j] = u_{j-3}
    B = WENO5_BLOCK
    fp, fm, F = np.empty(B + 6), np.empty(B + 6), np.empty(B + 1)
    for c0 in range(0, n, B):
        weno5_block(ue, g - 3, c0, min(B, n - c0), bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, out, 0, accumulate,
                    fp, fm, F)


@njit(cache=True, error_model='numpy')
def weno5_stage_setup(cur, g, periodic, W, off, coef, d2, dscaled):
    """Ghosts of ``cur`` and the stage constants: ``(c2, c1, e0..e4)`` (the diffusion weights, scaled by nu)."""
    fill_ghosts_1d(cur, g, periodic, W, off)
    nu, c2, c1 = coef[0], coef[1], coef[2]
    for m in range(d2.shape[0]):
        dscaled[m] = nu * d2[m]
    e0, e1, e2, e3, e4 = diffusion_weights(dscaled)
    return c2, c1, e0, e1, e2, e3, e4


# ---------------------------------------------------------------------------------------------------------------
# Size rule for the parallel weno5 sweep (and the stage combinations of the fused RK loops around it).
# ---------------------------------------------------------------------------------------------------------------

# Measured on this machine kind (2 cores shared with other jobs, numba 0.68, omp layer, passive wait), the whole
# WENO5 + SSP-RK3 step of the benchmark (solvers/bench/burgers.py), medians of 7 round-robin repetitions of the
# serial and the parallel loop in one process, parallel / serial speed at load average ~1.1-1.2:
# 0.62 at 3e4 cells, 0.87 at 5e4, 0.96 at 7e4, 1.27 at 1e5, 1.67 at 3e5, 1.51 at 1e6. With another job holding
# a core (load ~2-2.5) the second thread does not pay at any size (0.76-0.96 at 1e5-1e6, three runs).
WENO5_PARALLEL_MIN_POINTS = 100_000


def weno5_parallel(n: int) -> bool:
    """Whether a weno5 step on ``n`` cells runs the ``parallel=True`` loop
    (:func:`solvers.kernels.burgers_rk.rk_burgers_1d_weno5_parallel`): at least
    :data:`WENO5_PARALLEL_MIN_POINTS` cells (the measured crossover) and more than one numba thread."""
    return n >= WENO5_PARALLEL_MIN_POINTS and numba.get_num_threads() > 1


@njit(cache=True, parallel=True, error_model='numpy')
def weno5_rhs_1d_parallel(ue, g, n, h, x0, c2, c1, diff, out, tasks):
    """:func:`solvers.kernels.fluxes.burgers_rhs_1d` for weno5 with the blocks of the sweep spread over numba's
    threads (``prange``); bitwise the same result (every face flux and update is computed by the same code from
    the same operands, and a max is exact in any order). The standalone sweep; the fused RK loop has its own
    parallel twin (:func:`solvers.kernels.burgers_rk.rk_burgers_1d_weno5_parallel`), so the serial loops never
    enter a parallel region. ``tasks``: chunks of consecutive blocks (e.g. twice numba's thread count), each with
    its own scratch."""
    if g < 3 or g < diff.shape[0] // 2 or ue.shape[0] != n + 2 * g or out.shape[0] != n:
        raise ValueError("weno5 needs g >= 3 (and >= the diffusion half-width), len(ue) = n + 2g, len(out) = n")
    e0, e1, e2, e3, e4 = diffusion_weights(diff)
    B = WENO5_BLOCK
    nb = (n + B - 1) // B
    nu = ue.shape[0]
    xg = x0 + (0.5 - g) * h
    part = np.zeros(nb)                                  # per-block maxima of |f'| over ue (ghosts included)
    for blk in prange(nb):
        part[blk] = lf_speed(ue, blk * nu // nb, (blk + 1) * nu // nb, xg, h, c2, c1)
    alpha = 0.0
    for blk in range(nb):
        alpha = max(alpha, part[blk])
    invh, c1h, bm = 1.0 / h, c1 * h, c1 * (x0 - 2.5 * h)
    nt = max(1, min(nb, tasks))
    for t in prange(nt):                                 # a chunk of consecutive blocks per task, one scratch
        fp, fm, F = np.empty(B + 6), np.empty(B + 6), np.empty(B + 1)
        for blk in range(t * nb // nt, (t + 1) * nb // nt):
            c0 = blk * B
            weno5_block(ue, g - 3, c0, min(B, n - c0), bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, out, 0, False,
                        fp, fm, F)
