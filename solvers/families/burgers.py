"""Viscous Burgers for the score (``u_t = nu u_xx + u u_x`` and its VP and textbook forms, 1D; the
irrotational vector system in 2D; ANALYTIC §4-5): case rules, run size, assembly, time loop and analysis."""
from __future__ import annotations

from ..analysis.burgers import analyse_burgers
from ..analysis.final_errors import burgers_final_errors
from ..config.case import Case
from ..config.consistency import CaseRules
from ..config.limits import RunSize, check_vp_horizon
from ..equations.advection import BURGERS_SPACE_SCHEMES
from ..hooks import RunHooks
from ..integrators.split_schemes import BURGERS_TIME_SCHEMES
from ..integrators.time_loop import integrate
from ..problems.burgers_problem import build_burgers_problem
from .base import EquationFamily
from .sizes import snapshot_size


def check_method(case: Case, bcs) -> None:
    """Schemes resolve and fit the dimension, form and boundaries; data kinds and the VP process."""
    method, grid, data, process, dim = case["method"], case["grid"], case["data"], case["process"], case.dim
    space = BURGERS_SPACE_SCHEMES.get(method["space"], "method.space")
    scheme = BURGERS_TIME_SCHEMES.get(method["time"], "method.time")
    if dim not in space.dims:
        allowed = [n for n in BURGERS_SPACE_SCHEMES.names() if dim in BURGERS_SPACE_SCHEMES.get(n).dims]
        raise case.error("method.space", space.name, ", ".join(allowed) + f" (dimension = {dim})")
    if dim == 2 and method["advection_form"] not in space.forms_2d:
        allowed = [n for n in BURGERS_SPACE_SCHEMES.names()
                   if method["advection_form"] in BURGERS_SPACE_SCHEMES.get(n).forms_2d]
        raise case.error("method.space", space.name, ", ".join(allowed) +
                         f" (method.advection_form = {method['advection_form']!r})")
    periodic = all(bc.periodic for bc in bcs)
    if space.kind == "spectral" and not periodic:
        raise case.error("method.space", "spectral", "a finite-difference scheme (spectral needs grid.boundary = "
                         "\"periodic\")", reason=f"grid.boundary is {grid['boundary']!r}")
    if data["kind"] == "sine":
        raise case.error("data.kind", "sine", "gaussian_mixture, double_well, travelling_shock (equation = 'burgers')")
    if data["kind"] in ("double_well", "travelling_shock") and dim != 1:
        raise case.error("data.kind", data["kind"], "gaussian_mixture (dimension = 2)")
    if data["kind"] == "double_well" and any(bc.kind not in ("extrapolate",) for bc in bcs):
        raise case.error("grid.boundary", grid["boundary"], "extrapolate (data.kind = 'double_well': its exact "
                         "score is a quadrature, too slow for per-stage boundary data)")
    if data["kind"] == "travelling_shock" and any(bc.kind not in ("exact", "extrapolate") for bc in bcs):
        raise case.error("grid.boundary", grid["boundary"], "exact, extrapolate (data.kind = 'travelling_shock')")
    if data["kind"] == "gaussian_mixture" and any(bc.kind in ("dirichlet", "neumann", "zero_flux") for bc in bcs):
        raise case.error("grid.boundary", grid["boundary"], "exact, extrapolate, periodic (the score grows linearly "
                         "at the domain ends)")
    if process["kind"] == "vp":
        if dim != 1 or data["kind"] != "gaussian_mixture":
            raise case.error("process.kind", "vp", "ve (VP runs are 1D Gaussian mixtures)")
        if periodic:
            raise case.error("grid.boundary", grid["boundary"], "exact, extrapolate (VP's drift -x/2 is not periodic)")
        if method["nu"] != 0.5:
            raise case.error("method.nu", method["nu"], "0.5 (VP: the diffusivity is beta(t)/2)")
        if process["schedule"] == "constant" and process["beta"] <= 0:
            raise case.error("process.beta", process["beta"], "a positive number")
        if process["schedule"] == "linear" and not 0 <= process["beta_min"] < process["beta_max"]:
            raise case.error("process.beta_max" if process["beta_min"] >= 0 else "process.beta_min",
                             [process["beta_min"], process["beta_max"]], "0 <= beta_min < beta_max")
        if process["schedule"] == "linear" and scheme.family == "etd":
            allowed = [n for n in BURGERS_TIME_SCHEMES.names() if BURGERS_TIME_SCHEMES.get(n).family != "etd"]
            raise case.error("method.time", "etdrk4", ", ".join(allowed) + " (VP linear schedule)",
                             reason="ETD needs a time-independent linear part; the diffusivity is beta(t)/2")
        if method["crosscheck"]:
            raise case.error("method.crosscheck", True, "false (the Cole-Hopf cross-check runs the VE heat equation)")


def run_size(case: Case) -> RunSize:
    """State, score, exact score, exact density, errors, temporaries per snapshot; the cross-check's heat run."""
    n = 4 + 4 * case.dim
    if case["method"]["crosscheck"]:
        n += 6 + 2 * case.dim
    return snapshot_size(case, n)


def solve(problem, hooks: RunHooks):
    return integrate(problem, hooks)


def method_attrs(problem) -> dict:
    """The form of the integrated equation, its variable and the advective Courant limit."""
    mc = problem.case["method"]
    return dict(diffusion=problem.derivative_scheme, variable=mc["variable"],
                advection_form=mc["advection_form"] if problem.grid.dim == 2 else "conservative flux",
                process=problem.case["process"]["kind"], courant_limit=problem.courant_limit,
                equation_form="w_t = nu w_xx - (c2 w^2 + c1 x w)_x; score: c2 = -1/2 (VE), "
                              "VP: nu = beta/2, c2 = c1 = -beta/2")


FAMILY = EquationFamily(
    name="burgers",
    description="viscous Burgers equation of the score u = grad log p (1D; 2D irrotational vector system)",
    rules=CaseRules(check_method, "burgers"),
    run_size=run_size,
    build=build_burgers_problem,
    solve=solve,
    analyse=analyse_burgers,
    space_schemes=BURGERS_SPACE_SCHEMES,
    time_schemes=BURGERS_TIME_SCHEMES,
    horizon_check=check_vp_horizon,
    method_attrs=method_attrs,
    final_errors=burgers_final_errors,
    advection_explicit=True,
)
