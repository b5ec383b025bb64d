"""Two-register (Shu-Osher) Runge-Kutta loop for the 1D weno5 flux operator: no stored slopes.

Explicit schemes whose every stage uses only the step's start ``w`` and the previous stage have the low-storage
Shu-Osher form (Shu & Osher, J. Comput. Phys. 77, 1988, eq. 2.18; Gottlieb, Shu & Tadmor, SIAM Rev. 43, 2001,
sec. 3)::

    u^(0) = w,    u^(i) = a_i w + b_i u^(i-1) + c_i dt L(u^(i-1), t + tau_{i-1} dt),    w <- u^(s),

e.g. SSP-RK3 ``(a, b, c) = (0, 1, 1), (3/4, 1/4, 1/4), (1/3, 2/3, 2/3)`` and forward Euler ``(0, 1, 1)``
(rows registered with the scheme: :attr:`solvers.integrators.split_schemes.SplitTimeScheme.shu_osher`). It is
the Butcher tableau's scheme exactly (the same stage values; tested against the registered ``A, b``), with other
round-off. Memory traffic per stage: read ``u^(i-1)`` and ``w``, write ``u^(i)`` (and ``w`` at the last stage),
against 4-6 passes with the stored slopes ``K`` of the Butcher form (:mod:`solvers.kernels.burgers_rk`).

Per stage: the ghosts of ``u^(i-1)`` are filled (affine rule, the offsets of that stage: the Butcher stage
input's, since the stage values agree), then block by block (:data:`~solvers.kernels.weno5.WENO5_BLOCK`
cells) the weno5 sweep into block scratch and, while it is in cache, the combination into the other ghosted
buffer. The Lax-Friedrichs speed ``alpha = max |f'|`` of the next stage is taken from each block just written
(still in cache) and from the ghosts once they are filled: the value of a pass over the whole ghosted array
(a max is exact in any order), without that pass. :func:`rk_weno5_lowstorage_parallel` runs the blocks in
``prange`` chunks: bitwise the serial loop's result.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .weno5 import WENO5_BLOCK, lf_speed, weno5_block, weno5_stage_setup


@njit(cache=True, error_model='numpy')
def _block(cur, nxt, w, last, a, b, cdt, g, c0, m, bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, fp, fm, F, R,
           xg, h, c2n, c1n):
    """Cells ``c0 .. c0+m-1``: ``R = L(cur)``, ``nxt = a w + b cur + cdt R`` (``w`` too on the last stage);
    returns ``max |f'|`` of the written cells with the next stage's ``(c2n, c1n)``."""
    weno5_block(cur, g - 3, c0, m, bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, R, c0, False, fp, fm, F)
    wb, cb, nb = w[c0:c0 + m], cur[g + c0:g + c0 + m], nxt[g + c0:g + c0 + m]
    if a == 0.0:
        for k in range(m):
            nb[k] = b * cb[k] + cdt * R[k]
    else:
        for k in range(m):
            nb[k] = (a * wb[k] + b * cb[k]) + cdt * R[k]
    if last:
        for k in range(m):
            wb[k] = nb[k]
    return lf_speed(nxt, g + c0, g + c0 + m, xg, h, c2n, c1n)


@njit(cache=True)
def _load(w, cur, g, coef, xg, h):
    """``cur``'s interior = ``w``; returns ``max |f'|`` over it with the first stage's coefficients."""
    n = w.shape[0]
    inner = cur[g:g + n]
    for i in range(n):
        inner[i] = w[i]
    return lf_speed(cur, g, g + n, xg, h, coef[0, 0, 1], coef[0, 0, 2])


@njit(cache=True, error_model='numpy')
def _stage(cur, g, periodic, W, off, coef, d2, dscaled, xg, h, inner):
    """Ghosts and constants of a stage; ``alpha`` = max of the interior's (``inner``) and the ghosts' |f'|."""
    c2, c1, e0, e1, e2, e3, e4 = weno5_stage_setup(cur, g, periodic, W, off, coef, d2, dscaled)
    ne = cur.shape[0]
    alpha = max(inner, max(lf_speed(cur, 0, g, xg, h, c2, c1), lf_speed(cur, ne - g, ne, xg, h, c2, c1)))
    return c2, c1, e0, e1, e2, e3, e4, alpha


@njit(cache=True)
def _next_coefficients(coef, step, st, nsteps):
    """``(c2, c1)`` of the stage after ``(step, st)`` (the last one's own at the end of the call)."""
    s = coef.shape[1]
    if st + 1 < s:
        return coef[step, st + 1, 1], coef[step, st + 1, 2]
    if step + 1 < nsteps:
        return coef[step + 1, 0, 1], coef[step + 1, 0, 2]
    return coef[step, st, 1], coef[step, st, 2]


@njit(cache=True, error_model='numpy')
def rk_weno5_lowstorage(w, ue, ue2, S, nsteps, dt, g, periodic, W, offsets, coef, h, x0, d2, dscaled):
    """``nsteps`` steps on ``w`` of the Shu-Osher rows ``S[i] = (a_i, b_i, c_i)``; ``ue``, ``ue2``: ghosted
    stage buffers (``g >= 3``); ``offsets[step, stage]``, ``coef[step, stage] = (nu, c2, c1)`` as in
    :func:`solvers.kernels.burgers_rk.rk_burgers_1d`."""
    if nsteps == 0:
        return
    n = w.shape[0]
    s = S.shape[0]
    B = WENO5_BLOCK
    fp, fm, F, R = np.empty(B + 6), np.empty(B + 6), np.empty(B + 1), np.empty(B)
    invh, bm, xg = 1.0 / h, x0 - 2.5 * h, x0 + (0.5 - g) * h
    cur, nxt = ue, ue2
    inner = _load(w, cur, g, coef, xg, h)
    for step in range(nsteps):
        for st in range(s):
            c2, c1, e0, e1, e2, e3, e4, alpha = _stage(cur, g, periodic, W, offsets[step, st], coef[step, st], d2,
                                                       dscaled, xg, h, inner)
            c2n, c1n = _next_coefficients(coef, step, st, nsteps)
            a, b, cdt, last = S[st, 0], S[st, 1], dt * S[st, 2], st == s - 1
            inner = 0.0
            for c0 in range(0, n, B):
                inner = max(inner, _block(cur, nxt, w, last, a, b, cdt, g, c0, min(B, n - c0), c1 * bm, c1 * h, c2,
                                          alpha, e0, e1, e2, e3, e4, invh, fp, fm, F, R, xg, h, c2n, c1n))
            cur, nxt = nxt, cur


@njit(cache=True, parallel=True, error_model='numpy')
def rk_weno5_lowstorage_parallel(w, ue, ue2, S, nsteps, dt, g, periodic, W, offsets, coef, h, x0, d2, dscaled,
                                 tasks):
    """:func:`rk_weno5_lowstorage` with the blocks in ``prange`` (``tasks`` chunks of consecutive blocks, each
    with its own scratch and partial maximum): bitwise the same result."""
    if nsteps == 0:
        return
    n = w.shape[0]
    s = S.shape[0]
    B = WENO5_BLOCK
    nb = (n + B - 1) // B
    chunks = max(1, min(nb, tasks))
    scratch = np.empty((chunks, 4, B + 6))                 # fp, fm, F, R of each chunk's blocks
    part = np.zeros(chunks)
    invh, bm, xg = 1.0 / h, x0 - 2.5 * h, x0 + (0.5 - g) * h
    inner = _load(w, ue, g, coef, xg, h)
    for step in range(nsteps):
        for st in range(s):
            cur = ue if (step * s + st) % 2 == 0 else ue2
            nxt = ue2 if (step * s + st) % 2 == 0 else ue
            c2, c1, e0, e1, e2, e3, e4, alpha = _stage(cur, g, periodic, W, offsets[step, st], coef[step, st], d2,
                                                       dscaled, xg, h, inner)
            c2n, c1n = _next_coefficients(coef, step, st, nsteps)
            a, b, cdt, last = S[st, 0], S[st, 1], dt * S[st, 2], st == s - 1
            for t in prange(chunks):
                sc = scratch[t]
                v = 0.0
                for blk in range(t * nb // chunks, (t + 1) * nb // chunks):
                    c0 = blk * B
                    v = max(v, _block(cur, nxt, w, last, a, b, cdt, g, c0, min(B, n - c0), c1 * bm, c1 * h, c2,
                                      alpha, e0, e1, e2, e3, e4, invh, sc[0], sc[1], sc[2], sc[3], xg, h, c2n, c1n))
                part[t] = v
            inner = 0.0
            for t in range(chunks):
                inner = max(inner, part[t])
