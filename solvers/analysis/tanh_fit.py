"""The tanh-fit measurement of an interface: a least-squares fit of ``b0 + b1 s + A tanh((s - x0)/ell)`` to the
computed score along the interface normal (1D: ``x``).

For the heat and Burgers families this is the check of the local theorem (ANALYTIC §3d, §7: ``A ell -> 2 nu``),
not the definition of the interface (that is :mod:`solvers.analysis.speciation`). The MFG keeps it as its
interface measurement where the fit and ANALYTIC §3 agree (an equal-variance binary mixture, whose score is
exactly affine + tanh), with the reference the same fit of the closed-form score on the same samples.
"""
from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicSpline, RectBivariateSpline

from ..closed_forms.binary import BinarySplit
from ..measurements.derivatives import derivative
from ..measurements.interface import fit_tanh, speciation_time
from .common import Analysis, Comparer, layer_error


def fitted_interface_series(problem, split: BinarySplit, out: Analysis, comparer: Comparer, idx) -> None:
    """Interface series at every save; the reference of a fitted quantity is the same fit applied to the
    closed-form score on the same samples (so model error of the tanh profile, nonzero for unequal variances,
    more than two components or periodic images, is not counted against the solver); the closed-form
    definition (``ell = 2/|grad r|``, ``r = 0``) is stored beside it (``*_closed_form``)."""
    grid, exact, case = problem.grid, problem.exact, problem.case
    window = case["measure"]["fit_window"]
    t_all = out.fields["t"]
    U = out.fields["score"]
    n_t = t_all.size
    names = ("interface_width", "interface_position", "speciation_indicator")
    meas = {k: np.full(n_t, np.nan) for k in names}
    ref = {k: np.full(n_t, np.nan) for k in names}
    closed = {k: np.full(n_t, np.nan) for k in ("interface_width", "interface_position")}
    scheme = getattr(problem, "derivative_scheme", problem.space.name)
    ux = derivative(U, 1, grid.spacing[0], scheme, problem.periodic[0]) if grid.dim == 1 else None
    # fit only where the density is resolved (the score of round-off-level tails is noise)
    floor = case["measure"]["density_floor"]
    P_exact = out.fields["density_exact"]
    peak = P_exact.reshape(n_t, -1).max(axis=1)
    resolved = P_exact > floor * peak.reshape((n_t,) + (1,) * grid.dim)
    base = None
    for j, t in enumerate(t_all):
        tau, scale = float(exact.tau(t)), exact.scale(t)
        try:
            ve_point = split.interface_point(tau)
        except ValueError:
            continue
        # VE interface quantities, mapped to the run's coordinates x = y / scale (VP; scale = 1 in VE)
        point = ve_point / scale
        ell = split.width(tau, ve_point) / scale
        amp, D = split.amplitude(tau, ve_point) * scale, split.indicator(tau, ve_point) * scale ** 2
        half = window * ell
        if grid.dim == 1:
            if problem.periodic[0]:       # stay clear of the neighbouring interface of the periodic images
                half = min(half, 0.25 * (grid.upper[0] - grid.lower[0]))
            s = grid.axes[0]
            sel = np.isfinite(U[j]) & np.isfinite(ux[j]) & (np.abs(s - point) < half) & resolved[j]
            s, un, un_exact, pos_cf, offset = s[sel], U[j][sel], exact.score(s[sel], t), float(point), 0.0
            ux_line = ux[j][sel]
        else:
            normal = split.normal(tau, ve_point)
            base = point if base is None else base
            s, un, line = normal_line(grid, U[j], point, normal, half)
            keep = exact.density(line, t) > floor * peak[j]
            s, un, line = s[keep], un[keep], line[keep]
            un_exact = exact.score(line, t) @ normal if s.size else s
            pos_cf, offset = 0.0, float((point - base) @ normal)
        closed["interface_width"][j], closed["interface_position"][j] = ell, pos_cf + offset
        ref["speciation_indicator"][j] = D
        ref_fit = fit_tanh(s, un_exact, pos_cf, ell, amp, np.inf)
        if ref_fit is None:
            continue
        ref["interface_width"][j], ref["interface_position"][j] = ref_fit.width, ref_fit.position + offset
        fit = fit_tanh(s, un, ref_fit.position, ref_fit.width, ref_fit.amplitude, np.inf)
        if fit is None:
            continue
        meas["interface_width"][j], meas["interface_position"][j] = fit.width, fit.position + offset
        if grid.dim == 1:
            meas["speciation_indicator"][j] = float(CubicSpline(s, ux_line)(fit.position))
        else:
            meas["speciation_indicator"][j] = float(CubicSpline(s, un)(fit.position, 1))
    out.series.update(meas)
    out.reference_series.update(ref)
    out.reference_series.update({f"{k}_closed_form": v for k, v in closed.items()})
    at = t_all[idx]
    how = (f"least-squares fit of b0 + b1 s + A tanh((s - x0)/ell) over |s - x0| < {window:g} ell where "
           f"p > {floor:g} max p"
           + (" along the interface normal (s = 0 at the first save's interface point)" if grid.dim == 2 else "")
           + "; reference: the same fit of the closed-form score on the same samples")
    for q in ("interface_width", "interface_position"):
        comparer.add(q, meas[q][idx], ref[q][idx], how, at=at, closed_form=closed[q][idx])
    layer = layer_error(problem, out, split, idx)
    if layer is not None:
        comparer.add("layer_linf_error", layer, np.zeros_like(layer),
                     "max |grad log p_h - u| inside |s - x0| < 3 ell (closed-form interface) where p > floor * max p", at=at)
    tau_s = split.speciation_time()
    t_s = None if tau_s is None else float(exact.t_of_tau(tau_s))
    t_ref = None if t_s is None or not t_all[0] <= t_s <= t_all[-1] else t_s
    # in the generative direction (MFG, time reversed) D goes from - to +: the same root of -D
    sign = -1.0 if getattr(exact, "time_reversed", False) else 1.0
    t_meas = speciation_time(t_all, sign * meas["speciation_indicator"])
    note = "" if t_ref is not None else (
        "no speciation: the data is one species already" if tau_s is None else
        f"speciation at t = {t_s:.6g}, outside the run" if t_s > t_all[-1] else
        f"speciation at t = {t_s:.6g}, before the run")
    comparer.add("speciation_time", t_meas, t_ref,
                 "first + to - root of a cubic spline through D(t) = d(u.n)/ds at the fitted interface; "
                 "reference: root of the closed-form D = n.(grad u) n at r = 0", note=note)


def normal_line(grid, U2, point, normal, half_length):
    """Samples of ``u . n`` on the normal line through ``point`` (cubic interpolation), inside the grid."""
    h = min(grid.spacing)
    diagonal = float(np.hypot(*(u - lo for lo, u in zip(grid.lower, grid.upper))))
    half_length = min(half_length, diagonal)      # longer (a huge fit_window): samples outside the grid only
    s = np.arange(-half_length, half_length + h / 4, h / 2)
    pts = point[None, :] + s[:, None] * normal[None, :]
    lo = np.array([ax[0] for ax in grid.axes]) + 2 * h
    hi = np.array([ax[-1] for ax in grid.axes]) - 2 * h
    inside = np.all((pts >= lo) & (pts <= hi), axis=1)
    s, pts = s[inside], pts[inside]
    if s.size == 0:
        return s, s, pts
    comps = [RectBivariateSpline(*grid.axes, U2[..., c], kx=3, ky=3)(pts[:, 0], pts[:, 1], grid=False)
             for c in range(2)]
    return s, comps[0] * normal[0] + comps[1] * normal[1], pts




def local_theorem(problem, out: Analysis, idx) -> None:
    """1D diagnostic (ANALYTIC §3d, §7): the tanh fit of the computed score around the measured interface at the
    measurement times; ``fit_width``, ``fit_amplitude`` and their product ``A ell`` (-> 2 nu as the layer
    sharpens) go to the series (NaN elsewhere). No comparison: the fit is not the definition of the interface."""
    if problem.grid.dim != 1:
        return
    x, U = problem.grid.axes[0], out.fields["score"]
    window = problem.case["measure"]["fit_window"]
    names = ("fit_width", "fit_amplitude", "fit_amplitude_times_width")
    series = {k: np.full(U.shape[0], np.nan) for k in names}
    for k in idx:
        x0, ell = out.series["interface_position"][k], out.series["interface_width"][k]
        if not (np.isfinite(x0) and np.isfinite(ell)):
            continue
        half = window * ell
        if problem.periodic[0]:
            half = min(half, 0.25 * (problem.grid.upper[0] - problem.grid.lower[0]))
        sel = (np.abs(x - x0) < half) & np.isfinite(U[k])
        fit = fit_tanh(x[sel], U[k][sel], x0, ell, 1.0 / ell, np.inf)
        if fit is not None:
            series["fit_width"][k], series["fit_amplitude"][k] = fit.width, fit.amplitude
            series["fit_amplitude_times_width"][k] = fit.width * fit.amplitude
    out.series.update(series)
