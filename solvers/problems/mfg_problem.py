"""Assembly of an MFG problem from a validated case (ANALYTIC.md §6), its exact solution, and the solve.

Terminal costs (``[mfg] terminal``):

* ``data_log_density`` (§6a, score-based generation): ``G = -log p_0`` of the ``[data]`` mixture,
  ``m_0 = p_T`` (the data noised to ``tau = T``), ``F = 0``, ``nu = 1/2``. Exact: ``m(t) = p_{T-t}``,
  ``phi(t) = -log p_{T-t}``, optimal drift ``-grad phi = u(T - t)`` (the score).
* ``quadratic`` (§6b): ``G = (c/2)|x - x_T|^2``, ``m_0`` the ``[data]`` mixture; with ``coupling =
  "mean_quadratic"``, ``F = (kappa/2)|x - mbar(t)|^2``. Exact: :class:`~solvers.closed_forms.lq_mfg.LQMeanFieldGame`.

``dt = "auto"``: the monotone scheme is first order in space and time, so the step balances the two errors,
``dt = min(h) * dt_per_h`` (default 1, case key ``[mfg] dt_per_h``); ``crank_nicolson`` also keeps its explicit
half positive (``dt <= 0.9 x 2 / max diag(-nu Lap_h + L_G^T)``, a parabolic ``dt ~ h^2 / nu`` restriction:
the price of second order in time with a monotone space scheme); the spectral variant keeps its explicit
Hamiltonian stable (``dt <= nu / max|grad G|^2``). Rounded so the horizon is a whole number of steps.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..closed_forms.lq_mfg import LQMeanFieldGame
from ..closed_forms.mixture import GaussianMixture, PeriodicGaussianMixture
from ..equations.mfg import MFG_SPACE_SCHEMES, MFGOperators
from ..equations.mfg_spectral import SpectralMFGOperators
from ..grids import UniformGrid, boundary_from_spec
from ..integrators.mfg_solvers import MFG_SOLVERS, MFG_TIME_SCHEMES, MFGSolution, MFGSystem
from .case import Case


class GenerativeMFGExact:
    """§6a: ``m(t) = p_{T-t}``, ``phi = -log p_{T-t}``; VE time ``tau = T - t`` (``nu = 1/2``)."""

    time_reversed = True

    def __init__(self, mixture: GaussianMixture, T: float):
        self.mixture, self.T, self.nu = mixture, float(T), 0.5

    def tau(self, t):
        return self.T - np.asarray(t, dtype=float)

    def t_of_tau(self, tau):
        return self.T - np.asarray(tau, dtype=float)

    def scale(self, t):
        return 1.0

    def density(self, x, t):
        return self.mixture.density(x, float(self.tau(t)))

    def phi(self, x, t):
        return -self.mixture.log_density(x, float(self.tau(t)))

    def grad_phi(self, x, t):
        return -self.mixture.score(x, float(self.tau(t)))

    def score(self, x, t):
        """The score of ``m(t)``: ``grad log p_{T-t}`` (= the optimal drift ``-grad phi``)."""
        return self.mixture.score(x, float(self.tau(t)))


class LQExact:
    """§6b through :class:`LQMeanFieldGame`."""

    time_reversed = False

    def __init__(self, game: LQMeanFieldGame):
        self.game = game

    def density(self, x, t):
        return self.game.density(x, t)

    def phi(self, x, t):
        return self.game.phi(x, t)

    def grad_phi(self, x, t):
        return self.game.grad_phi(x, t)


@dataclass
class MFGProblem:
    case: Case
    grid: UniformGrid
    bcs: list
    system: MFGSystem
    exact: object
    solver: object
    settings: dict
    dt: float
    dt_rule: str
    output_times: np.ndarray
    space: object
    scheme: object

    equation = "mfg"
    derivative_scheme = "central2"

    @property
    def periodic(self):
        return [bc.periodic for bc in self.bcs]

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
    g, t, mfg = case["grid"], case["time"], case["mfg"]
    grid = UniformGrid(g["lower"], g["upper"], g["points"])
    bcs = boundary_from_spec(g["boundary"], case.dim, g["boundary_value"])
    T, nu = float(t["stop"]), float(mfg["nu"])
    spectral = case["method"]["space"] == "spectral"
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
    ops = SpectralMFGOperators(grid, nu) if spectral else MFGOperators(grid, bcs, nu, phi_boundary=exact.phi)
    if t["dt"] == "auto":
        dt = min(grid.spacing) * mfg["dt_per_h"]
        rule = f"first order in space and time: dt = min(h) x {mfg['dt_per_h']:g}"
        if spectral:      # explicit H with implicit diffusion: |1 + i a k dt| / (1 + nu k^2 dt) <= 1 needs dt <= 2 nu / a^2
            a = ops.max_speed(G)
            dt = min(dt, nu / a ** 2)
            rule += f"; spectral IMEX limit dt <= nu / max|grad G|^2 (max|grad G| = {a:.4g})"
        if case["method"]["time"] == "crank_nicolson":
            # positivity of the explicit half (I/dt - A/2): dt <= 2 / max diag(A), A = -nu Lap_h + L_G^T
            grads = ops.gradients(G, ops.phi_offsets(T)[0])
            A = (ops.transport(grads) - ops.lap_fp).diagonal()
            dt = min(dt, 0.9 * 2.0 / float(A.max()))
            rule += f"; Crank-Nicolson positivity dt <= 0.9 x 2/max diag(-nu Lap + L_G^T) = {dt:.4g}"
        steps = max(2, int(np.ceil(T / dt)))
        rule += f", rounded to {steps} steps"
    else:
        steps = max(2, int(np.ceil(T / float(t["dt"]) - 1e-9)))
        rule = "given (rounded to a whole number of steps)"
    times = np.linspace(0.0, T, steps + 1)
    theta = 0.5 if case["method"]["time"] == "crank_nicolson" else 1.0
    system = MFGSystem(ops, times, m0, G, kappa, theta=theta)
    settings = {k: mfg[k] for k in ("tol", "max_iterations", "damping")}
    return MFGProblem(case, grid, bcs, system, exact, MFG_SOLVERS.get(mfg["solver"], "mfg.solver"), settings,
                      T / steps, rule, times, MFG_SPACE_SCHEMES.get(case["method"]["space"], "method.space"),
                      MFG_TIME_SCHEMES.get(case["method"]["time"], "method.time"))


def solve_mfg(problem: MFGProblem, progress: bool | None = None) -> MFGRun:
    """The outer iteration, with a tqdm bar of iterations and the last residual on a terminal."""
    from tqdm import tqdm

    from ..progress import show_progress
    start = time.perf_counter()
    with tqdm(total=problem.settings["max_iterations"], disable=not show_progress(progress), unit="it",
              desc=f"{problem.case.name} ({problem.solver.name})") as bar:
        def on_iteration(history):
            last = {k: v[-1] for k, v in history.items() if v}
            bar.update(1)
            bar.set_postfix({k: f"{v:.2e}" for k, v in last.items()}, refresh=False)
        solution = problem.solver.solve(problem.system, dict(problem.settings, on_iteration=on_iteration))
    run_s = time.perf_counter() - start
    return MFGRun(solution, problem.output_times, 0.0, 0.0, run_s, problem.system.steps)
