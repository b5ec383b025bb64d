"""The Cole-Hopf route of a Burgers case: the same data through the heat solver, ``u = grad log p``.

For VE data ``p_t = nu Lap p`` and ``w = sigma 2 nu grad log p`` solves the Burgers system (ANALYTIC.md §1, §5),
so a heat run on the same grid, with the Burgers run's diffusion stencil (or the Fourier operator with the
exact integrating factor) and RK4 at its stability limit, gives an independent score. Boundaries: periodic
stays periodic; ``exact`` and ``extrapolate`` become exact Dirichlet data of the density (mixtures, the
travelling shock's Cole-Hopf ``theta``), except for the double well whose density is negligible at the domain
ends (zero flux there; its closed form is a quadrature, too slow for per-stage data).
"""
from __future__ import annotations

import numpy as np

from ..equations.heat import SpectralDiffusion, StencilDiffusion
from ..grids import BoundaryCondition
from ..integrators import TIME_SCHEMES
from ..measurements.derivatives import score_from_density
from ..problems.burgers_exact import DoubleWellScore, TravellingShock
from ..problems.heat_problem import HeatProblem
from ..integrators.time_loop import integrate

SAFETY = 0.9


def cole_hopf_scores(problem, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores ``grad log p_heat`` at ``times`` (score layout of the Burgers analysis) and the resolved region."""
    grid, exact, case, nu = problem.grid, problem.exact, problem.case, problem.nu
    t0 = float(problem.output_times[0])
    if problem.space.kind == "spectral":
        bcs = problem.bcs
        operator, scheme, space = SpectralDiffusion(grid, nu), TIME_SCHEMES.get("integrating_factor"), None
        dt = float(np.diff(np.concatenate([[t0], times])).max())
    else:
        wall = "zero_flux" if isinstance(exact, DoubleWellScore) else "exact"
        bcs = [bc if bc.periodic else BoundaryCondition(wall) for bc in problem.bcs]
        operator = StencilDiffusion(grid, bcs, problem.diffusion, nu, boundary_values=exact.density,
                                    boundary_rates=exact.density_rate if hasattr(exact, "density_rate") else None)
        scheme, space = TIME_SCHEMES.get("rk4"), problem.diffusion
        dt = SAFETY * scheme.stability_interval / operator.spectral_radius
    heat = HeatProblem(case, grid, bcs, space, scheme, nu, operator, exact, dt, "cross-check",
                       np.unique(np.concatenate([[t0], times])))
    P = integrate(heat).fields
    keep = [int(np.argmin(np.abs(heat.output_times - t))) for t in times]
    P = P[keep]
    U = score_from_density(P, grid.spacing, problem.derivative_scheme, problem.periodic, leading=1)
    if isinstance(exact, TravellingShock):
        region = np.ones(P.shape, dtype=bool)
    else:
        floor = case["measure"]["density_floor"]
        region = P > floor * P.reshape(len(times), -1).max(axis=1).reshape((-1,) + (1,) * grid.dim)
    return U, region
