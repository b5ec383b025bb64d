"""Limits of a run, checked before anything is allocated: memory, time steps, and horizons that double
precision cannot follow. Each refusal is an InputError (exit 2) naming the key, its value and what is allowed.

* :func:`check_memory` (from :func:`~solvers.problems.case.load_case`, after the key checks): a lower-bound
  estimate of the bytes the run holds at once, ``grid points x 8 bytes x (stored levels x arrays per level +
  work arrays)`` (heat / burgers: the saved snapshots, ``time.saves + 1`` plus the measurement times, of the
  solution and of the fields the analysis derives from it; mfg: every time level of ``m``, ``phi`` and the outer
  solver's arrays), compared with the memory this machine has available (``MemAvailable`` of ``/proc/meminfo``,
  else the physical memory). A run that cannot fit is refused as invalid input (exit 2) naming
  ``grid.points`` (one level alone does not fit) or ``time.saves`` / ``time.dt`` (the levels do not).
* :func:`check_steps` (from the problem builders, once ``dt`` is known): at most :data:`MAX_STEPS` time steps;
  a larger count (a tiny ``time.dt``, a huge ``time.stop``, or ``dt = "auto"`` driven to nothing by a huge
  ``method.nu`` on a fine grid) would run for days or overflow the step counters.
* :func:`check_vp_horizon` (from ``load_case``, before the data / grid checks): a VP run's integrated schedule
  ``B(time.stop)`` at most :data:`VP_MAX_B`.
* :func:`check_time_resolution` (from ``load_case``): save intervals of at least :data:`MIN_INTERVAL` (relative).
* :func:`check_periodic_spread` (from ``load_case``): on a fully periodic grid a mixture component may be at
  most :data:`MAX_PERIODS` periods wide up to ``time.stop``; wider, the periodic density is uniform to
  round-off and its image sum has no bounded number of terms.
"""
from __future__ import annotations

import math
import os

from .case import Case

MAX_STEPS = 10**9               # time steps of one run
MAX_PERIODS = 2.0               # widest std of a periodic mixture, in periods
VP_MAX_B = 100.0                # largest integrated VP schedule B(time.stop)
MIN_INTERVAL = 1e-10            # shortest save interval, relative to max(1, |time.stop|)
BYTES = 8                       # float64
WORK_ARRAYS = 64                # grid-sized arrays of one step and of the measurements, besides the stored levels
_GIB = 2.0 ** 30


def available_memory() -> float:
    """Bytes this process can still allocate without swapping (MemAvailable), else the physical memory."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024.0
    except (OSError, ValueError, IndexError):
        pass
    try:
        return float(os.sysconf("SC_PHYS_PAGES")) * float(os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return math.inf


def grid_points(case: Case) -> float:
    """Number of grid points (a float: validated point counts may still be far beyond any machine)."""
    return math.prod(float(n) for n in case["grid"]["points"])


def mfg_steps(case: Case) -> float:
    """Time levels of an MFG run before the builder's extra restrictions (those only add steps)."""
    t, g = case["time"], case["grid"]
    T = float(t["stop"])
    if t["dt"] != "auto":
        return max(2.0, math.ceil(T / float(t["dt"]) - 1e-9)) if T / float(t["dt"]) < 1e300 else math.inf
    h = min((hi - lo) / float(n) for lo, hi, n in zip(g["lower"], g["upper"], g["points"]))
    dt = h * case["mfg"]["dt_per_h"]
    return max(2.0, math.ceil(T / dt)) if dt > 0 and T / dt < 1e300 else math.inf


def arrays_per_level(case: Case) -> int:
    """Grid-sized float64 arrays held per stored level: the fields and what the analysis derives from them.
    Measured peak memory of 1e6-point heat runs grows by about 9 arrays per save (1D)."""
    dim, equation = case.dim, case[""]["equation"]
    if equation == "heat":
        return 6 + 2 * dim                 # density, exact density, score, exact score, errors, temporaries
    if equation == "burgers":
        n = 4 + 4 * dim                    # state, score, exact score, exact density, errors, temporaries
        if case["method"]["crosscheck"]:
            n += 6 + 2 * dim               # the heat run of the Cole-Hopf cross-check
        return n
    return 8 + 2 * dim                     # mfg: m, phi, previous m, two residuals, exact m, gradients of phi


def stored_levels(case: Case) -> float:
    if case[""]["equation"] == "mfg":
        return mfg_steps(case) + 1
    times = case["measure"]["times"]
    return case["time"]["saves"] + 1.0 + (len(times) if isinstance(times, list) else 0)


def estimate_memory(case: Case) -> tuple[float, float, str]:
    """(bytes of the run, bytes of a run with a single stored level, how it was counted): grid points x 8 bytes
    x (stored levels x arrays per level + :data:`WORK_ARRAYS`). A lower bound: measured heat runs of 1e6
    points peak at about 9 arrays per save plus 90 work arrays (sparse factorisations, measurement scratch)."""
    points, levels, arrays = grid_points(case), stored_levels(case), arrays_per_level(case)
    per_array = points * BYTES
    what = "time levels" if case[""]["equation"] == "mfg" else "stored snapshots"
    return (per_array * (levels * arrays + WORK_ARRAYS), per_array * (arrays + WORK_ARRAYS),
            f"{points:.4g} grid points x {BYTES} bytes x ({levels:.4g} {what} x {arrays} arrays + {WORK_ARRAYS} "
            "work arrays)")


def check_memory(case: Case, available: float | None = None) -> None:
    """Refuse (InputError, exit 2) a run whose fields alone exceed the available memory."""
    available = available_memory() if available is None else available
    total, one, how = estimate_memory(case)
    if total <= available:
        return
    levels, arrays, per_point = stored_levels(case), arrays_per_level(case), float(BYTES)
    need = (f"the run needs at least {total / _GIB:.4g} GiB ({how}); this machine has {available / _GIB:.4g} GiB "
            "available")
    if one > available or levels <= 3:
        most = available / (per_point * (levels * arrays + WORK_ARRAYS))
        raise case.error("grid.points", case["grid"]["points"],
                         f"at most {most:.4g} grid points in all (with {levels:.4g} stored levels)", reason=need)
    fit = (available / (grid_points(case) * per_point) - WORK_ARRAYS) / arrays     # stored levels that fit
    if case[""]["equation"] == "mfg":
        key = "time.dt" if case["time"]["dt"] != "auto" else "mfg.dt_per_h"
        value = case["time"]["dt"] if key == "time.dt" else case["mfg"]["dt_per_h"]
        raise case.error(key, value, f"a step giving at most {fit:.4g} time levels, i.e. dt >= "
                                     f"{float(case['time']['stop']) / max(fit - 1, 1):.4g} (or fewer grid points)",
                         reason=need)
    extra = levels - 1 - case["time"]["saves"]            # the measurement times
    raise case.error("time.saves", case["time"]["saves"], f"time.saves <= {max(int(fit - 1 - extra), 0)} with these "
                                                          "grid points (or fewer grid points)", reason=need)


def check_vp_horizon(case: Case) -> None:
    """VP runs: ``B(time.stop) = int_0^stop beta`` at most :data:`VP_MAX_B` (``tau = e^B - 1`` overflows past
    ``B = 709``; at ``B = 100`` the data is forgotten to ``e^-100``). Runs before the data / grid checks,
    which evaluate the schedule at ``time.start``; invalid schedule parameters are left to them."""
    p, stop = case["process"], float(case["time"]["stop"])
    if p["kind"] != "vp" or case[""]["equation"] != "burgers":
        return
    if p["schedule"] == "constant":
        if not p["beta"] > 0:
            return
        B, stop_max = p["beta"] * stop, VP_MAX_B / p["beta"]
    else:
        bmin, db = p["beta_min"], p["beta_max"] - p["beta_min"]
        if not (bmin >= 0 and db > 0):
            return
        B = stop * (bmin + 0.5 * db * stop)
        stop_max = 2.0 * VP_MAX_B / (bmin + math.sqrt(bmin * bmin + 2.0 * db * VP_MAX_B))
    if not B <= VP_MAX_B:
        raise case.error("time.stop", case["time"]["stop"], f"time.stop <= {stop_max:.6g} (B(stop) = int_0^stop beta "
                         f"<= {VP_MAX_B:g} with this process schedule)",
                         reason=f"B(time.stop) = {B:.4g}: the VP process has forgotten the data long before, and "
                                "tau = e^B - 1 overflows past B = 709")


def check_limits(case: Case) -> None:
    """The up-front checks of a validated case (called by :func:`~solvers.problems.case.load_case`)."""
    check_time_resolution(case)
    check_periodic_spread(case)
    check_memory(case)


def check_time_resolution(case: Case) -> None:
    """A save interval (MFG: half the horizon) of at least :data:`MIN_INTERVAL` x max(1, |time.stop|): shorter,
    the output times and steps are not distinct in double precision (a subnormal ``time.stop`` gives dt = 0)."""
    t = case["time"]
    start, stop = float(t["start"]), float(t["stop"])
    parts = 2 if case[""]["equation"] == "mfg" else t["saves"]
    floor = MIN_INTERVAL * max(1.0, abs(stop))
    if (stop - start) / parts < floor:
        if parts > 2 and (stop - start) / 2 >= floor:       # the span is fine: too many saves
            raise case.error("time.saves", t["saves"], f"time.saves <= {int((stop - start) / floor)} (save intervals "
                             f"of at least {MIN_INTERVAL:g} x max(1, |time.stop|): shorter are not resolved in "
                             "double precision)")
        raise case.error("time.stop", t["stop"], f"time.stop >= time.start + {parts} x {floor:.3g} "
                         f"({'two time levels' if parts == 2 else 'time.saves intervals'} of at least "
                         f"{MIN_INTERVAL:g} x max(1, |time.stop|): shorter times are not resolved in double precision)")


def check_periodic_spread(case: Case) -> None:
    """On a fully periodic grid the mixture is summed over its periodic images (ANALYTIC §2); a component
    wider than :data:`MAX_PERIODS` periods is uniform to round-off there and needs an unbounded image sum."""
    data, grid = case["data"], case["grid"]
    if data["kind"] != "gaussian_mixture" or not _fully_periodic(case):
        return
    period = min(hi - lo for lo, hi in zip(grid["lower"], grid["upper"]))
    s_max = max(float(v) for v in data["stds"])
    widest = MAX_PERIODS * period
    if s_max > widest:
        raise case.error("data.stds", data["stds"], f"stds <= {widest:.6g} ({MAX_PERIODS:g} periods of the periodic "
                                                    "grid; a wider component is uniform to round-off)")
    if case[""]["equation"] == "mfg":     # the data noised up to tau = T (data_log_density, nu = 1/2), else tau = 0
        nu = 0.5
        tau_max = float(case["time"]["stop"]) if case["mfg"]["terminal"] == "data_log_density" else 0.0
    else:
        nu = case["method"]["nu"]
        tau_max = 2.0 * nu * float(case["time"]["stop"])
    if math.hypot(s_max, math.sqrt(tau_max)) > widest:
        stop_max = (widest ** 2 - s_max ** 2) / (2.0 * nu)
        raise case.error("time.stop", case["time"]["stop"], f"time.stop <= {stop_max:.6g} (with method.nu = {nu:g})",
                         reason=f"on the periodic grid the widest component's std at time.stop, "
                                f"sqrt(s^2 + 2 nu stop) = {math.hypot(s_max, math.sqrt(tau_max)):.6g}, exceeds "
                                f"{MAX_PERIODS:g} periods ({widest:.6g}): the density is uniform to round-off there")


def _fully_periodic(case: Case) -> bool:
    spec = case["grid"]["boundary"]
    names = [spec] * case.dim if isinstance(spec, str) else list(spec)
    return all(n == "periodic" for n in names)


def check_steps(case: Case, dt: float, rule: str) -> None:
    """Refuse (InputError, exit 2) a step that gives more than :data:`MAX_STEPS` steps over the run."""
    t, dt = case["time"], float(dt)
    span = float(t["stop"]) - float(t["start"])
    steps = span / dt if dt > 0 else math.inf           # Python floats: inf, not an overflow warning
    if math.isfinite(steps) and steps <= MAX_STEPS:
        return
    reason = f"dt = {dt:.6g} ({rule}) gives {steps:.4g} steps over [{t['start']}, {t['stop']}]"
    if t["dt"] != "auto":
        raise case.error("time.dt", t["dt"], f"a step giving at most {MAX_STEPS:.0e} steps, i.e. "
                                             f"dt >= {span / MAX_STEPS:.6g}", reason=reason)
    raise case.error("time.dt", "auto", f"settings whose automatic step gives at most {MAX_STEPS:.0e} steps "
                                        "(a shorter time.stop, a coarser grid.points, a smaller method.nu or an "
                                        "implicit method.time)", reason=reason)
