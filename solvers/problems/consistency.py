"""Cross-key checks of a case (data vs grid vs time vs method): each failure is one InputError line."""
from __future__ import annotations

import numpy as np

from ..equations.space import SPACE_SCHEMES
from ..grids.boundaries import BOUNDARY_KINDS, boundary_from_spec
from ..integrators import TIME_SCHEMES
from .case import NAME_PATTERN, Case, as_float_list


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
    space = SPACE_SCHEMES.get(method["space"], "method.space")
    scheme = TIME_SCHEMES.get(method["time"], "method.time")
    if method["nu"] <= 0:
        raise case.error("method.nu", method["nu"], "a positive number")
    if space.kind == "spectral" and not all(bc.periodic for bc in bcs):
        raise case.error("method.space", "spectral", "central2, central4 (spectral needs grid.boundary = \"periodic\")",
                         reason=f"grid.boundary is {grid['boundary']!r}")
    if scheme.kind == "exact" and space.kind != "spectral":
        allowed = ", ".join(n for n in TIME_SCHEMES.names() if TIME_SCHEMES.get(n).kind != "exact")
        raise case.error("method.time", method["time"], f"{allowed} (with method.space = {space.name!r})",
                         reason="the integrating factor needs the spectral space scheme")

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
    for ax, bc in enumerate(bcs):
        if bc.kind not in BOUNDARY_KINDS:   # pragma: no cover - boundary_from_spec already checked
            raise case.error("grid.boundary", bc.kind, ", ".join(BOUNDARY_KINDS))


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
    mu = mu.reshape(w.size, dim)
    comps = case["measure"]["components"]
    if w.size == 1 and comps == [0, 1]:      # the default pair: nothing to measure with one component
        case["measure"]["components"] = comps = [0, 0]
        return _check_extent(case, mu, s, lower, upper, points, bcs)
    if (len(comps) != 2 or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < w.size for c in comps)
            or comps[0] == comps[1]):
        raise case.error("measure.components", comps, f"two distinct indices in 0..{w.size - 1}")
    _check_extent(case, mu, s, lower, upper, points, bcs)


def _check_extent(case: Case, mu, s, lower, upper, points, bcs) -> None:
    """The grid must hold every component and resolve the narrowest one at the start time."""
    w, dim = s, case.dim
    tau0 = 2 * case["method"]["nu"] * case["time"]["start"]
    sd = np.sqrt(s ** 2 + tau0)
    h = (upper - lower) / points
    for k in range(w.size):
        for ax in range(dim):
            if bcs[ax].periodic:
                continue
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
