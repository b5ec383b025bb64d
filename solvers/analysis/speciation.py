"""The interface series of a mixture run and its comparisons (ANALYTIC.md §3, §7): the driver of
:mod:`solvers.analysis.interface` (what is measured, per save) and :mod:`solvers.analysis.events` (speciation).

Series per save: ``interface_position`` (1D) or ``pass_point_x``/``pass_point_y`` (2D), ``interface_width``,
``interface_amplitude``, ``speciation_indicator`` (``D``), each with its reference (the closed form through the
same rule); ``/fields/log_ratio`` holds the computed ``r``. Comparisons: ``interface_width`` and
``interface_position`` (1D) / ``pass_point_error`` (2D) at the measurement times, ``speciation_time`` and (1D)
``speciation_onset_time``; the crossings of both series are stored in ``/speciation_crossings``.
"""
from __future__ import annotations

import numpy as np

from ..measurements.derivatives import derivative
from .events import crossings, event_flags, last_loss_of_valley
from .interface import Measured2D, closed_1d, closed_2d, measured_1d
from .pass_point import contour_lines, find_pass, spline_fields
from .common import binary_split, layer_error
from .sides import Sides, evolve_sides, sides_defined
from .tanh_fit import local_theorem


def measure_interface(problem, out, comparer, idx, U, log_p) -> None:
    """Evolve the sides, measure the interface series and compare (module docstring); ``log_p`` the computed
    log-density (None: ``log(p_A + p_B)`` of the sides). Where the sides are not defined nothing is compared."""
    why = sides_defined(problem)
    if why is not None:
        out.attrs["interface"] = {"not_measured": why}
        return
    split = binary_split(problem)
    sides = evolve_sides(problem, split)
    out.sides_s += sides.solve_s
    if log_p is None:
        log_p = np.logaddexp(sides.log_a, sides.log_b)
    interface_series(problem, split, sides, U, log_p, out, comparer, idx)
    layer = layer_error(problem, out, split, idx)
    if layer is not None:
        comparer.add("layer_linf_error", layer, np.zeros_like(layer),
                     "max |grad log p_h - u| inside |s - x0| < 3 ell (closed-form interface) where p > floor * max p",
                     at=out.fields["t"][idx])
    local_theorem(problem, out, idx)


def interface_series(problem, split, sides: Sides, U: np.ndarray, log_p: np.ndarray, out, comparer, idx) -> None:
    grid, exact, case = problem.grid, problem.exact, problem.case
    t_all = out.fields["t"]
    n_t = t_all.size
    i, j = case["measure"]["components"]
    means = exact.mixture.means[[i, j]]
    log_floor = float(np.log(case["measure"]["density_floor"]))
    scheme = getattr(problem, "derivative_scheme", problem.space.name)
    r = sides.log_ratio
    out.fields["log_ratio"] = r
    names = ("interface_width", "interface_amplitude", "speciation_indicator")
    meas = {k: np.full(n_t, np.nan) for k in names}
    ref = {k: np.full(n_t, np.nan) for k in names}
    pos_m, pos_r = np.full((n_t, grid.dim), np.nan), np.full((n_t, grid.dim), np.nan)
    onset_m, onset_r = np.full(n_t, np.nan), np.full(n_t, np.nan)
    sign = -1.0 if getattr(exact, "time_reversed", False) else 1.0
    if grid.dim == 1:
        x = grid.axes[0]
        ux = derivative(U, 1, grid.spacing[0], scheme, problem.periodic[0])
    else:
        jac = [[derivative(U[..., a], 1 + b, grid.spacing[b], scheme, problem.periodic[b]) for b in range(2)]
               for a in range(2)]
    for k, t in enumerate(t_all):
        tau, scale = float(exact.tau(t)), float(exact.scale(t))
        lo_ve, hi_ve = sorted((float(means[0, 0]), float(means[1, 0]))) if grid.dim == 1 else (None, None)
        if grid.dim == 1:
            got, roots, ds = measured_1d(x, r[k], sides.grad_r[k], ux[k], log_p[k], lo_ve / scale, hi_ve / scale)
            cf, roots_cf, ds_cf = closed_1d(split, tau, lo_ve, hi_ve)
            if got is not None:
                pos_m[k, 0], g, meas["speciation_indicator"][k] = got
                meas["interface_width"][k], meas["interface_amplitude"][k] = 2.0 / g, 0.5 * g
                onset_m[k] = _onset_value(roots, ds, x, log_p[k], log_floor, sign)
            if cf is not None:
                pos_r[k, 0], g, d = cf
                pos_r[k, 0] /= scale
                ref["interface_width"][k], ref["interface_amplitude"][k] = 2.0 / (g * scale), 0.5 * g * scale
                ref["speciation_indicator"][k] = d * scale ** 2
                onset_r[k] = sign * min(sign * dd for dd in ds_cf) * scale ** 2
        else:
            got = _measured_2d(grid.axes, r[k], log_p[k], sides.grad_r[k], [[jac[a][b][k] for b in range(2)]
                                                                            for a in range(2)], means, log_floor)
            if got is not None:
                pos_m[k], g, meas["speciation_indicator"][k] = got
                meas["interface_width"][k], meas["interface_amplitude"][k] = 2.0 / g, 0.5 * g
            cf = closed_2d(split, tau, grid.axes, means, log_floor)
            if cf is not None:
                pos_r[k], g, ref["speciation_indicator"][k] = cf
                ref["interface_width"][k], ref["interface_amplitude"][k] = 2.0 / g, 0.5 * g
    out.series.update(meas)
    out.reference_series.update(ref)
    axes = ("position",) if grid.dim == 1 else ("pass_point_x", "pass_point_y")
    for a, name in enumerate(axes):
        key = "interface_position" if grid.dim == 1 else name
        out.series[key], out.reference_series[key] = pos_m[:, a], pos_r[:, a]
    at = t_all[idx]
    where = ("the zero of r = log p_A - log p_B between the measured components' means" if grid.dim == 1 else
             "the local pass point of the contour r = 0 (maximum of p along it nearest to the segment of the "
             "measured means)")
    how = f"{where}; r from the sides evolved by the run ({sides.how}); reference: the same rule on the closed form"
    comparer.add("interface_width", meas["interface_width"][idx], ref["interface_width"][idx],
                 f"ell = 2/|u_A - u_B| at {how}", at=at)
    if grid.dim == 1:
        comparer.add("interface_position", pos_m[idx, 0], pos_r[idx, 0], f"x0 = {how}", at=at)
    else:
        err = np.linalg.norm(pos_m[idx] - pos_r[idx], axis=1)
        comparer.add("pass_point_error", err, np.zeros_like(err), f"|x_h - x| of {how}", at=at)
    _speciation(problem, split, t_all, meas, ref, pos_m, pos_r, onset_m, onset_r, sign, out, comparer)


def _onset_value(roots, ds, x, log_p, log_floor, sign):
    """``sign * min(sign D)`` over the zeros of ``r`` where ``p > floor max p``."""
    top = np.nanmax(log_p)
    keep = [d for s, d in zip(roots, ds) if np.interp(s, x, log_p) > top + log_floor]
    return sign * min(sign * d for d in keep) if keep else np.nan


def _measured_2d(axes, r, log_p, grad_r, jac, means, log_floor):
    # where a side underflows (r = +-inf) or neither is positive (NaN) p is far below any floor: fill those
    # cells with bounded values so the splines exist; no pass candidate can come from them
    r = np.nan_to_num(np.clip(r, -1e3, 1e3), nan=0.0)
    log_p = np.nan_to_num(log_p, nan=-1e3, neginf=-1e3)
    if not np.all(np.isfinite(grad_r)):
        grad_r = np.nan_to_num(grad_r)
    fields = spline_fields(axes, r, log_p)
    lo = np.array([ax[0] for ax in axes])
    hi = np.array([ax[-1] for ax in axes])
    point, _ = find_pass(contour_lines(axes, r), fields, means[0], means[1], float(log_p.max()) + log_floor,
                         inside=lambda z: bool(np.all(z >= lo) and np.all(z <= hi)))
    if point is None:
        return None
    g, D = Measured2D(axes, grad_r, jac).at(point)
    return point, g, D


def _speciation(problem, split, t_all, meas, ref, pos_m, pos_r, onset_m, onset_r, sign, out, comparer):
    exact, grid = problem.exact, problem.grid
    D_m, D_r = meas["speciation_indicator"], ref["speciation_indicator"]
    places_m = pos_m[:, 0] if grid.dim == 1 else pos_m
    found_m = crossings(t_all, D_m, places_m)
    found_r = crossings(t_all, D_r, pos_r[:, 0] if grid.dim == 1 else pos_r,
                        exact=lambda s: _closed_indicator(problem, split, s))
    located = np.isfinite(pos_m[:, 0]) | ~np.isfinite(pos_r[:, 0])
    flags, sentence = event_flags(D_m, found_m, located)
    time_reversed = sign < 0
    pick_m, pick_r = last_loss_of_valley(found_m, time_reversed), last_loss_of_valley(found_r, time_reversed)
    out.groups["speciation_crossings"] = {
        "t": np.array([c.t for c in found_m]), "direction": np.array([c.direction for c in found_m], dtype=float),
        "place": np.array([np.atleast_1d(c.place) for c in found_m]).reshape(-1, grid.dim),
        "reference_t": np.array([c.t for c in found_r]),
        "reference_direction": np.array([c.direction for c in found_r], dtype=float),
        "reference_place": np.array([np.atleast_1d(c.place) for c in found_r]).reshape(-1, grid.dim)}
    out.attrs["speciation_crossings"] = {"rule": "last loss of the valley on the measured pair "
                                                  + ("(D from - to +, generative)" if time_reversed else "(D from + to -)")}
    note = sentence
    if pick_r is None:
        tau_s = split.speciation_time()
        note = "; ".join(filter(None, [note, "no sign change of the closed-form D on the measured pair during "
                                       "the run" + ("" if tau_s is None else
                                                    f" (tau_S = {tau_s:.6g} outside it)")]))
    comparer.add("speciation_time", None if pick_m is None else pick_m.t, None if pick_r is None else pick_r.t,
                 "last loss of the valley: root of a cubic interpolant through D(t) = n.(grad u) n at the measured "
                 "interface (NaN-aware, no interpolation across gaps); reference: the same rule on the closed form, "
                 "roots refined by brentq", note=note, flags=tuple(flags))
    if grid.dim == 1:
        first_m = crossings(t_all, onset_m)
        first_r = crossings(t_all, onset_r)
        wanted = 1 if time_reversed else -1
        o_m = next((c.t for c in first_m if c.direction == wanted), None)
        o_r = next((c.t for c in first_r if c.direction == wanted), None)
        out.series["speciation_onset_indicator"] = onset_m
        out.reference_series["speciation_onset_indicator"] = onset_r
        comparer.add("speciation_onset_time", o_m, o_r,
                     "first sign change of min D over every zero of r where p > floor max p (cubic interpolant "
                     "through the saves); reference: the same on the closed form at the saves")


def _closed_indicator(problem, split, t: float) -> float:
    """The closed-form ``D`` at the reference interface of time ``t`` (NaN where there is none)."""
    exact, grid = problem.exact, problem.grid
    tau, scale = float(exact.tau(t)), float(exact.scale(t))
    i, j = problem.case["measure"]["components"]
    means = exact.mixture.means[[i, j]]
    if grid.dim == 1:
        lo, hi = sorted((float(means[0, 0]), float(means[1, 0])))
        cf = closed_1d(split, tau, lo, hi)[0]
        return np.nan if cf is None else cf[2] * scale ** 2
    cf = closed_2d(split, tau, grid.axes, means, float(np.log(problem.case["measure"]["density_floor"])))
    return np.nan if cf is None else cf[2]
