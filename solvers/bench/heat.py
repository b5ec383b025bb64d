"""Heat-equation steps against the machine's copy bandwidth, py-pde and ``scipy.linalg.solve_banded``.

* ``explicit_vs_copy``: forward Euler + ``central2`` (periodic, 1D). Untiled it is one fused sweep, 16 bytes of
  traffic per point and step like a copy, so ``t_copy / t_step`` is the fraction of the copy bandwidth it
  reaches (``untiled_fraction_of_copy_bandwidth``, the kernel alone on one thread). The stepper users get is
  temporally tiled (:mod:`solvers.kernels.temporal_tiling`: 16 bytes per point every 32 steps) on the default
  threads, so its *effective* bandwidth (16 B per point and step over the step time) exceeds the copy's: that
  ratio is ``fraction_of_copy_bandwidth``.
* ``explicit_vs_pypde``: the same step against py-pde's compiled explicit Euler diffusion on the same periodic
  cell-centred grid with the same ``dt`` (its stepper built once: compile time apart; then whole compiled loops
  of steps are timed, exactly like ours). Both sides keep their default threading (py-pde threads its 2D
  Laplacian from 256^2 points; ours chooses its kernel and threads by the measured sizes of
  :func:`solvers.integrators.steppers.kernel_2d`); the two answers are compared as a check.
* ``cn_vs_solve_banded``: Crank-Nicolson with the numba Thomas factorisation done once against what a
  straightforward implementation does every step: ``rhs = B u`` (sparse) and ``scipy.linalg.solve_banded`` on
  the same (homogeneous Dirichlet, tridiagonal) system; the answers are compared as a check.
"""
from __future__ import annotations

import numpy as np

from ..equations.heat import StencilDiffusion
from ..equations.space import SPACE_SCHEMES
from ..grids import BoundaryCondition, UniformGrid
from ..integrators import TIME_SCHEMES
from ..integrators.steppers import make_stepper
from ..kernels.runge_kutta import rk_advance_1d
from .memory import CopyBench
from .timing import calls_for, first_call, median, median_ratio, per_step, round_robin

NU = 0.5


def heat_stepper(dim: int, n: int, time_scheme: str, boundary: str = "periodic"):
    """(grid, stepper, dt) for ``p_t = nu Lap p``, ``central2``, on ``[0, 2 pi)^dim`` with ``n`` points per axis;
    explicit schemes at half their stability limit, implicit ones at ``dt = 1e-3`` (about 25 000 h^2 at 1e6)."""
    grid = UniformGrid((0.0,) * dim, (2 * np.pi,) * dim, (n,) * dim)
    op = StencilDiffusion(grid, [BoundaryCondition(boundary)] * dim, SPACE_SCHEMES.get("central2"), NU)
    ts = TIME_SCHEMES.get(time_scheme)
    dt = 0.5 * ts.stability_interval / op.spectral_radius if ts.explicit else 1e-3
    return grid, make_stepper(op, ts, dt), dt


def initial(grid: UniformGrid) -> np.ndarray:
    x = grid.axes[0]
    if grid.dim == 1:
        return np.sin(x)
    y = grid.axes[1]
    return np.ascontiguousarray(np.sin(x)[:, None] * np.cos(2 * y)[None, :])


def _untiled(stepper, u):
    """``k`` steps of the untiled fused sweep (:func:`~solvers.kernels.runge_kutta.rk_advance_1d`), one thread."""
    op = stepper.operator
    off = stepper._stage_offsets(np.zeros(1))[0]

    def run(k):
        rk_advance_1d(u, stepper.ue, stepper.se, stepper.K, stepper.A, stepper.b, k, stepper.dt, op.g,
                      op.periodic[0], op.weights[0], np.broadcast_to(off[:1], (k,) + off.shape[1:]), op.coefs[0])
    return run


def explicit_vs_copy(n: int, repeats: int, min_call_s: float) -> dict:
    grid, stepper, _ = heat_stepper(1, n, "euler")
    u, v = initial(grid), initial(grid)
    untiled = _untiled(stepper, v)
    copy = CopyBench(n)
    compile_s = first_call(lambda: stepper.advance(u, 0.0, 1))
    first_call(lambda: untiled(1))
    first_call(lambda: copy.run(1))
    steps = calls_for(lambda k: stepper.advance(u, 0.0, k), min_call_s, min_steps=100)
    t = round_robin({"ours": lambda: stepper.advance(u, 0.0, steps), "untiled": lambda: untiled(steps),
                     "copy": lambda: copy.run(steps)}, repeats)
    step_s, copy_s = median(per_step(t["ours"], steps)), median(per_step(t["copy"], steps))
    untiled_s = median(per_step(t["untiled"], steps))
    return {"n": n, "steps_per_call": steps, "repeats": repeats, "compile_s": compile_s, "tiled": stepper.tiled,
            "step_s": step_s, "untiled_step_s": untiled_s, "copy_pass_s": copy_s, "copy_GBps": copy.gbps(copy_s),
            "step_effective_GBps": copy.gbps(step_s), "untiled_step_GBps": copy.gbps(untiled_s),
            "fraction_of_copy_bandwidth": median_ratio(t["copy"], t["ours"]),
            "untiled_fraction_of_copy_bandwidth": median_ratio(t["copy"], t["untiled"])}


def _pypde_stepper(dim: int, n: int, dt: float):
    """py-pde's explicit Euler stepper for ``DiffusionPDE(nu)`` on the periodic cell-centred grid, built once."""
    import pde
    grid = pde.CartesianGrid([[0.0, 2 * np.pi]] * dim, [n] * dim, periodic=True)
    state = pde.ScalarField(grid)
    solver = pde.EulerSolver(pde.DiffusionPDE(diffusivity=NU), adaptive=False)
    return state, solver.make_stepper(state, dt)


def pypde_version() -> str | None:
    try:
        import pde
    except ImportError:
        return None
    return pde.__version__


def explicit_vs_pypde(dim: int, n: int, repeats: int, min_call_s: float) -> dict:
    """Steady-state per-step time, ours against py-pde's compiled stepper (same grid, ``dt`` and data)."""
    import numba
    grid, ours, dt = heat_stepper(dim, n, "euler")
    u = initial(grid)
    built = {}

    def build():                                             # py-pde compiles its stepping loop here
        built["state"], built["stepper"] = _pypde_stepper(dim, n, dt)
        built["stepper"](built["state"], 0.0, dt)

    pypde_compile_s = first_call(build)
    state, theirs = built["state"], built["stepper"]
    compile_s = first_call(lambda: ours.advance(u, 0.0, 1))
    # the check: the same 10 steps from the same data
    a, b = initial(grid), initial(grid)
    ours.advance(a, 0.0, 10)
    state.data[...] = b
    theirs(state, 0.0, 10 * dt)
    difference = float(np.abs(a - state.data).max() / np.abs(a).max())
    steps = calls_for(lambda k: ours.advance(u, 0.0, k), min_call_s, min_steps=20)
    t = round_robin({"ours": lambda: ours.advance(u, 0.0, steps),
                     "pypde": lambda: theirs(state, 0.0, steps * dt)}, repeats)
    return {"dim": dim, "n": n, "points": grid.size, "dt": dt, "steps_per_call": steps, "repeats": repeats,
            "threads": numba.get_num_threads(), "compile_s": compile_s, "pypde_compile_s": pypde_compile_s,
            "step_s": median(per_step(t["ours"], steps)), "pypde_step_s": median(per_step(t["pypde"], steps)),
            "relative_difference_after_10_steps": difference,
            "speedup_vs_pypde": median_ratio(t["pypde"], t["ours"])}


def cn_vs_solve_banded(n: int, repeats: int, min_call_s: float) -> dict:
    """Crank-Nicolson, Thomas factored once (ours) against ``B u`` + ``solve_banded`` every step."""
    from scipy.linalg import solve_banded
    import scipy.sparse as sp
    grid, ours, dt = heat_stepper(1, n, "crank_nicolson", boundary="dirichlet")
    L = ours.operator.matrix()
    B = (sp.identity(n) + 0.5 * dt * L).tocsr()
    M = (sp.identity(n) - 0.5 * dt * L).tocsr()
    ab = np.zeros((3, n))
    ab[0, 1:], ab[1], ab[2, :-1] = M.diagonal(1), M.diagonal(), M.diagonal(-1)
    u, v = initial(grid), initial(grid)

    def theirs(steps):
        nonlocal v
        for _ in range(steps):
            v = solve_banded((1, 1), ab, B @ v)

    compile_s = first_call(lambda: ours.advance(u, 0.0, 1))
    theirs(1)
    a, b = initial(grid), initial(grid)                      # the check: 5 steps of both
    ours.advance(a, 0.0, 5)
    v = b
    theirs(5)
    difference = float(np.abs(a - v).max() / np.abs(a).max())
    steps = calls_for(theirs, min_call_s)
    t = round_robin({"ours": lambda: ours.advance(u, 0.0, steps), "solve_banded": lambda: theirs(steps)}, repeats)
    return {"n": n, "dt": dt, "steps_per_call": steps, "repeats": repeats, "compile_s": compile_s,
            "step_s": median(per_step(t["ours"], steps)),
            "solve_banded_step_s": median(per_step(t["solve_banded"], steps)),
            "relative_difference_after_5_steps": difference,
            "speedup_vs_solve_banded": median_ratio(t["solve_banded"], t["ours"])}
