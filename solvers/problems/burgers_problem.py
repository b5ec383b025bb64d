"""Assembly of a runnable Burgers problem from a validated case: grid, boundaries, operator, scheme, ``dt``.

``dt = "auto"`` combines the two limits of the explicit parts (ANALYTIC.md conventions; ``h_d`` the spacing):

* advective: the Courant number ``sum_d max|f'_d| dt / h_d <= C``, ``C = cfl(space) * cfl(time)``, with the
  speeds ``f' = 2 c2 w + c1 x`` the largest of the exact field's at 17 equally spaced times of the run (the
  start only for quadrature references); VP speeds grow with ``beta(t)``;
* diffusive (explicit time schemes only): ``dt rho(L) <= I``, ``I`` the real stability interval of the tableau
  and ``rho(L) = nu * r * sum_d 1/h_d^2`` (``r = 4``, ``16/3``, ``pi^2``; VP: the largest ``nu = beta/2``).

Explicit schemes use ``dt = safety / (a/C + rho/I)`` with ``a = sum_d max|f'_d|/h_d`` (both limits at once);
implicit-diffusion schemes (IMEX, CNAB, ETD) ``dt = safety * C / a``. A given ``dt`` above the limit is
refused (exit 3) unless ``time.check_stability = false``; during the run the Courant number of every saved
state is checked against ``C`` and a violation stops the run (exit 3) with time, step, place and limit.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..closed_forms.double_well import DoubleWell
from ..closed_forms.vp import make_schedule
from ..equations.advection import BURGERS_SPACE_SCHEMES, AdvectionScheme
from ..equations.burgers import Coefficients, FluxBurgers1D, SpectralBurgers, VectorBurgers2D
from ..equations.space import SPACE_SCHEMES
from ..errors import NumericalFailure
from ..grids import UniformGrid
from ..integrators.split_schemes import BURGERS_TIME_SCHEMES, SplitTimeScheme
from ..integrators.split_steppers import make_split_stepper
from ..measurements.modes import count_modes
from .burgers_exact import DoubleWellScore, MixtureScore, TravellingShock, VPMixtureScore
from ..config.case import Case
from .exact import exact_solution
from ..config.limits import check_steps
from .base import OnGrid, grid_and_boundaries, save_times
from .semi_discrete import SemiDiscrete, burgers_system


@dataclass
class BurgersProblem(OnGrid):
    case: Case
    grid: UniformGrid
    bcs: list
    space: AdvectionScheme
    diffusion: object
    scheme: SplitTimeScheme
    nu: float
    coefficients: Coefficients
    operator: object
    exact: object
    dt: float
    dt_rule: str
    output_times: np.ndarray
    courant_limit: float
    _steppers: dict = field(default_factory=dict)

    family = "burgers"

    @property
    def derivative_scheme(self) -> str:
        """Difference operator of the measurements (``u_x``, curl): the diffusion stencil, or Fourier."""
        return "spectral" if self.space.kind == "spectral" else self.diffusion.name

    @property
    def space_order(self) -> float:
        """Formal order of the semi-discretisation: the advective scheme's and the diffusion stencil's minimum."""
        if self.space.kind == "spectral":
            return np.inf
        return float(min(self.space.order, self.diffusion.order))

    @property
    def dt_scaling(self) -> float:
        """Exponent ``q`` in ``dt ~ h^q`` of the ``dt = "auto"`` rule (2: diffusive limit, 1: advective)."""
        return 2.0 if "diffusive-limited" in self.dt_rule else 1.0

    @property
    def sign(self) -> float:
        return self.coefficients.sign

    def exact_state(self, t: float) -> np.ndarray:
        """The integrated variable ``w`` at ``t`` on the grid (2D: shape ``(2, nx, ny)``)."""
        w = self.exact.state(self.grid.coordinates(), t)
        return np.ascontiguousarray(np.moveaxis(w, -1, 0) if self.grid.dim == 2 else w, dtype=float)

    def initial_condition(self) -> np.ndarray:
        return self.exact_state(self.output_times[0])

    def steps_between(self, t0: float, t1: float) -> tuple[int, float]:
        """Equal steps no longer than ``dt``; the step is rounded to 12 digits so equal save intervals share
        one stepper (and its factorisations / ETD tables) despite floating-point noise in ``t1 - t0``."""
        n = max(1, int(np.ceil((t1 - t0) / self.dt * (1 - 1e-12))))
        return n, float(f"{(t1 - t0) / n:.12g}")

    def semi_discrete(self) -> SemiDiscrete:
        """``dy/dt = F(t, y)`` of the same spatial discretisation (the work-precision peer's system)."""
        return burgers_system(self)

    def side(self, mixture) -> "BurgersProblem":
        """The same grid, boundaries and schemes for a sub-mixture of the data: the score ``u_i`` of a side
        ``p_i`` of the binary split, a Burgers solution of its own (ANALYTIC §3, §7). Its ``dt`` follows the same
        rule for its own speeds (far from its components a side's score is steeper than the mixture's)."""
        exact = self.exact.restricted(mixture)
        operator = _operator(self.case, self.grid, self.bcs, self.space, self.diffusion, self.coefficients, exact)
        side = replace(self, exact=exact, operator=operator, _steppers={})
        dt, rule = _choose_dt(side, "auto")
        side.dt, side.dt_rule = (self.dt, self.dt_rule) if self.dt <= dt else (dt, rule)
        return side

    def stepper(self, dt: float):
        key = float(dt)
        if key not in self._steppers:
            self._steppers[key] = make_split_stepper(self.operator, self.scheme, key)
        return self._steppers[key]

    # -- measurements of the state ----------------------------------------------------------------------
    def score_of(self, w: np.ndarray) -> np.ndarray:
        """``grad log p`` from the state (``w = sigma k grad log p``); 2D: trailing vector axis."""
        u = w / (self.sign * self.exact.factor)
        return np.moveaxis(u, -3, -1) if self.grid.dim == 2 else u

    def count_modes(self, w: np.ndarray, t: float) -> int:
        """Modes of ``p`` from the computed score: zeros where the exact density is resolved (1D)."""
        p = self.exact.density(self.grid.axes[0], t)
        floor = self.case["measure"]["density_floor"]
        return count_modes(self.score_of(w)[p > floor * p.max()])

    # -- stability --------------------------------------------------------------------------------------
    def speeds(self, w: np.ndarray, t: float) -> np.ndarray:
        """``max |f'|`` per axis of a physical state."""
        _, c2, c1 = self.coefficients.at(t)
        if self.grid.dim == 1:
            return np.array([np.abs(2 * c2 * w + c1 * self.grid.axes[0]).max()])
        return np.array([np.abs(2 * c2 * w[0]).max(), np.abs(2 * c2 * w[1]).max()])

    def courant(self, w, t, dt) -> float:
        return float(dt * np.sum(self.speeds(w, t) / np.asarray(self.grid.spacing)))

    def check_cfl(self, w, t, step, dt) -> None:
        c = self.courant(w, t, dt)
        if c > self.courant_limit * (1 + 1e-9) and self.case["time"]["check_stability"]:
            idx = np.unravel_index(np.argmax(np.abs(w)), w.shape)
            where, _ = self.describe_failure(tuple(int(i) for i in idx))
            raise NumericalFailure("advective CFL violated", time=t, step=step, where=where,
                                   limit=f"Courant number sum max|f'| dt/h = {c:.4g} > {self.courant_limit:.4g} "
                                         f"({self.space.name} x {self.scheme.name}); lower time.dt or use \"auto\"")

    def describe_failure(self, idx: tuple) -> tuple[str, str]:
        if self.grid.dim == 1:
            where = f"grid point ({idx[0]},) (x = {self.grid.axes[0][idx[0]]:.6g})"
        else:
            c, i, j = idx
            where = (f"component {c}, grid point ({i}, {j}) (x = {self.grid.axes[0][i]:.6g}, "
                     f"y = {self.grid.axes[1][j]:.6g})")
        limits = [f"advective: Courant number <= {self.courant_limit:.4g}"]
        if self.scheme.explicit:
            rho = self.operator.diffusive_radius(self.output_times[-1])
            limits.append(f"diffusive: dt * rho(L) <= {self.scheme.stability_interval:.4g} (rho(L) = {rho:.6g})")
        return where, f"{'; '.join(limits)} at dt = {self.dt:.6g}"


def _schedule(process):
    if process["schedule"] == "constant":
        return make_schedule("constant", beta=process["beta"])
    return make_schedule("linear", beta_min=process["beta_min"], beta_max=process["beta_max"])


def _exact(case: Case, periodic: bool, sign: float):
    data, nu = case["data"], case["method"]["nu"]
    if data["kind"] == "travelling_shock":
        return TravellingShock(data["speed"], data["amplitude"], data["position"], nu, sign)
    if data["kind"] == "double_well":
        return DoubleWellScore(DoubleWell(data["eps"]), nu, sign)
    base = exact_solution(case, periodic=periodic)
    if case["process"]["kind"] == "vp":
        return VPMixtureScore(base.mixture, _schedule(case["process"]), sign)
    return MixtureScore(base, sign)


def build_burgers_problem(case: Case) -> BurgersProblem:
    m = case["method"]
    grid, bcs = grid_and_boundaries(case)
    space = BURGERS_SPACE_SCHEMES.get(m["space"], "method.space")
    scheme = BURGERS_TIME_SCHEMES.get(m["time"], "method.time")
    sign = 1.0 if m["variable"] == "score" else -1.0
    vp = case["process"]["kind"] == "vp"
    coefficients = Coefficients(sign, m["nu"], _schedule(case["process"]) if vp else None)
    exact = _exact(case, all(bc.periodic for bc in bcs), sign)
    diffusion = SPACE_SCHEMES.get(m["diffusion"], "method.diffusion")
    operator = _operator(case, grid, bcs, space, diffusion, coefficients, exact)
    output_times = save_times(case)
    problem = BurgersProblem(case, grid, bcs, space, diffusion, scheme, m["nu"], coefficients, operator, exact,
                             np.nan, "", output_times, space.cfl * scheme.cfl)
    problem.dt, problem.dt_rule = _choose_dt(problem)
    check_steps(case, problem.dt, problem.dt_rule)
    return problem


def _operator(case: Case, grid, bcs, space, diffusion, coefficients, exact):
    """Fourier, the 1D flux form or the 2D vector form; ``exact`` ghost values (2D: the closure picks the
    component) and their rates from ``exact``."""
    values, rates = exact.state, getattr(exact, "state_rate", None)
    if space.kind == "spectral":
        return SpectralBurgers(grid, coefficients)
    if case.dim == 1:
        return FluxBurgers1D(grid, bcs, space, diffusion, coefficients, boundary_values=values, boundary_rates=rates)
    return VectorBurgers2D(grid, bcs, space, diffusion, coefficients, case["method"]["advection_form"],
                           boundary_values=values, boundary_rates=rates)


def _choose_dt(problem: BurgersProblem, given=None) -> tuple[float, str]:
    """``given``: the ``time.dt`` setting (default: the case's)."""
    t = dict(problem.case["time"])
    if given is not None:
        t["dt"] = given
    t0, t1 = problem.output_times[0], problem.output_times[-1]
    h = np.asarray(problem.grid.spacing)
    probe = np.linspace(t0, t1, 17) if getattr(problem.exact, "cheap", True) else (t0,)
    adv = max(float(np.sum(problem.speeds(problem.exact_state(s), s) / h)) for s in probe)
    C = problem.courant_limit
    scheme = problem.scheme
    if scheme.explicit:
        rho = max(problem.operator.diffusive_radius(s) for s in probe)
        limit = 1.0 / (adv / C + rho / scheme.stability_interval)
        regime = "diffusive-limited" if rho / scheme.stability_interval > adv / C else "advective-limited"
        rule = (f"explicit ({regime}): 1/(a/C + rho/I), a = sum max|f'|/h = {adv:.6g}, C = {C:g}, "
                f"rho(L) = {rho:.6g}, I = {scheme.stability_interval:.6g}")
    else:
        limit = C / adv if adv > 0 else np.inf
        rule = f"advective CFL: C/a, a = sum max|f'|/h = {adv:.6g}, C = {C:g} (diffusion implicit)"
    if not np.isfinite(limit):
        limit = (t1 - t0) / 100.0
    if t["dt"] != "auto":
        dt = float(t["dt"])
        if t["check_stability"] and dt > limit:
            raise NumericalFailure(
                f"time.dt = {dt:.6g} exceeds the stability limit of {problem.space.name} + {scheme.name}",
                time=t0, step=0, where="whole grid (fastest wave / mode)",
                limit=f"dt <= {limit:.6g} ({rule}); set time.dt = \"auto\" or smaller")
        return dt, "given"
    return t["safety"] * limit, f"safety {t['safety']} x " + rule
