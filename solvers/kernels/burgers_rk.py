"""Fused explicit Runge-Kutta loop for the 1D Burgers flux operator (:mod:`solvers.kernels.fluxes`).

One call advances ``nsteps`` steps of a Butcher tableau ``(A, b)`` for ``w' = nu(t) D2 w - d/dx f(w, x, t)``
entirely inside numba: per stage the ghost cells are filled (affine rule + offsets of that stage), the fused
flux-and-diffusion sweep :func:`~solvers.kernels.fluxes.burgers_rhs_1d` writes ``K[stage]``, and the stage
combinations ``ue = w + sum_r dt A[st, r] K[r]`` and ``w += sum_s dt b[s] K[s]`` are one pass each, the nonzero
terms added left to right as one axpy pass per term would (the same bits). The time-dependent coefficients
``(nu, c2, c1)`` of every stage are tabulated by the caller (``coef[step, stage, 0:3]``), as are the boundary
offsets (``offsets[step, stage, 2, g]``). No allocation inside the loop (the scaled diffusion weights live in
``dscaled``).

weno5 (compute-bound: ~100 flops and 2 divisions per face) has its own loop, block by block
(:data:`~solvers.kernels.weno5.WENO5_BLOCK` cells): the block's slopes, then at once, while they are in cache,
the combination that reads them, written into the *other* ghosted buffer (``ue`` and ``ue2`` alternate as stage
input and next stage input); the last stage's slope is never stored (``w`` is updated and copied into the next
step's first stage input instead). The same operations in the same order as the generic loop: bitwise the same
result (tests/kernels/test_weno5_fast.py). :func:`rk_burgers_1d_weno5_parallel` is that loop with the blocks,
the Lax-Friedrichs speed and the first copy in ``prange``, again bitwise the same; the stepper picks it by
:func:`solvers.kernels.weno5.weno5_parallel`.

Measured at N = 1e6 on the 2-core machine (WENO5 + SSP-RK3, medians of round-robin repetitions in one process):
the previous per-face kernel with separate combination passes 40-43 Mupd/s; this serial loop 47-51 Mupd/s
(1.6-1.7x at 1e5-3e4 cells, where the 5 arrays of 8 B per cell stay in cache: at 1e6 the ~120 MB per step the
combinations move cost ~5 ms of the ~20 ms step); the parallel loop 75-78 Mupd/s with a free second core.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .fluxes import WENO5, burgers_rhs_1d
from .ghosts import fill_ghosts_1d
from .weno5 import WENO5_BLOCK, lf_speed, weno5_block, weno5_stage_setup


@njit(cache=True)
def _combine(dst, src, K, idx, c, nt, lo, hi):
    """``dst[i] = src[i] + c[0] K[idx[0]][i] + c[1] K[idx[1]][i] + ...`` (``nt`` terms, left to right) for
    ``lo <= i < hi``; ``dst`` may be ``src``. Unrolled for up to three terms, and on views indexed from 0 (an
    index numba cannot prove non-negative costs a wraparound select per load), so the loop vectorises."""
    d, s = dst[lo:hi], src[lo:hi]
    m = hi - lo
    if nt == 0:
        for i in range(m):
            d[i] = s[i]
    elif nt == 1:
        k0, a0 = K[idx[0], lo:hi], c[0]
        for i in range(m):
            d[i] = s[i] + a0 * k0[i]
    elif nt == 2:
        k0, k1, a0, a1 = K[idx[0], lo:hi], K[idx[1], lo:hi], c[0], c[1]
        for i in range(m):
            d[i] = (s[i] + a0 * k0[i]) + a1 * k1[i]
    elif nt == 3:
        k0, k1, k2 = K[idx[0], lo:hi], K[idx[1], lo:hi], K[idx[2], lo:hi]
        a0, a1, a2 = c[0], c[1], c[2]
        for i in range(m):
            d[i] = ((s[i] + a0 * k0[i]) + a1 * k1[i]) + a2 * k2[i]
    else:
        for i in range(m):
            v = s[i]
            for r in range(nt):
                v += c[r] * K[idx[r], lo + i]
            d[i] = v


@njit(cache=True)
def _terms(row, dt, idx, c):
    """The nonzero ``dt * row[r]`` (in order) into ``c`` and their ``r`` into ``idx``; returns their count."""
    nt = 0
    for r in range(row.shape[0]):
        a = dt * row[r]
        if a != 0.0:
            idx[nt] = r
            c[nt] = a
            nt += 1
    return nt


@njit(cache=True, error_model='numpy')
def _weno5_stage_block(cur, nxt, w, K, st, last, idx, c, nt, cl, g, c0, m, bm, c1h, c2, alpha, e0, e1, e2, e3, e4,
                       invh, fp, fm, F, R):
    """One block of a weno5 stage on cells ``c0 .. c0+m-1``, then, while they are in cache, the combination
    that reads them: ``K[st] = rhs(cur)`` and the next stage's input ``nxt = w + sum c_r K[r]``; after the last
    stage ``R = rhs(cur)`` (block scratch: the last slope is never stored), ``w += sum c_r K[r] + cl R`` and
    ``nxt = w`` (the next step's first stage input)."""
    n = w.shape[0]
    inner = nxt[g:g + n]
    if last:
        weno5_block(cur, g - 3, c0, m, bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, R, c0, False, fp, fm, F)
        _combine(w, w, K, idx, c, nt, c0, c0 + m)
        if cl != 0.0:
            wb = w[c0:c0 + m]
            for k in range(m):
                wb[k] += cl * R[k]
        _combine(inner, w, K, idx, c, 0, c0, c0 + m)
    else:
        weno5_block(cur, g - 3, c0, m, bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, K[st], 0, False, fp, fm, F)
        _combine(inner, w, K, idx, c, nt, c0, c0 + m)


@njit(cache=True, error_model='numpy')
def _rk_weno5_serial(w, ue, ue2, K, A, b, nsteps, dt, g, periodic, W, offsets, coef, h, x0, d2, dscaled):
    n = w.shape[0]
    s = b.shape[0]
    idx = np.empty(s, dtype=np.int64)
    c = np.empty(s)
    B = WENO5_BLOCK
    fp, fm, F, R = np.empty(B + 6), np.empty(B + 6), np.empty(B + 1), np.empty(B)
    invh, bm, xg = 1.0 / h, x0 - 2.5 * h, x0 + (0.5 - g) * h
    cur, nxt = ue, ue2
    _combine(cur[g:g + n], w, K, idx, c, 0, 0, n)
    for step in range(nsteps):
        for st in range(s):
            last = st == s - 1
            nt = _terms(b[:s - 1] if last else A[st + 1, :st + 1], dt, idx, c)
            cl = dt * b[s - 1]
            c2, c1, e0, e1, e2, e3, e4 = weno5_stage_setup(cur, g, periodic, W, offsets[step, st], coef[step, st],
                                                            d2, dscaled)
            alpha = lf_speed(cur, 0, cur.shape[0], xg, h, c2, c1)
            for c0 in range(0, n, B):
                _weno5_stage_block(cur, nxt, w, K, st, last, idx, c, nt, cl, g, c0, min(B, n - c0), c1 * bm, c1 * h,
                                   c2, alpha, e0, e1, e2, e3, e4, invh, fp, fm, F, R)
            cur, nxt = nxt, cur


@njit(cache=True)
def rk_burgers_1d(w, ue, ue2, K, A, b, nsteps, dt, g, periodic, W, offsets, coef, h, x0, flux_id, reach, d2,
                  dscaled):
    """``nsteps`` steps on ``w``; ``ue``, ``ue2``: ghosted scratch (weno5 alternates between them); ``flux_id``,
    ``reach``: the flux kernel id and the cells it reads (:func:`solvers.kernels.fluxes.burgers_rhs_1d`)."""
    if flux_id == WENO5:
        _rk_weno5_serial(w, ue, ue2, K, A, b, nsteps, dt, g, periodic, W, offsets, coef, h, x0, d2, dscaled)
        return
    n = w.shape[0]
    s = b.shape[0]
    idx = np.empty(s, dtype=np.int64)
    c = np.empty(s)
    inner = ue[g:g + n]
    for step in range(nsteps):
        for st in range(s):
            _combine(inner, w, K, idx, c, _terms(A[st, :st], dt, idx, c), 0, n)
            fill_ghosts_1d(ue, g, periodic, W, offsets[step, st])
            nu = coef[step, st, 0]
            for m in range(d2.shape[0]):
                dscaled[m] = nu * d2[m]
            burgers_rhs_1d(ue, g, n, h, x0, flux_id, reach, coef[step, st, 1], coef[step, st, 2], dscaled, K[st])
        _combine(w, w, K, idx, c, _terms(b, dt, idx, c), 0, n)


@njit(cache=True, parallel=True, error_model='numpy')
def rk_burgers_1d_weno5_parallel(w, ue, ue2, K, A, b, nsteps, dt, g, periodic, W, offsets, coef, h, x0, d2, dscaled,
                                 tasks):
    """:func:`rk_burgers_1d` for the weno5 flux (``g >= 3``), blocks in ``prange``: bitwise the same result.
    ``tasks``: chunks of consecutive blocks (e.g. twice numba's thread count), each with its own scratch."""
    n = w.shape[0]
    s = b.shape[0]
    idx = np.empty(s, dtype=np.int64)
    c = np.empty(s)
    B = WENO5_BLOCK
    nb = (n + B - 1) // B
    nt_chunks = max(1, min(nb, tasks))
    scratch = np.empty((nt_chunks, 4, B + 6))            # fp, fm, F, R of each chunk's blocks
    part = np.zeros(nt_chunks)
    invh, bm, xg = 1.0 / h, x0 - 2.5 * h, x0 + (0.5 - g) * h
    nue = ue.shape[0]
    for t in prange(nt_chunks):
        lo = t * nb // nt_chunks * B
        _combine(ue[g:g + n], w, K, idx, c, 0, lo, min((t + 1) * nb // nt_chunks * B, n))
    for step in range(nsteps):
        for st in range(s):
            cur = ue if (step * s + st) % 2 == 0 else ue2
            nxt = ue2 if (step * s + st) % 2 == 0 else ue
            last = st == s - 1
            nt = _terms(b[:s - 1] if last else A[st + 1, :st + 1], dt, idx, c)
            cl = dt * b[s - 1]
            c2, c1, e0, e1, e2, e3, e4 = weno5_stage_setup(cur, g, periodic, W, offsets[step, st], coef[step, st],
                                                            d2, dscaled)
            for t in prange(nt_chunks):
                part[t] = lf_speed(cur, t * nue // nt_chunks, (t + 1) * nue // nt_chunks, xg, h, c2, c1)
            alpha = 0.0
            for t in range(nt_chunks):
                alpha = max(alpha, part[t])
            for t in prange(nt_chunks):
                sc = scratch[t]
                for blk in range(t * nb // nt_chunks, (t + 1) * nb // nt_chunks):
                    c0 = blk * B
                    _weno5_stage_block(cur, nxt, w, K, st, last, idx, c, nt, cl, g, c0, min(B, n - c0), c1 * bm,
                                       c1 * h, c2, alpha, e0, e1, e2, e3, e4, invh, sc[0], sc[1], sc[2], sc[3])
