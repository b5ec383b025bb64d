"""Assembly of an MFG problem from a validated case (ANALYTIC.md §6), and the solve.

Terminal costs (``[mfg] terminal``):

* ``data_log_density`` (§6a, score-based generation): ``G = -log p_0`` of the ``[data]`` mixture,
  ``m_0 = p_T`` (the data noised to ``tau = T``), ``F = 0``, ``nu = 1/2``. Exact: ``m(t) = p_{T-t}``,
  ``phi(t) = -log p_{T-t}``, optimal drift ``-grad phi = u(T - t)`` (the score).
* ``quadratic`` (§6b): ``G = (c/2)|x - x_T|^2``, ``m_0`` the ``[data]`` mixture; with ``coupling =
  "mean_quadratic"``, ``F = (kappa/2)|x - mbar(t)|^2``. Exact: :class:`~solvers.closed_forms.lq_mfg.LQMeanFieldGame`.
  (The adapters: :mod:`solvers.problems.mfg_exact`.)

The registered space scheme builds the operators and the time scheme gives ``theta``. ``dt = "auto"``: the
monotone scheme is first order in space and time, so the step balances the two errors, ``dt = min(h) *
dt_per_h`` (default 1, case key ``[mfg] dt_per_h``; :func:`~solvers.integrators.mfg_system.auto_step`); then
each scheme's own bound (``auto_dt_limit`` of the entries): ``crank_nicolson`` keeps its explicit half positive
(``dt <= 0.9 x 2 / max diag(-nu Lap_h + L_G^T)``, a parabolic ``dt ~ h^2 / nu`` restriction: the price of second
order in time with a monotone space scheme); the spectral variant keeps its explicit Hamiltonian stable
(``dt <= nu / max|grad G|^2``). Rounded so the horizon is a whole number of steps.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..closed_forms.lq_mfg import LQMeanFieldGame
from ..closed_forms.mixture import GaussianMixture, PeriodicGaussianMixture
from ..config.case import Case
from ..equations.mfg import MFG_SPACE_SCHEMES, MFGSpaceScheme
from ..grids import UniformGrid
from ..hooks import RunHooks
from ..integrators.mfg_solvers import MFG_SOLVERS, MFG_TIME_SCHEMES, MFGTimeScheme, OuterSettings, OuterSolver
from ..integrators.mfg_system import MFGSolution, MFGSystem, auto_step, whole_steps
from .base import OnGrid, grid_and_boundaries
from .mfg_exact import GenerativeMFGExact, LQExact


@dataclass
class MFGProblem(OnGrid):
    case: Case
    grid: UniformGrid
    bcs: list
    system: MFGSystem
    exact: object
    solver: OuterSolver
    settings: OuterSettings
    dt: float
    dt_rule: str
    output_times: np.ndarray
    space: MFGSpaceScheme
    scheme: MFGTimeScheme

    family = "mfg"
    derivative_scheme = "central2"

    @property
    def nu(self) -> float:
        return self.system.ops.nu


@dataclass
class MFGRun:
    solution: MFGSolution
    times: np.ndarray
    setup_s: float
    compile_s: float
    run_s: float
    steps: int


def _mixture(case: Case, periodic: bool) -> GaussianMixture:
    """The ``[data]`` mixture; on a fully periodic grid its periodic images (ANALYTIC §2)."""
    d = case["data"]
    w = np.asarray(d["weights"], dtype=float)
    mu = np.asarray(d["means"], dtype=float).reshape(w.size, case.dim)
    if periodic:
        return PeriodicGaussianMixture(w, mu, d["stds"], case["grid"]["lower"], case["grid"]["upper"])
    return GaussianMixture(w, mu, d["stds"])


def build_mfg_problem(case: Case) -> MFGProblem:
    t, mfg, method = case["time"], case["mfg"], case["method"]
    space = MFG_SPACE_SCHEMES.get(method["space"], "method.space")
    scheme = MFG_TIME_SCHEMES.get(method["time"], "method.time")
    solver = MFG_SOLVERS.get(mfg["solver"], "mfg.solver")
    grid, bcs = grid_and_boundaries(case)
    T, nu = float(t["stop"]), float(mfg["nu"])
    data = _mixture(case, all(bc.periodic for bc in bcs))
    X = grid.coordinates()
    flat = (lambda f: np.ascontiguousarray(f, dtype=float).ravel())
    if mfg["terminal"] == "data_log_density":
        exact = GenerativeMFGExact(data, T)
        m0, G, kappa = flat(data.density(X, T)), flat(-data.log_density(X, 0.0)), 0.0
    else:
        kappa = mfg["kappa"] if mfg["coupling"] == "mean_quadratic" else 0.0
        exact = LQExact(LQMeanFieldGame(data, T, nu, kappa, mfg["c"], mfg["x_T"]))
        m0, G = flat(data.density(X, 0.0)), flat(exact.phi(X, T))
    ops = space.build_operators(grid, bcs, nu, exact.phi)
    if t["dt"] == "auto":
        dt = auto_step(min(grid.spacing), mfg["dt_per_h"])
        rule = f"first order in space and time: dt = min(h) x {mfg['dt_per_h']:g}"
        for limit, text in (space.auto_dt_limit(ops, G, nu), scheme.auto_dt_limit(ops, G, T)):
            dt = min(dt, limit)
            rule += text.format(dt=dt)
        steps = whole_steps(T, dt)
        rule += f", rounded to {steps} steps"
    else:
        steps = whole_steps(T, float(t["dt"]), given=True)
        rule = "given (rounded to a whole number of steps)"
    times = np.linspace(0.0, T, steps + 1)
    system = MFGSystem(ops, times, m0, G, kappa, theta=scheme.theta)
    settings = OuterSettings(tol=mfg["tol"], max_iterations=mfg["max_iterations"], damping=mfg["damping"])
    return MFGProblem(case, grid, bcs, system, exact, solver, settings, T / steps, rule, times, space, scheme)


def solve_mfg(problem: MFGProblem, hooks: RunHooks | None = None) -> MFGRun:
    """The registered outer solver with the run's hooks (progress by iteration with the last residuals,
    checkpoints, a resumed iterate); the progress is opened before the timer starts and closed however the
    solve ends."""
    hooks = RunHooks() if hooks is None else hooks
    hooks.progress.open(total=problem.settings.max_iterations, initial=0, unit="it",
                        desc=f"{problem.case.name} ({problem.solver.name})")
    try:
        start = time.perf_counter()
        solution = problem.solver.solve(problem.system, problem.settings, hooks)
        run_s = time.perf_counter() - start
    finally:
        hooks.progress.close()
    return MFGRun(solution, problem.output_times, 0.0, 0.0, run_s, problem.system.steps)
