"""Measurements of a finished heat run and their comparison with the closed forms (ANALYTIC.md §3, §7).

The shared machinery (interface series, comparison policy) is :mod:`solvers.analysis.common`.

From the saved densities the run forms the score ``grad log p`` with its own difference operator, then:

* interface series (mixtures with >= 2 components): at every save, a tanh fit of the score along the interface
  normal (1D: ``x``) gives ``interface_width`` and ``interface_position``; the speciation indicator ``D`` is the
  derivative of the computed normal score at the fitted centre. References: the closed-form ``ell = 2/|grad r|``,
  the interface ``r = 0`` and ``D = n.(grad u) n`` of the binary split of the components (ANALYTIC §3).
* ``speciation_time``: first + to - root of a cubic spline through ``D(t)``; reference: root of the exact ``D``.
* ``mode_merge_time`` (1D): the saves bracket the first time the computed density has one mode; the bracket is
  bisected by re-integrating from the earlier save (``merge_tolerance``); reference: the fold ``u = u_x = 0``.
* errors at the measurement times: ``score_linf_error`` where ``p > density_floor * max p``,
  ``layer_linf_error`` inside ``|s - x0| < 3 ell``, ``density_l2_error`` (relative discrete L2) and
  ``mass_error`` (relative; against the initial mass when the boundaries conserve it, else against the
  midpoint-rule mass of the closed form).
"""
from __future__ import annotations


import numpy as np

from ..measurements.derivatives import score_from_density
from ..problems.exact import MixtureSolution
from .common import (Analysis, begin, finish, masked_linf, mode_merge_reintegrated, pointwise_error,
                     resolved)
from .speciation import measure_interface


def analyse_heat(problem, integration) -> Analysis:
    out, comparer, idx, at = begin(problem, integration.times)
    grid, exact, case = problem.grid, problem.exact, problem.case
    X = grid.coordinates()
    t_all = integration.times
    P = integration.fields
    scheme = problem.space.name
    P_exact = np.stack([exact.density(X, t) for t in t_all])
    out.fields.update(t=t_all, density=P, density_exact=P_exact)

    if exact.has_score:
        U = score_from_density(P, grid.spacing, scheme, problem.periodic, leading=1)
        U_exact = np.stack([exact.score(X, t) for t in t_all])
        out.fields.update(score=U, score_exact=U_exact)
        region = resolved(P_exact, case["measure"]["density_floor"])
        # a NaN score where p is resolved (p_h <= 0 there) must fail the comparison
        linf = masked_linf(pointwise_error(U, U_exact, grid.dim), region, idx, nan="fail")
        comparer.add("score_linf_error", linf, np.zeros_like(linf),
                     f"max |grad log p_h - u| where p > {case['measure']['density_floor']:g} max p "
                     f"(score by the {scheme} derivative of log p_h)", at=at)
    l2 = np.array([np.linalg.norm(P[j] - P_exact[j]) / np.linalg.norm(P_exact[j]) for j in idx])
    comparer.add("density_l2_error", l2, np.zeros_like(l2), "relative discrete L2 norm of p_h - p", at=at)
    _mass(problem, P, P_exact, idx, at, comparer, out)

    if isinstance(exact, MixtureSolution) and exact.mixture.n_components >= 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            log_p = np.where(P >= 0, np.log(np.abs(P)), np.nan)     # -inf where p underflows
        measure_interface(problem, out, comparer, idx, out.fields["score"], log_p)
        if grid.dim == 1 and not problem.periodic[0]:
            mode_merge_reintegrated(problem, integration, out, comparer)
    return finish(out, comparer)


def _mass(problem, P, P_exact, idx, at, comparer, out):
    grid = problem.grid
    mass = np.array([grid.integrate(p) for p in P])
    out.series["mass"] = mass
    out.series["min_density"] = P.reshape(P.shape[0], -1).min(axis=1)
    if all(bc.conservative for bc in problem.bcs):
        ref, how = np.full_like(mass, mass[0]), "relative drift of the midpoint-rule mass h*sum(p) (conserving boundaries)"
    else:
        ref = np.array([grid.integrate(p) for p in P_exact])
        how = "relative difference of h*sum(p_h) and h*sum(p) (mass through the boundaries)"
    out.reference_series["mass"] = ref
    err = np.abs(mass[idx] - ref[idx]) / np.abs(ref[idx])
    comparer.add("mass_error", err, np.zeros_like(err), how, at=at)
