"""Errors of a final state against the closed form, for the convergence and work-precision studies of the
initial-value families (stated on their :class:`~solvers.families.EquationFamily` entries)."""
from __future__ import annotations

import numpy as np

from ..measurements.derivatives import score_from_density


def heat_final_errors(problem, final: np.ndarray, t_end: float) -> dict:
    """The relative L2 error of the density and the max score error where ``p > density_floor * max p``."""
    grid, exact = problem.grid, problem.exact
    X = grid.coordinates()
    p_exact = exact.density(X, t_end)
    errors = {"density_l2_error": float(np.linalg.norm(final - p_exact) / np.linalg.norm(p_exact))}
    if exact.has_score:
        u = score_from_density(final, grid.spacing, problem.space.name, problem.periodic)
        err = np.abs(u - exact.score(X, t_end))
        if grid.dim == 2:
            err = np.linalg.norm(err, axis=-1)
        region = p_exact > problem.case["measure"]["density_floor"] * p_exact.max()
        errors["score_linf_error"] = float(np.nanmax(np.where(region, err, 0.0)))
    return errors


def burgers_final_errors(problem, w_end: np.ndarray, t_end: float) -> dict:
    """Relative L2 and max errors of the computed score at the final time where ``p`` is resolved."""
    X = problem.grid.coordinates()
    u, u_exact = problem.score_of(w_end), problem.exact.score(X, t_end)
    err = np.abs(u - u_exact) if problem.grid.dim == 1 else np.linalg.norm(u - u_exact, axis=-1)
    mag = np.abs(u_exact) if problem.grid.dim == 1 else np.linalg.norm(u_exact, axis=-1)
    if getattr(problem.exact, "has_density", True) and getattr(problem.exact, "cheap", True) \
            and not hasattr(problem.exact, "interface"):
        p = problem.exact.density(X, t_end)
        region = p > problem.case["measure"]["density_floor"] * p.max()
    else:
        region = np.ones(err.shape, dtype=bool)
    return {"score_l2_error": float(np.linalg.norm(err[region]) / np.linalg.norm(mag[region])),
            "score_linf_error": float(err[region].max())}
