"""Temporally tiled forward Euler (solvers/kernels/temporal_tiling.py) against the untiled fused loop, bitwise.

Every cell of every step is the same expression from the same operands, so the tiled kernels (one thread and
``prange``) must reproduce :func:`solvers.kernels.runge_kutta.rk_advance_1d` exactly: for periodic grids (the
halo taken across the period), for walls with the affine ghost rule and time-dependent offsets, for 3- and
5-point stencils, for tile counts and depths that do not divide the grid or the step count; and the stepper
must pick the tiled kernel by its size rule and still give the untiled answer.
"""
from __future__ import annotations

import numba
import numpy as np
import pytest

from solvers.equations.heat import StencilDiffusion
from solvers.equations.space import SPACE_SCHEMES
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators import TIME_SCHEMES
from solvers.integrators.steppers import (TILED_MIN_POINTS, TILED_THREADS_MIN_POINTS, ExplicitRungeKuttaStepper,
                                         euler_1d_kernel, tile_count)
from solvers.kernels.runge_kutta import rk_advance_1d
from solvers.kernels.temporal_tiling import TILE_DEPTH, euler_tiled_1d, euler_tiled_1d_parallel

STENCILS = {"central2": np.array([1.0, -2.0, 1.0]), "central4": np.array([-1.0, 16.0, -30.0, 16.0, -1.0]) / 12}


def untiled(u, nsteps, f, g, periodic, W, offsets, coef):
    n = u.size
    rk_advance_1d(u, np.zeros(n + 2 * g), np.zeros(n + 2 * g), np.zeros((1, n)), np.zeros((1, 1)), np.ones(1),
                  nsteps, f, g, periodic, W, offsets, coef)


@pytest.mark.parametrize("stencil", sorted(STENCILS))
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("n, tiles, depth, nsteps", [(200, 2, 5, 1), (200, 2, 5, 23), (997, 3, 7, 37),
                                                     (1000, 7, 32, 64), (4099, 2, 32, 100), (5000, 5, 3, 31)])
def test_tiled_euler_is_bitwise_the_untiled_loop(stencil, periodic, n, tiles, depth, nsteps):
    coef = STENCILS[stencil]
    r = coef.size // 2
    assert n // tiles >= 2 * depth * r                     # every case is a valid tiling (refusals: tested below)
    rng = np.random.default_rng(n + tiles)
    g = r + 1                                              # more ghosts than the stencil reads: still exact
    W = rng.normal(size=(2, g, 3)) * 0.3
    offsets = rng.normal(size=(nsteps, 1, 2, g))           # boundary data that changes every step
    f = 0.2                                                # a stable multiple of the unscaled stencil
    u0 = rng.normal(size=n)
    ref = u0.copy()
    untiled(ref, nsteps, f, g, periodic, W, offsets, coef)
    m = n // tiles + 1 + 2 * max(g, depth * r)
    serial = u0.copy()
    euler_tiled_1d(serial, np.empty(n), np.empty(m), np.empty(m), nsteps, f, g, periodic, W, offsets, coef, tiles,
                   depth)
    assert np.array_equal(serial, ref)
    for chunks in (1, 2, 3):
        par = u0.copy()
        euler_tiled_1d_parallel(par, np.empty(n), np.empty((chunks, 2, m)), nsteps, f, g, periodic, W, offsets, coef,
                                tiles, depth)
        assert np.array_equal(par, ref), chunks
    assert np.abs(ref - u0).max() > 1e-3                   # it did move


def test_tiles_shorter_than_twice_the_halo_are_refused():
    coef = STENCILS["central2"]
    n, depth = 100, 32
    with pytest.raises(ValueError, match="temporal tiling"):
        euler_tiled_1d(np.zeros(n), np.empty(n), np.empty(200), np.empty(200), 5, 0.1, 1, True,
                       np.zeros((2, 1, 1)), np.zeros((5, 1, 2, 1)), coef, 2, depth)


def test_size_rule():
    assert euler_1d_kernel(TILED_THREADS_MIN_POINTS - 1, 1, threads=2) == (0, 1)
    assert euler_1d_kernel(TILED_THREADS_MIN_POINTS, 1, threads=2) == (tile_count(TILED_THREADS_MIN_POINTS), 2)
    assert euler_1d_kernel(TILED_MIN_POINTS - 1, 1, threads=1) == (0, 1)
    assert euler_1d_kernel(TILED_MIN_POINTS, 1, threads=1) == (tile_count(TILED_MIN_POINTS), 1)
    assert euler_1d_kernel(10 ** 6, 2, threads=1)[0] == 10 ** 6 // 2048
    assert euler_1d_kernel(2 * 2 * TILE_DEPTH * 2 - 1, 2, threads=2) == (0, 1)   # a tile shorter than 2 halos


@pytest.mark.parametrize("kind", ["periodic", "dirichlet", "neumann"])
@pytest.mark.parametrize("space", ["central2", "central4"])
def test_stepper_runs_tiled_above_the_threshold_and_equals_the_untiled_loop(kind, space):
    n = max(TILED_MIN_POINTS, TILED_THREADS_MIN_POINTS) + 37
    grid = UniformGrid((0.0,), (1.0,), (n,))
    op = StencilDiffusion(grid, [BoundaryCondition(kind, 0.3)], SPACE_SCHEMES.get(space), 0.5)
    ts = TIME_SCHEMES.get("euler")
    dt = 0.4 * ts.stability_interval / op.spectral_radius
    st = ExplicitRungeKuttaStepper(op, ts, dt)
    assert st.tiled
    u0 = np.sin(7 * grid.axes[0]) + np.random.default_rng(1).normal(size=n) * 0.1
    threads_before = numba.get_num_threads()
    through = u0.copy()
    st.advance(through, 0.0, 2 * TILE_DEPTH + 5)
    assert numba.get_num_threads() == threads_before
    ref = u0.copy()
    off = st._stage_offsets(np.arange(2 * TILE_DEPTH + 5) * dt)
    rk_advance_1d(ref, st.ue, st.se, st.K, st.A, st.b, 2 * TILE_DEPTH + 5, dt, op.g, op.periodic[0], op.weights[0],
                  off[0], op.coefs[0])
    assert np.array_equal(through, ref)


def test_small_grids_and_other_schemes_are_not_tiled():
    grid = UniformGrid((0.0,), (1.0,), (TILED_THREADS_MIN_POINTS - 1,))
    op = StencilDiffusion(grid, [BoundaryCondition("periodic")], SPACE_SCHEMES.get("central2"), 0.5)
    assert not ExplicitRungeKuttaStepper(op, TIME_SCHEMES.get("euler"), 1e-9).tiled
    grid = UniformGrid((0.0,), (1.0,), (10 * TILED_MIN_POINTS,))
    op = StencilDiffusion(grid, [BoundaryCondition("periodic")], SPACE_SCHEMES.get("central2"), 0.5)
    assert not ExplicitRungeKuttaStepper(op, TIME_SCHEMES.get("rk4"), 1e-9).tiled
