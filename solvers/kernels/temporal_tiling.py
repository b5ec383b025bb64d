"""Temporally tiled forward Euler for 1D linear stencil operators: many steps per cache-resident tile.

PDE and scheme: ``u^{n+1}_i = u^n_i + dt sum_m c_m u^n_{i+m-r}`` (a centred ``2r+1``-point stencil, ``r = 1, 2``;
the ``central2`` / ``central4`` diffusion operators), the forward Euler step of
:func:`solvers.kernels.runge_kutta.rk_advance_1d`, with the same affine ghost rule
(:func:`solvers.kernels.ghosts.fill_ghosts_1d`) at walls, step by step.

Why: one Euler sweep per step streams the whole field through memory (16 bytes per point and step); once the
field leaves the core's L2 the step runs at L3 / DRAM bandwidth and the cost per point grows with ``N``. Here
the grid is cut into tiles of ``tile`` cells; each tile is copied with a halo of ``depth * r`` cells on each side
into a small buffer (L1-resident), advanced ``depth`` steps there (the valid region shrinks by ``r`` per step on
the halo sides; a wall tile refills its ghosts from its own cells every step, exactly as the untiled loop does),
and its cells are written to the output field: 16 bytes of memory traffic per point every ``depth`` steps.
This is overlapped ("ghost-zone") temporal blocking (Wonnacott 2000; Datta et al., SC 2008, sec. 3; Malas
et al., SIAM J. Sci. Comput. 37, 2015): the halo cells are computed redundantly by both neighbours
(``depth r / tile`` extra work, 1-3 %), in exchange for no synchronisation between tiles. Periodic grids take
the halo across the period (indices modulo ``N``).

Every cell of every step is computed by the same expression from the same operands as the untiled sweep, so
the result is bitwise that of :func:`~solvers.kernels.runge_kutta.rk_advance_1d` (tests/kernels/
test_temporal_tiling.py). Order: that of the stencil in space, 1 in time.
"""
from __future__ import annotations

from numba import njit, prange

# Measured on this machine kind (2 cores, 48 KiB L1d, 2 MiB L2 per core), forward Euler central2: see
# :func:`solvers.integrators.steppers.use_temporal_tiling` for the size rule and gridshock bench for the figures.
TILE_CELLS = 2048          # two buffers of (2048 + 2 * 64) doubles: 35 KiB, inside L1
TILE_DEPTH = 32            # steps per pass: the halo of 32 r cells costs 1.6 r % redundant work


@njit(cache=True)
def _sweep(src, dst, lo, hi, r, c0, c1, c2, c3, c4):
    """``dst[i] = stencil(src)[i]`` for ``lo <= i < hi`` with the hoisted coefficients of
    :func:`~solvers.kernels.runge_kutta._stencil_sweep_1d` (same products, same order of the sums)."""
    m = hi - lo
    if r == 1:
        a0, a1, a2 = src[lo - 1:hi - 1], src[lo:hi], src[lo + 1:hi + 1]
        d = dst[lo:hi]
        for i in range(m):
            d[i] = c0 * a0[i] + c1 * a1[i] + c2 * a2[i]
    else:
        a0, a1, a2 = src[lo - 2:hi - 2], src[lo - 1:hi - 1], src[lo:hi]
        a3, a4 = src[lo + 1:hi + 1], src[lo + 2:hi + 2]
        d = dst[lo:hi]
        for i in range(m):
            d[i] = c0 * a0[i] + c1 * a1[i] + c2 * a2[i] + c3 * a3[i] + c4 * a4[i]


@njit(cache=True)
def _fill_low(buf, g, W, off):
    """Ghosts ``buf[0:g]`` of a tile whose first cell ``buf[g]`` is the grid's first cell (the rule of
    :func:`~solvers.kernels.ghosts.fill_ghosts_1d`, the same operations)."""
    for j in range(g):
        v = off[0, j]
        for m in range(W.shape[2]):
            v += W[0, j, m] * buf[g + m]
        buf[g - 1 - j] = v


@njit(cache=True)
def _fill_high(buf, e, g, W, off):
    """Ghosts ``buf[e:e+g]`` of a tile whose last cell ``buf[e-1]`` is the grid's last cell."""
    for j in range(g):
        v = off[1, j]
        for m in range(W.shape[2]):
            v += W[1, j, m] * buf[e - 1 - m]
        buf[e + j] = v


@njit(cache=True)
def _copy(dst, d0, src, s0, m):
    """``dst[d0:d0+m] = src[s0:s0+m]`` through views indexed from 0 (vectorised; no temporary)."""
    if m <= 0:
        return
    d, s = dst[d0:d0 + m], src[s0:s0 + m]
    for i in range(m):
        d[i] = s[i]


@njit(cache=True)
def _gather(buf, jlo, jhi, src, start):
    """``buf[j] = src[(start + j) mod n]`` for ``jlo <= j < jhi`` (``|start|``, ``start + jhi - n`` below ``n``):
    up to three contiguous pieces."""
    n = src.shape[0]
    j1 = min(jhi, max(jlo, -start))            # wrapped from the top end
    j2 = min(jhi, max(j1, n - start))          # in range
    _copy(buf, jlo, src, start + jlo + n, j1 - jlo)
    _copy(buf, j1, src, start + j1, j2 - j1)
    _copy(buf, j2, src, start + j2 - n, jhi - j2)


@njit(cache=True)
def _tile(src, dst, a, b, k, step0, g, r, periodic, W, offsets, buf, tmp, c0, c1, c2, c3, c4):
    """Advance cells ``a .. b-1`` of ``src`` by ``k`` steps into ``dst[a:b]``; returns the buffer the result
    ended in (either)."""
    n = src.shape[0]
    H = k * r
    m = b - a
    wall_lo = a == 0 and not periodic
    wall_hi = b == n and not periodic
    left = g if wall_lo else H                # local index of cell a
    e = left + m                              # local index past cell b - 1
    L = e + (g if wall_hi else H)
    _gather(buf, g if wall_lo else 0, e if wall_hi else L, src, a - left)
    cur, nxt = buf, tmp
    for s in range(k):
        off = offsets[step0 + s, 0]
        if wall_lo:
            _fill_low(cur, g, W, off)
        if wall_hi:
            _fill_high(cur, e, g, W, off)
        _sweep(cur, nxt, left if wall_lo else (s + 1) * r, e if wall_hi else L - (s + 1) * r,
               r, c0, c1, c2, c3, c4)
        cur, nxt = nxt, cur
    _copy(dst, a, cur, left, m)


@njit(cache=True)
def euler_tiled_1d(u, work, buf, tmp, nsteps, f, g, periodic, W, offsets, coef, tiles, depth):
    """``nsteps`` forward Euler steps of ``u`` (in place): ``u <- u + f D(u)`` with ``f = dt b_0``, ``coef`` the
    3 or 5 stencil weights (unscaled), ``offsets[step, 0]`` the ghost offsets of each step. ``work``: scratch of
    ``len(u)``; ``tiles``: the number of tiles (equal shares of ``len(u)``, at least 2, each at least
    ``2 depth r`` cells so a halo never reaches past the neighbouring tile); ``buf``, ``tmp``: buffers of at
    least ``len(u) // tiles + 1 + 2 max(g, depth r)`` entries."""
    n = u.shape[0]
    r = coef.shape[0] // 2
    c0, c1, c2, c3, c4 = _coefficients(coef, f)
    _check(n, g, r, tiles, depth, buf.shape[0])
    src, dst = u, work
    done = 0
    passes = 0
    while done < nsteps:
        k = min(depth, nsteps - done)
        for t in range(tiles):
            _tile(src, dst, t * n // tiles, (t + 1) * n // tiles, k, done, g, r, periodic, W, offsets, buf, tmp,
                  c0, c1, c2, c3, c4)
        src, dst = dst, src
        done += k
        passes += 1
    if passes % 2 == 1:                       # the result is in work
        _copy(u, 0, work, 0, n)


@njit(cache=True)
def _coefficients(coef, f):
    """The hoisted coefficients of the step ``u + f D(u)`` (those of the untiled sweep)."""
    if coef.shape[0] == 3:
        return f * coef[0], 1.0 + f * coef[1], f * coef[2], 0.0, 0.0
    return f * coef[0], f * coef[1], 1.0 + f * coef[2], f * coef[3], f * coef[4]


@njit(cache=True)
def _check(n, g, r, tiles, depth, m):
    if tiles < 2 or n // tiles < 2 * depth * r or m < n // tiles + 1 + 2 * max(g, depth * r):
        raise ValueError("temporal tiling needs >= 2 tiles of >= 2 depth r cells and buffers that hold one")


@njit(cache=True, parallel=True)
def euler_tiled_1d_parallel(u, work, bufs, nsteps, f, g, periodic, W, offsets, coef, tiles, depth):
    """:func:`euler_tiled_1d` with the tiles of each pass spread over numba's threads (``prange`` over
    ``len(bufs)`` chunks of consecutive tiles, ``bufs[c, 0]`` / ``bufs[c, 1]`` the buffers of chunk ``c``):
    tiles only read the previous pass's field and write their own cells, so bitwise the same result."""
    n = u.shape[0]
    r = coef.shape[0] // 2
    c0, c1, c2, c3, c4 = _coefficients(coef, f)
    _check(n, g, r, tiles, depth, bufs.shape[2])
    chunks = min(bufs.shape[0], tiles)
    src, dst = u, work
    done = 0
    passes = 0
    while done < nsteps:
        k = min(depth, nsteps - done)
        for c in prange(chunks):
            for t in range(c * tiles // chunks, (c + 1) * tiles // chunks):
                _tile(src, dst, t * n // tiles, (t + 1) * n // tiles, k, done, g, r, periodic, W, offsets,
                      bufs[c, 0], bufs[c, 1], c0, c1, c2, c3, c4)
        src, dst = dst, src
        done += k
        passes += 1
    if passes % 2 == 1:
        _copy(u, 0, work, 0, n)
