"""The blocked weno5 sweep, its parallel twin and the fused weno5 RK loop against references.

* the sweep against the previous per-face kernel (kept below verbatim as the reference: four divisions per
  reconstruction, split fluxes recomputed per face): the same scheme, so equal to round-off (<= 1e-13 of the
  terms' scale);
* the ``prange`` sweep and RK loop against the serial ones: bitwise;
* the fused RK loop (stage combinations done per block right after the sweep, alternating ghost buffers)
  against the same steps written stage by stage with :func:`burgers_rhs_1d` and numpy: bitwise;
* the size rule.
"""
from __future__ import annotations

import numba
import numpy as np
import pytest
from numba import njit

from solvers.equations.advection import BURGERS_SPACE_SCHEMES
from solvers.kernels.burgers_rk import rk_burgers_1d, rk_burgers_1d_weno5_parallel
from solvers.kernels.fluxes import burgers_rhs_1d, flux_divergence_1d
from solvers.kernels.ghosts import fill_ghosts_1d
from solvers.kernels.weno5 import WENO5_BLOCK, WENO5_PARALLEL_MIN_POINTS, weno5_parallel, weno5_rhs_1d_parallel

_ENTRY = BURGERS_SPACE_SCHEMES.get("weno5")
WENO5 = (_ENTRY.kernel_id, _ENTRY.ghost_layers)              # the flux kernel's (scheme_id, reach)
SSPRK3_A = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.25, 0.25, 0.0]])
SSPRK3_B = np.array([1 / 6, 1 / 6, 2 / 3])
TABLEAUS = {"ssprk3": (SSPRK3_A, SSPRK3_B), "euler": (np.zeros((1, 1)), np.ones(1)),
            "rk4": (np.array([[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1.0, 0]]),
                    np.array([1 / 6, 1 / 3, 1 / 3, 1 / 6])),
            "last_b_zero": (np.array([[0.0, 0.0], [2 / 3, 0.0]]), np.array([1.0, 0.0]))}


# ---- the previous kernel (solvers/kernels/fluxes.py before the blocked rewrite), the reference -------------------

@njit(inline='always')
def _old_plus(a, b, c, d, e):
    q0 = (2.0 * a - 7.0 * b + 11.0 * c) * (1.0 / 6.0)
    q1 = (-b + 5.0 * c + 2.0 * d) * (1.0 / 6.0)
    q2 = (2.0 * c + 5.0 * d - e) * (1.0 / 6.0)
    s0, s1, s2 = a - 2.0 * b + c, b - 2.0 * c + d, c - 2.0 * d + e
    r0, r1, r2 = a - 4.0 * b + 3.0 * c, b - d, 3.0 * c - 4.0 * d + e
    t0 = 1e-6 + (13.0 / 12.0) * s0 * s0 + 0.25 * r0 * r0
    t1 = 1e-6 + (13.0 / 12.0) * s1 * s1 + 0.25 * r1 * r1
    t2 = 1e-6 + (13.0 / 12.0) * s2 * s2 + 0.25 * r2 * r2
    a0, a1, a2 = 0.1 / (t0 * t0), 0.6 / (t1 * t1), 0.3 / (t2 * t2)
    return (a0 * q0 + a1 * q1 + a2 * q2) / (a0 + a1 + a2)


@njit(inline='always')
def _old_face(u0, u1, u2, u3, u4, u5, bm2, c1h, c2, alpha):
    f0 = (c2 * u0 + bm2) * u0
    f1 = (c2 * u1 + bm2 + c1h) * u1
    f2 = (c2 * u2 + bm2 + 2.0 * c1h) * u2
    f3 = (c2 * u3 + bm2 + 3.0 * c1h) * u3
    f4 = (c2 * u4 + bm2 + 4.0 * c1h) * u4
    f5 = (c2 * u5 + bm2 + 5.0 * c1h) * u5
    fp = _old_plus(0.5 * (f0 + alpha * u0), 0.5 * (f1 + alpha * u1), 0.5 * (f2 + alpha * u2),
                   0.5 * (f3 + alpha * u3), 0.5 * (f4 + alpha * u4))
    fm = _old_plus(0.5 * (f5 - alpha * u5), 0.5 * (f4 - alpha * u4), 0.5 * (f3 - alpha * u3),
                   0.5 * (f2 - alpha * u2), 0.5 * (f1 - alpha * u1))
    return fp + fm


@njit
def old_weno5_rhs(ue, g, n, h, x0, c2, c1, dw, out):
    """``out = D2 - (F_{i+1/2} - F_{i-1/2}) / h`` (``dw`` 0, 3 or 5 weights) as the previous kernel computed it."""
    w = dw.shape[0]
    e = np.zeros(5)
    if w == 3:
        e[1:4] = dw
    elif w == 5:
        e[:] = dw
    alpha = 0.0
    xg = x0 + (0.5 - g) * h
    for j in range(ue.shape[0]):
        alpha = max(alpha, abs(2.0 * c2 * ue[j] + c1 * (xg + j * h)))
    a = ue[g - 3:g + n + 3]
    invh, c1h, bm = 1.0 / h, c1 * h, c1 * (x0 - 2.5 * h)
    fl = _old_face(a[0], a[1], a[2], a[3], a[4], a[5], bm, c1h, c2, alpha)
    for i in range(n):
        fr = _old_face(a[i + 1], a[i + 2], a[i + 3], a[i + 4], a[i + 5], a[i + 6], bm + c1h * (i + 1.0), c1h, c2,
                       alpha)
        s = e[0] * a[i + 1] + e[1] * a[i + 2] + e[2] * a[i + 3] + e[3] * a[i + 4] + e[4] * a[i + 5]
        out[i] = s - (fr - fl) * invh
        fl = fr


def states(rng, n, g):
    """A rough state (random, offset), a smooth one and one with a jump."""
    x = np.linspace(-np.pi, np.pi, n + 2 * g)
    return [rng.normal(size=n + 2 * g) + rng.choice([-1.0, 0.0, 1.0]), np.sin(x) + 0.3 * np.cos(3 * x),
            np.where(x < 0.3, 1.0, -0.5) + 0.01 * np.sin(7 * x)]


DIFFUSION = {"none": np.zeros(0), "central2": np.array([1.0, -2.0, 1.0]),
             "central4": np.array([-1.0, 16.0, -30.0, 16.0, -1.0]) / 12}


@pytest.mark.parametrize("n", [1, 7, 200, WENO5_BLOCK, WENO5_BLOCK + 1, 3 * WENO5_BLOCK + 17])
@pytest.mark.parametrize("diff", sorted(DIFFUSION))
def test_blocked_sweep_matches_previous_kernel(n, diff):
    rng = np.random.default_rng(n)
    g, h, x0 = 4, 0.013, -1.1
    dw = 0.7 / h**2 * DIFFUSION[diff]
    for ue in states(rng, n, g):
        for c2, c1 in ((0.5, 0.0), (-0.5, 0.0), (-0.5, -0.5), (-0.8, 1.3)):
            ref, out = np.empty(n), np.full(n, np.nan)
            old_weno5_rhs(ue, g, n, h, x0, c2, c1, dw, ref)
            burgers_rhs_1d(ue, g, n, h, x0, *WENO5, c2, c1, dw, out)
            # the scale of the terms: |out|, and |f| / h (F_{i+1/2} - F_{i-1/2} cancels on smooth data, which
            # lifts the face fluxes' round-off by |F| / (h |out|): 1.5e-13 of max |out| for the sine state)
            xc = x0 + (np.arange(n + 2 * g) - g + 0.5) * h
            scale = max(np.max(np.abs(ref)), np.max(np.abs((c2 * ue + c1 * xc) * ue)) / h)
            assert np.max(np.abs(out - ref)) <= 1e-13 * scale, (c2, c1)
            par = np.full(n, np.nan)
            for tasks in (1, 3, 8):
                weno5_rhs_1d_parallel(ue, g, n, h, x0, c2, c1, dw, par, tasks)
                assert np.array_equal(par, out)


def test_accumulate_adds_to_out():
    rng = np.random.default_rng(3)
    n, g, h = 5000, 3, 0.01
    ue = rng.normal(size=n + 2 * g)
    base = rng.normal(size=n)
    plain, acc = np.empty(n), base.copy()
    flux_divergence_1d(ue, g, n, h, 0.2, *WENO5, -0.5, 0.3, plain, False)
    flux_divergence_1d(ue, g, n, h, 0.2, *WENO5, -0.5, 0.3, acc, True)
    assert np.array_equal(acc, base + plain)


# ---- the fused RK loop -------------------------------------------------------------------------------------------

def rk_inputs(n, g, nsteps, periodic, rng):
    M = 3
    W = rng.normal(size=(2, g, M)) * 0.3
    offsets = rng.normal(size=(nsteps, 4, 2, g)) * 0.1
    coef = np.empty((nsteps, 4, 3))
    coef[..., 0] = 0.5 + 0.1 * rng.random((nsteps, 4))
    coef[..., 1] = -0.5 + 0.05 * rng.random((nsteps, 4))
    coef[..., 2] = 0.0 if periodic else 0.3
    return W, offsets, coef


def stage_by_stage(w, ue, A, b, nsteps, dt, g, periodic, W, offsets, coef, h, x0, d2):
    """The RK steps written plainly: one numpy pass per combination term, one sweep per stage."""
    n, s = w.size, b.size
    K = np.zeros((s, n))
    for step in range(nsteps):
        for st in range(s):
            ue[g:g + n] = w
            for r in range(st):
                if dt * A[st, r] != 0.0:
                    ue[g:g + n] += (dt * A[st, r]) * K[r]
            fill_ghosts_1d(ue, g, periodic, W, offsets[step, st])
            burgers_rhs_1d(ue, g, n, h, x0, *WENO5, coef[step, st, 1], coef[step, st, 2], coef[step, st, 0] * d2,
                           K[st])
        for st in range(s):
            if dt * b[st] != 0.0:
                w += (dt * b[st]) * K[st]


@pytest.mark.parametrize("tableau", sorted(TABLEAUS))
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("n", [50, 2 * WENO5_BLOCK + 3])
def test_fused_rk_loop_is_bitwise_stage_by_stage_and_parallel(periodic, n, tableau):
    A, b = TABLEAUS[tableau]
    rng = np.random.default_rng(11)
    g, h, x0, nsteps = 3, 2 * np.pi / n, -np.pi, 4
    dt = 0.2 * h**2
    d2 = DIFFUSION["central4"] / h**2
    W, offsets, coef = rk_inputs(n, g, nsteps, periodic, rng)
    w0 = np.sin(np.linspace(-np.pi, np.pi, n, endpoint=False)) + 0.1 * rng.normal(size=n)
    ref = w0.copy()
    stage_by_stage(ref, np.zeros(n + 2 * g), A, b, nsteps, dt, g, periodic, W, offsets, coef, h, x0,
                   d2)
    runs = []
    for parallel in (False, True):
        w, ue, ue2, K = w0.copy(), np.zeros(n + 2 * g), np.zeros(n + 2 * g), np.zeros((b.size, n))
        args = (w, ue, ue2, K, A, b, nsteps, dt, g, periodic, W, offsets, coef, h, x0)
        if parallel:
            rk_burgers_1d_weno5_parallel(*args, d2, np.empty(5), 3)
        else:
            rk_burgers_1d(*args, *WENO5, d2, np.empty(5))
        runs.append(w)
    assert np.array_equal(runs[0], ref)
    assert np.array_equal(runs[1], ref)


def test_size_rule_picks_the_parallel_kernel():
    from solvers.bench.burgers import weno5_stepper
    threads = numba.get_num_threads()
    assert weno5_parallel(WENO5_PARALLEL_MIN_POINTS) == (threads > 1)
    assert not weno5_parallel(WENO5_PARALLEL_MIN_POINTS - 1)
    _, small = weno5_stepper(1000)
    assert not small.parallel
    _, large = weno5_stepper(WENO5_PARALLEL_MIN_POINTS)
    assert large.parallel == (threads > 1)
    if large.parallel:                                    # and it gives what the serial loop gives
        u0 = np.sin(np.linspace(-np.pi, np.pi, WENO5_PARALLEL_MIN_POINTS, endpoint=False))
        a, b = u0.copy(), u0.copy()
        large.advance(a, 0.0, 2)
        large.parallel = False
        large.advance(b, 0.0, 2)
        assert np.array_equal(a, b)


# ---- the two-register Shu-Osher loop (solvers/kernels/burgers_lowstorage.py) ---------------------------------------

def shu_osher_stage_by_stage(w, ue, S, nsteps, dt, g, periodic, W, offsets, coef, h, x0, d2):
    """The Shu-Osher rows written plainly: one sweep per stage, the combination as numpy expressions."""
    n = w.size
    prev = w.copy()
    R = np.empty(n)
    for step in range(nsteps):
        for st in range(S.shape[0]):
            ue[g:g + n] = prev
            fill_ghosts_1d(ue, g, periodic, W, offsets[step, st])
            burgers_rhs_1d(ue, g, n, h, x0, *WENO5, coef[step, st, 1], coef[step, st, 2], coef[step, st, 0] * d2, R)
            a, b, cdt = S[st, 0], S[st, 1], dt * S[st, 2]
            prev = (b * prev + cdt * R) if a == 0.0 else ((a * w + b * prev) + cdt * R)
        w[:] = prev


@pytest.mark.parametrize("scheme", ["euler", "ssprk3"])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("n", [50, 2 * WENO5_BLOCK + 3])
def test_lowstorage_loop_is_the_plain_shu_osher_form_and_the_butcher_form(scheme, periodic, n):
    """Bitwise the plain Shu-Osher stages (serial and every prange chunking); the registered Butcher tableau's
    steps to round-off (the same stage values, other rounding). The non-periodic inputs have ``c1 != 0``: the
    Lax-Friedrichs speed taken per block then depends on the cell positions and the next stage's coefficients."""
    from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
    from solvers.kernels.burgers_lowstorage import rk_weno5_lowstorage, rk_weno5_lowstorage_parallel
    ts = BURGERS_TIME_SCHEMES.get(scheme)
    S = np.ascontiguousarray(ts.shu_osher)
    rng = np.random.default_rng(12)
    g, h, x0, nsteps = 3, 2 * np.pi / n, -np.pi, 4
    dt = 0.2 * h**2
    d2 = DIFFUSION["central4"] / h**2
    W, offsets, coef = rk_inputs(n, g, nsteps, periodic, rng)
    coef = np.ascontiguousarray(coef[:, :S.shape[0]])
    w0 = np.sin(np.linspace(-np.pi, np.pi, n, endpoint=False)) + 0.1 * rng.normal(size=n)
    ref = w0.copy()
    shu_osher_stage_by_stage(ref, np.zeros(n + 2 * g), S, nsteps, dt, g, periodic, W, offsets, coef, h, x0, d2)
    serial = w0.copy()
    rk_weno5_lowstorage(serial, np.zeros(n + 2 * g), np.zeros(n + 2 * g), S, nsteps, dt, g, periodic, W, offsets,
                        coef, h, x0, d2, np.empty(5))
    assert np.array_equal(serial, ref)
    for tasks in (1, 3, 8):
        par = w0.copy()
        rk_weno5_lowstorage_parallel(par, np.zeros(n + 2 * g), np.zeros(n + 2 * g), S, nsteps, dt, g, periodic, W,
                                     offsets, coef, h, x0, d2, np.empty(5), tasks)
        assert np.array_equal(par, ref), tasks
    butcher = w0.copy()
    stage_by_stage(butcher, np.zeros(n + 2 * g), ts.A, ts.b, nsteps, dt, g, periodic, W, offsets, coef, h, x0, d2)
    assert np.abs(butcher - w0).max() > 1e-6                       # the steps did move the state
    assert np.abs(serial - butcher).max() <= 1e-13 * np.abs(butcher).max()


def test_stepper_runs_the_lowstorage_loop_where_a_shu_osher_form_exists():
    from solvers.bench.burgers import weno5_stepper
    _, st = weno5_stepper(500)
    assert st.shu_osher is not None                                # ssprk3
    from solvers.equations.advection import BURGERS_SPACE_SCHEMES
    from solvers.equations.burgers import FluxBurgers1D
    from solvers.equations.space import SPACE_SCHEMES
    from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
    from solvers.integrators.split_steppers import make_split_stepper
    grid, op = st.op.grid, st.op
    rk4 = make_split_stepper(op, BURGERS_TIME_SCHEMES.get("rk4"), st.dt)
    assert rk4.shu_osher is None                                   # RK4 has no two-register form
    muscl = FluxBurgers1D(grid, op.bcs, BURGERS_SPACE_SCHEMES.get("muscl_mc"), SPACE_SCHEMES.get("central4"),
                          op.coefs)
    assert make_split_stepper(muscl, BURGERS_TIME_SCHEMES.get("ssprk3"), st.dt).shu_osher is None
