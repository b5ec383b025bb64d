"""``gridshock bench``: the benchmark code runs at tiny sizes and writes every key (timings are never asserted),
and the kernels it drove into being (parallel 2D explicit sweep, fused tridiagonal theta step) give bitwise the
results of the kernels they stand in for."""
from __future__ import annotations

import json

import numba
import numpy as np
import pytest

from solvers.bench import run_benchmarks
from solvers.bench.report import KEYS
from solvers.bench.threads import crossover
from solvers.equations.heat import StencilDiffusion
from solvers.equations.space import SPACE_SCHEMES
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators import TIME_SCHEMES
from solvers.integrators.steppers import (PARALLEL_MIN_POINTS, THREADS_MIN_POINTS, ExplicitRungeKuttaStepper,
                                         ThetaStepper, kernel_2d, use_parallel_2d)
from solvers.kernels.runge_kutta import rk_advance_2d
from solvers.kernels.stencils import rk_advance_2d_parallel
from solvers.kernels.theta import _theta_step_unfused, theta_advance_tridiagonal


@pytest.fixture(scope="module")
def quick_bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    assert run_benchmarks(quick=True, out_dir=out) == 0
    return out


def test_quick_bench_writes_every_key(quick_bench):
    doc = json.loads((quick_bench / "bench.json").read_text())
    missing = [k for k in KEYS if k not in doc]
    assert not missing, missing
    for key in KEYS:                       # measured (a number) or explained (py-pde absent / skipped in quick mode)
        assert doc[key] is not None or key in doc["notes"], key
    for section in ("machine", "versions", "raw", "targets", "settings"):
        assert doc[section], section
    assert doc["settings"]["quick"] is True


def test_quick_bench_writes_markdown_with_every_key(quick_bench):
    text = (quick_bench / "bench.md").read_text()
    for key in KEYS:
        assert f"`{key}`" in text, key
    assert "## Raw medians" in text


def test_crossover_is_the_start_of_the_final_winning_run():
    rows = [{"points": p, "speedup": s} for p, s in ((100, 1.2), (400, 0.9), (1600, 1.1), (6400, 1.8))]
    assert crossover(rows, "speedup") == 1600
    assert crossover(rows[:2], "speedup") is None


def _periodic_operator(space: str, shape: tuple) -> StencilDiffusion:
    grid = UniformGrid((0.0,) * len(shape), (1.0,) * len(shape), shape)
    return StencilDiffusion(grid, [BoundaryCondition("periodic")] * len(shape), SPACE_SCHEMES.get(space), 0.5)


@pytest.mark.parametrize("space", ["central2", "central4"])
@pytest.mark.parametrize("scheme", ["euler", "rk4"])
def test_parallel_2d_kernel_equals_serial(space, scheme):
    grid = UniformGrid((0.0, 0.0), (1.0, 1.0), (40, 37))
    bcs = [BoundaryCondition("dirichlet", 0.3), BoundaryCondition("periodic")]
    op = StencilDiffusion(grid, bcs, SPACE_SCHEMES.get(space), 0.5)
    ts = TIME_SCHEMES.get(scheme)
    dt = 0.5 * ts.stability_interval / op.spectral_radius
    u0 = np.random.default_rng(3).random(grid.points)
    results = []
    for kernel in (rk_advance_2d, rk_advance_2d_parallel):
        st = ExplicitRungeKuttaStepper(op, ts, dt)
        off = st._stage_offsets(np.arange(6) * dt)
        u = u0.copy()
        kernel(u, st.ue, st.se, st.K, st.A, st.b, 6, dt, op.g, op.periodic[0], op.periodic[1], op.weights[0],
               op.weights[1], off[0], off[1], op.coefs[0], op.coefs[1])
        results.append(u)
    np.testing.assert_array_equal(results[0], results[1])
    assert np.abs(results[0] - u0).max() > 1e-3           # it did move


def test_stepper_chooses_kernel_and_threads_by_the_measured_sizes():
    assert PARALLEL_MIN_POINTS <= THREADS_MIN_POINTS
    assert kernel_2d(PARALLEL_MIN_POINTS - 1) == (rk_advance_2d, None)
    assert not use_parallel_2d(PARALLEL_MIN_POINTS - 1)
    assert kernel_2d(PARALLEL_MIN_POINTS) == (rk_advance_2d_parallel, 1 if PARALLEL_MIN_POINTS < THREADS_MIN_POINTS
                                               else numba.get_num_threads())
    assert kernel_2d(THREADS_MIN_POINTS)[0] is rk_advance_2d_parallel


@pytest.mark.parametrize("load, cores, threads, expected", [
    (0.2, 2, 2, 2), (1.0, 2, 2, 2), (1.4, 2, 2, 2), (1.6, 2, 2, 1), (2.5, 2, 2, 1), (3.0, 8, 8, 6), (0.0, 2, 1, 1)])
def test_threads_follow_the_free_cores(monkeypatch, load, cores, threads, expected):
    """n threads only when n - 1 cores besides this process are idle (load average counts this process)."""
    from solvers.kernels import threads as policy
    monkeypatch.setattr(policy.os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(policy.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(policy.numba, "get_num_threads", lambda: threads)
    assert policy.threads_to_use() == expected


def test_2d_stepper_gives_the_same_answer_on_both_sides_of_the_threshold():
    """A grid above ``PARALLEL_MIN_POINTS`` stepped through the stepper equals the serial kernel bitwise, and the
    caller's numba thread count is left as it was."""
    n = int(np.ceil(np.sqrt(PARALLEL_MIN_POINTS)))
    op = _periodic_operator("central2", (n, n))
    ts = TIME_SCHEMES.get("euler")
    dt = 0.5 * ts.stability_interval / op.spectral_radius
    u0 = np.random.default_rng(5).random((n, n))
    threads_before = numba.get_num_threads()
    through_stepper = u0.copy()
    ExplicitRungeKuttaStepper(op, ts, dt).advance(through_stepper, 0.0, 4)
    assert numba.get_num_threads() == threads_before
    st = ExplicitRungeKuttaStepper(op, ts, dt)
    off = st._stage_offsets(np.arange(4) * dt)
    serial = u0.copy()
    rk_advance_2d(serial, st.ue, st.se, st.K, st.A, st.b, 4, dt, op.g, op.periodic[0], op.periodic[1],
                  op.weights[0], op.weights[1], off[0], off[1], op.coefs[0], op.coefs[1])
    np.testing.assert_array_equal(through_stepper, serial)


@pytest.mark.parametrize("kind", ["periodic", "dirichlet", "neumann", "zero_flux", "extrapolate"])
@pytest.mark.parametrize("scheme", ["crank_nicolson", "implicit_euler"])
def test_fused_theta_step_equals_rhs_then_solve(kind, scheme):
    grid = UniformGrid((0.0,), (1.0,), (200,))
    op = StencilDiffusion(grid, [BoundaryCondition(kind, 0.4)], SPACE_SCHEMES.get("central2"), 0.5)
    st = ThetaStepper(op, TIME_SCHEMES.get(scheme), 1e-3)
    rng = np.random.default_rng(4)
    offsets = rng.random((5, 2, 2, 1))                      # time-dependent boundary data, as 'exact' gives
    u0 = rng.random(200)
    fused, unfused = u0.copy(), u0.copy()
    theta_advance_tridiagonal(fused, st.ue, st.work, 5, st.dt, st.theta, op.g, op.periodic[0], op.weights[0],
                              offsets, op.coefs[0], *st.factor.arrays())
    for step in range(5):
        _theta_step_unfused(unfused, st.ue, st.work, st.dt, st.theta, op.g, op.periodic[0], op.weights[0],
                            offsets[step], op.coefs[0], *st.factor.arrays())
    np.testing.assert_array_equal(fused, unfused)
