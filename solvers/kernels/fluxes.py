"""Conservative flux differences for the 1D scalar conservation law with diffusion.

PDE::

    u_t + d/dx f(u, x) = nu u_xx,        f(u, x) = c2 u^2 + c1 x u,        f'(u) = 2 c2 u + c1 x.

``c2 = -1/2, c1 = 0`` is the score form of viscous Burgers (``u_t = nu u_xx + u u_x``), ``c2 = +1/2`` the
textbook ``v_t + v v_x = nu v_xx``, ``c2 = c1 = -beta/2`` the VP score equation. ``c2`` may be negative
(concave flux): every two-state formula below is written for a general quadratic ``f``.

Layout (as in :mod:`solvers.kernels.ghosts`): ``ue`` has length ``n + 2g``, interior cells ``ue[g:g+n]``, cell
centres ``x_i = x0 + (i + 1/2) h`` (ghosts continue the formula), faces ``x_{i-1/2} = x0 + i h``. The semi-discrete
operator is ``-(F_{i+1/2} - F_{i-1/2}) / h``: each face flux is computed once, so it telescopes exactly.

Numerical fluxes ``F_{i+1/2}`` (the two-state solvers evaluate ``f`` at the face position ``x_{i+1/2}``):

* ``central2``: ``(f(u_i, x_i) + f(u_{i+1}, x_{i+1})) / 2`` (cell-centre ``x``: the operator is then exactly the
  centred difference ``(f_{i+1} - f_{i-1}) / 2h``). Order 2, not dissipative.
* ``upwind1``: Murman-Roe, ``f(uL)`` if the Rankine-Hugoniot speed ``c2 (uL + uR) + c1 x >= 0`` else ``f(uR)``
  (LeVeque 2002, sec. 12.2; admits expansion shocks). Order 1.
* ``rusanov``: local Lax-Friedrichs, ``(f(uL) + f(uR))/2 - max(|f'(uL)|, |f'(uR)|) (uR - uL)/2``
  (LeVeque 2002, sec. 12.5). Order 1.
* ``godunov``: exact Riemann solution, ``min_{[uL,uR]} f`` if ``uL <= uR`` else ``max_{[uR,uL]} f``
  (LeVeque 2002, eq. 12.4); for the quadratic ``f`` the extremum is at an end or at the root
  ``w* = -c1 x / (2 c2)`` of ``f'``. Order 1.
* ``engquist_osher``: ``(f(uL) + f(uR))/2 - (1/2) int_{uL}^{uR} |f'(w)| dw`` (Engquist & Osher 1981), integrated
  exactly by splitting at ``w*``. Order 1.
* ``muscl_minmod``, ``muscl_mc``: MUSCL (van Leer 1979) face states ``uL = u_i + s_i/2``,
  ``uR = u_{i+1} - s_{i+1}/2`` from the point values with the minmod or monotonized-central slope
  ``MC = minmod(2 dL, (dL + dR)/2, 2 dR)``, then the Godunov flux. Order 2 away from extrema; TVD with forward
  Euler for ``max|f'| dt / h <= 1/2``.
* ``weno5``: finite-difference WENO5 of Jiang & Shu (1996) with global Lax-Friedrichs splitting
  ``f+- = (f(u_i, x_i) +- alpha u_i) / 2`` at cell centres, ``alpha = max |f'|`` over all of ``ue`` (ghosts
  included); ``f+`` reconstructed at ``i+1/2`` from cells ``i-2..i+2``, ``f-`` from ``i+3..i-1`` (mirror),
  ``eps = 1e-6``, linear weights ``(1, 6, 3)/10``. Order 5 on smooth data.

Each scheme has its own fused sweep ``out[i] = (out[i] if accumulate) + D2(u)_i - (F_{i+1/2} - F_{i-1/2}) / h``
(``D2`` an optional 3- or 5-point centred stencil): the left face flux is carried in a scalar, operands are
shifted views of ``ue`` so every index is non-negative, and nothing is allocated in the loop. weno5, compute-bound,
goes by blocks instead (:func:`_weno5_block`: split fluxes once per cell, then the faces, then the update, each
loop vectorised; one division per reconstruction): 1.6-1.7x the per-face loop it replaced at 1e5 cells
(0.34 against 0.55-0.58 ms per sweep, minimum of 61 round-robin repetitions) and equal to it to round-off.
"""
from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

FLUX_SCHEMES = ("central2", "upwind1", "rusanov", "godunov", "engquist_osher", "muscl_minmod", "muscl_mc", "weno5")
FLUX_ID = {name: i for i, name in enumerate(FLUX_SCHEMES)}
FLUX_GHOSTS = {"central2": 1, "upwind1": 1, "rusanov": 1, "godunov": 1, "engquist_osher": 1,
               "muscl_minmod": 2, "muscl_mc": 2, "weno5": 3}
FLUX_ORDER = {"central2": 2, "upwind1": 1, "rusanov": 1, "godunov": 1, "engquist_osher": 1,
              "muscl_minmod": 2, "muscl_mc": 2, "weno5": 5}
_GHOSTS = tuple(FLUX_GHOSTS[s] for s in FLUX_SCHEMES)      # indexed by scheme id inside numba

WENO_EPS = 1e-6


# ---------------------------------------------------------------------------------------------------------------
# Two-state face fluxes. ``b = c1 x`` and ``w0 = -c1 x / (2 c2)`` (the root of f'; 0 when c2 == 0) at the face.
# Clamping w0 into [min(uL,uR), max(uL,uR)] gives a point where f takes its interior extremum if there is one,
# and otherwise an end point (or, for linear f, a value between f(uL) and f(uR)): no branch on the root needed.
# ---------------------------------------------------------------------------------------------------------------

@njit(cache=True, inline='always')
def _godunov(uL, uR, b, c2, w0):
    fL = (c2 * uL + b) * uL
    fR = (c2 * uR + b) * uR
    wc = min(max(w0, min(uL, uR)), max(uL, uR))
    fm = (c2 * wc + b) * wc
    lo = min(fL, fR, fm)
    hi = max(fL, fR, fm)
    return lo if uL <= uR else hi                    # both computed: a select, no data-dependent branch


@njit(cache=True, inline='always')
def _engquist_osher(uL, uR, b, c2, w0):
    fL = (c2 * uL + b) * uL
    fR = (c2 * uR + b) * uR
    wc = min(max(w0, min(uL, uR)), max(uL, uR))
    fm = (c2 * wc + b) * wc
    var = abs(fR - fm) + abs(fm - fL)            # int |f'| over the interval: f is monotone on each piece
    return 0.5 * (fL + fR) - 0.5 * math.copysign(var, uR - uL)


@njit(cache=True, inline='always')
def _rusanov(uL, uR, b, c2):
    fL = (c2 * uL + b) * uL
    fR = (c2 * uR + b) * uR
    alpha = max(abs(2.0 * c2 * uL + b), abs(2.0 * c2 * uR + b))
    return 0.5 * (fL + fR) - 0.5 * alpha * (uR - uL)


@njit(cache=True, inline='always')
def _murman_roe(uL, uR, b, c2):
    if c2 * (uL + uR) + b >= 0.0:
        return (c2 * uL + b) * uL
    return (c2 * uR + b) * uR


@njit(cache=True, inline='always')
def _minmod(a, b):
    return (math.copysign(0.5, a) + math.copysign(0.5, b)) * min(abs(a), abs(b))


@njit(cache=True, inline='always')
def _mc(a, b):
    return (math.copysign(0.5, a) + math.copysign(0.5, b)) * min(2.0 * abs(a), 0.5 * abs(a + b), 2.0 * abs(b))


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
def _weno5_block(ue, o, c0, m, bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, out, oo, accumulate, fp, fm, F):
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
def godunov_flux(uL, uR, x, c2, c1):
    """Exact Riemann (Godunov) flux of ``f(u) = c2 u^2 + c1 x u`` at position ``x``."""
    return _godunov(uL, uR, c1 * x, c2, _root(c2, c1) * x)


@njit(cache=True)
def engquist_osher_flux(uL, uR, x, c2, c1):
    """Engquist-Osher flux of ``f(u) = c2 u^2 + c1 x u`` at position ``x``."""
    return _engquist_osher(uL, uR, c1 * x, c2, _root(c2, c1) * x)


@njit(cache=True, inline='always')
def _root(c2, c1):
    """``k`` with ``f'(k x) = 0`` (``0`` for linear f; any value works there, see the clamp above)."""
    return -0.5 * c1 / c2 if c2 != 0.0 else 0.0


# ---------------------------------------------------------------------------------------------------------------
# Sweeps: one loop per scheme. ``dw`` are the (0, 3 or 5) centred diffusion weights, already scaled.
# ---------------------------------------------------------------------------------------------------------------

@njit(cache=True)
def _diffusion_operands(ue, g, n, dw):
    """Five shifted views and weights of the centred diffusion stencil (unused slots: a valid view, weight 0)."""
    c = ue[g:g + n]
    w = dw.shape[0]
    if w == 0:
        return c, c, c, c, c, 0.0, 0.0, 0.0, 0.0, 0.0
    if w == 3:
        m1, p1 = ue[g - 1:g - 1 + n], ue[g + 1:g + 1 + n]
        return m1, m1, c, p1, p1, 0.0, dw[0], dw[1], dw[2], 0.0
    if w == 5:
        m2, m1 = ue[g - 2:g - 2 + n], ue[g - 1:g - 1 + n]
        p1, p2 = ue[g + 1:g + 1 + n], ue[g + 2:g + 2 + n]
        return m2, m1, c, p1, p2, dw[0], dw[1], dw[2], dw[3], dw[4]
    raise ValueError("diffusion stencil must have 0, 3 or 5 weights")


@njit(cache=True)
def _sweep_central2(ue, g, n, h, x0, c2, c1, dw, out, accumulate):
    m2, m1, c, p1, p2, d0, d1, d2, d3, d4 = _diffusion_operands(ue, g, n, dw)
    a = ue[g - 1:g + n + 1]                              # a[j] = u_{j-1}
    invh, b0, bh = 1.0 / h, c1 * (x0 - 0.5 * h), c1 * h   # b0 = c1 x_{-1}
    fa = (c2 * a[0] + b0) * a[0]
    fb = (c2 * a[1] + b0 + bh) * a[1]                   # f(u_0, x_0); f of the right cell is carried on
    fl = 0.5 * (fa + fb)
    for i in range(n):
        u2 = a[i + 2]
        fc = (c2 * u2 + b0 + bh * (i + 2.0)) * u2
        fr = 0.5 * (fb + fc)
        fb = fc
        s = d0 * m2[i] + d1 * m1[i] + d2 * c[i] + d3 * p1[i] + d4 * p2[i]
        if accumulate:
            s += out[i]
        out[i] = s - (fr - fl) * invh
        fl = fr


@njit(cache=True)
def _sweep_upwind1(ue, g, n, h, x0, c2, c1, dw, out, accumulate):
    m2, m1, c, p1, p2, d0, d1, d2, d3, d4 = _diffusion_operands(ue, g, n, dw)
    a = ue[g - 1:g + n + 1]
    invh, b0, bh = 1.0 / h, c1 * x0, c1 * h
    fl = _murman_roe(a[0], a[1], b0, c2)
    for i in range(n):
        fr = _murman_roe(a[i + 1], a[i + 2], b0 + bh * (i + 1.0), c2)
        s = d0 * m2[i] + d1 * m1[i] + d2 * c[i] + d3 * p1[i] + d4 * p2[i]
        if accumulate:
            s += out[i]
        out[i] = s - (fr - fl) * invh
        fl = fr


@njit(cache=True)
def _sweep_rusanov(ue, g, n, h, x0, c2, c1, dw, out, accumulate):
    m2, m1, c, p1, p2, d0, d1, d2, d3, d4 = _diffusion_operands(ue, g, n, dw)
    a = ue[g - 1:g + n + 1]
    invh, b0, bh = 1.0 / h, c1 * x0, c1 * h
    fl = _rusanov(a[0], a[1], b0, c2)
    for i in range(n):
        fr = _rusanov(a[i + 1], a[i + 2], b0 + bh * (i + 1.0), c2)
        s = d0 * m2[i] + d1 * m1[i] + d2 * c[i] + d3 * p1[i] + d4 * p2[i]
        if accumulate:
            s += out[i]
        out[i] = s - (fr - fl) * invh
        fl = fr


@njit(cache=True)
def _sweep_godunov(ue, g, n, h, x0, c2, c1, dw, out, accumulate):
    m2, m1, c, p1, p2, d0, d1, d2, d3, d4 = _diffusion_operands(ue, g, n, dw)
    a = ue[g - 1:g + n + 1]
    k = _root(c2, c1)
    invh, b0, bh, w0, wh = 1.0 / h, c1 * x0, c1 * h, k * x0, k * h
    fl = _godunov(a[0], a[1], b0, c2, w0)
    for i in range(n):
        t = i + 1.0
        fr = _godunov(a[i + 1], a[i + 2], b0 + bh * t, c2, w0 + wh * t)
        s = d0 * m2[i] + d1 * m1[i] + d2 * c[i] + d3 * p1[i] + d4 * p2[i]
        if accumulate:
            s += out[i]
        out[i] = s - (fr - fl) * invh
        fl = fr


@njit(cache=True)
def _sweep_engquist_osher(ue, g, n, h, x0, c2, c1, dw, out, accumulate):
    m2, m1, c, p1, p2, d0, d1, d2, d3, d4 = _diffusion_operands(ue, g, n, dw)
    a = ue[g - 1:g + n + 1]
    k = _root(c2, c1)
    invh, b0, bh, w0, wh = 1.0 / h, c1 * x0, c1 * h, k * x0, k * h
    fl = _engquist_osher(a[0], a[1], b0, c2, w0)
    for i in range(n):
        t = i + 1.0
        fr = _engquist_osher(a[i + 1], a[i + 2], b0 + bh * t, c2, w0 + wh * t)
        s = d0 * m2[i] + d1 * m1[i] + d2 * c[i] + d3 * p1[i] + d4 * p2[i]
        if accumulate:
            s += out[i]
        out[i] = s - (fr - fl) * invh
        fl = fr


@njit(cache=True, inline='always')
def _limited_slope(dl, dr, mc):
    return _mc(dl, dr) if mc else _minmod(dl, dr)


@njit(cache=True)
def _sweep_muscl(ue, g, n, h, x0, c2, c1, dw, out, accumulate, mc):
    m2, m1, c, p1, p2, d0, d1, d2, d3, d4 = _diffusion_operands(ue, g, n, dw)
    a = ue[g - 2:g + n + 2]                              # a[j] = u_{j-2}
    k = _root(c2, c1)
    invh, b0, bh, w0, wh = 1.0 / h, c1 * x0, c1 * h, k * x0, k * h
    sl = _limited_slope(a[1] - a[0], a[2] - a[1], mc)   # slope of cell -1
    sr = _limited_slope(a[2] - a[1], a[3] - a[2], mc)   # slope of cell 0, carried to the next face
    fl = _godunov(a[1] + 0.5 * sl, a[2] - 0.5 * sr, b0, c2, w0)
    for i in range(n):
        t = i + 1.0
        u0, u1 = a[i + 2], a[i + 3]
        sl = sr
        sr = _limited_slope(u1 - u0, a[i + 4] - u1, mc)
        fr = _godunov(u0 + 0.5 * sl, u1 - 0.5 * sr, b0 + bh * t, c2, w0 + wh * t)
        s = d0 * m2[i] + d1 * m1[i] + d2 * c[i] + d3 * p1[i] + d4 * p2[i]
        if accumulate:
            s += out[i]
        out[i] = s - (fr - fl) * invh
        fl = fr


@njit(cache=True)
def _lf_speed(ue, lo, hi, xg, h, c2, c1):
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
def _diffusion_weights(dw):
    """The five weights of the centred diffusion stencil ``u_{i-2} .. u_{i+2}`` (zeros where unused)."""
    w = dw.shape[0]
    if w == 0:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    if w == 3:
        return 0.0, dw[0], dw[1], dw[2], 0.0
    if w == 5:
        return dw[0], dw[1], dw[2], dw[3], dw[4]
    raise ValueError("diffusion stencil must have 0, 3 or 5 weights")


# Cells per block of the WENO5 sweeps: the block's scratch (3 x 2049 x 8 B ~ 50 KiB) stays in L1/L2. Blocks of
# 512-8192 cells measured within noise of each other at N = 1e6.
WENO5_BLOCK = 2048


@njit(cache=True, error_model='numpy')
def _sweep_weno5(ue, g, n, h, x0, c2, c1, dw, out, accumulate):
    e0, e1, e2, e3, e4 = _diffusion_weights(dw)
    alpha = _lf_speed(ue, 0, ue.shape[0], x0 + (0.5 - g) * h, h, c2, c1)   # over all of ue, ghosts included
    invh, c1h, bm = 1.0 / h, c1 * h, c1 * (x0 - 2.5 * h)  # bm = c1 x_{-3}, ue[g - 3 + j] = u_{j-3}
    B = WENO5_BLOCK
    fp, fm, F = np.empty(B + 6), np.empty(B + 6), np.empty(B + 1)
    for c0 in range(0, n, B):
        _weno5_block(ue, g - 3, c0, min(B, n - c0), bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, out, 0, accumulate,
                     fp, fm, F)


@njit(cache=True)
def _sweep(ue, g, n, h, x0, scheme_id, c2, c1, dw, out, accumulate):
    if scheme_id < 0 or scheme_id >= len(_GHOSTS):
        raise ValueError("unknown flux scheme id")
    if g < _GHOSTS[scheme_id] or g < dw.shape[0] // 2:
        raise ValueError("not enough ghost cells for this flux scheme / diffusion stencil")
    if ue.shape[0] != n + 2 * g or out.shape[0] != n:
        raise ValueError("ue must have n + 2g entries and out n")
    if scheme_id == 0:
        _sweep_central2(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == 1:
        _sweep_upwind1(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == 2:
        _sweep_rusanov(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == 3:
        _sweep_godunov(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == 4:
        _sweep_engquist_osher(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == 5:
        _sweep_muscl(ue, g, n, h, x0, c2, c1, dw, out, accumulate, False)
    elif scheme_id == 6:
        _sweep_muscl(ue, g, n, h, x0, c2, c1, dw, out, accumulate, True)
    else:
        _sweep_weno5(ue, g, n, h, x0, c2, c1, dw, out, accumulate)


# ---------------------------------------------------------------------------------------------------------------
# Public kernels
# ---------------------------------------------------------------------------------------------------------------

@njit(cache=True)
def flux_divergence_1d(ue, g, n, h, x0, scheme_id, c2, c1, out, accumulate):
    """``out[i] = (out[i] if accumulate else 0) - (F_{i+1/2} - F_{i-1/2}) / h`` for the ``n`` interior cells of
    the ghosted ``ue`` (ghosts filled by the caller; ``g >= FLUX_GHOSTS[scheme]``)."""
    _sweep(ue, g, n, h, x0, scheme_id, c2, c1, ue[:0], out, accumulate)


@njit(cache=True)
def max_wave_speed_1d(ue, g, n, h, x0, c2, c1):
    """``max_i |f'(u_i, x_i)| = |2 c2 u_i + c1 x_i|`` over the interior cells (for the CFL condition)."""
    a = ue[g:g + n]
    xc = x0 + 0.5 * h
    s = 0.0
    for i in range(n):
        s = max(s, abs(2.0 * c2 * a[i] + c1 * (xc + i * h)))
    return s


@njit(cache=True)
def burgers_rhs_1d(ue, g, n, h, x0, scheme_id, c2, c1, diff, out):
    """``out = D2(ue) - (F_{i+1/2} - F_{i-1/2}) / h`` in one sweep, with ``D2`` the centred stencil of the 3 or 5
    weights ``diff`` (already scaled, e.g. ``nu / h^2 * [1, -2, 1]``; ``g >= len(diff) // 2``)."""
    _sweep(ue, g, n, h, x0, scheme_id, c2, c1, diff, out, False)


# ---------------------------------------------------------------------------------------------------------------
# Size rule for the parallel weno5 sweep (and the stage combinations of the fused RK loop around it).
# ---------------------------------------------------------------------------------------------------------------

from . import threads as _threads  # noqa: E402,F401  (OpenMP wait policy, before numba starts its threads)

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
    """:func:`burgers_rhs_1d` for weno5 with the blocks of the sweep spread over numba's threads (``prange``);
    bitwise the same result (every face flux and update is computed by the same code from the same operands, and
    a max is exact in any order). The standalone sweep; the fused RK loop has its own parallel twin
    (:func:`solvers.kernels.burgers_rk.rk_burgers_1d_weno5_parallel`), so the serial loops never enter a
    parallel region. ``tasks``: chunks of consecutive blocks (e.g. twice numba's thread count), each with its own
    scratch."""
    if g < 3 or g < diff.shape[0] // 2 or ue.shape[0] != n + 2 * g or out.shape[0] != n:
        raise ValueError("weno5 needs g >= 3 (and >= the diffusion half-width), len(ue) = n + 2g, len(out) = n")
    e0, e1, e2, e3, e4 = _diffusion_weights(diff)
    B = WENO5_BLOCK
    nb = (n + B - 1) // B
    nu = ue.shape[0]
    xg = x0 + (0.5 - g) * h
    part = np.zeros(nb)                                  # per-block maxima of |f'| over ue (ghosts included)
    for blk in prange(nb):
        part[blk] = _lf_speed(ue, blk * nu // nb, (blk + 1) * nu // nb, xg, h, c2, c1)
    alpha = 0.0
    for blk in range(nb):
        alpha = max(alpha, part[blk])
    invh, c1h, bm = 1.0 / h, c1 * h, c1 * (x0 - 2.5 * h)
    nt = max(1, min(nb, tasks))
    for t in prange(nt):                                 # a chunk of consecutive blocks per task, one scratch
        fp, fm, F = np.empty(B + 6), np.empty(B + 6), np.empty(B + 1)
        for blk in range(t * nb // nt, (t + 1) * nb // nt):
            c0 = blk * B
            _weno5_block(ue, g - 3, c0, min(B, n - c0), bm, c1h, c2, alpha, e0, e1, e2, e3, e4, invh, out, 0, False,
                         fp, fm, F)
