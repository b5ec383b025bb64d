"""Cross-key checks of a case (data vs grid vs time vs method): each failure is one InputError line."""
from __future__ import annotations

import numpy as np

from ..equations.advection import BURGERS_SPACE_SCHEMES
from ..equations.space import SPACE_SCHEMES
from ..grids.boundaries import BOUNDARY_KINDS, boundary_from_spec
from ..integrators import TIME_SCHEMES
from ..integrators.split_schemes import BURGERS_TIME_SCHEMES
from .case import NAME_PATTERN, RANGE, Case, as_float_list, representable, representable_array


def check_consistency(case: Case) -> None:
    top, data, grid, time, method, measure = (case[s] for s in ("", "data", "grid", "time", "method", "measure"))
    dim = case.dim
    if not NAME_PATTERN.match(top["name"]):
        raise case.error("name", top["name"], "letters, digits, '_', '-', '.' (it is the result file stem)")

    # grid
    lower = as_float_list(case, "grid.lower", grid["lower"], dim)
    upper = as_float_list(case, "grid.upper", grid["upper"], dim)
    points = grid["points"]
    if len(points) != dim or not all(isinstance(n, int) and not isinstance(n, bool) for n in points):
        raise case.error("grid.points", points, f"a list of {dim} integers >= 8")
    if any(n < 8 for n in points):
        raise case.error("grid.points", points, "integers >= 8")
    if np.any(upper <= lower):
        raise case.error("grid.upper", grid["upper"], f"values above grid.lower = {grid['lower']}")
    bcs = boundary_from_spec(grid["boundary"], dim, grid["boundary_value"])   # file added by load_case
    grid["lower"], grid["upper"] = lower.tolist(), upper.tolist()

    # method
    if method["nu"] <= 0:
        raise case.error("method.nu", method["nu"], "a positive number")
    if top["equation"] == "heat":
        _check_heat_method(case, bcs)
    elif top["equation"] == "burgers":
        _check_burgers(case, bcs)
    else:
        _check_mfg(case, bcs)

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
    if top["equation"] == "heat" and data["kind"] not in ("gaussian_mixture", "sine"):
        raise case.error("data.kind", data["kind"], "gaussian_mixture, sine (equation = 'heat')")
    if data["kind"] == "gaussian_mixture":
        _check_mixture(case, lower, upper, np.asarray(points), bcs)
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
        if (upper[0] - lower[0]) / points[0] > width:
            raise case.error("grid.points", points, f"grid spacing <= {width:.4g} (one point per well std)")
    elif data["kind"] == "travelling_shock":
        if data["amplitude"] <= 0:
            raise case.error("data.amplitude", data["amplitude"], "a positive number (the shock half-jump A)")
        width = 2 * method["nu"] / data["amplitude"]
        if (upper[0] - lower[0]) / points[0] > width:
            raise case.error("grid.points", points, f"grid spacing <= the shock width 2 nu / A = {width:.4g}")


def _check_heat_method(case: Case, bcs) -> None:
    method, grid = case["method"], case["grid"]
    space = SPACE_SCHEMES.get(method["space"], "method.space")
    scheme = TIME_SCHEMES.get(method["time"], "method.time")
    if case["process"]["kind"] != "ve":
        raise case.error("process.kind", case["process"]["kind"], "ve (equation = 'heat'; VP runs the burgers score)")
    if space.kind == "spectral" and not all(bc.periodic for bc in bcs):
        raise case.error("method.space", "spectral", "central2, central4 (spectral needs grid.boundary = \"periodic\")",
                         reason=f"grid.boundary is {grid['boundary']!r}")
    if scheme.kind == "exact" and space.kind != "spectral":
        allowed = ", ".join(n for n in TIME_SCHEMES.names() if TIME_SCHEMES.get(n).kind != "exact")
        raise case.error("method.time", method["time"], f"{allowed} (with method.space = {space.name!r})",
                         reason="the integrating factor needs the spectral space scheme")


def _check_burgers(case: Case, bcs) -> None:
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


def _check_mfg(case: Case, bcs) -> None:
    from ..equations.mfg import MFG_SPACE_SCHEMES
    from ..integrators.mfg_solvers import MFG_SOLVERS, MFG_TIME_SCHEMES
    method, mfg, data, dim = case["method"], case["mfg"], case["data"], case.dim
    MFG_SPACE_SCHEMES.get(method["space"], "method.space")
    MFG_TIME_SCHEMES.get(method["time"], "method.time")
    if method["space"] == "spectral":
        if not all(bc.periodic for bc in bcs):
            raise case.error("method.space", "spectral", "godunov (spectral needs grid.boundary = \"periodic\")",
                             reason=f"grid.boundary is {case['grid']['boundary']!r}")
        if mfg["terminal"] != "data_log_density":
            raise case.error("mfg.terminal", mfg["terminal"], "data_log_density (method.space = 'spectral' needs a "
                             "periodic terminal cost: -log of the periodic data mixture)")
        if method["time"] != "implicit_euler":
            raise case.error("method.time", method["time"], "implicit_euler (method.space = 'spectral': IMEX Euler)")
    solver = MFG_SOLVERS.get(mfg["solver"], "mfg.solver")
    if data["kind"] != "gaussian_mixture":
        raise case.error("data.kind", data["kind"], "gaussian_mixture (equation = 'mfg': m_0 and G come from it)")
    if case["process"]["kind"] != "ve":
        raise case.error("process.kind", case["process"]["kind"], "ve (equation = 'mfg')")
    for bc in bcs:
        if bc.kind not in ("periodic", "zero_flux", "exact"):
            raise case.error("grid.boundary", case["grid"]["boundary"], "periodic, zero_flux, exact (equation = 'mfg')")
    if mfg["nu"] <= 0:
        raise case.error("mfg.nu", mfg["nu"], "a positive number")
    if mfg["terminal"] == "data_log_density":
        if mfg["nu"] != 0.5:
            raise case.error("mfg.nu", mfg["nu"], "0.5 (terminal = 'data_log_density': score-based generation, ANALYTIC 6a)")
        if mfg["coupling"] != "none":
            raise case.error("mfg.coupling", mfg["coupling"], "none (terminal = 'data_log_density', ANALYTIC 6a)")
    if mfg["coupling"] == "mean_quadratic" and mfg["kappa"] <= 0:
        raise case.error("mfg.kappa", mfg["kappa"], "a positive number (coupling = 'mean_quadratic')")
    if solver.needs_uncoupled and mfg["coupling"] != "none":
        allowed = [n for n in MFG_SOLVERS.names() if not MFG_SOLVERS.get(n).needs_uncoupled]
        raise case.error("mfg.solver", solver.name, ", ".join(allowed) + " (coupling = 'mean_quadratic')",
                         reason="the Cole-Hopf transform needs F = 0")
    if mfg["c"] < 0:
        raise case.error("mfg.c", mfg["c"], "a number >= 0")
    xt = mfg["x_T"]
    if not isinstance(xt, list) or len(xt) not in (1, dim) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and representable(v) for v in xt):
        raise case.error("mfg.x_T", xt, f"a list of {dim} numbers (or one number for every axis); {RANGE}")
    if not 0 < mfg["damping"] <= 1:
        raise case.error("mfg.damping", mfg["damping"], "a number in (0, 1]")
    if not 0 < mfg["tol"] < 1:
        raise case.error("mfg.tol", mfg["tol"], "a number in (0, 1)")
    if mfg["max_iterations"] < 1:
        raise case.error("mfg.max_iterations", mfg["max_iterations"], "an integer >= 1")
    if mfg["dt_per_h"] <= 0:
        raise case.error("mfg.dt_per_h", mfg["dt_per_h"], "a positive number")


def _check_mixture(case: Case, lower, upper, points, bcs) -> None:
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
        return _check_extent(case, mu, s, lower, upper, points, bcs)
    if (len(comps) != 2 or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < w.size for c in comps)
            or comps[0] == comps[1]):
        raise case.error("measure.components", comps, f"two distinct indices in 0..{w.size - 1}")
    if np.array_equal(mu[comps[0]], mu[comps[1]]):      # the interface is the bisector of the two means
        raise case.error("data.means", data["means"], f"distinct means for the measured components "
                         f"measure.components = {comps} (their interface is the bisector of the two means)")
    _check_extent(case, mu, s, lower, upper, points, bcs)


def _schedule(case: Case):
    from ..closed_forms.vp import make_schedule
    p = case["process"]
    if p["schedule"] == "constant":
        return make_schedule("constant", beta=p["beta"])
    return make_schedule("linear", beta_min=p["beta_min"], beta_max=p["beta_max"])


def _check_extent(case: Case, mu, s, lower, upper, points, bcs) -> None:
    """The grid must hold every component and resolve the narrowest one at the start time."""
    w, dim = s, case.dim
    tau0, scale = 2 * case["method"]["nu"] * case["time"]["start"], 1.0
    if case[""]["equation"] == "mfg" and case["mfg"]["terminal"] == "data_log_density":
        tau0 = case["time"]["stop"]              # m_0 = p_T must fit; the terminal layer needs h <= s0
        if np.max((upper - lower) / points) > s.min():
            raise case.error("grid.points", case["grid"]["points"],
                             f"grid spacing <= {s.min():.6g} (the terminal cost -log p_0 has layers of the data std)")
    if case["process"]["kind"] == "vp":          # VP: x = y e^{-B/2}, y the VE variable
        schedule = _schedule(case)
        tau0, scale = float(schedule.tau(case["time"]["start"])), float(np.exp(0.5 * schedule.B(case["time"]["start"])))
    mu = mu / scale
    sd = np.hypot(s, np.sqrt(tau0)) / scale       # sqrt(s^2 + tau0) without overflow for huge stds
    h = (upper - lower) / points
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
