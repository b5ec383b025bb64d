"""Assembly of a runnable heat problem from a validated case: grid, boundaries, operator, scheme, ``dt``.

``dt = "auto"``:

* explicit schemes: ``dt = safety * I / rho(L)`` with ``I`` the length of the scheme's real stability
  interval (2 for Euler, 2.785 for RK4) and ``rho(L)`` the spectral radius of the discrete operator
  (``nu * r * sum_d 1/h_d^2``; ``r = 4`` for central2, ``16/3`` for central4, ``pi^2`` for spectral).
* implicit schemes (no stability limit): an accuracy-based step ``dt = accuracy^(1/p) * t_char`` with ``p``
  the scheme's order and ``t_char`` the fastest physical time scale of the data, ``t_char = l^2 / (2 nu)``
  with ``l`` the narrowest component's standard deviation at the start (mixtures) or ``1/|k|`` (sine data):
  the local relative error per unit ``t_char`` is then about ``accuracy``.
* the integrating factor is exact: one step per save interval.

Every save interval is then cut into an integer number of equal steps no longer than that ``dt``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..equations.heat import SpectralDiffusion, StencilDiffusion
from ..equations.space import SPACE_SCHEMES, SpaceScheme
from ..errors import NumericalFailure
from ..grids import UniformGrid
from ..integrators import TIME_SCHEMES, TimeScheme
from ..integrators.steppers import Stepper, make_stepper
from ..config.case import Case
from .exact import MixtureSolution, exact_solution
from ..config.limits import check_steps
from ..measurements.modes import modes_of_density
from .base import OnGrid, grid_and_boundaries, save_times
from .semi_discrete import SemiDiscrete, heat_system


@dataclass
class HeatProblem(OnGrid):
    case: Case
    grid: UniformGrid
    bcs: list
    space: SpaceScheme
    scheme: TimeScheme
    nu: float
    operator: object
    exact: object
    dt: float
    dt_rule: str
    output_times: np.ndarray
    _steppers: dict = field(default_factory=dict)

    family = "heat"

    def initial_condition(self) -> np.ndarray:
        return np.ascontiguousarray(self.exact.density(self.grid.coordinates(), self.output_times[0]), dtype=float)

    def steps_between(self, t0: float, t1: float) -> tuple[int, float]:
        """Equal steps no longer than ``dt`` covering ``[t0, t1]``."""
        if self.scheme.kind == "exact":
            return 1, t1 - t0
        n = max(1, int(np.ceil((t1 - t0) / self.dt * (1 - 1e-12))))
        return n, (t1 - t0) / n

    def count_modes(self, p: np.ndarray, t: float) -> int:
        """Modes of the computed density (1D): zeros of its score where it is resolved."""
        return modes_of_density(p, self.grid.spacing[0], self.space.name, self.case["measure"]["density_floor"])

    def semi_discrete(self) -> SemiDiscrete:
        """``dy/dt = F(t, y)`` of the same spatial discretisation (the work-precision peer's system)."""
        return heat_system(self)

    def side(self, mixture) -> "HeatProblem":
        """The same grid, boundaries, schemes and ``dt`` for a sub-mixture of the data (a side ``p_i`` of the
        binary split, ANALYTIC §3 and §7: a heat solution of its own, evolved beside ``p``)."""
        exact = self.exact.restricted(mixture)
        return replace(self, exact=exact, operator=_operator(self.grid, self.bcs, self.space, self.nu, exact),
                       _steppers={})

    def stepper(self, dt: float) -> Stepper:
        """Built (factored) once per distinct ``dt`` and reused."""
        key = float(dt)
        if key not in self._steppers:
            self._steppers[key] = make_stepper(self.operator, self.scheme, key)
        return self._steppers[key]


def build_heat_problem(case: Case) -> HeatProblem:
    m = case["method"]
    grid, bcs = grid_and_boundaries(case)
    space = SPACE_SCHEMES.get(m["space"], "method.space")
    scheme = TIME_SCHEMES.get(m["time"], "method.time")
    nu = m["nu"]
    exact = exact_solution(case, periodic=all(bc.periodic for bc in bcs))
    operator = _operator(grid, bcs, space, nu, exact)
    output_times = save_times(case)
    dt, rule = _choose_dt(case, operator, scheme, exact, output_times)
    if scheme.kind != "exact":
        check_steps(case, dt, rule)
    return HeatProblem(case, grid, bcs, space, scheme, nu, operator, exact, dt, rule, output_times)


def _operator(grid, bcs, space: SpaceScheme, nu: float, exact):
    """The discrete ``nu Lap``: Fourier, or the stencil with its walls (``exact`` ghost values from ``exact``)."""
    if space.kind == "spectral":
        return SpectralDiffusion(grid, nu)
    return StencilDiffusion(grid, bcs, space, nu, boundary_values=exact.density, boundary_rates=exact.density_rate)


def _choose_dt(case: Case, operator, scheme: TimeScheme, exact, output_times) -> tuple[float, str]:
    t = case["time"]
    rho = operator.spectral_radius
    limit = scheme.stability_interval / rho
    if scheme.kind == "exact":
        return float(np.diff(output_times).max()), "exact integrating factor: one step per output interval"
    if t["dt"] != "auto":
        dt = float(t["dt"])
        if scheme.explicit and t["check_stability"] and dt > limit:
            raise NumericalFailure(
                f"time.dt = {dt:.6g} exceeds the explicit stability limit of {scheme.name}", time=t["start"], step=0,
                where="whole grid (fastest mode)",
                limit=f"dt * rho(L) <= {scheme.stability_interval:.6g}, i.e. dt <= {limit:.6g} "
                      f"(rho(L) = nu * r * sum 1/h^2 = {rho:.6g}); set time.dt = \"auto\" or smaller")
        return dt, "given"
    if scheme.explicit:
        return t["safety"] * limit, (f"explicit stability: safety {t['safety']} x {scheme.stability_interval:.6g}"
                                     f" / rho(L), rho(L) = {rho:.6g}")
    t_char = _characteristic_time(case, exact)
    return t["accuracy"] ** (1.0 / scheme.order) * t_char, (
        f"accuracy: accuracy^(1/{scheme.order:g}) x t_char, accuracy = {t['accuracy']:g}, t_char = {t_char:.6g}")


def _characteristic_time(case: Case, exact) -> float:
    nu = case["method"]["nu"]
    if isinstance(exact, MixtureSolution):
        var = exact.mixture.stds ** 2 + exact.tau(case["time"]["start"])
        return float(var.min() / (2 * nu))
    return float(1.0 / (nu * np.sum(np.asarray(exact.k) ** 2)))
