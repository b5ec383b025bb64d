"""Measurements of a finished Burgers run, on the computed score itself (ANALYTIC.md §3, §7).

The run integrates ``w = sigma k grad log p``; the measurements convert it to the score ``u = grad log p``
and then reuse the interface machinery of :mod:`solvers.analysis.common`:

* Gaussian mixtures: ``interface_width`` / ``interface_position`` (tanh fit along the normal), the speciation
  indicator ``D`` (the computed ``u_x`` at the fitted centre) and ``speciation_time`` (spline root),
  ``mode_merge_time`` (1D: zeros of the computed score, bisected by re-integration), ``score_linf_error``
  (where ``p > floor max p``), ``layer_linf_error`` (inside ``|s - x0| < 3 ell``); 2D: ``curl_linf``, the
  discrete curl ``D_x u_2 - D_y u_1`` of the computed field (the run's derivative operator) where the density
  is resolved, with the same curl of the sampled closed form stored beside it.
* the double well (§3d): the same fit around ``x = 0`` against the same fit of the quadrature score, and the
  speciation time against the root of §3d; quadrature references at the measurement times only.
* the travelling shock (§5): position ``x0 + c t`` and width ``2 nu / A`` by the tanh fit, score errors.
* ``score_crosscheck_linf`` (``method.crosscheck``): the score of the heat solver's density (Cole-Hopf route,
  ``grad log p`` by the diffusion stencil) against the Burgers score at the measurement times.
"""
from __future__ import annotations


import numpy as np
from scipy.interpolate import CubicSpline

from ..measurements.derivatives import derivative
from ..measurements.interface import fit_tanh, speciation_time
from ..problems.burgers_exact import DoubleWellScore, TravellingShock
from .common import (Analysis, begin, finish, masked_linf, mode_merge_reintegrated, pointwise_error,
                     resolved)
from .speciation import measure_interface
from .crosscheck import cole_hopf_scores


def analyse_burgers(problem, integration) -> Analysis:
    out, comparer, idx, at = begin(problem, integration.times)
    grid, exact, case = problem.grid, problem.exact, problem.case
    X = grid.coordinates()
    t_all = integration.times
    U = problem.score_of(integration.fields)
    floor = case["measure"]["density_floor"]
    out.fields.update(t=t_all, score=U)
    if getattr(exact, "cheap", True):
        U_exact = np.stack([exact.score(X, t) for t in t_all])
        out.fields["score_exact"] = U_exact
        if isinstance(exact, TravellingShock):
            region = np.ones(U.shape[:1 + grid.dim], dtype=bool)
        else:
            P_exact = np.stack([exact.density(X, t) for t in t_all])
            out.fields["density_exact"] = P_exact
            region = resolved(P_exact, floor)
        linf = masked_linf(pointwise_error(U, U_exact, grid.dim), region, idx, nan="skip")
    else:                     # quadrature reference at the measurement times only
        linf = _double_well_errors(problem, U, idx, out)
    where = "" if isinstance(exact, TravellingShock) else f" where p > {floor:g} max p"
    comparer.add("score_linf_error", linf, np.zeros_like(linf),
                 f"max |u_h - u| of the score u = grad log p = w/(sigma k){where} ({problem.space.name} + "
                 f"{problem.scheme.name})", at=at)

    if isinstance(exact, TravellingShock):
        _shock(problem, out, comparer, idx)
    elif isinstance(exact, DoubleWellScore):
        _double_wellinterface_series(problem, out, comparer, idx)
    elif exact.mixture.n_components >= 2:
        measure_interface(problem, out, comparer, idx, U, None)
        if grid.dim == 1 and not problem.periodic[0]:
            mode_merge_reintegrated(problem, integration, out, comparer)
    if grid.dim == 2:
        _curl(problem, out, comparer, idx)
    if case["method"]["crosscheck"]:
        _crosscheck(problem, U, out, comparer, idx)
    return finish(out, comparer)


def _curl(problem, out, comparer, idx):
    grid = problem.grid
    scheme, periodic = problem.derivative_scheme, problem.periodic

    def curl(V):
        return (derivative(V[..., 1], 1, grid.spacing[0], scheme, periodic[0])
                - derivative(V[..., 0], 2, grid.spacing[1], scheme, periodic[1]))

    U = out.fields["score"][idx]
    c_h, c_exact = np.abs(curl(U)), np.abs(curl(out.fields["score_exact"][idx]))
    P = out.fields["density_exact"][idx]
    floor = problem.case["measure"]["density_floor"]
    region = P > floor * P.reshape(len(idx), -1).max(axis=1)[:, None, None]
    meas = np.array([c_h[j][region[j]].max() for j in range(len(idx))])
    sampled = np.array([c_exact[j][region[j]].max() for j in range(len(idx))])
    out.series["curl_linf"] = np.full(out.fields["t"].size, np.nan)
    out.series["curl_linf"][idx] = meas
    comparer.add("curl_linf", meas, np.zeros_like(meas),
                 f"max |D_x u_2 - D_y u_1| ({scheme} differences) where p > {floor:g} max p; closed_form: the same "
                 "discrete curl of the sampled exact score (its truncation error)", at=out.fields["t"][idx],
                 closed_form=sampled)


def _shock(problem, out, comparer, idx):
    exact, x = problem.exact, problem.grid.axes[0]
    t_all, U = out.fields["t"], out.fields["score"]
    names = ("interface_width", "interface_position")
    meas, ref = ({k: np.full(t_all.size, np.nan) for k in names} for _ in range(2))
    closed = {k: np.full(t_all.size, np.nan) for k in names}
    window = problem.case["measure"]["fit_window"]
    amp = exact.A / (2 * exact.nu)
    for j, t in enumerate(t_all):
        pos, ell = exact.interface(t)
        closed["interface_position"][j], closed["interface_width"][j] = pos, ell
        r = fit_tanh(x, exact.score(x, t), pos, ell, amp, window)
        f = fit_tanh(x, U[j], pos, ell, amp, window)
        if r is None or f is None:
            continue
        ref["interface_width"][j], ref["interface_position"][j] = r.width, r.position
        meas["interface_width"][j], meas["interface_position"][j] = f.width, f.position
    out.series.update(meas)
    out.reference_series.update(ref)
    out.reference_series.update({f"{k}_closed_form": v for k, v in closed.items()})
    how = (f"least-squares tanh fit over |x - x0| < {window:g} ell; reference: the same fit of the exact shock "
           "(closed_form: x0 + c t and 2 nu / A)")
    for q in names:
        comparer.add(q, meas[q][idx], ref[q][idx], how, at=t_all[idx], closed_form=closed[q][idx])
    layer = []
    for j in idx:
        pos, ell = exact.interface(t_all[j])
        sel = np.abs(x - pos) < 3 * ell
        layer.append(np.abs(U[j] - out.fields["score_exact"][j])[sel].max())
    comparer.add("layer_linf_error", np.array(layer), np.zeros(len(layer)),
                 "max |u_h - u| inside |x - x0| < 3 ell", at=t_all[idx])


def _double_well_errors(problem, U, idx, out):
    exact, x = problem.exact, problem.grid.axes[0]
    floor = problem.case["measure"]["density_floor"]
    linf, refs = [], {}
    for j in idx:
        t = out.fields["t"][j]
        p = exact.density(x, t)
        sel = p > floor * p.max()
        u = np.full(x.size, np.nan)
        u[sel] = exact.score(x[sel], t)
        refs[j] = (u, sel)
        linf.append(np.nanmax(np.abs(U[j] - u)[sel]))
    out.fields["_dw_refs"] = refs
    return np.array(linf)


def _double_wellinterface_series(problem, out, comparer, idx):
    exact, x = problem.exact, problem.grid.axes[0]
    well, window = exact.well, problem.case["measure"]["fit_window"]
    t_all, U = out.fields["t"], out.fields["score"]
    refs = out.fields.pop("_dw_refs")
    ux = derivative(U, 1, problem.grid.spacing[0], problem.derivative_scheme, False)
    names = ("interface_width", "interface_position", "speciation_indicator")
    meas = {k: np.full(t_all.size, np.nan) for k in names}
    ref = {k: np.full(t_all.size, np.nan) for k in names}
    closed_width = np.full(t_all.size, np.nan)
    for j, t in enumerate(t_all):
        tau = float(exact.tau(t))
        if tau <= 0:
            continue
        ell = well.width_at_origin(tau)
        closed_width[j] = ell
        f = fit_tanh(x, U[j], 0.0, ell, 1.0 / ell, window)
        if f is None:
            continue
        meas["interface_width"][j], meas["interface_position"][j] = f.width, f.position
        sel = np.abs(x - f.position) < window * f.width
        meas["speciation_indicator"][j] = float(CubicSpline(x[sel], ux[j][sel])(f.position))
        if j in refs:
            u_ref, resolved = refs[j]
            r = fit_tanh(x[resolved], u_ref[resolved], 0.0, ell, 1.0 / ell, window)
            if r is not None:
                ref["interface_width"][j], ref["interface_position"][j] = r.width, r.position
    out.series.update(meas)
    out.reference_series.update(ref)
    out.reference_series["interface_width_closed_form"] = closed_width
    how = (f"least-squares tanh fit over |x - x0| < {window:g} ell; reference: the same fit of the quadrature "
           "score on the same samples (closed_form: ell = 2/|r'(0)|, ANALYTIC §3d)")
    for q in ("interface_width", "interface_position"):
        comparer.add(q, meas[q][idx], ref[q][idx], how, at=t_all[idx],
                     closed_form=closed_width[idx] if q == "interface_width" else np.zeros(len(idx)))
    layer = []
    for j in idx:
        u_ref, resolved = refs[j]
        sel = resolved & (np.abs(x) < 3 * closed_width[j]) if np.isfinite(closed_width[j]) else resolved
        layer.append(np.nanmax(np.abs(U[j] - u_ref)[sel]))
    comparer.add("layer_linf_error", np.array(layer), np.zeros(len(layer)),
                 "max |u_h - u| inside |x| < 3 ell (quadrature reference)", at=t_all[idx])
    tau_s = well.speciation_time()
    t_s = float(exact.t_of_tau(tau_s))
    t_ref = t_s if t_all[0] <= t_s <= t_all[-1] else None
    comparer.add("speciation_time", speciation_time(t_all, meas["speciation_indicator"]), t_ref,
                 "first + to - root of a cubic spline through the computed u_x at the fitted centre; reference: "
                 "root of int p_0(y)(y^2 - tau) exp(-y^2/(2 tau)) dy (ANALYTIC §3d)",
                 note="" if t_ref is not None else f"speciation at t = {t_s:.6g}, outside the run")


def _crosscheck(problem, U, out, comparer, idx):
    t_all = out.fields["t"]
    U_heat, region = cole_hopf_scores(problem, t_all[idx])
    err = pointwise_error(U[idx], U_heat, problem.grid.dim)
    vals = masked_linf(err, region, range(len(idx)), nan="skip")
    comparer.add("score_crosscheck_linf", vals, np.zeros_like(vals),
                 "max |u_burgers - grad log p_heat| (Cole-Hopf route: heat solver on the same grid, score by the "
                 f"{problem.derivative_scheme} derivative of log p) where p > floor max p", at=t_all[idx])
