"""Conservative flux differences for the 1D scalar conservation law with diffusion.

PDE::

    u_t + d/dx f(u, x) = nu u_xx,        f(u, x) = c2 u^2 + c1 x u,        f'(u) = 2 c2 u + c1 x.

``c2 = -1/2, c1 = 0`` is the score form of viscous Burgers (``u_t = nu u_xx + u u_x``), ``c2 = +1/2`` the
textbook ``v_t + v v_x = nu v_xx``, ``c2 = c1 = -beta/2`` the VP score equation. ``c2`` may be negative
(concave flux): every two-state formula below is written for a general quadratic ``f``.

Layout (as in :mod:`solvers.kernels.ghosts`): ``ue`` has length ``n + 2g``, interior cells ``ue[g:g+n]``, cell
centres ``x_i = x0 + (i + 1/2) h`` (ghosts continue the formula), faces ``x_{i-1/2} = x0 + i h``. The semi-discrete
operator is ``-(F_{i+1/2} - F_{i-1/2}) / h``: each face flux is computed once, so it telescopes exactly.

Numerical fluxes ``F_{i+1/2}`` by kernel id (the two-state solvers evaluate ``f`` at the face position ``x_{i+1/2}``):

* :data:`CENTRAL2`: ``(f(u_i, x_i) + f(u_{i+1}, x_{i+1})) / 2`` (cell-centre ``x``: the operator is then exactly
  the centred difference ``(f_{i+1} - f_{i-1}) / 2h``). Order 2, not dissipative.
* :data:`UPWIND1`: Murman-Roe, ``f(uL)`` if the Rankine-Hugoniot speed ``c2 (uL + uR) + c1 x >= 0`` else
  ``f(uR)`` (LeVeque 2002, sec. 12.2; admits expansion shocks). Order 1.
* :data:`RUSANOV`: local Lax-Friedrichs, ``(f(uL) + f(uR))/2 - max(|f'(uL)|, |f'(uR)|) (uR - uL)/2``
  (Rusanov 1961; LeVeque 2002, sec. 12.5). Order 1.
* :data:`GODUNOV`: exact Riemann solution, ``min_{[uL,uR]} f`` if ``uL <= uR`` else ``max_{[uR,uL]} f``
  (Godunov 1959; LeVeque 2002, eq. 12.4); for the quadratic ``f`` the extremum is at an end or at the root
  ``w* = -c1 x / (2 c2)`` of ``f'``. Order 1.
* :data:`ENGQUIST_OSHER`: ``(f(uL) + f(uR))/2 - (1/2) int_{uL}^{uR} |f'(w)| dw`` (Engquist & Osher 1981),
  integrated exactly by splitting at ``w*``. Order 1.
* :data:`MUSCL_MINMOD`, :data:`MUSCL_MC`: MUSCL (van Leer 1979) face states ``uL = u_i + s_i/2``,
  ``uR = u_{i+1} - s_{i+1}/2`` from the point values with the minmod or monotonized-central slope
  ``MC = minmod(2 dL, (dL + dR)/2, 2 dR)``, then the Godunov flux. Order 2 away from extrema; TVD with forward
  Euler for ``max|f'| dt / h <= 1/2``.
* :data:`WENO5`: finite-difference WENO5 of Jiang & Shu (1996), :mod:`solvers.kernels.weno5`. Order 5.

The ids are the ``kernel_id`` of the registered schemes (:data:`solvers.equations.advection.BURGERS_SPACE_SCHEMES`),
which also state each scheme's order and ghost width (``ghost_layers``, passed to the kernels as ``reach`` and
checked against ``g``); nothing here repeats them.

Each scheme has its own fused sweep ``out[i] = (out[i] if accumulate) + D2(u)_i - (F_{i+1/2} - F_{i-1/2}) / h``
(``D2`` an optional 3- or 5-point centred stencil): the left face flux is carried in a scalar, operands are
shifted views of ``ue`` so every index is non-negative, and nothing is allocated in the loop. weno5,
compute-bound, goes by blocks instead (:func:`solvers.kernels.weno5.weno5_block`).
"""
from __future__ import annotations

import math

from numba import njit

from .weno5 import sweep_weno5

# Kernel ids of the numerical fluxes (the dispatch in :func:`_sweep`); registry entries refer to these names.
CENTRAL2 = 0
UPWIND1 = 1
RUSANOV = 2
GODUNOV = 3
ENGQUIST_OSHER = 4
MUSCL_MINMOD = 5
MUSCL_MC = 6
WENO5 = 7


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
def _sweep(ue, g, n, h, x0, scheme_id, reach, c2, c1, dw, out, accumulate):
    if scheme_id < CENTRAL2 or scheme_id > WENO5:
        raise ValueError("unknown flux scheme id")
    if g < reach or g < dw.shape[0] // 2:
        raise ValueError("not enough ghost cells for this flux scheme / diffusion stencil")
    if ue.shape[0] != n + 2 * g or out.shape[0] != n:
        raise ValueError("ue must have n + 2g entries and out n")
    if scheme_id == CENTRAL2:
        _sweep_central2(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == UPWIND1:
        _sweep_upwind1(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == RUSANOV:
        _sweep_rusanov(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == GODUNOV:
        _sweep_godunov(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == ENGQUIST_OSHER:
        _sweep_engquist_osher(ue, g, n, h, x0, c2, c1, dw, out, accumulate)
    elif scheme_id == MUSCL_MINMOD:
        _sweep_muscl(ue, g, n, h, x0, c2, c1, dw, out, accumulate, False)
    elif scheme_id == MUSCL_MC:
        _sweep_muscl(ue, g, n, h, x0, c2, c1, dw, out, accumulate, True)
    else:
        sweep_weno5(ue, g, n, h, x0, c2, c1, dw, out, accumulate)


# ---------------------------------------------------------------------------------------------------------------
# Public kernels. ``scheme_id``: a kernel id above; ``reach``: the cells the scheme reads on either side of a cell
# (the registered scheme's ``ghost_layers``), checked against the ghost width ``g``.
# ---------------------------------------------------------------------------------------------------------------

@njit(cache=True)
def flux_divergence_1d(ue, g, n, h, x0, scheme_id, reach, c2, c1, out, accumulate):
    """``out[i] = (out[i] if accumulate else 0) - (F_{i+1/2} - F_{i-1/2}) / h`` for the ``n`` interior cells of
    the ghosted ``ue`` (ghosts filled by the caller; ``g >= reach``)."""
    _sweep(ue, g, n, h, x0, scheme_id, reach, c2, c1, ue[:0], out, accumulate)


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
def burgers_rhs_1d(ue, g, n, h, x0, scheme_id, reach, c2, c1, diff, out):
    """``out = D2(ue) - (F_{i+1/2} - F_{i-1/2}) / h`` in one sweep, with ``D2`` the centred stencil of the 3 or 5
    weights ``diff`` (already scaled, e.g. ``nu / h^2 * [1, -2, 1]``; ``g >= len(diff) // 2``)."""
    _sweep(ue, g, n, h, x0, scheme_id, reach, c2, c1, diff, out, False)
