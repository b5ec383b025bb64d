"""Cross-key checks of a case (data vs grid vs time vs method): each failure is one InputError line.

The checks every family shares live here; what a family adds (its method, data and process keys) it states
as :class:`CaseRules` on its registry entry (:mod:`solvers.families`)."""
from __future__ import annotations

import numpy as np

from dataclasses import dataclass
from typing import Callable

from ..grids.boundaries import boundary_from_spec
from .schema import MIN_POINTS
from .case import NAME_PATTERN, RANGE, Case, as_float_list, representable_array
from .resolution import check_resolution


@dataclass(frozen=True)
class CaseRules:
    """The checks an equation family adds to the common ones (stated by the family,
    :attr:`solvers.families.EquationFamily.rules`): ``check_method(case, bcs)`` its method, data and process
    keys; ``data_kinds`` the data kinds it accepts (None: its ``check_method`` decides); ``mixture_start_tau(case,
    stds)`` the VE time at which the data mixture must fit and be resolved (None: the start time,
    ``2 nu time.start``); ``layer_span(case)`` the VE times ``(tau at time.start, tau at time.stop)`` over which
    the interface layer must be resolved (:mod:`solvers.config.resolution`; None: from ``[process]``, VE
    ``2 nu t`` or the VP schedule)."""

    check_method: Callable[[Case, list], None]
    family: str
    data_kinds: tuple | None = None
    mixture_start_tau: Callable | None = None
    layer_span: Callable[[Case], tuple[float, float]] | None = None


def check_consistency(case: Case, rules: CaseRules) -> None:
    top, data, grid, time, method, measure = (case[s] for s in ("", "data", "grid", "time", "method", "measure"))
    dim = case.dim
    if not NAME_PATTERN.match(top["name"]):
        raise case.error("name", top["name"], "letters, digits, '_', '-', '.' (it is the result file stem)")

    # grid
    lower = as_float_list(case, "grid.lower", grid["lower"], dim)
    upper = as_float_list(case, "grid.upper", grid["upper"], dim)
    points = grid["points"]
    if len(points) != dim or not all(isinstance(n, int) and not isinstance(n, bool) for n in points):
        raise case.error("grid.points", points, f"a list of {dim} integers >= {MIN_POINTS}")
    if any(n < MIN_POINTS for n in points):
        raise case.error("grid.points", points, f"integers >= {MIN_POINTS}")
    if np.any(upper <= lower):
        raise case.error("grid.upper", grid["upper"], f"values above grid.lower = {grid['lower']}")
    bcs = boundary_from_spec(grid["boundary"], dim, grid["boundary_value"])   # file added by load_case
    grid["lower"], grid["upper"] = lower.tolist(), upper.tolist()

    # method
    if method["nu"] <= 0:
        raise case.error("method.nu", method["nu"], "a positive number")
    rules.check_method(case, bcs)

    # time
    if time["start"] < 0:
        raise case.error("time.start", time["start"], "a number >= 0")
    if time["stop"] <= time["start"]:
        raise case.error("time.stop", time["stop"], f"a number above time.start = {time['start']}")
    if time["saves"] < 2:
        raise case.error("time.saves", time["saves"], "an integer >= 2")
    if not 0 < time["safety"] <= 1:
        raise case.error("time.safety", time["safety"], "a number in (0, 1]")
    if not 0 < time["accuracy"] <= 0.1:
        raise case.error("time.accuracy", time["accuracy"], "a number in (0, 0.1]")

    # measure
    if measure["times"] is not None:
        times = as_float_list(case, "measure.times", measure["times"])
        if np.any(times < time["start"]) or np.any(times > time["stop"]):
            raise case.error("measure.times", measure["times"], f"times within [{time['start']}, {time['stop']}]")
    if not 0 < measure["density_floor"] < 1:
        raise case.error("measure.density_floor", measure["density_floor"], "a number in (0, 1)")
    if measure["fit_window"] <= 1:
        raise case.error("measure.fit_window", measure["fit_window"], "a number > 1")

    # data
    if rules.data_kinds is not None and data["kind"] not in rules.data_kinds:
        raise case.error("data.kind", data["kind"], f"{', '.join(rules.data_kinds)} (equation = '{rules.family}')")
    if data["kind"] == "gaussian_mixture":
        _check_mixture(case, lower, upper, np.asarray(points), bcs, rules)
    elif data["kind"] == "sine":
        k = as_float_list(case, "data.wavenumbers", data["wavenumbers"], dim)
        for ax, bc in enumerate(bcs):
            if bc.kind not in ("periodic", "exact"):
                raise case.error("grid.boundary", grid["boundary"], "periodic or exact (data.kind = 'sine')")
            if bc.periodic and not np.isclose((k[ax] * (upper[ax] - lower[ax]) / (2 * np.pi)) % 1, 0, atol=1e-9) \
                    and not np.isclose((k[ax] * (upper[ax] - lower[ax]) / (2 * np.pi)) % 1, 1, atol=1e-9):
                raise case.error("data.wavenumbers", data["wavenumbers"],
                                 "multiples of 2 pi / (upper - lower) on a periodic axis")
    elif data["kind"] == "double_well":
        if data["eps"] is None or data["eps"] <= 0:
            raise case.error("data.eps", data["eps"], "a positive number (kind = 'double_well')")
        reach = 1.0 + 4.0 * np.sqrt(data["eps"] / 8.0 + 2 * method["nu"] * time["start"])
        if lower[0] > -reach or upper[0] < reach:
            raise case.error("grid.lower" if lower[0] > -reach else "grid.upper", grid["lower" if lower[0] > -reach else "upper"],
                             f"a domain holding [-{reach:.4g}, {reach:.4g}] (the wells +- 4 std)")
        width = np.sqrt(data["eps"] / 8.0)
        if case.spacing[0] > width:
            raise case.error("grid.points", points, f"grid spacing <= {width:.4g} (one point per well std)")
    elif data["kind"] == "travelling_shock":
        if data["amplitude"] <= 0:
            raise case.error("data.amplitude", data["amplitude"], "a positive number (the shock half-jump A)")
        width = 2 * method["nu"] / data["amplitude"]
        if case.spacing[0] > width:
            raise case.error("grid.points", points, f"grid spacing <= the shock width 2 nu / A = {width:.4g}")
    check_resolution(case, rules)       # the narrowest interface layer (mixtures); records an opt-out on the case


def _check_mixture(case: Case, lower, upper, points, bcs, rules: CaseRules) -> None:
    data, dim = case["data"], case.dim
    for key in ("weights", "means", "stds"):
        if data[key] is None:
            raise case.error(f"data.{key}", "(missing)", "required for data.kind = 'gaussian_mixture'")
    if not isinstance(data["weights"], list) or not data["weights"]:
        raise case.error("data.weights", data["weights"], "a non-empty list of positive numbers summing to 1")
    w = as_float_list(case, "data.weights", data["weights"])
    s = as_float_list(case, "data.stds", data["stds"], w.size)   # K is set by data.weights
    if np.any(w <= 0):
        raise case.error("data.weights", data["weights"], "positive numbers summing to 1")
    if abs(w.sum() - 1) > 1e-12:
        raise case.error("data.weights", data["weights"], "positive numbers summing to 1",
                         reason=f"they sum to {w.sum():.15g}")
    if np.any(s <= 0):
        raise case.error("data.stds", data["stds"], "positive numbers, one per component")
    try:
        mu = np.asarray(data["means"], dtype=float)
    except (TypeError, ValueError):
        raise case.error("data.means", data["means"], f"{w.size} coordinate lists of length {dim}") from None
    if dim == 1 and mu.ndim == 2 and mu.shape[1] == 1:
        mu = mu[:, 0]
    if (dim == 1 and mu.shape != (w.size,)) or (dim == 2 and mu.shape != (w.size, 2)) or not np.all(np.isfinite(mu)):
        raise case.error("data.means", data["means"], f"{w.size} coordinate lists of length {dim}")
    if not representable_array(mu):
        raise case.error("data.means", data["means"], f"{w.size} coordinate lists of length {dim}; {RANGE}")
    mu = mu.reshape(w.size, dim)
    comps = case["measure"]["components"]
    if w.size == 1 and comps == [0, 1]:      # the default pair: nothing to measure with one component
        case["measure"]["components"] = comps = [0, 0]
        return _check_extent(case, mu, s, lower, upper, points, bcs, rules)
    if (len(comps) != 2 or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < w.size for c in comps)
            or comps[0] == comps[1]):
        raise case.error("measure.components", comps, f"two distinct indices in 0..{w.size - 1}")
    if np.array_equal(mu[comps[0]], mu[comps[1]]):      # the interface is the bisector of the two means
        raise case.error("data.means", data["means"], f"distinct means for the measured components "
                         f"measure.components = {comps} (their interface is the bisector of the two means)")
    _check_extent(case, mu, s, lower, upper, points, bcs, rules)


def _schedule(case: Case):
    from ..closed_forms.vp import make_schedule
    p = case["process"]
    if p["schedule"] == "constant":
        return make_schedule("constant", beta=p["beta"])
    return make_schedule("linear", beta_min=p["beta_min"], beta_max=p["beta_max"])


def _check_extent(case: Case, mu, s, lower, upper, points, bcs, rules: CaseRules) -> None:
    """The grid must hold every component and resolve the narrowest one at the start time."""
    w, dim = s, case.dim
    tau0, scale = 2 * case["method"]["nu"] * case["time"]["start"], 1.0
    family_tau = rules.mixture_start_tau(case, s) if rules.mixture_start_tau is not None else None
    if family_tau is not None:
        tau0 = family_tau
    if case["process"]["kind"] == "vp":          # VP: x = y e^{-B/2}, y the VE variable
        schedule = _schedule(case)
        tau0, scale = float(schedule.tau(case["time"]["start"])), float(np.exp(0.5 * schedule.B(case["time"]["start"])))
    mu = mu / scale
    sd = np.hypot(s, np.sqrt(tau0)) / scale       # sqrt(s^2 + tau0) without overflow for huge stds
    h = np.asarray(case.spacing)
    for k in range(w.size):
        for ax in range(dim):
            if bcs[ax].periodic:
                continue
            with np.errstate(over="ignore"):         # 4 x a std near the float limit: +-inf, i.e. outside
                lo, hi = mu[k, ax] - 4 * sd[k], mu[k, ax] + 4 * sd[k]
            if lo < lower[ax] or hi > upper[ax]:
                raise case.error("grid.lower" if lo < lower[ax] else "grid.upper",
                                 case["grid"]["lower" if lo < lower[ax] else "upper"],
                                 f"a domain holding mean +- 4 std of every component (component {k}: "
                                 f"[{lo:.6g}, {hi:.6g}] on axis {ax})")
    if np.max(h) > sd.min():
        raise case.error("grid.points", case["grid"]["points"],
                         f"at least one point per std of the narrowest component: grid spacing <= {sd.min():.6g}",
                         reason=f"spacing is {np.max(h):.6g}")
